import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(CATALOGUE / "django.po"))


def test_catalogue_has_no_untranslated_messages(po):
    missing = [entry.msgid for entry in po.untranslated_entries()]
    assert missing == []


def test_catalogue_has_no_fuzzy_messages(po):
    assert [entry.msgid for entry in po.fuzzy_entries()] == []


def test_compiled_catalogue_matches_the_source(po):
    with open(CATALOGUE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def compiled_text(entry):
        if entry.msgctxt:
            return compiled.pgettext(entry.msgctxt, entry.msgid)
        return compiled.gettext(entry.msgid)

    stale = [
        entry.msgid
        for entry in po.translated_entries()
        if not entry.msgid_plural and compiled_text(entry) != entry.msgstr
    ]
    assert stale == []


def test_placeholders_survive_translation(po):
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    broken = [
        entry.msgid
        for entry in po.translated_entries()
        if sorted(pattern.findall(entry.msgid)) != sorted(pattern.findall(entry.msgstr))
        and not entry.msgid_plural
    ]
    assert broken == []


def test_a_duration_reads_as_an_office_writes_it():
    from datetime import timedelta

    from django.utils import timezone, translation
    from django.utils.timesince import timesince

    now = timezone.now()
    # timesince puts no-break spaces between a number and its unit.
    with translation.override("zh-hans"):
        text = timesince(now - timedelta(days=1, hours=14), now).replace("\xa0", " ")
        assert text == "1天 14小时"
    with translation.override("en"):
        text = timesince(now - timedelta(days=1, hours=14), now).replace("\xa0", " ")
        assert text == "1 day, 14 hours"
