"""Hostile input through the apps' own pages: every import, upload and main form
refuses it with a clear, translated message and writes nothing; what users typed is
shown escaped; unknown ids answer 404 and garbage parameters never cause a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from planning.models import EvidenceFile, ProgressReport, WorkPlan
from tests.conftest import EN
from tests.snapshots import assert_unchanged
from tests.trust.endpoints import portal_endpoints
from tests.trust.forms import form_fields
from tests.trust.hostile_files import (
    FORGED,
    PDF_BYTES,
    entity_bomb_xlsx,
    truncated_sheet_xlsx,
    zip_bomb_xlsx,
)
from tests.trust.world import World
from unions.models import Union

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


@pytest.fixture
def world(request, media_root):
    return World(request)


@pytest.fixture(scope="module")
def hostile_workbooks():
    return {
        "zip-bomb": zip_bomb_xlsx(unpacked_mb=200),
        "entity-bomb": entity_bomb_xlsx(),
        "truncated": truncated_sheet_xlsx(header=["Code", "Name (Chinese)", "Kind"]),
        "pdf-named-xlsx": FORGED["pdf-named-xlsx"][1],
    }


WORKBOOK_CASES = ["zip-bomb", "entity-bomb", "truncated", "pdf-named-xlsx"]


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# --- imports ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", WORKBOOK_CASES)
def test_union_import_refuses_a_hostile_workbook(
    case, hostile_workbooks, client_for, admin_user, media_root
):
    before = Union.objects.count()
    response = client_for(admin_user).post(
        reverse("unions:union_import"),
        {"file": _upload("unions.xlsx", hostile_workbooks[case])},
    )
    assert response.status_code == 200
    # Refused at once (the form's error) or while reading the rows (the preview's
    # error): either way it says why, and nothing is written.
    assert b"is-invalid" in response.content or b"not a readable" in response.content
    assert Union.objects.count() == before
    assert "import:unions:" not in client_for(admin_user).session


@pytest.mark.parametrize("case", WORKBOOK_CASES)
def test_plan_import_refuses_a_hostile_workbook(
    case, hostile_workbooks, client_for, admin_user, media_root
):
    response = client_for(admin_user).post(
        reverse("planning:plan_import"),
        {
            "year": timezone.localdate().year,
            "title": "Imported plan",
            "reporting_frequency": "monthly",
            "report_due_days": 5,
            "file": _upload("plan.xlsx", hostile_workbooks[case]),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not WorkPlan.objects.exists()


def test_import_refusal_is_in_the_users_language(
    hostile_workbooks, client_for, admin_user, media_root
):
    admin_user.language = "zh-hans"
    admin_user.save(update_fields=["language"])
    response = client_for(admin_user).post(
        reverse("unions:union_import"),
        {"file": _upload("unions.xlsx", hostile_workbooks["zip-bomb"])},
    )
    message = " ".join(response.context["form"].errors["file"])
    assert "unreasonable" not in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


# --- evidence uploads -------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(FORGED))
def test_progress_evidence_refuses_a_forged_file(case, world, client_for, cadre_grass):
    name, content = FORGED[case]
    report = world.draft_report
    response = client_for(cadre_grass).post(
        reverse("planning:report_evidence_upload", args=[report.pk]),
        {"file": _upload(name, content)},
        follow=True,
    )
    assert response.status_code in (200, 400)
    assert not EvidenceFile.objects.exists()


def test_progress_evidence_refuses_an_oversize_file(
    world, client_for, cadre_grass, settings
):
    settings.UPLOAD_MAX_BYTES = 1024
    report = world.draft_report
    response = client_for(cadre_grass).post(
        reverse("planning:report_evidence_upload", args=[report.pk]),
        {"file": _upload("minutes.pdf", PDF_BYTES + b"0" * 4096)},
        follow=True,
    )
    assert "largest allowed" in response.content.decode()
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize("case", ["html-as-pdf", "svg-image", "exe-as-jpg"])
def test_event_evidence_refuses_a_forged_file(case, world, client_for, cadre_grass):
    name, content = FORGED[case]
    client_for(cadre_grass).post(
        reverse("planning:event_evidence_upload", args=[world.event.pk]),
        {"file": _upload(name, content)},
    )
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize("case", ["html-as-pdf", "svg-image", "exe-as-jpg"])
def test_score_evidence_refuses_a_forged_file(case, world, client_for, cadre_grass):
    name, content = FORGED[case]
    client = client_for(cadre_grass)
    url = reverse(
        "assessments:unit_scoring", args=[world.period.pk, world.union("grassroots").pk]
    )
    fields = form_fields(client.get(url).content)
    response = client.post(
        url,
        {
            **fields,
            f"self_score_{world.indicator.pk}": "70",
            f"evidence_{world.indicator.pk}": _upload(name, content),
        },
    )
    assert response.status_code == 200
    assert b"Nothing was saved" in response.content
    from assessments.models import Score

    assert not Score.objects.exists()


@pytest.mark.parametrize("case", ["html-as-pdf", "svg-image"])
def test_term_change_document_refuses_a_forged_file(
    case, world, client_for, admin_user
):
    name, content = FORGED[case]
    from unions.models import TermChange

    world.term  # noqa: B018 - a term to change
    response = client_for(admin_user).post(
        reverse("unions:change_create"),
        {
            "union": world.union("grassroots").pk,
            "date": timezone.localdate().isoformat(),
            "new_term_years": 5,
            "document": _upload(name, content),
        },
    )
    assert response.status_code == 200
    assert not TermChange.objects.exists()


# --- numbers, dates and lengths -------------------------------------------------------------


def _report_post(client, world, **changes):
    url = reverse("planning:report_entry", args=[world.project.pk])
    fields = form_fields(client.get(url).content)
    return client.post(url, {**fields, **changes})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("achieved_value", "abc"),
        ("achieved_value", "-5"),
        ("achieved_value", "1e400"),
        ("achieved_value", "NaN"),
        ("percent_complete", "101"),
        ("percent_complete", "-1"),
        ("percent_complete", "Infinity"),
    ],
)
def test_progress_report_refuses_bad_values(
    field, value, world, client_for, cadre_grass
):
    response = _report_post(client_for(cadre_grass), world, **{field: value})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    "value", ["abc", "-1", "100.01", "1e400", "NaN", "99999999999"]
)
def test_self_score_refuses_bad_values(value, world, client_for, cadre_grass):
    client = client_for(cadre_grass)
    url = reverse(
        "assessments:unit_scoring", args=[world.period.pk, world.union("grassroots").pk]
    )
    fields = form_fields(client.get(url).content)
    response = client.post(url, {**fields, f"self_score_{world.indicator.pk}": value})
    assert response.status_code == 200
    assert b"Nothing was saved" in response.content
    from assessments.models import Score

    assert not Score.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date", "2026-02-30"),
        ("date", "0000-01-01"),
        ("date", "99999-01-01"),
        ("participants", "-3"),
        ("participants", "abc"),
        ("participants", "99999999999999999999"),
        ("title", "x" * 1000),
    ],
)
def test_event_form_refuses_bad_values(field, value, client_for, cadre_grass):
    from planning.models import ActivityEvent

    client = client_for(cadre_grass)
    url = reverse("planning:event_create")
    fields = form_fields(client.get(url).content)
    data = {
        **fields,
        "kind": "activity",
        "date": timezone.localdate().isoformat(),
        "title": "Safety day",
        "participants": "20",
        field: value,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ActivityEvent.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("name_zh", "工" * 201), ("code", "has space"), ("member_count", "-10")],
)
def test_union_form_refuses_bad_values(field, value, world, client_for, admin_user):
    union = world.union("grassroots")
    client = client_for(admin_user)
    url = reverse("unions:union_edit", args=[union.pk])
    fields = form_fields(client.get(url).content)
    response = client.post(url, {**fields, field: value})
    assert response.status_code == 200
    assert response.context["form"].errors
    stored = Union.objects.get(pk=union.pk)
    assert getattr(stored, field) != value


def test_term_change_step_in_the_future_is_refused(world, client_for, admin_user):
    change = world.change
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    signed_in = client_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:change_step", args=[change.pk, "submitted"]),
            {"submitted-date": tomorrow.isoformat()},
        )
    assert response.status_code == 400
    assert b"cannot be in the future" in response.content
    change.refresh_from_db()
    assert change.state == "planned"


# --- what users typed is shown, never run ---------------------------------------------------


def test_typed_html_is_escaped_on_the_pages_that_show_it(
    world, client_for, admin_user, cadre_grass
):
    from planning.models import ActivityEvent

    union = world.union("grassroots")
    Union.objects.filter(pk=union.pk).update(name_en=XSS, name_zh=XSS)
    ActivityEvent.objects.filter(pk=world.event.pk).update(title=XSS)
    ProgressReport.objects.filter(pk=world.report.pk).update(narrative=XSS)
    world.person.__class__.objects.filter(pk=world.person.pk).update(name=XSS)
    pages = {
        admin_user: [
            reverse("unions:union_list"),
            reverse("unions:union_detail", args=[union.pk]),
            reverse("unions:person_detail", args=[world.person.pk]),
            reverse("planning:event_detail", args=[world.event.pk]),
            reverse("planning:activity_home"),
            reverse("planning:report_detail", args=[world.report.pk]),
            reverse("planning:project_list"),
        ],
        cadre_grass: [reverse("home"), reverse("planning:progress_home")],
    }
    for user, paths in pages.items():
        client = client_for(user)
        for path in paths:
            content = client.get(path).content.decode()
            assert "<script>alert(" not in content, path
            assert "onerror=alert" not in content.replace("onerror=alert(1)&gt;", ""), (
                path
            )


def test_typed_html_in_an_api_answer_is_json_not_markup(world, client_for, admin_user):
    Union.objects.filter(pk=world.union("grassroots").pk).update(name_en=XSS)
    response = client_for(admin_user).get(
        reverse("union-detail", args=[world.union("grassroots").pk]),
        headers={"Accept-Language": "en"},
    )
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"


# --- unknown ids and garbage parameters ------------------------------------------------------

ID_PARAMS = [
    e for e in portal_endpoints() if any(conv == "int" for _name, conv in e.params)
]
HUGE = "99999999999999999999999"


@pytest.mark.parametrize("endpoint", ID_PARAMS, ids=lambda e: e.key)
def test_unknown_id_answers_404_never_500(endpoint, admin_user, grassroots):
    client = Client(raise_request_exception=False, headers=EN)
    client.force_login(admin_user, backend="accounts.backends.UnionModelBackend")
    for value in ("999999", HUGE):
        kwargs = {
            name: value if conv == "int" else "x" for name, conv in endpoint.params
        }
        path = endpoint.path(**kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code in (404, 405), (
                f"{method.upper()} {path}: {response.status_code}"
            )


GARBAGE_QUERY = {
    "sort": "-password",
    "ordering": "user__password,__class__",
    "o": "') OR 1=1 --",
    "order_by": "{'x': 1}",
    "page": "-1",
    "per_page": "100000000",
    "page_size": "abc",
    "q": "%' OR '1'='1",
    "status": "<bogus>",
    "year": "abc",
    "union": "abc",
    "unit": "999999999999999999999",
    "period": "2026-99-99",
    "kind": "\x00",
    "lang": "../../etc/passwd",
    "format": "xml",
}
LIST_ENDPOINTS = [
    e for e in portal_endpoints() if not e.params and not e.key.startswith("api-")
]


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS, ids=lambda e: e.key)
def test_garbage_ordering_and_filters_never_cause_a_500(endpoint, admin_user, world):
    world.project  # noqa: B018 - something to list
    client = Client(raise_request_exception=False, headers=EN)
    client.force_login(admin_user, backend="accounts.backends.UnionModelBackend")
    response = client.get(endpoint.path(), GARBAGE_QUERY)
    assert response.status_code < 500, f"{endpoint.key}: {response.status_code}"
    if response.status_code == 200 and not response.streaming:
        assert b"pbkdf2_" not in response.content
        assert b"md5$" not in response.content


@pytest.mark.parametrize("case", WORKBOOK_CASES)
def test_score_import_refuses_a_hostile_workbook(
    case, hostile_workbooks, world, client_for, cadre_sub, grassroots
):
    from assessments.models import Score

    # ``grassroots`` is a unit of the scheme below cadre_sub, who may therefore import.

    response = client_for(cadre_sub).post(
        reverse("assessments:score_import", args=[world.period.pk]),
        {"file": _upload("scores.xlsx", hostile_workbooks[case])},
    )
    assert response.status_code == 200
    assert b"is-invalid" in response.content or b"not a readable" in response.content
    assert not Score.objects.exists()
    session = client_for(cadre_sub).session
    assert f"import:scores:{world.period.pk}" not in session
