"""Checks on uploaded evidence files: size, and type read from the content.

The name a browser sends is not trusted: a file is accepted only when its first
bytes match one of the allowed formats, and its extension agrees with them.
"""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FileKind:
    label: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", (".pdf",))
PNG = FileKind("PNG", (".png",))
JPEG = FileKind("JPEG", (".jpg", ".jpeg"))
GIF = FileKind("GIF", (".gif",))
WEBP = FileKind("WebP", (".webp",))
OLE = FileKind("Office 97-2003", (".doc", ".xls", ".ppt"))
OOXML = FileKind("Office", (".docx", ".xlsx", ".pptx"))
ODF = FileKind("OpenDocument", (".odt", ".ods", ".odp"))

EVIDENCE_KINDS = (PDF, PNG, JPEG, GIF, WEBP, OLE, OOXML, ODF)
SPREADSHEET_KINDS = (OOXML,)


def sniff(head: bytes, file) -> FileKind | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            file.seek(0)
        if "[Content_Types].xml" in names:
            return OOXML
        if "mimetype" in names:
            return ODF
    return None


def validate_upload(
    file, *, kinds=EVIDENCE_KINDS, max_bytes: int | None = None
) -> FileKind:
    """Raises ValidationError unless ``file`` is small enough and really of ``kinds``."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)}
        )
    if file.size == 0:
        raise ValidationError(_("The file is empty."))
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    kind = sniff(head, file)
    allowed = ", ".join(k.label for k in kinds)
    if kind not in kinds:
        raise ValidationError(
            _("This file's content is not an allowed type (allowed: %(allowed)s).")
            % {"allowed": allowed}
        )
    name = (getattr(file, "name", "") or "").lower()
    if not name.endswith(kind.extensions):
        raise ValidationError(
            _("The file name does not match its content: it is a %(kind)s file.")
            % {"kind": kind.label}
        )
    return kind
