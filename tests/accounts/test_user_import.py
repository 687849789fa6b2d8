"""The bulk user import (accounts/imports.py) and the first sign-in that must change
the password."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from accounts.models import AuditEvent, User
from tests.conftest import EN
from tests.snapshots import assert_unchanged

LANGUAGES = ["zh-hans", "en"]


def _upload(content: bytes, name="users.xlsx"):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def _workbook(rows, headers=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(
        headers
        or [
            "User name",
            "Family name",
            "Given name",
            "Union code",
            "E-mail",
            "Phone",
            "Cadre",
            "Reviewer",
            "Leader",
            "Administrator",
        ]
    )
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _users():
    return list(
        User.objects.order_by("pk").values_list(
            "pk", "username", "union_id", "is_cadre", "is_reviewer", "password"
        )
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_template_imports_unchanged_and_shows_first_passwords_once(
    language, client_for, admin_user, media_root
):
    headers = {"accept-language": language}
    client = client_for(admin_user)
    template = client.get(reverse("accounts:user_import_template"), headers=headers)
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.content))
    assert len(book.worksheets[0].data_validations.dataValidation) == 4  # the roles
    before = User.objects.count()

    preview = client.post(
        reverse("accounts:user_import"),
        {"file": _upload(template.content)},
        headers=headers,
    )
    assert preview.context["preview"].is_valid, [
        r.errors for r in preview.context["preview"].rows
    ]
    assert User.objects.count() == before

    done = client.post(
        reverse("accounts:user_import_confirm"),
        {"token": preview.context["preview"].token},
        headers=headers,
    )
    assert done.status_code == 200
    created = done.context["created"]
    assert len(created) == 2
    assert User.objects.count() == before + 2
    for entry in created:
        user = User.objects.get(username=entry["username"])
        assert user.union == admin_user.union
        assert user.must_change_password
        assert user.check_password(entry["password"])
        assert entry["password"] in done.content.decode()
    assert (
        done["Cache-Control"].startswith("max-age=0")
        or "no-cache" in done["Cache-Control"]
    )
    # Each account's creation is in the audit log, with who did it.
    assert (
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.ROLE_CHANGED, user=admin_user
        ).count()
        == 2
    )


def test_a_sheet_with_errors_names_each_row_and_writes_nothing(
    client_for, admin_user, cadre_sub, other_subdistrict, media_root
):
    rows = [
        ["new_one", "王", "芳", admin_user.union.code, "", "", "是", "否", "否", "否"],
        [cadre_sub.username, "李", "", admin_user.union.code, "", "", "是", "", "", ""],
        ["new_one", "赵", "", admin_user.union.code, "", "", "是", "", "", ""],
        ["bad name!", "周", "", "NO-SUCH", "not-an-email", "", "也许", "", "", ""],
        ["no_role", "吴", "", admin_user.union.code, "", "", "否", "否", "否", "否"],
    ]
    before = _users()
    response = client_for(admin_user).post(
        reverse("accounts:user_import"), {"file": _upload(_workbook(rows))}
    )
    preview = response.context["preview"]
    assert not preview.is_valid
    errors = {row.number: " ".join(row.errors) for row in preview.error_rows}
    assert set(errors) == {3, 4, 5, 6}
    assert "already exists" in errors[3]
    assert "appears twice" in errors[4]
    assert "Unknown union code" in errors[5]
    assert "not an e-mail address" in errors[5]
    assert "must be Yes or No" in errors[5]
    assert "at least one role" in errors[6]
    assert not preview.token
    assert b'data-testid="import-confirm"' not in response.content
    assert _users() == before


def test_a_union_outside_the_administrators_subtree_is_refused(
    client_for, admin_user, cadre_sub, subdistrict, other_subdistrict, media_root
):
    sub_admin = User.objects.create_user(
        "sub_admin_t", password="x-Pass-12345", union=subdistrict, is_union_admin=True
    )
    rows = [["reach_out", "孙", "", other_subdistrict.code, "", "", "是", "", "", ""]]
    before = _users()
    response = client_for(sub_admin).post(
        reverse("accounts:user_import"), {"file": _upload(_workbook(rows))}
    )
    [row] = response.context["preview"].error_rows
    assert "not in your part of the tree" in " ".join(row.errors)
    assert _users() == before


@pytest.mark.parametrize("persona", ["cadre_sub", "leader", "reviewer"])
def test_only_administrators_import_users(persona, request, client_for, admin_user):
    user = request.getfixturevalue(persona)
    rows = [["intruder", "钱", "", admin_user.union.code, "", "", "是", "", "", ""]]
    before = _users()
    signed_in = client_for(user)
    with assert_unchanged():
        response = signed_in.post(
            reverse("accounts:user_import"), {"file": _upload(_workbook(rows))}
        )
    assert response.status_code == 403
    assert _users() == before


def test_headers_in_chinese_and_yes_words_are_read(client_for, admin_user, media_root):
    rows = [
        ["cn_user", "郑", "小红", admin_user.union.code, "", "", "√", "是", "否", ""]
    ]
    from accounts.imports import COLUMNS

    with translation.override("zh-hans"):
        headers = [str(label) for _key, label in COLUMNS]
    assert headers[:4] == ["用户名", "姓", "名", "工会代码"]
    response = client_for(admin_user).post(
        reverse("accounts:user_import"), {"file": _upload(_workbook(rows, headers))}
    )
    preview = response.context["preview"]
    assert preview.is_valid, [r.errors for r in preview.rows]
    [row] = preview.rows
    assert row.values["is_cadre"]
    assert row.values["is_reviewer"]
    assert not row.values["is_leader"]


# --- the first sign-in -----------------------------------------------------------------


def test_a_user_whose_password_someone_else_chose_must_change_it(db, cadre_sub):
    cadre_sub.set_password("First-Pass-2026")
    cadre_sub.must_change_password = True
    cadre_sub.save()
    client = Client(headers=EN)
    client.force_login(cadre_sub, backend="accounts.backends.UnionModelBackend")

    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == reverse("password_change")
    refused_post = client.post(reverse("accounts:profile"), {"language": "en"})
    assert refused_post.status_code == 302
    cadre_sub.refresh_from_db()
    assert cadre_sub.must_change_password

    change = client.post(
        reverse("password_change"),
        {
            "old_password": "First-Pass-2026",
            "new_password1": "My-Own-Pass-9471",
            "new_password2": "My-Own-Pass-9471",
        },
    )
    assert change.status_code == 302
    cadre_sub.refresh_from_db()
    assert not cadre_sub.must_change_password
    assert cadre_sub.check_password("My-Own-Pass-9471")
    assert client.get("/").status_code == 200


def test_an_administrator_setting_a_password_makes_the_user_choose_their_own(
    client_for, admin_user, cadre_sub
):
    response = client_for(admin_user).post(
        reverse("accounts:user_edit", args=[cadre_sub.pk]),
        {
            "username": cadre_sub.username,
            "first_name": cadre_sub.first_name,
            "last_name": cadre_sub.last_name,
            "email": cadre_sub.email,
            "phone": "",
            "union": cadre_sub.union_id,
            "is_cadre": "on",
            "password": "Set-By-Admin-5521",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    cadre_sub.refresh_from_db()
    assert cadre_sub.must_change_password
    assert cadre_sub.check_password("Set-By-Admin-5521")
