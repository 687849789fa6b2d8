"""`manage.py prepare_report_files` (run by `make run` beside the server) makes the
files of the reports that have none, and leaves the others alone."""

from io import StringIO

import pytest
from django.core.management import call_command

from assessments import services
from assessments.models import Period, QuarterReport

from .factories import PeriodFactory, active_scheme


@pytest.mark.django_db
def test_the_command_makes_the_files_of_a_report_that_has_none(
    settings, tmp_path, district, subdistrict, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    period = PeriodFactory(
        scheme=active_scheme(district), kind=Period.Kind.Q1, status="closed"
    )
    report = services.report_build(period_id=period.pk, files=False)
    assert report.files_status == QuarterReport.FilesStatus.NONE
    out = StringIO()
    # The files job runs when the request commits (a worker, or here, eagerly).
    with django_capture_on_commit_callbacks(execute=True):
        call_command("prepare_report_files", stdout=out)
    report.refresh_from_db()
    assert report.files_status == QuarterReport.FilesStatus.DONE
    assert sorted(f.kind + f.language for f in report.files.all()) == [
        "pdfen",
        "pdfzh-hans",
        "xlsxen",
        "xlsxzh-hans",
    ]
    assert "1 report" in out.getvalue()
    # A second run finds nothing to do and changes nothing.
    finished = report.files_finished_at
    call_command("prepare_report_files", stdout=StringIO())
    report.refresh_from_db()
    assert report.files_finished_at == finished
