from django.contrib import admin

from reports.models import ReportJob, ReportNumberSequence


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are written by reports.services (claim, store, sweep) only."""

    list_display = (
        "verification_code",
        "kind",
        "number",
        "province",
        "requested_by",
        "requested_at",
        "status",
        "progress",
        "attempts",
    )
    list_filter = ("kind", "status")
    search_fields = ("verification_code", "number", "title", "requested_by__username")
    list_select_related = ("province", "requested_by")
    date_hierarchy = "requested_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportNumberSequence)
class ReportNumberSequenceAdmin(admin.ModelAdmin):
    list_display = ("issuer", "year", "last")
    list_select_related = ("issuer",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
