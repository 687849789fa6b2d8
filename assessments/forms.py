from decimal import Decimal, InvalidOperation

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Indicator, IndicatorCategory, Period, Scheme


def _helper(layout=None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout is not None:
        helper.layout = layout
    return helper


def _row(*fields, widths=None):
    widths = widths or ["col-md"] * len(fields)
    return Div(
        *[Div(f, css_class=w) for f, w in zip(fields, widths, strict=True)],
        css_class="row",
    )


class SchemeForm(forms.ModelForm):
    quarter_weights_text = forms.CharField(
        label=_("Quarter weights"),
        required=False,
        help_text=_("For a weighted annual result: four numbers, e.g. 1, 1, 1, 2."),
    )

    class Meta:
        model = Scheme
        fields = [
            "year",
            "unit_level",
            "name_zh",
            "name_en",
            "bonus_cap",
            "annual_rule",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.quarter_weights:
            self.initial["quarter_weights_text"] = ", ".join(
                f"{w:g}" for w in self.instance.quarter_weights
            )
        if self.instance.pk:
            # The units and year of a scheme with periods are fixed.
            for name in ("year", "unit_level"):
                self.fields[name].disabled = True
        self.helper = _helper(
            Layout(
                _row("year", "unit_level", widths=["col-md-4", "col-md-8"]),
                _row("name_zh", "name_en"),
                _row("bonus_cap", "annual_rule", "quarter_weights_text"),
            )
        )

    def clean_quarter_weights_text(self):
        text = (self.cleaned_data.get("quarter_weights_text") or "").strip()
        if not text:
            return []
        parts = [p for p in text.replace("，", ",").replace(" ", ",").split(",") if p]
        try:
            weights = [float(Decimal(p)) for p in parts]
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError(_("Use numbers separated by commas.")) from exc
        return weights

    def service_data(self) -> dict:
        fixed = ("year", "unit_level") if self.instance.pk else ()
        data = {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name in self.cleaned_data and name not in fixed
        }
        data["quarter_weights"] = self.cleaned_data.get("quarter_weights_text") or []
        return data


class SchemeCopyForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("Copy from"), queryset=Scheme.objects.none()
    )
    year = forms.IntegerField(label=_("For the year"), min_value=2000, max_value=2100)

    def __init__(self, *args, schemes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if schemes is not None:
            self.fields["source"].queryset = schemes
        self.helper = _helper(_row("source", "year", widths=["col-md-8", "col-md-4"]))


class CategoryForm(forms.ModelForm):
    class Meta:
        model = IndicatorCategory
        fields = ["name_zh", "name_en", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Layout(
                _row(
                    "name_zh",
                    "name_en",
                    "order",
                    widths=["col-md-5", "col-md-5", "col-md-2"],
                )
            )
        )


MEDIA_FIELDS = {
    "district": _("Points per district-level item"),
    "city": _("Points per city-level item"),
    "province": _("Points per provincial item"),
    "national": _("Points per national item"),
}


class IndicatorForm(forms.ModelForm):
    """An indicator with the parameters of its automatic rule as plain fields."""

    target = forms.IntegerField(
        label=_("Target"),
        required=False,
        min_value=1,
        help_text=_("Events to hold, or trainees to train, in the period."),
    )
    per_month = forms.DecimalField(
        label=_("Points deducted per overdue month or unit"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
    )
    points_district = forms.DecimalField(
        label=MEDIA_FIELDS["district"],
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
    )
    points_city = forms.DecimalField(
        label=MEDIA_FIELDS["city"],
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
    )
    points_province = forms.DecimalField(
        label=MEDIA_FIELDS["province"],
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
    )
    points_national = forms.DecimalField(
        label=MEDIA_FIELDS["national"],
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
    )

    class Meta:
        model = Indicator
        fields = [
            "category",
            "code",
            "order",
            "name_zh",
            "name_en",
            "description",
            "kind",
            "method",
            "max_points",
            "term_scope",
            "term_count",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, scheme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme or self.instance.scheme
        self.fields["category"].queryset = IndicatorCategory.objects.filter(
            scheme=self.scheme
        )
        self.fields["max_points"].help_text = _(
            "For a deduction: the most it can take off. A veto has no points."
        )
        self.fields["max_points"].required = False
        for name in ("term_scope", "term_count"):
            self.fields[name].required = False
        params = self.instance.params or {}
        self.initial.setdefault("target", params.get("target"))
        self.initial.setdefault("per_month", params.get("per_month"))
        for level, value in (params.get("points") or {}).items():
            self.initial.setdefault(f"points_{level}", value)
        self.helper = _helper(
            Layout(
                _row(
                    "category",
                    "code",
                    "order",
                    widths=["col-md-6", "col-md-3", "col-md-3"],
                ),
                _row("name_zh", "name_en"),
                "description",
                _row(
                    "kind",
                    "method",
                    "max_points",
                    widths=["col-md-4", "col-md-5", "col-md-3"],
                ),
                Fieldset(
                    _("Parameters of the automatic rule"),
                    HTML(
                        '<p class="small text-body-secondary">'
                        + str(_("Only the parameters of the chosen rule are used."))
                        + "</p>"
                    ),
                    _row(
                        Field("target"),
                        Field("per_month"),
                        widths=["col-md-6", "col-md-6"],
                    ),
                    _row("term_scope", "term_count"),
                    _row(
                        "points_district",
                        "points_city",
                        "points_province",
                        "points_national",
                    ),
                    css_class="indicator-params",
                ),
            )
        )

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        kind = cleaned.get("kind")
        if kind != Indicator.Kind.VETO and cleaned.get("max_points") is None:
            self.add_error("max_points", _("Give the indicator its max points."))
        params: dict = {}
        if method in (Indicator.Method.ACTIVITIES, Indicator.Method.TRAINING):
            if not cleaned.get("target"):
                self.add_error("target", _("This rule needs a target."))
            else:
                params["target"] = cleaned["target"]
        if method != Indicator.Method.TERMS or not cleaned.get("term_scope"):
            cleaned["term_scope"] = Indicator.TermScope.OWN
        if method != Indicator.Method.TERMS or not cleaned.get("term_count"):
            cleaned["term_count"] = Indicator.TermCount.MONTH
        if method in (Indicator.Method.ACTIVITIES, Indicator.Method.TRAINING):
            pass
        elif method == Indicator.Method.TERMS:
            if not cleaned.get("per_month"):
                self.add_error("per_month", _("This rule needs the points per month."))
            else:
                params["per_month"] = str(cleaned["per_month"])
        elif method == Indicator.Method.PUBLICITY:
            points = {
                level: str(cleaned[f"points_{level}"])
                for level in Indicator.MEDIA_LEVELS
                if cleaned.get(f"points_{level}") is not None
            }
            if not points:
                self.add_error(
                    "points_city", _("Give the points of at least one media level.")
                )
            params["points"] = points
        cleaned["params"] = params
        # The model checks the parameters too, when the form validates the instance.
        self.instance.params = params
        return cleaned

    PARAM_FIELDS = {
        Indicator.Method.ACTIVITIES: "target",
        Indicator.Method.TRAINING: "target",
        Indicator.Method.TERMS: "per_month",
        Indicator.Method.PUBLICITY: "points_city",
    }

    def _update_errors(self, errors):
        # The model reports parameter errors under "params", which is not a field
        # of this form: show them on the field the rule reads.
        if hasattr(errors, "error_dict") and "params" in errors.error_dict:
            method = (self.cleaned_data or {}).get("method")
            field = self.PARAM_FIELDS.get(method, NON_FIELD_ERRORS)
            errors.error_dict.setdefault(field, []).extend(
                errors.error_dict.pop("params")
            )
        super()._update_errors(errors)

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        if data["max_points"] is None:
            data["max_points"] = Decimal("0")
        data["params"] = self.cleaned_data["params"]
        return data


class ExemptionForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text=_(
            "Why the indicator does not apply, e.g. “no enterprises in the community”."
        ),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.helper = _helper()


class PeriodCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Period"), choices=())

    def __init__(self, *args, available=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, Period.Kind(k).label) for k in available]
        self.helper = _helper()


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the period reopened?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=5,
        max_length=2000,
        help_text=_("Kept in the period's history and the audit log."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ScoreImportForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ScoringForm(forms.Form):
    """A unit's manual indicators in one form: self part, review part, or both.

    Field names carry the indicator id: ``self_score_12``, ``review_comment_12``...
    Ranges are checked here with the portal's own message (and again by the model).
    """

    def __init__(self, *args, rows, can_self: bool, can_review: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        self.can_self, self.can_review = can_self, can_review
        for row in rows:
            indicator, score = row["indicator"], row["score"]
            if not indicator.is_manual or row["exempt_reason"]:
                continue
            pk = indicator.pk
            self.fields[f"version_{pk}"] = forms.IntegerField(
                widget=forms.HiddenInput,
                required=False,
                initial=score.version if score else 0,
            )
            if can_self:
                self.fields[f"self_score_{pk}"] = self._score_field(
                    indicator, _("Self score"), score.self_score if score else None
                )
                self.fields[f"self_comment_{pk}"] = forms.CharField(
                    label=_("Comment"),
                    required=False,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                    initial=score.self_comment if score else "",
                )
                self.fields[f"evidence_{pk}"] = forms.FileField(
                    label=_("Evidence"),
                    required=False,
                    widget=forms.ClearableFileInput(
                        attrs={"class": "form-control form-control-sm"}
                    ),
                )
                if score and score.evidence:
                    self.fields[f"remove_evidence_{pk}"] = forms.BooleanField(
                        label=_("Remove the current file"),
                        required=False,
                        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                    )
            if can_review:
                initial = None
                if score is not None:
                    # The reviewed score starts as the self score (DESIGN: it
                    # defaults to it); the reviewer changes it where they disagree.
                    initial = (
                        score.reviewed_score
                        if score.reviewed_score is not None
                        else score.self_score
                    )
                self.fields[f"reviewed_score_{pk}"] = self._score_field(
                    indicator, _("Reviewed score"), initial
                )
                self.fields[f"review_comment_{pk}"] = forms.CharField(
                    label=_("Review comment"),
                    required=False,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                    initial=score.review_comment if score else "",
                    help_text=_(
                        "Required where the reviewed score differs from the self score."
                    ),
                )
            self.rows.append(row)

    @staticmethod
    def _score_field(indicator, label, initial):
        if indicator.is_veto:
            return forms.TypedChoiceField(
                label=label,
                required=False,
                choices=[("", "—"), ("0", _("No veto")), ("1", _("Veto hit"))],
                coerce=Decimal,
                empty_value=None,
                initial="" if initial is None else str(int(initial)),
                widget=forms.Select(attrs={"class": "form-select score-input"}),
            )
        return forms.DecimalField(
            label=label,
            required=False,
            max_digits=6,
            decimal_places=2,
            initial=initial,
            widget=forms.NumberInput(
                attrs={
                    "step": "0.01",
                    "inputmode": "decimal",
                    "class": "form-control score-input",
                }
            ),
        )

    def bound(self, name: str, indicator_id: int):
        key = f"{name}_{indicator_id}"
        return self[key] if key in self.fields else None

    def clean(self):
        cleaned = super().clean()
        for row in self.rows:
            indicator = row["indicator"]
            top = indicator.score_max
            for part in ("self_score", "reviewed_score"):
                key = f"{part}_{indicator.pk}"
                value = cleaned.get(key)
                if value is not None and (value < 0 or value > top):
                    self.add_error(
                        key,
                        _("Enter a score between 0 and %(max)s.")
                        % {"max": f"{top.normalize():f}"},
                    )
            evidence = cleaned.get(f"evidence_{indicator.pk}")
            if evidence:
                from unionportal.uploads import validate_upload

                try:
                    validate_upload(evidence)
                except ValidationError as exc:
                    self.add_error(f"evidence_{indicator.pk}", exc)
        return cleaned

    def entries(self):
        from .services import UNCHANGED, ScoreEntry

        entries = []
        for row in self.rows:
            indicator = row["indicator"]
            pk = indicator.pk
            entry = ScoreEntry(
                indicator=indicator,
                version=self.cleaned_data.get(f"version_{pk}") or 0,
            )
            if self.can_self:
                entry.self_score = self.cleaned_data.get(f"self_score_{pk}")
                entry.self_comment = self.cleaned_data.get(f"self_comment_{pk}", "")
                upload = self.cleaned_data.get(f"evidence_{pk}")
                if upload:
                    entry.evidence = upload
                elif self.cleaned_data.get(f"remove_evidence_{pk}"):
                    entry.evidence = None
                else:
                    entry.evidence = UNCHANGED
            if self.can_review:
                entry.reviewed_score = self.cleaned_data.get(f"reviewed_score_{pk}")
                entry.review_comment = self.cleaned_data.get(f"review_comment_{pk}", "")
            entries.append(entry)
        return entries

    def mark_invalid(self) -> None:
        """Adds Bootstrap's is-invalid class to the inputs that have errors."""
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "")
                if "is-invalid" not in classes:
                    widget.attrs["class"] = f"{classes} is-invalid".strip()
