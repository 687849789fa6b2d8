"""Plans and project lists out to Excel, the way the district office reads them:
one row per project, streamed (unionportal/xlsxstream.py), so a city's projects
export in flat memory."""

import tempfile

from django.utils.translation import gettext as _

from unionportal.xlsxstream import StreamingWorkbook

from ..models import Category, KeyWorkProject, WorkPlan
from .excel import COLUMNS

# The columns of an exported project, read as values rather than model instances.
_PROJECT_VALUES = (
    "pk",
    "item_id",
    "category",
    "item__title",
    "item__description",
    "owner__code",
    "title",
    "target_value",
    "target_unit",
    "weight",
    "start_date",
    "due_date",
    "responsible_person",
    "status",
    "percent_complete",
    "achieved_value",
)
# Projects read from the database at a time.
EXPORT_CHUNK = 2000
_WIDTHS = [22, 30, 30, 14, 30, 10, 10, 8, 12, 12, 16, 24, 12, 10, 10]


def _float(value):
    return float(value) if value is not None else ""


def _participant_codes(projects) -> dict[int, str]:
    """ "CODE1, CODE2" per project of the queryset that has participants, in the
    order of the union tree: one query, whose rows are the participations (a
    tenth of the projects; 22,000 in a city)."""
    through = KeyWorkProject.participants.through
    codes: dict[int, list[str]] = {}
    for project_id, code in (
        through.objects.filter(keyworkproject__in=projects.order_by().values("pk"))
        .order_by("union__path")
        .values_list("keyworkproject_id", "union__code")
    ):
        codes.setdefault(project_id, []).append(code)
    return {project_id: ", ".join(found) for project_id, found in codes.items()}


def _project_rows(projects, covered: set | None = None):
    """The export's rows for a queryset of projects, in its order, generated from
    its values as they stream in (a server-side cursor on PostgreSQL, read
    ``EXPORT_CHUNK`` rows at a time), so that memory does not grow with the
    number of projects."""
    categories = {value: str(label) for value, label in Category.choices}
    statuses = {value: str(label) for value, label in KeyWorkProject.Status.choices}
    participants = _participant_codes(projects)
    for (
        pk,
        item_id,
        category,
        item_title,
        item_description,
        owner_code,
        title,
        target_value,
        target_unit,
        weight,
        start_date,
        due_date,
        responsible,
        status,
        percent,
        achieved,
    ) in projects.values_list(*_PROJECT_VALUES).iterator(chunk_size=EXPORT_CHUNK):
        if covered is not None:
            covered.add(item_id)
        yield [
            categories.get(category, category),
            item_title,
            item_description,
            owner_code,
            title,
            float(target_value),
            target_unit,
            float(weight),
            f"{start_date:%Y-%m-%d}",
            f"{due_date:%Y-%m-%d}",
            responsible,
            participants.get(pk, ""),
            statuses.get(status, status),
            float(percent),
            _float(achieved),
        ]


def _export_headers() -> list[str]:
    return [str(label) for _key, label in COLUMNS] + [
        _("Status"),
        _("Percent complete"),
        _("Achieved"),
    ]


def plan_export(*, plan: WorkPlan):
    """The plan as the import reads it, plus progress columns: a temporary file."""
    projects = plan.projects.order_by(
        "item__category", "item__order", "item__pk", "owner__path"
    )
    covered = set()

    def rows():
        yield from _project_rows(projects, covered)
        for item in plan.items.exclude(pk__in=covered).order_by("category", "order"):
            yield [
                item.get_category_display(),
                item.title,
                item.description,
                "",
                "",
                float(item.target_value),
                item.target_unit,
                float(item.weight),
                "",
                f"{item.due_date:%Y-%m-%d}",
                "",
                "",
            ]

    return _save(_("Plan"), _export_headers(), rows())


def projects_export(*, projects):
    """Exactly the projects given (the list's filters applied), streamed from
    the database into the file (139,579 projects: seconds, and flat memory)."""
    return _save(_("Projects"), _export_headers(), _project_rows(projects))


def _save(title, headers, rows):
    """The rows written as they come into a temporary .xlsx file, rewound for
    ``FileResponse`` to stream (and close)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    with StreamingWorkbook(handle) as workbook:
        sheet = workbook.add_sheet(title, headers, widths=_WIDTHS)
        for row in rows:
            sheet.append(row)
    handle.seek(0)
    return handle
