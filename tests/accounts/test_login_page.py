"""The sign-in page as a signed-in user reaches it (found by tests/trust/test_form_fuzz.py)."""

import pytest
from django.urls import reverse

from tests.snapshots import assert_unchanged


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_next_back_to_the_sign_in_page_goes_home_not_a_500(
    client_for, cadre_grass, method
):
    login = reverse("login")
    client = client_for(cadre_grass)
    with assert_unchanged():
        response = getattr(client, method)(f"{login}?next={login}", {"next": login})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_safe_next_is_still_followed(client_for, cadre_grass):
    response = client_for(cadre_grass).get(
        reverse("login"), {"next": reverse("unions:union_list")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("unions:union_list")
