"""The demo's collection desk (issue 18): a few debtors' call histories, written through the services.

Each story is a short, realistic run of contacts dated in the past in office hours,
inside every conduct rule (no more than 6 calls a day to a number, third parties only
after three failed attempts): a promise kept by a payment within its grace, a promise
broken, a wrong number and a colleague asked to pass a message, a dispute opened in a
call and resolved, an open complaint from the regulator that pauses a matter, and an
outside firm's lawyer whose calls count on the firm's scorecard.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from legalcase.models import Complaint, Contact, Matter, Stage, User
from legalcase.services.collection import complaint_open, complaint_resolve, contact_record
from legalcase.services.recoveries import recovery_body_digest, recovery_record

# (days before today, "HH:MM", outcome, extra): a call to the party's first number unless extra says otherwise.
Step = tuple[int, str, str, dict]

PROMISE_KEPT: list[Step] = [
    (62, "09:12", "no_answer", {"duration_seconds": 0}),
    (62, "14:35", "no_answer", {"duration_seconds": 0}),
    (61, "10:05", "hardship", {"duration_seconds": 210, "note": "称公司欠薪，本月可先还一部分"}),
    (58, "16:20", "promise_to_pay", {"duration_seconds": 185, "note": "同意月底前还3000元",
                                     "promise": (Decimal("3000.00"), 50)}),
    (52, "11:00", "other", {"channel": "sms", "note": "发送还款提醒短信"}),
]
PROMISE_BROKEN: list[Step] = [
    (45, "10:30", "refused", {"duration_seconds": 95, "note": "态度消极，称无力还款"}),
    (33, "15:10", "promise_to_pay", {"duration_seconds": 240, "note": "承诺两周内还2000元",
                                     "promise": (Decimal("2000.00"), 20)}),
    (17, "09:40", "no_answer", {"duration_seconds": 0}),
    (16, "19:05", "no_answer", {"duration_seconds": 0}),
    (15, "10:15", "refused", {"duration_seconds": 60, "note": "未按承诺还款，挂断电话"}),
]
WRONG_NUMBER: list[Step] = [
    (75, "09:30", "no_answer", {"duration_seconds": 0}),
    (75, "15:45", "no_answer", {"duration_seconds": 0}),
    (74, "10:10", "wrong_number", {"duration_seconds": 30, "note": "接听人称不认识债务人，号码已换人使用"}),
    (73, "11:20", "no_answer", {"third_party": {"name": "刘芳", "relation": "同事", "purpose": "locate"},
                                "contact_point": "13917654321", "duration_seconds": 70,
                                "note": "请其转告债务人回电，未透露债务情况"}),
    (70, "18:30", "promise_to_pay", {"direction": "inbound", "contact_point": "13655550123", "duration_seconds": 320, "note": "债务人回电，承诺分期还款",
                                     "promise": (Decimal("1500.00"), 7)}),
]
DISPUTE: list[Step] = [
    (24, "10:00", "no_answer", {"duration_seconds": 0}),
    (23, "14:20", "dispute", {"duration_seconds": 400, "note": "称该卡已于2023年结清，要求提供对账单"}),
]
FIRM_CALLS: list[Step] = [
    (40, "09:50", "no_answer", {"duration_seconds": 0}),
    (39, "10:30", "promise_to_pay", {"duration_seconds": 150, "note": "律师电话沟通，同意先还5000元",
                                     "promise": (Decimal("5000.00"), 30)}),
    (28, "16:00", "other", {"channel": "letter", "contact_point": "", "note": "寄送律师函前电话告知"}),
]


def _at(today: dt.date, days: int, hhmm: str) -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time(hour, minute)))


def _play(matter: Matter, user: User, steps: list[Step], today: dt.date) -> list:
    debtor = matter.debt.debtor
    number = debtor.phones.order_by("position", "id").values_list("number", flat=True).first() or "13800000000"
    promises = []
    for days, hhmm, outcome, extra in steps:
        extra = dict(extra)
        occurred = _at(today, days, hhmm)
        promise = extra.pop("promise", None)
        body = {
            "channel": extra.pop("channel", "phone"),
            "direction": extra.pop("direction", "outbound"),
            "occurred_at": occurred,
            "outcome": outcome,
            "contact_point": extra.pop("contact_point", number),
            **extra,
        }
        if body["channel"] == "letter":
            body["contact_point"] = debtor.address or "—"
        if "third_party" not in body:
            body["party"] = debtor.pk
        if promise is not None:
            amount, due_in = promise
            body["promise"] = {"amount": amount, "due_on": occurred.date() + dt.timedelta(days=due_in)}
        contact, _created = contact_record(user=user, matter_id=matter.pk, **body)
        if promise is not None:
            promises.append(contact.promise)
    return promises


def _pay(matter: Matter, user: User, amount: Decimal, on: dt.date, key: str) -> None:
    digest = recovery_body_digest(amount=amount, received_on=on, source="voluntary", reference="还款承诺")
    recovery_record(
        user=user, matter_id=matter.pk, idempotency_key=f"demo-{matter.number}-{key}", amount=amount,
        received_on=on, source="voluntary", reference="还款承诺", body_digest=digest,
    )  # fmt: skip


def add_collection_desk(*, matter_ids: list[int], users: dict[str, User]) -> dict[str, int]:
    """Write the stories on the first matters still before court (and one an outside firm holds)."""
    today = timezone.localdate()
    counsel, manager = users["counsel1"], users["manager1"]
    early = list(
        Matter.objects.filter(pk__in=matter_ids, stage__in=[Stage.INTAKE, Stage.PRE_LITIGATION])
        .select_related("debt__debtor")
        .order_by("pk")[:5]
    )
    if len(early) < 5:
        return {"contacts": 0}
    kept_matter, broken_matter, wrong_matter, dispute_matter, complaint_matter = early
    kept = _play(kept_matter, counsel, PROMISE_KEPT, today)
    _pay(kept_matter, manager, kept[0].amount, kept[0].due_on + dt.timedelta(days=1), "promise-1")
    _play(broken_matter, counsel, PROMISE_BROKEN, today)
    partial = _play(wrong_matter, counsel, WRONG_NUMBER, today)
    _pay(wrong_matter, manager, partial[0].amount, partial[0].due_on, "promise-1")
    _play(dispute_matter, counsel, DISPUTE, today)
    dispute = Complaint.objects.filter(matter=dispute_matter).first()
    if dispute is not None:
        complaint_resolve(user=counsel, complaint_id=dispute.pk,
                          resolution="调取2023年对账单核实：该卡尚有余额未还，已向债务人寄送对账单")
    _play(complaint_matter, counsel, [(12, "10:20", "refused", {"duration_seconds": 80})], today)
    complaint_open(user=counsel, matter_id=complaint_matter.pk, kind="complaint", source="regulator",
                   received_on=today - dt.timedelta(days=3), summary="金融监管部门转来投诉：称催收电话过于频繁")
    # An outside firm's lawyer (lawyer2) calls on one of the firm's matters: its scorecard counts them.
    lawyer = users["lawyer2"]
    firm_matter = (
        Matter.objects.filter(pk__in=matter_ids, assigned_firm_id=lawyer.firm_id)
        .exclude(stage__in=[Stage.CLOSED, Stage.SETTLED])
        .exclude(pk__in=[m.pk for m in early])
        .order_by("-stage_changed_at", "pk")
        .first()
    )
    if firm_matter is not None:
        promised = _play(firm_matter, lawyer, FIRM_CALLS, today)
        firm_matter.refresh_from_db()
        if promised and firm_matter.outstanding["total"] >= promised[0].amount:
            _pay(firm_matter, manager, promised[0].amount, promised[0].due_on - dt.timedelta(days=2), "promise-1")
    return {"contacts": Contact.objects.filter(matter_id__in=matter_ids).count()}
