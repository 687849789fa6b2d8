from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db.models import Q

from assessments.models import QuarterReport
from assessments.services import report_files_request


class Command(BaseCommand):
    help = (
        "Makes the Excel and PDF files of the current and published reports that "
        "have none, newest period first. `make run` runs it beside the server, "
        "since the demo's seed leaves the files to a worker when there is none."
    )

    def handle(self, *args, **options):
        reports = (
            QuarterReport.objects.filter(
                Q(is_current=True) | Q(is_published=True),
                status=QuarterReport.Status.DONE,
                files_status=QuarterReport.FilesStatus.NONE,
            )
            .select_related("period")
            .order_by("-period__end", "period__scheme_id")
        )
        made = 0
        for report in reports:
            try:
                # Without a worker the files job runs here, when the request commits.
                report_files_request(report=report, by=None)
            except ValidationError as exc:
                self.stderr.write(f"{report.period}: {' '.join(exc.messages)}")
                continue
            made += 1
        self.stdout.write(f"Report files prepared for {made} report(s).")
