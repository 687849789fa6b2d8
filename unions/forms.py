from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionportal.search import union_label, union_search_attrs
from unionportal.uploads import validate_upload

from .models import Gender, OfficeTerm, Person, Position, TermChange, Union
from .validators import normalise_resident_id
from .workflow import STEP_DATE_LABELS, Officer


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _helper(layout=None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout is not None:
        helper.layout = layout
    return helper


def _row(*fields, cols="col-md-6"):
    return Div(*[Div(f, css_class=cols) for f in fields], css_class="row")


class UnionForm(forms.ModelForm):
    """An administrator's form for a union: names, code, kind and higher union."""

    class Meta:
        model = Union
        fields = ["name_zh", "name_en", "code", "kind", "parent", "member_count"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        parents = (
            Union.objects.visible_to(user)
            .exclude(kind__in=Union.GRASSROOTS_KINDS)
            .filter(is_active=True)
        )
        if self.instance.pk and self.instance.parent_id:
            # A sub-district administrator editing their own union keeps its
            # parent (the district, above their scope) without being able to
            # move it anywhere outside their scope.
            parents = parents | Union.objects.filter(pk=self.instance.parent_id)
        self.fields["parent"].queryset = parents.order_by("path")
        self.fields["parent"].label_from_instance = lambda union: union_label(
            union.name, union.code
        )
        self.fields["parent"].widget.attrs.update(union_search_attrs("parent"))
        self.fields["parent"].required = not (user.is_superuser and not user.union_id)
        self.fields["parent"].help_text = _(
            "Moving a union moves all its sub-unions with it."
        )
        self.helper = _helper(
            Layout(
                _row("name_zh", "name_en"),
                _row("code", "kind"),
                _row("parent", "member_count"),
            )
        )


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "gender", "birth_date", "phone", "id_number"]
        widgets = {"birth_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Layout(
                _row("name", "gender"),
                _row("birth_date", "phone"),
                "id_number",
            )
        )

    def clean_id_number(self):
        return normalise_resident_id(self.cleaned_data.get("id_number", ""))


class OfficerAddForm(PersonForm):
    """A new officer of a term: the person and their office."""

    role = forms.ChoiceField(label=_("Office"), choices=Position.Role.choices)
    start = forms.DateField(label=_("In office from"), widget=DateInput())

    class Meta(PersonForm.Meta):
        fields = ["name", "gender", "phone", "id_number"]

    def __init__(self, *args, term: OfficeTerm, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].initial = max(term.start, timezone.localdate())
        self.fields["id_number"].help_text = _(
            "If this ID number is already on record, that person is used."
        )
        self.helper = _helper(
            Layout(
                _row("name", "gender"),
                _row("phone", "id_number"),
                _row("role", "start"),
            )
        )

    def validate_unique(self):
        # The person may already be on record: the service reuses them.
        return


class PositionEndForm(forms.Form):
    end = forms.DateField(label=_("Left office on"), widget=DateInput())


class TermForm(forms.ModelForm):
    # The term's version the form was drawn from (optimistic locking).
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1, required=False
    )

    class Meta:
        model = OfficeTerm
        fields = ["number", "start", "length_years"]
        widgets = {"start": DateInput()}
        help_texts = {
            "number": _(
                "The term's number in the union's history (8 for the 8th term)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version or 0)
        self.helper = _helper(
            Layout(_row("number", "start", "length_years", cols="col-md-4"), "version")
        )

    def validate_unique(self):
        # term_open / term_update check the number with a message naming the union.
        return


def _clean_document(form):
    document = form.cleaned_data.get("document")
    if document:
        try:
            validate_upload(document)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
    return document


class StepForm(forms.Form):
    """The fields every step of a change of term has: date, comment, document."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    document = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_("PDF, image or Office file, e.g. the request or the minutes."),
    )

    def __init__(self, *args, step: str, **kwargs):
        kwargs.setdefault("prefix", step)
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields["date"].label = STEP_DATE_LABELS.get(step, _("Date"))
        self.fields["date"].initial = timezone.localdate()
        self.helper = _helper(self._layout())

    def _layout(self):
        return Layout(
            _row("date", "document"),
            Field("comment"),
        )

    def clean_document(self):
        return _clean_document(self)


class ElectionStepForm(StepForm):
    new_term_years = forms.TypedChoiceField(
        label=_("Length of the new term"),
        choices=OfficeTerm.Length.choices,
        coerce=int,
    )

    def __init__(self, *args, change: TermChange, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_term_years"].initial = change.new_term_years

    def _layout(self):
        return Layout(
            _row("date", "new_term_years"),
            _row("document"),
            Field("comment"),
        )


class CancelForm(StepForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, step=TermChange.State.CANCELLED, **kwargs)
        self.fields["comment"].required = True
        self.fields["comment"].label = _("Why is it cancelled?")

    def _layout(self):
        return Layout("date", "comment", "document")


class OfficerForm(forms.Form):
    """One elected officer, a row of the election step's table."""

    name = forms.CharField(label=_("Full name"), max_length=100)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "–"), *Gender.choices], required=False
    )
    # The blank choice keeps an untouched row unchanged, so the formset skips it.
    role = forms.ChoiceField(
        label=_("Office"), choices=[("", "–"), *Position.Role.choices]
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select" if name in ("gender", "role") else "form-control"
            field.widget.attrs["class"] = (
                f"{css} form-control-sm"
                if css == "form-control"
                else f"{css} form-select-sm"
            )
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        self.fields["id_number"].widget.attrs["autocomplete"] = "off"

    def clean_id_number(self):
        from .validators import validate_resident_id

        number = normalise_resident_id(self.cleaned_data.get("id_number", ""))
        if number:
            validate_resident_id(number)
        return number

    def clean_phone(self):
        from .validators import validate_phone

        phone = self.cleaned_data.get("phone", "").strip()
        if phone:
            validate_phone(phone)
        return phone

    def officer(self) -> Officer:
        data = self.cleaned_data
        return Officer(
            name=data["name"].strip(),
            role=data["role"],
            gender=data.get("gender", ""),
            phone=data.get("phone", ""),
            id_number=data.get("id_number", ""),
        )


class BaseOfficerFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        officers = [f for f in self.forms if f.has_changed() and f.cleaned_data]
        if not officers:
            raise forms.ValidationError(_("Enter the officers who were elected."))
        chairs = sum(
            1 for f in officers if f.cleaned_data["role"] == Position.Role.CHAIR
        )
        if chairs != 1:
            raise forms.ValidationError(
                _("Exactly one chair must be elected; %(count)s were entered.")
                % {"count": chairs}
            )

    def officers(self) -> list[Officer]:
        return [f.officer() for f in self.forms if f.has_changed() and f.cleaned_data]


# Rows are added as needed ("Add a row", portal.js); the server takes up to
# MAX_OFFICERS and refuses more with a message.
MAX_OFFICERS = 100
OfficerFormSet = forms.formset_factory(
    OfficerForm,
    formset=BaseOfficerFormSet,
    extra=5,
    max_num=MAX_OFFICERS,
    absolute_max=MAX_OFFICERS,
    validate_max=True,
)


class ChangePlanForm(StepForm):
    union = forms.ModelChoiceField(label=_("Union"), queryset=Union.objects.none())
    planned_election_date = forms.DateField(
        label=_("Planned election date"), required=False, widget=DateInput()
    )
    new_term_years = forms.TypedChoiceField(
        label=_("Length of the new term"),
        choices=OfficeTerm.Length.choices,
        coerce=int,
        initial=OfficeTerm.Length.FIVE,
    )

    def __init__(self, *args, unions, **kwargs):
        kwargs.setdefault("prefix", "")
        super().__init__(*args, step=TermChange.State.PLANNED, **kwargs)
        field = self.fields["union"]
        field.queryset = unions
        # "name (code)", and found by typing either (portal.js asks the look-up
        # for the same unions: ``lookups.change_candidates``).
        field.label_from_instance = lambda union: union_label(union.name, union.code)
        field.widget.attrs.update(union_search_attrs("change"))

    def _layout(self):
        return Layout(
            "union",
            _row("date", "planned_election_date"),
            _row("new_term_years", "document"),
            Field("comment"),
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        help_text=_("Start from the template: one sheet of unions, one of officers."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
