"""Demands after escalation, their courier tracking and their proof (API.md, "Collection desk"; issue 18).

A demand is recorded on the matter's debt, addressed to the debtor or a guarantor. A
letter goes by courier with a waybill; each courier event is a ``DemandTracking`` row,
by hand, through the API or from a courier's export (``importing.tracking``). Whether
the events deliver the letter is ``notices.demand_delivery`` (LEGAL_RULES Part 2, B.3):
signed for, that day; refused or returned, only at the service address the debtor
agreed. A person may also record the delivery on the proof they hold (``PATCH``). Each
change writes a timeline event and recomputes the matter's deadlines: a delivered
demand interrupts limitation from its delivery date, an undelivered one does not.

``document`` and ``proof`` are rows of ``templates_docx`` and ``evidence``, the apps
above this one; they are found through the foreign keys' models (``related_model``),
so ``legalcase`` imports neither.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase import couriers
from legalcase.access import access_child, access_matter, require, visible_children
from legalcase.dates import must_be_past, must_not_precede
from legalcase.events import record_event
from legalcase.identity import mask_address
from legalcase.jobs import job_create
from legalcase.models import (
    DemandAddressKind,
    DemandChannel,
    DemandCourier,
    DemandRecord,
    DemandTracking,
    EventKind,
    Job,
    Matter,
    TrackingStatus,
    User,
)
from legalcase.notices import DELIVERY_RECORDED_RULE, demand_delivery
from legalcase.services.deadlines import deadlines_deferred, matter_deadlines_recompute

# Changeable by ``PATCH /api/v1/demands/{id}/`` (API.md).
UPDATABLE = ("proof", "note", "delivered", "delivered_on")
ADDRESS_MAX = DemandRecord._meta.get_field("address").max_length
WAYBILL_MAX = DemandRecord._meta.get_field("waybill").max_length
IDEMPOTENCY_KEY_MAX = DemandRecord._meta.get_field("idempotency_key").max_length


def _document_model():
    return DemandRecord._meta.get_field("document").related_model


def _evidence_model():
    return DemandRecord._meta.get_field("proof").related_model


def _matter_parties(matter: Matter) -> dict[int, str]:
    """The parties a demand on this matter may go to: the debtor and its guarantors, by id."""
    debt = matter.debt
    parties = {debt.debtor_id: debt.debtor.name}
    for guarantee in debt.guarantees.select_related("guarantor"):
        parties[guarantee.guarantor_id] = guarantee.guarantor.name
    return parties


def _proof_checked(matter: Matter, proof_id: int | None):
    if proof_id is None:
        return None
    proof = _evidence_model().objects.filter(pk=proof_id, matter_id=matter.pk, withdrawn_at__isnull=True).first()
    if proof is None:
        raise ValidationError({"proof": _("No evidence of this matter with this id.")})
    return proof


def _document_checked(matter: Matter, document_id: int | None):
    if document_id is None:
        return None
    document = _document_model().objects.filter(pk=document_id, matter_id=matter.pk).first()
    if document is None:
        raise ValidationError({"document": _("No document generated for this matter with this id.")})
    return document


class DemandConflict(Exception):
    """An Idempotency-Key already used on this matter for a different demand (API.md: 409)."""

    def __init__(self, demand: DemandRecord, stage: str):
        super().__init__(
            _("This Idempotency-Key was already used on this matter for a different demand (%(id)s).") % {"id": demand.pk}
        )
        self.demand, self.stage = demand, stage


def demand_body_digest(body: dict) -> str:
    """The SHA-256 of a demand request in canonical JSON (key order and spacing do not count)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def demand_json(demand: DemandRecord) -> dict:
    """What a timeline event says of a demand: its fields as the API writes them, the address masked."""
    return {
        "demand": demand.pk,
        "date": demand.date.isoformat(),
        "channel": demand.channel,
        **({"party": demand.party_id, "party_name": demand.party.name} if demand.party_id else {}),
        **({"address_kind": demand.address_kind} if demand.address_kind else {}),
        **({"address": mask_address(demand.address)} if demand.address else {}),
        **({"courier": demand.courier, "waybill": demand.waybill} if demand.courier else {}),
        # Named beside their ids: the template's name, the evidence's title (as the timeline tells them).
        **({"document": demand.document_id, "document_title": demand.document.template.name} if demand.document_id else {}),
        **({"proof": demand.proof_id, "proof_title": demand.proof.title} if demand.proof_id else {}),
    }


@transaction.atomic
def demand_record(
    *,
    user: User,
    matter_id: int,
    date: dt.date,
    channel: str,
    party_id: int | None = None,
    address_kind: str = "",
    address: str = "",
    courier: str = "",
    waybill: str = "",
    document_id: int | None = None,
    proof_id: int | None = None,
    note: str = "",
    idempotency_key: str = "",
    body_digest: str = "",
) -> tuple[DemandRecord, bool]:
    """Record a demand made on the matter's debtor or a guarantor (not delivered yet); return it and whether it is new.

    ``date`` is the day it was made or sent (not after today). A letter by courier names
    the courier and its waybill (unique per courier, so a courier's export finds it);
    ``document`` is a document generated for this matter (the 律师函), ``proof`` evidence
    of this matter. Refused with a ValidationError naming the field; nothing is stored.
    With an ``idempotency_key`` (optional) the same key and body again return the demand
    it recorded; with another body it is a ``DemandConflict``.
    """
    matter = access_matter(user, matter_id, action="write_demands", for_update=True)
    key = (idempotency_key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError({"idempotency_key": _("At most %(max)s characters.") % {"max": IDEMPOTENCY_KEY_MAX}})
    if key and (existing := matter.debt.demands.filter(idempotency_key=key).first()) is not None:
        if existing.request_digest != body_digest:
            raise DemandConflict(existing, matter.stage)
        return existing, False
    errors: dict[str, str] = {}
    if channel not in DemandChannel.values or channel == DemandChannel.PUBLIC_NOTICE:
        # A newspaper notice comes with a transfer or an escalation, naming its outlet.
        errors["channel"] = _("Not one of the allowed values.")
    if address_kind and address_kind not in DemandAddressKind.values:
        errors["address_kind"] = _("Not one of the allowed values.")
    if courier and courier not in DemandCourier.values:
        errors["courier"] = _("Not one of the allowed values.")
    address, waybill, note = (address or "").strip(), (waybill or "").strip(), (note or "").strip()
    if len(address) > ADDRESS_MAX:
        errors["address"] = _("At most %(max)s characters.") % {"max": ADDRESS_MAX}
    if len(waybill) > WAYBILL_MAX:
        errors["waybill"] = _("At most %(max)s characters.") % {"max": WAYBILL_MAX}
    if courier and channel != DemandChannel.LETTER:
        errors["courier"] = _("Only a letter goes by courier.")
    if courier and not waybill:
        errors["waybill"] = _("A letter sent by courier needs its waybill number.")
    if waybill and not courier:
        errors["courier"] = _("Name the courier of this waybill.")
    if courier and not address_kind:
        errors["address_kind"] = _("Say which address the letter went to.")
    if party_id is None:
        party_id = matter.debt.debtor_id
    elif party_id not in _matter_parties(matter):
        errors["party"] = _("Neither the debtor nor a guarantor of this matter.")
    if errors:
        raise ValidationError(errors)
    must_be_past("date", date)
    document = _document_checked(matter, document_id)
    proof = _proof_checked(matter, proof_id)
    if waybill and (taken := DemandRecord.objects.filter(courier=courier, waybill=waybill).first()) is not None:
        raise ValidationError(
            {"waybill": _("This waybill is already recorded (demand %(id)s).") % {"id": taken.pk}}
        )
    if not waybill and matter.debt.demands.filter(date=date, channel=channel, waybill="").exists():
        raise ValidationError({"date": _("A demand by this channel on this day is already recorded.")})
    try:
        with transaction.atomic():
            demand = DemandRecord.objects.create(
                debt=matter.debt,
                date=date,
                channel=channel,
                party_id=party_id,
                address_kind=address_kind,
                address=address,
                courier=courier,
                waybill=waybill,
                document=document,
                proof=proof,
                note=note,
                created_by=user,
                idempotency_key=key,
                request_digest=body_digest if key else "",
            )
    except IntegrityError:  # the same waybill recorded at the same moment by another writer
        raise ValidationError({"waybill": _("This waybill is already recorded.")}) from None
    record_event(matter=matter, actor=user, kind=EventKind.DEMAND_RECORDED, new=demand_json(demand))
    matter_deadlines_recompute(matter_id=matter.pk)
    return demand, True


@transaction.atomic
def demand_update(*, user: User, demand_id: int, changes: dict) -> DemandRecord:
    """Attach the proof, correct the note, or record (or withdraw) delivery by hand.

    ``delivered`` true with no ``delivered_on`` takes the date of the demand; a person's
    word is the rule then (``demand.delivery.recorded@2021``). ``delivered`` false clears
    the delivery date. The delivery date is not after today nor before the demand.
    """
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    demand = access_child(user, DemandRecord, demand_id, action="write_demands", for_update=True)
    matter = demand.debt.matter
    old: dict = {}
    new: dict = {}
    fields: list[str] = []

    def change(name: str, value, shown=None) -> None:
        current = getattr(demand, name)
        if current == value:
            return
        old[name] = _shown(current)
        new[name] = _shown(value) if shown is None else shown
        setattr(demand, name, value)
        fields.append(name)

    if "proof" in changes:
        proof = _proof_checked(matter, changes["proof"])
        if (proof.pk if proof else None) != demand.proof_id:
            old["proof_title"] = demand.proof.title if demand.proof_id else ""
            new["proof_title"] = proof.title if proof else ""
            change("proof_id", proof.pk if proof else None)
    if "note" in changes:
        change("note", (changes["note"] or "").strip())
    delivered = changes.get("delivered", demand.delivered)
    delivered_on = changes.get("delivered_on", demand.delivered_on if delivered else None)
    if "delivered" in changes or "delivered_on" in changes:
        if delivered_on is not None and not delivered:
            raise ValidationError({"delivered_on": _("A demand not delivered has no delivery date.")})
        if delivered:
            delivered_on = delivered_on or demand.date
            must_be_past("delivered_on", delivered_on)
            must_not_precede("delivered_on", delivered_on, _("the date of the demand"), demand.date)
        if (delivered, delivered_on) != (demand.delivered, demand.delivered_on):
            change("delivered", bool(delivered))
            change("delivered_on", delivered_on)
            change("delivery_rule", DELIVERY_RECORDED_RULE if delivered else "")
    if fields:
        demand.save(update_fields=[name.removesuffix("_id") if name == "proof_id" else name for name in fields])
        renamed = {"proof_id": "proof"}
        record_event(
            matter=matter,
            actor=user,
            kind=EventKind.DEMAND_UPDATED,
            old={"demand": demand.pk, **{renamed.get(k, k): v for k, v in old.items()}},
            new={"demand": demand.pk, **{renamed.get(k, k): v for k, v in new.items()}},
        )
        matter_deadlines_recompute(matter_id=matter.pk)
    return demand


def _shown(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def demand_track(
    *, user: User, demand_id: int, status: str, at: dt.datetime, note: str = "", source: str = "hand"
) -> tuple[DemandRecord, bool]:
    """Record a courier event of a demand letter; return the demand and whether the event is new.

    The same status at the same time again adds nothing. The event's Beijing day may not
    be before the day the letter was sent, nor its time in the future. The events decide
    delivery (``notices.demand_delivery``) unless a person recorded it by hand; the
    latest event is the letter's ``tracking_status``.
    """
    demand = access_child(user, DemandRecord, demand_id, action="write_demands", for_update=True)
    if status not in TrackingStatus.values:
        raise ValidationError({"status": _("Not one of the allowed values.")})
    if at is None or timezone.is_naive(at):
        raise ValidationError({"at": _("Give the time with its offset, e.g. 2026-04-01T10:15:00+08:00.")})
    if not demand.courier:
        raise ValidationError({"status": _("This demand was not sent by courier.")})
    if at > timezone.now():
        raise ValidationError({"at": _("The time of the event cannot be in the future.")})
    day = timezone.localdate(at)
    if day < demand.date:
        raise ValidationError(
            {"at": _("The event is before the letter was sent (%(date)s).") % {"date": demand.date.isoformat()}}
        )
    note = (note or "").strip()[:300]
    if demand.tracking.filter(status=status, at=at).exists():
        return demand, False
    DemandTracking.objects.create(demand=demand, status=status, at=at, note=note, source=source, created_by=user)
    before = {"delivered": demand.delivered, "delivered_on": _shown(demand.delivered_on), "tracking_status": demand.tracking_status}
    events = list(demand.tracking.order_by("at", "id").values_list("status", "at"))
    demand.tracking_status = events[-1][0]
    fields = ["tracking_status"]
    if demand.delivery_rule != DELIVERY_RECORDED_RULE:
        found = demand_delivery(
            [(status_, timezone.localdate(when)) for status_, when in events], address_kind=demand.address_kind
        )
        demand.delivered, demand.delivered_on, demand.delivery_rule = (True, *found) if found else (False, None, "")
        fields += ["delivered", "delivered_on", "delivery_rule"]
    demand.save(update_fields=fields)
    matter = demand.debt.matter
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.DEMAND_TRACKED,
        old=before,
        new={
            "demand": demand.pk,
            "waybill": demand.waybill,
            "status": status,
            "at": at.isoformat(),
            "delivered": demand.delivered,
            "delivered_on": _shown(demand.delivered_on),
            **({"delivery_rule": demand.delivery_rule} if demand.delivery_rule else {}),
        },
        note=note,
    )
    matter_deadlines_recompute(matter_id=matter.pk)
    return demand, True


def demand_flag(demand: DemandRecord) -> str:
    """Why counsel should look at a letter (LEGAL_RULES B.3): refused or returned at an address not agreed."""
    if demand.tracking_status in (TrackingStatus.REFUSED, TrackingStatus.RETURNED) and not demand.delivered:
        return _("Refused or returned at an address the debtor did not agree for service: not delivered; counsel to review.")
    return ""


# --- Importing a courier's export (POST /api/v1/demands/tracking-imports/) -----------------

TRACKING_IMPORT_KIND = "demand_tracking_import"
TRACKING_IMPORT_MAX_BYTES = 20 * 1024 * 1024
# Rows applied per transaction, and per progress report.
TRACKING_CHUNK = 200
TRACKING_ERRORS_HEADER = ["行号", "错误原因", "运单号", "状态", "时间"]


def tracking_folder() -> Path:
    """Where uploaded courier exports and their errors files live, in private storage."""
    return Path(settings.STORAGE_ROOT) / "imports"


def tracking_import_start(*, user: User, upload: UploadedFile) -> Job:
    """Store an uploaded courier export under a random name and start its import job.

    A file of another format, too large, or without the three columns is refused here
    (ValidationError on ``file``), before any job exists.
    """
    require(user, "write_demands")
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in couriers.EXTENSIONS:
        raise ValidationError({"file": _("Give a .csv or .xlsx file.")})
    if upload.size > TRACKING_IMPORT_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(size)s MB.") % {"size": TRACKING_IMPORT_MAX_BYTES >> 20}}
        )
    folder = tracking_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}{suffix}"
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        rows = couriers.table_rows(path)
        couriers.header_columns(next(rows, []))
        total = sum(1 for row in rows if any(couriers.cell_text(cell) for cell in row))
    except couriers.CourierFileError as exc:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": str(exc)}) from None
    return job_create(
        kind=TRACKING_IMPORT_KIND,
        user=user,
        payload={"user_id": user.pk, "path": str(path), "name": name},
        total=total,
    )


def tracking_import(*, user: User, path: Path | str, report=None) -> dict:
    """Apply every row of a courier export; return the counts and the errors file's path.

    Each row stands alone: its waybill is looked up among the letters the user may see
    (``unmatched`` if none), its status and time read (``rejected`` if unreadable) and
    the event recorded through ``demand_track``, which refuses an event before the
    sending or in the future (``rejected``) and counts a repeat as ``unchanged``.
    Rejected and unmatched rows go to ``<path>.errors.csv`` with their reasons, every
    cell spreadsheet-safe (``tracking_errors_file`` finds it). Deadlines are recomputed
    once per matter per chunk.
    """
    counts = {"applied": 0, "unchanged": 0, "unmatched": 0, "rejected": 0}
    errors_file = Path(f"{path}.errors.csv")
    rows = couriers.table_rows(path)
    columns = couriers.header_columns(next(rows, []))
    letters = visible_children(user, DemandRecord).exclude(waybill="")
    done = 0
    with open(errors_file, "w", encoding="utf-8-sig", newline="") as out:
        errors = csv.writer(out)
        errors.writerow(TRACKING_ERRORS_HEADER)
        chunk: list[tuple[int, list]] = []

        def cells_of(row: list, name: str):
            index = columns.get(name)
            return row[index] if index is not None and index < len(row) else None

        def flush() -> None:
            nonlocal done
            waybills = {couriers.cell_text(cells_of(row, "waybill")) for _line, row in chunk}
            found: dict[str, list[int]] = {}
            for pk, waybill in letters.filter(waybill__in=waybills).values_list("pk", "waybill"):
                found.setdefault(waybill, []).append(pk)
            # A courier's exports are cumulative: the events already recorded are read in one
            # query and counted as unchanged without a call each.
            recorded = set(
                DemandTracking.objects.filter(demand_id__in=[pk for pks in found.values() for pk in pks]).values_list(
                    "demand_id", "status", "at"
                )
            )
            with deadlines_deferred():
                for line, row in chunk:
                    original = [couriers.cell_text(cells_of(row, name)) for name in ("waybill", "status", "time")]
                    outcome, reason = _tracking_row(user, row, cells_of, found, recorded)
                    counts[outcome] += 1
                    if reason:
                        errors.writerow([line, couriers.spreadsheet_safe(reason), *map(couriers.spreadsheet_safe, original)])
            done += len(chunk)
            chunk.clear()
            out.flush()
            if report is not None:
                report(done=done)

        for line, row in enumerate(rows, start=2):
            if not any(couriers.cell_text(cell) for cell in row):
                continue
            chunk.append((line, row))
            if len(chunk) >= TRACKING_CHUNK:
                flush()
        if chunk:
            flush()
    return counts


def _tracking_row(user: User, row: list, cells_of, found: dict[str, list[int]], recorded: set) -> tuple[str, str]:
    """Apply one row: its outcome (a key of the counts) and, when not applied, the reason."""
    waybill = couriers.cell_text(cells_of(row, "waybill"))
    if not waybill:
        return "rejected", _("The waybill number is missing.")
    matches = found.get(waybill, [])
    if not matches:
        return "unmatched", _("No demand letter of yours has this waybill number.")
    if len(matches) > 1:
        return "rejected", _("Several couriers' letters have this waybill number.")
    try:
        status = couriers.status_read(cells_of(row, "status"))
        at = couriers.time_read(cells_of(row, "time"))
    except couriers.CellError as exc:
        return "rejected", str(exc)
    if (matches[0], status, at) in recorded:
        return "unchanged", ""
    note = couriers.cell_text(cells_of(row, "note"))
    try:
        with transaction.atomic():
            _demand, created = demand_track(
                user=user, demand_id=matches[0], status=status, at=at, note=note, source="import"
            )
    except ValidationError as exc:
        return "rejected", "；".join(exc.messages)
    except PermissionDenied:
        return "rejected", _("Your role may not take this action.")
    recorded.add((matches[0], status, at))
    return ("applied", "") if created else ("unchanged", "")


def tracking_import_run(*, job: Job, report) -> dict:
    """The ``demand_tracking_import`` job: apply the uploaded export with a progress bar.

    Safe to run again: a row already applied is a repeat and counts as unchanged.
    """
    user = User.objects.get(pk=job.payload["user_id"])
    report(done=0)
    result = tracking_import(user=user, path=job.payload["path"], report=report)
    result["errors_url"] = reverse("demand_tracking_errors", args=[job.pk]) if (
        result["rejected"] or result["unmatched"]
    ) else None
    return {**result, "failed": result["rejected"] + result["unmatched"], "name": job.payload.get("name", "")}


def tracking_errors_file(job: Job) -> Path | None:
    """The errors file of a finished tracking import, if it is still in private storage."""
    # Beside the uploaded file, never named in an answer (API.md: no answer holds a path).
    if job.kind != TRACKING_IMPORT_KIND or not job.result.get("errors_url"):
        return None
    path = Path(f"{job.payload['path']}.errors.csv").resolve()
    if path.parent != tracking_folder().resolve() or not path.is_file():
        return None
    return path


def tracking_rejected(job: Job, *, limit: int = 50) -> list[dict]:
    """The first ``limit`` rows of a tracking import that were not applied, as the job page lists them:
    ``{"line", "reasons", "cells"}`` (the escalation import's shape), read back from its errors file."""
    path = tracking_errors_file(job)
    if path is None:
        return []
    shown = []
    with open(path, encoding="utf-8-sig", newline="") as source:
        reader = csv.reader(source)
        header = next(reader, [])[2:]
        for row in reader:
            if len(shown) >= limit:
                break
            if row:
                cells = [(label, value) for label, value in zip(header, row[2:]) if value]
                shown.append({"line": int(row[0]), "reasons": [row[1]], "cells": cells})
    return shown
