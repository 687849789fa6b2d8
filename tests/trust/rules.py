"""The permission matrix: for every URL of the project, who may do what.

Each entry of ``RULES`` is keyed by the URL's name (or its route when it has none)
and says, per HTTP method, what each persona must get:

    ok     GET: 200 · writes: passed the access check (2xx, 3xx, or 400/409/412/428
           when the data or the object's state is refused)
    400    a write refused for its data before any access question arose (e.g. it
           names an object the persona cannot see: to them it does not exist)
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
OUTCOMES = {"ok", "400", "403", "404", "405", "login", "302"}


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
# Administrators of any union (the district's, a sub-district's) reach these pages;
# what they may change there is scoped to their subtree.
ADMIN_ONLY = expect("admin:ok admin_sub:ok *:403")
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
    # For list pages: {persona: [text that must not appear]} built from the world,
    # and the text that must appear (so that a page listing nothing cannot pass).
    hidden: Callable[[World], dict[str, list[str]]] | None = None
    shown: Callable[[World], dict[str, list[str]]] | None = None
    # Query string added to GET requests (e.g. a required filter).
    query: dict = field(default_factory=dict)
    # A permitted write must change rows (the matrix compares every table); False
    # for writes that touch only the session (signing in and out, the language).
    changes: bool = True
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
        changes=False,
    ),
)
# Signing out lands on the sign-in page, for everyone.
add(
    "logout",
    action(
        post=expect("*:login anonymous:login"),
        get=expect("*:405 anonymous:405"),
        changes=False,
    ),
)


def _new_password(world: World) -> dict:
    from tests.accounts.factories import PASSWORD

    return {
        "old_password": PASSWORD,
        "new_password1": "Quarterly-Review-2026!",
        "new_password2": "Quarterly-Review-2026!",
    }


add("password_change", page(post=EVERYONE, data=_new_password))
add("password_change_done", page())
add("accounts:profile", page())
add(
    "accounts:set_language",
    action(
        post=expect("*:ok anonymous:ok"),
        get=expect("*:405 anonymous:405"),
        changes=False,  # the language of an anonymous visitor lives in a cookie
    ),
)
add("accounts:token_create", action(post=EVERYONE, data=lambda w: {"name": "matrix"}))
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
add("accounts:notification_settings", action(post=EVERYONE))
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
# The bulk user import (accounts/imports.py): its preview writes nothing by design;
# the confirmation's permitted side (users created) is proven in
# tests/accounts/test_user_import.py with a real workbook and token.
add(
    "accounts:user_import",
    page(get=ADMIN_ONLY, post=ADMIN_ONLY, changes=False),
)
add(
    "accounts:user_import_confirm",
    action(post=ADMIN_ONLY, get=expect("admin:405 admin_sub:405 *:403")),
)
add("accounts:user_import_template", page(get=ADMIN_ONLY))
# A forgotten password: open to anyone, the same neutral answer whatever the
# address (tests/accounts/test_password_reset.py proves the reset itself).
# (A read-only leader's POST is refused by ReadOnlyRoleMiddleware, as everywhere.)
SENDS_ANYONE = expect("*:ok leader:403 anonymous:ok")
add(
    "password_reset",
    page(get=ANYONE_AT_ALL, post=SENDS_ANYONE, changes=False),
)
add("password_reset_done", page(get=ANYONE_AT_ALL))
add(
    "password_reset_confirm",
    page(
        get=ANYONE_AT_ALL,
        post=SENDS_ANYONE,
        kwargs=lambda w: {"uidb64": "MQ", "token": "not-a-token"},
        changes=False,  # a link that is not valid changes nothing
    ),
)
add("password_reset_complete", page(get=ANYONE_AT_ALL))


# --- how to point a URL at the world's objects -------------------------------------------


def pk(attr: str, name: str = "pk", **extra) -> Callable[[World], dict]:
    """URL kwargs ``{name: world.<attr>.pk, **extra}``."""

    def build(world: World) -> dict:
        return {name: getattr(world, attr).pk, **extra}

    return build


def union_pk(name: str = "pk", union: str = "grassroots", **extra):
    def build(world: World) -> dict:
        return {name: world.union(union).pk, **extra}

    return build


def period_unit(world: World) -> dict:
    return {"pk": world.period.pk, "union_pk": world.union("grassroots").pk}


def report_job(world: World) -> dict:
    return {"job": world.quarter_report.run_token}


URL_KWARGS: dict[str, Callable[[World], dict]] = {
    # unions
    "unions:union_detail": union_pk(),
    "unions:union_edit": union_pk(),
    "unions:union_deactivate": union_pk(),
    "unions:union_activate": union_pk(),
    "unions:term_create": union_pk(),
    "unions:person_detail": pk("person"),
    "unions:person_edit": pk("person"),
    "unions:position_end": pk("position"),
    "unions:term_detail": pk("term"),
    "unions:term_edit": pk("term"),
    "unions:position_add": pk("term"),
    "unions:change_detail": pk("change"),
    "unions:change_step": pk("change", step="submitted"),
    "unions:change_cancel": pk("change"),
    "unions:step_document": pk("change_step"),
    # planning
    "planning:plan_detail": pk("plan"),
    "planning:plan_edit": pk("plan"),
    "planning:plan_publish": pk("plan"),
    "planning:plan_close": pk("plan"),
    "planning:plan_export": pk("plan"),
    "planning:plan_hand_out": pk("plan"),
    "planning:item_create": pk("plan"),
    "planning:item_edit": pk("plan_item"),
    "planning:project_detail": pk("project"),
    "planning:project_edit": pk("project"),
    "planning:project_hand_down": pk("project"),
    "planning:project_proposal_edit": pk("proposal"),
    "planning:project_proposal_decide": pk("proposal"),
    "planning:milestone_create": pk("project"),
    "planning:milestone_toggle": pk("milestone"),
    "planning:milestone_delete": pk("milestone"),
    "planning:report_entry": pk("project"),
    "planning:report_detail": pk("report"),
    "planning:report_review": pk("report"),
    "planning:report_evidence_upload": pk("draft_report"),
    "planning:evidence_download": pk("evidence"),
    "planning:evidence_delete": pk("evidence"),
    "planning:campaign_detail": pk("campaign"),
    "planning:campaign_edit": pk("campaign"),
    "planning:event_detail": pk("event"),
    "planning:event_edit": pk("event"),
    "planning:event_evidence_upload": pk("event"),
    # assessments
    "assessments:scheme_detail": pk("scheme"),
    "assessments:scheme_edit": pk("scheme"),
    "assessments:scheme_action": pk("scheme", action="archive"),
    "assessments:category_create": pk("scheme", "scheme_pk"),
    "assessments:category_edit": pk("category"),
    "assessments:category_delete": pk("category"),
    "assessments:indicator_create": pk("scheme", "scheme_pk"),
    "assessments:indicator_edit": pk("indicator"),
    "assessments:indicator_delete": pk("indicator"),
    "assessments:exemption_create": pk("indicator", "indicator_pk"),
    "assessments:exemption_delete": pk("exemption"),
    "assessments:period_create": pk("scheme", "scheme_pk"),
    "assessments:period_detail": pk("period"),
    "assessments:period_reopen": pk("period"),
    "assessments:period_close": pk("period"),
    "assessments:report_build": pk("period"),
    "assessments:report_status": pk("period"),
    "assessments:report_files_build": pk("period"),
    "assessments:unit_scoring": period_unit,
    "assessments:unit_scoring_totals": period_unit,
    # "close" is the checklist page (assessments:period_close); publish stands in.
    "assessments:period_action": pk("period", action="publish"),
    "assessments:score_evidence": pk("score"),
    "assessments:unit_scorecard": union_pk("union_pk"),
    "assessments:report_detail": pk("quarter_report"),
    "assessments:report_download": pk("quarter_report", kind="xlsx"),
    "assessments:report_notice": pk("quarter_report"),
    "assessments:report_files": pk("quarter_report"),
    # API
    "union-detail": union_pk(),
    "union-activate": union_pk(),
    "union-deactivate": union_pk(),
    "term-detail": pk("term"),
    "term-change-detail": pk("change"),
    "term-change-advance": pk("change"),
    "term-change-cancel": pk("change"),
    "plan-detail": pk("plan"),
    "plan-close": pk("plan"),
    "plan-publish": pk("plan"),
    "plan-item-detail": pk("plan_item"),
    "plan-item-hand-out": pk("plan_item"),
    "project-detail": pk("project"),
    "report-detail": pk("report"),
    "report-approve": pk("report"),
    "report-return": pk("report"),
    "report-submit": pk("draft_report"),
    "report-evidence": pk("draft_report"),
    "report-evidence-download": lambda world: {
        "pk": world.evidence.report_id,
        "evidence_id": world.evidence.pk,
    },
    "project-proposal-approve": pk("proposal"),
    "project-proposal-return": pk("proposal"),
    "campaign-detail": pk("campaign"),
    "event-detail": pk("event"),
    "scheme-detail": pk("scheme"),
    "period-detail": pk("period"),
    "period-build-report": pk("period"),
    "period-close": pk("period"),
    "period-lock": pk("period"),
    "period-publish": pk("period"),
    "period-reopen": pk("period"),
    "score-detail": pk("score"),
    "quarter-report-detail": pk("quarter_report"),
    "report-row-detail": lambda w: {
        "pk": w.quarter_report.rows.get().pk  # the one row: grassroots
    },
    "report-job-detail": report_job,
}


# --- what each persona sees of the tree -----------------------------------------------
# A list page must not show the unions of another branch. The ancestors of a
# persona's union may appear (a grassroots cadre may read its sub-district's name).

TREE_NAMES = {
    "grassroots": "North Factory Union",
    "grassroots_sibling": "North School Union",
    "other_grassroots": "South Hospital Union",
}
OTHER_BRANCHES = {
    "cadre_grass": ["grassroots_sibling", "other_grassroots"],
    "cadre_sub": ["other_grassroots"],
    "outsider": ["grassroots", "grassroots_sibling"],
}


def hidden_unions(world: World) -> dict[str, list[str]]:
    for name in TREE_NAMES:
        world.union(name)
    return {
        persona: [TREE_NAMES[name] for name in names]
        for persona, names in OTHER_BRANCHES.items()
    }


OWN_BRANCH = {
    "cadre_grass": ["grassroots"],
    "cadre_sub": ["grassroots", "grassroots_sibling"],
    "outsider": ["other_grassroots"],
}


def shown_titles(attribute: str):
    def build(world: World) -> dict[str, list[str]]:
        return {
            persona: [f"{attribute} of {name}" for name in names]
            for persona, names in OWN_BRANCH.items()
        }

    return build


def hidden_titles(attribute: str):
    """Objects titled after their union, one in each grassroots union; a persona
    must not see the titles of other branches."""

    def build(world: World) -> dict[str, list[str]]:
        make = getattr(world, attribute)
        for name in TREE_NAMES:
            make(name)
        return {
            persona: [f"{attribute} of {name}" for name in names]
            for persona, names in OTHER_BRANCHES.items()
        }

    return build


API_NOT_OFFERED = expect("*:405 leader:403")
ADMIN_WRITES = expect("admin:ok *:403")
SEEN_BY_ALL_BUT_OUTSIDER = expect("*:ok outsider:404")
ADMIN_WRITES_IN_SCOPE = expect("admin:ok admin_sub:ok outsider:404 *:403")
POST_ONLY_GET = expect("*:405")


def api(get=EVERYONE, post=API_NOT_OFFERED, patch=API_NOT_OFFERED, **kwargs) -> Rule:
    """An API endpoint: GET, POST, PATCH and DELETE are all checked."""
    methods = {"GET": get, "POST": post, "PATCH": patch, "DELETE": API_NOT_OFFERED}
    return Rule(methods=methods, **kwargs)


def api_action(post, **kwargs) -> Rule:
    return api(get=expect("*:405"), post=post, **kwargs)


def _k(name: str):
    return URL_KWARGS[name]


# unions --------------------------------------------------------------------------------

add("unions:union_list", page(hidden=hidden_unions))


def _new_union(world: World) -> dict:
    return {
        "name_zh": "北区新厂工会",
        "name_en": "North New Works Union",
        "code": "TD-N-9",
        "kind": "enterprise",
        "parent": world.union("subdistrict").pk,  # in both administrators' scope
        "member_count": "40",
    }


add("unions:union_create", page(get=ADMIN_ONLY, post=ADMIN_ONLY, data=_new_union))
add(
    "unions:union_export",
    # The export with phone and ID numbers: administrators only (and audited).
    page(get=ADMIN_ONLY, query={"personal": "1"}),
)
add("unions:union_import", page(get=ADMIN_ONLY, post=ADMIN_ONLY))
add(
    "unions:union_import_confirm",
    action(post=ADMIN_ONLY, get=expect("admin:405 admin_sub:405 *:403")),
)
add("unions:union_import_template", page(get=ADMIN_ONLY))
# The union type-ahead: unions in the reader's own scope, as JSON.
add("unions:union_lookup", page(get=EVERYONE, query={"q": "TD"}))
add(
    "unions:union_detail",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("unions:union_detail")),
)
for name in ("unions:union_edit", "unions:term_create"):
    add(
        name,
        page(get=ADMIN_WRITES_IN_SCOPE, post=ADMIN_WRITES_IN_SCOPE, kwargs=_k(name)),
    )
for name in ("unions:union_deactivate", "unions:union_activate", "unions:position_end"):
    add(name, action(post=ADMIN_WRITES_IN_SCOPE, get=POST_ONLY_GET, kwargs=_k(name)))
add(
    "unions:person_detail",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("unions:person_detail")),
)
for name in ("unions:person_edit", "unions:term_edit", "unions:position_add"):
    add(
        name,
        page(get=ADMIN_WRITES_IN_SCOPE, post=ADMIN_WRITES_IN_SCOPE, kwargs=_k(name)),
    )
add("unions:term_dashboard", page(hidden=hidden_unions))
add("unions:term_list", page(hidden=hidden_unions))
add(
    "unions:term_detail",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("unions:term_detail")),
)
add("unions:change_list", page())
# Cadres plan the change of term of their own union; leaders and pure reviewers do not.
CHANGE_PLANNERS = expect("*:ok leader:403 reviewer:403")
add("unions:change_create", page(get=CHANGE_PLANNERS, post=CHANGE_PLANNERS))
add(
    "unions:change_detail",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("unions:change_detail")),
)
add(
    "unions:change_step",
    # "submitted" is a step the union takes itself: its own cadre may take it.
    action(
        post=expect("admin:ok admin_sub:ok cadre_grass:ok outsider:404 *:403"),
        get=POST_ONLY_GET,
        kwargs=_k("unions:change_step"),
    ),
)
add(
    "unions:change_cancel",
    action(
        post=ADMIN_WRITES_IN_SCOPE, get=POST_ONLY_GET, kwargs=_k("unions:change_cancel")
    ),
)
add(
    "unions:step_document",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("unions:step_document")),
)

# planning -------------------------------------------------------------------------------
# Plans and campaigns belong to the district: every persona of the district reads them
# once published; only administrators change them.

add("planning:plan_list", page())


def _next_year() -> str:
    from django.utils import timezone

    return str(timezone.localdate().year + 1)  # the world's plan and scheme: this year


add(
    "planning:plan_create",
    page(
        get=ADMIN_ONLY,
        post=ADMIN_ONLY,
        data=lambda w: {"title": "Next year's work", "year": _next_year()},
    ),
)
add("planning:plan_import", page(get=ADMIN_ONLY, post=ADMIN_ONLY))
add("planning:plan_import_template", page(get=ADMIN_ONLY))
add("planning:plan_detail", page(kwargs=_k("planning:plan_detail")))
for name in ("planning:plan_edit", "planning:item_create", "planning:item_edit"):
    add(name, page(get=ADMIN_WRITES, post=ADMIN_WRITES, kwargs=_k(name)))
for name in ("planning:plan_publish", "planning:plan_close", "planning:plan_hand_out"):
    add(name, action(post=ADMIN_WRITES, get=POST_ONLY_GET, kwargs=_k(name)))
add("planning:plan_export", page(kwargs=_k("planning:plan_export")))
add(
    "planning:project_list",
    page(hidden=hidden_titles("project_of"), shown=shown_titles("project_of")),
)
add(
    "planning:project_export",
    page(hidden=hidden_titles("project_of"), shown=shown_titles("project_of")),
)
add(
    "planning:project_detail",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("planning:project_detail")),
)
add(
    "planning:project_edit",
    page(
        get=ADMIN_WRITES_IN_SCOPE,
        post=ADMIN_WRITES_IN_SCOPE,
        kwargs=_k("planning:project_edit"),
    ),
)
# The world's project belongs to a grassroots union: nobody can hand it down.
add(
    "planning:project_hand_down",
    page(
        get=expect("outsider:404 *:403"),
        post=expect("outsider:404 *:403"),
        kwargs=_k("planning:project_hand_down"),
    ),
)
# Self-chosen projects: cadres of a union with a union above propose; the proposing
# union's cadres correct; reviewers above decide.
PROPOSERS = expect("cadre_sub:ok cadre_grass:ok outsider:ok *:403")
add("planning:project_propose", page(get=PROPOSERS, post=PROPOSERS))
add(
    "planning:project_proposal_edit",
    page(
        get=expect("cadre_grass:ok outsider:404 *:403"),
        post=expect("cadre_grass:ok outsider:404 *:403"),
        kwargs=_k("planning:project_proposal_edit"),
    ),
)


def _new_milestone(world: World) -> dict:
    from django.utils import timezone

    return {"title": "Venue booked", "due_date": timezone.localdate().isoformat()}


def _new_category(world: World) -> dict:
    return {"name_zh": "组织建设", "name_en": "Organisation", "order": "5"}


# Milestones: administrators in scope, and the cadres of the owner union.
MILESTONE_EDITORS = expect("admin:ok admin_sub:ok cadre_grass:ok outsider:404 *:403")
for name in (
    "planning:milestone_create",
    "planning:milestone_toggle",
    "planning:milestone_delete",
):
    add(
        name,
        action(
            post=MILESTONE_EDITORS,
            get=POST_ONLY_GET,
            kwargs=_k(name),
            data=_new_milestone if name == "planning:milestone_create" else no_data,
        ),
    )
add("planning:progress_home", page(hidden=hidden_titles("project_of")))
# Who is late, and the reports a unit owed (its own union without ?union=): the
# units each persona sees, nobody else's projects.
add("planning:late_reports", page(hidden=hidden_titles("project_of")))
add(
    "planning:due_reports",
    page(
        hidden=hidden_titles("project_of"),
        query={"start": "2020-01-01", "end": "2030-12-31"},
    ),
)
# Progress is entered by the cadres of the reporting union, nobody else.
REPORTERS = expect("cadre_grass:ok outsider:404 *:403")
add(
    "planning:report_entry",
    page(get=REPORTERS, post=REPORTERS, kwargs=_k("planning:report_entry")),
)
add(
    "planning:report_detail",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("planning:report_detail")),
)
add(
    "planning:report_evidence_upload",
    action(
        post=REPORTERS, get=POST_ONLY_GET, kwargs=_k("planning:report_evidence_upload")
    ),
)
# Review belongs to reviewers above the reporting union (not administrators).
REVIEWERS_ABOVE = expect("reviewer:ok cadre_sub:ok outsider:404 *:403")
add(
    "planning:report_review",
    action(
        post=REVIEWERS_ABOVE, get=POST_ONLY_GET, kwargs=_k("planning:report_review")
    ),
)
add(
    "planning:project_proposal_decide",
    action(
        post=REVIEWERS_ABOVE,
        get=POST_ONLY_GET,
        kwargs=_k("planning:project_proposal_decide"),
    ),
)
add(
    "planning:review_queue",
    page(
        get=expect("reviewer:ok cadre_sub:ok *:403"),
        post=expect("reviewer:ok cadre_sub:ok *:403"),
    ),
)
add(
    "planning:review_bulk",
    action(post=expect("reviewer:ok cadre_sub:ok *:403"), get=POST_ONLY_GET),
)
add(
    "planning:evidence_download",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("planning:evidence_download")),
)
add(
    "planning:evidence_delete",
    action(post=REPORTERS, get=POST_ONLY_GET, kwargs=_k("planning:evidence_delete")),
)
add("planning:activity_home", page(hidden=hidden_titles("event_of")))


def _new_campaign(world: World) -> dict:
    from django.utils import timezone

    return {
        "title": "Safety month",
        "year": str(timezone.localdate().year),
        "description": "Talks and drills.",
        "is_active": "on",
    }


add(
    "planning:campaign_create",
    page(get=ADMIN_ONLY, post=ADMIN_ONLY, data=_new_campaign),
)
add(
    "planning:campaign_detail",
    page(post=expect("admin:ok *:403"), kwargs=_k("planning:campaign_detail")),
)
add(
    "planning:campaign_edit",
    page(get=ADMIN_WRITES, post=ADMIN_WRITES, kwargs=_k("planning:campaign_edit")),
)
# Cadres record their own union's events; administrators any in scope.
EVENT_RECORDERS = expect("*:ok leader:403 reviewer:403")
add("planning:event_create", page(get=EVENT_RECORDERS, post=EVENT_RECORDERS))
add(
    "planning:event_detail",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("planning:event_detail")),
)
EVENT_EDITORS = expect("admin:ok admin_sub:ok cadre_grass:ok outsider:404 *:403")
add(
    "planning:event_edit",
    page(get=EVENT_EDITORS, post=EVENT_EDITORS, kwargs=_k("planning:event_edit")),
)
add(
    "planning:event_evidence_upload",
    action(
        post=EVENT_EDITORS,
        get=POST_ONLY_GET,
        kwargs=_k("planning:event_evidence_upload"),
    ),
)

# assessments ------------------------------------------------------------------------------
# The district's scheme assesses every union below it, so everyone reads it; only
# administrators of the owner change it or run its periods.

add("assessments:home", page())
add("assessments:scheme_list", page())
add(
    "assessments:scheme_create",
    page(
        get=ADMIN_ONLY,
        post=ADMIN_ONLY,
        data=lambda w: {
            "year": _next_year(),
            "name_zh": "明年考核",
            "name_en": "Next year's assessment",
            "unit_level": "grassroots",
            "bonus_cap": "5",
            "annual_rule": "mean",
        },
    ),
)
add(
    "assessments:scheme_copy",
    action(post=ADMIN_ONLY, get=expect("admin:405 admin_sub:405 *:403")),
)
add("assessments:scheme_detail", page(kwargs=_k("assessments:scheme_detail")))
add(
    "assessments:category_create",
    page(
        get=ADMIN_WRITES,
        post=ADMIN_WRITES,
        kwargs=_k("assessments:category_create"),
        data=_new_category,
    ),
)
for name in (
    "assessments:scheme_edit",
    "assessments:category_edit",
    "assessments:indicator_create",
    "assessments:indicator_edit",
    "assessments:exemption_create",
    "assessments:period_reopen",
    "assessments:period_close",
):
    add(name, page(get=ADMIN_WRITES, post=ADMIN_WRITES, kwargs=_k(name)))
for name in (
    "assessments:scheme_action",
    "assessments:category_delete",
    "assessments:indicator_delete",
    "assessments:period_create",
    "assessments:report_build",
    "assessments:report_files_build",
    "assessments:period_action",
):
    add(name, action(post=ADMIN_WRITES, get=POST_ONLY_GET, kwargs=_k(name)))
add(
    "assessments:exemption_delete",
    # The mark is of grassroots: the outsider cannot see it.
    # The district's administrator set it on the district's scheme: a sub-district
    # administrator sees it but may not lift it.
    action(
        post=expect("admin:ok outsider:404 *:403"),
        get=POST_ONLY_GET,
        kwargs=_k("assessments:exemption_delete"),
    ),
)
add("assessments:period_detail", page(kwargs=_k("assessments:period_detail")))
# Reviewed scores come in by workbook from reviewers (above the units they review).
SCORE_IMPORTERS = expect("reviewer:ok cadre_sub:ok *:403")
add(
    "assessments:score_import",
    page(get=SCORE_IMPORTERS, post=SCORE_IMPORTERS, kwargs=pk("period")),
)
add(
    "assessments:score_import_confirm",
    action(post=SCORE_IMPORTERS, get=POST_ONLY_GET, kwargs=pk("period")),
)
add(
    "assessments:score_import_template",
    page(get=SCORE_IMPORTERS, kwargs=pk("period")),
)
add("assessments:report_status", page(kwargs=_k("assessments:report_status")))
add(
    "assessments:unit_scoring",
    # The unit's cadre self-scores; reviewers above it review; admins only read.
    page(
        get=SEEN_BY_ALL_BUT_OUTSIDER,
        post=expect("reviewer:ok cadre_sub:ok cadre_grass:ok outsider:404 *:403"),
        kwargs=_k("assessments:unit_scoring"),
    ),
)
add(
    "assessments:unit_scoring_totals",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("assessments:unit_scoring_totals")),
)
add(
    "assessments:score_evidence",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("assessments:score_evidence")),
)
add(
    "assessments:unit_scorecard",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("assessments:unit_scorecard")),
)
add("assessments:dashboard", page(get=expect("admin:ok admin_sub:ok leader:ok *:403")))
add("assessments:report_list", page())
# A whole quarter report ranks every unit: district leaders, admins and reviewers.
WHOLE_REPORT_READERS = expect("admin:ok leader:ok reviewer:ok *:404")
add(
    "assessments:report_detail",
    page(get=WHOLE_REPORT_READERS, kwargs=_k("assessments:report_detail")),
)
add(
    "assessments:report_download",
    page(get=WHOLE_REPORT_READERS, kwargs=_k("assessments:report_download")),
)
# The world's period is closed, not published: its notice does not exist yet for
# anyone (tests/assessments/test_notice.py reads a published one).
add(
    "assessments:report_notice",
    page(get=expect("*:404"), kwargs=_k("assessments:report_notice")),
)
add(
    "assessments:report_files",
    page(get=WHOLE_REPORT_READERS, kwargs=_k("assessments:report_files")),
)

# API ---------------------------------------------------------------------------------------
# The schema and its documentation describe the API to those who have signed in.
API_DOCS_NOT_OFFERED = expect("*:405 leader:403")
for name in ("api-schema", "api-docs"):
    add(
        name,
        api(
            get=EVERYONE,
            post=API_DOCS_NOT_OFFERED,
            patch=API_DOCS_NOT_OFFERED,
        ),
    )
    RULES[name].methods["DELETE"] = API_DOCS_NOT_OFFERED
add("api-root", api())
add(
    "api-not-found",
    api(
        get=expect("*:404 anonymous:404"),
        post=expect("*:404 leader:403"),
        patch=expect("*:404 leader:403"),
        note="Unknown API paths answer the API's own 404; anonymous writes 401.",
    ),
)
RULES["api-not-found"].methods["DELETE"] = expect("*:404 leader:403")
add("union-list", api(post=ADMIN_ONLY, hidden=hidden_unions))
add("union-tree", api(hidden=hidden_unions))
add(
    "union-detail",
    api(
        get=SEEN_BY_ALL_BUT_OUTSIDER,
        patch=ADMIN_WRITES_IN_SCOPE,
        kwargs=_k("union-detail"),
    ),
)
for name in ("union-activate", "union-deactivate"):
    add(name, api_action(ADMIN_WRITES_IN_SCOPE, kwargs=_k(name)))
add("term-list", api(hidden=hidden_unions))
add("term-detail", api(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("term-detail")))
add("term-change-list", api(post=CHANGE_PLANNERS))
add(
    "term-change-detail",
    api(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("term-change-detail")),
)
add(
    "term-change-advance",
    api_action(
        expect("admin:ok admin_sub:ok cadre_grass:ok outsider:404 *:403"),
        kwargs=_k("term-change-advance"),
    ),
)
add(
    "term-change-cancel",
    api_action(ADMIN_WRITES_IN_SCOPE, kwargs=_k("term-change-cancel")),
)
# No data yet (see PERMITTED_SIDE_PENDING): the sub-district administrator's empty
# body is refused for its data before the owner union is known.
add("plan-list", api(post=expect("admin:ok admin_sub:400 *:403")))
add("plan-detail", api(patch=ADMIN_WRITES, kwargs=_k("plan-detail")))
for name in ("plan-close", "plan-publish"):
    add(name, api_action(ADMIN_WRITES, kwargs=_k(name)))
add("plan-item-list", api(post=expect("admin:ok admin_sub:400 *:403")))
add("plan-item-detail", api(patch=ADMIN_WRITES, kwargs=_k("plan-item-detail")))
add("plan-item-hand-out", api_action(ADMIN_WRITES, kwargs=_k("plan-item-hand-out")))
add(
    "project-list",
    api(hidden=hidden_titles("project_of"), shown=shown_titles("project_of")),
)
add(
    "project-detail",
    api(
        get=SEEN_BY_ALL_BUT_OUTSIDER,
        patch=ADMIN_WRITES_IN_SCOPE,
        kwargs=_k("project-detail"),
    ),
)


def _new_report(world: World) -> dict:
    from datetime import date

    year = world.project.plan.year
    return {
        "project": world.project.pk,
        "period": date(year, 1, 1).isoformat(),
        "achieved_value": "10",
        "percent_complete": "10",
        "narrative": "Two courses held.",
    }


add(
    "report-list",
    # Only the reporting union's cadre creates; the outsider cannot even name the
    # project (to them it does not exist).
    api(post=expect("cadre_grass:ok outsider:400 *:403"), data=_new_report),
)
add(
    "report-detail",
    # A submitted report is no longer editable, by anyone.
    api(
        get=SEEN_BY_ALL_BUT_OUTSIDER,
        patch=expect("outsider:404 *:403"),
        kwargs=_k("report-detail"),
    ),
)
for name in ("report-approve", "report-return"):
    add(name, api_action(REVIEWERS_ABOVE, kwargs=_k(name)))
add("report-submit", api_action(REPORTERS, kwargs=_k("report-submit")))
# Whoever sees the report lists and downloads its files (as on its page).
add(
    "report-evidence",
    api(get=SEEN_BY_ALL_BUT_OUTSIDER, post=REPORTERS, kwargs=_k("report-evidence")),
)
add(
    "report-evidence-download",
    api(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("report-evidence-download")),
)


def _new_proposal(world: World) -> dict:
    return {
        "plan": world.plan.pk,
        "title": "Reading corner",
        "category": "service",
        "target_value": "12",
        "target_unit": "sessions",
        "start_date": world.project.start_date.isoformat(),
        "due_date": world.project.due_date.isoformat(),
    }


add(
    "project-proposal-list",
    api(get=expect("*:405"), post=PROPOSERS, data=_new_proposal),
)
for name in ("project-proposal-approve", "project-proposal-return"):
    add(name, api_action(REVIEWERS_ABOVE, kwargs=_k(name)))
add("campaign-list", api())
add("campaign-detail", api(kwargs=_k("campaign-detail")))


def _new_event(world: World) -> dict:
    from django.utils import timezone

    return {
        "kind": "activity",
        "union": world.union("grassroots").pk,
        "date": timezone.localdate().isoformat(),
        "title": "Safety day",
        "participants": 20,
    }


add(
    "event-list",
    api(
        post=expect(
            "admin:ok admin_sub:ok cadre_grass:ok cadre_sub:400 outsider:400 *:403"
        ),
        data=_new_event,
        hidden=hidden_titles("event_of"),
        shown=shown_titles("event_of"),
    ),
)
add(
    "event-detail",
    api(get=SEEN_BY_ALL_BUT_OUTSIDER, patch=EVENT_EDITORS, kwargs=_k("event-detail")),
)
add("scheme-list", api())
add("scheme-detail", api(kwargs=_k("scheme-detail")))
add(
    "period-list",
    api(
        post=ADMIN_WRITES,
        data=lambda w: {"scheme": w.scheme.pk, "kind": "q2"},
    ),
)
add("period-detail", api(kwargs=_k("period-detail")))
for name in ("period-build-report", "period-close", "period-lock", "period-publish"):
    add(name, api_action(ADMIN_WRITES, kwargs=_k(name)))
add(
    "period-reopen",
    api_action(
        ADMIN_WRITES,
        kwargs=_k("period-reopen"),
        data=lambda w: {"reason": "A correction"},
    ),
)


def _new_score(world: World) -> dict:
    return {
        "period": world.period.pk,
        "unit": world.union("grassroots").pk,
        "indicator": world.indicator.pk,
        "self_score": "70",
    }


add(
    "score-list",
    api(
        post=expect("cadre_grass:ok outsider:400 *:403"),
        data=_new_score,
    ),
)
add(
    "score-detail",
    api(
        get=SEEN_BY_ALL_BUT_OUTSIDER,
        patch=expect("reviewer:ok cadre_sub:ok cadre_grass:ok outsider:404 *:403"),
        kwargs=_k("score-detail"),
    ),
)
add("quarter-report-list", api())
for name in ("quarter-report-detail", "report-row-detail", "report-job-detail"):
    add(name, api(get=WHOLE_REPORT_READERS, kwargs=_k(name)))
add("report-row-list", api())


# Writes whose permitted side the matrix does not prove yet: their rule sends no
# valid data (or the world's object is in a state the action refuses), so the
# permitted persona may still get 400/409 or change nothing. Every refused persona's
# write is proven harmless all the same. Give the rule ``data`` (laid over the page's
# own form) and take the key out of this set; the set only shrinks.
PERMITTED_SIDE_PENDING = frozenset(
    {
        "accounts:notification_settings",
        "accounts:notifications_read_all",
        "accounts:user_create",
        "accounts:user_edit",
        "unions:union_import",
        "unions:union_import_confirm",
        "accounts:user_import_confirm",
        # Self-chosen projects and the API's evidence upload: their permitted side
        # is proven with real data in tests/planning/test_proposals.py,
        # tests/api/test_proposals.py and tests/api/test_evidence_upload.py.
        "planning:project_propose",
        "planning:project_proposal_decide",
        "project-proposal-return",
        "report-evidence",
        "unions:union_activate",
        "unions:term_create",
        "unions:position_end",
        "unions:position_add",
        "unions:change_create",
        "unions:change_step",
        "unions:change_cancel",
        "planning:plan_import",
        "planning:plan_publish",
        "planning:plan_hand_out",
        "planning:item_create",
        "planning:report_evidence_upload",
        "planning:report_review",
        "planning:review_queue",
        "planning:review_bulk",
        "planning:campaign_detail",
        "planning:event_create",
        "planning:event_evidence_upload",
        "assessments:scheme_copy",
        "assessments:scheme_action",
        "assessments:category_delete",
        "assessments:indicator_create",
        "assessments:indicator_delete",
        "assessments:exemption_create",
        "assessments:period_create",
        "assessments:period_reopen",
        "assessments:report_build",
        "assessments:report_files_build",
        "assessments:unit_scoring",
        "assessments:score_import",
        "assessments:score_import_confirm",
        "assessments:period_action",
        "union-list",
        "union-activate",
        "term-change-list",
        "term-change-advance",
        "term-change-cancel",
        "plan-list",
        "plan-publish",
        "plan-item-list",
        "plan-item-hand-out",
        "report-return",
        "period-build-report",
        "period-lock",
        "period-publish",
        "period-reopen",
        "score-detail",
    }
)
