from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.policies import has_perm, is_national

# (label, url name, action, icon). A link shows only to users allowed to follow it;
# later issues add their pages here.
NAVIGATION = [
    (_("Home"), "home", "home.view", "house"),
    (_("Agencies"), "agency-list", "agency.view", "building"),
    (_("Provinces"), "province-list", "reference.view", "map"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {
            "label": label,
            "url": reverse(name),
            "icon": icon,
            "active": request.resolver_match is not None
            and request.resolver_match.url_name == name,
        }
        for label, name, action, icon in NAVIGATION
        if has_perm(user, action)
    ]
    return {
        "nav_items": items,
        "user_is_national": is_national(user),
        "user_can_admin": has_perm(user, "admin.access"),
    }
