"""The API of the assessment: schemes (read), periods and their life, scores (entry
and review while the period allows it), and quarter reports with their rows, built
by a job whose progress can be polled.

Every write calls ``assessments.services``; a locked period refuses every change
there (and in the models), which the API answers with 409 ``locked``.
"""

from .periods import PeriodViewSet, SchemeViewSet
from .reports import QuarterReportViewSet, ReportJobViewSet, ReportRowViewSet
from .scores import ScoreViewSet


def register(router) -> None:
    router.register("assessment-schemes", SchemeViewSet, basename="scheme")
    router.register("assessment-periods", PeriodViewSet, basename="period")
    router.register("scores", ScoreViewSet, basename="score")
    router.register("quarter-reports", QuarterReportViewSet, basename="quarter-report")
    router.register("report-rows", ReportRowViewSet, basename="report-row")
    router.register("report-jobs", ReportJobViewSet, basename="report-job")
