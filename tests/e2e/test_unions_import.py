"""An administrator imports unions from Excel: a bad sheet first, then a good one."""

from tests.unions.factories import resident_id
from tests.unions.test_import import workbook_bytes
from unions.models import Union


def test_admin_imports_unions_after_fixing_a_bad_sheet(
    portal, admin_user, subdistrict, password, tmp_path
):
    page = portal.page
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        workbook_bytes(
            [
                [
                    "IM-1",
                    "新工会",
                    "New Union",
                    "enterprise",
                    subdistrict.code,
                    40,
                    1,
                    "2024-02-29",
                    3,
                ],
                ["IM-2", "孤儿工会", "", "enterprise", "NOPE", 10, "", "", ""],
                ["IM-1", "重复", "", "enterprise", subdistrict.code, 10, "", "", ""],
            ],
            [["IM-1", "坏号码", "female", "chair", "", "110105194912310021"]],
        )
    )
    good = tmp_path / "good.xlsx"
    good.write_bytes(
        workbook_bytes(
            [
                [
                    "IM-1",
                    "新工会",
                    "New Union",
                    "enterprise",
                    subdistrict.code,
                    40,
                    1,
                    "2024-02-29",
                    3,
                ],
                [
                    "IM-2",
                    "新社区工会",
                    "New Community Union",
                    "community",
                    subdistrict.code,
                    25,
                    "",
                    "",
                    "",
                ],
            ],
            [["IM-1", "钱丽", "female", "chair", "13800000000", resident_id()]],
        )
    )
    portal.sign_in(admin_user.username, password)
    portal.goto("/unions/")
    page.get_by_role("link", name="Import").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template").click()
    assert (
        download.value.suggested_filename == "Unions and officers import template.xlsx"
    )
    portal.screenshot("unions-import-01-form")

    page.get_by_label("Excel workbook (.xlsx)").set_input_files(str(bad))
    page.get_by_role("button", name="Check and preview").click()
    page.wait_for_load_state("networkidle")
    errors = page.get_by_test_id("error-rows")
    assert errors.get_by_text("Unknown higher union code NOPE").is_visible()
    assert errors.get_by_text("appears twice").is_visible()
    assert errors.get_by_text("check digit", exact=False).is_visible()
    assert page.get_by_role("button", name="Confirm the import").count() == 0
    portal.screenshot("unions-import-02-errors")
    assert not Union.objects.filter(code__startswith="IM-").exists()

    page.get_by_role("link", name="Upload again").first.click()
    page.get_by_label("Excel workbook (.xlsx)").set_input_files(str(good))
    page.get_by_role("button", name="Check and preview").click()
    page.wait_for_load_state("networkidle")
    portal.screenshot("unions-import-03-ready")
    page.get_by_role("button", name="Confirm the import").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Imported 2 unions, 1 terms and 1 officers.").is_visible()
    portal.screenshot("unions-import-04-done")
    assert Union.objects.filter(code__startswith="IM-").count() == 2
