from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from unionportal.access import get_visible_or_404

from .. import selectors, services
from ..explain import explain
from ..forms import ScoringForm
from ..models import Period, Score
from ..preview import automatic_outcomes, running_totals
from .periods import assessed_unit_or_404


def _scoring_context(request, period, unit, form=None, data=None):
    rows = selectors.scoring_rows(period, unit)
    can_self = services.can_self_score(user=request.user, period=period, unit=unit)
    can_review = services.can_review(user=request.user, period=period, unit=unit)
    if form is None:
        form = ScoringForm(rows=rows, can_self=can_self, can_review=can_review)
    elif form.is_bound:
        form.mark_invalid()
    outcomes = automatic_outcomes(period, unit, rows)
    totals = running_totals(period, unit, rows, outcomes, data)
    categories = []
    for row in rows:
        indicator = row["indicator"]
        if not categories or categories[-1]["category"].pk != indicator.category_id:
            categories.append({"category": indicator.category, "rows": []})
        outcome = outcomes.get(indicator.pk)
        categories[-1]["rows"].append(
            {
                **row,
                "outcome": outcome,
                "how": explain(outcome.how) if outcome else "",
                "self_field": form.bound("self_score", indicator.pk),
                "self_comment_field": form.bound("self_comment", indicator.pk),
                "evidence_field": form.bound("evidence", indicator.pk),
                "remove_evidence_field": form.bound("remove_evidence", indicator.pk),
                "reviewed_field": form.bound("reviewed_score", indicator.pk),
                "review_comment_field": form.bound("review_comment", indicator.pk),
                "version_field": form.bound("version", indicator.pk),
            }
        )
    return {
        "period": period,
        "unit": unit,
        "form": form,
        "categories": categories,
        "can_self": can_self,
        "can_review": can_review,
        "totals": totals,
    }


@login_required
def unit_scoring(request, pk, union_pk):
    """A unit's scoring page: self-scores by its cadre, reviewed scores above it."""
    period = get_visible_or_404(
        Period.objects.select_related("scheme__owner"), request.user, pk=pk
    )
    if period.is_year:
        raise Http404
    unit = assessed_unit_or_404(period, request.user, union_pk)
    if request.method == "POST":
        can_self = services.can_self_score(user=request.user, period=period, unit=unit)
        can_review = services.can_review(user=request.user, period=period, unit=unit)
        if not (can_self or can_review):
            raise PermissionDenied
        rows = selectors.scoring_rows(period, unit)
        form = ScoringForm(
            request.POST,
            request.FILES,
            rows=rows,
            can_self=can_self,
            can_review=can_review,
        )
        if form.is_valid():
            result = services.scores_save_valid(
                period=period, unit=unit, entries=form.entries(), by=request.user
            )
            if not result.errors:
                if result.saved:
                    messages.success(request, _saved_message(len(result.saved)))
                else:
                    messages.info(request, _("Nothing had changed."))
                return redirect(
                    "assessments:unit_scoring", pk=period.pk, union_pk=unit.pk
                )
            form = _form_after_partial_save(
                request, period, unit, result, can_self, can_review
            )
            messages.warning(request, _partial_message(result))
            context = _scoring_context(
                request, period, unit, form=form, data=request.POST
            )
            return render(request, "assessments/unit_scoring.html", context)
        messages.error(request, _("Nothing was saved: correct the marked fields."))
        context = _scoring_context(request, period, unit, form=form, data=request.POST)
        return render(request, "assessments/unit_scoring.html", context, status=200)
    return render(
        request,
        "assessments/unit_scoring.html",
        _scoring_context(request, period, unit),
    )


def _saved_message(count: int) -> str:
    return ngettext(
        "%(count)s score was saved.", "%(count)s scores were saved.", count
    ) % {"count": count}


def _partial_message(result) -> str:
    parts = [_saved_message(len(result.saved))] if result.saved else []
    if result.need_reason:
        parts.append(
            ngettext(
                "%(count)s reviewed score differs from the self score and needs a "
                "reason: it is marked below and was not saved.",
                "%(count)s reviewed scores differ from the self score and need a "
                "reason: they are marked below and were not saved.",
                result.need_reason,
            )
            % {"count": result.need_reason}
        )
    others = result.refused - result.need_reason
    if others:
        parts.append(
            ngettext(
                "%(count)s other row was not saved: correct the marked fields.",
                "%(count)s other rows were not saved: correct the marked fields.",
                others,
            )
            % {"count": others}
        )
    return " ".join(str(part) for part in parts)


def _form_after_partial_save(request, period, unit, result, can_self, can_review):
    """The page again after a partial save: the saved rows at their new version,
    the rows kept back with what was typed and their errors."""
    data = request.POST.copy()
    for score in result.saved:
        data[f"version_{score.indicator_id}"] = str(score.version)
    form = ScoringForm(
        data,
        rows=selectors.scoring_rows(period, unit),
        can_self=can_self,
        can_review=can_review,
    )
    form.is_valid()
    for field, errors in result.errors.items():
        form.add_error(field if field in form.fields else None, errors)
    return form


@login_required
def unit_scoring_totals(request, pk, union_pk):
    """The running totals panel, recomputed from the values being typed (htmx)."""
    period = get_visible_or_404(
        Period.objects.select_related("scheme__owner"), request.user, pk=pk
    )
    unit = assessed_unit_or_404(period, request.user, union_pk)
    rows = selectors.scoring_rows(period, unit)
    outcomes = automatic_outcomes(period, unit, rows)
    totals = running_totals(period, unit, rows, outcomes, request.GET)
    return render(
        request,
        "assessments/partials/running_totals.html",
        {"period": period, "unit": unit, "totals": totals},
    )


@login_required
def score_evidence(request, pk):
    """Serves an evidence file to those who may see the score (never a public URL)."""
    score = get_visible_or_404(Score.objects.all(), request.user, pk=pk)
    if not score.evidence:
        raise Http404
    try:
        handle = score.evidence.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=score.evidence_name or score.evidence.name.rsplit("/", 1)[-1],
    )
