"""Reviewed scores from an Excel workbook: upload → preview with per-row errors →
confirm → every row in one transaction (or none).

District offices often collect the reviewed scores of the units below them in a
spreadsheet; this is that sheet's way in. Each row goes through the same rules as
the scoring page (range, comment where it differs, who may review, locked periods).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.imports import ImportPipeline
from unionportal.xlsx import (
    column_aliases,
    header_key,
    open_uploaded_workbook,
    sheet_rows,
    template_workbook,
)
from unions.models import Union

from ..models import Indicator, Period, Score
from ..scoring import review_needs_comment
from .common import refuse_if_locked
from .schemes import scheme_units
from .scores import ScoreEntry, can_review, scores_save

# The sheet's columns, defined once for the template and the reader: a header is
# accepted in either language (unionportal.xlsx.column_aliases). The columns after
# the four read ones are there for the person filling the sheet in offline: the
# reader ignores them.
COLUMNS = (
    ("unit_code", gettext_lazy("Unit code")),
    ("indicator_code", gettext_lazy("Indicator code")),
    ("reviewed_score", gettext_lazy("Reviewed score")),
    ("review_comment", gettext_lazy("Review comment")),
)
GUIDE_COLUMNS = (
    gettext_lazy("Unit"),
    gettext_lazy("Indicator"),
    gettext_lazy("Kind"),
    gettext_lazy("Max points"),
    gettext_lazy("Self score"),
    gettext_lazy("Comment needed"),
)
READ_FIELDS = {"unit_code", "indicator_code", "reviewed_score"}
# Headers written by earlier templates, still read.
OLD_HEADERS = {"reviewed_score": ("审核分",)}


@dataclass
class ImportRow:
    number: int
    unit_code: str
    indicator_code: str
    score: Decimal | None
    comment: str
    unit: Union | None = None
    indicator: Indicator | None = None
    error: str = ""


def import_headers() -> list[str]:
    return [str(label) for _key, label in COLUMNS]


def _points(value) -> str:
    return "" if value is None else f"{Decimal(value).normalize():f}"


def import_template(*, period: Period, user) -> bytes:
    """A workbook with a row per unit and manual indicator the user may review: the
    codes the reader needs, the names, kind, max points and self score the reviewer
    needs offline, and the reviewed score pre-filled with the current review (or the
    self score, so that only disagreements need typing). Read back unchanged, it
    confirms the scores as they stand."""
    units = [
        u
        for u in scheme_units(scheme=period.scheme).order_by("path")
        if can_review(user=user, period=period, unit=u)
    ][:200]
    indicators = list(
        Indicator.objects.filter(scheme=period.scheme, method=Indicator.Method.MANUAL)
        .select_related("category")
        .order_by("category__order", "order", "pk")
    )
    scores = {
        (s.unit_id, s.indicator_id): s
        for s in Score.objects.filter(period=period, unit__in=units)
    }
    yes, no = _("Yes, if it differs from the self score"), _("No")
    rows = []
    for unit in units:
        for indicator in indicators:
            score = scores.get((unit.pk, indicator.pk))
            self_score = score.self_score if score else None
            reviewed = score.reviewed_score if score else None
            current = reviewed if reviewed is not None else self_score
            comment = score.review_comment if score and reviewed is not None else ""
            rows.append(
                [
                    unit.code,
                    indicator.code,
                    _points(current),
                    comment,
                    unit.name,
                    indicator.name,
                    indicator.get_kind_display(),
                    _points(indicator.score_max),
                    _points(self_score),
                    yes if indicator.is_manual else no,
                ]
            )
    headers = import_headers() + [str(label) for label in GUIDE_COLUMNS]
    return template_workbook(
        _("Reviewed scores"),
        headers,
        rows,
        notes=[
            _(
                "One row per unit and indicator. The reviewed score is filled in with "
                "the current review, or the self score where there is none: change "
                "only where you disagree; empty a score to skip its row."
            ),
            _(
                "A comment is required where the reviewed score differs from the self "
                "score (a blank self score and a reviewed 0 on a deduction or veto "
                "agree)."
            ),
            _("A veto is entered as 1 (hit) or 0 (not hit)."),
            _("Scores have at most two decimal places."),
            _(
                "The columns after the review comment (unit, indicator, kind, max "
                "points, self score) are for reading; they are not imported."
            ),
        ],
        validations=[
            {
                "column": 2,
                "type": "decimal",
                "operator": "between",
                "formula1": "0",
                "formula2": "H2",
                "error": str(_("Enter a number between 0 and the max points.")),
            }
        ],
        widths=[14, 14, 12, 30, 24, 30, 10, 10, 10, 18],
    )


def _number(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError from exc
    if not number.is_finite():
        raise ValueError
    return number


def score_import_parse(*, period: Period, file, by) -> list[ImportRow]:
    """Reads and checks every row; a row with a problem carries its ``error``.

    Raises ValidationError when the file itself cannot be used. Writes nothing.
    """
    refuse_if_locked(period)
    workbook = open_uploaded_workbook(file)
    sheet = workbook.worksheets[0]
    parsed: list[ImportRow] = []
    aliases = column_aliases(COLUMNS, extra=OLD_HEADERS)
    for number, values in sheet_rows(sheet):
        fields = {aliases.get(header_key(k)): v for k, v in values.items()}
        fields.pop(None, None)
        if not set(fields) >= READ_FIELDS:
            raise ValidationError(
                _("The first row must hold the headers: %(headers)s.")
                % {"headers": ", ".join(import_headers())}
            )
        row = ImportRow(
            number=number,
            unit_code=str(fields.get("unit_code") or "").strip(),
            indicator_code=str(fields.get("indicator_code") or "").strip(),
            score=None,
            comment=str(fields.get("review_comment") or "").strip(),
        )
        try:
            row.score = _number(fields.get("reviewed_score"))
        except ValueError:
            row.error = _("The score is not a number.")
        if row.score is None and not row.error:
            continue  # an empty score skips the row
        parsed.append(row)
    if not parsed:
        raise ValidationError(_("The workbook has no rows with a score."))
    return _check(period, parsed, by)


def _check(period: Period, rows: list[ImportRow], by) -> list[ImportRow]:
    """The same rules as the scoring page, row by row (a fixed number of queries)."""
    units = {
        u.code: u
        for u in scheme_units(scheme=period.scheme).filter(
            code__in={r.unit_code for r in rows}
        )
    }
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(
            scheme=period.scheme, code__in={r.indicator_code for r in rows}
        )
    }
    scores = {
        (s.unit_id, s.indicator_id): s
        for s in Score.objects.filter(
            period=period, unit__in=units.values(), indicator__in=indicators.values()
        )
    }
    seen = set()
    for row in rows:
        if row.error:
            continue
        row.unit = units.get(row.unit_code)
        row.indicator = indicators.get(row.indicator_code)
        if row.unit is None:
            row.error = _(
                "No unit with the code %(code)s is assessed by this scheme."
            ) % {"code": row.unit_code or "–"}
        elif row.indicator is None:
            row.error = _("The scheme has no indicator %(code)s.") % {
                "code": row.indicator_code or "–"
            }
        elif not row.indicator.is_manual:
            row.error = _(
                "%(code)s is computed automatically; it cannot be imported."
            ) % {"code": row.indicator.code}
        elif not can_review(user=by, period=period, unit=row.unit):
            row.error = _("You cannot review this unit in this period.")
        elif (row.unit.pk, row.indicator.pk) in seen:
            row.error = _("This unit and indicator appear twice.")
        elif not (0 <= row.score <= row.indicator.score_max):
            row.error = _("Enter a score between 0 and %(max)s.") % {
                "max": f"{row.indicator.score_max.normalize():f}"
            }
        elif row.score != row.score.quantize(Decimal("0.01")):
            # The score field keeps two decimals: refused here, where the row is
            # named, rather than by the confirm step.
            row.error = _("A score has at most two decimal places.")
        elif row.indicator.is_veto and row.score not in (0, 1):
            row.error = _("A veto is either hit (1) or not (0).")
        else:
            current = scores.get((row.unit.pk, row.indicator.pk))
            self_score = current.self_score if current else None
            # As on the scoring page: a reason is due from a reviewer who changes
            # the review, not for a review left as it was.
            unchanged = current is not None and current.reviewed_score == row.score
            if (
                not unchanged
                and review_needs_comment(row.indicator.kind, self_score, row.score)
                and not row.comment
            ):
                row.error = _(
                    "Explain why the reviewed score differs from the self score."
                )
        if row.unit is not None and row.indicator is not None:
            seen.add((row.unit.pk, row.indicator.pk))
    return rows


@dataclass
class ScorePreview:
    """The checked rows of a workbook; ``token`` names the kept file to confirm."""

    period: Period
    rows: list[ImportRow]
    token: str = ""

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.error]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.error_rows


def _pipeline_period(data: dict) -> Period:
    return Period.objects.select_related("scheme").get(pk=data["period"])


def _pipeline_parse(file, *, user, data) -> ScorePreview:
    period = _pipeline_period(data)
    return ScorePreview(
        period=period, rows=score_import_parse(period=period, file=file, by=user)
    )


def _pipeline_apply(preview: ScorePreview, *, user, data, request=None) -> int:
    return score_import_apply(period=preview.period, rows=preview.rows, by=user)


# The portal's one import pipeline (unionportal/imports.py); each period has its own
# slot in the session, so two periods' imports in two tabs do not meet.
SCORE_IMPORT = ImportPipeline("scores", parse=_pipeline_parse, apply=_pipeline_apply)


@transaction.atomic
def score_import_apply(*, period: Period, rows: list[ImportRow], by) -> int:
    """Saves every row as a reviewed score, all in one transaction, or none."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    refuse_if_locked(period)
    if any(row.error for row in rows):
        raise ValidationError(_("Correct the rows with errors before importing."))
    versions = {
        (s.unit_id, s.indicator_id): s.version
        for s in Score.objects.filter(period=period, unit__in={r.unit.pk for r in rows})
    }
    by_unit: dict = {}
    for row in rows:
        by_unit.setdefault(row.unit, []).append(
            ScoreEntry(
                indicator=row.indicator,
                version=versions.get((row.unit.pk, row.indicator.pk), 0),
                reviewed_score=row.score,
                review_comment=row.comment,
            )
        )
    saved = 0
    for unit, entries in by_unit.items():
        try:
            saved += len(scores_save(period=period, unit=unit, entries=entries, by=by))
        except PermissionDenied as exc:
            raise ValidationError(
                _("You cannot review %(unit)s in this period.") % {"unit": unit.name}
            ) from exc
    return saved
