"""The dashboards' filters (GET): the query string carries them, so a view can be
bookmarked and shared, and the drill-down links pass them on to the đề án list (same
parameter names)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.policies import visible
from core.forms import valid_filters
from core.funding import KC_SOURCES, SOURCE_SHORT
from core.measures import label
from dashboards.selectors import DASHBOARD_YEARS, MAP_MEASURES
from priorities.models import Priority
from programs.models import Activity, Level, Program
from projects.models import Proposal
from reference.models import Province, Region

# The parameters the drill-down passes on to the đề án list (the map measure is not one).
LIST_PARAMETERS = (
    "year_from",
    "year_to",
    "program",
    "region",
    "province",
    "activity",
    "level",
    "kind",
    "source",
    "priority",
)
# What can colour the map, named by core.measures.
MEASURE_LABELS = {
    "rate": label("rate"),
    "approved": label("approved"),
    "count": label("proposals"),
}


def _program_label(program: Program) -> str:
    return f"{program.name} ({program.start_year}–{program.end_year})"


class DashboardFilterForm(forms.Form):
    year_from = forms.TypedChoiceField(label=_("From year"), coerce=int, required=False)
    year_to = forms.TypedChoiceField(label=_("To year"), coerce=int, required=False)
    program = forms.ModelChoiceField(
        label=_("Programme"), queryset=Program.objects.none(), required=False
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False
    )
    activity = forms.ModelChoiceField(
        label=_("Activity"),
        queryset=Activity.objects.filter(parent__isnull=True),
        required=False,
    )
    level = forms.ChoiceField(label=_("Level"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    source = forms.ChoiceField(label=_("Funding source"), required=False)
    # Đề án whose establishments (or which itself) meet the priority (priorities app).
    priority = forms.ModelChoiceField(
        label=_("Priority"), queryset=Priority.objects.all(), required=False
    )
    measure = forms.ChoiceField(label=_("Colour the map by"), required=False)

    def __init__(self, *args, user, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.national = national
        years = [("", _("All"))] + [(y, str(y)) for y in DASHBOARD_YEARS]
        self.fields["year_from"].choices = years
        self.fields["year_to"].choices = years
        self.fields["program"].queryset = visible(user, Program.objects.all()).order_by(
            "-start_year", "level", "province__code"
        )
        self.fields["program"].label_from_instance = _program_label
        self.fields["program"].empty_label = _("All programmes")
        self.fields["region"].empty_label = _("All regions")
        self.fields["province"].empty_label = _("All provinces")
        self.fields["activity"].empty_label = _("All activities")
        self.fields["level"].choices = [("", _("All")), *Level.choices]
        self.fields["kind"].choices = [("", _("All")), *Proposal.Kind.choices]
        # Khuyến công sources only: every dashboard figure and rate is on khuyến công
        # funds (core.measures); counterpart money is shown beside them, never filtered on.
        self.fields["source"].choices = [
            ("", _("All sources")),
            *((s, SOURCE_SHORT[s]) for s in KC_SOURCES),
        ]
        self.fields["priority"].empty_label = _("All proposals")
        self.fields["measure"].choices = [(m, MEASURE_LABELS[m]) for m in MAP_MEASURES]
        if not national:  # a province's dashboard: the place is fixed
            del self.fields["region"]
            del self.fields["province"]
            del self.fields["measure"]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("year_from"), cleaned.get("year_to")
        if first and last and first > last:
            self.add_error("year_to", _("The last year cannot be before the first year."))
        province, region = cleaned.get("province"), cleaned.get("region")
        if province and region and province.region_id != region.pk:
            self.add_error(
                "province",
                _("%(province)s is not in the region %(region)s.")
                % {"province": province.name, "region": region.name},
            )
        return cleaned

    def filters(self) -> dict:
        """The valid filters (a field in error is left out and explained on the page)."""
        return valid_filters(self, exclude=("measure",))

    @property
    def map_measure(self) -> str:
        """What colours the tile map (the disbursement rate unless chosen)."""
        if self.is_bound:
            self.is_valid()
            value = self.cleaned_data.get("measure")
            if value in MAP_MEASURES:
                return value
        return "rate"

    def query(self) -> dict[str, str]:
        """The valid filters as query-string values (ids for objects)."""
        return {
            k: str(getattr(v, "pk", v)) for k, v in self.filters().items() if k in LIST_PARAMETERS
        }
