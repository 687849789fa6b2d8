"""unionportal/jobs.py: a job asked for in a transaction is sent after the commit, and
a broker that is down delays it instead of losing it (the real outage is in
test_chaos.py; here the broker's refusal is simulated)."""

from datetime import timedelta

import pytest
from celery import shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from unionportal.jobs import enqueue_on_commit, outbox_flush, publish
from unionportal.models import OutboxJob

RAN: list[dict] = []


@shared_task(name="tests.trust.record_task")
def record_task(**kwargs):
    RAN.append(kwargs)
    return kwargs


@pytest.fixture(autouse=True)
def _clear_ran():
    RAN.clear()


@pytest.fixture
def broker(monkeypatch):
    """A non-eager Celery whose sends are recorded, or refused while ``down``."""
    from unionportal.celery import app

    # tests/conftest.py's _eager_celery restores this after the test.
    app.conf.task_always_eager = False
    state = {"down": False, "sent": []}
    task = app.tasks[record_task.name]

    def apply_async(args=None, kwargs=None, **options):
        if state["down"]:
            raise BrokerDown(
                "Error 111 connecting to 127.0.0.1:6379. Connection refused."
            )
        state["sent"].append((task.name, kwargs))

    monkeypatch.setattr(task, "apply_async", apply_async)
    return state


def test_job_runs_after_the_commit(django_capture_on_commit_callbacks, db):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record_task, period_id=7)
        assert RAN == []
    assert RAN == [{"period_id": 7}]
    assert not OutboxJob.objects.exists()


def test_rolled_back_change_sends_no_job(django_capture_on_commit_callbacks, db):
    class Abort(Exception):
        """Raised to roll the transaction back."""

    def change_that_fails():
        with transaction.atomic():
            enqueue_on_commit(record_task, period_id=7)
            raise Abort

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Abort):
        change_that_fails()
    assert RAN == []
    assert not OutboxJob.objects.exists()


def test_job_is_sent_to_the_broker_and_forgotten(
    broker, django_capture_on_commit_callbacks, db
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record_task, period_id=7)
    assert broker["sent"] == [("tests.trust.record_task", {"period_id": 7})]
    assert not OutboxJob.objects.exists()


def test_broker_down_keeps_the_job_instead_of_failing_the_request(
    broker, django_capture_on_commit_callbacks, db
):
    broker["down"] = True
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record_task, period_id=7)
    job = OutboxJob.objects.get()
    assert job.kwargs == {"period_id": 7}
    assert job.attempts == 1
    assert "Connection refused" in job.last_error


def test_flush_sends_what_waited_once_the_broker_is_back(broker, db):
    broker["down"] = True
    job = OutboxJob.objects.create(task=record_task.name, kwargs={"period_id": 7})
    assert publish(job.pk) is False
    OutboxJob.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    broker["down"] = False
    assert outbox_flush() == 1
    assert broker["sent"] == [("tests.trust.record_task", {"period_id": 7})]
    assert not OutboxJob.objects.exists()


def test_flush_leaves_jobs_that_their_request_is_still_sending(broker, db):
    OutboxJob.objects.create(task=record_task.name, kwargs={"period_id": 7})
    assert outbox_flush() == 0
    assert broker["sent"] == []


def test_flush_while_the_broker_is_still_down_keeps_every_job(broker, db):
    broker["down"] = True
    for period_id in (1, 2, 3):
        OutboxJob.objects.create(task=record_task.name, kwargs={"period_id": period_id})
    OutboxJob.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    assert outbox_flush() == 0
    assert OutboxJob.objects.count() == 3
    assert set(OutboxJob.objects.values_list("attempts", flat=True)) == {1}


def test_job_already_sent_is_not_sent_again(broker, db):
    job = OutboxJob.objects.create(task=record_task.name, kwargs={})
    assert publish(job.pk) is True
    assert publish(job.pk) is False
    assert len(broker["sent"]) == 1


def test_flush_is_on_the_beat_schedule(settings):
    entries = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "unionportal.tasks.outbox_flush_task" in entries


TERM_DUE = "unions.term_due"
TERM = {
    "union": {"zh": "北区工厂工会", "en": "North Factory Union"},
    "number": 3,
    "end": "2027-01-31",
}


def test_notification_mail_is_sent_through_the_outbox(
    settings, cadre_grass, django_capture_on_commit_callbacks, mailoutbox
):
    from accounts.services import notification_send

    settings.EMAIL_NOTIFICATIONS = True
    cadre_grass.language = "en"
    cadre_grass.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[cadre_grass], kind=TERM_DUE, params=TERM)
    assert [m.subject for m in mailoutbox] == ["Term due: North Factory Union"]
    assert not OutboxJob.objects.exists()


def test_notification_mail_waits_while_the_broker_is_down(
    settings, broker, cadre_grass, django_capture_on_commit_callbacks
):
    from accounts.services import notification_send
    from accounts.tasks import send_notification_emails_task
    from unionportal.celery import app

    settings.EMAIL_NOTIFICATIONS = True
    broker["down"] = True
    real = app.tasks[send_notification_emails_task.name]
    real.apply_async = app.tasks[record_task.name].apply_async
    try:
        with django_capture_on_commit_callbacks(execute=True):
            notification_send(recipients=[cadre_grass], kind=TERM_DUE, params=TERM)
    finally:
        del real.apply_async
    job = OutboxJob.objects.get()
    assert job.task == "accounts.tasks.send_notification_emails_task"
