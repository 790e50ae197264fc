from django.contrib import admin

from programs.models import (
    Activity,
    AdvanceLimit,
    AnnualPlan,
    Indicator,
    LegalDocument,
    PlanAllocation,
    PlanBudget,
    Program,
    ProgramTarget,
    SupportCap,
)


@admin.register(LegalDocument)
class LegalDocumentAdmin(admin.ModelAdmin):
    list_display = ["number", "doc_type", "title", "issuer", "signed_on", "effective_from"]
    list_filter = ["doc_type", "province"]
    search_fields = ["number", "title"]
    filter_horizontal = ["amends"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "legal_basis", "valid_from", "valid_to"]
    list_select_related = ["parent", "legal_basis"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "order"]


@admin.register(SupportCap)
class SupportCapAdmin(admin.ModelAdmin):
    """Overlapping rules are refused by the database trigger even here."""

    list_display = [
        "activity",
        "level",
        "province",
        "max_percent",
        "max_amount",
        "unit",
        "effective_from",
        "effective_to",
        "legal_document",
        "is_example",
    ]
    list_filter = ["level", "is_example", "province"]
    list_select_related = ["activity", "province", "legal_document"]


@admin.register(AdvanceLimit)
class AdvanceLimitAdmin(admin.ModelAdmin):
    """Advances by activity group (programs.rules.advance_limit); the trigger of
    disbursement/sql/advance_limits.sql reads these rows."""

    list_display = [
        "activity",
        "level",
        "province",
        "percent",
        "requires_more_than_half_done",
        "legal_document",
        "valid_from",
        "valid_to",
        "is_example",
    ]
    list_filter = ["level", "is_example", "province"]
    list_select_related = ["activity", "province", "legal_document"]


class ProgramTargetInline(admin.TabularInline):
    model = ProgramTarget
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "province", "start_year", "end_year", "decision"]
    list_filter = ["level"]
    inlines = [ProgramTargetInline]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


class PlanBudgetInline(ReadOnlyInline):
    model = PlanBudget


class PlanAllocationInline(ReadOnlyInline):
    model = PlanAllocation


@admin.register(AnnualPlan)
class AnnualPlanAdmin(admin.ModelAdmin):
    """Read-only here: plans change through their pages, which apply the workflow."""

    list_display = ["title", "year", "province", "status", "decision_number"]
    list_filter = ["status", "year"]
    inlines = [PlanBudgetInline, PlanAllocationInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
