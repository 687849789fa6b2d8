from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionportal.search import union_search_attrs
from unions.models import Union

from .models import (
    ActivityEvent,
    Campaign,
    CampaignItem,
    KeyWorkProject,
    Milestone,
    PlanItem,
    ProgressReport,
    WorkPlan,
)
from .services.plans import PROJECT_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


def _row(*fields, cols="col-md-6"):
    return Div(*(Div(f, css_class=cols) for f in fields), css_class="row")


class UnionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class UnionMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class WorkPlanForm(forms.ModelForm):
    class Meta:
        model = WorkPlan
        fields = [
            "title",
            "year",
            "reporting_frequency",
            "report_due_days",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("year", timezone.localdate().year)
        self.helper = _helper(
            "title",
            _row("year", "reporting_frequency", "report_due_days", cols="col-md-4"),
            "description",
        )


class PlanItemForm(forms.ModelForm):
    class Meta:
        model = PlanItem
        fields = [
            "category",
            "title",
            "description",
            "target_value",
            "target_unit",
            "weight",
            "due_date",
        ]
        widgets = {
            "due_date": DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _row("category", "title"),
            "description",
            _row(
                "target_value",
                "target_unit",
                "weight",
                "due_date",
                cols="col-6 col-md-3",
            ),
        )


class HandOutForm(forms.Form):
    """Hand one plan item to many units at once."""

    ALL_SUBDISTRICTS = "subdistricts"
    GRASSROOTS_UNDER = "grassroots"
    PICKED = "picked"

    item = forms.ModelChoiceField(
        label=_("Plan item"), queryset=PlanItem.objects.none()
    )
    mode = forms.ChoiceField(
        label=_("Hand the item to"),
        choices=[
            (ALL_SUBDISTRICTS, _("All sub-district unions")),
            (GRASSROOTS_UNDER, _("All grassroots unions under one sub-district union")),
            (PICKED, _("The unions picked below")),
        ],
        initial=ALL_SUBDISTRICTS,
        widget=forms.RadioSelect,
    )
    subdistrict = UnionChoiceField(
        label=_("Sub-district union"), queryset=Union.objects.none(), required=False
    )
    unions = UnionMultipleChoiceField(
        label=_("Unions"),
        queryset=Union.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    start_date = forms.DateField(
        label=_("Start"),
        required=False,
        widget=DATE,
        help_text=_("Empty: 1 January of the plan's year."),
    )

    def __init__(self, *args, scope, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda i: (
            f"{i.get_category_display()} · {i.title}"
        )
        active = scope.filter(is_active=True)
        self.scope = active
        self.fields["subdistrict"].queryset = active.filter(
            kind=Union.Kind.SUBDISTRICT
        ).order_by("code")
        self.fields["unions"].queryset = active.exclude(
            kind__in=[Union.Kind.DISTRICT, Union.Kind.CITY]
        ).order_by("code")
        self.fields["unions"].widget.attrs.update(union_search_attrs())
        # Picking a union chooses "the unions picked below" (portal.js).
        picked = [value for value, _label in self.fields["mode"].choices]
        self.fields["unions"].widget.attrs["data-union-search-check"] = (
            f"{self.auto_id % 'mode'}_{picked.index(self.PICKED)}"
        )
        self.helper = _helper("item", "mode", "subdistrict", "unions", "start_date")

    def clean(self):
        cleaned = super().clean()
        mode = cleaned.get("mode")
        if mode == self.ALL_SUBDISTRICTS:
            cleaned["targets"] = list(
                self.scope.filter(kind=Union.Kind.SUBDISTRICT).order_by("path")
            )
        elif mode == self.GRASSROOTS_UNDER:
            sub = cleaned.get("subdistrict")
            if sub is None:
                self.add_error("subdistrict", _("Choose the sub-district union."))
                return cleaned
            cleaned["targets"] = list(
                self.scope.filter(
                    path__startswith=sub.path,
                    kind__in=Union.GRASSROOTS_KINDS,
                ).order_by("path")
            )
        elif mode == self.PICKED:
            cleaned["targets"] = list(cleaned.get("unions") or [])
        if mode and not cleaned.get("targets"):
            raise forms.ValidationError(_("No unions match this choice."))
        return cleaned


class ProjectForm(forms.ModelForm):
    participants = UnionMultipleChoiceField(
        label=_("Participating unions"),
        queryset=Union.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = KeyWorkProject
        fields = list(PROJECT_FIELDS)  # what the service saves of a project
        widgets = {"start_date": DATE, "due_date": DATE}

    def __init__(self, *args, scope, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = (
            scope.filter(is_active=True)
            .exclude(pk=self.instance.owner_id)
            .order_by("code")
        )
        self.fields["participants"].widget.attrs.update(union_search_attrs())
        self.fields["responsible_user"].queryset = users
        if self.instance.pk:
            self.initial["participants"] = list(self.instance.participants.all())
        self.helper = _helper(
            _row("title", "category"),
            _row("responsible_person", "responsible_user"),
            _row("target_value", "target_unit", "weight", cols="col-md-4"),
            _row("start_date", "due_date"),
            "participants",
        )


class ProposalForm(forms.ModelForm):
    """A project a union proposes of its own (自选项目), under a published plan."""

    class Meta:
        model = KeyWorkProject
        fields = [
            "plan",
            "title",
            "category",
            "responsible_person",
            "target_value",
            "target_unit",
            "weight",
            "start_date",
            "due_date",
        ]
        widgets = {"start_date": DATE, "due_date": DATE}

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        if plans is not None and not self.is_bound and not self.instance.pk:
            # This year's plan, nearest union first, as most proposals go there.
            year = timezone.localdate().year
            nearest = plans.filter(year=year).order_by("-owner__depth").first()
            if nearest is not None:
                self.initial["plan"] = nearest.pk
        if self.instance.pk:
            # The plan of a proposal stays; the rest is corrected.
            del self.fields["plan"]
        self.helper = _helper(
            *(["plan"] if "plan" in self.fields else []),
            _row("title", "category"),
            "responsible_person",
            _row("target_value", "target_unit", "weight", cols="col-md-4"),
            _row("start_date", "due_date"),
        )


class ProposalDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 5000}),
        help_text=_("Required when returning the proposal."),
    )


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_date", "done_on"]
        widgets = {"due_date": DATE, "done_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_row("title", "due_date", "done_on", cols="col-md-4"))


class ProgressReportForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = ProgressReport
        fields = [
            "achieved_value",
            "percent_is_manual",
            "percent_complete",
            "decrease_reason",
            "narrative",
        ]
        widgets = {
            "narrative": forms.Textarea(
                attrs={"rows": 6, "maxlength": 5000, "data-counter": ""}
            ),
            "decrease_reason": forms.Textarea(
                attrs={"rows": 2, "maxlength": 5000, "data-counter": ""}
            ),
        }
        help_texts = {
            "percent_complete": _(
                "Worked out as achieved ÷ target when you save, unless you tick "
                "“enter the percent by hand”."
            ),
            "decrease_reason": _(
                "Only when the figure is lower than the last approved one."
            ),
        }

    def __init__(self, *args, unit="", **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version or 0)
        self.fields["achieved_value"].help_text = _(
            "Cumulative, in %(unit)s, since the project started."
        ) % {"unit": unit}
        self.fields["achieved_value"].widget.attrs.update({"inputmode": "decimal"})
        self.fields["percent_complete"].widget.attrs.update(
            {"inputmode": "decimal", "min": 0, "max": 100, "step": "0.1"}
        )
        self.fields["percent_complete"].required = False
        self.helper = _helper(
            _row("achieved_value", "percent_complete"),
            "percent_is_manual",
            "decrease_reason",
            "narrative",
            "version",
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return"))],
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning: say what must be corrected."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("comment")

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") == "return"
            and not cleaned.get("comment", "").strip()
        ):
            self.add_error(
                "comment", _("Say what must be corrected when returning a report.")
            )
        return cleaned


class BulkReviewForm(ReviewForm):
    reports = forms.ModelMultipleChoiceField(
        queryset=ProgressReport.objects.none(), required=True
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports"].queryset = queryset
        self.fields["reports"].error_messages["required"] = _(
            "Tick at least one report."
        )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Evidence file"),
        help_text=_("PDF, images or office documents."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field("file"))


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["title", "year", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("year", timezone.localdate().year)
        self.helper = _helper(_row("title", "year"), "description", "is_active")


class CampaignItemForm(forms.ModelForm):
    class Meta:
        model = CampaignItem
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("title", "description")


class EventForm(forms.ModelForm):
    union = UnionChoiceField(label=_("Union"), queryset=Union.objects.none())
    link = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Publicity items: the web address of the article or clip."),
    )

    class Meta:
        model = ActivityEvent
        fields = [
            "kind",
            "union",
            "item",
            "date",
            "title",
            "place",
            "participants",
            "trainees",
            "media_level",
            "link",
            "narrative",
        ]
        widgets = {
            "date": DATE,
            "narrative": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "trainees": _("Training sessions only."),
            "media_level": _("Publicity items only: where it was published."),
        }

    def __init__(self, *args, unions, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions
        count = unions.count()
        if count == 1 and not self.instance.pk:
            self.initial.setdefault("union", unions.first())
        elif count > 1:
            # An administrator's choice of any active union in scope, by typing.
            self.fields["union"].widget.attrs.update(union_search_attrs("active"))
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda obj: (
            f"{obj.campaign.title} · {obj.title}"
        )
        if not self.instance.pk:
            self.initial.setdefault("date", timezone.localdate())
        self.helper = _helper(
            _row("kind", "union"),
            _row("item", "date"),
            "title",
            _row("place", "participants"),
            Fieldset(
                _("Training and publicity"),
                _row("trainees", "media_level", "link", cols="col-md-4"),
            ),
            "narrative",
        )


class PlanImportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Plan title"), max_length=200)
    reporting_frequency = forms.ChoiceField(
        label=_("Reporting frequency"),
        choices=WorkPlan._meta.get_field("reporting_frequency").choices,
        initial="monthly",
    )
    report_due_days = forms.IntegerField(
        label=_("Report due (days after the period ends)"),
        min_value=1,
        max_value=60,
        initial=5,
    )
    file = forms.FileField(label=_("Workbook (.xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", timezone.localdate().year)
        self.helper = _helper(
            _row("title", "year"),
            _row("reporting_frequency", "report_due_days"),
            "file",
        )


class HandDownForm(forms.Form):
    """Hand a union's own project down to units below it."""

    unions = UnionMultipleChoiceField(
        label=_("Units below"),
        queryset=Union.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Each unit gets its own project of this item and is told of it."),
    )
    start_date = forms.DateField(
        label=_("Start"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unions"].queryset = units
        self.fields["unions"].widget.attrs.update(union_search_attrs())
        self.helper = _helper("unions", "start_date")
