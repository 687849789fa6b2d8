"""Demo assessment for the Jiangbin district: last year's four published quarters and
annual result, this year's quarters so far, and the current quarter open for entry.

The schemes follow the conference's three points (docs/design.md §4). Last year's scheme
scored carrier activities and training by hand (they were kept on paper); this
year's, copied from it, reads them from the portal's planning data. Idempotent, with
a fixed random seed; reports are built eagerly by the same service the job runs.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .engine import assessed_units
from .models import (
    Indicator,
    IndicatorCategory,
    IndicatorExemption,
    Period,
    QuarterReport,
    Scheme,
    Score,
    UnitLevel,
)
from .services import (
    category_save,
    indicator_save,
    period_close,
    period_create,
    period_publish,
    report_build,
    scheme_activate,
    scheme_copy,
    scheme_create,
)

CATEGORIES = [
    ("A", "政治引领与理论学习", "Political guidance and theory study"),
    (
        "B",
        "改革创新、重点工作项目化、特色载体与普惠服务",
        "Reform, key-work projects, carrier activities and inclusive service",
    ),
    ("C", "自身建设", "Self-construction: training, terms on time, publicity"),
]

# code, category, Chinese, English, kind, method, max points, params
SUBDISTRICT_INDICATORS = [
    (
        "A1",
        "A",
        "理论学习中心组学习和专题宣讲",
        "Theory study and themed talks",
        "base",
        "manual",
        8,
        {},
    ),
    (
        "A2",
        "A",
        "职工思想政治引领",
        "Political guidance of workers",
        "base",
        "manual",
        6,
        {},
    ),
    (
        "A3",
        "A",
        "“增三性、去四化”改革任务落实",
        "Reform: three characteristics, four tendencies",
        "base",
        "manual",
        6,
        {},
    ),
    (
        "B1",
        "B",
        "重点工作项目完成率",
        "Key-work project completion",
        "base",
        "key_work",
        20,
        {},
    ),
    (
        "B2",
        "B",
        "项目进度报送及时率",
        "Progress reports on time",
        "base",
        "timeliness",
        10,
        {},
    ),
    (
        "B3",
        "B",
        "特色载体活动开展",
        "Carrier activities held",
        "base",
        "activities",
        4,
        {"target": 2},
    ),
    (
        "B4",
        "B",
        "普惠服务职工",
        "Inclusive service for staff",
        "base",
        "manual",
        12,
        {},
    ),
    (
        "B5",
        "B",
        "产业工人队伍建设改革",
        "Industrial workers and model workers",
        "base",
        "manual",
        9,
        {},
    ),
    (
        "C1",
        "C",
        "工会干部教育培训",
        "Cadre training",
        "base",
        "training",
        4,
        {"target": 30},
    ),
    (
        "C2",
        "C",
        "基层工会按期换届",
        "Office terms changed on time",
        "base",
        "terms",
        10,
        # The grassroots unions below the sub-district: 2 points per overdue unit.
        {"per_month": "2", "term_scope": "below", "term_count": "unit"},
    ),
    (
        "C3",
        "C",
        "组织建设与经费审查",
        "Organisation building and funds review",
        "base",
        "manual",
        11,
        {},
    ),
    (
        "C4",
        "C",
        "社会宣传",
        "Publicity",
        "bonus",
        "publicity",
        5,
        {"points": {"district": "0.5", "city": "1", "province": "2", "national": "3"}},
    ),
    ("C5", "C", "创新工作加分", "Innovative work", "bonus", "manual", 3, {}),
    ("C6", "C", "工作失误扣分", "Lapses in work", "deduction", "manual", 5, {}),
    ("C7", "C", "一票否决事项", "One-vote veto matters", "veto", "manual", 0, {}),
]
GRASSROOTS_INDICATORS = [
    ("A1", "A", "政治理论学习", "Political and theory study", "base", "manual", 10, {}),
    (
        "A2",
        "A",
        "职工思想政治引领",
        "Political guidance of workers",
        "base",
        "manual",
        10,
        {},
    ),
    (
        "B1",
        "B",
        "重点工作项目完成率",
        "Key-work project completion",
        "base",
        "key_work",
        15,
        {},
    ),
    (
        "B2",
        "B",
        "项目进度报送及时率",
        "Progress reports on time",
        "base",
        "timeliness",
        10,
        {},
    ),
    (
        "B3",
        "B",
        "特色载体活动开展",
        "Carrier activities held",
        "base",
        "activities",
        4,
        {"target": 1},
    ),
    (
        "B4",
        "B",
        "普惠服务与职工之家建设",
        "Inclusive service and workers' homes",
        "base",
        "manual",
        14,
        {},
    ),
    (
        "B5",
        "B",
        "集体协商与民主管理",
        "Collective bargaining and democratic management",
        "base",
        "manual",
        12,
        {},
    ),
    ("C1", "C", "工会干部培训", "Cadre training", "base", "training", 4, {"target": 5}),
    (
        "C2",
        "C",
        "按期换届",
        "Office term changed on time",
        "base",
        "terms",
        10,
        {"per_month": "2"},
    ),
    ("C3", "C", "会员发展与经费管理", "Membership and funds", "base", "manual", 11, {}),
    (
        "C4",
        "C",
        "社会宣传",
        "Publicity",
        "bonus",
        "publicity",
        3,
        {"points": {"district": "0.5", "city": "1", "province": "2", "national": "3"}},
    ),
    ("C5", "C", "工作失误扣分", "Lapses in work", "deduction", "manual", 5, {}),
    ("C6", "C", "一票否决事项", "One-vote veto matters", "veto", "manual", 0, {}),
]
# Kept on paper last year: scored by hand in last year's scheme.
HAND_SCORED_LAST_YEAR = ("B3", "C1")

REVIEW_COMMENTS = [
    "佐证材料不完整，酌情扣分。",
    "部分工作未形成台账，按实际完成情况核减。",
    "活动记录与报送数据不一致，按核实数计分。",
]
SELF_COMMENTS = [
    "已按要求完成，详见佐证材料。",
    "完成季度计划，台账齐全。",
    "",
    "",
]


def present(context: dict) -> bool:
    """This year's schemes, both levels, already have the current quarter (one
    query): a new quarter makes the demo seed again."""
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    levels = set(
        Period.objects.filter(
            scheme__owner__code="JB", scheme__year=today.year, kind=f"q{quarter}"
        ).values_list("scheme__unit_level", flat=True)
    )
    return levels == {UnitLevel.SUBDISTRICT, UnitLevel.GRASSROOTS}


def seed(context: dict) -> None:
    unions = context["unions"]
    users = context["users"]
    district = unions["JB"]
    admin = users.get("admin")
    today = timezone.localdate()
    year = today.year
    current_quarter = (today.month - 1) // 3 + 1
    for level, indicators, name_zh, name_en in (
        (
            UnitLevel.SUBDISTRICT,
            SUBDISTRICT_INDICATORS,
            "{year}年度街道总工会重点工作绩效考核方案",
            "{year} performance assessment of sub-district general unions",
        ),
        (
            UnitLevel.GRASSROOTS,
            GRASSROOTS_INDICATORS,
            "{year}年度基层工会重点工作绩效考核方案",
            "{year} performance assessment of grassroots trade unions",
        ),
    ):
        last = _scheme(district, year - 1, level, indicators, name_zh, name_en, admin)
        current = _current_scheme(last, year, admin)
        for scheme in (last, current):
            _exemptions(scheme, unions, admin)
        rng = random.Random(f"{level}-{year}")
        for quarter in range(1, 5):
            _quarter(last, quarter, rng, users, admin, finish=True)
        _year(last, admin)
        for quarter in range(1, current_quarter + 1):
            _quarter(
                current, quarter, rng, users, admin, finish=quarter < current_quarter
            )
    context["assessment_schemes"] = list(
        Scheme.objects.filter(owner=district).order_by("year", "unit_level")
    )


def _scheme(district, year, level, indicators, name_zh, name_en, admin) -> Scheme:
    existing = Scheme.objects.filter(
        owner=district, year=year, unit_level=level
    ).first()
    if existing is not None:
        return existing
    scheme = scheme_create(
        owner=district,
        data={
            "year": year,
            "unit_level": level,
            "name_zh": name_zh.format(year=year),
            "name_en": name_en.format(year=year),
            "bonus_cap": Decimal("5"),
        },
        by=admin,
    )
    categories = {}
    for order, (code, zh, en) in enumerate(CATEGORIES, start=1):
        categories[code] = category_save(
            category=IndicatorCategory(scheme=scheme),
            data={"name_zh": zh, "name_en": en, "order": order},
            by=admin,
        )
    for order, (code, cat, zh, en, kind, method, points, params) in enumerate(
        indicators, start=1
    ):
        if code in HAND_SCORED_LAST_YEAR:
            method, params = Indicator.Method.MANUAL, {}
            zh, en = f"{zh}（手工评分）", f"{en} (scored by hand)"
        params = dict(params)
        terms = {k: params.pop(k) for k in ("term_scope", "term_count") if k in params}
        indicator_save(
            indicator=Indicator(scheme=scheme, category=categories[cat], order=order),
            data={
                "code": code,
                "name_zh": zh,
                "name_en": en,
                "kind": kind,
                "method": method,
                "max_points": Decimal(points),
                "params": params,
                **terms,
            },
            by=admin,
        )
    return scheme_activate(scheme=scheme, by=admin)


def _current_scheme(last: Scheme, year: int, admin) -> Scheme:
    existing = Scheme.objects.filter(
        owner=last.owner, year=year, unit_level=last.unit_level
    ).first()
    if existing is not None:
        return existing
    scheme = scheme_copy(source=last, year=year, by=admin)
    source = (
        SUBDISTRICT_INDICATORS
        if last.unit_level == UnitLevel.SUBDISTRICT
        else GRASSROOTS_INDICATORS
    )
    automatic = {row[0]: row for row in source if row[0] in HAND_SCORED_LAST_YEAR}
    for indicator in Indicator.objects.filter(scheme=scheme, code__in=automatic):
        _code, _cat, zh, en, kind, method, points, params = automatic[indicator.code]
        indicator_save(
            indicator=indicator,
            data={"name_zh": zh, "name_en": en, "method": method, "params": params},
            by=admin,
        )
    return scheme_activate(scheme=scheme, by=admin)


def _exemptions(scheme: Scheme, unions, admin) -> None:
    if scheme.unit_level != UnitLevel.GRASSROOTS:
        return
    indicator = Indicator.objects.filter(scheme=scheme, code="C1").first()
    unit = unions.get("JB-S01-G05")
    if indicator is None or unit is None:
        return
    IndicatorExemption.objects.get_or_create(
        indicator=indicator,
        unit=unit,
        defaults={
            "reason": "社区工会会员不足25人，干部培训由街道总工会统一组织。",
            "created_by": admin,
        },
    )


def _strength(unit) -> float:
    return random.Random(unit.code).uniform(0.66, 0.97)


def _half(value: float) -> Decimal:
    return Decimal(round(value * 2) / 2).quantize(Decimal("0.01"))


def _quarter(scheme, quarter, rng, users, admin, *, finish: bool) -> None:
    kind = f"q{quarter}"
    period = Period.objects.filter(scheme=scheme, kind=kind).first()
    if period is None:
        period = period_create(scheme=scheme, kind=kind, by=admin)
    if not Score.objects.filter(period=period).exists():
        _scores(period, quarter, rng, users, complete=finish)
    if finish and period.status == Period.Status.OPEN:
        period = period_close(period=period, by=admin)
    if (
        finish
        and not QuarterReport.objects.filter(
            period=period, status=QuarterReport.Status.DONE
        ).exists()
    ):
        report_build(period_id=period.pk, files=_files_in_background())
    if finish and period.status == Period.Status.CLOSED:
        period_publish(period=period, by=admin)
        _backdate(period)


def _files_in_background() -> bool:
    """The reports' .xlsx and .pdf are left to a worker when there is one (Redis);
    without one they would be made here, in the seed, at about 7 s a report, so
    they are left "not made" and made when someone asks for them."""
    return not settings.CELERY_TASK_ALWAYS_EAGER


def _year(scheme, admin) -> None:
    period = Period.objects.filter(scheme=scheme, kind=Period.Kind.YEAR).first()
    if period is None:
        period = period_create(scheme=scheme, kind=Period.Kind.YEAR, by=admin)
    if period.status == Period.Status.OPEN:
        period = period_close(period=period, by=admin)
    if not QuarterReport.objects.filter(
        period=period, status=QuarterReport.Status.DONE
    ).exists():
        report_build(period_id=period.pk, files=_files_in_background())
    if period.status == Period.Status.CLOSED:
        period_publish(period=period, by=admin)
        _backdate(period)


def _backdate(period: Period) -> None:
    """Closing and publishing dates a district office would have had."""
    closed = timezone.make_aware(
        datetime.combine(period.end + timedelta(days=8), time(17))
    )
    published = closed + timedelta(days=12)
    with transaction.atomic():
        Period.objects.filter(pk=period.pk).update(
            closed_at=closed, published_at=published
        )


def _scores(period: Period, quarter: int, rng, users, *, complete: bool) -> None:
    """Self-scores and reviews with a realistic spread; the open quarter half done."""
    units = assessed_units(period.scheme)
    manual = list(
        Indicator.objects.filter(scheme=period.scheme, method=Indicator.Method.MANUAL)
    )
    by_union = {user.union_id: user for user in users.values() if user.is_cadre}
    reviewer = users.get("reviewer")
    sub_reviewer = users.get("cadre_sub")
    # Never in the future: the open quarter's scores were entered days ago and
    # reviewed since, so "changed since the review" shows nowhere.
    stamp = min(
        timezone.make_aware(datetime.combine(period.end - timedelta(days=5), time(10))),
        timezone.now().replace(microsecond=0) - timedelta(days=4),
    )
    scores = []
    for index, unit in enumerate(units):
        started = index % 2 == 0 or unit.code == "JB-S01"
        if not complete and (not started or unit.code == "JB-S02-G02"):
            continue  # the open quarter: half of the units have started
        strength = min(
            0.99, _strength(unit) + rng.uniform(-0.05, 0.05) + quarter * 0.004
        )
        reviews = complete or index % 4 == 0
        for indicator in manual:
            self_score, reviewed, comment = _values(indicator, unit, strength, rng)
            if self_score is None and reviewed is None:
                continue
            if not complete and indicator.order > 9 and unit.code == "JB-S01":
                continue  # the demo cadre still has a few to enter
            if reviewed is None:
                reviewed = self_score
            unit_reviewer = reviewer
            if sub_reviewer is not None and unit.parent_id == sub_reviewer.union_id:
                unit_reviewer = sub_reviewer
            scores.append(
                Score(
                    period=period,
                    indicator=indicator,
                    unit=unit,
                    self_score=self_score,
                    self_comment=rng.choice(SELF_COMMENTS) if self_score else "",
                    self_by=by_union.get(unit.pk),
                    self_at=stamp,
                    reviewed_score=reviewed if reviews else None,
                    review_comment=comment
                    if reviews and reviewed != self_score
                    else "",
                    reviewed_by=unit_reviewer if reviews else None,
                    reviewed_at=stamp + timedelta(days=3) if reviews else None,
                    reviewed_self_score=self_score if reviews else None,
                )
            )
    bulk_create_with_history(scores, Score, batch_size=500)


def _values(indicator, unit, strength, rng):
    """(self score, reviewed score, review comment) for one manual indicator."""
    kind = indicator.kind
    if kind == Indicator.Kind.VETO:
        # One grassroots union had a serious safety accident in one quarter.
        if unit.code == "JB-S03-G03" and rng.random() < 0.3:
            return (
                Decimal("0"),
                Decimal("1"),
                "经核实发生安全生产责任事故，实行一票否决。",
            )
        return Decimal("0"), Decimal("0"), ""
    if kind == Indicator.Kind.BONUS:
        if rng.random() < 0.3:
            value = _half(rng.uniform(1, float(indicator.max_points)))
            return value, value, ""
        return None, None, ""
    if kind == Indicator.Kind.DEDUCTION:
        if rng.random() < 0.15:
            value = _half(rng.uniform(1, 3))
            return value, value, ""
        return None, None, ""
    top = float(indicator.max_points)
    claimed = _half(top * min(1.0, strength + rng.uniform(0.0, 0.08)))
    if rng.random() < 0.25 and claimed >= 1:
        cut = _half(rng.uniform(0.5, min(2.0, float(claimed))))
        return claimed, max(Decimal("0"), claimed - cut), rng.choice(REVIEW_COMMENTS)
    return claimed, claimed, ""
