"""The evidence forms of the matter page: upload (several files, each its own row), correct, withdraw, move."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


class EvidenceEditForm(forms.Form):
    """Correcting one item in place; the service checks the rest (a date after today, a blank title)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    document_date = forms.DateField(
        label=pgettext_lazy("evidence", "Document date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    purpose = forms.CharField(label=_("Purpose of proof"), required=False, max_length=1000)
    source = forms.CharField(label=_("Source"), required=False, max_length=200)
    group = forms.CharField(label=_("Group"), required=False, max_length=40)


class EvidenceWithdrawForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("evidence", "Reason for withdrawal"), max_length=1000)


class EvidenceMoveForm(forms.Form):
    """``direction`` up or down (the ↑ ↓ buttons), or a ``position`` typed in."""

    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")], required=False)
    position = forms.IntegerField(min_value=1, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("direction") and not data.get("position"):
            raise forms.ValidationError(pgettext_lazy("evidence", "Give a position."))
        return data


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


ADMISSION_CHOICES = [("", _("No position taken")), ("true", _("Admitted")), ("false", _("Disputed"))]


class CrossExaminationForm(forms.Form):
    """The other side's cross-examination of one item and our reply, as the page sends it (all fields).

    The service checks the values (the proceeding is the matter's, the date not after
    today, the lengths); this form only reads them into the service's shape.
    """

    proceeding = forms.IntegerField(label=_("Proceeding"), required=False)
    examined_on = forms.DateField(label=_("Examined on"), required=False)
    reply = forms.CharField(label=_("Our reply"), required=False, widget=forms.Textarea)

    POINTS = ("authenticity", "legality", "relevance", "purpose")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for point in self.POINTS:
            self.fields[f"{point}_admitted"] = forms.ChoiceField(choices=ADMISSION_CHOICES, required=False)
            self.fields[f"{point}_opinion"] = forms.CharField(required=False, widget=forms.Textarea)

    def changes(self) -> dict:
        data = self.cleaned_data
        changes = {"proceeding": data["proceeding"], "examined_on": data["examined_on"], "reply": data["reply"]}
        for point in self.POINTS:
            admitted = {"true": True, "false": False}.get(data[f"{point}_admitted"])
            changes[point] = {"admitted": admitted, "opinion": data[f"{point}_opinion"]}
        return changes


class EvidenceSearchForm(forms.Form):
    """The 证据检索 box: the service checks ``q`` (2 to 100 characters) and ``kind``."""

    q = forms.CharField(label=_("Search evidence"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *EvidenceKind.choices])
    withdrawn = forms.ChoiceField(
        label=pgettext_lazy("evidence", "Withdrawn"),
        required=False,
        choices=[("", _("All")), ("false", _("Current only")), ("true", _("Withdrawn only"))],
    )
