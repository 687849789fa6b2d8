"""The access rules of planning written for the database's sake (a city-wide or a
narrow form, a reviewer's shortcut, the project page's flags) give exactly the
answers of their plain definitions, for every persona, on a world with the edge
cases: participants in another sub-district, a reporting union that no longer
takes part, draft and closed plans."""

import pytest
from django.utils import timezone

from planning import querysets
from planning.models import KeyWorkProject, ProgressReport, WorkPlan
from planning.querysets import project_permissions
from tests.accounts.factories import UserFactory

from .factories import PlanItemFactory, ProjectFactory, ReportFactory, past_period

PERSONAS = (
    "admin_user",
    "admin_sub",
    "leader",
    "reviewer",
    "cadre_sub",
    "cadre_grass",
    "outsider",
    "foreign_admin",
    "foreign_reviewer",
    "superuser",
)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root_t", union=None, is_superuser=True)


@pytest.fixture
def world(
    district,
    subdistrict,
    grassroots,
    grassroots_sibling,
    other_subdistrict,
    other_grassroots,
    other_district,
):
    year = timezone.localdate().year
    plan = PlanItemFactory(plan__owner=district).plan
    draft = PlanItemFactory(
        plan__owner=district, plan__year=year + 1, plan__status=WorkPlan.Status.DRAFT
    )
    closed = PlanItemFactory(
        plan__owner=district, plan__year=year - 1, plan__status=WorkPlan.Status.CLOSED
    )
    foreign = PlanItemFactory(plan__owner=other_district)

    def item():
        return PlanItemFactory(plan=plan)

    own = ProjectFactory(item=item(), owner=grassroots)
    shared = ProjectFactory(
        item=item(), owner=other_grassroots, participants=[grassroots]
    )
    sub = ProjectFactory(item=item(), owner=subdistrict, participants=[grassroots])
    left = ProjectFactory(item=item(), owner=other_grassroots)
    drafted = ProjectFactory(item=draft, owner=grassroots)
    old = ProjectFactory(item=closed, owner=grassroots_sibling)
    far = ProjectFactory(item=foreign, owner=other_district)
    reports = [
        ReportFactory(project=own),
        ReportFactory(project=own, period=past_period(own, 2), status="approved"),
        ReportFactory(project=shared),
        ReportFactory(project=shared, union=grassroots),
        ReportFactory(project=sub),
        ReportFactory(project=sub, union=grassroots, status="returned"),
        # A union that took part, reported, and was taken off the project.
        ReportFactory(project=left, union=grassroots),
        ReportFactory(project=drafted),
        ReportFactory(project=old, status="approved"),
        ReportFactory(project=far),
    ]
    return {"projects": [own, shared, sub, left, drafted, old, far], "reports": reports}


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("model", [KeyWorkProject, ProgressReport])
def test_city_wide_and_narrow_forms_of_visible_to_agree(
    request, world, persona, model, monkeypatch
):
    user = request.getfixturevalue(persona)
    monkeypatch.setattr(querysets, "_has_wide_scope", lambda user: True)
    wide = _ids(model.objects.visible_to(user))
    monkeypatch.setattr(querysets, "_has_wide_scope", lambda user: False)
    narrow = _ids(model.objects.visible_to(user))
    assert wide == narrow


@pytest.mark.parametrize("persona", PERSONAS)
def test_report_visibility_is_its_definition(request, world, persona):
    """A report is seen when its project is, and its union or the project's
    owner is in the user's subtree."""
    from unionportal.access import union_in_scope

    user = request.getfixturevalue(persona)
    projects = _ids(KeyWorkProject.objects.visible_to(user))
    expected = {
        r.pk
        for r in world["reports"]
        if r.project_id in projects
        and (union_in_scope(user, r.union) or union_in_scope(user, r.project.owner))
    }
    assert _ids(ProgressReport.objects.visible_to(user)) == expected


# Generated only for the personas it concerns (no skipped test for the others,
# who are checked to review nothing below).
REVIEWERS = ("reviewer", "cadre_sub", "foreign_reviewer")
NOT_REVIEWERS = tuple(p for p in PERSONAS if p not in REVIEWERS)


@pytest.mark.parametrize("persona", NOT_REVIEWERS)
def test_nobody_but_a_reviewer_reviews(request, world, persona):
    user = request.getfixturevalue(persona)
    assert not user.has_role("reviewer")
    assert not ProgressReport.objects.reviewable_by(user).exists()


@pytest.mark.parametrize("persona", REVIEWERS)
def test_reviewable_by_is_visible_reports_strictly_below_on_published_plans(
    request, world, persona
):
    user = request.getfixturevalue(persona)
    assert user.has_role("reviewer")
    expected = ProgressReport.objects.visible_to(user).filter(
        project__plan__status="published"
    )
    if user.union_id:
        expected = expected.filter(union__path__startswith=user.union.path).exclude(
            union_id=user.union_id
        )
    assert _ids(ProgressReport.objects.reviewable_by(user)) == _ids(expected)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_project_pages_flags_are_the_querysets_answers(request, world, persona):
    user = request.getfixturevalue(persona)
    for project in KeyWorkProject.objects.visible_to(user).select_related(
        "plan", "owner"
    ):
        participants = set(project.participants.values_list("pk", flat=True))
        flags = project_permissions(project, user, participants)
        assert flags == {
            "edit": KeyWorkProject.objects.editable_by(user)
            .filter(pk=project.pk)
            .exists(),
            "report": KeyWorkProject.objects.reportable_by(user)
            .filter(pk=project.pk)
            .exists(),
            "milestones": KeyWorkProject.objects.milestones_editable_by(user)
            .filter(pk=project.pk)
            .exists(),
            "hand_down": KeyWorkProject.objects.hand_down_by(user)
            .filter(pk=project.pk)
            .exists(),
        }, project.title


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_project_pages_reports_are_the_visible_ones(request, world, persona):
    user = request.getfixturevalue(persona)
    for project in KeyWorkProject.objects.visible_to(user).select_related("owner"):
        shown = _ids(ProgressReport.objects.of_visible_project(project, user))
        visible = _ids(ProgressReport.objects.visible_to(user).filter(project=project))
        assert shown == visible, project.title
