"""Administration of the đề án catalogues (appraisal criteria, dossier checklist). The đề án
themselves are read-only here: every change goes through projects.services, so the
version, the checks and the timeline cannot be bypassed."""

from django.contrib import admin

from projects.models import AppraisalCriterion, Proposal, ProposalEvent, RequiredDocument


@admin.register(AppraisalCriterion)
class AppraisalCriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "weight", "max_score", "order", "active"]
    list_editable = ["weight", "max_score", "order", "active"]
    search_fields = ["code", "name"]


@admin.register(RequiredDocument)
class RequiredDocumentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "activity", "order"]
    list_select_related = ["activity"]
    list_filter = ["activity"]
    search_fields = ["code", "name"]


class ProposalEventInline(admin.TabularInline):
    model = ProposalEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "decision_number"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "province", "level", "kind", "status", "updated_at"]
    list_select_related = ["province"]
    list_filter = ["status", "level", "kind", "province"]
    search_fields = ["code", "title"]
    inlines = [ProposalEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
