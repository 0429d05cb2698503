"""The matter page's record section (案件要素): correcting and completing the parties, the debt's
terms, the amounts, the guarantees and the assignment's lawyers in place; and the small pages
for the creditor's filing details and a law firm's address.

The forms parse; the services of ``legalcase.services.record`` decide, as for the API.
Personal data is shown masked: an address, an identity number or a birth date is never put
back into a form; its box shows the masked value and typing replaces it (left empty, the
stored value stays).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from legalcase.access import access_matter, can
from legalcase.forms import MoneyField
from legalcase.identity import mask_address, mask_phone
from legalcase.models import (
    AmountStatement,
    Creditor,
    Debt,
    Guarantee,
    LawFirm,
    Matter,
    Party,
    PartyPhone,
    Role,
)
from legalcase.safetext import validate_name
from legalcase.services.record import (
    RecordConflict,
    amounts_restate,
    assignment_lawyers_set,
    creditor_update,
    debt_terms_update,
    firm_update,
    guarantee_update,
    party_update,
)
from legalcase.views.sections import add_service_errors, date_input, section_form_post

STATEMENTS_SHOWN = 20


# --- Forms ------------------------------------------------------------------------------


def _text(label, max_length: int, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=max_length, **kwargs)


# Fields whose stored value is masked on the page: a blank box keeps it.
MASKED_PARTY_FIELDS = ("id_number", "birth_date", "address", "habitual_residence", "service_address")


class PartyForm(forms.Form):
    """A party's details; the masked ones are typed again to change them (blank keeps them)."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, validators=[validate_name])
    id_number = _text(gettext_lazy("Identity number"), 18)
    gender = forms.ChoiceField(
        label=gettext_lazy("Gender"), required=False, choices=[("", "—"), *Party.Gender.choices]
    )
    birth_date = forms.DateField(label=gettext_lazy("Birth date"), required=False, widget=date_input())
    ethnicity = _text(gettext_lazy("Ethnicity"), 20, widget=forms.TextInput(attrs={"placeholder": "汉族"}))
    workplace = _text(gettext_lazy("Work unit"), 200)
    position = _text(gettext_lazy("Position"), 100)
    address = _text(gettext_lazy("Domicile (住所地)"), 300)
    habitual_residence = _text(gettext_lazy("Habitual residence"), 300)
    service_address = _text(gettext_lazy("Agreed address for service"), 300)
    representative = _text(gettext_lazy("Legal representative"), 100)
    representative_title = _text(
        gettext_lazy("Representative's title"), 50, widget=forms.TextInput(attrs={"placeholder": "法定代表人"})
    )

    def __init__(self, *args, party: Party, may_correct_identity: bool, **kwargs):
        initial = {
            name: getattr(party, name)
            for name in self.base_fields
            if name not in MASKED_PARTY_FIELDS
        }
        super().__init__(*args, initial=initial, auto_id=f"party-{party.pk}-%s", **kwargs)
        self.party = party
        masked = {
            "id_number": party.masked_id_number,
            "birth_date": "****-**-**" if party.birth_date else "",
            "address": mask_address(party.address),
            "habitual_residence": mask_address(party.habitual_residence),
            "service_address": mask_address(party.service_address),
        }
        for name, shown in masked.items():
            if shown:
                self.fields[name].widget.attrs["placeholder"] = shown
                self.fields[name].help_text = _("Recorded: %(value)s. Type the full value to replace it.") % {
                    "value": shown
                }
        if not may_correct_identity or party.kind != Party.Kind.PERSON:
            del self.fields["id_number"]
        if party.kind == Party.Kind.PERSON:
            del self.fields["representative"], self.fields["representative_title"]
        else:
            for name in ("gender", "birth_date", "ethnicity", "position"):
                del self.fields[name]

    def changes(self) -> dict:
        changed = {}
        for name in self.fields:
            value = self.cleaned_data[name]
            if name in MASKED_PARTY_FIELDS:
                if value not in (None, ""):
                    changed[name] = value
            elif name in self.changed_data:
                changed[name] = value
        return changed


class PhonesForm(forms.Form):
    """The party's numbers: each stored one's status (or removal), and one new number."""

    new_number = _text(gettext_lazy("Add a number"), 30)
    new_status = forms.ChoiceField(
        label=gettext_lazy("Its status"), choices=PartyPhone.Status.choices, initial=PartyPhone.Status.OK
    )

    def __init__(self, *args, party: Party, **kwargs):
        super().__init__(*args, auto_id=f"phones-{party.pk}-%s", **kwargs)
        self.phones = list(party.phones.all())
        for phone in self.phones:
            self.fields[f"status_{phone.pk}"] = forms.ChoiceField(
                label=phone.masked_number, choices=PartyPhone.Status.choices, initial=phone.status
            )
            self.fields[f"remove_{phone.pk}"] = forms.BooleanField(label=_("Remove"), required=False)

    def rows(self):
        return [(phone, self[f"status_{phone.pk}"], self[f"remove_{phone.pk}"]) for phone in self.phones]

    def phones_given(self) -> list[dict]:
        given = [
            {"id": phone.pk, "status": self.cleaned_data[f"status_{phone.pk}"]}
            for phone in self.phones
            if not self.cleaned_data[f"remove_{phone.pk}"]
        ]
        if self.cleaned_data["new_number"].strip():
            given.append({"number": self.cleaned_data["new_number"], "status": self.cleaned_data["new_status"]})
        return given


PERCENT = Decimal(100)


class DebtTermsForm(forms.Form):
    contract_number = _text(gettext_lazy("Contract number"), 60)
    contract_date = forms.DateField(label=gettext_lazy("Contract date"), required=False, widget=date_input())
    loan_amount = MoneyField(label=gettext_lazy("Loan amount or credit limit"), required=False, min_value=0)
    disbursed_on = forms.DateField(
        label=gettext_lazy("Disbursed or card issued on"), required=False, widget=date_input()
    )
    term_ends_on = forms.DateField(label=gettext_lazy("Agreed maturity"), required=False, widget=date_input())
    repayment_method = forms.ChoiceField(
        label=gettext_lazy("Repayment method"), required=False, choices=[("", "—"), *Debt.RepaymentMethod.choices]
    )
    branch = _text(gettext_lazy("Issuing or lending branch"), 200)
    annual_interest_rate = forms.DecimalField(
        label=gettext_lazy("Annual interest rate (%)"), required=False, min_value=0, max_digits=9, decimal_places=4
    )
    penalty_rate = forms.DecimalField(
        label=gettext_lazy("Penalty rate (%)"), required=False, min_value=0, max_digits=9, decimal_places=4
    )
    compound_rate = forms.DecimalField(
        label=gettext_lazy("Compound rate (%)"), required=False, min_value=0, max_digits=9, decimal_places=4
    )
    day_count = forms.TypedChoiceField(
        label=gettext_lazy("Day count"), choices=[(360, "360"), (365, "365")], coerce=int
    )

    RATES = ("annual_interest_rate", "penalty_rate", "compound_rate")

    def __init__(self, *args, debt: Debt, **kwargs):
        initial = {name: getattr(debt, name) for name in self.base_fields}
        for name in self.RATES:
            value = getattr(debt, name)
            initial[name] = (value * PERCENT).normalize() if value is not None else None
        super().__init__(*args, initial=initial, auto_id="debt-%s", **kwargs)
        if debt.product == "credit_card":
            self.fields["loan_amount"].label = _("Credit limit")
            self.fields["disbursed_on"].label = _("Card issued on")

    def changes(self) -> dict:
        changes, rates = {}, {}
        for name in self.changed_data:
            value = self.cleaned_data[name]
            if name in self.RATES:
                rates[name] = None if value is None else value / PERCENT
            elif name == "day_count":
                rates[name] = value
            else:
                changes[name] = value
        if rates:
            changes["rates"] = rates
        return changes


class AmountsForm(forms.Form):
    as_of = forms.DateField(label=gettext_lazy("Amounts as of"), widget=date_input())
    principal = MoneyField(label=gettext_lazy("Principal"), min_value=0)
    interest = MoneyField(label=gettext_lazy("Interest"), required=False, min_value=0)
    penalty_interest = MoneyField(label=gettext_lazy("Penalty interest"), required=False, min_value=0)
    compound_interest = MoneyField(label=gettext_lazy("Compound interest"), required=False, min_value=0)
    late_fees = MoneyField(label=gettext_lazy("Late fees"), required=False, min_value=0)
    fees = MoneyField(label=gettext_lazy("Fees"), required=False, min_value=0)
    repaid_principal = MoneyField(label=gettext_lazy("Principal repaid"), required=False, min_value=0)
    repaid_interest = MoneyField(label=gettext_lazy("Interest repaid"), required=False, min_value=0)
    interest_paid_to = forms.DateField(label=gettext_lazy("Interest paid up to"), required=False, widget=date_input())

    def changes(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class GuaranteeForm(forms.Form):
    guarantee_signed_on = forms.DateField(
        label=gettext_lazy("Guarantee signed on"), required=False, widget=date_input()
    )
    guarantee_type = forms.ChoiceField(label=gettext_lazy("Guarantee type"), choices=Guarantee.Type.choices)
    guarantee_agreed_period = _text(
        gettext_lazy("Agreed guarantee period"),
        200,
        widget=forms.TextInput(attrs={"placeholder": "主债务履行期限届满之日起三年"}),
    )
    guarantee_period_ends_on = forms.DateField(
        label=gettext_lazy("Guarantee period ends on"), required=False, widget=date_input()
    )

    def __init__(self, *args, guarantee: Guarantee, **kwargs):
        initial = {name: getattr(guarantee, name) for name in self.base_fields}
        super().__init__(*args, initial=initial, auto_id=f"guarantee-{guarantee.guarantor_id}-%s", **kwargs)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class LawyersForm(forms.Form):
    """Up to two lawyers; a phone is shown masked, so a blank phone keeps the one recorded for that licence."""

    name_1 = _text(gettext_lazy("Lawyer"), 100, validators=[validate_name])
    licence_number_1 = _text(gettext_lazy("Licence number"), 40, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    phone_1 = _text(gettext_lazy("Phone"), 30)
    name_2 = _text(gettext_lazy("Second lawyer"), 100, validators=[validate_name])
    licence_number_2 = _text(
        gettext_lazy("Licence number"), 40, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    phone_2 = _text(gettext_lazy("Phone"), 30)

    def __init__(self, *args, lawyers: list, **kwargs):
        initial = {}
        self.stored_phones = {lawyer.licence_number: lawyer.phone for lawyer in lawyers}
        for n, lawyer in enumerate(lawyers, start=1):
            initial[f"name_{n}"] = lawyer.name
            initial[f"licence_number_{n}"] = lawyer.licence_number
        super().__init__(*args, initial=initial, auto_id="lawyers-%s", **kwargs)
        for n, lawyer in enumerate(lawyers, start=1):
            if lawyer.phone:
                self.fields[f"phone_{n}"].widget.attrs["placeholder"] = mask_phone(lawyer.phone)

    def lawyers(self) -> list[dict]:
        given = []
        for n in (1, 2):
            name = self.cleaned_data[f"name_{n}"].strip()
            licence = self.cleaned_data[f"licence_number_{n}"].strip()
            phone = self.cleaned_data[f"phone_{n}"].strip()
            if not (name or licence or phone):
                continue
            given.append({"name": name, "licence_number": licence, "phone": phone or self.stored_phones.get(licence, "")})
        return given


class CreditorForm(forms.Form):
    address = _text(gettext_lazy("Address"), 300)
    representative = _text(gettext_lazy("Legal representative"), 100)
    representative_title = _text(
        gettext_lazy("Representative's title"), 50, widget=forms.TextInput(attrs={"placeholder": "负责人"})
    )
    service_phone = _text(gettext_lazy("Service phone"), 30)


class FirmForm(forms.Form):
    address = _text(gettext_lazy("Address"), 300)
    phone = _text(gettext_lazy("Phone"), 30)


# --- The section -----------------------------------------------------------------------


def _parties(matter: Matter) -> list[tuple[str, Party, Guarantee | None]]:
    debt = matter.debt
    rows = [(_("Debtor"), debt.debtor, None)]
    for guarantee in debt.guarantees.select_related("guarantor").order_by("id"):
        rows.append((_("Guarantor"), guarantee.guarantor, guarantee))
    return rows


def record_section_response(
    request: HttpRequest, matter: Matter, *, failed: tuple[str, int | None, forms.Form] | None = None, notice: str = ""
) -> HttpResponse:
    """The section; ``failed`` is (form kind, party id or None, the bound form) to show its errors open."""
    user = request.user
    may_write = can(user, "write_record")
    may_identity = can(user, "correct_identity")
    debt = Debt.objects.select_related("creditor").get(pk=matter.debt_id)
    matter.debt = debt
    assignment = matter.assignments.filter(ended_at__isnull=True).select_related("firm").first()
    lawyers = list(assignment.lawyers.order_by("position")) if assignment else []

    def form_of(kind: str, key, make):
        if failed and failed[0] == kind and failed[1] == key:
            return failed[2]
        return make() if may_write or kind == "lawyers" else None

    parties = []
    for role, party, guarantee in _parties(matter):
        parties.append(
            {
                "role": role,
                "party": party,
                "guarantee": guarantee,
                "phones": list(party.phones.all()),
                "party_form": form_of("party", party.pk, lambda p=party: PartyForm(party=p, may_correct_identity=may_identity)),
                "phones_form": form_of("phones", party.pk, lambda p=party: PhonesForm(party=p)),
                "guarantee_form": form_of("guarantee", party.pk, lambda g=guarantee: GuaranteeForm(guarantee=g))
                if guarantee
                else None,
                "open": bool(failed and failed[1] == party.pk),
            }
        )
    statements = list(
        AmountStatement.objects.filter(debt=debt).select_related("created_by").order_by("-as_of", "-id")[:STATEMENTS_SHOWN]
    )
    may_lawyers = bool(assignment) and can(user, "set_lawyers")
    context = {
        "matter": matter,
        "debt": debt,
        "parties": parties,
        "may_write": may_write,
        "debt_form": form_of("debt", None, lambda: DebtTermsForm(debt=debt)),
        "amounts_form": form_of("amounts", None, lambda: AmountsForm(auto_id="amounts-%s")),
        "statements": statements,
        "assignment": assignment,
        "lawyers": lawyers,
        "lawyers_form": form_of("lawyers", None, lambda: LawyersForm(lawyers=lawyers)) if may_lawyers else None,
        "may_edit_creditor": can(user, "correct_creditor"),
        "may_edit_firm": bool(assignment)
        and can(user, "correct_firm")
        and (user.role != Role.LAWYER or user.firm_id == assignment.firm_id),
        "failed_kind": failed[0] if failed else "",
        "notice": notice,
    }
    return render(request, "legalcase/record_section.html", context)


@login_required
@require_GET
def record_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    return record_section_response(request, access_matter(request.user, matter_id))


def _post(request, matter, kind: str, key, form, act, done: str) -> HttpResponse:
    return section_form_post(
        request,
        matter,
        form,
        act,
        done=done,
        conflicts=(RecordConflict,),
        section=lambda ok, notice: record_section_response(
            request, matter, failed=None if ok else (kind, key, form), notice=notice
        ),
    )


def _matter_party(matter: Matter, party_id: int) -> Party:
    for _role, party, _guarantee in _parties(matter):
        if party.pk == party_id:
            return party
    raise Http404("party not found")


@login_required
@require_POST
def record_party_post(request: HttpRequest, matter_id: int, party_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_record")
    party = _matter_party(matter, party_id)
    form = PartyForm(request.POST, party=party, may_correct_identity=can(request.user, "correct_identity"))

    def act(_data):
        party_update(user=request.user, matter_id=matter.pk, party_id=party.pk, **form.changes())

    return _post(request, matter, "party", party.pk, form, act, _("Party details saved."))


@login_required
@require_POST
def record_phones_post(request: HttpRequest, matter_id: int, party_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_record")
    party = _matter_party(matter, party_id)
    form = PhonesForm(request.POST, party=party)

    def act(_data):
        party_update(user=request.user, matter_id=matter.pk, party_id=party.pk, phones=form.phones_given())

    return _post(request, matter, "phones", party.pk, form, act, _("Phone numbers saved."))


@login_required
@require_POST
def record_debt_post(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_record")
    form = DebtTermsForm(request.POST, debt=matter.debt)

    def act(_data):
        changes = form.changes()
        rates = changes.get("rates", {})
        try:
            debt_terms_update(user=request.user, matter_id=matter.pk, **changes)
        except ValidationError as exc:
            # The service names a rate inside ``rates``; the page has a box per rate.
            if hasattr(exc, "error_dict") and "rates" in exc.message_dict and rates:
                raise ValidationError({name: exc.message_dict["rates"] for name in rates}) from None
            raise

    return _post(request, matter, "debt", None, form, act, _("Debt terms saved."))


@login_required
@require_POST
def record_amounts_post(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_record")
    form = AmountsForm(request.POST, auto_id="amounts-%s")

    def act(_data):
        amounts_restate(user=request.user, matter_id=matter.pk, **form.changes())

    return _post(request, matter, "amounts", None, form, act, _("New statement of amounts saved."))


@login_required
@require_POST
def record_guarantee_post(request: HttpRequest, matter_id: int, party_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_record")
    guarantee = matter.debt.guarantees.filter(guarantor_id=party_id).first()
    if guarantee is None:
        raise Http404("guarantee not found")
    form = GuaranteeForm(request.POST, guarantee=guarantee)

    def act(_data):
        guarantee_update(user=request.user, matter_id=matter.pk, party_id=party_id, **form.changes())

    return _post(request, matter, "guarantee", party_id, form, act, _("Guarantee saved."))


@login_required
@require_POST
def record_lawyers_post(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="set_lawyers")
    assignment = matter.assignments.filter(ended_at__isnull=True).first()
    form = LawyersForm(request.POST, lawyers=list(assignment.lawyers.order_by("position")) if assignment else [])

    def act(_data):
        assignment_lawyers_set(user=request.user, matter_id=matter.pk, lawyers=form.lawyers())

    return _post(request, matter, "lawyers", None, form, act, _("Lawyers saved."))


# --- The creditor's and the firm's small pages --------------------------------------------


def _edit_page(request, *, obj, form_class, fields, act, title: str, back: str, template_context: dict):
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                act(changes)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(request.get_full_path())
    else:
        form = form_class(initial={name: getattr(obj, name) for name in fields})
    return render(
        request,
        "legalcase/record_edit.html",
        {"form": form, "title": title, "back": back, "object": obj, **template_context},
    )


def _back(request: HttpRequest) -> str:
    """Where to go back to: the matter the page was opened from (``?matter=``), if the user sees it."""
    matter_id = request.GET.get("matter", "")
    if matter_id.isdigit():
        try:
            return reverse("matter_detail", args=[access_matter(request.user, matter_id).pk])
        except (Http404, PermissionDenied):
            pass
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def creditor_edit(request: HttpRequest, creditor_id: int) -> HttpResponse:
    """The creditor's filing details (legal representative and title, address, service phone); counsel and admins."""
    if not can(request.user, "correct_creditor"):
        raise PermissionDenied(_("Only in-house counsel and administrators change a creditor's details."))
    creditor = Creditor.objects.filter(pk=creditor_id).first()
    if creditor is None:
        raise Http404("creditor not found")
    return _edit_page(
        request,
        obj=creditor,
        form_class=CreditorForm,
        fields=CreditorForm.base_fields,
        act=lambda changes: creditor_update(user=request.user, creditor_id=creditor.pk, **changes),
        title=_("Creditor's filing details"),
        back=_back(request),
        template_context={"subtitle": f"{creditor.name} · {creditor.uscc}"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def firm_edit(request: HttpRequest, firm_id: int) -> HttpResponse:
    """A law firm's address and phone, as filings print them; counsel, admins, and the firm's own lawyers."""
    firm = LawFirm.objects.filter(pk=firm_id).first()
    if firm is None:
        raise Http404("firm not found")
    if not can(request.user, "correct_firm") or (
        request.user.role == Role.LAWYER and request.user.firm_id != firm.pk
    ):
        raise PermissionDenied(_("A lawyer changes only their own firm's details."))
    return _edit_page(
        request,
        obj=firm,
        form_class=FirmForm,
        fields=FirmForm.base_fields,
        act=lambda changes: firm_update(user=request.user, firm_id=firm.pk, **changes),
        title=_("Law firm's details"),
        back=_back(request),
        template_context={"subtitle": firm.name},
    )
