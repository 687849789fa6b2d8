"""A forgotten password, by e-mail: the link works and changes the password; an
unknown address gets the same neutral answer; requests are limited; every step
is audited; the e-mail is in the recipient's language."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.password_reset import RESET_LIMIT_PER_EMAIL, RESET_LIMIT_PER_IP
from tests.accounts.factories import PASSWORD, UserFactory
from tests.api.factories import ApiTokenFactory

RESET = reverse("password_reset")
NEW = "a-brand-new-Passw0rd!"


@pytest.fixture
def person(grassroots):
    return UserFactory(
        username="forgetful", email="forgetful@example.org", union=grassroots
    )


def _link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body)
    assert match, message.body
    return match[1]


def _main(response) -> str:
    """The page's words, without the per-request tokens of its head."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_the_sign_in_page_links_to_the_reset(client):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{RESET}"' in html


def test_reset_by_e_mail_sets_the_new_password(client, person):
    response = client.post(RESET, {"email": "Forgetful@Example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["forgetful@example.org"]
    link = _link(mail.outbox[0])
    # Django swaps the token for a session key and redirects to the form.
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW, "new_password2": NEW},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    person.refresh_from_db()
    assert person.check_password(NEW)
    assert not person.check_password(PASSWORD)
    kinds = list(AuditEvent.objects.filter(user=person).values_list("kind", flat=True))
    assert AuditEvent.Kind.PASSWORD_RESET_REQUESTED in kinds
    assert AuditEvent.Kind.PASSWORD_RESET in kinds
    # The link works once.
    again = client.get(link, follow=True)
    assert again.context["validlink"] is False


def test_reset_ends_the_api_tokens(client, person):
    token = ApiTokenFactory(user=person)
    client.post(RESET, {"email": person.email})
    form_page = client.get(_link(mail.outbox[0]), follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_weak_new_password_is_refused_and_the_old_one_kept(client, person):
    client.post(RESET, {"email": person.email})
    form_page = client.get(_link(mail.outbox[0]), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(
        user=person, kind=AuditEvent.Kind.PASSWORD_RESET
    ).exists()


def test_an_unknown_address_gets_the_same_neutral_answer(client, person):
    known = client.post(RESET, {"email": person.email}, follow=True)
    unknown = client.post(RESET, {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert _main(known) == _main(unknown)
    assert len(mail.outbox) == 1  # only the known address got a mail
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.PASSWORD_RESET_REQUESTED, user__isnull=True
    ).exists()


def test_an_inactive_user_gets_no_mail(client, person):
    person.is_active = False
    person.save(update_fields=["is_active"])
    client.post(RESET, {"email": person.email})
    assert mail.outbox == []


def test_too_many_requests_for_one_address_are_refused(client, person):
    for _ in range(RESET_LIMIT_PER_EMAIL):
        assert client.post(RESET, {"email": person.email}).status_code == 302
    sent = len(mail.outbox)
    refused = client.post(RESET, {"email": person.email})
    assert refused.status_code == 200
    assert "Too many requests" in refused.content.decode()
    assert len(mail.outbox) == sent
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.PASSWORD_RESET_LIMITED
    ).exists()


def test_too_many_requests_from_one_address_are_refused(client, person):
    for i in range(RESET_LIMIT_PER_IP):
        client.post(RESET, {"email": f"someone{i}@example.org"})
    refused = client.post(RESET, {"email": person.email})
    assert refused.status_code == 200
    assert refused.context["form"].errors["email"]
    assert mail.outbox == []


def test_the_e_mail_is_in_the_recipients_language(client, person):
    person.language = "zh-hans"
    person.save(update_fields=["language"])
    client.post(RESET, {"email": person.email})  # the page in English
    message = mail.outbox[0]
    assert "新密码" in message.subject
    assert "新密码" in message.body


def test_the_pages_are_chinese_first(db):
    from django.test import Client

    html = Client().get(RESET).content.decode()  # no language asked for
    assert "忘记密码" in html
