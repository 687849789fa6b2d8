"""A period's life: open → closed for entry → published → locked, and reopening."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from accounts.services import audit_record, notification_send

from ..models import Period, QuarterReport, Scheme, quarter_dates
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
    return period


def _locked_for_update(period: Period) -> Period:
    """Re-reads the period under a row lock so two admins cannot race a change."""
    fresh = (
        Period.objects.select_for_update().select_related("scheme").get(pk=period.pk)
    )
    refuse_if_locked(fresh)
    return fresh


@transaction.atomic
def period_close(
    *, period: Period, by, request=None, missing: dict | None = None
) -> Period:
    """Ends entry by cadres; the report is built the next night (or now, by hand).

    ``missing`` is the close checklist's counts the administrator confirmed
    (units without self-scores, scores not reviewed); the audit keeps them.
    """
    period = _locked_for_update(period)
    if period.status != Period.Status.OPEN:
        raise ValidationError(_("Only an open period can be closed."))
    period.status = Period.Status.CLOSED
    period.closed_at = timezone.now()
    stamp(period, by)
    period.save()
    missing = missing or {}
    audit_record(
        kind=AuditEvent.Kind.PERIOD_CLOSED,
        request=request,
        user=by,
        detail=(
            f"{period.scheme_id}:{period.kind} {period}; "
            f"units without self-scores: {missing.get('units', 0)}; "
            f"scores not reviewed: {missing.get('scores', 0)}"
        ),
    )
    return period


@transaction.atomic
def period_publish(*, period: Period, by, request=None) -> Period:
    """Makes the results visible to the units; needs a finished report."""
    period = _locked_for_update(period)
    if period.status != Period.Status.CLOSED:
        raise ValidationError(_("Only a closed period can be published."))
    report = QuarterReport.objects.filter(period=period).first()
    if report is None or not report.is_done:
        raise ValidationError(_("Build the period's report before publishing it."))
    period.status = Period.Status.PUBLISHED
    period.published_at = timezone.now()
    stamp(period, by)
    period.save()
    audit_record(
        kind=AuditEvent.Kind.PERIOD_PUBLISHED,
        request=request,
        user=by,
        detail=f"{period.scheme_id}:{period.kind} {period}",
    )
    _notify_units(period)
    return period


def _notify_units(period: Period) -> None:
    from ..engine import assessed_units

    units = assessed_units(period.scheme)
    cadres = User.objects.filter(
        union__in=[u.pk for u in units], is_cadre=True, is_active=True
    ).select_related("union")
    for cadre in cadres:
        notification_send(
            recipients=[cadre],
            title=_("Assessment results of %(period)s are published")
            % {"period": period.label},
            url=reverse("assessments:unit_scorecard", args=[cadre.union_id])
            + f"?period={period.pk}",
            dedupe_key=f"assessments:published:{period.pk}",
        )


@transaction.atomic
def period_lock(*, period: Period, by, request=None) -> Period:
    """Freezes a published period for good: nothing in it changes again."""
    period = _locked_for_update(period)
    if period.status != Period.Status.PUBLISHED:
        raise ValidationError(_("Only a published period can be locked."))
    report = QuarterReport.objects.select_for_update().filter(period=period).first()
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
        kind=AuditEvent.Kind.PERIOD_LOCKED,
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
    if period.status not in (Period.Status.CLOSED, Period.Status.PUBLISHED):
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
        kind=AuditEvent.Kind.PERIOD_REOPENED,
        request=request,
        user=by,
        detail=f"{period.scheme_id}:{period.kind} {period}: {reason}",
    )
    return period
