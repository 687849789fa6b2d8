"""How an indicator's points were found, in the reader's language.

Reports keep ``how`` as a key and numbers (never as finished text), so that one
snapshot reads "7 of 9 reports on time" on an English page and "按时报送 7 份，
应报 9 份" on a Chinese one.
"""

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

MEDIA_LABELS = {
    "district": lambda: _("district"),
    "city": lambda: _("city"),
    "province": lambda: _("province"),
    "national": lambda: _("national"),
}


def media_label(level: str) -> str:
    label = MEDIA_LABELS.get(level)
    return label() if label else level


def local_name(item: dict) -> str:
    """The name of a category or indicator kept in a report's rules, in the
    reader's language."""
    if (get_language() or "").startswith("en") and item.get("name_en"):
        return item["name_en"]
    return item.get("name_zh", "")


def explain(how: dict | None) -> str:
    if not how:
        return ""
    key = how.get("key", "")
    params = how.get("params", {}) or {}
    handler = _HANDLERS.get(key)
    if handler is None:
        return ""
    try:
        return handler(params)
    except (KeyError, TypeError, ValueError):
        return ""


def _manual(params):
    if params.get("veto"):
        if params.get("reviewed") is not None:
            value = params["reviewed"]
        else:
            value = params.get("self")
        if value is None:
            return _("Not entered: counted as no veto")
        return _("Veto hit") if float(value) > 0 else _("No veto")
    has_self = params.get("self") is not None
    has_reviewed = params.get("reviewed") is not None
    if has_self and has_reviewed:
        if params["self"] == params["reviewed"]:
            return _("Self score %(self)s, confirmed by review") % params
        return _("Self score %(self)s, reviewed %(reviewed)s") % params
    if has_reviewed:
        return _("Scored %(reviewed)s by review (no self score)") % params
    if has_self:
        return _("Self score %(self)s, not yet reviewed") % params
    return _("No score entered: counted as 0")


def _publicity(params):
    items = params.get("items") or {}
    if not items:
        return _("No items published")
    parts = ", ".join(
        _("%(count)s %(level)s") % {"count": count, "level": media_label(level)}
        for level, count in items.items()
    )
    return _("Published: %(items)s (%(points)s points before the cap)") % {
        "items": parts,
        "points": params.get("raw", "0"),
    }


def _terms_overdue(params):
    return ngettext(
        "A term is %(months)s month overdue: %(per_month)s points deducted per month",
        "A term is %(months)s months overdue: %(per_month)s points deducted per month",
        int(params["months"]),
    ) % {"months": params["months"], "per_month": params["per_month"]}


def _terms_below(params):
    """Names each overdue unit below with its months, then the deduction."""
    english = (get_language() or "").startswith("en")
    named = [
        (
            ngettext(
                "%(unit)s (%(months)s month overdue)",
                "%(unit)s (%(months)s months overdue)",
                int(unit["months"]),
            )
            if int(unit["months"])
            else _("%(unit)s (overdue less than a month)")
        )
        % {
            "unit": (unit.get("en") if english else None) or unit.get("zh", ""),
            "months": unit["months"],
        }
        for unit in params["units"]
    ]
    if params.get("count") == "unit":
        rule = ngettext(
            "%(count)s unit below overdue, %(per)s points each: %(deducted)s "
            "points deducted",
            "%(count)s units below overdue, %(per)s points each: %(deducted)s "
            "points deducted",
            len(named),
        )
    else:
        rule = _(
            "%(per)s points per overdue month of the units below: %(deducted)s "
            "points deducted"
        )
    separator = ", " if english else "、"
    return _("%(rule)s. %(units)s") % {
        "rule": rule
        % {
            "count": len(named),
            "per": params["per"],
            "deducted": params["deducted"],
        },
        "units": separator.join(named),
    }


_HANDLERS = {
    "manual": _manual,
    "exempt": lambda p: (
        _("Not applicable: %(reason)s") % {"reason": p.get("reason", "")}
    ),
    "key_work": lambda p: (
        ngettext(
            "%(percent)s%% weighted completion of %(projects)s project due",
            "%(percent)s%% weighted completion of %(projects)s projects due",
            int(p["projects"]),
        )
        % p
    ),
    "key_work_none": lambda p: _("No projects due: not applicable"),
    "timeliness": lambda p: _("%(on_time)s of %(due)s reports on time") % p,
    "timeliness_none": lambda p: _("No reports due: not applicable"),
    "activities": lambda p: (
        _("%(count)s events held against a target of %(target)s") % p
    ),
    "training": lambda p: _("%(count)s trainees against a target of %(target)s") % p,
    "no_target": lambda p: _("No target set: not applicable"),
    "terms_ok": lambda p: _("No office term overdue"),
    "terms_overdue": _terms_overdue,
    "terms_below_ok": lambda p: _("No office term of the units below is overdue"),
    "terms_below_overdue": _terms_below,
    "publicity": _publicity,
}
