from django import forms
from django.utils.translation import gettext_lazy as _


class HistoryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
