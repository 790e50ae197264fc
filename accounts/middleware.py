"""The second factor, asked for before any page (accounts.twofactor)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect

from accounts import twofactor

# The pages a signed-in user reaches before the second factor.
OPEN = frozenset(
    {"second-factor-setup", "second-factor-verify", "logout", "set_language", "healthz"}
)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None  # a public page (login, report verification)
        match = request.resolver_match
        if match is not None and match.url_name in OPEN:
            return None
        return self._check(request)

    def _check(self, request):
        step = twofactor.needs(request.user)
        if step is None:
            return None
        target = "second-factor-verify" if step == "verify" else "second-factor-setup"
        response = redirect(target)
        response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response
