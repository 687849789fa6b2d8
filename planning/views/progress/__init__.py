"""Progress reports' pages: a cadre's progress home and report entry, evidence, the late and due lists (entry.py); a report's page and its review, one by one or in bulk (review.py)."""

from .entry import (  # noqa: F401
    ON_TIME,
    SENT_SORTS,
    _carry_over,
    _choose_period,
    _day,
    _digits,
    _periods,
    _reportable_project,
    due_reports,
    evidence_delete,
    evidence_download,
    late_reports,
    progress_home,
    report_entry,
    report_evidence_upload,
)
from .review import (  # noqa: F401
    REVIEW_SORTS,
    TICKED_KEY,
    _back_with_ticks,
    _posted_ids,
    _queue_base,
    _render_report_detail,
    _report_for_detail,
    _safe_next,
    report_detail,
    report_review,
    review_bulk,
    review_queue,
)
