"""Who is told what: every planning notification goes through here.

Each message is written in the recipient's own language (their profile choice,
else the site default), since a notification is stored as plain text.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.services import notification_send


def send_in_own_language(
    *,
    recipients: Iterable,
    build: Callable[[], tuple[str, str]],
    url: str = "",
    dedupe_key: str = "",
) -> int:
    """Calls ``build()`` once per language among the recipients and sends."""
    by_language = defaultdict(list)
    for user in {u.pk: u for u in recipients if u is not None and u.is_active}.values():
        by_language[user.language or settings.LANGUAGE_CODE].append(user)
    sent = 0
    for language, users in by_language.items():
        with translation.override(language):
            title, body = build()
        sent += len(
            notification_send(
                recipients=users,
                title=title,
                body=body,
                url=url,
                dedupe_key=dedupe_key,
            )
        )
    return sent


def cadres_of(union_ids) -> list:
    User = get_user_model()
    return list(
        User.objects.filter(union_id__in=list(union_ids), is_active=True, is_cadre=True)
    )


def report_entry_url(report) -> str:
    return (
        reverse("planning:report_entry", args=[report.project_id])
        + f"?period={report.period_start:%Y-%m-%d}"
    )


def report_decided(*, report, approved: bool) -> None:
    """The submitter (and the project's responsible user) hear of a decision."""
    project = report.project
    recipients = [report.submitted_by, project.responsible_user]
    if not any(u is not None for u in recipients):
        recipients = cadres_of([report.union_id])

    def build():
        names = {"project": project.title, "period": report.period_label}
        if approved:
            return (
                _("Progress report approved: %(project)s, %(period)s") % names,
                report.review_comment,
            )
        return (
            _("Progress report returned: %(project)s, %(period)s") % names,
            _("Comment of the reviewer: %(comment)s")
            % {"comment": report.review_comment},
        )

    send_in_own_language(
        recipients=recipients, build=build, url=report_entry_url(report)
    )


def project_delayed(*, project) -> None:
    """The owner union's cadres and the responsible user hear that a project is late."""
    User = get_user_model()
    recipients = User.objects.filter(is_active=True).filter(
        Q(union_id=project.owner_id, is_cadre=True) | Q(pk=project.responsible_user_id)
    )

    def build():
        return (
            _("Project delayed: %(project)s") % {"project": project.title},
            _("The project was due on %(due)s and is %(percent)s%% complete.")
            % {
                "due": f"{project.due_date:%Y-%m-%d}",
                "percent": project.percent_complete,
            },
        )

    send_in_own_language(
        recipients=recipients,
        build=build,
        url=project.get_absolute_url(),
        # Once per due date: moving the due date and missing it again tells again.
        dedupe_key=f"planning:delayed:{project.pk}:{project.due_date:%Y%m%d}",
    )
