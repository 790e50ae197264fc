from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from priorities.models import Priority


class DeclareForm(forms.Form):
    """Declare one priority (of the basis the page offers) with its evidence."""

    priority = forms.ModelChoiceField(label=_("Priority"), queryset=Priority.objects.none())
    evidence = forms.CharField(label=_("Evidence"), max_length=300, required=False)

    def __init__(self, *args, basis: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = Priority.objects.filter(basis=basis)
