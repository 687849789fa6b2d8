"""Who is told what: every planning notification goes through here.

A notification is stored as a kind and its parameters (accounts/notices.py) and
rendered in the reader's language when read; the kinds are registered below, from
``PlanningConfig.ready()``.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import notices
from accounts.services import notification_send

REPORT_SUBMITTED = "planning.report_submitted"
REPORT_APPROVED = "planning.report_approved"
REPORT_RETURNED = "planning.report_returned"
REPORT_REMINDERS = "planning.report_reminders"
PROJECT_DELAYED = "planning.project_delayed"
WORK_HANDED_OUT = "planning.work_handed_out"
PROJECT_PROPOSED = "planning.project_proposed"
PROJECT_PROPOSAL_DECIDED = "planning.project_proposal_decided"


def period_text(start: str, end: str) -> str:
    """A reporting period in the reader's words: 2026年11月, 2026年第四季度."""
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if last.month - first.month >= 2:
        return _("%(year)s Q%(quarter)s") % {
            "year": first.year,
            "quarter": (first.month - 1) // 3 + 1,
        }
    return _("%(year)s-%(month)s") % {"year": first.year, "month": f"{first.month:02d}"}


def _report_params(report) -> dict:
    return {
        "project": report.project.title,
        "union": notices.bilingual(report.union),
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "comment": report.review_comment,
    }


def _names(params: dict) -> dict:
    return {
        "project": params["project"],
        "union": notices.pick(params.get("union", "")),
        "period": period_text(params["period_start"], params["period_end"]),
    }


def _render_submitted(params):
    names = _names(params)
    if params.get("again"):
        title = _("Progress report resubmitted: %(union)s, %(project)s, %(period)s")
    else:
        title = _("Progress report submitted: %(union)s, %(project)s, %(period)s")
    return title % names, _("It is waiting for your review.")


def _render_approved(params):
    return (
        _("Progress report approved: %(project)s, %(period)s") % _names(params),
        params.get("comment", ""),
    )


def _render_returned(params):
    return (
        _("Progress report returned: %(project)s, %(period)s") % _names(params),
        _("Comment of the reviewer: %(comment)s") % {"comment": params["comment"]},
    )


def _render_reminders(params):
    lines = []
    for entry in params["entries"]:
        names = {
            "project": entry["project"],
            "period": period_text(entry["period_start"], entry["period_end"]),
            "deadline": entry["deadline"],
        }
        if entry["overdue"]:
            lines.append(
                _("Overdue: %(project)s, %(period)s (deadline %(deadline)s)") % names
            )
        else:
            lines.append(
                _("Due soon: %(project)s, %(period)s (deadline %(deadline)s)") % names
            )
    count = len(params["entries"])
    title = ngettext(
        "%(count)s progress report needs you",
        "%(count)s progress reports need you",
        count,
    ) % {"count": count}
    return title, "\n".join(lines)


def _render_delayed(params):
    return (
        _("Project delayed: %(project)s") % {"project": params["project"]},
        _("The project was due on %(due)s and is %(percent)s%% complete.")
        % {"due": params["due"], "percent": params["percent"]},
    )


def _render_handed_out(params):
    return (
        _("New key work handed out: %(title)s") % {"title": params["title"]},
        _(
            "%(from)s handed this work to your union: target %(target)s, due "
            "%(due)s. Report its progress under Progress."
        )
        % {
            "from": notices.pick(params["from"]),
            "target": params["target"],
            "due": params["due"],
        },
    )


def _render_proposed(params):
    return (
        _("Self-chosen project proposed: %(union)s, %(title)s")
        % {"union": notices.pick(params["union"]), "title": params["title"]},
        _("It is waiting for your approval."),
    )


def _render_proposal_decided(params):
    if params["approved"]:
        title = _("Self-chosen project approved: %(title)s")
    else:
        title = _("Self-chosen project returned: %(title)s")
    body = (
        _("Comment of the reviewer: %(comment)s") % {"comment": params["comment"]}
        if params.get("comment")
        else ""
    )
    return title % {"title": params["title"]}, body


def register_kinds() -> None:
    notices.register(
        PROJECT_PROPOSED,
        label=gettext_lazy("A unit below proposed a self-chosen project"),
        render=_render_proposed,
    )
    notices.register(
        PROJECT_PROPOSAL_DECIDED,
        label=gettext_lazy("My union's self-chosen project was approved or returned"),
        render=_render_proposal_decided,
    )
    notices.register(
        REPORT_SUBMITTED,
        label=gettext_lazy("A progress report was submitted for my review"),
        render=_render_submitted,
    )
    notices.register(
        REPORT_APPROVED,
        label=gettext_lazy("My union's progress report was approved"),
        render=_render_approved,
    )
    notices.register(
        REPORT_RETURNED,
        label=gettext_lazy("My union's progress report was returned"),
        render=_render_returned,
    )
    notices.register(
        REPORT_REMINDERS,
        label=gettext_lazy("Progress reports due soon or overdue"),
        render=_render_reminders,
    )
    notices.register(
        PROJECT_DELAYED,
        label=gettext_lazy("A project of my union is delayed"),
        render=_render_delayed,
    )
    notices.register(
        WORK_HANDED_OUT,
        label=gettext_lazy("Key work was handed out to my union"),
        render=_render_handed_out,
    )


# --- who hears it ---------------------------------------------------------------------


def cadres_of(union_ids) -> list:
    User = get_user_model()
    return list(
        User.objects.filter(union_id__in=list(union_ids), is_active=True, is_cadre=True)
    )


def reviewers_of(union) -> list:
    """The reviewers of the nearest union above ``union`` that has any: a grassroots
    union's report goes to its sub-district's reviewers, a sub-district's to the
    district's. One query."""
    User = get_user_model()
    ancestors = [int(pk) for pk in union.path.strip("/").split("/")[:-1] if pk]
    reviewers = list(
        User.objects.filter(union_id__in=ancestors, is_active=True, is_reviewer=True)
    )
    if not reviewers:
        return []
    depth = {pk: index for index, pk in enumerate(ancestors)}
    nearest = max(depth[user.union_id] for user in reviewers)
    return [user for user in reviewers if depth[user.union_id] == nearest]


def report_entry_url(report) -> str:
    return (
        reverse("planning:report_entry", args=[report.project_id])
        + f"?period={report.period_start:%Y-%m-%d}"
    )


def report_submitted(*, report, again: bool) -> None:
    """The reviewers above the reporting union hear of a (re)submitted report."""
    notification_send(
        recipients=reviewers_of(report.union),
        kind=REPORT_SUBMITTED,
        params={**_report_params(report), "again": again},
        url=reverse("planning:report_detail", args=[report.pk]),
    )


def report_decided(*, report, approved: bool) -> None:
    """The submitter (and the project's responsible user) hear of a decision."""
    project = report.project
    recipients = [report.submitted_by, project.responsible_user]
    if not any(u is not None for u in recipients):
        recipients = cadres_of([report.union_id])
    notification_send(
        recipients=recipients,
        kind=REPORT_APPROVED if approved else REPORT_RETURNED,
        params=_report_params(report),
        url=report_entry_url(report),
    )


def reminders(*, user, entries: list, today: date) -> int:
    """One digest of the reports due soon or overdue for one cadre."""
    params = {
        "entries": [
            {
                "project": slot.project.title,
                "period_start": slot.period.start.isoformat(),
                "period_end": slot.period.end.isoformat(),
                "deadline": f"{slot.period.deadline:%Y-%m-%d}",
                "overdue": overdue,
            }
            for slot, overdue in entries
        ]
    }
    return len(
        notification_send(
            recipients=[user],
            kind=REPORT_REMINDERS,
            params=params,
            url=reverse("planning:progress_home"),
            dedupe_key=f"planning:digest:{user.pk}:{today:%Y%m%d}",
        )
    )


def project_delayed(*, project) -> None:
    """The owner union's cadres and the responsible user hear that a project is late."""
    User = get_user_model()
    recipients = User.objects.filter(is_active=True).filter(
        Q(union_id=project.owner_id, is_cadre=True) | Q(pk=project.responsible_user_id)
    )
    notification_send(
        recipients=recipients,
        kind=PROJECT_DELAYED,
        params={
            "project": project.title,
            "due": f"{project.due_date:%Y-%m-%d}",
            "percent": str(project.percent_complete),
        },
        url=project.get_absolute_url(),
        # Once per due date: moving the due date and missing it again tells again.
        dedupe_key=f"planning:delayed:{project.pk}:{project.due_date:%Y%m%d}",
    )


def work_handed_out(*, projects: list, by_union) -> None:
    """Each receiving union's cadres hear of the project it was given."""
    cadres: dict[int, list] = {}
    for user in cadres_of({p.owner_id for p in projects}):
        cadres.setdefault(user.union_id, []).append(user)
    for project in projects:
        notification_send(
            recipients=cadres.get(project.owner_id, []),
            kind=WORK_HANDED_OUT,
            params={
                "title": project.title,
                "from": notices.bilingual(by_union) if by_union is not None else "",
                "target": f"{project.target_value.normalize():f} {project.target_unit}",
                "due": f"{project.due_date:%Y-%m-%d}",
            },
            url=project.get_absolute_url(),
            dedupe_key=f"planning:handed-out:{project.pk}",
        )


def project_proposed(*, project) -> None:
    """The reviewers above the proposing union hear of a (re)proposed project."""
    notification_send(
        recipients=reviewers_of(project.owner),
        kind=PROJECT_PROPOSED,
        params={"title": project.title, "union": notices.bilingual(project.owner)},
        url=project.get_absolute_url(),
    )


def proposal_decided(*, project, approved: bool) -> None:
    """The proposer (else the owner union's cadres) hears of the decision."""
    recipients = [project.proposed_by] if project.proposed_by_id else []
    if not recipients:
        recipients = cadres_of([project.owner_id])
    notification_send(
        recipients=recipients,
        kind=PROJECT_PROPOSAL_DECIDED,
        params={
            "title": project.title,
            "approved": approved,
            "comment": project.proposal_comment,
        },
        url=project.get_absolute_url(),
    )
