"""Portfolios (资产包), the transfer of their claims, and the matter page's creditor chain section.

The portfolio pages are the creditor's business (``transfer_claims``: counsel, asset
managers, administrators; an outside lawyer gets 403); the chain section is open to
anyone who can see the matter. Forms only parse; the services decide, and an error is
shown next to its field with nothing stored. After a transfer the result page offers
the two batches the transfer calls for, handing the matters to the filings app's batch
page the way the matter list does (``BATCH_SELECTION_KEY``: legalcase does not import
templates_docx).
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from legalcase.access import access_matter, can, require, visible_matters
from legalcase.models import Matter, PortfolioTransfer
from legalcase.services.transfers import (
    claim_chain,
    enforcement_under_way,
    portfolio_add_matters,
    portfolio_create,
    portfolio_get,
    portfolio_transfer,
    portfolios_with_totals,
    recovery_rate,
    transfer_matter_ids,
)
from legalcase.views.matters import BATCH_SELECTION_KEY
from legalcase.views.sections import add_service_errors, date_input

PAGE_SIZE = 50
# The two batches a transfer calls for: the template code and whose matters it takes.
BATCHES = ("transfer_notice", "change_of_applicant")
NUMBER_SEPARATORS = re.compile(r"[\s,，、;；]+")


# --- Forms: they parse; the services decide -----------------------------------------


class PortfolioForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AddMattersForm(forms.Form):
    numbers = forms.CharField(
        label=gettext_lazy("Matter numbers"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "FS-2026-000001\nFS-2026-000002"}),
        help_text=gettext_lazy("One or more matter numbers, separated by new lines, spaces or commas."),
    )

    def clean_numbers(self) -> list[str]:
        numbers = [n.upper() for n in NUMBER_SEPARATORS.split(self.cleaned_data["numbers"]) if n]
        if not numbers:
            raise forms.ValidationError(_("Give at least one matter number."))
        return list(dict.fromkeys(numbers))


class TransferForm(forms.Form):
    to_creditor_name = forms.CharField(label=gettext_lazy("Assignee"), max_length=200)
    to_creditor_uscc = forms.CharField(label=gettext_lazy("Assignee's unified social credit code"), max_length=18)
    to_creditor_address = forms.CharField(label=gettext_lazy("Assignee's address"), max_length=300, required=False)
    to_creditor_representative = forms.CharField(
        label=gettext_lazy("Assignee's legal representative"), max_length=100, required=False
    )
    effective_on = forms.DateField(
        label=gettext_lazy("Creditor from"),
        widget=date_input(),
        help_text=gettext_lazy("The day the assignee becomes the creditor, as the agreement says."),
    )
    agreement = forms.CharField(
        label=gettext_lazy("Assignment agreement (name and number)"),
        max_length=200,
        help_text=gettext_lazy("e.g. 《债权转让协议》（编号：ZR-2026-001）"),
    )
    newspaper = forms.CharField(
        label=gettext_lazy("Newspaper"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Where the 债权转让暨催收公告 was published, if it was."),
    )
    announced_on = forms.DateField(
        label=gettext_lazy("Announced on"),
        required=False,
        widget=date_input(),
        help_text=gettext_lazy("The announcement notifies the debtors and interrupts limitation."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "to_creditor": {
                "name": data["to_creditor_name"],
                "uscc": data["to_creditor_uscc"],
                "address": data["to_creditor_address"],
                "representative": data["to_creditor_representative"],
            },
            "effective_on": data["effective_on"],
            "agreement": data["agreement"],
            "newspaper": data["newspaper"],
            "announced_on": data["announced_on"],
            "note": data["note"],
        }


# --- Portfolios -----------------------------------------------------------------------


def _with_rate(portfolio):
    portfolio.rate = recovery_rate(portfolio)
    return portfolio


@login_required
@require_GET
def portfolio_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "transfer_claims")
    return _portfolio_list_page(request, PortfolioForm(auto_id="portfolio-new-%s"))


def _portfolio_list_page(request: HttpRequest, form: PortfolioForm, *, failed: bool = False) -> HttpResponse:
    page = Paginator(portfolios_with_totals().order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    for portfolio in page.object_list:
        _with_rate(portfolio)
    context = {"nav": "portfolios", "page": page, "form": form, "failed": failed}
    return render(request, "legalcase/portfolio_list.html", context)


@login_required
@require_POST
def portfolio_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "transfer_claims")
    form = PortfolioForm(request.POST, auto_id="portfolio-new-%s")
    if form.is_valid():
        try:
            portfolio = portfolio_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Portfolio created."))
            return redirect("portfolio_detail", portfolio_id=portfolio.pk)
    return _portfolio_list_page(request, form, failed=True)


def _portfolio_detail_page(request: HttpRequest, portfolio_id: int, *, add_form: AddMattersForm | None = None):
    portfolio = _with_rate(portfolios_with_totals().get(pk=portfolio_get(portfolio_id).pk))
    matters = visible_matters(request.user).filter(debt__portfolio=portfolio).for_list().order_by("number")
    page = Paginator(matters, PAGE_SIZE).get_page(request.GET.get("page"))
    transfers = portfolio.transfers.select_related("from_creditor", "to_creditor", "created_by").order_by(
        "-effective_on", "-id"
    )
    context = {
        "nav": "portfolios",
        "portfolio": portfolio,
        "page": page,
        "transfers": list(transfers),
        "add_form": add_form or AddMattersForm(auto_id="portfolio-add-%s"),
        "add_failed": add_form is not None,
    }
    return render(request, "legalcase/portfolio_detail.html", context)


@login_required
@require_GET
def portfolio_detail(request: HttpRequest, portfolio_id: int) -> HttpResponse:
    require(request.user, "transfer_claims")
    return _portfolio_detail_page(request, portfolio_id)


@login_required
@require_POST
def portfolio_add_matters_view(request: HttpRequest, portfolio_id: int) -> HttpResponse:
    """Add matters by number; a number unknown or not visible refuses the whole list, naming it."""
    require(request.user, "transfer_claims")
    portfolio = portfolio_get(portfolio_id)
    form = AddMattersForm(request.POST, auto_id="portfolio-add-%s")
    if form.is_valid():
        numbers = form.cleaned_data["numbers"]
        found = dict(visible_matters(request.user).filter(number__in=numbers).values_list("number", "pk"))
        unknown = [number for number in numbers if number not in found]
        if unknown:
            form.add_error("numbers", _("No matter you can see has these numbers: %(numbers)s") % {
                "numbers": ", ".join(unknown)
            })  # fmt: skip
        else:
            try:
                added = portfolio_add_matters(
                    user=request.user, portfolio_id=portfolio.pk, matter_ids=[found[n] for n in numbers]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(count)s matters added to the portfolio.") % {"count": len(added)})
                return redirect("portfolio_detail", portfolio_id=portfolio.pk)
    return _portfolio_detail_page(request, portfolio.pk, add_form=form)


# --- Transfers ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def portfolio_transfer_view(request: HttpRequest, portfolio_id: int) -> HttpResponse:
    require(request.user, "transfer_claims")
    portfolio = portfolio_get(portfolio_id)
    form = TransferForm(request.POST or None, auto_id="transfer-%s")
    if request.method == "POST" and form.is_valid():
        try:
            result = portfolio_transfer(user=request.user, portfolio_id=portfolio.pk, **form.service_arguments())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(count)s claims transferred to %(assignee)s.")
                % {"count": len(result.matter_ids), "assignee": result.transfer.to_creditor.name},
            )
            return redirect("portfolio_transfer_result", portfolio_id=portfolio.pk, transfer_id=result.transfer.pk)
    matters = visible_matters(request.user).filter(debt__portfolio=portfolio)
    context = {
        "nav": "portfolios",
        "portfolio": portfolio,
        "form": form,
        "matter_count": matters.count(),
        "holders": sorted(set(matters.values_list("debt__creditor__name", flat=True))),
    }
    return render(request, "legalcase/portfolio_transfer_form.html", context)


def _transfer_of(portfolio_id: int, transfer_id: int) -> PortfolioTransfer:
    portfolio = portfolio_get(portfolio_id)
    return get_object_or_404(
        PortfolioTransfer.objects.select_related("portfolio", "from_creditor", "to_creditor"),
        pk=transfer_id,
        portfolio=portfolio,
    )


def _batch_matters(user, transfer: PortfolioTransfer) -> dict[str, list[int]]:
    """The matters of each batch: every debtor notified; the matters where enforcement is under way."""
    visible = set(visible_matters(user).filter(pk__in=transfer_matter_ids(transfer)).values_list("pk", flat=True))
    ids = sorted(visible)
    return {"transfer_notice": ids, "change_of_applicant": enforcement_under_way(ids)}


@login_required
@require_GET
def portfolio_transfer_result(request: HttpRequest, portfolio_id: int, transfer_id: int) -> HttpResponse:
    require(request.user, "transfer_claims")
    transfer = _transfer_of(portfolio_id, transfer_id)
    batches = _batch_matters(request.user, transfer)
    enforcing = Matter.objects.filter(pk__in=batches["change_of_applicant"]).order_by("number")
    context = {
        "nav": "portfolios",
        "portfolio": transfer.portfolio,
        "transfer": transfer,
        "notice_count": len(batches["transfer_notice"]),
        "enforcing": list(enforcing[:200]),
        "enforcing_count": len(batches["change_of_applicant"]),
        "may_file": can(request.user, "write_filings"),
    }
    return render(request, "legalcase/portfolio_transfer_result.html", context)


@login_required
@require_POST
def portfolio_transfer_batch(request: HttpRequest, portfolio_id: int, transfer_id: int, template: str):
    """Hand the transfer's matters to the batch page and start the batch there.

    The form posts ``template``, ``procedure`` and ``step=start`` for the batch page; the
    redirect keeps the POST (307), so the filings app checks and starts the batch itself.
    """
    require(request.user, "transfer_claims")
    require(request.user, "write_filings")
    if template not in BATCHES:
        raise Http404("no such batch")
    ids = _batch_matters(request.user, _transfer_of(portfolio_id, transfer_id))[template]
    if not ids:
        messages.error(request, _("No matter of this transfer calls for this document."))
        return redirect("portfolio_transfer_result", portfolio_id=portfolio_id, transfer_id=transfer_id)
    request.session[BATCH_SELECTION_KEY] = ids
    return redirect("batch_new", preserve_request=True)


# --- The matter page's section ----------------------------------------------------------


@login_required
@require_GET
def transfers_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id)
    debt = matter.debt
    context = {
        "matter": matter,
        "debt": debt,
        "steps": claim_chain(debt),
        "may_manage": can(request.user, "transfer_claims"),
    }
    return render(request, "legalcase/transfers_section.html", context)
