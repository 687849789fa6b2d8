"""Planning's reads: the facts the assessment counts (facts.py), evidence files to download (evidence.py), the reporting slots a union owes (slots.py), the pages' querysets (pages.py)."""

from .evidence import open_evidence, visible_evidence  # noqa: F401
from .facts import (  # noqa: F401
    _DEADLINE_REACH,
    MEDIA_LEVELS,
    DueReport,
    UnitPlanningFacts,
    _due_reports,
    _projects_of_units,
    _SlotProject,
    assessment_facts,
    reports_due,
)
from .pages import (  # noqa: F401
    DETAIL_REPORT_FIELDS,
    REVIEW_ROW_FIELDS,
    data_version,
    progress_chart,
    project_detail,
    project_history,
    project_list_queryset,
    review_queue_rows,
    shown_version,
    with_evidence_counts,
)
from .slots import (  # noqa: F401
    ReportSlot,
    late_slots,
    outstanding_slots,
)
