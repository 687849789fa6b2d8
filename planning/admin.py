from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ActivityEvent,
    Campaign,
    CampaignItem,
    EvidenceFile,
    KeyWorkProject,
    Milestone,
    PlanItem,
    ProgressReport,
    WorkPlan,
)


@admin.register(WorkPlan)
class WorkPlanAdmin(SimpleHistoryAdmin):
    list_display = ("title", "year", "owner", "status")
    list_filter = ("status", "year")


@admin.register(PlanItem)
class PlanItemAdmin(SimpleHistoryAdmin):
    list_display = ("title", "plan", "category", "due_date")
    list_filter = ("category",)


@admin.register(KeyWorkProject)
class KeyWorkProjectAdmin(SimpleHistoryAdmin):
    list_display = ("title", "owner", "status", "percent_complete", "due_date")
    list_filter = ("status", "category")
    search_fields = ("title", "owner__code")
    raw_id_fields = ("owner", "item", "plan", "responsible_user")
    readonly_fields = ("status", "percent_complete", "achieved_value", "completed_on")


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ("title", "project", "due_date", "done_on")


@admin.register(ProgressReport)
class ProgressReportAdmin(SimpleHistoryAdmin):
    list_display = ("project", "union", "period_start", "status")
    list_filter = ("status",)
    raw_id_fields = ("project", "union", "submitted_by", "reviewed_by")


@admin.register(EvidenceFile)
class EvidenceFileAdmin(SimpleHistoryAdmin):
    list_display = ("original_name", "kind", "size", "uploaded_at")


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ("title", "year", "is_active")


@admin.register(CampaignItem)
class CampaignItemAdmin(SimpleHistoryAdmin):
    list_display = ("title", "campaign", "order")


@admin.register(ActivityEvent)
class ActivityEventAdmin(SimpleHistoryAdmin):
    list_display = ("title", "union", "kind", "date")
    list_filter = ("kind",)
