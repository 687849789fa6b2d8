"""Entering self-scores and reviewing them."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.access import union_in_scope
from unionportal.roles import Role
from unionportal.uploads import validate_upload
from unions.models import Union

from ..models import Indicator, Period, Score
from .common import refuse_if_locked, stamp

UNCHANGED = object()


@dataclass
class ScoreEntry:
    """What a form sent for one indicator. A part left UNCHANGED is not touched.

    ``version`` is the score's version the form was drawn from (0 when there was
    no score yet), so that a save over someone else's newer change is refused.
    """

    indicator: Indicator
    version: int = 0
    self_score: object = UNCHANGED
    self_comment: object = UNCHANGED
    evidence: object = UNCHANGED  # an uploaded file, or None to remove it
    reviewed_score: object = UNCHANGED
    review_comment: object = UNCHANGED
    extra: dict = field(default_factory=dict)

    @property
    def touches_self(self) -> bool:
        return any(
            value is not UNCHANGED
            for value in (self.self_score, self.self_comment, self.evidence)
        )

    @property
    def touches_review(self) -> bool:
        return any(
            value is not UNCHANGED
            for value in (self.reviewed_score, self.review_comment)
        )


def can_self_score(*, user, period: Period, unit: Union) -> bool:
    """A cadre scores their own union, while the period is open."""
    return (
        period.status == Period.Status.OPEN
        and user.is_authenticated
        and user.has_role(Role.CADRE)
        and user.union_id == unit.pk
    )


def can_review(*, user, period: Period, unit: Union) -> bool:
    """A reviewer reviews units strictly below their union, until publication."""
    return (
        period.status in (Period.Status.OPEN, Period.Status.CLOSED)
        and user.is_authenticated
        and user.has_role(Role.REVIEWER)
        and user.union_id != unit.pk
        and union_in_scope(user, unit)
    )


def _set(score: Score, name: str, value) -> bool:
    if value is UNCHANGED:
        return False
    if isinstance(value, str):
        value = value.strip()
    if getattr(score, name) == value:
        return False
    setattr(score, name, value)
    return True


@dataclass
class ScoresResult:
    """What a partial save did: the rows saved, and the errors of the rows kept back
    (keyed like ``scores_save``'s), with how many of those only lack a reason."""

    saved: list[Score]
    errors: dict
    need_reason: int = 0
    refused: int = 0


@transaction.atomic
def scores_save(
    *, period: Period, unit: Union, entries: list[ScoreEntry], by
) -> list[Score]:
    """Saves a unit's self-scores and/or reviews in one go, or nothing at all.

    Errors are keyed ``<field>_<indicator id>`` (the scoring form's field names).
    """
    result = _scores_apply(period=period, unit=unit, entries=entries, by=by)
    if result.errors:
        raise ValidationError(result.errors)
    _write(result.saved, by)
    return result.saved


@transaction.atomic
def scores_save_valid(
    *, period: Period, unit: Union, entries: list[ScoreEntry], by
) -> ScoresResult:
    """Saves the rows that are valid and keeps back those that are not (a reviewed
    score that differs without a reason, a stale row...): the scoring page shows
    those again with their errors instead of throwing the whole page away."""
    result = _scores_apply(period=period, unit=unit, entries=entries, by=by)
    _write(result.saved, by)
    return result


def _write(scores: list[Score], by) -> None:
    for score in scores:
        if score.pk:
            score.version += 1
        stamp(score, by)
        score.save()


def _scores_apply(
    *, period: Period, unit: Union, entries: list[ScoreEntry], by
) -> ScoresResult:
    """Checks the entries and applies them to (unsaved) scores."""
    period = (
        Period.objects.select_for_update().select_related("scheme").get(pk=period.pk)
    )
    refuse_if_locked(period)
    if any(e.touches_self for e in entries) and not can_self_score(
        user=by, period=period, unit=unit
    ):
        raise PermissionDenied
    if any(e.touches_review for e in entries) and not can_review(
        user=by, period=period, unit=unit
    ):
        raise PermissionDenied
    ids = [e.indicator.pk for e in entries]
    existing = {
        s.indicator_id: s
        for s in Score.objects.select_for_update().filter(
            period=period, unit=unit, indicator_id__in=ids
        )
    }
    now = timezone.now()
    errors: dict = {}
    need_reason = refused = 0
    to_save: list[Score] = []
    for entry in entries:
        indicator = entry.indicator
        if indicator.scheme_id != period.scheme_id or not indicator.is_manual:
            raise ValidationError(
                _("This indicator is not scored by hand in this period.")
            )
        score = existing.get(indicator.pk) or Score(
            period=period, indicator=indicator, unit=unit
        )
        if (score.version if score.pk else 0) != entry.version:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _(
                    "%(code)s was changed by someone else while you were editing. "
                    "Reload the page to see their change."
                )
                % {"code": indicator.code}
            )
            refused += 1
            continue
        changed_self = _set(score, "self_score", entry.self_score)
        changed_self |= _set(score, "self_comment", entry.self_comment)
        if entry.evidence is not UNCHANGED:
            if entry.evidence is None:
                if score.evidence:
                    score.evidence = ""
                    score.evidence_name = ""
                    changed_self = True
            else:
                try:
                    validate_upload(entry.evidence)
                except ValidationError as exc:
                    errors[f"evidence_{indicator.pk}"] = exc.messages
                    refused += 1
                    continue
                score.evidence = entry.evidence
                score.evidence_name = entry.evidence.name[:255]
                changed_self = True
        changed_review = _set(score, "reviewed_score", entry.reviewed_score)
        changed_review |= _set(score, "review_comment", entry.review_comment)
        if not (changed_self or changed_review):
            continue
        if changed_self:
            score.self_by, score.self_at = by, now
        if changed_review:
            if score.reviewed_score is None:
                score.reviewed_by = score.reviewed_at = None
                score.reviewed_self_score = None
            else:
                score.reviewed_by, score.reviewed_at = by, now
                # What the reviewer saw: "changed since the review" compares with it.
                score.reviewed_self_score = score.self_score
        row_errors = {}
        try:
            score.full_clean(exclude=["period", "indicator", "unit", "evidence"])
        except ValidationError as exc:
            row_errors = dict(exc.message_dict)
        # The reason is the reviewer's to give, and only when they change the
        # review: a cadre changing the self score afterwards is never held up by it
        # (the review is then shown as out of date instead).
        if (
            changed_review
            and score.comment_required
            and not score.review_comment.strip()
            and "reviewed_score" not in row_errors
        ):
            row_errors["review_comment"] = [
                _("Explain why the reviewed score differs from the self score.")
            ]
            if len(row_errors) == 1:
                need_reason += 1
        if row_errors:
            for name, messages in row_errors.items():
                errors[f"{name}_{indicator.pk}"] = messages
            refused += 1
            continue
        to_save.append(score)
    return ScoresResult(
        saved=to_save, errors=errors, need_reason=need_reason, refused=refused
    )


def effective_points(score: Score | None, indicator: Indicator) -> Decimal:
    """What a manual indicator counts for now: reviewed, else self, else 0."""
    if score is None or score.effective_score is None:
        return Decimal("0")
    return score.effective_score
