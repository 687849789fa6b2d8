import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent, Notification
from assessments import services
from assessments.audit import PeriodAudit
from assessments.models import Period, QuarterReport

from .factories import PeriodFactory, SchemeFactory, build_report


def build(period):
    build_report(period)


def test_a_quarter_gets_its_dates(scheme, admin_user):
    period = services.period_create(scheme=scheme, kind="q3", by=admin_user)
    assert (period.start, period.end) == (
        datetime.date(2026, 7, 1),
        datetime.date(2026, 9, 30),
    )
    assert period.status == Period.Status.OPEN


def test_the_year_period_spans_the_year(scheme, admin_user):
    period = services.period_create(scheme=scheme, kind="year", by=admin_user)
    assert (period.start, period.end) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 12, 31),
    )


def test_periods_open_only_on_an_active_scheme(district, admin_user):
    draft = SchemeFactory(owner=district)
    with pytest.raises(ValidationError, match="Activate the scheme"):
        services.period_create(scheme=draft, kind="q1", by=admin_user)


def test_a_scheme_has_each_period_once(period, admin_user):
    with pytest.raises(ValidationError):
        services.period_create(scheme=period.scheme, kind="q1", by=admin_user)


def test_close_publish_lock_in_order(period, units, admin_user):
    services.period_close(period=period, by=admin_user)
    build(period)
    services.period_publish(period=period, by=admin_user)
    services.period_lock(period=period, by=admin_user)
    period.refresh_from_db()
    assert period.status == Period.Status.LOCKED
    assert period.closed_at is not None
    assert period.published_at is not None
    assert period.locked_at is not None


def test_an_open_period_cannot_be_published(period, admin_user):
    with pytest.raises(ValidationError, match="Only a closed period"):
        services.period_publish(period=period, by=admin_user)


def test_publishing_needs_a_finished_report(period, admin_user):
    services.period_close(period=period, by=admin_user)
    with pytest.raises(ValidationError, match="Build the period's report"):
        services.period_publish(period=period, by=admin_user)


def test_publish_and_lock_are_audited(period, units, admin_user):
    services.period_close(period=period, by=admin_user)
    build(period)
    services.period_publish(period=period, by=admin_user)
    services.period_lock(period=period, by=admin_user)
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {PeriodAudit.PUBLISHED, PeriodAudit.LOCKED} <= kinds


def test_publishing_tells_the_units_cadres(period, units, cadre_sub, admin_user):
    services.period_close(period=period, by=admin_user)
    build(period)
    services.period_publish(period=period, by=admin_user)
    note = Notification.objects.get(
        recipient=cadre_sub, kind="assessments.period_published"
    )
    assert f"/assessments/scorecard/{cadre_sub.union_id}/" in note.url


def test_reopening_needs_a_written_reason(period, admin_user):
    services.period_close(period=period, by=admin_user)
    with pytest.raises(ValidationError):
        services.period_reopen(period=period, reason="  ", by=admin_user)
    period.refresh_from_db()
    assert period.status == Period.Status.CLOSED


def test_reopening_keeps_the_reason_in_history_and_audit(period, units, admin_user):
    services.period_close(period=period, by=admin_user)
    build(period)
    services.period_publish(period=period, by=admin_user)
    reason = (
        "A sub-district union found a wrong evidence file; scores must be corrected. "
        * 3
    )
    services.period_reopen(period=period, reason=reason, by=admin_user)
    period.refresh_from_db()
    assert period.status == Period.Status.OPEN
    latest = period.history.first()
    assert latest.history_change_reason == reason.strip()
    assert latest.history_user == admin_user
    audit = AuditEvent.objects.get(kind=PeriodAudit.REOPENED)
    assert "wrong evidence" in audit.detail


def test_reopening_keeps_the_last_report(period, units, admin_user):
    services.period_close(period=period, by=admin_user)
    build(period)
    services.period_reopen(period=period, reason="late correction", by=admin_user)
    assert QuarterReport.objects.get(period=period).status == QuarterReport.Status.DONE


def test_a_locked_period_cannot_be_reopened(scheme, admin_user):
    period = PeriodFactory(scheme=scheme, status=Period.Status.LOCKED)
    with pytest.raises(ValidationError, match="locked"):
        services.period_reopen(period=period, reason="please", by=admin_user)


def test_an_open_period_cannot_be_reopened(period, admin_user):
    with pytest.raises(ValidationError, match="closed or published"):
        services.period_reopen(period=period, reason="why not", by=admin_user)


def test_allowed_actions_follow_the_status_and_the_manager(scheme, admin_user, leader):
    """One table (Period.TRANSITIONS) decides what the page offers and what the
    services accept."""
    expected = {
        Period.Status.OPEN: {"close"},
        Period.Status.CLOSED: {"build_report", "publish", "reopen"},
        Period.Status.PUBLISHED: {"lock", "reopen"},
        Period.Status.LOCKED: set(),
    }
    for kind, (status, actions) in zip(Period.QUARTERS, expected.items(), strict=True):
        period = PeriodFactory(scheme=scheme, kind=kind, status=status)
        assert period.allowed_actions(admin_user) == actions, status
        assert period.allowed_actions(leader) == frozenset()


def test_scheme_actions_follow_the_status_and_the_manager(district, admin_user, leader):
    """One table (Scheme.TRANSITIONS) decides what the scheme page offers and what
    the scheme services accept."""
    expected = {
        "draft": {"edit", "activate", "delete"},
        "active": {"edit", "draft", "archive", "open_period"},
        "archived": set(),
    }
    for year, (status, actions) in enumerate(expected.items(), start=2031):
        scheme = SchemeFactory(owner=district, year=year, status=status)
        assert scheme.allowed_actions(admin_user) == actions, status
        assert scheme.allowed_actions(leader) == frozenset()
        assert scheme.is_editable == ("edit" in actions)
