"""Administration of the inspection checklist (nội dung kiểm tra), which administrators
adapt to their practice. Inspections themselves change only through
inspections.services (version, conclusion rules, compliance, timeline)."""

from django.contrib import admin

from inspections.models import ChecklistItem


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["text", "code", "activity", "order", "active"]
    list_editable = ["order", "active"]
    list_select_related = ["activity"]
    list_filter = ["active", ("activity", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "text"]
    ordering = ["activity__code", "order", "code"]
