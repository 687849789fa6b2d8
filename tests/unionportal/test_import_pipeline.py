"""The one import pipeline (unionportal/imports.py) and the templates of every import.

Every template, downloaded in either language, imports unchanged: download, upload
as it is, a clean preview, confirm, and the rows are written.
"""

import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from planning.models import KeyWorkProject, WorkPlan
from tests.unions.factories import grassroots_factory
from unionportal.imports import STAGING_ROOT, purge_staged_imports
from unions.models import Person, Union

LANGUAGES = ["zh-hans", "en"]


def _upload(content: bytes, name="template.xlsx"):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def _staged_files(media_root) -> list[Path]:
    root = Path(media_root) / STAGING_ROOT
    return sorted(p for p in root.rglob("*.xlsx")) if root.exists() else []


# --- the union import's template ----------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_unions_template_imports_unchanged(
    language, client_for, admin_user, subdistrict, media_root
):
    headers = {"accept-language": language}
    client = client_for(admin_user)
    template = client.get(reverse("unions:union_import_template"), headers=headers)
    assert template.status_code == 200
    before = Union.objects.count()

    preview = client.post(
        reverse("unions:union_import"),
        {"file": _upload(template.content)},
        headers=headers,
    )
    assert preview.status_code == 200
    assert preview.context["preview"].is_valid, [
        (r.number, r.errors) for r in preview.context["preview"].error_rows
    ]
    assert len(_staged_files(media_root)) == 1
    assert Union.objects.count() == before  # the preview writes nothing

    confirm = client.post(
        reverse("unions:union_import_confirm"),
        {"token": preview.context["token"]},
        headers=headers,
    )
    assert confirm.status_code == 302
    created = Union.objects.filter(parent=admin_user.union).exclude(pk=subdistrict.pk)
    assert created.count() == 2
    assert set(created.values_list("name_zh", flat=True)) == {
        "滨江示范企业工会",
        "滨江社区工会",
    }
    assert Person.objects.filter(name__in=["王晓燕", "李国强"]).count() == 2
    assert _staged_files(media_root) == []  # the kept file is gone after confirm


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_unions_template_has_drop_downs_and_instructions(
    language, client_for, admin_user
):
    response = client_for(admin_user).get(
        reverse("unions:union_import_template"),
        headers={"accept-language": language},
    )
    book = load_workbook(io.BytesIO(response.content))
    unions, officers, notes = book.worksheets[:3]
    kinds = {str(dv.sqref)[0] for dv in unions.data_validations.dataValidation}
    assert {"D", "I"} <= kinds  # kind and term length
    assert len(officers.data_validations.dataValidation) == 2  # gender and office
    assert notes.max_row > 5
    lists = book["lists"]
    assert lists.sheet_state == "hidden"
    values = {c for row in lists.iter_rows(values_only=True) for c in row if c}
    assert (
        "基层工会（企业）" if language == "zh-hans" else "Grassroots union (enterprise)"
    ) in values


# --- the plan import's template -----------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_plan_template_imports_unchanged(
    language, client_for, admin_user, subdistrict, media_root
):
    grassroots_factory(subdistrict, code="TD-N-1")
    grassroots_factory(subdistrict, code="TD-N-2")
    headers = {"accept-language": language}
    client = client_for(admin_user)
    template = client.get(reverse("planning:plan_import_template"), headers=headers)
    assert template.status_code == 200
    form = {
        "year": timezone.localdate().year,
        "title": "2026年重点工作计划",
        "reporting_frequency": "monthly",
        "report_due_days": 5,
    }
    preview = client.post(
        reverse("planning:plan_import"),
        {**form, "file": _upload(template.content)},
        headers=headers,
    )
    assert preview.context["preview"].is_valid, [
        (r.number, r.errors) for r in preview.context["preview"].error_rows
    ]
    assert not WorkPlan.objects.exists()
    confirm = client.post(
        reverse("planning:plan_import"),
        {"confirm": "1", "token": preview.context["token"]},
        headers=headers,
    )
    assert confirm.status_code == 302
    plan = WorkPlan.objects.get()
    assert plan.title == "2026年重点工作计划"
    assert KeyWorkProject.objects.filter(item__plan=plan).count() == 2
    assert _staged_files(media_root) == []


def test_the_plan_template_offers_the_categories_as_a_drop_down(client_for, admin_user):
    response = client_for(admin_user).get(
        reverse("planning:plan_import_template"),
        headers={"accept-language": "zh-hans"},
    )
    book = load_workbook(io.BytesIO(response.content))
    validations = book.worksheets[0].data_validations.dataValidation
    lists = [dv for dv in validations if dv.type == "list"]
    assert lists
    assert str(lists[0].sqref).startswith("A2")
    assert book.worksheets[1].cell(1, 1).value == "填写说明"


# --- the pipeline itself --------------------------------------------------------------


def _union_preview(client, content):
    return client.post(reverse("unions:union_import"), {"file": _upload(content)})


@pytest.fixture
def unions_template(client_for, admin_user):
    return client_for(admin_user).get(reverse("unions:union_import_template")).content


def test_a_wrong_token_writes_nothing_and_keeps_the_waiting_file(
    client_for, admin_user, subdistrict, media_root, unions_template
):
    client = client_for(admin_user)
    preview = _union_preview(client, unions_template)
    token = preview.context["token"]
    before = list(Union.objects.values_list("pk", "code", "name_zh").order_by("pk"))
    response = client.post(
        reverse("unions:union_import_confirm"),
        {"token": token[:-1] + ("y" if token.endswith("x") else "x")},
        follow=True,
    )
    assert "no longer waiting for confirmation" in response.content.decode()
    assert (
        list(Union.objects.values_list("pk", "code", "name_zh").order_by("pk"))
        == before
    )
    # The real upload still waits for its own token.
    assert len(_staged_files(media_root)) == 1
    assert (
        client.post(
            reverse("unions:union_import_confirm"), {"token": token}
        ).status_code
        == 302
    )
    assert Union.objects.count() == len(before) + 2


def test_cancel_deletes_the_waiting_file_and_writes_nothing(
    client_for, admin_user, subdistrict, media_root, unions_template
):
    client = client_for(admin_user)
    preview = _union_preview(client, unions_template)
    token = preview.context["token"]
    before = Union.objects.count()
    client.post(reverse("unions:union_import_confirm"), {"token": token, "cancel": "1"})
    assert _staged_files(media_root) == []
    again = client.post(reverse("unions:union_import_confirm"), {"token": token})
    assert again.status_code == 302
    assert Union.objects.count() == before


def test_a_new_upload_replaces_the_waiting_one(
    client_for, admin_user, subdistrict, media_root, unions_template
):
    client = client_for(admin_user)
    _union_preview(client, unions_template)
    _union_preview(client, unions_template)
    assert len(_staged_files(media_root)) == 1


def test_confirm_runs_the_preview_checks_again(
    client_for, admin_user, subdistrict, media_root, unions_template
):
    """A code taken by someone else between preview and confirm: the rows are shown
    again with the error and nothing is written."""
    client = client_for(admin_user)
    preview = _union_preview(client, unions_template)
    code = preview.context["preview"].unions[0].values["code"]
    grassroots_factory(subdistrict, code=code)
    before = Union.objects.count()
    response = client.post(
        reverse("unions:union_import_confirm"), {"token": preview.context["token"]}
    )
    assert response.status_code == 200
    assert not response.context["preview"].is_valid
    assert Union.objects.count() == before
    assert _staged_files(media_root) == []


def test_the_daily_job_deletes_abandoned_uploads_only(media_root):
    from unionportal.tasks import purge_staged_imports_task

    old = default_storage.save(f"{STAGING_ROOT}/unions/old.xlsx", io.BytesIO(b"x"))
    new = default_storage.save(f"{STAGING_ROOT}/scores/new.xlsx", io.BytesIO(b"x"))
    day_and_more = time.time() - timedelta(hours=25).total_seconds()
    os.utime(default_storage.path(old), (day_and_more, day_and_more))

    assert purge_staged_imports_task.delay().get() == 1
    assert not default_storage.exists(old)
    assert default_storage.exists(new)
    assert purge_staged_imports() == 0


def test_the_daily_job_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "unionportal.tasks.purge_staged_imports_task" in tasks


def test_the_daily_job_copes_with_no_staging_folder(media_root):
    assert purge_staged_imports() == 0


def test_the_reference_sheet_lists_only_the_unions_in_scope(
    client_for, subdistrict, other_subdistrict
):
    from accounts.models import User

    sub_admin = User.objects.create_user(
        "sub_admin_ref", union=subdistrict, is_union_admin=True
    )
    grassroots_factory(subdistrict, code="TD-N-9")
    response = client_for(sub_admin).get(reverse("planning:plan_import_template"))
    book = load_workbook(io.BytesIO(response.content))
    codes = {
        row[0] for row in book["Union codes"].iter_rows(min_row=2, values_only=True)
    }
    assert codes == {subdistrict.code, "TD-N-9"}
    assert other_subdistrict.code not in codes
