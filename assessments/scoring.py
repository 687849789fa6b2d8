"""The scoring rules of docs/design.md §4 as pure functions (no database, no Django models).

Everything is in ``Decimal`` with two decimal places, rounded half up, so that two
runs give the same totals to the cent and ties are real ties. The choices §4 leaves
open are written in docs/scoring.md.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")

BASE, BONUS, DEDUCTION, VETO = "base", "bonus", "deduction", "veto"

EXCELLENT, GOOD, QUALIFIED, UNQUALIFIED = (
    "excellent",
    "good",
    "qualified",
    "unqualified",
)
GRADES = (EXCELLENT, GOOD, QUALIFIED, UNQUALIFIED)
GRADE_FLOORS = (
    (Decimal("90"), EXCELLENT),
    (Decimal("80"), GOOD),
    (Decimal("60"), QUALIFIED),
)


def to_decimal(value) -> Decimal:
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def cents(value) -> Decimal:
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def clamp(value, max_points) -> Decimal:
    """An indicator's points, kept within [0, max points]."""
    top = to_decimal(max_points)
    return cents(min(max(to_decimal(value), ZERO), top))


def scale(ratio, max_points) -> Decimal:
    """An automatic indicator's points: a ratio in [0, 1] of its max points."""
    ratio = min(max(to_decimal(ratio), ZERO), Decimal("1"))
    return clamp(ratio * to_decimal(max_points), max_points)


@dataclass(frozen=True)
class IndicatorResult:
    """What one indicator gave one unit.

    ``applicable`` is False when the indicator was marked not applicable to the
    unit, or when an automatic rule had nothing to measure (no projects due). A
    veto indicator is "hit" when its points are above 0.
    """

    indicator_id: int
    kind: str
    max_points: Decimal
    points: Decimal
    applicable: bool = True
    category_id: int | None = None

    @property
    def veto_hit(self) -> bool:
        return self.kind == VETO and self.applicable and self.points > 0


@dataclass(frozen=True)
class Totals:
    base: Decimal
    bonus: Decimal
    deduction: Decimal
    total: Decimal
    veto: bool
    grade: str
    base_points: Decimal = ZERO  # Σ base points before rescaling
    base_max: Decimal = ZERO  # Σ max points of the applicable base indicators
    categories: dict = field(default_factory=dict)


def rescaled_base(points: Decimal, applicable_max: Decimal) -> Decimal:
    """Σ base × 100 ÷ Σ max of applicable base, and never above 100.

    With every base indicator applicable the scheme's base adds up to 100 and this
    changes nothing. A unit with no applicable base indicator at all gets 0 base
    points (there is nothing to rescale from).
    """
    if applicable_max <= 0:
        return ZERO
    return cents(min(HUNDRED, points * HUNDRED / applicable_max))


def review_needs_comment(kind: str, self_score, reviewed_score) -> bool:
    """Whether a reviewed score disagrees with the unit's self score, so that the
    reviewer must say why. A unit that left a deduction or a veto blank claimed
    nothing: a reviewed 0 (no deduction, veto not hit) agrees with it."""
    if reviewed_score is None:
        return False
    if self_score is None and kind in ("deduction", "veto") and reviewed_score == 0:
        return False
    return reviewed_score != self_score


def grade_for(total, veto: bool = False) -> str:
    """excellent ≥ 90, good ≥ 80, qualified ≥ 60, else (or on any veto) unqualified."""
    if veto:
        return UNQUALIFIED
    total = cents(total)
    for floor, grade in GRADE_FLOORS:
        if total >= floor:
            return grade
    return UNQUALIFIED


def unit_totals(results: Iterable[IndicatorResult], bonus_cap) -> Totals:
    """total = min(100, Σ base) + min(bonus cap, Σ bonus) − Σ deduction, never below 0."""
    base_points = bonus = deduction = base_max = ZERO
    veto = False
    categories: dict = defaultdict(lambda: {"points": ZERO, "max": ZERO})
    for result in results:
        if not result.applicable:
            continue
        points = clamp(result.points, result.max_points)
        if result.kind == BASE:
            base_points += points
            base_max += to_decimal(result.max_points)
        elif result.kind == BONUS:
            bonus += points
        elif result.kind == DEDUCTION:
            deduction += points
        elif result.kind == VETO:
            veto = veto or result.veto_hit
        if result.category_id is not None and result.kind == BASE:
            categories[result.category_id]["points"] += points
            categories[result.category_id]["max"] += to_decimal(result.max_points)
    base = rescaled_base(base_points, base_max)
    bonus = cents(min(to_decimal(bonus_cap), bonus))
    deduction = cents(deduction)
    total = cents(max(ZERO, base + bonus - deduction))
    return Totals(
        base=base,
        bonus=bonus,
        deduction=deduction,
        total=total,
        veto=veto,
        grade=grade_for(total, veto),
        base_points=cents(base_points),
        base_max=cents(base_max),
        categories=dict(categories),
    )


def dense_ranks(
    totals: dict[Hashable, Decimal], vetoed: Iterable[Hashable] = ()
) -> dict[Hashable, int]:
    """1 for the highest total; equal totals share a rank; no rank is skipped.

    A unit with a veto hit (一票否决) ranks after every unit without one, whatever
    its total (docs/design.md §4); the vetoed units rank among themselves by total,
    continuing the numbering, so a vetoed 100 never stands beside an excellent unit.
    """
    vetoed = set(vetoed)

    def place(key, total):
        return (key in vetoed, -cents(total))

    distinct = sorted({place(k, t) for k, t in totals.items()})
    position = {value: index for index, value in enumerate(distinct, start=1)}
    return {key: position[place(key, total)] for key, total in totals.items()}


def ranks_within_groups(
    rows: Iterable[tuple],
) -> dict[Hashable, int]:
    """Dense ranks by total within each peer group: rows are (key, group, total)
    or (key, group, total, veto); vetoed units rank after the others."""
    groups: dict = defaultdict(dict)
    vetoed: set = set()
    for key, group, total, *veto in rows:
        groups[group][key] = total
        if veto and veto[0]:
            vetoed.add(key)
    ranks: dict = {}
    for members in groups.values():
        ranks.update(dense_ranks(members, vetoed & members.keys()))
    return ranks


def annual_total(
    quarter_totals: dict[int, Decimal], weights: list | None = None
) -> Decimal:
    """The mean of the quarterly totals (weighted when the scheme gives weights).

    Only the quarters the unit was assessed in count: a union founded in May is
    averaged over Q2–Q4, not given 0 for Q1.
    """
    if not quarter_totals:
        return ZERO
    if not weights:
        weights = [1, 1, 1, 1]
    weighted = total_weight = ZERO
    for quarter, total in quarter_totals.items():
        weight = to_decimal(weights[quarter - 1])
        weighted += weight * to_decimal(total)
        total_weight += weight
    if total_weight <= 0:
        return ZERO
    return cents(weighted / total_weight)
