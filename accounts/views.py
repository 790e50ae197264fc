from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import DetailView, ListView

from accounts import selectors, twofactor
from accounts.filters import AgencyFilterSet
from accounts.forms import LoginForm, SecondFactorForm
from accounts.models import Agency
from accounts.policies import PolicyMixin
from core.http import safe_next
from core.lists import FilteredListMixin


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lockout_limit"] = settings.AXES_FAILURE_LIMIT
        context["lockout_minutes"] = round(settings.AXES_COOLOFF_TIME * 60)
        return context


class AgencyListView(PolicyMixin, FilteredListMixin, ListView):
    permission = "agency.view"
    model = Agency
    template_name = "accounts/agency_list.html"
    filterset_class = AgencyFilterSet

    def get_queryset(self):
        return selectors.agency_list(user=self.request.user)


class AgencyDetailView(PolicyMixin, DetailView):
    permission = "agency.view"
    model = Agency
    template_name = "accounts/agency_detail.html"

    def get_queryset(self):
        return selectors.agency_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = selectors.agency_users(user=self.request.user, agency=self.object)
        return context


# --- The second factor (accounts.twofactor) -------------------------------------------------


def _next(request) -> str:
    return safe_next(request, "/")


class SecondFactorSetupView(View):
    """Enrolment: scan the QR code (or type the secret), enter the first code; then the
    backup codes are shown once."""

    template_name = "accounts/second_factor_setup.html"

    def page(self, request, form, status=200):
        device = twofactor.pending_device(request.user)
        context = {
            "form": form,
            "qr": twofactor.qr_data_uri(device),
            "secret": twofactor.secret_text(device),
            "next": _next(request),
            "required": twofactor.required(request.user),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        if twofactor.enrolled(request.user):
            return redirect("second-factor-verify")
        return self.page(request, SecondFactorForm())

    def post(self, request):
        if twofactor.enrolled(request.user):
            return redirect("second-factor-verify")
        form = SecondFactorForm(request.POST)
        if form.is_valid():
            error = twofactor.confirm(
                request, twofactor.pending_device(request.user), form.cleaned_data["token"]
            )
            if error is None:
                codes = twofactor.new_backup_codes(request.user)
                return render(
                    request,
                    "accounts/second_factor_backup_codes.html",
                    {"codes": codes, "next": _next(request)},
                )
            form.add_error("token", error)
        return self.page(request, form, status=400)


class SecondFactorVerifyView(View):
    """Sign-in, after the password: a code from the app, or a backup code."""

    template_name = "accounts/second_factor_verify.html"

    def get(self, request):
        if not twofactor.enrolled(request.user):
            return redirect("second-factor-setup")
        return render(
            request, self.template_name, {"form": SecondFactorForm(), "next": _next(request)}
        )

    def post(self, request):
        form = SecondFactorForm(request.POST)
        if form.is_valid():
            error = twofactor.verify(request, form.cleaned_data["token"])
            if error is None:
                return redirect(_next(request))
            form.add_error("token", error)
        context = {"form": form, "next": _next(request)}
        return render(request, self.template_name, context, status=400)


class BackupCodesView(View):
    """New backup codes for a signed-in, verified user (the old ones stop working)."""

    def post(self, request):
        if not request.user.is_verified():
            return redirect("second-factor-verify")
        codes = twofactor.new_backup_codes(request.user)
        return render(
            request, "accounts/second_factor_backup_codes.html", {"codes": codes, "next": "/"}
        )
