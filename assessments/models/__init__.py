"""The assessment's models, by subject; every model is importable from here."""

from .periods import Period, PeriodGuard, period_label, quarter_dates
from .reports import (
    QuarterReport,
    QuarterReportFile,
    QuarterReportRow,
    report_file_path,
)
from .schemes import (
    POINTS,
    BilingualName,
    Grade,
    Indicator,
    IndicatorCategory,
    IndicatorExemption,
    Scheme,
    UnitLevel,
)
from .scores import Score, evidence_path

__all__ = [
    "POINTS",
    "BilingualName",
    "Grade",
    "Indicator",
    "IndicatorCategory",
    "IndicatorExemption",
    "Period",
    "PeriodGuard",
    "QuarterReport",
    "QuarterReportFile",
    "QuarterReportRow",
    "Scheme",
    "Score",
    "UnitLevel",
    "evidence_path",
    "period_label",
    "quarter_dates",
    "report_file_path",
]
