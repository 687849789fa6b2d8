"""Evidence files through the API: a multipart POST to
/api/v1/progress-reports/<id>/evidence/ with the page's checks and permissions."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from planning.models import EvidenceFile, ProgressReport
from tests.api.factories import published_plan
from tests.snapshots import assert_unchanged

REPORTS = "/api/v1/progress-reports/"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def report(api_for, cadre_grass, district, grassroots, other_grassroots, media_root):
    _plan, projects = published_plan(district, [grassroots, other_grassroots])
    first = timezone.localdate().replace(day=1)
    month = (first - timedelta(days=1)).replace(day=1).isoformat()
    response = api_for(cadre_grass).post(
        REPORTS,
        {
            "project": projects[grassroots.pk].pk,
            "period": month,
            "achieved_value": "20",
            "narrative": "Two classes held",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return ProgressReport.objects.get(pk=response.json()["id"])


def _upload(client, report, content=PDF, name="签到表.pdf"):
    return client.post(
        f"{REPORTS}{report.pk}/evidence/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def test_the_reporting_cadre_uploads_evidence(api_for, cadre_grass, report):
    response = _upload(api_for(cadre_grass), report)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["original_name"] == "签到表.pdf"
    evidence = EvidenceFile.objects.get(report=report)
    assert evidence.file.read() == PDF
    detail = api_for(cadre_grass).get(f"{REPORTS}{report.pk}/").json()
    assert [e["id"] for e in detail["evidence"]] == [body["id"]]


def test_a_file_whose_content_is_not_allowed_is_refused_with_json(
    api_for, cadre_grass, report
):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _upload(signed_in, report, b"MZ\x90\x00 not a pdf", "x.pdf")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "not an allowed type" in " ".join(error["fields"]["file"])
    assert not EvidenceFile.objects.exists()


def test_an_empty_or_missing_file_is_refused(api_for, cadre_grass, report):
    client = api_for(cadre_grass)
    with assert_unchanged():
        response = _upload(client, report, b"", "empty.pdf")
    assert response.status_code == 400
    with assert_unchanged():
        missing = client.post(f"{REPORTS}{report.pk}/evidence/", {}, format="multipart")
    assert missing.status_code == 400
    assert "file" in missing.json()["error"]["fields"]
    assert not EvidenceFile.objects.exists()


def test_a_too_large_file_is_refused(api_for, cadre_grass, report, settings):
    settings.UPLOAD_MAX_BYTES = 10
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _upload(signed_in, report)
    assert response.status_code == 400
    assert not EvidenceFile.objects.exists()


def test_a_json_body_is_refused_with_415(api_for, cadre_grass, report):
    response = api_for(cadre_grass).post(
        f"{REPORTS}{report.pk}/evidence/", {"file": "x"}, format="json"
    )
    assert response.status_code == 415
    assert not EvidenceFile.objects.exists()


def test_an_outsider_gets_404(api_for, outsider, report):
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = _upload(signed_in, report)
    assert response.status_code == 404
    assert not EvidenceFile.objects.exists()


def test_the_reviewer_above_gets_403(api_for, cadre_sub, report):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = _upload(signed_in, report)
    assert response.status_code == 403
    assert not EvidenceFile.objects.exists()


def test_a_leader_gets_403(api_for, leader, report):
    signed_in = api_for(leader)
    with assert_unchanged():
        response = _upload(signed_in, report)
    assert response.status_code == 403
    assert not EvidenceFile.objects.exists()


def test_a_submitted_report_takes_no_more_evidence(api_for, cadre_grass, report):
    ProgressReport.objects.filter(pk=report.pk).update(status="submitted")
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _upload(signed_in, report)
    assert response.status_code == 403
    assert not EvidenceFile.objects.exists()


# --- listing and downloading ----------------------------------------------------------


def test_a_visible_user_lists_and_downloads_the_bytes_uploaded(
    api_for, cadre_grass, cadre_sub, report
):
    uploaded = _upload(api_for(cadre_grass), report).json()
    assert uploaded["download_url"].endswith(
        f"{REPORTS}{report.pk}/evidence/{uploaded['id']}/"
    )
    # The reviewer above sees the report, so its files too.
    reviewer = api_for(cadre_sub)
    listed = reviewer.get(f"{REPORTS}{report.pk}/evidence/")
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()] == [uploaded["id"]]
    detail = reviewer.get(f"{REPORTS}{report.pk}/").json()
    assert detail["evidence"][0]["download_url"] == listed.json()[0]["download_url"]
    response = reviewer.get(listed.json()[0]["download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert (
        "filename*=UTF-8''%E7%AD%BE%E5%88%B0%E8%A1%A8.pdf"
        in (response["Content-Disposition"])
    )


def test_an_outsider_gets_404_json_for_the_list_and_the_file(
    api_for, cadre_grass, outsider, report
):
    uploaded = _upload(api_for(cadre_grass), report).json()
    client = api_for(outsider)
    for url in (
        f"{REPORTS}{report.pk}/evidence/",
        f"{REPORTS}{report.pk}/evidence/{uploaded['id']}/",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] == "not_found"


def test_a_file_named_under_another_report_is_not_found(
    api_for, cadre_grass, report, media_root
):
    from tests.planning.factories import ReportFactory, past_period

    uploaded = _upload(api_for(cadre_grass), report).json()
    other = ReportFactory(
        project=report.project,
        union=report.union,
        period=past_period(report.project, 3),
    )
    response = api_for(cadre_grass).get(
        f"{REPORTS}{other.pk}/evidence/{uploaded['id']}/"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_file_gone_from_the_storage_is_not_found(api_for, cadre_grass, report):
    uploaded = _upload(api_for(cadre_grass), report).json()
    evidence = EvidenceFile.objects.get(pk=uploaded["id"])
    evidence.file.storage.delete(evidence.file.name)
    response = api_for(cadre_grass).get(uploaded["download_url"])
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_schema_documents_the_list_and_the_download(client, cadre_grass):
    from django.urls import reverse

    client.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    paths = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()[
        "paths"
    ]
    listed = paths["/api/v1/progress-reports/{id}/evidence/"]
    assert set(listed) >= {"get", "post"}
    assert "page" not in {p["name"] for p in listed["get"].get("parameters", [])}
    download = paths["/api/v1/progress-reports/{id}/evidence/{evidence_id}/"]["get"]
    assert download["responses"]["200"]["content"]["application/octet-stream"][
        "schema"
    ] == {"type": "string", "format": "binary"}
    assert "404" in download["responses"]
