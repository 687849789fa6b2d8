"""The main menu: each entry names the roles that may use it.

An entry whose URL does not resolve (an app not installed yet) is left out rather
than breaking every page.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from unionportal.roles import Role

EVERYONE = (Role.CADRE, Role.REVIEWER, Role.LEADER, Role.ADMIN)


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    icon: str
    roles: tuple[str, ...]
    section: str  # the first path segment that marks the entry active


MENU = (
    MenuEntry(
        _("Dashboard"),
        "assessments:dashboard",
        "speedometer2",
        (Role.LEADER, Role.ADMIN),
        "dashboard",
    ),
    MenuEntry(_("Plans"), "planning:plan_list", "journal-text", EVERYONE, "plans"),
    MenuEntry(_("Projects"), "planning:project_list", "kanban", EVERYONE, "projects"),
    MenuEntry(
        _("Progress"), "planning:progress_home", "graph-up-arrow", EVERYONE, "progress"
    ),
    MenuEntry(
        _("Activities"), "planning:activity_home", "flag", EVERYONE, "activities"
    ),
    MenuEntry(
        _("Assessments"), "assessments:home", "clipboard-check", EVERYONE, "assessments"
    ),
    MenuEntry(
        _("Reports"),
        "assessments:report_list",
        "file-earmark-bar-graph",
        (Role.LEADER, Role.ADMIN, Role.REVIEWER),
        "reports",
    ),
    MenuEntry(_("Unions"), "unions:union_list", "diagram-3", EVERYONE, "unions"),
    MenuEntry(
        _("Office terms"), "unions:term_dashboard", "calendar-range", EVERYONE, "terms"
    ),
    MenuEntry(
        _("Administration"),
        "accounts:admin_home",
        "gear",
        (Role.ADMIN,),
        "administration",
    ),
)


def menu_section(path: str) -> str:
    """The first segment of a page's path: the menu entry it belongs to."""
    return path.strip("/").split("/", 1)[0]


def menu_for(user, path: str) -> list[dict]:
    section = menu_section(path)
    entries = []
    for entry in MENU:
        if not user.has_role(*entry.roles):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        entries.append(
            {
                "label": entry.label,
                "url": url,
                "icon": entry.icon,
                "active": section == entry.section,
            }
        )
    return entries
