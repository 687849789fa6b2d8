"""Evidence files to download: one visibility rule for the pages and the API.

A file is seen by whoever sees its progress report or activity event
(``EvidenceFile.objects.visible_to``); anyone else is told it does not exist.
"""

from ..models import EvidenceFile


def visible_evidence(user, pk: int, *, report_id: int | None = None) -> EvidenceFile:
    """The evidence file ``pk`` if ``user`` sees it (and it belongs to the report
    ``report_id`` when one is named); ``EvidenceFile.DoesNotExist`` otherwise."""
    files = EvidenceFile.objects.visible_to(user)
    if report_id is not None:
        files = files.filter(report_id=report_id)
    return files.get(pk=pk)


def open_evidence(evidence: EvidenceFile):
    """The stored file opened for reading; ``EvidenceFile.DoesNotExist`` when it
    is gone from the storage (the row is then as good as missing)."""
    try:
        return evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise EvidenceFile.DoesNotExist from exc
