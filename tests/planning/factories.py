from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from planning import rules
from planning.models import (
    ActivityEvent,
    Campaign,
    CampaignItem,
    Category,
    KeyWorkProject,
    Milestone,
    PlanItem,
    ProgressReport,
    WorkPlan,
)


def today():
    return timezone.localdate()


class WorkPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPlan

    owner = None  # the district: always given by the test
    year = factory.LazyFunction(lambda: today().year)
    title = factory.Sequence(lambda n: f"Key-work plan {n}")
    status = WorkPlan.Status.PUBLISHED
    reporting_frequency = rules.MONTHLY
    report_due_days = 5


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    plan = factory.SubFactory(WorkPlanFactory)
    category = Category.TRAINING
    title = factory.Sequence(lambda n: f"Plan item {n}")
    target_value = Decimal(100)
    target_unit = "people"
    weight = Decimal(1)
    due_date = factory.LazyFunction(lambda: today() + timedelta(days=180))


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project that started a year ago and is due in half a year."""

    class Meta:
        model = KeyWorkProject
        skip_postgeneration_save = True

    item = None  # given by the test (its plan belongs to the test's district)
    plan = factory.LazyAttribute(lambda o: o.item.plan)
    owner = None
    title = factory.Sequence(lambda n: f"Project {n}")
    category = factory.LazyAttribute(lambda o: o.item.category)
    target_value = Decimal(100)
    target_unit = "people"
    weight = Decimal(1)
    start_date = factory.LazyFunction(lambda: today() - timedelta(days=365))
    due_date = factory.LazyFunction(lambda: today() + timedelta(days=180))

    @factory.post_generation
    def participants(self, create, extracted, **kwargs):
        if create and extracted:
            self.participants.set(extracted)


def past_period(project, months_back: int = 1) -> rules.ReportingPeriod:
    """A monthly period that has ended ``months_back`` months before this one."""
    day = today().replace(day=1)
    for _ in range(months_back):
        day = (day - timedelta(days=1)).replace(day=1)
    return rules.period_for(
        project.plan.reporting_frequency, day, project.plan.report_due_days
    )


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport
        exclude = ("period",)

    project = None
    union = factory.LazyAttribute(lambda o: o.project.owner)
    period = factory.LazyAttribute(lambda o: past_period(o.project))
    period_start = factory.LazyAttribute(lambda o: o.period.start)
    period_end = factory.LazyAttribute(lambda o: o.period.end)
    deadline = factory.LazyAttribute(lambda o: o.period.deadline)
    achieved_value = Decimal(40)
    percent_complete = Decimal(40)
    narrative = "Two courses held."
    status = ProgressReport.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    first_submitted_at = factory.LazyAttribute(lambda o: o.submitted_at)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = None
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = factory.LazyFunction(lambda: today() + timedelta(days=30))


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    owner = None
    title = factory.Sequence(lambda n: f"Campaign {n}")
    year = factory.LazyFunction(lambda: today().year)


class CampaignItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignItem

    campaign = None
    title = factory.Sequence(lambda n: f"Item {n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityEvent

    union = None
    kind = ActivityEvent.Kind.ACTIVITY
    date = factory.LazyFunction(today)
    title = factory.Sequence(lambda n: f"Event {n}")
    participants = 30


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
