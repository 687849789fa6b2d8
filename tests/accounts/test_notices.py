"""Notifications: stored as a kind and parameters, read in the reader's language."""

import re

import pytest
from django.core import mail
from django.utils import translation

from accounts import notices
from accounts.models import Notification
from accounts.services import (
    notification_digest_send,
    notification_send,
    notification_settings_save,
)

pytestmark = pytest.mark.django_db

UNION = {"zh": "湖光纺织厂工会", "en": "Huguang Textile Mill Union"}
SCHEME = {"zh": "基层工会考核方案", "en": "Grassroots unions' scheme"}
REPORT = {
    "project": "职工技能培训",
    "union": UNION,
    "period_start": "2026-10-01",
    "period_end": "2026-10-31",
    "comment": "请补充照片",
}
PERIOD = {"year": 2026, "kind": "q3", "scheme": SCHEME}
# One example of every kind's parameters; a kind without one fails the test below.
SAMPLES = {
    "planning.report_submitted": {**REPORT, "again": True},
    "planning.report_approved": REPORT,
    "planning.report_returned": REPORT,
    "planning.report_reminders": {
        "entries": [
            {
                "project": "职工技能培训",
                "period_start": "2026-07-01",
                "period_end": "2026-09-30",
                "deadline": "2026-10-10",
                "overdue": True,
            }
        ]
    },
    "planning.project_delayed": {
        "project": "职工技能培训",
        "due": "2026-11-30",
        "percent": "40.0",
    },
    "planning.work_handed_out": {
        "title": "职工技能培训",
        "from": UNION,
        "target": "200 人次",
        "due": "2026-12-31",
    },
    "planning.project_proposed": {"union": UNION, "title": "职工技能培训"},
    "planning.project_proposal_decided": {
        "title": "职工技能培训",
        "approved": False,
        "comment": "请补充照片",
    },
    "unions.term_due": {"union": UNION, "number": 3, "end": "2027-01-31"},
    "unions.term_overdue": {"union": UNION, "number": 3, "end": "2026-09-19"},
    "assessments.period_opened": PERIOD,
    "assessments.period_closed": PERIOD,
    "assessments.period_reopened": {**PERIOD, "reason": "补录培训人数"},
    "assessments.period_published": PERIOD,
}
PARAMETER_TEXT = {"职工技能培训", "请补充照片", "补录培训人数", "200 人次", "人次"}
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _render(kind, language):
    note = Notification(kind=kind, params=SAMPLES[kind], title="x")
    with translation.override(language):
        return f"{note.display_title}\n{note.display_body}"


def test_every_kind_has_an_example():
    assert {kind.code for kind in notices.kinds()} == set(SAMPLES)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_a_kind_reads_in_english_without_chinese(kind):
    text = _render(kind, "en")
    for value in PARAMETER_TEXT:
        text = text.replace(value, "")
    assert not CJK.search(text), text


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_a_kind_reads_in_chinese_without_english(kind):
    text = _render(kind, "zh-hans")
    assert not LATIN_WORD.search(text), text
    assert CJK.search(text)


def test_the_reader_decides_the_language(cadre_grass):
    [note] = notification_send(
        recipients=[cadre_grass],
        kind="unions.term_due",
        params=SAMPLES["unions.term_due"],
    )
    note = Notification.objects.get(pk=note.pk)
    with translation.override("zh-hans"):
        assert note.display_title == "即将届满：湖光纺织厂工会"
    with translation.override("en"):
        assert note.display_title == "Term due: Huguang Textile Mill Union"


def test_the_notification_list_is_in_the_readers_language(client_for, cadre_grass):
    notification_send(
        recipients=[cadre_grass],
        kind="unions.term_due",
        params=SAMPLES["unions.term_due"],
    )
    client = client_for(cadre_grass)
    chinese = client.get("/notifications/", headers={"accept-language": "zh-hans"})
    assert "即将届满：湖光纺织厂工会" in chinese.content.decode()
    english = client.get("/notifications/", headers={"accept-language": "en"})
    assert "Term due: Huguang Textile Mill Union" in english.content.decode()


def test_an_unknown_kind_is_refused(cadre_grass):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notification_send(recipients=[cadre_grass], kind="nothing", params={})
    assert not Notification.objects.exists()


def test_a_kind_switched_off_is_not_kept(cadre_grass):
    notification_settings_save(user=cadre_grass, choices={"unions.term_due": "off"})
    sent = notification_send(
        recipients=[cadre_grass],
        kind="unions.term_due",
        params=SAMPLES["unions.term_due"],
    )
    assert sent == []
    assert not Notification.objects.filter(recipient=cadre_grass).exists()


def test_an_old_text_notification_still_reads(cadre_grass):
    old = Notification.objects.create(
        recipient=cadre_grass, title="Progress report returned", body="See comment"
    )
    assert old.kind == notices.TEXT
    assert old.display_title == "Progress report returned"


def test_the_digest_mails_each_person_once_in_their_language(settings, cadre_grass):
    settings.EMAIL_NOTIFICATIONS = True
    notification_settings_save(
        user=cadre_grass,
        choices={"unions.term_due": "digest", "unions.term_overdue": "digest"},
    )
    for kind in ("unions.term_due", "unions.term_overdue"):
        notification_send(recipients=[cadre_grass], kind=kind, params=SAMPLES[kind])
    assert mail.outbox == []  # nothing at once for a digest
    assert notification_digest_send() == 1
    [message] = mail.outbox
    assert "即将届满：湖光纺织厂工会" in message.body
    assert (
        "逾期未换届：湖光纺织厂工会" in message.body or "湖光纺织厂工会" in message.body
    )
    assert CJK.search(message.subject)
    # Run again: nothing goes out twice.
    assert notification_digest_send() == 0
    assert len(mail.outbox) == 1


def test_settings_are_saved_from_the_profile(client_for, cadre_grass):
    response = client_for(cadre_grass).post(
        "/notifications/settings/",
        {kind.code: "digest" for kind in notices.kinds()},
    )
    assert response.status_code == 302
    cadre_grass.refresh_from_db()
    assert cadre_grass.notification_delivery("planning.report_returned") == "digest"


def test_a_bad_setting_changes_nothing(client_for, cadre_grass):
    notification_settings_save(user=cadre_grass, choices={"unions.term_due": "off"})
    response = client_for(cadre_grass).post(
        "/notifications/settings/", {"unions.term_due": "sometimes"}
    )
    assert response.status_code == 302
    cadre_grass.refresh_from_db()
    assert cadre_grass.notification_settings == {"unions.term_due": "off"}


def test_the_bell_count_follows_new_and_read_notifications(client_for, cadre_grass):
    """The unread count is kept per person and forgotten when it changes: a new
    notification and marking read show on the next page."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.services import notification_mark_read

    client = client_for(cadre_grass)

    def bell():
        html = client.get(reverse("accounts:profile")).content.decode()
        found = re.search(r'data-testid="unread-count">(\d+)', html)
        return int(found.group(1)) if found else 0

    assert bell() == 0
    for name in ("unions.term_due", "unions.term_due"):
        notification_send(recipients=[cadre_grass], kind=name, params=SAMPLES[name])
    assert bell() == 2
    with CaptureQueriesContext(connection) as kept:
        assert bell() == 2
    assert not any("accounts_notification" in q["sql"] for q in kept.captured_queries)
    first = cadre_grass.notifications.order_by("pk").first()
    notification_mark_read(user=cadre_grass, notification_id=first.pk)
    assert bell() == 1
    notification_mark_read(user=cadre_grass)
    assert bell() == 0
