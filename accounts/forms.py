from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        # AuthenticationForm sets max_length after the field is built, so it is not checked:
        # a longer name reached the backends and django-axes, which failed to record it (a
        # 500). Checked here, a name no account can have is a form error and nothing more.
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class SecondFactorForm(forms.Form):
    """A six-digit code from the authenticator app, or an eight-digit backup code."""

    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "form-control form-control-lg text-center",
            }
        ),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("Enter the digits only."))
        return token
