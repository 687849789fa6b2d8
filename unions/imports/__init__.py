"""The union list and its officers in and out of Excel.

An import is always: upload → preview with every row's errors → confirm → all rows
in one transaction. Nothing is written while any row is wrong.

The workbook goes through the portal's one import pipeline (unionportal/imports.py):
``UNION_IMPORT`` keeps the upload between preview and confirmation.
"""

from unionportal.imports import ImportPipeline
from unionportal.xlsx import open_uploaded_workbook

from .columns import OFFICER_COLUMNS, UNION_COLUMNS, ImportPreview, Row
from .reading import union_import_parse
from .writing import (
    union_codes_sheet,
    union_export,
    union_import_apply,
    union_import_template,
)

__all__ = [
    "OFFICER_COLUMNS",
    "UNION_COLUMNS",
    "UNION_IMPORT",
    "ImportPreview",
    "Row",
    "union_codes_sheet",
    "union_export",
    "union_import_apply",
    "union_import_parse",
    "union_import_template",
]


def _parse(file, *, user, data):
    return union_import_parse(workbook=open_uploaded_workbook(file), user=user)


def _apply(preview, *, user, data, request=None):
    return union_import_apply(preview=preview)


UNION_IMPORT = ImportPipeline("unions", parse=_parse, apply=_apply)
