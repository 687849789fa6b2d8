"""Assessment: two schemes a year run by the root union (sub-district unions, and
grassroots unions), their periods, and every unit's self and reviewed scores."""

import datetime

from assessments.models import (
    Indicator,
    IndicatorCategory,
    IndicatorExemption,
    Period,
    Scheme,
    Score,
)
from bench.copy import CopyTable, text

from . import names
from .world import World, quarter_bounds, unit

LEVELS = ("subdistrict", "grassroots")


def period_status(world: World, year: int, quarter: int | None) -> str:
    """Locked long ago, published for the quarters whose snapshots the seed builds,
    closed for the benchmark's quarter (its job builds it), open from then on."""
    bench_year, bench_q = world.bench_quarter
    if quarter is None:  # the year
        return "locked" if year < bench_year else "open"
    order = year * 4 + quarter
    bench = bench_year * 4 + bench_q
    if order > bench:
        return "open"
    if order == bench:
        return "closed"
    if order > bench - 1 - world.scale.built_quarters:
        return "published"
    return "locked"


def seed_assessments(world: World) -> dict[str, int]:
    scale = world.scale
    years = world.years
    root = world.root
    counts = {}
    scheme_first = world.take_ids(Scheme, len(years) * len(LEVELS))
    schemes = CopyTable(
        Scheme,
        ["id", "name_zh", "name_en", "owner", "year", "unit_level", "bonus_cap"]
        + ["status", "version", "annual_rule", "quarter_weights"]
        + ["created_at", "updated_at"],
        now=world.now,
    )
    scheme_ids = {}

    def scheme_lines():
        n = scheme_first
        for year in years:
            stamp = world.at(datetime.date(year, 1, 5))
            for level in LEVELS:
                scheme_ids[(year, level)] = n
                if level == "subdistrict":
                    zh, en = (
                        "街道总工会重点工作考核",
                        "Key-work assessment of sub-district unions",
                    )
                else:
                    zh, en = (
                        "基层工会重点工作考核",
                        "Key-work assessment of grassroots unions",
                    )
                yield (
                    f"{n}\t{year}年{zh}\t{year} {en}\t{root.id}\t{year}\t{level}\t5\t"
                    f"active\t1\tmean\t[]\t{stamp}\t{stamp}"
                )
                n += 1

    counts["schemes"] = schemes.load(scheme_lines())

    n_cat = len(names.CATEGORIES)
    category_first = world.take_ids(IndicatorCategory, len(scheme_ids) * n_cat)
    categories = CopyTable(
        IndicatorCategory,
        ["id", "scheme", "name_zh", "name_en", "order"],
        now=world.now,
    )
    category_of = {}

    def category_lines():
        for s, scheme_id in enumerate(scheme_ids.values()):
            for c, (zh, en) in enumerate(names.CATEGORIES):
                category_id = category_first + s * n_cat + c
                category_of[(scheme_id, c)] = category_id
                yield f"{category_id}\t{scheme_id}\t{zh}\t{en}\t{c}"

    counts["indicator_categories"] = categories.load(category_lines())

    manual = names.MANUAL_INDICATORS[: scale.manual_indicators]
    automatic = names.AUTOMATIC_INDICATORS
    per_scheme = len(manual) + len(automatic)
    indicator_first = world.take_ids(Indicator, len(scheme_ids) * per_scheme)
    indicators = CopyTable(
        Indicator,
        ["id", "scheme", "category", "code", "name_zh", "name_en", "max_points"]
        + ["kind", "method", "params", "order"],
        now=world.now,
    )
    # scheme id -> [(indicator id, kind, max points)] of the manual indicators
    manual_of: dict[int, list] = {}
    auto_names = {
        "key_work": ("重点工作项目完成率", "Key-work completion"),
        "timeliness": ("进度报送及时率", "Reporting timeliness"),
        "activities": ("特色载体活动开展", "Carrier activities held"),
        "training": ("干部培训", "Cadre training"),
        "terms": ("按期换届", "Office terms on time"),
        "publicity": ("宣传报道", "Publicity"),
    }

    def indicator_lines():
        for s, scheme_id in enumerate(scheme_ids.values()):
            first = indicator_first + s * per_scheme
            manual_of[scheme_id] = []
            for i, (category, kind, points) in enumerate(manual):
                indicator_id = first + i
                manual_of[scheme_id].append((indicator_id, kind, points))
                yield (
                    f"{indicator_id}\t{scheme_id}\t{category_of[(scheme_id, category)]}\t"
                    f"M{i + 1}\t考核指标{i + 1}\tIndicator {i + 1}\t{points}\t{kind}\t"
                    f"manual\t{{}}\t{i}"
                )
            for j, (category, kind, method, points, params) in enumerate(automatic):
                indicator_id = first + len(manual) + j
                zh, en = auto_names[method]
                yield (
                    f"{indicator_id}\t{scheme_id}\t{category_of[(scheme_id, category)]}\t"
                    f"A{j + 1}\t{zh}\t{en}\t{points}\t{kind}\t{method}\t{text(params)}\t"
                    f"{len(manual) + j}"
                )

    counts["indicators"] = indicators.load(indicator_lines())

    # Periods: four quarters and the year of every scheme.
    period_first = world.take_ids(Period, len(scheme_ids) * 5)
    periods = CopyTable(
        Period,
        ["id", "scheme", "kind", "start", "end", "status", "closed_at"]
        + ["published_at", "locked_at"],
        now=world.now,
    )
    quarter_periods = []  # (period id, scheme id, year, quarter, level, status)

    def period_lines():
        n = period_first
        for (year, level), scheme_id in scheme_ids.items():
            for quarter in (1, 2, 3, 4, None):
                if quarter is None:
                    kind = "year"
                    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
                else:
                    kind = f"q{quarter}"
                    start, end = quarter_bounds(year, quarter)
                status = period_status(world, year, quarter)
                after = end + datetime.timedelta(days=8)
                closed = world.at(after) if status != "open" else "\\N"
                published = (
                    world.at(after + datetime.timedelta(days=12))
                    if status in ("published", "locked")
                    else "\\N"
                )
                locked = (
                    world.at(after + datetime.timedelta(days=40))
                    if status == "locked"
                    else "\\N"
                )
                if quarter is not None:
                    quarter_periods.append((n, scheme_id, year, quarter, level, status))
                yield (
                    f"{n}\t{scheme_id}\t{kind}\t{start.isoformat()}\t{end.isoformat()}\t"
                    f"{status}\t{closed}\t{published}\t{locked}"
                )
                n += 1

    counts["periods"] = periods.load(period_lines())
    counts["scores"] = _seed_scores(world, quarter_periods, manual_of)

    # Half a percent of the grassroots units are exempt from training, with a reason.
    exemptions = CopyTable(
        IndicatorExemption,
        ["id", "indicator", "unit", "reason", "created_by", "created_at"],
        now=world.now,
    )
    exempt_units = [row for row in world.grassroots if unit(row.id, 70) < 0.005]
    training_offset = len(manual) + 3
    pairs = []
    for s, (_year, level) in enumerate(scheme_ids):
        if level != "grassroots":
            continue
        for row in exempt_units:
            pairs.append((indicator_first + s * per_scheme + training_offset, row.id))
    exemption_first = world.take_ids(IndicatorExemption, len(pairs))
    admin = world.personas["admin"]
    stamp = world.at(world.today - datetime.timedelta(days=200))
    counts["exemptions"] = exemptions.load(
        f"{exemption_first + n}\t{indicator}\t{union}\t新成立单位，本年度暂无干部培训任务。\t{admin}\t{stamp}"
        for n, (indicator, union) in enumerate(pairs)
    )
    world.counts["scheme_ids"] = scheme_ids
    world.counts["quarter_periods"] = quarter_periods
    return counts


def _seed_scores(world: World, quarter_periods: list, manual_of: dict) -> int:
    units_of = {"subdistrict": world.subdistricts, "grassroots": world.grassroots}
    reviewer_of = {row.id: world.unit_user[row.parent_id] for row in world.grassroots}
    for row in world.subdistricts:
        reviewer_of[row.id] = world.personas["reviewer"]
    # The self and reviewed scores a hash picks from, per (kind, max points).
    choices: dict = {}
    for indicators in manual_of.values():
        for _id, kind, points in indicators:
            top = float(points)
            if kind == "base":
                values = [
                    f"{top * share:.2f}"
                    for share in (0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0, 1.0)
                ]
            elif kind == "bonus":
                values = ["0.00", "0.00", f"{top / 2:.2f}", f"{top:.2f}"]
            elif kind == "deduction":
                values = ["0.00"] * 9 + [f"{top / 5:.2f}"]
            else:  # veto: hit (1) very rarely
                values = ["0.00"]
            choices[(kind, points)] = values
    scores = CopyTable(
        Score,
        ["id", "period", "indicator", "unit", "self_score", "self_by", "self_at"]
        + ["reviewed_score", "review_comment", "reviewed_by", "reviewed_at"]
        + ["reviewed_self_score"],
        now=world.now,
    )
    total = 0
    for _pid, scheme_id, _y, _q, level, _s in quarter_periods:
        total += len(units_of[level]) * len(manual_of[scheme_id])
    first = world.take_ids(Score, total)
    returned = "佐证材料不完整，酌情扣分。"

    def lines():
        n = first
        for period_id, scheme_id, year, quarter, level, status in quarter_periods:
            start, end = quarter_bounds(year, quarter)
            if status != "open":
                entered_share = 1.0
            elif start <= world.today:
                entered_share = 0.5  # the quarter under way: half have begun
            else:
                continue
            self_at = world.at(end - datetime.timedelta(days=5))
            reviewed_at = world.at(end + datetime.timedelta(days=4))
            indicators = [
                (indicator_id, choices[(kind, points)], kind)
                for indicator_id, kind, points in manual_of[scheme_id]
            ]
            reviewed_phase = status != "open"
            for row in units_of[level]:
                if entered_share < 1 and unit(row.id, period_id) >= entered_share:
                    continue
                user = world.unit_user[row.id]
                reviewer = reviewer_of[row.id]
                for indicator_id, values, kind in indicators:
                    draw = unit(row.id, period_id, indicator_id)
                    value = values[int(draw * len(values))]
                    if kind == "veto" and draw > 0.9995:
                        value = "1.00"
                    if not reviewed_phase:
                        yield (
                            f"{n}\t{period_id}\t{indicator_id}\t{row.id}\t{value}\t{user}\t"
                            f"{self_at}\t\\N\t\t\\N\t\\N\t\\N"
                        )
                    elif kind == "base" and draw * 1000 % 1 < 0.1:
                        lower = f"{max(float(value) - 0.5, 0):.2f}"
                        yield (
                            f"{n}\t{period_id}\t{indicator_id}\t{row.id}\t{value}\t{user}\t"
                            f"{self_at}\t{lower}\t{returned}\t{reviewer}\t{reviewed_at}\t{value}"
                        )
                    else:
                        yield (
                            f"{n}\t{period_id}\t{indicator_id}\t{row.id}\t{value}\t{user}\t"
                            f"{self_at}\t{value}\t\t{reviewer}\t{reviewed_at}\t{value}"
                        )
                    n += 1

    return scores.load(lines())
