"""A period's life: open → closed for entry → published → locked, and reopening."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import notices
from accounts.models import User
from accounts.services import audit_record, notification_send

from .. import versions
from ..audit import PeriodAudit
from ..models import Period, QuarterReport, Scheme, period_label, quarter_dates
from .common import refuse_if_locked, stamp


@transaction.atomic
def period_create(*, scheme: Scheme, kind: str, by) -> Period:
    """Opens a quarter (or the year) of an active scheme for entry."""
    if scheme.status != Scheme.Status.ACTIVE:
        raise ValidationError(_("Activate the scheme before opening its periods."))
    if kind not in Period.Kind.values:
        raise ValidationError({"kind": _("Choose a quarter or the year.")})
    start, end = quarter_dates(scheme.year, kind)
    period = Period(scheme=scheme, kind=kind, start=start, end=end)
    period.full_clean()
    stamp(period, by)
    period.save()
    _notify_units(period, PERIOD_OPENED)
    return period


def _locked_for_update(period: Period) -> Period:
    """Re-reads the period under a row lock so two admins cannot race a change."""
    fresh = (
        Period.objects.select_for_update().select_related("scheme").get(pk=period.pk)
    )
    refuse_if_locked(fresh)
    return fresh


@dataclass
class CloseChecklist:
    """What is still missing when a period closes (docs/design.md §3, Period)."""

    units: int = 0
    without_self_scores: list = field(default_factory=list)  # units
    unreviewed: int = 0  # self scores with no reviewed score
    units_with_unreviewed: list = field(default_factory=list)
    reports_late: int = 0  # progress reports due in the period, late or missing
    units_with_late_reports: list = field(default_factory=list)

    @property
    def is_clear(self) -> bool:
        return not (self.without_self_scores or self.unreviewed or self.reports_late)

    def summary(self) -> str:
        """The counts, in words that do not depend on the reader's language (for
        the audit log)."""
        return (
            f"units={self.units} without_self_scores={len(self.without_self_scores)} "
            f"unreviewed={self.unreviewed} reports_late={self.reports_late}"
        )


def period_close_checklist(*, period: Period, units: list) -> CloseChecklist:
    """Units without self scores, scores not reviewed, progress reports late or
    missing in the period, for ``units`` (a constant number of queries)."""
    from .. import selectors, sources

    checklist = CloseChecklist(units=len(units))
    for row in selectors.period_unit_progress(period, units):
        if row.manual and not row.self_scored:
            checklist.without_self_scores.append(row.unit)
        if row.waiting:
            checklist.unreviewed += row.waiting
            checklist.units_with_unreviewed.append(row.unit)
    facts = sources.planning_facts(
        union_ids=[u.pk for u in units], start=period.start, end=period.end
    )
    for unit in units:
        unit_facts = sources.facts_for(facts, unit.pk)
        late = max(unit_facts.reports_due - unit_facts.reports_on_time, 0)
        if late:
            checklist.reports_late += late
            checklist.units_with_late_reports.append(unit)
    return checklist


@transaction.atomic
def period_close(
    *, period: Period, by, checklist: CloseChecklist | None = None, request=None
) -> Period:
    """Ends entry by cadres; the report is built the next night (or now, by hand).
    The audit log keeps what was still missing when the period closed."""
    from .schemes import scheme_units

    period = _locked_for_update(period)
    if not period.allows("close"):
        raise ValidationError(_("Only an open period can be closed."))
    if checklist is None:
        checklist = period_close_checklist(
            period=period, units=list(scheme_units(scheme=period.scheme))
        )
    period.status = Period.Status.CLOSED
    period.closed_at = timezone.now()
    stamp(period, by)
    period.save()
    audit_record(
        kind=PeriodAudit.CLOSED,
        request=request,
        user=by,
        detail=f"{period.scheme_id}:{period.kind} {checklist.summary()}",
    )
    _notify_units(period, PERIOD_CLOSED, reviewers=True)
    return period


@transaction.atomic
def period_publish(*, period: Period, by, request=None) -> Period:
    """Makes the results visible to the units; needs a finished report."""
    period = _locked_for_update(period)
    if not period.allows("publish"):
        raise ValidationError(_("Only a closed period can be published."))
    report = period.report
    if report is None or not report.is_done:
        raise ValidationError(_("Build the period's report before publishing it."))
    # Publishing pins this version: units and leaders read it, also after a
    # reopen and rebuild, until another version is published.
    versions.pin(report)
    period.status = Period.Status.PUBLISHED
    period.published_at = timezone.now()
    stamp(period, by)
    period.save()
    audit_record(
        kind=PeriodAudit.PUBLISHED,
        request=request,
        user=by,
        detail=f"{period.scheme_id}:{period.kind} {period} v{report.number}",
    )
    _notify_units(period, PERIOD_PUBLISHED, reviewers=True)
    return period


PERIOD_OPENED = "assessments.period_opened"
PERIOD_CLOSED = "assessments.period_closed"
PERIOD_REOPENED = "assessments.period_reopened"
PERIOD_PUBLISHED = "assessments.period_published"


def _period_names(params) -> dict:
    return {
        "period": period_label(params["year"], params["kind"]),
        "scheme": notices.pick(params["scheme"]),
    }


def _render_opened(params):
    return (
        _("Assessment %(period)s is open for self-assessment") % _period_names(params),
        _("%(scheme)s: enter your union's self scores before the period closes.")
        % _period_names(params),
    )


def _render_closed(params):
    return (
        _("Assessment %(period)s is closed for entry") % _period_names(params),
        _("%(scheme)s: self scores can no longer be changed; reviews continue.")
        % _period_names(params),
    )


def _render_reopened(params):
    return (
        _("Assessment %(period)s was reopened") % _period_names(params),
        _("Reason: %(reason)s") % {"reason": params["reason"]},
    )


def _render_published(params):
    return (
        _("Assessment results of %(period)s are published") % _period_names(params),
        _("%(scheme)s: see your union's scores and rank.") % _period_names(params),
    )


def register_notice_kinds() -> None:
    for code, label, render in (
        (PERIOD_OPENED, gettext_lazy("An assessment period opens"), _render_opened),
        (PERIOD_CLOSED, gettext_lazy("An assessment period closes"), _render_closed),
        (
            PERIOD_REOPENED,
            gettext_lazy("An assessment period is reopened"),
            _render_reopened,
        ),
        (
            PERIOD_PUBLISHED,
            gettext_lazy("Assessment results are published"),
            _render_published,
        ),
    ):
        notices.register(code, label=label, render=render)


def _notify_units(period: Period, kind: str, *, reviewers=False, **extra) -> None:
    """The cadres of the assessed units (and, with ``reviewers``, those who review
    them) hear what happened to the period, each with a link to their own page."""
    from ..engine import assessed_units

    units = assessed_units(period.scheme)
    people = Q(union__in=[u.pk for u in units], is_cadre=True)
    if reviewers:
        people |= Q(union__in={u.parent_id for u in units}, is_reviewer=True)
    params = {
        "year": period.scheme.year,
        "kind": period.kind,
        "scheme": notices.bilingual(period.scheme),
        **extra,
    }
    unit_ids = {u.pk for u in units}
    # Once per change of the period: reopening and publishing again tells again.
    dedupe = f"{kind}:{period.pk}:{period.history.count()}"
    for user in User.objects.filter(people, is_active=True):
        if user.union_id in unit_ids:
            url = (
                reverse("assessments:unit_scorecard", args=[user.union_id])
                + f"?period={period.pk}"
            )
        else:
            url = reverse("assessments:period_detail", args=[period.pk])
        notification_send(
            recipients=[user],
            kind=kind,
            params=params,
            url=url,
            dedupe_key=dedupe,
        )


@transaction.atomic
def period_lock(*, period: Period, by, request=None) -> Period:
    """Freezes a published period for good: nothing in it changes again."""
    period = _locked_for_update(period)
    if not period.allows("lock"):
        raise ValidationError(_("Only a published period can be locked."))
    report = (
        QuarterReport.objects.select_for_update()
        .filter(period=period, is_current=True)
        .first()
    )
    if report is not None and not report.files_ready:
        # Nothing can be stored for a locked period: its files must exist first.
        raise ValidationError(
            _(
                "The report's files are not ready: lock the period once they are "
                "(prepare them again from the report if they failed)."
            )
        )
    period.status = Period.Status.LOCKED
    period.locked_at = timezone.now()
    stamp(period, by)
    period.save()
    audit_record(
        kind=PeriodAudit.LOCKED,
        request=request,
        user=by,
        detail=f"{period.scheme_id}:{period.kind} {period}",
    )
    return period


@transaction.atomic
def period_reopen(*, period: Period, reason: str, by, request=None) -> Period:
    """Opens a closed or published period again; the reason stays in its history."""
    period = _locked_for_update(period)
    reason = (reason or "").strip()
    if not period.allows("reopen"):
        raise ValidationError(_("Only a closed or published period can be reopened."))
    if len(reason) < 5:
        raise ValidationError(
            {"reason": _("Write why the period is reopened (at least 5 characters).")}
        )
    period.status = Period.Status.OPEN
    period.closed_at = None
    period.published_at = None
    stamp(period, by, reason, limit=0)
    period.save()
    audit_record(
        kind=PeriodAudit.REOPENED,
        request=request,
        user=by,
        detail=f"{period.scheme_id}:{period.kind} {period}: {reason}",
    )
    _notify_units(period, PERIOD_REOPENED, reviewers=True, reason=reason)
    return period
