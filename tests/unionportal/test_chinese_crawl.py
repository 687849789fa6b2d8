"""The demo district read in Chinese by its five users, none of whom chose a language:
no visible text of a main page is left in English."""

import re
from html.parser import HTMLParser

import polib
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

PAGES = [
    "/",
    "/progress/",
    "/progress/review/",
    "/projects/",
    "/plans/",
    "/activities/",
    "/assessments/",
    "/dashboard/",
    "/reports/",
    "/unions/",
    "/terms/",
    "/terms/changes/",
    "/notifications/",
    "/profile/",
    "/administration/",
    "/administration/users/",
    "/administration/audit/",
]
USERS = ("admin", "leader", "reviewer", "cadre_sub", "cadre_grass")
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"[A-Za-z]{4,} [A-Za-z]{3,}")
# Technical details the audit log keeps as written (role codes, counts): not prose.
TECHNICAL = re.compile(r"\w+=\S")


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


@pytest.fixture(scope="module")
def english_messages():
    po = polib.pofile(
        str(settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    )
    return {
        e.msgid
        for e in po
        if e.msgstr and e.msgstr != e.msgid and " " in e.msgid and "%(" not in e.msgid
    }


@pytest.mark.django_db
def test_the_demo_reads_in_chinese_for_every_role(english_messages):
    from accounts.models import User
    from unionportal.demo import seed_demo

    assert seed_demo()["seeded"] is True
    # A second seed finds the demo there and writes nothing (a second make run).
    with CaptureQueriesContext(connection) as queries:
        again = seed_demo()
    assert again["seeded"] is False
    assert len(queries) <= 6
    assert not [q for q in queries if not q["sql"].lstrip().startswith("SELECT")]
    assert len(again["unions"]) == 52
    assert again["logins"][0] == "demo"
    User.objects.update(language="")
    found = []
    pages_read = 0
    for username in USERS:
        client = Client()  # a browser asking for no language at all
        client.force_login(
            User.objects.get(username=username),
            backend="accounts.backends.UnionModelBackend",
        )
        for path in PAGES:
            response = client.get(path)
            if response.status_code != 200:
                continue  # a page this role may not see
            pages_read += 1
            assert 'lang="zh-hans"' in response.content.decode()[:200]
            reader = _VisibleText()
            reader.feed(response.content.decode())
            for text in reader.parts:
                untranslated = text in english_messages or (
                    ENGLISH_WORDS.search(text)
                    and not CJK.search(text)
                    and not TECHNICAL.search(text)
                )
                if untranslated:
                    found.append(f"{username} {path}: {text[:80]}")
    assert pages_read >= 50
    assert found == []
