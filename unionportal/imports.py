"""The one import pipeline: upload → preview with per-row errors → confirm → every row
in one transaction.

Every Excel import of the portal (unions and officers, plan items and projects,
reviewed scores, users) runs through ``ImportPipeline``:

- ``preview(request, upload, data=...)`` reads the workbook with the import's own
  ``parse`` and, when every row is clean, keeps the file under a random name that only
  this session knows (``imports/<name>/<token>.xlsx``; nothing the browser sent is
  used as a path) together with the form's other values;
- ``confirm(request, token)`` compares the token in constant time, reads the kept file
  again with the *same* ``parse`` (so a row shown clean is never refused, and a row
  made wrong meanwhile, say a code taken by someone else, is shown, not written),
  then runs ``apply``, which writes every row in one transaction or none;
- the kept file is deleted on confirm, on cancel, on a new upload, and by the daily
  ``purge_staged_imports`` job once older than ``STAGED_MAX_AGE`` (the unions' sheets
  hold officers' phone and ID numbers: they must not stay on disk).

An import's ``parse(file, user=..., data=...)`` returns an object with ``is_valid``
(its preview); ``apply(preview, user=..., data=..., request=...)`` returns what the success
message needs. Both raise ``ValidationError`` for a file that cannot be used at all.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

STAGING_ROOT = "imports"
# A kept upload older than this is deleted by the daily job (unionportal/beat.py).
STAGED_MAX_AGE = timedelta(hours=24)


class ImportExpired(ValidationError):
    """The confirmation names no upload waiting in this session (expired, confirmed
    already, cancelled, or a token that is not this session's)."""

    def __init__(self):
        super().__init__(
            _(
                "This import is no longer waiting for confirmation; upload the file again."
            ),
            code="expired",
        )


@dataclass
class Confirmed:
    """What ``confirm`` did: the preview it read again and, when that preview was
    clean, what ``apply`` returned (``result is None`` means nothing was written)."""

    preview: Any
    result: Any = None
    data: dict | None = None

    @property
    def applied(self) -> bool:
        return self.result is not None


class ImportPipeline:
    """One import: its staging folder, its session slot, its parse and apply."""

    def __init__(
        self,
        name: str,
        *,
        parse: Callable[..., Any],
        apply: Callable[..., Any],
    ):
        if not name.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"An import's name is a plain word, not {name!r}")
        self.name = name
        self.parse = parse
        self.apply = apply

    # --- where the file waits -----------------------------------------------------

    def _session_key(self, slot: str) -> str:
        return f"import:{self.name}:{slot}"

    def _path(self, token: str) -> str:
        return f"{STAGING_ROOT}/{self.name}/{token}.xlsx"

    def _pending(self, request, slot: str) -> dict | None:
        pending = request.session.get(self._session_key(slot))
        return pending if isinstance(pending, dict) else None

    def forget(self, request, *, slot: str = "") -> None:
        """Drops the waiting upload of this session (cancel, confirm, new upload)."""
        pending = request.session.pop(self._session_key(slot), None)
        if isinstance(pending, dict) and pending.get("token"):
            default_storage.delete(self._path(pending["token"]))

    # --- the two steps ------------------------------------------------------------

    def preview(self, request, upload, *, data: dict | None = None, slot: str = ""):
        """Reads ``upload`` and, when every row is clean, keeps it for ``confirm``;
        returns the preview with ``token`` set ("" when there is nothing to confirm).
        Raises ValidationError when the file cannot be used."""
        self.forget(request, slot=slot)
        preview = self.parse(upload, user=request.user, data=data or {})
        preview.token = ""
        if preview.is_valid:
            token = secrets.token_urlsafe(24)
            upload.seek(0)
            default_storage.save(self._path(token), ContentFile(upload.read()))
            request.session[self._session_key(slot)] = {
                "token": token,
                "filename": str(getattr(upload, "name", "") or "")[:200],
                "data": data or {},
            }
            preview.token = token
        return preview

    def confirm(self, request, token: str, *, slot: str = "") -> Confirmed:
        """Reads the kept file again with the same checks and, if it is still clean,
        applies it. The kept file is gone afterwards, whatever happened. Raises
        ``ImportExpired`` or the ValidationError of a file that cannot be used."""
        pending = self._pending(request, slot)
        if not pending or not secrets.compare_digest(
            str(pending.get("token", "")), str(token or "")
        ):
            raise ImportExpired
        data = pending.get("data") or {}
        try:
            try:
                stored = default_storage.open(self._path(pending["token"]), "rb")
            except FileNotFoundError as exc:
                raise ImportExpired from exc
            with stored:
                stored.name = pending.get("filename") or "import.xlsx"
                preview = self.parse(stored, user=request.user, data=data)
            preview.token = ""
            if not preview.is_valid:
                return Confirmed(preview=preview, data=data)
            result = self.apply(preview, user=request.user, data=data, request=request)
            return Confirmed(preview=preview, result=result, data=data)
        finally:
            self.forget(request, slot=slot)


def purge_staged_imports(*, older_than: timedelta = STAGED_MAX_AGE, now=None) -> int:
    """Deletes kept uploads older than ``older_than``; returns how many. The daily
    job of abandoned imports (a preview never confirmed nor cancelled)."""
    now = now or timezone.now()
    removed = 0
    try:
        folders, _files = default_storage.listdir(STAGING_ROOT)
    except FileNotFoundError:
        return 0
    for folder in folders:
        base = f"{STAGING_ROOT}/{folder}"
        _subfolders, files = default_storage.listdir(base)
        for filename in files:
            path = f"{base}/{filename}"
            try:
                modified = default_storage.get_modified_time(path)
            except FileNotFoundError:
                continue
            if now - modified > older_than:
                default_storage.delete(path)
                removed += 1
    return removed
