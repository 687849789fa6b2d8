"""Fill the Simplified Chinese catalogue from the translation drafts.

Each area of the portal keeps its translations in ``locale/drafts/<area>.json`` (a
mapping of English msgid to Chinese msgstr; a message with a context is keyed
``context\\u0004msgid``), so that work on different areas never edits the same lines of
``django.po``. ``make messages`` extracts the messages, runs this script and compiles
the catalogue. Drafts are applied in file-name order and ``wording.json`` last: it holds
the official-document wording that overrides any earlier choice.
"""

import json
import sys
from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "zh_Hans" / "LC_MESSAGES" / "django.po"
LAST = "wording.json"


def load_drafts() -> dict[str, str]:
    files = sorted(
        (HERE / "drafts").glob("*.json"), key=lambda p: (p.name == LAST, p.name)
    )
    merged: dict[str, str] = {}
    for path in files:
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def main() -> int:
    drafts = load_drafts()
    po = polib.pofile(str(CATALOGUE), wrapwidth=79)
    for entry in po:
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        text = drafts.get(key)
        if text is None:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: text}
        else:
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
            entry.previous_msgid_plural = None
            entry.previous_msgctxt = None
    po.save(str(CATALOGUE))
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    for msgid in missing:
        print(f"untranslated: {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
