"""The objects the permission matrix points its URLs at, built on demand.

Every object lives in the test tree of tests/conftest.py. Unless a rule says
otherwise, the *target* of a URL belongs to ``grassroots`` (where ``cadre_grass``
works): the district personas and ``cadre_sub`` see it, ``outsider`` (a cadre of the
other sub-district) does not. Each builder runs at most once per test.
"""

from functools import cached_property

PERSONAS = ("admin", "leader", "reviewer", "cadre_sub", "cadre_grass", "outsider")
FIXTURE_OF = {
    "admin": "admin_user",
    "leader": "leader",
    "reviewer": "reviewer",
    "cadre_sub": "cadre_sub",
    "cadre_grass": "cadre_grass",
    "outsider": "outsider",
}
UNION_FIXTURES = (
    "district",
    "subdistrict",
    "grassroots",
    "grassroots_sibling",
    "other_subdistrict",
    "other_grassroots",
)


class World:
    def __init__(self, request):
        self._request = request
        self._cache: dict = {}

    def fixture(self, name):
        return self._request.getfixturevalue(name)

    def user(self, persona: str):
        return self.fixture(FIXTURE_OF[persona])

    def union(self, name: str):
        return self.fixture(name)

    def once(self, key, build):
        """Builds ``key`` the first time it is asked for, then returns the same object."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    # --- accounts --------------------------------------------------------------------

    @cached_property
    def notification(self):
        from tests.accounts.factories import NotificationFactory

        return NotificationFactory(recipient=self.user("cadre_grass"))

    @cached_property
    def api_token(self):
        from unionportal.api.tokens import api_token_create

        token, _key = api_token_create(user=self.user("cadre_grass"), name="matrix")
        return token
