"""An administrator, in Chinese, opens accounts for a batch of cadres from the Excel
template; a new cadre signs in with the first password and must choose their own."""

import re

from accounts.models import User


def _chinese(portal):
    portal.page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": portal.base_url}]
    )


def test_admin_imports_users_and_a_new_user_chooses_a_password(
    portal, admin_user, password, tmp_path
):
    page = portal.page
    portal.sign_in(admin_user.username, password)
    _chinese(portal)
    portal.goto("/administration/users/")
    page.get_by_role("link", name="批量导入用户").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载模板").click()
    assert download.value.suggested_filename == "用户导入模板.xlsx"
    template = tmp_path / "users.xlsx"
    download.value.save_as(str(template))
    portal.screenshot("users-import-01-form-zh")

    page.get_by_label("Excel 工作簿（.xlsx）").set_input_files(str(template))
    page.get_by_role("button", name="校验并预览").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("import-ready").is_visible()
    portal.screenshot("users-import-02-preview-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    portal.screenshot("users-import-02-preview-zh-390")
    scroll, width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= width + 1
    page.set_viewport_size({"width": 1366, "height": 900})

    page.get_by_test_id("import-confirm").click()
    page.wait_for_load_state("networkidle")
    box = page.get_by_test_id("first-passwords")
    assert box.is_visible()
    assert "仅在本页显示" in box.inner_text()
    portal.screenshot("users-import-03-done-zh")
    created = User.objects.filter(must_change_password=True).order_by("pk")
    assert created.count() == 2
    first = created[0]
    row = page.get_by_role("row", name=re.compile(first.username))
    first_password = row.locator("code").inner_text().strip()
    assert first.check_password(first_password)

    portal.sign_out()
    portal.page.goto(portal.url("/accounts/login/"))
    _chinese(portal)
    page.goto(portal.url("/accounts/login/"))
    page.get_by_label("用户名").fill(first.username)
    page.get_by_label("密码").fill(first_password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/accounts/password/")
    assert page.get_by_text("请先设置您自己的密码").is_visible()
    portal.screenshot("users-import-04-first-sign-in-zh")
    page.locator("#id_old_password").fill(first_password)
    page.locator("#id_new_password1").fill("Binjiang-Union-2027")
    page.locator("#id_new_password2").fill("Binjiang-Union-2027")
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_load_state("networkidle")
    first.refresh_from_db()
    assert not first.must_change_password
    portal.goto("/")
    assert page.url.rstrip("/") == portal.base_url
