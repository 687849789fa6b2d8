"""Every sortable list offers its sorts as one select for phones (the shared
partial templates/partials/sort_select.html): the same keys as its sortable
headers, the current sort chosen, the other filters kept, page 1 again."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from tests.assessments.factories import PeriodFactory, active_scheme, build_report
from tests.planning.factories import (
    PlanItemFactory,
    ProjectFactory,
    ReportFactory,
    WorkPlanFactory,
)
from tests.unions.factories import term_factory
from unions.workflow import term_change_plan

pytestmark = pytest.mark.django_db


def _header_keys(html: str) -> set[str]:
    links = re.findall(r'<a class="sort-link[^"]*" href="\?([^"]*)"', html)
    keys = set()
    for query in links:
        match = re.search(r"(?:^|&)sort=-?([a-z_]+)", unescape(query))
        keys.add(match.group(1))
    return keys


def _select(html: str) -> str:
    match = re.search(r'<form class="sort-select.*?</form>', html, re.S)
    assert match, "no sort select"
    return match.group(0)


def _option_values(form: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', form)


@pytest.fixture
def world(
    monkeypatch,
    admin_user,
    district,
    subdistrict,
    grassroots,
    cadre_grass,
    cadre_sub,
    media_root,
):
    from assessments import services
    from tests.assessments.conftest import stand_in_pdf

    monkeypatch.setattr("assessments.exports.report_pdf_file", stand_in_pdf)
    plan = WorkPlanFactory(owner=district)
    project = ProjectFactory(
        item=PlanItemFactory(plan=plan), owner=grassroots, title="走访慰问项目"
    )
    ReportFactory(project=project)
    term_factory(grassroots)
    term_change_plan(union=grassroots, by=admin_user, day=timezone.localdate())
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.LOGIN, user=cadre_grass, username=cadre_grass.username
    )
    period = PeriodFactory(scheme=active_scheme(district))
    services.period_close(period=period, by=admin_user)
    return {"report": build_report(period), "plan": plan}


LISTS = [
    ("admin_user", "planning:project_list", {}),
    ("admin_user", "unions:union_list", {}),
    ("admin_user", "unions:term_list", {}),
    ("admin_user", "unions:change_list", {}),
    ("admin_user", "accounts:user_list", {}),
    ("admin_user", "accounts:audit_list", {}),
    ("admin_user", "assessments:report_list", {}),
    ("admin_user", "assessments:report_detail", {"report": True}),
    ("cadre_sub", "planning:review_queue", {}),
    ("cadre_grass", "planning:progress_home", {}),
]


@pytest.mark.parametrize(("persona", "name", "extra"), LISTS)
def test_every_sortable_list_offers_its_header_sorts_in_a_select(
    request, client_for, world, persona, name, extra
):
    args = [world["report"].pk] if extra.get("report") else []
    response = client_for(request.getfixturevalue(persona)).get(
        reverse(name, args=args)
    )
    assert response.status_code == 200
    html = response.content.decode()
    keys = _header_keys(html)
    assert keys, f"{name} has no sortable header"
    values = _option_values(_select(html))
    assert values[0] == ""  # the list's own order
    assert set(values[1:]) == keys | {f"-{key}" for key in keys}


def test_the_select_keeps_the_filters_shows_the_sort_and_answers_through_htmx(
    client_for, admin_user, world
):
    url = reverse("planning:project_list")
    html = (
        client_for(admin_user)
        .get(url, {"q": "走访", "origin": "handed", "sort": "-due", "page": "2"})
        .content.decode()
    )
    form = _select(html)
    assert f'hx-get="{url}"' in form
    assert 'hx-target="#project-rows"' in form
    assert 'class="sort-select d-flex d-md-none' in form
    assert '<input type="hidden" name="q" value="走访">' in form
    assert '<input type="hidden" name="origin" value="handed">' in form
    assert 'name="page"' not in form
    assert 'name="sort" value=' not in form
    assert '<option value="-due" selected>' in form


def test_a_sort_chosen_in_the_select_orders_the_rows(client_for, admin_user, world):
    from tests.planning.factories import ProjectFactory as Project

    for title in ("B project", "A project", "C project"):
        Project(
            item=PlanItemFactory(plan=world["plan"]),
            owner=admin_user.union,
            title=title,
        )
    response = client_for(admin_user).get(
        reverse("planning:project_list"), {"sort": "-title"}, HTTP_HX_REQUEST="true"
    )
    titles = [p.title for p in response.context["page"].object_list]
    assert titles == sorted(titles, reverse=True)
    assert '<option value="-title" selected>' in response.content.decode()


def test_the_review_queue_names_its_order_again_when_sorted_through_htmx(
    client_for, cadre_sub, world
):
    url = reverse("planning:review_queue")
    client = client_for(cadre_sub)
    page = client.get(url).content.decode()
    assert "Oldest first." in page
    rows = client.get(url, {"sort": "-percent"}, HTTP_HX_REQUEST="true")
    html = rows.content.decode()
    assert 'id="review-order" hx-swap-oob="true"' in html
    assert "Progress reports of the units below your union.</p>" in html
