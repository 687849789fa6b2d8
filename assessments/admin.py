"""Django admin for the assessment: for support staff, with the same locked-period rule.

A score, period or report of a locked period opens read-only here and cannot be
deleted; the models refuse the change as well, whatever the admin allows.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Indicator,
    IndicatorCategory,
    IndicatorExemption,
    Period,
    QuarterReport,
    QuarterReportFile,
    Scheme,
    Score,
)


class LockedReadOnlyMixin:
    """No change or delete for objects that belong to a locked period."""

    def _locked(self, obj) -> bool:
        return obj is not None and self.period_of(obj).status == Period.Status.LOCKED

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        # The queryset itself refuses a locked period (ValidationError); the admin
        # action offers it only after the permission check above.
        super().delete_queryset(request, queryset)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = (
        "code",
        "category",
        "name_zh",
        "kind",
        "method",
        "max_points",
        "params",
        "term_scope",
        "term_count",
    )


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ("year", "name_zh", "unit_level", "status", "version", "owner")
    list_filter = ("status", "unit_level", "year")
    list_select_related = ("owner",)
    inlines = [IndicatorInline]


@admin.register(IndicatorCategory)
class IndicatorCategoryAdmin(SimpleHistoryAdmin):
    list_display = ("name_zh", "scheme", "order")
    list_select_related = ("scheme",)


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "scheme", "kind", "method", "max_points")
    list_filter = ("kind", "method", "scheme__year")
    list_select_related = ("scheme",)


@admin.register(IndicatorExemption)
class IndicatorExemptionAdmin(SimpleHistoryAdmin):
    list_display = ("indicator", "unit", "reason", "created_at")
    list_select_related = ("indicator", "unit")


@admin.register(Period)
class PeriodAdmin(LockedReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "scheme", "status", "start", "end")
    list_filter = ("status", "kind")
    list_select_related = ("scheme",)

    def period_of(self, obj):
        return obj


@admin.register(Score)
class ScoreAdmin(LockedReadOnlyMixin, SimpleHistoryAdmin):
    list_display = (
        "unit",
        "indicator",
        "period",
        "self_score",
        "reviewed_score",
        "version",
    )
    list_filter = ("period__status",)
    list_select_related = ("unit", "indicator", "period__scheme")
    raw_id_fields = ("unit", "indicator", "period", "self_by", "reviewed_by")

    def period_of(self, obj):
        return obj.period


@admin.register(QuarterReport)
class QuarterReportAdmin(LockedReadOnlyMixin, admin.ModelAdmin):
    list_display = ("period", "status", "progress", "scheme_version", "finished_at")
    list_select_related = ("period__scheme",)
    readonly_fields = [f.name for f in QuarterReport._meta.fields]

    def period_of(self, obj):
        return obj.period

    def has_add_permission(self, request):
        return False


@admin.register(QuarterReportFile)
class QuarterReportFileAdmin(admin.ModelAdmin):
    list_display = ("report", "kind", "language", "size", "created_at")
    readonly_fields = ("report", "kind", "language", "file", "size", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
