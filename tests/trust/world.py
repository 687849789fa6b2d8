"""The objects the permission matrix points its URLs at, built on demand.

Every object lives in the test tree of tests/conftest.py. Unless a rule says
otherwise, the *target* of a URL belongs to ``grassroots`` (where ``cadre_grass``
works): the district personas and ``cadre_sub`` see it, ``outsider`` (a cadre of the
other sub-district) does not. Each builder runs at most once per test.
"""

from functools import cached_property

PERSONAS = (
    "admin",
    "admin_sub",
    "leader",
    "reviewer",
    "cadre_sub",
    "cadre_grass",
    "outsider",
)
FIXTURE_OF = {
    "admin": "admin_user",
    "admin_sub": "admin_sub",
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
        from accounts.tokens import api_token_create

        token, _key = api_token_create(user=self.user("cadre_grass"), name="matrix")
        return token

    # --- unions ------------------------------------------------------------------------

    @cached_property
    def term(self):
        from tests.unions.factories import term_factory

        return term_factory(self.union("grassroots"))

    @cached_property
    def position(self):
        from tests.unions.factories import officer_factory

        return officer_factory(self.term)

    @cached_property
    def person(self):
        return self.position.person

    @cached_property
    def change(self):
        """A change of term of ``grassroots``, planned, with a document."""
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.utils import timezone

        from tests.trust.hostile_files import PDF_BYTES
        from unions import workflow

        self.fixture("media_root")
        self.term  # noqa: B018 - the change replaces this term
        return workflow.term_change_plan(
            union=self.union("grassroots"),
            by=self.user("admin"),
            day=timezone.localdate(),
            document=SimpleUploadedFile("plan.pdf", PDF_BYTES),
        )

    @cached_property
    def change_step(self):
        return self.change.steps.get()

    # --- planning ------------------------------------------------------------------------

    @cached_property
    def _plan_and_projects(self):
        from tests.api.factories import published_plan

        return published_plan(
            self.union("district"),
            [self.union("grassroots"), self.union("other_grassroots")],
        )

    @cached_property
    def plan(self):
        return self._plan_and_projects[0]

    @cached_property
    def plan_item(self):
        return self.plan.items.get()

    @cached_property
    def project(self):
        return self._plan_and_projects[1][self.union("grassroots").pk]

    @cached_property
    def proposal(self):
        """A self-chosen project ``grassroots`` proposed, waiting for approval."""
        from planning.services.proposals import project_propose

        return project_propose(
            owner=self.union("grassroots"),
            plan=self.plan,
            data={
                "title": "Reading corner",
                "category": "service",
                "target_value": 12,
                "target_unit": "sessions",
                "start_date": self.project.start_date,
                "due_date": self.project.due_date,
            },
            by=self.user("cadre_grass"),
        )

    @cached_property
    def milestone(self):
        from tests.planning.factories import MilestoneFactory

        return MilestoneFactory(project=self.project)

    @cached_property
    def report(self):
        """A progress report of ``grassroots``, submitted and waiting for review."""
        from tests.planning.factories import ReportFactory

        return ReportFactory(project=self.project)

    @cached_property
    def draft_report(self):
        from planning.models import ProgressReport
        from tests.planning.factories import ReportFactory

        return ReportFactory(
            project=self.project,
            status=ProgressReport.Status.DRAFT,
            submitted_at=None,
            first_submitted_at=None,
        )

    @cached_property
    def evidence(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from planning.services.reports import evidence_attach
        from tests.trust.hostile_files import PDF_BYTES

        self.fixture("media_root")
        return evidence_attach(
            file=SimpleUploadedFile("minutes.pdf", PDF_BYTES),
            by=self.user("cadre_grass"),
            report=self.draft_report,
        )

    @cached_property
    def campaign(self):
        from tests.planning.factories import CampaignFactory, CampaignItemFactory

        campaign = CampaignFactory(owner=self.union("district"))
        CampaignItemFactory(campaign=campaign)
        return campaign

    @cached_property
    def event(self):
        from tests.planning.factories import EventFactory

        return EventFactory(union=self.union("grassroots"))

    # --- assessments -----------------------------------------------------------------------

    @cached_property
    def _period_and_indicator(self):
        from tests.api.factories import open_period

        return open_period(self.union("district"), by=self.user("admin"))

    @cached_property
    def period(self):
        """The open first quarter of the district's grassroots scheme."""
        return self._period_and_indicator[0]

    @cached_property
    def indicator(self):
        return self._period_and_indicator[1]

    @cached_property
    def scheme(self):
        return self.period.scheme

    @cached_property
    def category(self):
        return self.indicator.category

    @cached_property
    def spare_scheme(self):
        """An active scheme of next year with no period yet (one that can be archived)."""
        from assessments import services

        scheme = services.scheme_copy(
            source=self.scheme, year=self.scheme.year + 1, by=self.user("admin")
        )
        return services.scheme_activate(scheme=scheme, by=self.user("admin"))

    @cached_property
    def empty_category(self):
        """A category of the world's scheme with no indicator (one that can go)."""
        from assessments import services
        from assessments.models import IndicatorCategory

        return services.category_save(
            category=IndicatorCategory(scheme=self.scheme),
            data={"name_zh": "创新工作", "name_en": "Innovation", "order": 9},
            by=self.user("admin"),
        )

    @cached_property
    def spare_indicator(self):
        """A bonus indicator with no score (one that can be deleted)."""
        from decimal import Decimal

        from assessments import services
        from assessments.models import Indicator

        return services.indicator_save(
            indicator=Indicator(scheme=self.scheme, category=self.category),
            data={
                "code": "B9",
                "name_zh": "创新奖励",
                "name_en": "Innovation bonus",
                "max_points": Decimal("5"),
                "kind": Indicator.Kind.BONUS,
                "method": Indicator.Method.MANUAL,
            },
            by=self.user("admin"),
        )

    @cached_property
    def exemption(self):
        from assessments import services

        return services.exemption_create(
            indicator=self.indicator,
            unit=self.union("grassroots"),
            reason="Not relevant here",
            by=self.user("admin"),
        )

    @cached_property
    def score(self):
        """``grassroots``'s self-score in the open period."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from assessments import services
        from tests.trust.hostile_files import PDF_BYTES

        self.fixture("media_root")
        entry = services.ScoreEntry(
            indicator=self.indicator,
            self_score=80,
            evidence=SimpleUploadedFile("evidence.pdf", PDF_BYTES),
        )
        return services.scores_save(
            period=self.period,
            unit=self.union("grassroots"),
            entries=[entry],
            by=self.user("cadre_grass"),
        )[0]

    @cached_property
    def quarter_report(self):
        """A finished report of the (closed) period, written without the slow build."""
        from decimal import Decimal

        from django.core.files.base import ContentFile
        from django.utils import timezone

        from assessments import services
        from assessments.models import (
            QuarterReport,
            QuarterReportFile,
            QuarterReportRow,
        )

        self.fixture("media_root")
        self.score  # noqa: B018 - a score to report on
        services.period_close(period=self.period, by=self.user("admin"))
        report = QuarterReport.objects.create(
            period=self.period,
            status=QuarterReport.Status.DONE,
            progress=100,
            unit_count=1,
            run_token="0" * 32,
            finished_at=timezone.now(),
        )
        grassroots = self.union("grassroots")
        QuarterReportRow.objects.create(
            report=report,
            unit=grassroots,
            peer_group="grassroots",
            peer_union=self.union("subdistrict"),
            base=Decimal(80),
            bonus=Decimal(0),
            deduction=Decimal(0),
            total=Decimal(80),
            grade="good",
            rank=1,
        )
        record = QuarterReportFile(report=report, kind="xlsx", language="en")
        record.file.save("report.xlsx", ContentFile(b"PK\x03\x04 test"), save=False)
        record.size = 10
        record.save()
        return report

    # --- markers for list pages: one object per grassroots union, titled after it ---------

    @cached_property
    def marker_item(self):
        from tests.planning.factories import PlanItemFactory

        return PlanItemFactory(plan=self.plan)

    def project_of(self, union_name: str):
        from tests.planning.factories import ProjectFactory

        return self.once(
            ("project_of", union_name),
            lambda: ProjectFactory(
                item=self.marker_item,
                owner=self.union(union_name),
                title=f"project_of of {union_name}",
            ),
        )

    def event_of(self, union_name: str):
        from tests.planning.factories import EventFactory

        return self.once(
            ("event_of", union_name),
            lambda: EventFactory(
                union=self.union(union_name), title=f"event_of of {union_name}"
            ),
        )
