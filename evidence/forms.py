"""The evidence upload form of the matter page: several files, one kind, purpose and source."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evidence.models import EvidenceKind

MAX_FILES_PER_UPLOAD = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is validated later, by ``evidence.validation``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        if not files:
            raise forms.ValidationError(_("Choose at least one file."))
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(
                _("Upload at most %(count)d files at a time.") % {"count": MAX_FILES_PER_UPLOAD}
            )
        return list(files)


class EvidenceUploadForm(forms.Form):
    files = MultipleFileField(label=_("Files"))
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices, initial=EvidenceKind.OTHER)
    purpose = forms.CharField(label=_("Purpose of proof"), required=False, max_length=1000)
    source = forms.CharField(label=_("Source"), required=False, max_length=200)
    group = forms.CharField(label=_("Group"), required=False, max_length=40)


class EvidenceIdsField(forms.Field):
    """Repeated ``evidence`` inputs, kept in the order sent; each must be a whole number."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        bad = [str(v) for v in values if not str(v).strip().isdigit()]
        if bad:
            raise forms.ValidationError(
                _("Not evidence of this matter: %(ids)s") % {"ids": ", ".join(bad)}
            )
        return [int(v) for v in values]


class BundleForm(forms.Form):
    title = forms.CharField(label=_("Bundle title"), max_length=200, initial=_("Evidence"))
    evidence = EvidenceIdsField(required=False)
