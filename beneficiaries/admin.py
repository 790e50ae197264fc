from django.contrib import admin

from beneficiaries.models import Beneficiary, ImportBatch, Sector
from core.text import fold


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]
    list_editable = ["order"]


@admin.register(Beneficiary)
class BeneficiaryAdmin(admin.ModelAdmin):
    list_display = ["name", "legal_form", "tax_code", "province", "commune", "sector"]
    list_filter = ["legal_form", "sector", "province"]
    search_fields = ["name_folded", "tax_code", "citizen_id"]
    list_select_related = ["province", "commune", "sector"]
    raw_id_fields = ["commune"]
    readonly_fields = [
        "name_folded",
        "province",
        "version",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
    ]

    def save_model(self, request, obj, form, change):
        # The admin bypasses the services: keep the derived columns right all the same.
        obj.province_id = obj.commune.province_id
        obj.name_folded = fold(obj.name)
        obj.updated_by = request.user
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["original_filename", "province", "status", "created_count", "created_at"]
    list_filter = ["status", "province"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]
