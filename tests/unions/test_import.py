import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.snapshots import assert_unchanged
from tests.unions.factories import resident_id, term_factory
from unions import imports
from unions.models import OfficeTerm, Person, Position, Union

UNION_HEADERS = [
    "Code",
    "Name (Chinese)",
    "Name (English)",
    "Kind",
    "Higher union code",
    "Members",
    "Term number",
    "Term start",
    "Term length (years)",
]
OFFICER_HEADERS = ["Union code", "Full name", "Gender", "Office", "Phone", "ID number"]


def workbook_bytes(unions, officers=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Unions"
    sheet.append(UNION_HEADERS)
    for row in unions:
        sheet.append(row)
    if officers:
        sheet = workbook.create_sheet("Officers")
        sheet.append(OFFICER_HEADERS)
        for row in officers:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name="unions.xlsx"):
    return SimpleUploadedFile(name, content)


def parse(content, user):
    from unionportal.xlsx import open_uploaded_workbook

    return imports.union_import_parse(
        workbook=open_uploaded_workbook(upload(content)), user=user
    )


def good_rows(parent_code, count=3):
    return [
        [
            f"IM-{i:04d}",
            f"导入工会{i}",
            f"Imported {i}",
            "enterprise",
            parent_code,
            30,
            1,
            "2023-03-01",
            5,
        ]
        for i in range(count)
    ]


def test_bad_rows_are_listed_row_by_row_and_nothing_is_written(
    admin_user, subdistrict, grassroots
):
    content = workbook_bytes(
        [
            [
                "IM-1",
                "好工会",
                "",
                "enterprise",
                subdistrict.code,
                10,
                1,
                "2023-01-01",
                5,
            ],
            ["IM-2", "未知上级", "", "enterprise", "NOPE", 10, "", "", ""],
            ["IM-1", "重复代码", "", "enterprise", subdistrict.code, 10, "", "", ""],
            [
                grassroots.code,
                "已存在",
                "",
                "enterprise",
                subdistrict.code,
                10,
                "",
                "",
                "",
            ],
        ],
        [
            ["IM-1", "坏身份证", "女", "chair", "", "110105194912310021"],
            ["IM-1", "好人", "male", "vice_chair", "", resident_id()],
        ],
    )
    preview = parse(content, admin_user)
    errors = {
        (row.sheet, row.number): " ".join(row.errors) for row in preview.error_rows
    }
    assert "Unknown higher union code NOPE" in errors[("Unions", 3)]
    assert "appears twice: also in row 2" in errors[("Unions", 4)]
    assert "already exists" in errors[("Unions", 5)]
    assert "check digit" in errors[("Officers", 2)]
    assert ("Unions", 2) not in errors
    with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal will do
        imports.union_import_apply(preview=preview)
    assert not Union.objects.filter(code__startswith="IM-").exists()
    assert not Person.objects.exists()


def test_good_sheet_of_500_unions_imports_in_one_transaction(admin_user, subdistrict):
    preview = parse(workbook_bytes(good_rows(subdistrict.code, 500)), admin_user)
    assert preview.is_valid
    with CaptureQueriesContext(connection) as queries:
        result = imports.union_import_apply(preview=preview)
    assert result["unions"] == 500
    assert Union.objects.filter(code__startswith="IM-").count() == 500
    assert OfficeTerm.objects.filter(union__code__startswith="IM-").count() == 500
    savepoints = [
        q["sql"] for q in queries.captured_queries if "SAVEPOINT" in q["sql"].upper()
    ]
    begins = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].upper().startswith("BEGIN")
    ]
    # Inside the test's transaction the import opens one savepoint of its own and
    # the services' nested atomic blocks only add savepoints inside it.
    assert savepoints[0].upper().startswith("SAVEPOINT")
    assert not begins


def test_a_failure_on_the_last_row_writes_nothing(admin_user, subdistrict, monkeypatch):
    preview = parse(workbook_bytes(good_rows(subdistrict.code, 20)), admin_user)
    created = []
    original = imports.writing.union_create

    def failing_create(**kwargs):
        created.append(kwargs["code"])
        if len(created) == 20:
            raise RuntimeError("database went away")
        return original(**kwargs)

    monkeypatch.setattr(imports.writing, "union_create", failing_create)
    with pytest.raises(RuntimeError):
        imports.union_import_apply(preview=preview)
    assert not Union.objects.filter(code__startswith="IM-").exists()


def test_parent_may_come_later_in_the_sheet(admin_user, subdistrict):
    content = workbook_bytes(
        [
            ["IM-CHILD", "子工会", "", "community", "IM-PARENT", 10, "", "", ""],
            [
                "IM-PARENT",
                "新街道",
                "",
                "subdistrict",
                subdistrict.parent.code,
                10,
                "",
                "",
                "",
            ],
        ]
    )
    preview = parse(content, admin_user)
    assert preview.is_valid
    imports.union_import_apply(preview=preview)
    child = Union.objects.get(code="IM-CHILD")
    assert child.parent.code == "IM-PARENT"
    assert child.path.startswith(child.parent.path)


def test_parents_going_round_in_a_circle_are_refused(admin_user):
    content = workbook_bytes(
        [
            ["IM-A", "甲", "", "subdistrict", "IM-B", 10, "", "", ""],
            ["IM-B", "乙", "", "subdistrict", "IM-A", 10, "", "", ""],
        ]
    )
    preview = parse(content, admin_user)
    assert all("circle" in " ".join(r.errors) for r in preview.unions)


def test_parent_outside_the_admins_scope_is_unknown(subdistrict, other_subdistrict):
    from tests.accounts.factories import UserFactory

    sub_admin = UserFactory(union=subdistrict, is_union_admin=True)
    preview = parse(workbook_bytes(good_rows(other_subdistrict.code, 1)), sub_admin)
    assert "Unknown higher union code" in preview.error_rows[0].errors[0]


def test_kind_and_office_may_be_given_by_their_labels(admin_user, subdistrict):
    content = workbook_bytes(
        [
            [
                "IM-L",
                "标签",
                "",
                "Grassroots union (community)",
                subdistrict.code,
                10,
                2,
                "2022-05-01",
                3,
            ]
        ],
        [["IM-L", "钱多", "Female", "Chair", "13800000000", ""]],
    )
    preview = parse(content, admin_user)
    assert preview.is_valid, preview.error_rows
    imports.union_import_apply(preview=preview)
    union = Union.objects.get(code="IM-L")
    assert union.kind == "community"
    term = union.terms.get()
    assert (term.number, term.length_years) == (2, 3)
    assert Position.objects.get(term=term).role == "chair"


def test_officers_of_an_existing_union_join_its_current_term(admin_user, grassroots):
    term = term_factory(grassroots)
    content = workbook_bytes(
        [], [[grassroots.code, "新委员", "", "committee_member", "", ""]]
    )
    preview = parse(content, admin_user)
    assert preview.is_valid, [r.errors for r in preview.error_rows]
    imports.union_import_apply(preview=preview)
    assert term.positions.get().person.name == "新委员"


def test_sheet_without_the_needed_columns_is_refused(admin_user):
    workbook = Workbook()
    workbook.active.append(["Something", "Else"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = parse(buffer.getvalue(), admin_user)
    assert preview.sheet_errors


# --- the pages ----------------------------------------------------------------------------


def test_template_download_reads_back_as_an_import(client_for, admin_user, district):
    response = client_for(admin_user).get(reverse("unions:union_import_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert [s.title for s in workbook.worksheets] == [
        "Unions",
        "Officers",
        "Notes",
        "Union codes",  # the codes the administrator may name, to look up
        "lists",  # hidden: the drop-down lists
    ]
    headers = [c.value for c in workbook.worksheets[0][1]]
    assert headers == UNION_HEADERS


def test_preview_then_confirm_imports_the_sheet(
    client_for, admin_user, subdistrict, media_root
):
    client = client_for(admin_user)
    response = client.post(
        reverse("unions:union_import"),
        {"file": upload(workbook_bytes(good_rows(subdistrict.code, 3)))},
    )
    assert response.status_code == 200
    assert b'data-testid="import-ready"' in response.content
    assert not Union.objects.filter(code__startswith="IM-").exists()
    token = response.context["token"]
    response = client.post(reverse("unions:union_import_confirm"), {"token": token})
    assert response.status_code == 302
    assert Union.objects.filter(code__startswith="IM-").count() == 3


def test_confirm_with_a_wrong_token_writes_nothing(
    client_for, admin_user, subdistrict, media_root
):
    client = client_for(admin_user)
    client.post(
        reverse("unions:union_import"),
        {"file": upload(workbook_bytes(good_rows(subdistrict.code, 3)))},
    )
    response = client.post(
        reverse("unions:union_import_confirm"), {"token": "guess"}, follow=True
    )
    assert b"no longer waiting" in response.content
    assert not Union.objects.filter(code__startswith="IM-").exists()


def test_preview_of_a_bad_sheet_lists_the_errors_and_offers_no_confirm(
    client_for, admin_user, subdistrict, media_root
):
    rows = good_rows(subdistrict.code, 2) + [
        ["IM-X", "", "", "weird", "NOPE", "", "", "", ""]
    ]
    response = client_for(admin_user).post(
        reverse("unions:union_import"), {"file": upload(workbook_bytes(rows))}
    )
    content = response.content.decode()
    assert "Nothing was imported" in content
    assert "Unknown kind" in content
    assert "The Chinese name is missing" in content
    assert reverse("unions:union_import_confirm") not in content


def test_a_file_that_is_not_a_workbook_is_refused(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("unions:union_import"),
        {"file": upload(b"%PDF-1.4 nope", "unions.xlsx")},
    )
    assert response.status_code == 200
    assert b"not an allowed type" in response.content


def test_cadre_gets_403_on_import(client_for, cadre_grass, subdistrict):
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:union_import"),
            {"file": upload(workbook_bytes(good_rows(subdistrict.code, 1)))},
        )
    assert response.status_code == 403


def test_leader_gets_403_on_import_confirm(client_for, leader):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:union_import_confirm"), {"token": "x"}
        )
    assert response.status_code == 403


def test_officers_of_a_duplicated_code_belong_to_its_first_row(admin_user, subdistrict):
    content = workbook_bytes(
        [
            ["IM-1", "好", "", "enterprise", subdistrict.code, 1, 1, "2023-01-01", 5],
            ["IM-1", "重复", "", "enterprise", subdistrict.code, 1, "", "", ""],
        ],
        [["IM-1", "甲", "", "chair", "", ""]],
    )
    preview = parse(content, admin_user)
    assert preview.officers[0].errors == []
