"""The confirmation of an irreversible action: one mechanism for every workflow table.

Each table (projects.workflow.TRANSITIONS, disbursement.policies.STEP_CONSEQUENCES and
TRANCHE_CONSEQUENCES, cycle.workflow.STEPS, periodic.workflow.STEPS, inspections'
CONSEQUENCES, programs.services.PLAN_TRANSITIONS) carries, beside each irreversible action,
the sentence that says what will happen. The page puts it on the action's form
(``data-confirm``): static/js/confirm.js opens a dialog naming it before the form is sent,
and sends the form with ``confirmed=1`` once the user confirms. The server refuses to act
on a POST without it and answers with a page that names the consequence and asks again
(``confirmation_page``), so the dialog is a convenience, never the guard: a page without
JavaScript, an old form or a script all pass through the same question."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED = "confirmed"
# Fields never carried over to the confirmation form (the token is the page's own).
_NOT_CARRIED = frozenset({"csrfmiddlewaretoken", CONFIRMED})


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRMED) == "1"


def confirmation_page(
    request: HttpRequest, *, label, consequence, back_url: str, status: int = 200
) -> HttpResponse:
    """The page asking to confirm ``label``: what will happen (``consequence``), the same
    fields sent again with ``confirmed=1`` to the same address, and the way back. Files
    cannot be carried over: their fields are asked again."""
    fields = [
        (name, value)
        for name in request.POST
        if name not in _NOT_CARRIED
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "includes/confirm_page.html",
        {
            "label": label,
            "consequence": consequence,
            "fields": fields,
            "files": list(request.FILES),
            "action": request.get_full_path(),
            "back_url": back_url,
        },
        status=status,
    )


def confirmation_required(
    request: HttpRequest, *, label, consequence, back_url: str
) -> HttpResponse | None:
    """For a view about to take an action: None when the action has no consequence to
    confirm or the POST carries the confirmation; otherwise the confirmation page (the
    action is not taken)."""
    if not consequence or is_confirmed(request):
        return None
    return confirmation_page(request, label=label, consequence=consequence, back_url=back_url)
