from crispy_forms.helper import FormHelper
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
