import factory

from accounts.models import ApiToken
from accounts.tokens import hash_key, new_key
from tests.accounts.factories import UserFactory


class ApiTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    prefix = "upt_test00"
    key_hash = factory.LazyFunction(lambda: hash_key(new_key()))


def token_with_key(user, **fields) -> tuple[ApiToken, str]:
    """A token and the key to send for it (the database keeps only the digest)."""
    key = new_key()
    token = ApiTokenFactory(
        user=user, prefix=key[:10], key_hash=hash_key(key), **fields
    )
    return token, key


def published_plan(owner, units, *, year=None, frequency="monthly"):
    """A published plan of ``owner`` with one item handed out to ``units``, built
    through the planning services as the pages build it. Returns (plan, projects)."""
    from datetime import date

    from django.utils import timezone

    from planning.models import PlanItem
    from planning.services import plans

    year = year or timezone.localdate().year
    plan = plans.plan_create(
        owner=owner,
        data={
            "title": f"Key work {year}",
            "year": year,
            "reporting_frequency": frequency,
            "report_due_days": 5,
        },
    )
    item = plans.item_save(
        item=PlanItem(plan=plan),
        data={
            "category": "training",
            "title": "Train cadres",
            "target_value": 200,
            "target_unit": "people",
            "weight": 2,
            "due_date": date(year, 12, 31),
        },
    )
    projects, _skipped = plans.item_hand_out(
        item=item, unions=list(units), start_date=date(year, 1, 1)
    )
    plans.plan_publish(plan=plan)
    return plan, {p.owner_id: p for p in projects}


def open_period(owner, *, by, unit_level="grassroots", kind="q1", year=None):
    """An active scheme of ``owner`` with one manual base indicator worth 100 points
    and its period ``kind`` open for entry, built through the assessment services.
    Returns (period, indicator)."""
    from decimal import Decimal

    from django.utils import timezone

    from assessments import services
    from assessments.models import Indicator, IndicatorCategory, Scheme

    year = year or timezone.localdate().year
    scheme = services.scheme_create(
        owner=owner,
        data={
            "year": year,
            "name_zh": "考核方案",
            "name_en": "Scheme",
            "unit_level": unit_level,
        },
        by=by,
    )
    category = services.category_save(
        category=IndicatorCategory(scheme=scheme),
        data={"name_zh": "自身建设", "name_en": "Self-construction", "order": 1},
        by=by,
    )
    indicator = services.indicator_save(
        indicator=Indicator(scheme=scheme, category=category),
        data={
            "code": "A1",
            "name_zh": "理论学习",
            "name_en": "Theory study",
            "max_points": Decimal("100"),
            "kind": Indicator.Kind.BASE,
            "method": Indicator.Method.MANUAL,
        },
        by=by,
    )
    services.scheme_activate(scheme=Scheme.objects.get(pk=scheme.pk), by=by)
    period = services.period_create(
        scheme=Scheme.objects.get(pk=scheme.pk), kind=kind, by=by
    )
    return period, indicator
