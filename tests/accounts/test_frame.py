"""The top bar and the main menu are kept rendered per reader (accounts/frame.py):
each reader gets their own name, menu and forms' token, the page's own address
to return to after a change of language, and a change shows on the next page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.frame import next_placeholder
from unionportal.cache import csrf_placeholder

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}


def _page(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _signed_in(user, **kwargs):
    client = Client(headers=EN, **kwargs)
    client.force_login(user, backend="accounts.backends.UnionModelBackend")
    return client


def _menu(html):
    menu = html.split('data-testid="main-menu"')[1].split("</ul>")[0]
    return re.findall(r'href="([^"]+)"', menu)


def test_each_reader_gets_their_own_name_and_menu(leader, cadre_grass):
    leader.first_name, cadre_grass.first_name = "Leader Li", "Cadre Chen"
    leader.save()
    cadre_grass.save()
    leaders = _page(_signed_in(leader))
    cadres = _page(_signed_in(cadre_grass))
    assert "Leader Li" in leaders
    assert "Cadre Chen" not in leaders
    assert "Cadre Chen" in cadres
    assert "Leader Li" not in cadres
    assert reverse("assessments:dashboard") in _menu(leaders)
    assert reverse("assessments:dashboard") not in _menu(cadres)


def test_the_current_menu_entry_follows_the_page(cadre_grass):
    client = _signed_in(cadre_grass)
    home = _page(client)
    projects = _page(client, reverse("planning:project_list"))
    current = r'class="nav-link active" href="([^"]+)"'
    assert re.findall(current, home) == ["/"]
    assert re.findall(current, projects) == [reverse("planning:project_list")]


def test_the_language_form_returns_to_each_pages_own_address(cadre_grass):
    client = _signed_in(cadre_grass)
    first = _page(client, reverse("planning:project_list") + "?status=delayed")
    second = _page(client, reverse("planning:project_list") + "?q=<b>&status=done")
    assert 'name="next" value="/projects/?status=delayed"' in first
    assert 'name="next" value="/projects/?q=%3Cb%3E&amp;status=done"' in second
    for html in (first, second):
        assert next_placeholder() not in html
        assert csrf_placeholder() not in html


def test_the_kept_frames_forms_pass_the_csrf_check(cadre_grass):
    """The frame is rendered once and served twice; the change of language in
    the second page passes the CSRF check with the token that page carried, and
    a post with the placeholder is refused, changing nothing."""
    client = _signed_in(cadre_grass, enforce_csrf_checks=True)
    _page(client)
    html = _page(client, reverse("planning:project_list"))
    form = html.split('id="topbar-language"')[0].rsplit("<form", 1)[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]

    refused = client.post(
        reverse("accounts:set_language"),
        {"language": "zh-hans", "csrfmiddlewaretoken": csrf_placeholder()},
    )
    assert refused.status_code == 403
    cadre_grass.refresh_from_db()
    assert cadre_grass.language != "zh-hans"

    done = client.post(
        reverse("accounts:set_language"),
        {"language": "zh-hans", "next": "/projects/", "csrfmiddlewaretoken": token},
    )
    assert done.status_code == 302
    cadre_grass.refresh_from_db()
    assert cadre_grass.language == "zh-hans"


def test_a_renamed_union_and_a_new_role_show_on_the_next_page(cadre_grass):
    client = _signed_in(cadre_grass)
    before = _page(client)
    assert reverse("assessments:dashboard") not in _menu(before)
    union = cadre_grass.union
    union.name_en = "Renamed Grassroots Union"
    union.save()
    cadre_grass.is_leader = True
    cadre_grass.save()
    after = _page(client)
    assert "Renamed Grassroots Union" in after
    assert reverse("assessments:dashboard") in _menu(after)


def test_the_frame_follows_the_language(cadre_grass):
    client = _signed_in(cadre_grass)
    assert "Sign out" in _page(client)
    cadre_grass.language = "zh-hans"
    cadre_grass.save()
    chinese = _page(client)
    assert "退出登录" in chinese
    assert "Sign out" not in chinese
