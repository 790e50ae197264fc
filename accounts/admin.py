from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, User
from accounts.policies import has_perm


def _admin_site_has_permission(request):
    """Only administrators reach Django admin (the policy decides, not is_staff alone)."""
    user = request.user
    return user.is_active and user.is_staff and has_perm(user, "admin.access")


admin.site.has_permission = _admin_site_has_permission


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "province"]
    list_filter = ["kind", "province__region"]
    search_fields = ["name", "short_name"]
    list_select_related = ["province"]
    autocomplete_fields = ["province"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "role", "agency", "is_active", "last_login"]
    list_filter = ["role", "is_active", "agency__kind", "agency__province"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Agency and role"), {"fields": ("agency", "role", "position", "phone")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Agency and role"), {"fields": ("agency", "role")}),
    )
