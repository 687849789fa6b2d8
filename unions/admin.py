from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import OfficeTerm, Person, Position, TermChange, TermChangeStep, Union


@admin.register(Union)
class UnionAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name_zh", "name_en")
    list_select_related = ("parent",)
    readonly_fields = ("path", "depth")


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("name", "union", "gender")
    search_fields = ("name",)
    list_select_related = ("union",)


@admin.register(OfficeTerm)
class OfficeTermAdmin(SimpleHistoryAdmin):
    list_display = ("union", "number", "start", "planned_end", "closed")
    list_filter = ("closed", "length_years")
    list_select_related = ("union",)
    readonly_fields = ("planned_end",)


@admin.register(Position)
class PositionAdmin(SimpleHistoryAdmin):
    list_display = ("person", "role", "union", "term", "is_current")
    list_filter = ("role", "is_current")
    list_select_related = ("person", "union", "term", "term__union")


class StepInline(admin.TabularInline):
    model = TermChangeStep
    extra = 0
    can_delete = False
    readonly_fields = ("step", "date", "comment", "document", "by", "created_at")


@admin.register(TermChange)
class TermChangeAdmin(SimpleHistoryAdmin):
    list_display = ("union", "state", "planned_election_date", "updated_at")
    list_filter = ("state",)
    list_select_related = ("union",)
    inlines = [StepInline]
