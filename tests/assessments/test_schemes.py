from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import Indicator, IndicatorExemption, Scheme

from .factories import (
    CategoryFactory,
    IndicatorFactory,
    PeriodFactory,
    SchemeFactory,
    ScoreFactory,
    indicator,
)


@pytest.fixture
def draft(district):
    scheme = SchemeFactory(owner=district, year=2025)
    category = CategoryFactory(scheme=scheme)
    IndicatorFactory(category=category, code="A1", max_points=D("60"))
    IndicatorFactory(category=category, code="A2", max_points=D("30"))
    return scheme


def test_activation_is_refused_when_base_points_do_not_add_up_to_100(draft, admin_user):
    with pytest.raises(ValidationError, match="add up to 90 points"):
        services.scheme_activate(scheme=draft, by=admin_user)
    draft.refresh_from_db()
    assert draft.status == Scheme.Status.DRAFT


def test_activation_succeeds_when_base_points_add_up_to_100(draft, admin_user):
    IndicatorFactory(category=draft.categories.get(), code="A3", max_points=D("10"))
    services.scheme_activate(scheme=draft, by=admin_user)
    draft.refresh_from_db()
    assert draft.status == Scheme.Status.ACTIVE


def test_bonus_and_deduction_points_do_not_count_toward_100(draft, admin_user):
    category = draft.categories.get()
    IndicatorFactory(category=category, code="X", max_points=D("10"), kind="bonus")
    IndicatorFactory(category=category, code="Y", max_points=D("5"), kind="deduction")
    assert services.scheme_base_total(scheme=draft) == D("90")


def test_activation_is_refused_without_indicators(district, admin_user):
    scheme = SchemeFactory(owner=district)
    with pytest.raises(ValidationError, match="Add indicators"):
        services.scheme_activate(scheme=scheme, by=admin_user)


def test_a_second_active_scheme_for_the_same_units_and_year_is_refused(
    scheme, district, admin_user
):
    other = SchemeFactory(owner=district, year=scheme.year)
    IndicatorFactory(category=CategoryFactory(scheme=other), max_points=D("100"))
    with pytest.raises(ValidationError, match="already an active scheme"):
        services.scheme_activate(scheme=other, by=admin_user)


def test_copy_makes_a_draft_for_the_next_year_with_the_same_indicators(
    draft, admin_user
):
    draft.name_zh = "2025年度考核方案"
    draft.save()
    indicator(draft, "A1").params = {"target": 3}
    copy = services.scheme_copy(source=draft, year=2026, by=admin_user)
    assert copy.status == Scheme.Status.DRAFT
    assert copy.year == 2026
    assert copy.copied_from == draft
    assert copy.name_zh == "2026年度考核方案"
    assert sorted(copy.indicators.values_list("code", "max_points")) == [
        ("A1", D("60.00")),
        ("A2", D("30.00")),
    ]
    assert copy.categories.count() == 1


def test_copy_leaves_not_applicable_marks_behind(scheme, subdistrict, admin_user):
    services.exemption_create(
        indicator=indicator(scheme, "B1"),
        unit=subdistrict,
        reason="No projects this year",
        by=admin_user,
    )
    copy = services.scheme_copy(source=scheme, year=2027, by=admin_user)
    assert not IndicatorExemption.objects.filter(indicator__scheme=copy).exists()


def test_changing_the_points_of_an_active_scheme_raises_its_version(scheme, admin_user):
    services.indicator_save(
        indicator=indicator(scheme, "B1"),
        data={"method": Indicator.Method.KEY_WORK},
        by=admin_user,
    )
    scheme.refresh_from_db()
    assert scheme.version == 2


def test_rewording_an_indicator_keeps_the_version(scheme, admin_user):
    services.indicator_save(
        indicator=indicator(scheme, "B1"),
        data={"name_en": "Better words"},
        by=admin_user,
    )
    scheme.refresh_from_db()
    assert scheme.version == 1


def test_an_active_scheme_refuses_a_change_that_breaks_100(scheme, admin_user):
    with pytest.raises(ValidationError, match="must add up to 100"):
        services.indicator_save(
            indicator=indicator(scheme, "B1"),
            data={"max_points": D("50")},
            by=admin_user,
        )
    assert indicator(scheme, "B1").max_points == D("60")


def test_return_to_draft_raises_the_version(scheme, admin_user):
    services.scheme_return_to_draft(scheme=scheme, by=admin_user)
    scheme.refresh_from_db()
    assert (scheme.status, scheme.version) == (Scheme.Status.DRAFT, 2)


def test_an_automatic_rule_needs_its_parameters(scheme, admin_user):
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(
            indicator=Indicator(scheme=scheme, category=scheme.categories.get()),
            data={
                "code": "T1",
                "name_zh": "培训",
                "kind": "bonus",
                "method": "training",
                "max_points": D("3"),
                "params": {},
            },
            by=admin_user,
        )
    assert "params" in caught.value.message_dict


def test_an_automatic_rule_refuses_a_kind_it_cannot_have(scheme, admin_user):
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(
            indicator=Indicator(scheme=scheme, category=scheme.categories.get()),
            data={
                "code": "P1",
                "name_zh": "宣传",
                "kind": "deduction",
                "method": "publicity",
                "max_points": D("3"),
                "params": {"points": {"city": "1"}},
            },
            by=admin_user,
        )
    assert "kind" in caught.value.message_dict


def test_not_applicable_only_for_units_the_scheme_assesses(
    scheme, grassroots, admin_user
):
    with pytest.raises(ValidationError, match="does not assess"):
        services.exemption_create(
            indicator=indicator(scheme, "B1"),
            unit=grassroots,
            reason="x",
            by=admin_user,
        )


def test_not_applicable_needs_a_reason(scheme, subdistrict, admin_user):
    with pytest.raises(ValidationError):
        services.exemption_create(
            indicator=indicator(scheme, "B1"),
            unit=subdistrict,
            reason=" ",
            by=admin_user,
        )


def test_not_applicable_only_for_base_indicators(scheme, subdistrict, admin_user):
    bonus = IndicatorFactory(
        category=scheme.categories.get(), code="X1", kind="bonus", max_points=D("3")
    )
    with pytest.raises(ValidationError, match="Only base"):
        services.exemption_create(
            indicator=bonus, unit=subdistrict, reason="why not", by=admin_user
        )


def test_an_indicator_with_scores_cannot_be_deleted(scheme, subdistrict, admin_user):
    period = PeriodFactory(scheme=scheme)
    ScoreFactory(period=period, indicator=indicator(scheme, "B1"), unit=subdistrict)
    with pytest.raises(ValidationError, match="already has scores"):
        services.indicator_delete(indicator=indicator(scheme, "B1"), by=admin_user)


def test_an_archived_scheme_cannot_change(scheme, admin_user):
    services.scheme_archive(scheme=scheme, by=admin_user)
    with pytest.raises(ValidationError, match="archived"):
        services.indicator_save(
            indicator=indicator(scheme, "B1"), data={"name_en": "x"}, by=admin_user
        )


def test_scheme_changes_are_kept_in_history(draft, admin_user):
    IndicatorFactory(category=draft.categories.get(), code="A3", max_points=D("10"))
    services.scheme_activate(scheme=draft, by=admin_user)
    latest = draft.history.first()
    assert latest.status == Scheme.Status.ACTIVE
    assert latest.history_user == admin_user
