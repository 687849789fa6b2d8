import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from planning.models import EvidenceFile
from tests.snapshots import assert_unchanged

from .factories import PDF_BYTES, PNG_BYTES, EventFactory, ReportFactory


@pytest.fixture
def draft(project):
    return ReportFactory(project=project, status="draft", submitted_at=None)


def _upload(client, report, name, content, **extra):
    return client.post(
        reverse("planning:report_evidence_upload", args=[report.pk]),
        {"file": SimpleUploadedFile(name, content)},
        **extra,
    )


def test_cadre_attaches_a_pdf(client_for, cadre_grass, draft, media_root):
    response = _upload(client_for(cadre_grass), draft, "minutes.pdf", PDF_BYTES)
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get()
    assert (evidence.original_name, evidence.kind) == ("minutes.pdf", "PDF")
    assert "minutes" not in evidence.file.name  # stored under a random name


def test_a_file_with_a_forged_extension_is_refused(
    client_for, cadre_grass, draft, media_root
):
    response = _upload(
        client_for(cadre_grass), draft, "photo.png", PDF_BYTES, HTTP_HX_REQUEST="true"
    )
    assert b"The file name does not match its content" in response.content
    assert not EvidenceFile.objects.exists()


def test_an_executable_renamed_to_pdf_is_refused(
    client_for, cadre_grass, draft, media_root
):
    response = _upload(
        client_for(cadre_grass),
        draft,
        "report.pdf",
        b"MZ\x90\x00" + b"\x00" * 60,
        follow=True,
    )
    assert b"not an allowed type" in response.content
    assert not EvidenceFile.objects.exists()


def test_an_oversized_file_is_refused(
    client_for, cadre_grass, draft, media_root, settings
):
    settings.UPLOAD_MAX_BYTES = 100
    response = _upload(
        client_for(cadre_grass), draft, "big.pdf", PDF_BYTES + b"0" * 200, follow=True
    )
    assert b"the largest allowed is" in response.content
    assert not EvidenceFile.objects.exists()


def test_outsider_gets_404_on_upload(client_for, outsider, draft, media_root):
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = _upload(signed_in, draft, "a.pdf", PDF_BYTES)
    assert response.status_code == 404


def test_leader_gets_403_on_upload(client_for, leader, draft, media_root):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = _upload(signed_in, draft, "a.pdf", PDF_BYTES)
    assert response.status_code == 403


def test_no_upload_to_a_submitted_report(client_for, cadre_grass, project, media_root):
    report = ReportFactory(project=project, status="submitted")
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = _upload(signed_in, report, "a.pdf", PDF_BYTES)
    assert response.status_code == 403


@pytest.fixture
def stored(client_for, cadre_grass, draft, media_root):
    _upload(client_for(cadre_grass), draft, "minutes.pdf", PDF_BYTES)
    return EvidenceFile.objects.get()


def test_download_checks_visibility(client_for, outsider, stored):
    response = client_for(outsider).get(
        reverse("planning:evidence_download", args=[stored.pk])
    )
    assert response.status_code == 404


def test_reviewer_above_downloads_the_file(client_for, cadre_sub, stored):
    response = client_for(cadre_sub).get(
        reverse("planning:evidence_download", args=[stored.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "attachment" in response["Content-Disposition"]


def test_outsider_gets_404_on_evidence_delete(client_for, outsider, stored):
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = signed_in.post(reverse("planning:evidence_delete", args=[stored.pk]))
    assert response.status_code == 404


def test_reviewer_gets_403_on_evidence_delete(client_for, cadre_sub, stored):
    signed_in = client_for(cadre_sub)
    with assert_unchanged():
        response = signed_in.post(reverse("planning:evidence_delete", args=[stored.pk]))
    assert response.status_code == 403


def test_cadre_removes_a_file_from_a_draft(client_for, cadre_grass, stored):
    client_for(cadre_grass).post(reverse("planning:evidence_delete", args=[stored.pk]))
    assert not EvidenceFile.objects.exists()


def test_cadre_attaches_a_photo_to_an_event(
    client_for, cadre_grass, grassroots, media_root
):
    event = EventFactory(union=grassroots)
    response = client_for(cadre_grass).post(
        reverse("planning:event_evidence_upload", args=[event.pk]),
        {"file": SimpleUploadedFile("photo.png", PNG_BYTES)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"photo.png" in response.content
    assert EvidenceFile.objects.get().event == event


def test_outsider_gets_404_on_event_upload(
    client_for, outsider, grassroots, media_root
):
    event = EventFactory(union=grassroots)
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:event_evidence_upload", args=[event.pk]),
            {"file": SimpleUploadedFile("photo.png", PNG_BYTES)},
        )
    assert response.status_code == 404


def test_leader_gets_403_on_event_upload(client_for, leader, grassroots, media_root):
    event = EventFactory(union=grassroots)
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:event_evidence_upload", args=[event.pk]),
            {"file": SimpleUploadedFile("photo.png", PNG_BYTES)},
        )
    assert response.status_code == 403
