"""No text can break a file: control characters typed or stored anywhere never make
an export answer 500, and new ones are removed on the way in."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments import services
from assessments.models import QuarterReportFile
from planning.models import KeyWorkProject, WorkPlan
from tests.planning.factories import PlanItemFactory, ProjectFactory, WorkPlanFactory
from tests.unions.factories import PersonFactory
from unions.models import Person, Union

from .factories import build_report

pytestmark = pytest.mark.django_db

# No NUL: PostgreSQL cannot store one (the way in removes it all the same).
NASTY = "A\x0bB\x01C\x1fD\x7f"


@pytest.fixture
def poisoned(district, units, grassroots):
    """Control characters put straight into the database, as an older release (or
    a careless import) could have left them."""
    plan = WorkPlanFactory(owner=district)
    item = PlanItemFactory(plan=plan)
    ProjectFactory(item=item, owner=grassroots)
    PersonFactory(union=grassroots)
    Union.objects.update(name_zh=f"湖光{NASTY}", name_en=f"Lake{NASTY}")
    Person.objects.update(name=f"张{NASTY}")
    WorkPlan.objects.update(title=f"计划{NASTY}")
    KeyWorkProject.objects.update(title=f"项目{NASTY}", target_unit=f"人{NASTY}")
    return plan


def _opens(response) -> list:
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.parametrize("personal", ["", "1"])
def test_the_union_export_survives_control_characters(
    client_for, admin_user, poisoned, personal
):
    response = client_for(admin_user).get(
        reverse("unions:union_export"), {"personal": personal}
    )
    assert response.status_code == 200
    rows = _opens(response)
    assert any("湖光ABCD" in str(cell) for row in rows for cell in row)


def test_the_plan_and_project_exports_survive_control_characters(
    client_for, admin_user, poisoned
):
    client = client_for(admin_user)
    for url in (
        reverse("planning:plan_export", args=[poisoned.pk]),
        reverse("planning:project_export"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert any("项目ABCD" in str(cell) for row in _opens(response) for cell in row)


def test_the_report_files_survive_control_characters(
    client_for, leader, admin_user, period, units, poisoned, real_pdf
):
    services.period_close(period=period, by=admin_user)
    report = build_report(period)
    assert report.files_status == "done", report.files_error
    client = client_for(leader)
    for kind in ("xlsx", "pdf"):
        response = client.get(
            reverse("assessments:report_download", args=[report.pk, kind])
        )
        assert response.status_code == 200
    assert QuarterReportFile.objects.filter(report=report).count() >= 2


def test_a_posted_name_is_saved_without_control_characters(
    client_for, admin_user, grassroots
):
    from unions.models import Union

    before = Union.objects.get(pk=grassroots.pk)
    response = client_for(admin_user).post(
        reverse("unions:union_edit", args=[grassroots.pk]),
        {
            "name_zh": f"湖光{NASTY}\x00纺织厂工会",
            "name_en": before.name_en,
            "code": before.code,
            "kind": before.kind,
            "parent": before.parent_id,
            "member_count": before.member_count,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Union.objects.get(pk=grassroots.pk).name_zh == "湖光ABCD纺织厂工会"


def test_an_api_body_is_saved_without_control_characters(client_for, cadre_grass):
    from planning.models import ActivityEvent

    response = client_for(cadre_grass).post(
        "/api/v1/activity-events/",
        {
            "union": cadre_grass.union_id,
            "kind": "activity",
            "title": f"职工{NASTY}\x00运动会",
            "date": "2026-10-10",
            "participants": 30,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert ActivityEvent.objects.get().title == "职工ABCD运动会"
