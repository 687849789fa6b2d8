"""File names of downloads, in the reader's language (RFC 6266 and 5987).

A Chinese office saves 2026年第四季度街道总工会考核结果.pdf, not
assessment-2026-q4-subdistrict-zh-hans.pdf. The header carries the name as UTF-8
(``filename*``) and an ASCII fallback (``filename``) for the few clients that do not
read the first.
"""

import re
from urllib.parse import quote

from .text import strip_control


def ascii_fallback(name: str, fallback: str = "download") -> str:
    """``name`` in plain ASCII for old clients: an English name with its spaces
    and quotes replaced; a name in Chinese (which no ASCII spelling renders)
    becomes ``fallback`` with the same extension."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if stem.isascii():
        folded = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")
    else:
        folded = ""
    if not re.search(r"[A-Za-z0-9]", folded):
        folded = fallback
    return f"{folded}.{extension}" if extension else folded


def content_disposition(filename: str, *, fallback: str = "download") -> str:
    filename = strip_control(filename).replace("/", "-").replace("\\", "-")
    plain = ascii_fallback(filename, fallback)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"


def as_download(response, filename: str, *, fallback: str = "download"):
    """Marks ``response`` as a file to save under ``filename``."""
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    return response
