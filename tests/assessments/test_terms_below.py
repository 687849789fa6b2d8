"""Issue 16: an office-terms indicator may count the terms of the units below the
assessed union, per overdue unit or per overdue month, capped at its max."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from assessments import rules
from assessments.explain import explain
from assessments.models import Indicator, Period, QuarterReportRow
from tests.snapshots import assert_unchanged
from tests.unions.factories import grassroots_factory, term_factory

from .factories import PeriodFactory, active_scheme, build_report

BELOW = (("甲工会", "Union A", 3), ("乙工会", "Union B", 1))


def test_per_unit_deducts_for_each_overdue_unit_below():
    outcome = rules.terms_below(BELOW, D("10"), per="2", count="unit", kind="base")
    assert outcome.points == D("6.00")
    assert outcome.how["key"] == "terms_below_overdue"
    assert [u["en"] for u in outcome.how["params"]["units"]] == ["Union A", "Union B"]


def test_per_month_deducts_for_each_overdue_month_of_the_units_below():
    outcome = rules.terms_below(BELOW, D("10"), per="2", count="month", kind="base")
    assert outcome.points == D("2.00")  # (3 + 1) months × 2


def test_the_deduction_is_capped_at_the_max_points():
    many = tuple((f"{i}", f"{i}", 4) for i in range(9))
    assert rules.terms_below(
        many, D("10"), per="2", count="unit", kind="base"
    ).points == D("0.00")
    deduction = rules.terms_below(
        many, D("5"), per="2", count="month", kind="deduction"
    )
    assert deduction.points == D("5.00")
    assert deduction.how["params"]["deducted"] == "5"


def test_nothing_overdue_below_gives_full_points():
    outcome = rules.terms_below((), D("10"), per="2", count="unit", kind="base")
    assert outcome.points == D("10.00")
    assert outcome.how == {"key": "terms_below_ok", "params": {}}


def test_own_scope_reads_only_the_assessed_unions_term():
    params = {"per_month": "2", "scope": "own", "count": "month"}
    own = rules.evaluate("terms", "base", D("10"), params, None, 0, BELOW)
    assert own.points == D("10.00")
    below = rules.evaluate(
        "terms",
        "base",
        D("10"),
        {**params, "scope": "below", "count": "unit"},
        None,
        0,
        BELOW,
    )
    assert below.points == D("6.00")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_explanation_names_the_units(language):
    outcome = rules.terms_below(BELOW, D("10"), per="2", count="unit", kind="base")
    with translation.override(language):
        text = explain(outcome.how)
    if language == "en":
        assert "Union A (3 months overdue)" in text
        assert "2 units below overdue, 2 points each: 4 points deducted" in text
    else:
        assert "甲工会" in text
        assert "乙工会" in text
        assert "Union" not in text


def test_a_scheme_counting_units_below_scores_the_sub_district(
    district, subdistrict, grassroots, grassroots_sibling, other_subdistrict
):
    scheme = active_scheme(
        district,
        base=[90],
        T1={
            "method": "terms",
            "max_points": D("10"),
            "params": {"per_month": "2"},
            "term_scope": "below",
            "term_count": "unit",
        },
    )
    period = PeriodFactory(scheme=scheme, kind=Period.Kind.Q1, status="closed")
    # Overdue at the quarter's end (2026-03-31): one grassroots union below
    # ``subdistrict`` for about four months; its sibling and the sub-district are on time.
    term_factory(grassroots, planned_end=date(2025, 11, 20))
    term_factory(grassroots_sibling, planned_end=date(2027, 1, 1))
    term_factory(subdistrict, planned_end=date(2028, 1, 1))
    report = build_report(period)
    row = QuarterReportRow.objects.get(report=report, unit=subdistrict)
    (detail,) = [i for i in row.indicators if i["how"]["key"].startswith("terms")]
    assert detail["points"] == "8.00"
    assert detail["how"]["params"]["units"] == [
        {
            "zh": grassroots.name_zh,
            "en": grassroots.name_en or grassroots.name_zh,
            "months": 4,
        }
    ]
    other = QuarterReportRow.objects.get(report=report, unit=other_subdistrict)
    (detail,) = [i for i in other.indicators if i["how"]["key"].startswith("terms")]
    assert detail["points"] == "10.00"
    assert detail["how"]["key"] == "terms_below_ok"


def test_the_engine_reads_the_units_below_in_a_fixed_number_of_queries(
    district, subdistrict
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments import sources

    def count():
        with CaptureQueriesContext(connection) as queries:
            sources.overdue_below(
                root_path=district.path,
                union_ids=[subdistrict.pk],
                at=date(2026, 3, 31),
            )
        return len(queries)

    first = count()
    for _ in range(3):
        unit = grassroots_factory(subdistrict)
        term_factory(unit, planned_end=date(2026, 1, 1) - timedelta(days=40))
    assert count() == first == 2
    assert (
        len(
            sources.overdue_below(
                root_path=district.path,
                union_ids=[subdistrict.pk],
                at=date(2026, 3, 31),
            )[subdistrict.pk]
        )
        == 3
    )


def test_per_unit_needs_the_units_below(scheme):
    indicator = Indicator(
        scheme=scheme,
        category=scheme.categories.first(),
        code="T9",
        name_zh="换届",
        method="terms",
        max_points=D("10"),
        params={"per_month": "2"},
        term_scope="own",
        term_count="unit",
    )
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "term_count" in error.value.message_dict
    indicator.method, indicator.params = "manual", {}
    indicator.term_scope = "below"
    indicator.term_count = "month"
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "term_scope" in error.value.message_dict


def test_an_administrator_sets_a_terms_indicator_to_count_the_units_below(
    client_for, admin_user, leader, scheme
):
    from django.urls import reverse

    category = scheme.categories.first()
    url = reverse("assessments:indicator_create", args=[scheme.pk])
    data = {
        "category": category.pk,
        "code": "T1",
        "order": "9",
        "name_zh": "基层工会按期换届",
        "name_en": "Terms below on time",
        "description": "",
        "kind": "deduction",
        "method": "terms",
        "max_points": "5",
        "per_month": "1",
        "term_scope": "below",
        "term_count": "unit",
    }
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(url, data)
    assert response.status_code == 403
    assert not Indicator.objects.filter(scheme=scheme, code="T1").exists()
    client_for(admin_user).post(url, data)
    saved = Indicator.objects.get(scheme=scheme, code="T1")
    assert (saved.term_scope, saved.term_count) == ("below", "unit")
    # Per unit of the union's own term is refused, on the field, in words.
    refused = client_for(admin_user).post(
        url, {**data, "code": "T2", "term_scope": "own"}
    )
    assert "term_count" in refused.context["form"].errors
    assert not Indicator.objects.filter(scheme=scheme, code="T2").exists()


def test_a_unit_overdue_by_days_counts_as_overdue_below():
    """Issue 16: a grassroots union overdue since 19 September is overdue at
    the quarter's end on 30 September, though not yet by a whole month."""
    days = (("丙工会", "Union C", 0),)
    per_unit = rules.terms_below(days, D("10"), per="2", count="unit", kind="base")
    assert per_unit.points == D("8.00")
    per_month = rules.terms_below(days, D("10"), per="2", count="month", kind="base")
    assert per_month.points == D("10.00")
    with translation.override("en"):
        assert "Union C (overdue less than a month)" in explain(per_unit.how)
    with translation.override("zh-hans"):
        assert "丙工会" in explain(per_unit.how)


@pytest.mark.django_db
def test_overdue_below_reads_a_term_overdue_by_days():
    from assessments import sources
    from tests.unions.factories import district_factory, subdistrict_factory

    parent = subdistrict_factory(district_factory())
    unit = grassroots_factory(parent)
    end = date(2026, 9, 30)
    term_factory(union=unit, planned_end=date(2026, 9, 19))
    found = sources.overdue_below(root_path=parent.path, union_ids=[parent.pk], at=end)
    assert found[parent.pk] == ((unit.name_zh, unit.name_en or unit.name_zh, 0),)
    assert sources.overdue_months(union_ids=[unit.pk], at=end) == {unit.pk: 0}
