"""Filtering and ordering: django-filter FilterSets like the pages' filter bars, and
ordering restricted to each viewset's ``ordering_fields`` whitelist."""

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

# The largest id a database column holds; bigger numbers are refused as invalid.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An object's id in a query string (``?project=12``)."""

    field_class = IdField


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=-due_date,title``: an unknown field answers 400, not silence.

    The primary key always ends the ordering, so that pages never overlap or skip
    rows when several rows tie.
    """

    ordering_description = gettext_lazy(
        "Comma-separated fields to order by; a leading “-” reverses the order."
    )

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",")]
            allowed = [
                name
                for name, _label in self.get_valid_fields(
                    queryset, view, {"request": request}
                )
            ]
            unknown = [f for f in fields if f.removeprefix("-") not in allowed]
            if unknown:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            _("Cannot order by %(fields)s. Use one of: %(allowed)s.")
                            % {
                                "fields": ", ".join(unknown),
                                "allowed": ", ".join(allowed),
                            }
                        ]
                    }
                )
            return fields
        return self.get_default_ordering(view)

    def filter_queryset(self, request, queryset, view):
        ordering = list(self.get_ordering(request, queryset, view) or ())
        if not ordering:
            ordering = list(queryset.query.order_by or queryset.model._meta.ordering)
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering.append("pk")
        return queryset.order_by(*ordering)

    def get_schema_operation_parameters(self, view):
        allowed = [
            item if isinstance(item, str) else item[0]
            for item in getattr(view, "ordering_fields", None) or ()
        ]
        description = str(self.ordering_description)
        if allowed:
            description += " " + _("Allowed: %(allowed)s.") % {
                "allowed": ", ".join(allowed)
            }
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": description,
                "schema": {"type": "string"},
            }
        ]
