"""The permission matrix: for every URL of the project, who may do what.

Each entry of ``RULES`` is keyed by the URL's name (or its route when it has none)
and says, per HTTP method, what each persona must get:

    ok     GET: 200 · writes: done: 2xx or 3xx, and some row changed (a write
           that changes no row by design says what it shows: ``done_text``)
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

A write is sent with the page's own form (from the permitted persona's GET) with the
rule's ``data`` laid over it, then ``persona_data`` (what each persona may change)
and what ``prepare`` returns (steps taken first as the persona, e.g. an import's
preview for its token); ``setup`` puts the world's object in a state the write
accepts. Each persona's request is rolled back, so all of them meet the same world.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

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
    # Puts the world's objects in a state the permitted write accepts (e.g. a
    # plan back to draft so that it can be published); runs once, before any
    # persona's request (each of which is rolled back).
    setup: Callable[[World], None] | None = None
    # Data that differs by persona (laid over ``data``), e.g. the union each one
    # may plan a change of term for.
    persona_data: Callable[[World, str], dict] | None = None
    # Steps a persona takes first, as themselves, in the same rolled-back savepoint
    # (e.g. uploading an import's template to get the token its confirmation
    # sends); returns data laid over the write's. Called with (world, client).
    prepare: Callable[[World, object], dict] | None = None
    # A write that changes no row by design (an import's preview, kept in the
    # session): what the permitted persona's answer must show instead.
    done_text: str = ""
    # The table the permitted write is about (a model label as tests/snapshots.py
    # names it, e.g. "planning.ProgressReport"): it must be among the rows changed,
    # so that a notification or an audit row alone cannot pass for the write.
    table: str = ""
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


# --- imports: upload the persona's own template (it imports unchanged) -------------------
# The preview keeps the file under a token in the session and writes no portal row;
# the confirmation writes every row of it.

READY = 'data-testid="import-ready"'


def _template_upload(world: World, client, template: str, kwargs: dict):
    """The import template ``template`` as the persona downloads it, as an upload;
    None when the persona may not have it."""
    import io

    from django.urls import reverse

    world.fixture("media_root")
    response = client.get(reverse(template, kwargs=kwargs or None))
    if response.status_code != 200:
        return None
    upload = io.BytesIO(response.content)
    upload.name = "template.xlsx"
    return upload


def upload_template(template: str, *, kwargs=no_kwargs, form=no_data):
    """``prepare`` for a preview: sends the persona's own template."""

    def prepare(world: World, client) -> dict:
        upload = _template_upload(world, client, template, kwargs(world))
        return {} if upload is None else {**form(world), "file": upload}

    return prepare


def confirm_template(
    template: str, preview: str, *, kwargs=no_kwargs, form=no_data, confirm=None
):
    """``prepare`` for a confirmation: previews the persona's own template and
    sends the token it was given."""

    def prepare(world: World, client) -> dict:
        from django.urls import reverse

        from tests.trust.forms import form_fields

        upload = _template_upload(world, client, template, kwargs(world))
        if upload is None:
            return {}
        response = client.post(
            reverse(preview, kwargs=kwargs(world) or None),
            {**form(world), "file": upload},
        )
        token = form_fields(response.content).get("token", "")
        assert token, f"the preview of {template} offered nothing to confirm"
        return {"token": token, **(confirm or {})}

    return prepare


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


def _unread_for_everyone(world: World) -> None:
    from tests.accounts.factories import NotificationFactory

    for persona in PERSONAS:
        NotificationFactory(recipient=world.user(persona))


def _digest_everything(world: World) -> dict:
    from accounts.notices import Delivery, kinds

    return {kind.code: Delivery.DIGEST for kind in kinds()}


add(
    "accounts:notifications_read_all",
    action(post=EVERYONE, setup=_unread_for_everyone),
)
add(
    "accounts:notification_settings",
    action(post=EVERYONE, data=_digest_everything),
)
add("accounts:admin_home", page(get=ADMIN_ONLY))
add("accounts:user_list", page(get=ADMIN_ONLY))


def _new_user(world: World) -> dict:
    return {
        "username": "matrix_new",
        "first_name": "Mei",
        "last_name": "Lin",
        "union": world.union("grassroots").pk,  # in both administrators' scope
        "is_cadre": "on",
        "is_active": "on",
        "password": "Quarterly-Review-2026!",
    }


add("accounts:user_create", page(get=ADMIN_ONLY, post=ADMIN_ONLY, data=_new_user))
add(
    "accounts:user_edit",
    page(
        get=ADMIN_ONLY,
        post=ADMIN_ONLY,
        kwargs=lambda w: {"pk": w.user("cadre_grass").pk},
        data=lambda w: {"first_name": "Renamed"},
    ),
)
add("accounts:audit_list", page(get=ADMIN_ONLY))
# The bulk user import (accounts/imports.py): its preview writes nothing by design
# (it must offer the confirmation); the confirmation creates the users.
add(
    "accounts:user_import",
    page(
        get=ADMIN_ONLY,
        post=ADMIN_ONLY,
        changes=False,
        prepare=upload_template("accounts:user_import_template"),
        done_text=READY,
    ),
)
add(
    "accounts:user_import_confirm",
    action(
        post=ADMIN_ONLY,
        get=expect("admin:405 admin_sub:405 *:403"),
        prepare=confirm_template(
            "accounts:user_import_template", "accounts:user_import"
        ),
    ),
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
    "assessments:scheme_action": pk("spare_scheme", action="archive"),
    "assessments:category_create": pk("scheme", "scheme_pk"),
    "assessments:category_edit": pk("category"),
    "assessments:category_delete": pk("empty_category"),
    "assessments:indicator_create": pk("scheme", "scheme_pk"),
    "assessments:indicator_edit": pk("indicator"),
    "assessments:indicator_delete": pk("spare_indicator"),
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
add(
    "unions:union_import",
    page(
        get=ADMIN_ONLY,
        post=ADMIN_ONLY,
        changes=False,  # the preview: see READY
        prepare=upload_template("unions:union_import_template"),
        done_text=READY,
    ),
)
add(
    "unions:union_import_confirm",
    action(
        post=ADMIN_ONLY,
        get=expect("admin:405 admin_sub:405 *:403"),
        prepare=confirm_template("unions:union_import_template", "unions:union_import"),
    ),
)
add("unions:union_import_template", page(get=ADMIN_ONLY))
# The union type-ahead: unions in the reader's own scope, as JSON.
add("unions:union_lookup", page(get=EVERYONE, query={"q": "TD"}))
add(
    "unions:union_detail",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("unions:union_detail")),
)


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _grassroots_inactive(world: World) -> None:
    from unions.services import union_deactivate

    union_deactivate(union=world.union("grassroots"))


add(
    "unions:union_edit",
    page(
        get=ADMIN_WRITES_IN_SCOPE,
        post=ADMIN_WRITES_IN_SCOPE,
        kwargs=_k("unions:union_edit"),
        data=lambda w: {"name_en": "North Factory Workers' Union"},
    ),
)
# Grassroots has no term yet: its first one is opened.
add(
    "unions:term_create",
    page(
        get=ADMIN_WRITES_IN_SCOPE,
        post=ADMIN_WRITES_IN_SCOPE,
        kwargs=_k("unions:term_create"),
        data=lambda w: {"number": "1", "start": "2024-01-15", "length_years": "5"},
    ),
)
add(
    "unions:union_deactivate",
    action(
        post=ADMIN_WRITES_IN_SCOPE,
        get=POST_ONLY_GET,
        kwargs=_k("unions:union_deactivate"),
    ),
)
add(
    "unions:union_activate",
    action(
        post=ADMIN_WRITES_IN_SCOPE,
        get=POST_ONLY_GET,
        kwargs=_k("unions:union_activate"),
        setup=_grassroots_inactive,
    ),
)
add(
    "unions:position_end",
    action(
        post=ADMIN_WRITES_IN_SCOPE,
        get=POST_ONLY_GET,
        kwargs=_k("unions:position_end"),
        data=lambda w: {"end": _today()},
    ),
)
add(
    "unions:person_detail",
    page(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("unions:person_detail")),
)
EDITS_IN_SCOPE = {
    "unions:person_edit": lambda w: {"name": "王小红"},
    "unions:term_edit": lambda w: {"length_years": "3"},
}
for name, data in EDITS_IN_SCOPE.items():
    add(
        name,
        page(
            get=ADMIN_WRITES_IN_SCOPE,
            post=ADMIN_WRITES_IN_SCOPE,
            kwargs=_k(name),
            data=data,
        ),
    )
add(
    "unions:position_add",
    page(
        get=ADMIN_WRITES_IN_SCOPE,
        post=ADMIN_WRITES_IN_SCOPE,
        kwargs=_k("unions:position_add"),
        data=lambda w: {"name": "王芳", "gender": "female", "role": "vice_chair"},
    ),
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
# The union each persona acts for when it names one (a change of term planned, an
# event recorded): administrators grassroots, cadres their own union.
OWN_UNION_OF = {
    "admin": "grassroots",
    "admin_sub": "grassroots",
    "cadre_sub": "subdistrict",
    "cadre_grass": "grassroots",
    "outsider": "other_grassroots",
}


def _own_union(world: World, persona: str) -> dict:
    if persona not in OWN_UNION_OF:
        return {}
    return {"union": world.union(OWN_UNION_OF[persona]).pk}


add(
    "unions:change_create",
    page(
        get=CHANGE_PLANNERS,
        post=CHANGE_PLANNERS,
        data=lambda w: {"date": _today(), "new_term_years": "5"},
        persona_data=_own_union,
    ),
)
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
        data=lambda w: {"submitted-date": _today()},
    ),
)
add(
    "unions:change_cancel",
    action(
        post=ADMIN_WRITES_IN_SCOPE,
        get=POST_ONLY_GET,
        kwargs=_k("unions:change_cancel"),
        data=lambda w: {
            "cancelled-date": _today(),
            "cancelled-comment": "The union is merging.",
        },
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


def _imported_plan(world: World) -> dict:
    return {
        "title": "Imported work",
        "year": _next_year(),
        "reporting_frequency": "monthly",
        "report_due_days": "5",
    }


# One page previews and confirms (confirm=1): the write proven is the confirmation.
add(
    "planning:plan_import",
    page(
        get=ADMIN_ONLY,
        post=ADMIN_ONLY,
        prepare=confirm_template(
            "planning:plan_import_template",
            "planning:plan_import",
            form=_imported_plan,
            confirm={"confirm": "1"},
        ),
    ),
)
add("planning:plan_import_template", page(get=ADMIN_ONLY))
add("planning:plan_detail", page(kwargs=_k("planning:plan_detail")))
add(
    "planning:plan_edit",
    page(
        get=ADMIN_WRITES,
        post=ADMIN_WRITES,
        kwargs=_k("planning:plan_edit"),
        data=lambda w: {"title": "Key work, revised"},
    ),
)
add(
    "planning:item_edit",
    page(
        get=ADMIN_WRITES,
        post=ADMIN_WRITES,
        kwargs=_k("planning:item_edit"),
        data=lambda w: {"title": "Train union cadres"},
    ),
)


def _new_plan_item(world: World) -> dict:
    return {
        "category": "service",
        "title": "Legal advice days",
        "target_value": "6",
        "target_unit": "days",
        "weight": "1",
        "due_date": f"{world.plan.year}-12-31",
    }


add(
    "planning:item_create",
    page(
        get=ADMIN_WRITES,
        post=ADMIN_WRITES,
        kwargs=_k("planning:item_create"),
        data=_new_plan_item,
    ),
)


def _plan_back_to_draft(world: World) -> None:
    from planning.models import WorkPlan

    # The world's plan is published; a draft is what publishing starts from.
    WorkPlan.objects.filter(pk=world.plan.pk).update(status=WorkPlan.Status.DRAFT)


def _hand_item_to_sibling(world: World) -> dict:
    # The item went to grassroots and other_grassroots; the sibling has none yet.
    return {
        "item": world.plan_item.pk,
        "mode": "picked",
        "unions": [world.union("grassroots_sibling").pk],
    }


# A draft plan is the district administrators' alone: the others do not see it
# (the read-only leader is refused before any object is looked up).
DRAFT_PLAN_WRITES = expect("admin:ok leader:403 *:404")
add(
    "planning:plan_publish",
    action(
        post=DRAFT_PLAN_WRITES,
        get=POST_ONLY_GET,
        kwargs=_k("planning:plan_publish"),
        setup=_plan_back_to_draft,
    ),
)
add(
    "planning:plan_close",
    action(post=ADMIN_WRITES, get=POST_ONLY_GET, kwargs=_k("planning:plan_close")),
)
add(
    "planning:plan_hand_out",
    action(
        post=ADMIN_WRITES,
        get=POST_ONLY_GET,
        kwargs=_k("planning:plan_hand_out"),
        data=_hand_item_to_sibling,
    ),
)
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
        data=lambda w: {"responsible_person": "李明"},
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


def _new_proposal_form(world: World) -> dict:
    return {**_new_proposal(world), "weight": "1"}


add(
    "planning:project_propose",
    page(get=PROPOSERS, post=PROPOSERS, data=_new_proposal_form),
)
add(
    "planning:project_proposal_edit",
    page(
        get=expect("cadre_grass:ok outsider:404 *:403"),
        post=expect("cadre_grass:ok outsider:404 *:403"),
        kwargs=_k("planning:project_proposal_edit"),
        data=lambda w: {"target_value": "24"},
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


def _evidence_file(world: World) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.trust.hostile_files import PDF_BYTES

    world.fixture("media_root")
    return {"file": SimpleUploadedFile("minutes.pdf", PDF_BYTES)}


add(
    "planning:report_evidence_upload",
    action(
        post=REPORTERS,
        get=POST_ONLY_GET,
        kwargs=_k("planning:report_evidence_upload"),
        data=_evidence_file,
    ),
)
# Review belongs to reviewers above the reporting union (not administrators).
REVIEWERS_ABOVE = expect("reviewer:ok cadre_sub:ok outsider:404 *:403")
add(
    "planning:report_review",
    action(
        post=REVIEWERS_ABOVE,
        get=POST_ONLY_GET,
        kwargs=_k("planning:report_review"),
        data=lambda w: {"decision": "approve"},
    ),
)
add(
    "planning:project_proposal_decide",
    action(
        post=REVIEWERS_ABOVE,
        get=POST_ONLY_GET,
        kwargs=_k("planning:project_proposal_decide"),
        data=lambda w: {"decision": "approve"},
    ),
)
# The queue is a page to read: its forms post to report_review and review_bulk.
add("planning:review_queue", page(get=expect("reviewer:ok cadre_sub:ok *:403")))
add(
    "planning:review_bulk",
    action(
        post=expect("reviewer:ok cadre_sub:ok *:403"),
        get=POST_ONLY_GET,
        data=lambda w: {"decision": "approve", "reports": [w.report.pk]},
    ),
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
    page(
        post=expect("admin:ok *:403"),
        kwargs=_k("planning:campaign_detail"),
        data=lambda w: {"title": "Fire drill", "description": "In every workshop."},
    ),
)
add(
    "planning:campaign_edit",
    page(
        get=ADMIN_WRITES,
        post=ADMIN_WRITES,
        kwargs=_k("planning:campaign_edit"),
        data=lambda w: {"title": "Safety month, second round"},
    ),
)
# Cadres record their own union's events; administrators any in scope.
EVENT_RECORDERS = expect("*:ok leader:403 reviewer:403")


def _new_event_form(world: World) -> dict:
    return {
        "kind": "activity",
        "date": _today(),
        "title": "Safety day",
        "participants": "20",
    }


add(
    "planning:event_create",
    page(
        get=EVENT_RECORDERS,
        post=EVENT_RECORDERS,
        data=_new_event_form,
        persona_data=_own_union,
    ),
)
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
        data=_evidence_file,
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


def _sub_scheme(world: World):
    """A scheme of the sub-district's own (a copy of the district's)."""
    from assessments import services

    return world.once(
        "sub_scheme",
        lambda: services.scheme_copy(
            source=world.scheme,
            year=world.scheme.year,
            owner=world.union("subdistrict"),
            by=world.user("admin_sub"),
        ),
    )


add(
    "assessments:scheme_copy",
    # Each administrator copies a scheme of their own union to next year.
    action(
        post=ADMIN_ONLY,
        get=expect("admin:405 admin_sub:405 *:403"),
        setup=_sub_scheme,
        data=lambda w: {"source": w.scheme.pk, "year": _next_year()},
        persona_data=lambda w, persona: (
            {"source": _sub_scheme(w).pk} if persona == "admin_sub" else {}
        ),
    ),
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


def _new_bonus_indicator(world: World) -> dict:
    # A bonus: the base points of the active scheme stay at 100.
    return {
        "category": world.category.pk,
        "code": "B1",
        "order": "2",
        "name_zh": "创新奖励",
        "name_en": "Innovation bonus",
        "kind": "bonus",
        "method": "manual",
        "max_points": "5",
    }


def _period_closed(world: World) -> None:
    world.quarter_report  # noqa: B018 - closes the period, with its built report


def _period_published(world: World) -> None:
    from assessments import services
    from assessments.models import QuarterReport

    report = world.quarter_report
    QuarterReport.objects.filter(pk=report.pk).update(
        files_status=QuarterReport.FilesStatus.DONE
    )
    services.period_publish(period=world.period, by=world.user("admin"))


REOPEN = {"reason": "A score was entered for the wrong unit."}
ASSESSMENT_WRITES = {
    # name: (data, setup)
    "assessments:scheme_edit": (lambda w: {"name_en": "Scheme, revised"}, None),
    "assessments:category_edit": (lambda w: {"name_en": "Building the union"}, None),
    "assessments:indicator_create": (_new_bonus_indicator, None),
    "assessments:indicator_edit": (lambda w: {"name_en": "Study of theory"}, None),
    "assessments:exemption_create": (
        lambda w: {"unit": w.union("grassroots").pk, "reason": "No enterprises here"},
        None,
    ),
    "assessments:period_reopen": (lambda w: REOPEN, _period_closed),
    "assessments:period_close": (no_data, None),
}
for name, (data, setup) in ASSESSMENT_WRITES.items():
    add(
        name,
        page(
            get=ADMIN_WRITES,
            post=ADMIN_WRITES,
            kwargs=_k(name),
            data=data,
            setup=setup,
        ),
    )
ASSESSMENT_ACTIONS = {
    "assessments:scheme_action": (no_data, None),
    "assessments:category_delete": (no_data, None),
    "assessments:indicator_delete": (no_data, None),
    "assessments:period_create": (lambda w: {"kind": "q2"}, None),
    "assessments:report_build": (no_data, _period_closed),  # a new version
    "assessments:report_files_build": (no_data, _period_closed),
    "assessments:period_action": (no_data, _period_closed),  # publish
}
for name, (data, setup) in ASSESSMENT_ACTIONS.items():
    add(
        name,
        action(
            post=ADMIN_WRITES,
            get=POST_ONLY_GET,
            kwargs=_k(name),
            data=data,
            setup=setup,
        ),
    )
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
# grassroots has a self score: the template, imported unchanged, confirms it as
# the reviewed score.
add(
    "assessments:score_import",
    page(
        get=SCORE_IMPORTERS,
        post=SCORE_IMPORTERS,
        kwargs=pk("period"),
        setup=lambda w: w.score,
        changes=False,  # the preview
        prepare=upload_template(
            "assessments:score_import_template", kwargs=pk("period")
        ),
        done_text='data-testid="import-confirm"',
    ),
)
add(
    "assessments:score_import_confirm",
    action(
        post=SCORE_IMPORTERS,
        get=POST_ONLY_GET,
        kwargs=pk("period"),
        setup=lambda w: w.score,
        prepare=confirm_template(
            "assessments:score_import_template",
            "assessments:score_import",
            kwargs=pk("period"),
        ),
    ),
)
add(
    "assessments:score_import_template",
    page(get=SCORE_IMPORTERS, kwargs=pk("period")),
)
add("assessments:report_status", page(kwargs=_k("assessments:report_status")))


def _score_part(world: World, persona: str, *, page_form: bool) -> dict:
    """The part of grassroots's score each persona may change: its cadre the self
    score (80 before), reviewers above it the review."""
    suffix = f"_{world.indicator.pk}" if page_form else ""
    if persona == "cadre_grass":
        return {f"self_score{suffix}": "75"}
    if persona in ("reviewer", "cadre_sub"):
        return {
            f"reviewed_score{suffix}": "70",
            f"review_comment{suffix}": "Two sessions had no minutes.",
        }
    return {}


add(
    "assessments:unit_scoring",
    # The unit's cadre self-scores; reviewers above it review; admins only read.
    page(
        get=SEEN_BY_ALL_BUT_OUTSIDER,
        post=expect("reviewer:ok cadre_sub:ok cadre_grass:ok outsider:404 *:403"),
        kwargs=_k("assessments:unit_scoring"),
        setup=lambda w: w.score,
        persona_data=lambda w, p: _score_part(w, p, page_form=True),
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
add(
    "assessments:who_is_late", page(get=expect("admin:ok admin_sub:ok leader:ok *:403"))
)
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
add("union-list", api(post=ADMIN_ONLY, hidden=hidden_unions, data=_new_union))
add("union-tree", api(hidden=hidden_unions))
add(
    "union-detail",
    api(
        get=SEEN_BY_ALL_BUT_OUTSIDER,
        patch=ADMIN_WRITES_IN_SCOPE,
        kwargs=_k("union-detail"),
        data=lambda w: {"name_en": "North Factory Workers' Union"},
    ),
)
add(
    "union-activate",
    api_action(
        ADMIN_WRITES_IN_SCOPE,
        kwargs=_k("union-activate"),
        setup=_grassroots_inactive,
    ),
)
add(
    "union-deactivate", api_action(ADMIN_WRITES_IN_SCOPE, kwargs=_k("union-deactivate"))
)
add("term-list", api(hidden=hidden_unions))
add("term-detail", api(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("term-detail")))
add(
    "term-change-list",
    api(post=CHANGE_PLANNERS, persona_data=_own_union),
)
add(
    "term-change-detail",
    api(get=SEEN_BY_ALL_BUT_OUTSIDER, kwargs=_k("term-change-detail")),
)
add(
    "term-change-advance",
    api_action(
        expect("admin:ok admin_sub:ok cadre_grass:ok outsider:404 *:403"),
        kwargs=_k("term-change-advance"),
        data=lambda w: {"step": "submitted"},
    ),
)
add(
    "term-change-cancel",
    api_action(
        ADMIN_WRITES_IN_SCOPE,
        kwargs=_k("term-change-cancel"),
        data=lambda w: {"comment": "The union is merging."},
    ),
)
add(
    "plan-list",
    api(
        post=ADMIN_ONLY,  # each administrator's plan is their own union's
        data=lambda w: {"title": "Next year's work", "year": _next_year()},
    ),
)
add(
    "plan-detail",
    api(
        patch=ADMIN_WRITES,
        kwargs=_k("plan-detail"),
        data=lambda w: {"title": "Key work, revised"},
    ),
)
add("plan-close", api_action(ADMIN_WRITES, kwargs=_k("plan-close")))
add(
    "plan-publish",
    api_action(DRAFT_PLAN_WRITES, kwargs=_k("plan-publish"), setup=_plan_back_to_draft),
)
add(
    "plan-item-list",
    # The district's plan: a sub-district administrator sees it but may not add.
    api(
        post=ADMIN_WRITES,
        data=lambda w: {**_new_plan_item(w), "plan": w.plan.pk},
    ),
)
add(
    "plan-item-detail",
    api(
        patch=ADMIN_WRITES,
        kwargs=_k("plan-item-detail"),
        data=lambda w: {"title": "Train union cadres"},
    ),
)
add(
    "plan-item-hand-out",
    api_action(
        ADMIN_WRITES,
        kwargs=_k("plan-item-hand-out"),
        data=lambda w: {"unions": [w.union("grassroots_sibling").pk]},
    ),
)
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
        data=lambda w: {"responsible_person": "李明"},
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
add("report-approve", api_action(REVIEWERS_ABOVE, kwargs=_k("report-approve")))
add(
    "report-return",
    api_action(
        REVIEWERS_ABOVE,
        kwargs=_k("report-return"),
        data=lambda w: {"comment": "Add the attendance list."},
    ),
)
add("report-submit", api_action(REPORTERS, kwargs=_k("report-submit")))
add(
    "report-evidence",
    # Whoever sees the report lists its files (as on its page); its reporters
    # upload, as multipart (the matrix sends a body holding a file as a form).
    api(
        get=SEEN_BY_ALL_BUT_OUTSIDER,
        post=REPORTERS,
        kwargs=_k("report-evidence"),
        data=_evidence_file,
    ),
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
add(
    "project-proposal-approve",
    api_action(REVIEWERS_ABOVE, kwargs=_k("project-proposal-approve")),
)
add(
    "project-proposal-return",
    api_action(
        REVIEWERS_ABOVE,
        kwargs=_k("project-proposal-return"),
        data=lambda w: {"comment": "Name the venue."},
    ),
)
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
PERIOD_API_SETUP = {
    "period-build-report": _period_closed,
    "period-close": None,
    "period-lock": _period_published,
    "period-publish": _period_closed,
}
for name, setup in PERIOD_API_SETUP.items():
    add(name, api_action(ADMIN_WRITES, kwargs=_k(name), setup=setup))
add(
    "period-reopen",
    api_action(
        ADMIN_WRITES,
        kwargs=_k("period-reopen"),
        data=lambda w: REOPEN,
        setup=_period_closed,
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
        persona_data=lambda w, p: _score_part(w, p, page_form=False),
    ),
)
add("quarter-report-list", api())
for name in ("quarter-report-detail", "report-row-detail", "report-job-detail"):
    add(name, api(get=WHOLE_REPORT_READERS, kwargs=_k(name)))
add("report-row-list", api())


# The table each permitted write is about: the rows it must change (notifications,
# the audit log and history rows written alongside do not count on their own).
WRITE_TABLES = {
    "password_change": "accounts.User",
    "accounts:token_create": "accounts.ApiToken",
    "accounts:token_revoke": "accounts.ApiToken",
    "accounts:notification_read": "accounts.Notification",
    "accounts:notifications_read_all": "accounts.Notification",
    "accounts:notification_settings": "accounts.User",
    "accounts:user_create": "accounts.User",
    "accounts:user_edit": "accounts.User",
    "accounts:user_import_confirm": "accounts.User",
    "unions:union_create": "unions.Union",
    "unions:union_import_confirm": "unions.Union",
    "unions:union_edit": "unions.Union",
    "unions:term_create": "unions.OfficeTerm",
    "unions:union_deactivate": "unions.Union",
    "unions:union_activate": "unions.Union",
    "unions:position_end": "unions.Position",
    "unions:person_edit": "unions.Person",
    "unions:term_edit": "unions.OfficeTerm",
    "unions:position_add": "unions.Position",
    "unions:change_create": "unions.TermChange",
    "unions:change_step": "unions.TermChange",
    "unions:change_cancel": "unions.TermChange",
    "planning:plan_create": "planning.WorkPlan",
    "planning:plan_import": "planning.WorkPlan",
    "planning:plan_edit": "planning.WorkPlan",
    "planning:item_edit": "planning.PlanItem",
    "planning:item_create": "planning.PlanItem",
    "planning:plan_publish": "planning.WorkPlan",
    "planning:plan_close": "planning.WorkPlan",
    "planning:plan_hand_out": "planning.KeyWorkProject",
    "planning:project_edit": "planning.KeyWorkProject",
    "planning:project_propose": "planning.KeyWorkProject",
    "planning:project_proposal_edit": "planning.KeyWorkProject",
    "planning:milestone_create": "planning.Milestone",
    "planning:milestone_toggle": "planning.Milestone",
    "planning:milestone_delete": "planning.Milestone",
    "planning:report_entry": "planning.ProgressReport",
    "planning:report_evidence_upload": "planning.EvidenceFile",
    "planning:report_review": "planning.ProgressReport",
    "planning:project_proposal_decide": "planning.KeyWorkProject",
    "planning:review_bulk": "planning.ProgressReport",
    "planning:evidence_delete": "planning.EvidenceFile",
    "planning:campaign_create": "planning.Campaign",
    "planning:campaign_detail": "planning.CampaignItem",
    "planning:campaign_edit": "planning.Campaign",
    "planning:event_create": "planning.ActivityEvent",
    "planning:event_edit": "planning.ActivityEvent",
    "planning:event_evidence_upload": "planning.EvidenceFile",
    "assessments:scheme_create": "assessments.Scheme",
    "assessments:scheme_copy": "assessments.Scheme",
    "assessments:category_create": "assessments.IndicatorCategory",
    "assessments:scheme_edit": "assessments.Scheme",
    "assessments:category_edit": "assessments.IndicatorCategory",
    "assessments:indicator_create": "assessments.Indicator",
    "assessments:indicator_edit": "assessments.Indicator",
    "assessments:exemption_create": "assessments.IndicatorExemption",
    "assessments:period_reopen": "assessments.Period",
    "assessments:period_close": "assessments.Period",
    "assessments:scheme_action": "assessments.Scheme",
    "assessments:category_delete": "assessments.IndicatorCategory",
    "assessments:indicator_delete": "assessments.Indicator",
    "assessments:period_create": "assessments.Period",
    "assessments:report_build": "assessments.QuarterReport",
    "assessments:report_files_build": "assessments.QuarterReport",
    "assessments:period_action": "assessments.Period",
    "assessments:exemption_delete": "assessments.IndicatorExemption",
    "assessments:score_import_confirm": "assessments.Score",
    "assessments:unit_scoring": "assessments.Score",
    "union-list": "unions.Union",
    "union-detail": "unions.Union",
    "union-activate": "unions.Union",
    "union-deactivate": "unions.Union",
    "term-change-list": "unions.TermChange",
    "term-change-advance": "unions.TermChange",
    "term-change-cancel": "unions.TermChange",
    "plan-list": "planning.WorkPlan",
    "plan-detail": "planning.WorkPlan",
    "plan-close": "planning.WorkPlan",
    "plan-publish": "planning.WorkPlan",
    "plan-item-list": "planning.PlanItem",
    "plan-item-detail": "planning.PlanItem",
    "plan-item-hand-out": "planning.KeyWorkProject",
    "project-detail": "planning.KeyWorkProject",
    "report-list": "planning.ProgressReport",
    "report-approve": "planning.ProgressReport",
    "report-return": "planning.ProgressReport",
    "report-submit": "planning.ProgressReport",
    "report-evidence": "planning.EvidenceFile",
    "project-proposal-list": "planning.KeyWorkProject",
    "project-proposal-approve": "planning.KeyWorkProject",
    "project-proposal-return": "planning.KeyWorkProject",
    "event-list": "planning.ActivityEvent",
    "event-detail": "planning.ActivityEvent",
    "period-list": "assessments.Period",
    "period-build-report": "assessments.QuarterReport",
    "period-close": "assessments.Period",
    "period-lock": "assessments.Period",
    "period-publish": "assessments.Period",
    "period-reopen": "assessments.Period",
    "score-list": "assessments.Score",
    "score-detail": "assessments.Score",
}
for key, table in WRITE_TABLES.items():
    RULES[key] = replace(RULES[key], table=table)


# Writes whose permitted side the matrix does not prove yet: their rule sends no
# valid data (or the world's object is in a state the action refuses), so the
# permitted persona may still get 400/409 or change nothing. Every refused persona's
# write is proven harmless all the same. Empty: every permitted write of the matrix
# answers 2xx/3xx and changes rows (or, for a preview, shows its ``done_text``).
# A new key needs a reason here; give the rule ``data``, ``setup``, ``persona_data``
# or ``prepare`` instead wherever possible.
PERMITTED_SIDE_PENDING: frozenset[str] = frozenset()
