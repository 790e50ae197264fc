"""Form fields shared by every app."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class VNDField(forms.IntegerField):
    """Money in whole đồng. Accepts what people type: "1.250.000", "1 250 000 ₫"."""

    default_error_messages = {
        "invalid": _("Enter an amount in đồng, digits only (e.g. 1.250.000)."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            cleaned = re.sub(r"[\s.₫đ]|VND|vnd|,(?=\d{3}\b)", "", value.strip())
            if cleaned and not re.fullmatch(r"-?\d+", cleaned):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            value = cleaned
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.update({"inputmode": "numeric", "class": "form-control text-end money"})
        return attrs

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return value


class MoneyInput(forms.TextInput):
    input_type = "text"


VNDField.widget = MoneyInput


def service_error_messages(exc: ValidationError) -> list[str]:
    """Every message of a service's ValidationError, field errors included, as a list."""
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's errors next to the fields they name, the rest at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def valid_filters(form, *, exclude=()) -> dict:
    """The filters of a GET form that are valid and not empty. A field in error (a stale or
    foreign id in a bookmarked or shared link) is left out — its error is shown next to it —
    and the other filters still apply."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if value not in (None, "") and name not in form.errors and name not in exclude
    }
