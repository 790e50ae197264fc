from django.contrib import admin

from disbursement.models import (
    Acceptance,
    Contract,
    DisbursementFlag,
    Liquidation,
    ProgressReport,
    Settlement,
    Tranche,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money is written through disbursement.services only (locks, checks, events): the
    admin shows it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ("number", "proposal", "version", "active", "signed_on")
    list_filter = ("active",)
    search_fields = ("number", "proposal__code")
    list_select_related = ("proposal",)


@admin.register(Tranche)
class TrancheAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "kind", "source", "amount", "status", "paid_on", "voucher_number")
    list_filter = ("kind", "status", "source")
    search_fields = ("proposal__code", "voucher_number", "treasury_reference")
    list_select_related = ("proposal",)


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "accepted_on", "result")
    list_select_related = ("proposal",)


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "settled_on", "decision_number")
    list_select_related = ("proposal",)


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "reported_on", "percent_done")
    list_select_related = ("proposal",)


@admin.register(Liquidation)
class LiquidationAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "number", "liquidated_on")
    list_select_related = ("proposal",)


@admin.register(DisbursementFlag)
class DisbursementFlagAdmin(admin.ModelAdmin):
    list_display = ("proposal", "kind", "raised_on", "resolved_on", "notified")
    list_filter = ("kind",)
    list_select_related = ("proposal",)
