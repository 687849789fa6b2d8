"""Portal users from an Excel workbook, on the portal's one import pipeline
(unionportal/imports.py): upload → preview with per-row errors → confirm → every user
in one transaction, or none.

A district office opens the portal for tens of unions at once; typing each account
by hand is where it stopped. Each imported user gets a random first password, shown
once to the administrator after the import (never stored in clear, never e-mailed),
and must change it at the first sign-in (``User.must_change_password``).
"""

import secrets
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.imports import ImportPipeline
from unionportal.xlsx import (
    TemplateSheet,
    column_aliases,
    header_key,
    open_uploaded_workbook,
    reference_sheet,
    sheet_rows,
    template_book,
)

from .models import User
from .services import ROLE_FIELDS, user_save

COLUMNS = (
    ("username", gettext_lazy("User name")),
    ("last_name", gettext_lazy("Family name")),
    ("first_name", gettext_lazy("Given name")),
    ("union_code", gettext_lazy("Union code")),
    ("email", gettext_lazy("E-mail")),
    ("phone", gettext_lazy("Phone")),
    ("is_cadre", gettext_lazy("Cadre")),
    ("is_reviewer", gettext_lazy("Reviewer")),
    ("is_leader", gettext_lazy("Leader")),
    ("is_union_admin", gettext_lazy("Administrator")),
)
REQUIRED = ("username", "union_code")
YES = gettext_lazy("Yes")
NO = gettext_lazy("No")
# What an office types for yes and no, besides the two words in either language.
YES_WORDS = {"1", "y", "true", "√", "✓", "是", "yes"}
NO_WORDS = {"", "0", "n", "false", "×", "否", "no"}
MAX_USERS = 1000
# Letters and digits that cannot be mistaken for one another when read aloud or
# copied from paper (no 0/O, 1/l/I).
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105
PASSWORD_LENGTH = 12


@dataclass
class UserRow:
    number: int
    values: dict
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.values.get("username") or "–"


@dataclass
class UserImportPreview:
    rows: list[UserRow]
    sheet_errors: list[str] = field(default_factory=list)
    token: str = ""

    @property
    def error_rows(self) -> list[UserRow]:
        return [row for row in self.rows if row.errors]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.sheet_errors and not self.error_rows


def _label(key: str) -> str:
    return str(dict(COLUMNS)[key])


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _yes_no(value, row: UserRow, key: str) -> bool:
    word = header_key(_text(value))
    if word in YES_WORDS or word == header_key(YES):
        return True
    if word in NO_WORDS or word == header_key(NO):
        return False
    row.errors.append(
        _("%(column)s must be %(yes)s or %(no)s, not “%(value)s”.")
        % {"column": _label(key), "yes": YES, "no": NO, "value": _text(value)}
    )
    return False


def user_import_parse(*, file, by: User) -> UserImportPreview:
    """Reads and checks every row with the rules of the user form; writes nothing."""
    workbook = open_uploaded_workbook(file)
    aliases = column_aliases(COLUMNS)
    rows: list[UserRow] = []
    seen: set[str] = set()
    try:
        for number, values in sheet_rows(workbook.worksheets[0]):
            keyed = {
                aliases[header_key(h)]: v
                for h, v in values.items()
                if header_key(h) in aliases
            }
            seen |= set(keyed)
            rows.append(UserRow(number, keyed))
    finally:
        workbook.close()
    preview = UserImportPreview(rows=rows)
    missing = [_label(k) for k in REQUIRED if k not in seen]
    if not rows:
        preview.sheet_errors.append(_("The sheet has no rows to import."))
    elif missing:
        preview.sheet_errors.append(
            _("The sheet lacks the columns: %(columns)s. Start from the template.")
            % {"columns": ", ".join(missing)}
        )
    elif len(rows) > MAX_USERS:
        preview.sheet_errors.append(
            _("At most %(max)s users can be imported at once.") % {"max": MAX_USERS}
        )
    if not preview.sheet_errors:
        _check(rows, by)
    return preview


def _check(rows: list[UserRow], by: User) -> None:
    """The user form's rules, row by row, in a fixed number of queries."""
    unions = User._meta.get_field("union").related_model.objects
    codes = {_text(r.values.get("union_code")).lower() for r in rows} - {""}
    in_scope = {
        u.code.lower(): u
        for u in unions.visible_to(by)
        .filter(is_active=True)
        .annotate(code_lower=Lower("code"))
        .filter(code_lower__in=codes)
    }
    names = {_text(r.values.get("username")).lower() for r in rows} - {""}
    taken = set(
        User.objects.annotate(name_lower=Lower("username"))
        .filter(name_lower__in=names)
        .values_list("name_lower", flat=True)
    )
    in_sheet: dict[str, int] = {}
    username_ok = UnicodeUsernameValidator()
    for row in rows:
        values = row.values
        username = _text(values.get("username"))
        values["username"] = username
        if not username:
            row.errors.append(_("The user name is missing."))
        elif len(username) > 150:
            row.errors.append(_("The user name is longer than 150 characters."))
        else:
            try:
                username_ok(username)
            except ValidationError as exc:
                row.errors.extend(exc.messages)
            if username.lower() in taken:
                row.errors.append(
                    _("A user named %(name)s already exists.") % {"name": username}
                )
            elif username.lower() in in_sheet:
                row.errors.append(
                    _("The user name %(name)s appears twice: also in row %(row)s.")
                    % {"name": username, "row": in_sheet[username.lower()]}
                )
            else:
                in_sheet[username.lower()] = row.number
        for key, limit in (("last_name", 150), ("first_name", 150), ("phone", 30)):
            values[key] = _text(values.get(key))
            if len(values[key]) > limit:
                row.errors.append(
                    _("%(column)s is longer than %(limit)s characters.")
                    % {"column": _label(key), "limit": limit}
                )
        if not (values["last_name"] or values["first_name"]):
            row.errors.append(_("Give the person's name."))
        email = _text(values.get("email"))
        values["email"] = email
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.errors.append(
                    _("“%(value)s” is not an e-mail address.") % {"value": email}
                )
        code = _text(values.get("union_code"))
        values["union"] = in_scope.get(code.lower())
        if not code:
            row.errors.append(_("The union code is missing."))
        elif values["union"] is None:
            row.errors.append(
                _("Unknown union code “%(code)s” (or not in your part of the tree).")
                % {"code": code}
            )
        for role in ROLE_FIELDS:
            values[role] = _yes_no(values.get(role), row, role)
        if not any(values[role] for role in ROLE_FIELDS):
            row.errors.append(_("Give the user at least one role."))


def first_password() -> str:
    password = "".join(
        secrets.choice(PASSWORD_ALPHABET) for _i in range(PASSWORD_LENGTH)
    )
    validate_password(password)
    return password


@transaction.atomic
def user_import_apply(
    *, preview: UserImportPreview, by: User, request=None
) -> list[dict]:
    """Creates every user of a clean preview, or none; returns each user's name,
    union and first password (to be shown once)."""
    if not preview.is_valid:
        raise ValidationError(_("The sheet has errors; nothing was imported."))
    created = []
    for row in preview.rows:
        values = row.values
        password = first_password()
        user = user_save(
            user=User(),
            data={
                "username": values["username"],
                "last_name": values["last_name"],
                "first_name": values["first_name"],
                "email": values["email"],
                "phone": values["phone"],
                "union": values["union"],
                "must_change_password": True,
                **{role: values[role] for role in ROLE_FIELDS},
            },
            password=password,
            by=by,
            request=request,
        )
        created.append(
            {
                "username": user.username,
                "name": user.get_full_name(),
                "union": user.union.name,
                "password": password,
            }
        )
    return created


def user_import_template(*, by: User) -> bytes:
    """Two example users in the administrator's own union (the file imports
    unchanged), Yes/No drop-downs for the roles, and instructions."""
    union = by.union
    code = union.code if union is not None else ""
    base = f"{code.lower()}_" if code else ""
    examples = []
    for suffix, last, first, roles in (
        ("zhangmin", "张", "敏", (YES, NO, NO, NO)),
        ("liuyang", "刘", "洋", (YES, YES, NO, NO)),
    ):
        username = f"{base}{suffix}"
        while User.objects.filter(username__iexact=username).exists():
            username += "1"
        examples.append([username, last, first, code, "", "", *map(str, roles)])
    notes = [
        _("One row per user. Required: user name, union code, and at least one role."),
        _("User name: letters, digits and @ . + - _; it must not exist yet."),
        _("Union code: a union you administer (see the sheet of union codes)."),
        _("Roles: %(yes)s or %(no)s in each role column.") % {"yes": YES, "no": NO},
        _(
            "Each user gets a first password, shown once after the import; they "
            "choose their own at the first sign-in."
        ),
        _(
            "Nothing is imported while any row has an error; the preview lists them all."
        ),
    ]
    yes_no = [str(YES), str(NO)]
    return template_book(
        [
            TemplateSheet(
                _("Users"),
                [str(label) for _k, label in COLUMNS],
                examples,
                choices={index: yes_no for index in range(6, 10)},
                widths=[18, 10, 12, 16, 24, 16, 8, 8, 8, 10],
            ),
            *([codes] if (codes := reference_sheet("unions", by)) else []),
        ],
        notes,
    )


def _parse(file, *, user, data):
    return user_import_parse(file=file, by=user)


def _apply(preview, *, user, data, request=None):
    return user_import_apply(preview=preview, by=user, request=request)


USER_IMPORT = ImportPipeline("users", parse=_parse, apply=_apply)
