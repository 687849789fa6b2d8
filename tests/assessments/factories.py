from decimal import Decimal

import factory

from assessments.models import (
    Indicator,
    IndicatorCategory,
    Period,
    Scheme,
    Score,
    UnitLevel,
    quarter_dates,
)


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme

    owner = None
    year = 2026
    unit_level = UnitLevel.SUBDISTRICT
    name_zh = factory.Sequence(lambda n: f"考核方案{n}")
    name_en = factory.Sequence(lambda n: f"Scheme {n}")
    bonus_cap = Decimal("5")
    status = Scheme.Status.DRAFT


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorCategory

    scheme = factory.SubFactory(SchemeFactory)
    name_zh = factory.Sequence(lambda n: f"类别{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    order = factory.Sequence(lambda n: n)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    category = factory.SubFactory(CategoryFactory)
    scheme = factory.LazyAttribute(lambda i: i.category.scheme)
    code = factory.Sequence(lambda n: f"I{n}")
    name_zh = factory.Sequence(lambda n: f"指标{n}")
    name_en = factory.Sequence(lambda n: f"Indicator {n}")
    max_points = Decimal("10")
    kind = Indicator.Kind.BASE
    method = Indicator.Method.MANUAL
    params = factory.LazyFunction(dict)
    order = factory.Sequence(lambda n: n)


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period

    scheme = factory.SubFactory(SchemeFactory)
    kind = Period.Kind.Q1
    start = factory.LazyAttribute(lambda p: quarter_dates(p.scheme.year, p.kind)[0])
    end = factory.LazyAttribute(lambda p: quarter_dates(p.scheme.year, p.kind)[1])
    status = Period.Status.OPEN


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    period = factory.SubFactory(PeriodFactory)
    indicator = None
    unit = None
    self_score = Decimal("8")


def active_scheme(owner, *, level=UnitLevel.SUBDISTRICT, year=2026, base=None, **extra):
    """An active scheme: one category, manual base indicators adding up to 100
    (``base`` lists their max points), plus any ``extra`` indicators by code."""
    scheme = SchemeFactory(owner=owner, unit_level=level, year=year)
    category = CategoryFactory(scheme=scheme, name_en="Key work", name_zh="重点工作")
    for index, points in enumerate(base or [60, 40], start=1):
        IndicatorFactory(
            category=category, code=f"B{index}", max_points=Decimal(points)
        )
    for code, fields in extra.items():
        IndicatorFactory(category=category, code=code, **fields)
    scheme.status = Scheme.Status.ACTIVE
    scheme.save()
    return scheme


def indicator(scheme, code) -> Indicator:
    return Indicator.objects.get(scheme=scheme, code=code)


def build_report(period):
    """Builds the period's snapshot, then runs the files job it enqueues on commit
    (as a worker does); returns the report with its files made."""
    from django.test import TestCase

    from assessments import services

    with TestCase.captureOnCommitCallbacks(execute=True):
        report = services.report_build(period_id=period.pk)
    if report is not None:
        report.refresh_from_db()
    return report
