"""Form fields shared by every app."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def column_range(model, name: str) -> tuple[int | None, int | None]:
    """The smallest and largest whole number the database column of ``model.name`` holds
    (PositiveIntegerField: 0 to 2 147 483 647 on PostgreSQL)."""
    field = model._meta.get_field(name)
    return connection.ops.integer_field_range(field.get_internal_type())


def widest_range() -> tuple[int, int]:
    """The widest whole-number column of the portal (bigint): money and counts."""
    return connection.ops.integer_field_range("BigIntegerField")


def _whole_number_field(field) -> bool:
    return isinstance(field, forms.IntegerField) and not isinstance(
        field, forms.DecimalField | forms.FloatField
    )


def _too_large(high: int) -> str:
    return gettext("This number is too large: at most %(limit)s.") % {
        "limit": f"{high:,}".replace(",", ".")
    }


_too_large_lazy = lazy(_too_large, str)


def limit_to_range(field, low: int | None, high: int | None) -> None:
    """Narrow a whole-number form field to [low, high] (a bound it already has that is
    tighter stays), with a message beside the field rather than a database error."""
    if high is not None and (field.max_value is None or field.max_value > high):
        field.max_value = high
        field.validators.append(
            # Translated when shown (VNDField is built when its module is imported).
            MaxValueValidator(high, message=_too_large_lazy(high))
        )
    if low is not None and (field.min_value is None or field.min_value < low):
        field.min_value = low
        field.validators.append(MinValueValidator(low))


class DatabaseBoundsMixin:
    """Every whole-number field of the form refuses what its database column cannot hold,
    with a message beside the field, instead of "bigint out of range" (a 500) on save.

    ``db_model``: a model whose fields of the same name bound this form's (a form built
    with ``fields_for_model``). ``db_columns``: form field name -> (model, field name); a
    name ending in "*" covers every field it begins (``target_*``, one per indicator). A
    whole-number field named nowhere is held to bigint, the widest column of the portal.
    Applied in ``full_clean``, so fields added in ``__init__`` are covered."""

    db_model = None
    db_columns: dict = {}

    def _column_range(self, name: str):
        if self.db_model is not None:
            model_fields = {f.name for f in self.db_model._meta.get_fields()}
            if name in model_fields:
                return column_range(self.db_model, name)
        for pattern, (model, field_name) in self.db_columns.items():
            if name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1])):
                return column_range(model, field_name)
        return widest_range()

    def full_clean(self):
        for name, field in self.fields.items():
            if _whole_number_field(field):
                limit_to_range(field, *self._column_range(name))
        super().full_clean()


class VNDField(forms.IntegerField):
    """Money in whole đồng. Accepts what people type: "1.250.000", "1 250 000 ₫"."""

    default_error_messages = {
        "invalid": _("Enter an amount in đồng, digits only (e.g. 1.250.000)."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(*args, **kwargs)
        # Money is a bigint column everywhere (whole đồng).
        limit_to_range(self, None, widest_range()[1])

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


def refusal_message(request, exc: ValidationError) -> None:
    """A refused action, as one message on the next page: that it was not done, and why
    (every reason the service gave, in its words)."""
    from django.contrib import messages

    messages.error(
        request,
        gettext("The action was not done: %(reasons)s")
        % {"reasons": " ".join(service_error_messages(exc))},
    )


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
