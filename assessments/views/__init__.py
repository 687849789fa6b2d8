"""The assessment pages, one module per subject."""

from .home import assessments_home
from .imports import score_import, score_import_confirm, score_import_template
from .periods import (
    period_action,
    period_close_confirm,
    period_detail,
    period_reopen,
    report_build,
    report_status,
)
from .report_files import report_files, report_files_build
from .reports import (
    dashboard,
    report_detail,
    report_download,
    report_list,
    report_notice,
    unit_scorecard,
)
from .schemes import (
    category_create,
    category_delete,
    category_edit,
    exemption_create,
    exemption_delete,
    indicator_create,
    indicator_delete,
    indicator_edit,
    period_create,
    scheme_action,
    scheme_copy,
    scheme_create,
    scheme_detail,
    scheme_edit,
    scheme_list,
)
from .scoring import score_evidence, unit_scoring, unit_scoring_totals

__all__ = [
    "period_close_confirm",
    "assessments_home",
    "category_create",
    "category_delete",
    "category_edit",
    "dashboard",
    "exemption_create",
    "exemption_delete",
    "indicator_create",
    "indicator_delete",
    "indicator_edit",
    "period_action",
    "period_create",
    "period_detail",
    "period_reopen",
    "report_build",
    "report_detail",
    "report_download",
    "report_notice",
    "report_files",
    "report_files_build",
    "report_list",
    "report_status",
    "scheme_action",
    "scheme_copy",
    "scheme_create",
    "scheme_detail",
    "scheme_edit",
    "scheme_list",
    "score_evidence",
    "score_import",
    "score_import_confirm",
    "score_import_template",
    "unit_scorecard",
    "unit_scoring",
    "unit_scoring_totals",
]
