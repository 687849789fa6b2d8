import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from planning.models import KeyWorkProject, PlanItem, WorkPlan
from planning.services import excel

from .factories import PlanItemFactory, ProjectFactory

HEADERS = [
    "Category",
    "Plan item",
    "Owner union code",
    "Target",
    "Unit",
    "Weight",
    "Start",
    "Due date",
    "Participating union codes",
]


def _xlsx(rows, headers=HEADERS, name="plan.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


GOOD = [
    [
        "Cadre training",
        "Train cadres",
        "TD-N",
        200,
        "people",
        1,
        "2031-01-01",
        "2031-11-30",
        "TD-N-1",
    ],
    ["training", "Train cadres", "TD-S", 100, "people", 1, None, "2031-10-31", ""],
    [
        "普惠服务",
        "Service stations",
        "TD-N-1",
        3,
        "stations",
        1.5,
        "2031-03-01",
        "2031-09-30",
        "",
    ],
]


def _form(file, year="2031"):
    return {
        "title": "Imported plan",
        "year": year,
        "reporting_frequency": "monthly",
        "report_due_days": "5",
        "file": file,
    }


@pytest.fixture
def tree(subdistrict, other_subdistrict, grassroots):
    return None


def test_import_previews_then_writes_on_confirm(
    client_for, admin_user, tree, media_root
):
    client = client_for(admin_user)
    response = client.post(reverse("planning:plan_import"), _form(_xlsx(GOOD)))
    assert response.context["preview"].is_valid
    assert not WorkPlan.objects.exists()
    token = response.context["token"]
    response = client.post(
        reverse("planning:plan_import"), {"confirm": "1", "token": token}
    )
    plan = WorkPlan.objects.get()
    assert response.status_code == 302
    assert (plan.status, plan.year) == ("draft", 2031)
    assert plan.items.count() == 2
    assert KeyWorkProject.objects.filter(plan=plan).count() == 3
    project = KeyWorkProject.objects.get(owner__code="TD-N")
    assert [u.code for u in project.participants.all()] == ["TD-N-1"]


def test_a_bad_row_makes_the_import_write_nothing(
    client_for, admin_user, tree, media_root
):
    rows = [
        *GOOD,
        [
            "Cadre training",
            "Train more",
            "NO-SUCH",
            "many",
            "people",
            1,
            None,
            "2031-31-12",
            "",
        ],
    ]
    response = client_for(admin_user).post(
        reverse("planning:plan_import"), _form(_xlsx(rows))
    )
    preview = response.context["preview"]
    assert not preview.is_valid
    [bad] = preview.error_rows
    assert bad.number == 5
    messages = " ".join(bad.errors)
    assert "Unknown union code “NO-SUCH”" in messages
    assert "Target “many” is not a number." in messages
    assert "Due date “2031-31-12” is not a date" in messages
    assert not response.context["token"]
    assert not WorkPlan.objects.exists()
    assert not PlanItem.objects.exists()


def test_confirm_without_a_valid_token_writes_nothing(client_for, admin_user, tree):
    response = client_for(admin_user).post(
        reverse("planning:plan_import"),
        {"confirm": "1", "token": "forged"},
        follow=True,
    )
    assert b"This import is no longer waiting for confirmation" in response.content
    assert not WorkPlan.objects.exists()


def test_a_failure_while_writing_rolls_everything_back(
    admin_user, tree, district, monkeypatch
):
    preview = excel.plan_import_parse(file=_xlsx(GOOD), user=admin_user, year=2031)
    calls = []

    def failing_refresh(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")

    monkeypatch.setattr("planning.services.plans.project_refresh", failing_refresh)
    with pytest.raises(RuntimeError):
        excel.plan_import_commit(
            preview=preview,
            owner=district,
            data={
                "title": "x",
                "year": 2031,
                "reporting_frequency": "monthly",
                "report_due_days": 5,
            },
        )
    assert not WorkPlan.objects.exists()
    assert not KeyWorkProject.objects.exists()


def test_union_outside_the_admins_scope_is_unknown(
    tree, other_grassroots, far_subdistrict, admin_user
):
    rows = [["training", "Train", "FD-1", 10, "people", 1, None, "2031-10-31", ""]]
    preview = excel.plan_import_parse(file=_xlsx(rows), user=admin_user, year=2031)
    assert "Unknown union code “FD-1”" in preview.rows[0].errors[0]


def test_duplicate_owner_for_one_item_is_refused(admin_user, tree):
    rows = [GOOD[0], GOOD[0]]
    preview = excel.plan_import_parse(file=_xlsx(rows), user=admin_user, year=2031)
    assert "Row 2 already gives this item to the same union." in preview.rows[1].errors


def test_missing_columns_are_named(admin_user, tree):
    preview = excel.plan_import_parse(
        file=_xlsx([["x"]], headers=["Plan item"]), user=admin_user, year=2031
    )
    assert "Category" in preview.sheet_errors[0]


def test_chinese_headers_and_categories_are_understood(admin_user, tree):
    headers = [
        "分类",
        "工作事项",
        "牵头单位代码",
        "目标值",
        "单位",
        "权重",
        "开始日期",
        "完成时限",
        "参与单位代码",
    ]
    rows = [
        [
            "干部培训",
            "培训工会干部",
            "TD-N",
            200,
            "人",
            1,
            "2031-01-01",
            "2031年11月30日",
            "TD-N-1、TD-S",
        ]
    ]
    preview = excel.plan_import_parse(
        file=_xlsx(rows, headers=headers), user=admin_user, year=2031
    )
    assert preview.is_valid, preview.rows[0].errors
    assert preview.rows[0].data["category"] == "training"
    assert len(preview.rows[0].data["participants"]) == 2


def test_a_file_that_is_not_a_workbook_is_refused(client_for, admin_user, tree):
    file = SimpleUploadedFile("plan.xlsx", b"%PDF-1.4 not a workbook")
    response = client_for(admin_user).post(reverse("planning:plan_import"), _form(file))
    assert response.context["form"].errors["file"]
    assert not WorkPlan.objects.exists()


def test_import_for_a_year_that_has_a_plan_is_refused(
    client_for, admin_user, plan, tree
):
    response = client_for(admin_user).post(
        reverse("planning:plan_import"), _form(_xlsx(GOOD), year=str(plan.year))
    )
    assert "year" in response.context["form"].errors


def test_cadre_gets_403_on_import(client_for, cadre_grass):
    assert (
        client_for(cadre_grass).get(reverse("planning:plan_import")).status_code == 403
    )


def test_template_download_is_a_workbook_with_the_headers(client_for, admin_user):
    response = client_for(admin_user).get(reverse("planning:plan_import_template"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert headers[:2] == ["Category", "Plan item"]


def test_the_template_imports_cleanly(admin_user, district):
    from tests.unions.factories import grassroots_factory, subdistrict_factory

    s01 = subdistrict_factory(district, code="JB-S01")
    grassroots_factory(s01, code="JB-S01-G01")
    grassroots_factory(s01, code="JB-S01-G02")
    subdistrict_factory(district, code="JB-S02")
    file = SimpleUploadedFile("template.xlsx", excel.import_template())
    preview = excel.plan_import_parse(file=file, user=admin_user, year=2026)
    assert preview.is_valid, [r.errors for r in preview.rows]


def _sheet(response):
    content = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(content)).worksheets[0]


def test_project_export_escapes_formula_cells(client_for, admin_user, item, grassroots):
    ProjectFactory(item=item, owner=grassroots, title='=HYPERLINK("http://evil")')
    response = client_for(admin_user).get(reverse("planning:project_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(_sheet(response).iter_rows(values_only=True))
    assert rows[1][4] == '\'=HYPERLINK("http://evil")'


def test_project_export_contains_exactly_the_filtered_projects(
    client_for, admin_user, item, grassroots, subdistrict
):
    ProjectFactory(item=item, owner=grassroots, title="Keep me")
    ProjectFactory(
        item=PlanItemFactory(plan=item.plan), owner=subdistrict, title="Filtered out"
    )
    response = client_for(admin_user).get(
        reverse("planning:project_export") + "?q=Keep"
    )
    titles = [r[4] for r in _sheet(response).iter_rows(min_row=2, values_only=True)]
    assert titles == ["Keep me"]


def test_project_export_shows_only_visible_projects(
    client_for, cadre_grass, item, grassroots, other_grassroots
):
    ProjectFactory(item=item, owner=grassroots, title="Mine")
    ProjectFactory(
        item=PlanItemFactory(plan=item.plan), owner=other_grassroots, title="Theirs"
    )
    response = client_for(cadre_grass).get(reverse("planning:project_export"))
    titles = [r[4] for r in _sheet(response).iter_rows(min_row=2, values_only=True)]
    assert titles == ["Mine"]


def test_plan_export_round_trips_through_the_import(
    client_for, admin_user, item, grassroots, subdistrict
):
    ProjectFactory(item=item, owner=grassroots, participants=[subdistrict])
    response = client_for(admin_user).get(
        reverse("planning:plan_export", args=[item.plan_id])
    )
    content = b"".join(response.streaming_content)
    preview = excel.plan_import_parse(
        file=SimpleUploadedFile("plan.xlsx", content), user=admin_user, year=2031
    )
    assert preview.is_valid
    assert preview.project_count == 1
