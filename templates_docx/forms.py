from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TemplateUploadForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60, help_text=_("e.g. complaint_credit_card; a known code gets a new version."))
    name = forms.CharField(label=_("Name"), max_length=200)
    form_version = forms.CharField(label=_("Official form"), max_length=60, required=False)
    effective_from = forms.DateField(label=_("Effective from"), initial=timezone.localdate)
    file = forms.FileField(label=_("DOCX file"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    activate = forms.BooleanField(label=_("Activate after the checks pass"), required=False, initial=True)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith(".docx"):
            raise forms.ValidationError(_("Only .docx files are accepted."))
        return uploaded


class BatchForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"))
    procedure = forms.ChoiceField(
        label=_("Procedure (for the fee total)"),
        choices=[("simplified", _("Simplified procedure (fee halved)")), ("ordinary", _("Ordinary procedure"))],
        initial="simplified",
        widget=forms.RadioSelect,
    )
    bundle = forms.BooleanField(label=_("Build each matter's evidence bundle"), required=False, initial=True)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(template.code, f"{template.name}（v{template.version}）") for template in templates]
