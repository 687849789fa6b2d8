"""Every message the portal's code says (service errors, success messages, labels,
notifications) reads in Chinese without English words, and in English without
Chinese: found by reading the code itself, so a new message is checked the day it
is written."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

APPS = ("accounts", "unions", "planning", "assessments", "unionportal")
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
# Words a Chinese office writes as they are.
LATIN_ALLOWED = {
    "api",
    "excel",
    "pdf",
    "xlsx",
    "docx",
    "id",
    "url",
    "json",
    "csv",
    "ip",
    "utf",
    "http",
    "https",
    "token",
    "gb",
    "mb",
    "kb",
    "openapi",
    "swagger",
    "redoc",
    "a4",
    "e",
    "mail",
    "ok",
    "html",
    "bearer",
    "www",
    "zip",
    "office",
    "word",  # the file format
    # The API's own words, quoted as they are sent: a header, a field, a value.
    "authorization",
    "update",  # an allowed action: PUT/PATCH (unionportal/api/actions.py)
    "count",
    "true",
    "false",
}
# Code quoted in a message: a field (next_step), a path (/api/v1/…), a header
# (If-Match, ETag), a method (PATCH), a code (DX-SD01).
CODE = re.compile(
    r"[A-Za-z0-9]*[_./\-:<>][A-Za-z0-9_./\-:<>]*|\b[A-Z]+[a-z]*[A-Z][A-Za-z]*\b|\b[A-Z]{2,}\b"
)
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]{2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _messages():
    root = Path(settings.BASE_DIR)
    found = {}
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            parts = set(path.parts)
            if "migrations" in parts or "bench" in parts or path.name == "demo.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in GETTEXT
                ):
                    continue
                args = [a for a in node.args if isinstance(a, ast.Constant)]
                if node.func.id.startswith("pgettext") and len(args) >= 2:
                    key = (args[0].value, args[1].value)
                elif args and isinstance(args[0].value, str):
                    key = (None, args[0].value)
                else:
                    continue
                found.setdefault(key, f"{path.relative_to(root)}:{node.lineno}")
    return found


MESSAGES = _messages()


def test_the_scan_finds_the_messages():
    assert len(MESSAGES) > 800
    assert (None, "The import was cancelled; nothing was saved.") in MESSAGES


def _chinese(context, msgid) -> str:
    with translation.override("zh-hans"):
        if context:
            return translation.pgettext(context, msgid)
        return translation.gettext(msgid)


def test_every_message_reads_in_chinese_without_english():
    english_left = []
    for (context, msgid), where in MESSAGES.items():
        text = CODE.sub("", PLACEHOLDER.sub("", _chinese(context, msgid)))
        words = {w.lower() for w in LATIN_WORD.findall(text)} - LATIN_ALLOWED
        source = CODE.sub("", PLACEHOLDER.sub("", msgid))
        if not CJK.search(text) and LATIN_WORD.search(source):
            english_left.append((where, msgid))
        elif words:
            english_left.append((where, msgid, sorted(words)))
    assert english_left == []


@pytest.mark.parametrize("language", ["en"])
def test_every_message_reads_in_english_without_chinese(language):
    chinese_left = []
    for (context, msgid), where in MESSAGES.items():
        with translation.override(language):
            text = (
                translation.pgettext(context, msgid)
                if context
                else translation.gettext(msgid)
            )
        if CJK.search(text):
            chinese_left.append((where, msgid))
    assert chinese_left == []
