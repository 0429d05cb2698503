"""The matter page's demand section (催收与送达) and the courier-tracking import page.

The section lists the debt's demands with their courier events and delivery, and offers
the forms a collector or counsel uses: send a demand (a 律师函 Fasu generated, by
courier with its waybill), record a courier event, record delivery by hand. The proof
upload is the evidence app's (``evidence_demand_proof``): it stores the file as
evidence and attaches it here. Every form calls the same service as the API.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from legalcase.access import access_child, access_job, access_matter, can
from legalcase.models import (
    DemandAddressKind,
    DemandChannel,
    DemandCourier,
    DemandRecord,
    Matter,
    TrackingStatus,
)
from legalcase.services.demands import (
    TRACKING_IMPORT_MAX_BYTES,
    demand_flag,
    demand_record,
    demand_track,
    demand_update,
    tracking_errors_file,
    tracking_import_start,
)
from legalcase.timeline import DELIVERY_RULE_TEXT
from legalcase.views.sections import date_input, section_form_post

# The template of the 律师函 (templates_docx's default ``demand_letter``): offered first.
DEMAND_LETTER_TEMPLATE = "demand_letter"


class DemandForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Sent on"), widget=date_input())
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[c for c in DemandChannel.choices if c[0] != DemandChannel.PUBLIC_NOTICE],
        initial=DemandChannel.LETTER,
    )
    party = forms.TypedChoiceField(label=gettext_lazy("To"), coerce=int, choices=())
    document = forms.TypedChoiceField(
        label=gettext_lazy("Document sent"), coerce=int, empty_value=None, required=False, choices=()
    )
    courier = forms.ChoiceField(label=gettext_lazy("Courier"), required=False, choices=[("", "—"), *DemandCourier.choices])
    waybill = forms.CharField(label=gettext_lazy("Waybill number"), required=False, max_length=40)
    address_kind = forms.ChoiceField(
        label=gettext_lazy("Address kind"), required=False, choices=[("", "—"), *DemandAddressKind.choices]
    )
    address = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=300)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)

    def __init__(self, *args, matter: Matter, **kwargs):
        super().__init__(*args, **kwargs)
        debt = matter.debt
        parties = [(debt.debtor_id, _("%(name)s (debtor)") % {"name": debt.debtor.name})]
        for guarantee in debt.guarantees.select_related("guarantor").order_by("id"):
            parties.append((guarantee.guarantor_id, _("%(name)s (guarantor)") % {"name": guarantee.guarantor.name}))
        self.fields["party"].choices = parties
        self.fields["document"].choices = [("", "—"), *matter_documents(matter)]


def matter_documents(matter: Matter) -> list[tuple[int, str]]:
    """The matter's generated documents, 律师函 first, newest first: ``(id, label)``.

    The rows are ``templates_docx``'s, reached through the demand's foreign key's model
    so that ``legalcase`` imports no app above it.
    """
    documents = (
        DemandRecord._meta.get_field("document")
        .related_model.objects.filter(matter=matter, docx_file__isnull=False)
        .select_related("template")
        .order_by("-created_at", "-id")[:50]
    )
    rows = [
        (doc.template.code != DEMAND_LETTER_TEMPLATE, doc.pk, f"{doc.template.name}（{doc.created_at:%Y-%m-%d}）")
        for doc in documents
    ]
    return [(pk, label) for _other, pk, label in sorted(rows, key=lambda row: row[0])]


class TrackingForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Courier status"), choices=TrackingStatus.choices)
    at = forms.DateTimeField(
        label=gettext_lazy("Time (Beijing)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)


class DeliveryForm(forms.Form):
    delivered = forms.BooleanField(label=gettext_lazy("Delivered"), required=False)
    delivered_on = forms.DateField(label=gettext_lazy("Delivered on"), required=False, widget=date_input())


class TrackingImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A courier's .csv or .xlsx export with the columns 运单号, 状态 and 时间."),
    )


def demands_context(request: HttpRequest, matter: Matter, *, failed: dict | None = None) -> dict:
    """What the section draws; ``failed`` holds a bound form that was refused, by its key."""
    failed = failed or {}
    may_write = can(request.user, "write_demands")
    demands = list(
        matter.debt.demands.select_related("party", "proof", "document__template", "debt__debtor")
        .prefetch_related("tracking")
        .order_by("-date", "-id")
    )
    for demand in demands:
        demand.flag = demand_flag(demand)
        demand.rule_text = DELIVERY_RULE_TEXT.get(demand.delivery_rule, "")
        demand.to_name = demand.party.name if demand.party_id else demand.debt.debtor.name
        if may_write:
            demand.tracking_form = failed.get(("tracking", demand.pk)) or TrackingForm(auto_id=f"track-{demand.pk}-%s")
            demand.tracking_failed = ("tracking", demand.pk) in failed
            demand.delivery_form = failed.get(("delivery", demand.pk)) or DeliveryForm(
                initial={"delivered": demand.delivered, "delivered_on": demand.delivered_on},
                auto_id=f"deliver-{demand.pk}-%s",
            )
            demand.delivery_failed = ("delivery", demand.pk) in failed
    # "Send by courier" beside a generated 律师函 opens the form with that document chosen.
    chosen = request.GET.get("send_document", "")
    initial = {"document": int(chosen), "channel": DemandChannel.LETTER} if chosen.isdigit() else {}
    return {
        "matter": matter,
        "demands": demands,
        "may_write_demands": may_write,
        "demand_form": (failed.get("demand") or DemandForm(matter=matter, initial=initial, auto_id="demand-new-%s"))
        if may_write
        else None,
        "demand_failed": "demand" in failed or bool(initial),
        "may_upload_proof": can(request.user, "write_evidence"),
    }


def _section(request: HttpRequest, matter: Matter, *, failed: dict | None = None, notice: str = "") -> HttpResponse:
    context = demands_context(request, matter, failed=failed)
    return render(request, "legalcase/demands_section.html", {**context, "notice": notice})


@login_required
@require_GET
def demands_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    return _section(request, access_matter(request.user, matter_id))


@login_required
@require_POST
def demand_record_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_demands")
    form = DemandForm(request.POST, matter=matter, auto_id="demand-new-%s")

    def act(data):
        demand_record(
            user=request.user,
            matter_id=matter.pk,
            date=data["date"],
            channel=data["channel"],
            party_id=data["party"],
            address_kind=data["address_kind"],
            address=data["address"],
            courier=data["courier"],
            waybill=data["waybill"],
            document_id=data["document"],
            note=data["note"],
        )

    return section_form_post(
        request,
        matter,
        form,
        act,
        done=_("Demand recorded."),
        section=lambda ok, notice: _section(request, matter, failed=None if ok else {"demand": form}, notice=notice),
    )


@login_required
@require_POST
def demand_track_view(request: HttpRequest, matter_id: int, demand_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_demands")
    demand = access_child(request.user, DemandRecord, demand_id, rows=DemandRecord.objects.filter(debt__matter=matter))
    form = TrackingForm(request.POST, auto_id=f"track-{demand.pk}-%s")
    return section_form_post(
        request,
        matter,
        form,
        lambda data: demand_track(user=request.user, demand_id=demand.pk, **data),
        done=_("Courier event recorded."),
        section=lambda ok, notice: _section(
            request, matter, failed=None if ok else {("tracking", demand.pk): form}, notice=notice
        ),
    )


@login_required
@require_POST
def demand_deliver_view(request: HttpRequest, matter_id: int, demand_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_demands")
    demand = access_child(request.user, DemandRecord, demand_id, rows=DemandRecord.objects.filter(debt__matter=matter))
    form = DeliveryForm(request.POST, auto_id=f"deliver-{demand.pk}-%s")
    return section_form_post(
        request,
        matter,
        form,
        lambda data: demand_update(user=request.user, demand_id=demand.pk, changes=dict(data)),
        done=_("Delivery recorded."),
        section=lambda ok, notice: _section(
            request, matter, failed=None if ok else {("delivery", demand.pk): form}, notice=notice
        ),
    )


# --- Importing a courier's export -------------------------------------------------------


@login_required
def tracking_import(request: HttpRequest) -> HttpResponse:
    """Upload a courier's export of tracking events; the import runs as a job with a progress bar."""
    if not can(request.user, "write_demands"):
        raise PermissionDenied(_("Your role may not take this action."))
    form = TrackingImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = tracking_import_start(user=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("job_detail", job_id=job.pk)
    return render(
        request,
        "legalcase/tracking_import.html",
        {"nav": "import", "form": form, "max_mb": TRACKING_IMPORT_MAX_BYTES >> 20, "statuses": TrackingStatus.choices},
    )


@login_required
@require_GET
def tracking_import_errors(request: HttpRequest, job_id) -> HttpResponse:
    """The rows of a tracking import that were not applied, as CSV; only the user who started it gets it."""
    job = access_job(request.user, job_id)
    path = tracking_errors_file(job)
    if path is None:
        raise Http404("no errors file")
    name = Path(job.payload.get("name") or "tracking").stem
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"{name}.errors.csv", content_type="text/csv")
