import pytest

from assessments.models import Period, UnitLevel

from .factories import PeriodFactory, active_scheme


@pytest.fixture
def scheme(district):
    """An active scheme for sub-district unions: B1 (60) and B2 (40), by hand."""
    return active_scheme(district)


@pytest.fixture
def grassroots_scheme(district):
    return active_scheme(district, level=UnitLevel.GRASSROOTS)


@pytest.fixture
def period(scheme):
    return PeriodFactory(scheme=scheme, kind=Period.Kind.Q1)


@pytest.fixture
def grassroots_period(grassroots_scheme):
    return PeriodFactory(scheme=grassroots_scheme, kind=Period.Kind.Q1)


@pytest.fixture
def units(subdistrict, other_subdistrict):
    """The sub-district unions the scheme assesses."""
    return [subdistrict, other_subdistrict]


@pytest.fixture(autouse=True)
def _fast_pdf(request, monkeypatch):
    """WeasyPrint takes seconds per file: tests that do not look inside the PDF get
    a stand-in. A test that asks for the ``real_pdf`` fixture renders the real one."""
    if "real_pdf" in request.fixturenames:
        return
    monkeypatch.setattr("assessments.exports.report_pdf_file", stand_in_pdf)


def stand_in_pdf(report, *, language, built_at=None) -> str:
    """What the files job gets instead of a real PDF: a temporary file's path."""
    from assessments.exports import _temporary

    path = _temporary(".pdf")
    with open(path, "wb") as handle:
        handle.write(b"%PDF-1.7\n% stand-in for tests\n%%EOF\n")
    return path


@pytest.fixture
def real_pdf():
    """Marks a test that renders real PDFs with WeasyPrint."""
    return True


@pytest.fixture(autouse=True)
def _report_media(settings, tmp_path):
    """Report files and evidence go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
