"""Forms of the web pages: they validate input; access rules and services do the rest."""

from __future__ import annotations

from html import escape

from django import forms
from django.db import connections
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from legalcase.models import ClosingReason, Forum, LawFirm, Product, Role, Stage, User, display_name
from legalcase.money import MONEY_FIELD, amount_digits

# "All matters matching the filter" never names more matters than this in one job.
BULK_LIMIT = 10_000

NONE = "none"


def firm_choices() -> list[tuple[str, str]]:
    return list_choices()[0]


def owner_choices() -> list[tuple[str, str]]:
    return list_choices()[1]


def list_choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Every firm, by name, and who may own a matter (active in-house counsel and
    administrators), by username: as ``(id, label)`` choices, in one query. The lists that
    offer both (filters, bulk bars) paid a tenth of their Python for two ORM queries
    (bench/matter_list_cpu.py)."""
    firms, owners = [], []
    with connections[LawFirm.objects.db].cursor() as cursor:
        cursor.execute(
            f"SELECT 'f', id, name, '', '' FROM {LawFirm._meta.db_table} UNION ALL "
            f"SELECT 'u', id, username, first_name, last_name FROM {User._meta.db_table} "
            "WHERE is_active AND role IN (%s, %s) ORDER BY 1, 3",
            [Role.COUNSEL, Role.ADMIN],
        )
        for tag, pk, name, first_name, last_name in cursor.fetchall():
            if tag == "f":
                firms.append((str(pk), name))
            else:
                owners.append((str(pk), display_name(name, first_name, last_name)))
    return firms, owners


def _given_or_listed(firms: list | None, owners: list | None) -> tuple[list, list]:
    """The firm and owner choices a view gave, the missing ones read (both in ``list_choices``' one query)."""
    if firms is None or owners is None:
        every_firm, every_owner = list_choices()
        firms = every_firm if firms is None else firms
        owners = every_owner if owners is None else owners
    return firms, owners


class QuickSelect(forms.Select):
    """A flat ``<select>`` written in Python, for the matter list's filter and bulk forms.

    Django renders each option through a template of its own: the list's nine selects cost
    about as much as its fifty rows (bench/matter_list.py). No option groups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        # The options are plain text (lazy labels included), escaped by the standard library's
        # ``html.escape``: ``format_html`` per option was half of the list's bulk bar.
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>{escape(str(label))}</option>'
            for key, label in self.choices
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), mark_safe(options)
        )


class QuickInputMixin:
    """An ``<input>`` written in Python, for the list and worklist forms (``QuickSelect``'s reason):
    Django renders each widget through templates of its own, about 0.3 ms a box."""

    def render(self, name, value, attrs=None, renderer=None):
        # The attributes in the order of Django's own template: type, name, value, the rest.
        value = self.format_value(value)
        head = {"type": self.input_type, "name": name, **({"value": value} if value is not None else {})}
        parts = [
            f" {key}" if item is True else f' {key}="{escape(str(item))}"'
            for key, item in {**head, **self.build_attrs(self.attrs, attrs)}.items()
            if item is not False and item is not None
        ]
        return mark_safe("<input" + "".join(parts) + ">")


class QuickInput(QuickInputMixin, forms.TextInput):
    pass


class QuickDateInput(QuickInputMixin, forms.DateInput):
    pass


class MoneyField(forms.DecimalField):
    """An amount in yuan and fen as people type it: "12000", "12,000.00", "１２，０００．００".

    A text box, not a number box: browsers refuse a thousands separator in
    ``<input type="number">`` before the form is even sent. ``inputmode`` still brings
    up the numeric keypad on a phone. The limits are the money column's (``MONEY_FIELD``).
    """

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**{**MONEY_FIELD, **kwargs})

    def widget_attrs(self, widget) -> dict:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            value = amount_digits(value)  # refuses an ambiguous grouping with its reason
        return super().to_python(value)


class IdListField(forms.Field):
    """A list of ids from repeated inputs; the service checks them against the visible matters."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        try:
            return [int(item) for item in value]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Invalid selection.")) from None


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autofocus=True, autocomplete="username")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class MatterFilterForm(forms.Form):
    """The matter list's filters; an invalid value is dropped rather than refused."""

    q = forms.CharField(label=_("Search"), required=False, max_length=60, widget=QuickInput)
    stage = forms.ChoiceField(label=_("Stage"), required=False, widget=QuickSelect)
    product = forms.ChoiceField(label=_("Product"), required=False, widget=QuickSelect)
    firm = forms.ChoiceField(label=_("Assigned firm"), required=False, widget=QuickSelect)
    owner = forms.ChoiceField(label=_("Owner"), required=False, widget=QuickSelect)

    FIELDS = ("stage", "product", "firm", "owner", "q")

    def __init__(self, *args, firms: list | None = None, owners: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["stage"].choices = every + list(Stage.choices)
        self.fields["product"].choices = every + list(Product.choices)
        firms, owners = _given_or_listed(firms, owners)
        self.fields["firm"].choices = every + [(NONE, _("Not assigned"))] + firms
        self.fields["owner"].choices = every + [(NONE, _("No owner"))] + owners
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs["placeholder"] = _("Name, ID number, phone, last 4 digits, matter or case number")
        self.fields["q"].widget.attrs["title"] = _(
            "Debtor or guarantor name (or its start); full identity number or phone; the account's last 4 digits; "
            "4 or more characters of a matter number; a contract, account or court case number"
        )

    def filters(self) -> dict[str, str]:
        """The valid filters, ready for ``MatterQuerySet.filter_by``."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned[name] for name in self.FIELDS if cleaned.get(name)}


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("New stage"), choices=Stage.choices)
    reason = forms.ChoiceField(
        label=_("Closing reason"), required=False, choices=[("", "—")] + list(ClosingReason.choices)
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class RevealForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. preparing the complaint")}),
    )


class OwnerForm(forms.Form):
    owner = forms.ChoiceField(label=_("Owner"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("No owner"))] + owner_choices()
        self.fields["owner"].widget.attrs["aria-label"] = _("Owner")

    def owner_id(self) -> int | None:
        return int(self.cleaned_data["owner"]) if self.cleaned_data["owner"] else None


class AssignFirmForm(forms.Form):
    firm = forms.ChoiceField(label=_("Law firm"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].choices = [("", "—")] + firm_choices()
        self.fields["firm"].widget.attrs["aria-label"] = _("Law firm")


class ForumForm(forms.Form):
    """The forum by its official name, typed with the help of a list of active forums; blank clears it."""

    # The page writes the input by hand, with a <datalist> of ``forum_names()``.
    forum = forms.CharField(label=_("Court or arbitration commission"), required=False, max_length=200)

    def clean_forum(self) -> int | None:
        """The chosen forum's id, or None to clear it."""
        name = self.cleaned_data["forum"].strip()
        if not name:
            return None
        forum_id = Forum.objects.filter(name=name, active=True).values_list("pk", flat=True).first()
        if forum_id is None:
            raise forms.ValidationError(_("No such court or arbitration commission: choose one from the list."))
        return forum_id


def forum_names() -> list[str]:
    """Active forums' names for the form's list, courts first."""
    return list(Forum.objects.filter(active=True).courts_first().values_list("name", flat=True))


class BulkActionForm(forms.Form):
    """One action over ticked matters, or over every matter matching the list's filters."""

    ACTIONS = {
        "assign_firm": ("assign", _("Assign a firm")),
        "unassign_firm": ("assign", _("End assignment")),
        "set_owner": ("set_owner", _("Set owner")),
        "move_stage": ("move_stage", _("Move stage")),
        # Not a job of its own: the chosen matters go to the batch filing page.
        "batch_filings": ("write_filings", _("Batch filings")),
    }
    SCOPE_SELECTED, SCOPE_ALL = "selected", "all"

    action = forms.ChoiceField(label=_("Action"), widget=QuickSelect)
    scope = forms.ChoiceField(
        label=_("Apply to"),
        choices=[(SCOPE_SELECTED, _("Ticked matters")), (SCOPE_ALL, _("All matters matching the filter"))],
        initial=SCOPE_SELECTED,
        widget=forms.RadioSelect,
    )
    matters = IdListField(label=_("Matters"), required=False)
    bulk_firm = forms.ChoiceField(label=_("Law firm"), required=False, widget=QuickSelect)
    bulk_owner = forms.ChoiceField(label=_("Owner"), required=False, widget=QuickSelect)
    bulk_to = forms.ChoiceField(label=_("New stage"), required=False, widget=QuickSelect)
    bulk_reason = forms.ChoiceField(label=_("Closing reason"), required=False, widget=QuickSelect)

    def __init__(self, *args, actions: list[str], firms: list | None = None, owners: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "—")] + [(name, self.ACTIONS[name][1]) for name in actions]
        firms, owners = _given_or_listed(firms, owners)
        self.fields["bulk_firm"].choices = [("", "—")] + firms
        self.fields["bulk_owner"].choices = [("", "—"), (NONE, _("No owner"))] + owners
        self.fields["bulk_to"].choices = [("", "—")] + list(Stage.choices)
        self.fields["bulk_reason"].choices = [("", "—")] + list(ClosingReason.choices)

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if cleaned.get("scope") == self.SCOPE_SELECTED and not cleaned.get("matters"):
            self.add_error("matters", _("Tick at least one matter."))
        if action == "assign_firm" and not cleaned.get("bulk_firm"):
            self.add_error("bulk_firm", _("Choose a law firm."))
        if action == "set_owner" and not cleaned.get("bulk_owner"):
            self.add_error("bulk_owner", _("Choose an owner."))
        if action == "move_stage":
            if not cleaned.get("bulk_to"):
                self.add_error("bulk_to", _("Choose the new stage."))
            elif cleaned["bulk_to"] == Stage.CLOSED and not cleaned.get("bulk_reason"):
                self.add_error("bulk_reason", _("Closing a matter needs a reason."))
        return cleaned

    def params(self) -> dict:
        """The action's parameters, as ``services.matters_bulk_start`` takes them."""
        action, cleaned = self.cleaned_data["action"], self.cleaned_data
        if action == "assign_firm":
            return {"firm_id": int(cleaned["bulk_firm"])}
        if action == "set_owner":
            return {"owner_id": None if cleaned["bulk_owner"] == NONE else int(cleaned["bulk_owner"])}
        if action == "move_stage":
            return {"to": cleaned["bulk_to"], **({"reason": cleaned["bulk_reason"]} if cleaned["bulk_to"] == Stage.CLOSED else {})}
        return {}


class EscalationImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("A .csv (UTF-8 or GBK) or .xlsx export with the columns of the import table.")
    )
