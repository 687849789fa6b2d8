from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AuditEvent, Notification, User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            "Union",
            {
                "fields": (
                    "union",
                    "is_cadre",
                    "is_reviewer",
                    "is_leader",
                    "is_union_admin",
                    "language",
                    "phone",
                )
            },
        ),
    )
    list_display = (
        "username",
        "union",
        "is_cadre",
        "is_reviewer",
        "is_leader",
        "is_union_admin",
        "is_active",
    )
    list_select_related = ("union",)


admin.site.register(Notification)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "username", "ip_address", "detail")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return False

    # The log is evidence: nobody adds to it or removes from it by hand.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
