from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.policies import has_perm, is_national

# (label, url name, action, icon). A link shows only to users allowed to follow it;
# later issues add their pages here. The main bar holds the daily work; reference
# material sits in the "Catalogues" menu so the bar fits a 1366-pixel screen.
# The year's cycle: the plans, the calls with their batches and decisions, the councils.
PLANNING = [
    (_("Annual plans"), "plan-list", "plan.view", "calendar3"),
    (_("Annual cycle"), "cycle-home", "cycle.view", "arrow-repeat"),
    (_("Appraisal councils"), "council-list", "council.view", "people"),
]
# The documents: the periodic reports the provinces and the Cục write and send, and the
# documents the portal produces (PDF and Word).
REPORTING = [
    (_("Periodic reports"), "periodic-list", "periodic.view", "journal-richtext"),
    (_("Documents (PDF, Word)"), "report-list", "report.view", "file-earmark-pdf"),
]
# The registers of establishments: the registry and the typical products they won.
REGISTERS = [
    (_("Establishments"), "beneficiary-list", "beneficiary.view", "shop"),
    (_("Typical products"), "typical-round-list", "typical.view", "award"),
]
NAVIGATION = [
    (_("Home"), "home", "home.view", "house"),
    (_("Proposals"), "proposal-list", "proposal.view", "folder2-open"),
    # A menu (label, entries, icon): one entry on the bar, its links in a dropdown.
    (_("Plans"), PLANNING, "calendar3"),
    (_("Establishments"), REGISTERS, "shop"),
    (_("Inspections"), "inspection-list", "inspection.view", "clipboard-check"),
    (_("Reports"), REPORTING, "file-earmark-text"),
    (_("Statistics"), "dashboard-national", "dashboard.view", "bar-chart"),
]
CATALOGUES = [
    (_("Craft villages"), "village-list", "village.view", "houses"),
    (_("Programmes"), "program-list", "program.view", "flag"),
    (_("Legal rules"), "cap-list", "legal.view", "journal-text"),
    (_("Priorities"), "priority-list", "priority.view", "star"),
    (_("Agencies"), "agency-list", "agency.view", "building"),
    (_("Provinces"), "province-list", "reference.view", "map"),
    (_("Records of past years"), "history-list", "history.view", "clock-history"),
]


def _items(request, user, entries):
    current = request.resolver_match.url_name if request.resolver_match else None
    items = []
    for entry in entries:
        if isinstance(entry[1], list):
            label, children, icon = entry
            links = _items(request, user, children)
            if len(links) == 1:
                items.extend(links)  # a menu of one link is that link
            elif links:
                active = any(link["active"] for link in links)
                items.append({"label": label, "icon": icon, "active": active, "children": links})
            continue
        label, name, action, icon = entry
        if has_perm(user, action):
            items.append(
                {"label": label, "url": reverse(name), "icon": icon, "active": current == name}
            )
    return items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    catalogue_items = _items(request, user, CATALOGUES)
    return {
        "nav_items": _items(request, user, NAVIGATION),
        "catalogue_items": catalogue_items,
        "catalogue_active": any(item["active"] for item in catalogue_items),
        "user_is_national": is_national(user),
        "user_can_admin": has_perm(user, "admin.access"),
    }
