"""Plans in and out of Excel, the way the district office already writes them.

Import: upload → preview with per-row errors → confirm → every row in one
transaction (a single bad row writes nothing). One row is one project: its plan
item (category + title), owner union code, target, dates, participants. Rows with
the same category and item share one plan item. A row without an owner code
creates the item only.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.access import scope_filter
from unionportal.imports import ImportPipeline
from unionportal.xlsx import (
    TemplateSheet,
    choice_lookup,
    column_aliases,
    header_key,
    open_uploaded_workbook,
    reference_sheet,
    sheet_rows,
    template_book,
)
from unions.models import Union

from ..models import Category, KeyWorkProject, PlanItem, WorkPlan

COLUMNS = (
    ("category", gettext_lazy("Category")),
    ("item", gettext_lazy("Plan item")),
    ("description", gettext_lazy("Description")),
    ("owner", gettext_lazy("Owner union code")),
    ("title", gettext_lazy("Project title")),
    ("target", gettext_lazy("Target")),
    ("unit", gettext_lazy("Unit")),
    ("weight", gettext_lazy("Weight")),
    ("start", gettext_lazy("Start")),
    ("due", gettext_lazy("Due date")),
    ("responsible", gettext_lazy("Responsible person")),
    ("participants", gettext_lazy("Participating union codes")),
)
REQUIRED = ("category", "item", "target", "unit", "due")
# The district office writes its sheets in Chinese: these headings and category
# names are understood whatever language the portal is shown in.
HEADER_ALIASES = {
    "category": ("分类", "类别"),
    "item": ("工作事项", "重点工作"),
    "description": ("说明", "工作内容"),
    "owner": ("牵头单位代码", "责任单位代码"),
    "title": ("项目名称",),
    "target": ("目标值", "目标"),
    "unit": ("单位", "计量单位"),
    "weight": ("权重",),
    "start": ("开始日期",),
    "due": ("完成时限", "截止日期"),
    "responsible": ("责任人",),
    "participants": ("参与单位代码", "参与单位"),
}
CATEGORY_ALIASES = {
    Category.POLITICAL: ("政治引领", "思想政治引领", "政治引领和理论学习"),
    Category.REFORM: ("改革", "工会改革", "深化工会改革"),
    Category.PROJECTS: ("重点工作项目化", "工作内容项目化", "项目化"),
    Category.CARRIER: ("特色载体活动", "载体活动"),
    Category.SERVICE: ("普惠服务", "普惠性服务", "职工普惠服务"),
    Category.WORKERS: ("产业工人队伍建设", "劳模工匠", "产业工人队伍建设和劳模工作"),
    Category.TRAINING: ("干部培训", "工会干部培训"),
    Category.PUBLICITY: ("宣传", "社会宣传"),
    Category.TERMS: ("换届", "按期换届"),
    Category.SELF: ("自身建设", "工会自身建设"),
}
MAX_NUMBER = Decimal("9999999999")


def _aliases() -> dict[str, str]:
    """Header text (any language, or the key itself) → column key."""
    return column_aliases(COLUMNS, extra=HEADER_ALIASES)


def _category_lookup() -> dict[str, str]:
    lookup = choice_lookup(Category.choices)
    for value, names in CATEGORY_ALIASES.items():
        for name in names:
            lookup[header_key(name)] = value
    return lookup


def parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = re.fullmatch(
        r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text
    )
    if not match:
        raise ValueError(text)
    return date(*(int(g) for g in match.groups()))


def parse_number(value) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    number = Decimal(str(value).strip().replace(",", ""))
    if not number.is_finite():
        raise InvalidOperation
    return number


def _codes(value) -> list[str]:
    if value in (None, ""):
        return []
    return [c for c in re.split(r"[\s,;，、；]+", str(value).strip()) if c]


@dataclass
class ImportRow:
    number: int
    raw: dict
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    sheet_errors: list[str] = field(default_factory=list)

    @property
    def error_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.error_rows and not self.sheet_errors

    @property
    def item_count(self) -> int:
        return len({(r.data.get("category"), r.data.get("item")) for r in self.rows})

    @property
    def project_count(self) -> int:
        return sum(1 for r in self.rows if r.data.get("owner"))


def plan_import_parse(*, file, user, year: int) -> ImportPreview:
    """Reads and checks every row; nothing is written."""
    workbook = open_uploaded_workbook(file)
    sheet = workbook.worksheets[0]
    aliases = _aliases()
    categories = _category_lookup()
    raw_rows = []
    headers_seen = set()
    try:
        for number, values in sheet_rows(sheet):
            row = {}
            for header, value in values.items():
                key = aliases.get(header_key(header))
                if key:
                    row[key] = value
                    headers_seen.add(key)
            raw_rows.append((number, row))
    finally:
        workbook.close()
    preview = ImportPreview(rows=[])
    missing = [
        str(label)
        for key, label in COLUMNS
        if key in REQUIRED and key not in headers_seen
    ]
    if raw_rows and missing:
        preview.sheet_errors.append(
            _("The sheet lacks the columns: %(columns)s. Start from the template.")
            % {"columns": ", ".join(missing)}
        )
        return preview
    if not raw_rows:
        preview.sheet_errors.append(_("The sheet has no rows to import."))
        return preview

    codes = set()
    for _number, row in raw_rows:
        codes.update(_codes(row.get("owner")))
        codes.update(_codes(row.get("participants")))
    unions = {
        u.code: u
        for u in Union.objects.filter(code__in=codes, is_active=True).filter(
            scope_filter(user, "")
        )
    }
    seen_projects = {}
    for number, row in raw_rows:
        result = ImportRow(number=number, raw=row)
        preview.rows.append(result)
        _check_row(result, row, unions, categories, year)
        key = (
            result.data.get("category"),
            result.data.get("item"),
            result.data.get("owner"),
        )
        if result.data.get("owner") is not None and not result.errors:
            if key in seen_projects:
                result.errors.append(
                    _("Row %(row)s already gives this item to the same union.")
                    % {"row": seen_projects[key]}
                )
            else:
                seen_projects[key] = number
    return preview


def _check_row(result: ImportRow, row: dict, unions, categories, year) -> None:
    errors, data = result.errors, result.data

    def text(key, limit):
        value = row.get(key)
        value = "" if value is None else str(value).strip()
        if len(value) > limit:
            errors.append(
                _("%(column)s is longer than %(limit)s characters.")
                % {"column": _label(key), "limit": limit}
            )
        return value

    for key in REQUIRED:
        if row.get(key) in (None, ""):
            errors.append(_("%(column)s is missing.") % {"column": _label(key)})
    category = header_key(row.get("category") or "")
    if category:
        if category in categories:
            data["category"] = categories[category]
        else:
            errors.append(
                _("Unknown category “%(value)s”.") % {"value": row.get("category")}
            )
    data["item"] = text("item", 200)
    data["description"] = text("description", 5000)
    data["title"] = text("title", 200) or data["item"]
    data["unit"] = text("unit", 30)
    data["responsible"] = text("responsible", 100)

    for key, default in (("target", None), ("weight", Decimal(1))):
        value = row.get(key)
        if value in (None, ""):
            data[key] = default
            continue
        try:
            number = parse_number(value)
        except (InvalidOperation, ValueError):
            errors.append(
                _("%(column)s “%(value)s” is not a number.")
                % {"column": _label(key), "value": value}
            )
            continue
        if number <= 0 or number > MAX_NUMBER:
            errors.append(
                _("%(column)s must be greater than 0.") % {"column": _label(key)}
            )
            continue
        data[key] = number.quantize(Decimal("0.01"))

    for key, default in (("start", date(year, 1, 1)), ("due", None)):
        value = row.get(key)
        if value in (None, ""):
            data[key] = default
            continue
        try:
            data[key] = parse_date(value)
        except (ValueError, TypeError):
            errors.append(
                _("%(column)s “%(value)s” is not a date (write it as 2026-06-30).")
                % {"column": _label(key), "value": value}
            )
    if data.get("start") and data.get("due") and data["due"] < data["start"]:
        errors.append(_("The due date is before the start."))

    owner_codes = _codes(row.get("owner"))
    data["owner"] = None
    if len(owner_codes) > 1:
        errors.append(_("Give one owner union per row."))
    elif owner_codes:
        owner = unions.get(owner_codes[0])
        if owner is None:
            errors.append(
                _("Unknown union code “%(code)s” (or not in your part of the tree).")
                % {"code": owner_codes[0]}
            )
        else:
            data["owner"] = owner
    participants = []
    for code in _codes(row.get("participants")):
        union = unions.get(code)
        if union is None:
            errors.append(
                _("Unknown union code “%(code)s” (or not in your part of the tree).")
                % {"code": code}
            )
        elif data["owner"] is None or union.pk != data["owner"].pk:
            participants.append(union)
    data["participants"] = participants


def _label(key: str) -> str:
    return str(dict(COLUMNS)[key])


@transaction.atomic
def plan_import_commit(*, preview: ImportPreview, owner: Union, data: dict) -> WorkPlan:
    """Writes the plan, its items and projects in one transaction, or nothing."""
    if not preview.is_valid:
        raise ValidationError(_("The file has errors; nothing was imported."))
    from .plans import plan_create, project_refresh

    plan = plan_create(owner=owner, data=data)
    items: dict[tuple, PlanItem] = {}
    for row in preview.rows:
        d = row.data
        key = (d["category"], d["item"])
        item = items.get(key)
        if item is None:
            item = PlanItem(
                plan=plan,
                category=d["category"],
                title=d["item"],
                description=d["description"],
                target_value=d["target"],
                target_unit=d["unit"],
                weight=d["weight"],
                due_date=d["due"],
                order=len(items) + 1,
            )
            item.full_clean()
            item.save()
            items[key] = item
        elif d["due"] > item.due_date:
            item.due_date = d["due"]
            item.save(update_fields=["due_date"])
        if d["owner"] is None:
            continue
        project = KeyWorkProject(
            plan=plan,
            item=item,
            owner=d["owner"],
            title=d["title"],
            category=d["category"],
            responsible_person=d["responsible"],
            target_value=d["target"],
            target_unit=d["unit"],
            weight=d["weight"],
            start_date=d["start"],
            due_date=d["due"],
        )
        project.full_clean()
        project.save()
        if d["participants"]:
            project.participants.set(d["participants"])
        project_refresh(project=project, notify_delay=False)
    return plan


def _pipeline_parse(file, *, user, data) -> ImportPreview:
    return plan_import_parse(file=file, user=user, year=data["year"])


def _pipeline_apply(preview, *, user, data, request=None) -> WorkPlan:
    owner = Union.objects.get(pk=data["owner"])
    fields = {k: v for k, v in data.items() if k != "owner"}
    return plan_import_commit(preview=preview, owner=owner, data=fields)


# The portal's one import pipeline (unionportal/imports.py): the form's other values
# (year, title, frequency, owner) wait beside the file until the confirmation.
PLAN_IMPORT = ImportPipeline("plans", parse=_pipeline_parse, apply=_pipeline_apply)


def _example_owners(user) -> list[Union]:
    """Units the user may hand work to, for the template's examples (so the file
    imports unchanged): the first units below the user's union."""
    if user is None:
        return []
    return list(
        Union.objects.filter(scope_filter(user, ""), is_active=True)
        .exclude(pk=user.union_id)
        .order_by("path")[:3]
    )


def import_template(*, user=None) -> bytes:
    """The template: the header row, two example projects handed to units below the
    user (it imports unchanged), a drop-down list of categories, number and date
    checks, and a sheet of instructions."""
    headers = [str(label) for _key, label in COLUMNS]
    owners = [u.code for u in _example_owners(user)] or ["JB-S01", "JB-S02"]
    year = timezone.localdate().year
    examples = [
        [
            str(Category.TRAINING.label),
            _("Train union cadres"),
            _("Courses on union law and collective bargaining"),
            owners[0],
            "",
            200,
            _("people"),
            1,
            f"{year}-01-01",
            f"{year}-11-30",
            _("Li Ming"),
            ", ".join(owners[1:3]),
        ],
        [
            str(Category.SERVICE.label),
            _("Open staff service stations"),
            "",
            owners[-1],
            "",
            3,
            _("stations"),
            1.5,
            f"{year}-03-01",
            f"{year}-09-30",
            "",
            "",
        ],
    ]
    notes = [
        _("One row is one project: a plan item handed to one owner union."),
        _("Rows with the same category and plan item share one item of the plan."),
        _("Required: category, plan item, target, unit and due date."),
        _("Category: one of %(list)s.")
        % {"list": "; ".join(str(label) for _v, label in Category.choices)},
        _(
            "Owner and participating unions: their codes, separated by commas (the "
            "sheet of union codes lists those you may name)."
        ),
        _("Dates: 2026-06-30. Numbers: plain digits. Empty start: 1 January."),
        _("Columns with a fixed set of values offer a drop-down list."),
        _(
            "A single wrong row stops the whole import; the preview names every problem."
        ),
    ]
    positive = {
        "type": "decimal",
        "operator": "greaterThan",
        "formula1": "0",
        "error": str(_("Enter a number greater than 0.")),
    }
    dates = {
        "type": "date",
        "operator": "between",
        "formula1": "DATE(1949,1,1)",
        "formula2": "DATE(2100,12,31)",
        "error": str(_("Enter a date such as 2026-06-30.")),
    }
    plan = TemplateSheet(
        _("Plan"),
        headers,
        examples,
        choices={0: [label for _v, label in Category.choices]},
        validations=[
            {"column": 5, **positive},
            {"column": 7, **positive},
            {"column": 8, **dates},
            {"column": 9, **dates},
        ],
        widths=[22, 28, 30, 16, 24, 10, 10, 8, 12, 12, 14, 26],
    )
    codes = reference_sheet("unions", user)
    return template_book([plan, *([codes] if codes else [])], notes)
