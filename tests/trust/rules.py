"""The permission matrix: for every URL of the project, who may do what.

Each entry of ``RULES`` is keyed by the URL's name (or its route when it has none)
and says, per HTTP method, what each persona must get:

    ok     GET: 200 · writes: passed the access check (2xx, 3xx, or 400/409/412/428
           when the data or the object's state is refused)
    403    may see the object but not do this
    404    may not see the object (nor learn that it exists)
    405    the method is not offered
    login  anonymous pages: a redirect to the sign-in page; API: 401 or 403

``expect("admin:ok leader:403 ...")`` must name all six personas (see world.py); the
anonymous visitor gets ``login`` unless the string names ``anonymous`` too. A URL
with no entry here makes tests/trust/test_permission_matrix.py fail, so a new view
cannot ship without someone deciding who may use it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.trust.world import PERSONAS, World

ALL_PERSONAS = ("anonymous", *PERSONAS)
OUTCOMES = {"ok", "403", "404", "405", "login", "302"}


def expect(spec: str) -> dict[str, str]:
    outcomes = {}
    for part in spec.split():
        persona, outcome = part.split(":")
        if persona == "*":
            for p in PERSONAS:
                outcomes.setdefault(p, outcome)
            continue
        assert persona in ALL_PERSONAS, f"unknown persona {persona!r} in {spec!r}"
        assert outcome in OUTCOMES, f"unknown outcome {outcome!r} in {spec!r}"
        outcomes[persona] = outcome
    missing = set(PERSONAS) - set(outcomes)
    assert not missing, f"{spec!r} does not say what {sorted(missing)} get"
    outcomes.setdefault("anonymous", "login")
    return outcomes


# Shorthands for the common shapes.
EVERYONE = expect("*:ok")
ADMIN_ONLY = expect("admin:ok *:403")
# A POST-only view behind @login_required: anonymous visitors are sent to sign in.
NOT_OFFERED = expect("*:405")
ANYONE_AT_ALL = expect("*:ok anonymous:ok")


def no_kwargs(world: World) -> dict:
    return {}


def no_data(world: World) -> dict:
    return {}


@dataclass(frozen=True)
class Rule:
    methods: dict[str, dict[str, str]]
    kwargs: Callable[[World], dict] = no_kwargs
    data: Callable[[World], dict] = no_data
    # For list pages: {persona: [text that must not appear]} built from the world.
    hidden: Callable[[World], dict[str, list[str]]] | None = None
    # Query string added to GET requests (e.g. a required filter).
    query: dict = field(default_factory=dict)
    note: str = ""


def page(get=EVERYONE, post=None, **kwargs) -> Rule:
    """A page: GET as given. Without ``post``, the matrix still checks that a POST
    gets no further than a GET, and that a read-only leader's POST is refused."""
    methods = {"GET": get}
    if post is not None:
        methods["POST"] = post
    return Rule(methods=methods, **kwargs)


def action(post, get=NOT_OFFERED, **kwargs) -> Rule:
    """A POST-only action (@require_POST)."""
    return Rule(methods={"GET": get, "POST": post}, **kwargs)


# --- the rules ----------------------------------------------------------------------

RULES: dict[str, Rule] = {}


def rules(**entries: Rule) -> None:
    for key, rule in entries.items():
        assert key not in RULES, f"two rules for {key}"
        RULES[key] = rule


def add(key: str, rule: Rule) -> None:
    assert key not in RULES, f"two rules for {key}"
    RULES[key] = rule


# unionportal and accounts ------------------------------------------------------------

add("home", page())
add("healthz", page(get=ANYONE_AT_ALL))
add(
    "login",
    page(
        # Signed-in users are sent on to the home page.
        get=expect("*:302 anonymous:ok"),
        post=expect("*:302 anonymous:ok"),
    ),
)
# Signing out lands on the sign-in page, for everyone.
add(
    "logout",
    action(post=expect("*:login anonymous:login"), get=expect("*:405 anonymous:405")),
)
add("password_change", page(post=EVERYONE))
add("password_change_done", page())
add("accounts:profile", page())
add(
    "accounts:set_language",
    action(post=expect("*:ok anonymous:ok"), get=expect("*:405 anonymous:405")),
)
add("accounts:token_create", action(post=EVERYONE))
add(
    "accounts:token_revoke",
    action(
        post=expect("cadre_grass:ok *:404"),
        kwargs=lambda w: {"pk": w.api_token.pk},
    ),
)
add("accounts:notification_list", page())
add(
    "accounts:notification_read",
    action(
        post=expect("cadre_grass:ok *:404"),
        kwargs=lambda w: {"pk": w.notification.pk},
    ),
)
add("accounts:notifications_read_all", action(post=EVERYONE))
add("accounts:admin_home", page(get=ADMIN_ONLY))
add("accounts:user_list", page(get=ADMIN_ONLY))
add("accounts:user_create", page(get=ADMIN_ONLY, post=ADMIN_ONLY))
add(
    "accounts:user_edit",
    page(
        get=ADMIN_ONLY,
        post=ADMIN_ONLY,
        kwargs=lambda w: {"pk": w.user("cadre_grass").pk},
    ),
)
add("accounts:audit_list", page(get=ADMIN_ONLY))
