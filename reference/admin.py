from django.contrib import admin

from reference.models import Commune, LegacyCommune, Province, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order"]


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "abbreviation", "division_type", "region"]
    list_filter = ["region", "division_type"]
    search_fields = ["name", "codename"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "division_type", "province"]
    list_filter = ["division_type", "province"]
    search_fields = ["name", "codename"]
    list_select_related = ["province"]


@admin.register(LegacyCommune)
class LegacyCommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district_name", "province_name", "commune"]
    list_filter = ["province"]
    search_fields = ["name", "district_name", "province_name", "commune__name"]
    list_select_related = ["commune"]
    raw_id_fields = ["commune"]
    filter_horizontal = ["also_in"]
