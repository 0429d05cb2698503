"""Seeding the demo: the plans of ``people`` written through the services, litigation side.

``seed_demo`` opens each planned matter, moves it through its stages with proceedings,
hearings, rulings, enforcement actions and recoveries, and closes the court steps a
lawyer would have dealt with; ``legalcase.demo_money`` then adds the money side
(settlements, portfolios and transfers, outside-firm fees).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from legalcase.calculators import court_fees
from legalcase.demo.people import (
    COURT_STAGES,
    CREDITORS,
    DEMO_PASSWORD,
    FIRMS,
    FORUMS,
    MOVE_NOTES,
    SEED,
    USERS,
    MatterPlan,
    plan_matters,
)
from legalcase.demo.collection import add_collection_desk
from legalcase.demo.reviews import add_reviews
from legalcase.demo.story import stamp_story_times
from legalcase.demo.tasks import add_playbooks
from legalcase.demo_money import add_money_side
from legalcase.money import FEN
from legalcase.models import (
    AmountStatement,
    ClosingReason,
    Creditor,
    Debt,
    DemandRecord,
    Forum,
    Guarantee,
    LawFirm,
    Matter,
    Party,
    PartyPhone,
    Proceeding,
    ServiceMethod,
    Stage,
    User,
    holiday_calendar_held,
)
from legalcase.services import (
    cost_record,
    deadline_complete,
    enforcement_action_record,
    enforcement_action_renew,
    hearing_add,
    matter_assign_firm,
    matter_deadlines_recompute,
    matter_open,
    matter_set_forum,
    matter_transition,
    matter_unassign_firm,
    proceeding_record,
    recovery_body_digest,
    recovery_record,
    ruling_confirm,
    ruling_record,
    service_record_add,
)
from legalcase.services.deadlines import deadlines_deferred
from legalcase.services.demands import demand_record, demand_track
from legalcase.services.notifications import notifications_refresh
from legalcase.services.scoring import score_all, train_recovery_model
from legalcase.services.search import party_keys_refresh




@dataclass
class SeedResult:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def seed_demo(
    *,
    matters: int = 300,
    seed: int = SEED,
    progress: Callable[[str], None] | None = None,
    every_stage: bool = False,
) -> SeedResult:
    """Add the demo creditors, firms, users and matters in one transaction, unless present.

    The demo creditors' credit codes mark the demo as present; a second run adds nothing.
    Matters are opened, assigned and moved through the services, so each has a timeline,
    whose entries are then dated when they happened in the story (``demo.story``).
    ``progress`` receives a line in Chinese now and then (the command prints them).
    ``every_stage`` spreads a smaller demo over every stage (``plan_matters``).
    The holiday table is read once, and the deadline recomputations of steps that
    read no deadline are put off and done together (``deadlines_deferred``): the
    current deadlines are those the services would have left one by one.
    """
    if Creditor.objects.filter(uscc__in=[c.uscc for c in CREDITORS]).exists():
        return SeedResult(created=False)
    started = time.monotonic()
    say = progress or (lambda line: None)
    with transaction.atomic(), holiday_calendar_held():
        result = _seed(matters=matters, rng=random.Random(seed), say=say, every_stage=every_stage)
    say(f"演示数据：完成，用时 {time.monotonic() - started:.0f} 秒。")
    return result


def demo_logins() -> list[tuple[str, str, str, str]]:
    """The demo users whose password is still the demo one: (username, role, firm, password)."""
    rows = []
    # A password check costs a deliberate second or so: the demo users share one hash
    # (``_seed``), so it is checked once, not once per user.
    works: dict[str, bool] = {}
    for user in User.objects.filter(username__in=[spec.username for spec in USERS]).select_related("firm"):
        if user.password not in works:
            works[user.password] = check_password(DEMO_PASSWORD, user.password)
        if user.is_active and works[user.password]:
            rows.append((user.username, user.role, user.firm.name if user.firm else "", DEMO_PASSWORD))
    order = [spec.username for spec in USERS]
    return sorted(rows, key=lambda row: order.index(row[0]))


class DemoConflict(Exception):
    """The database holds a user that the demo would need with another role."""


def _seed(*, matters: int, rng: random.Random, say: Callable[[str], None], every_stage: bool) -> SeedResult:
    creditors = {
        c.key: Creditor.objects.create(name=c.name, uscc=c.uscc, address=c.address, representative=c.representative)
        for c in CREDITORS
    }
    firms = [LawFirm.objects.get_or_create(name=name)[0] for name in FIRMS]
    # One hash for the printed demo password, shared by the demo users: hashing it six times
    # took a tenth of the seeding, and a salt per user protects nothing that is printed.
    demo_password = make_password(DEMO_PASSWORD)
    users: list[User] = []
    for spec in USERS:
        firm = firms[spec.firm] if spec.firm is not None else None
        user = User.objects.filter(username=spec.username).first()
        if user is not None:
            # Someone made this user already: keep it and its password if the role fits.
            if user.role != spec.role or (firm is not None and user.firm_id != firm.pk):
                raise DemoConflict(
                    f"user {spec.username!r} exists with role {user.role!r}; the demo needs {spec.role!r}"
                    + (f" at {firm.name}" if firm else "")
                )
        else:
            admin = spec.role == "admin"
            user = User(
                username=spec.username,
                role=spec.role,
                firm=firm,
                first_name=spec.full_name,
                is_staff=admin,
                is_superuser=admin,
            )
            user.password = demo_password
            user.save()
        users.append(user)
    by_name = {user.username: user for user in users}
    counsel = [by_name["counsel1"], by_name["counsel2"]]
    lawyer_of_firm = {user.firm_id: user for user in users if user.role == "lawyer"}

    taken = set(Party.objects.exclude(id_number="").values_list("id_number", flat=True))
    plans = plan_matters(rng, count=matters, taken=taken, every_stage=every_stage)
    parties: dict[str, Party] = {}

    def party_for(fields: dict) -> Party:
        if fields["id_number"] not in parties:
            party = parties[fields["id_number"]] = Party.objects.create(**fields)
            if party.phone:
                PartyPhone.objects.create(party=party, number=party.phone)
        return parties[fields["id_number"]]

    opened: list[int] = []
    every = max(1, len(plans) // 10)
    forums = dict(Forum.objects.filter(name__in=FORUMS.values(), active=True).values_list("name", "pk"))
    # Streams of their own, so that demands and proceedings do not change the rest of the demo.
    demand_rng = random.Random(SEED + 1)
    proceeding_rng = random.Random(SEED + 2)
    enforcement_rng = random.Random(SEED + 3)
    for plan in plans:
        debt = Debt.objects.create(creditor=creditors[plan.creditor], debtor=party_for(plan.debtor), **plan.debt)
        AmountStatement.objects.create(debt=debt, created_by=counsel[plan.owner], **debt.statement_values())
        _add_demands(debt, demand_rng)
        for guarantor, terms in plan.guarantors:
            Guarantee.objects.create(debt=debt, guarantor=party_for(guarantor), **terms)
        owner = counsel[plan.owner]
        matter = matter_open(debt=debt, actor=owner, owner=owner)
        opened.append(matter.pk)
        proceeding = None
        # The firm is instructed just before the first step in court (or the first step at all).
        assign_before = next((i for i, (to, _) in enumerate(plan.moves) if to in COURT_STAGES), 0)
        for index, (to, reason) in enumerate(plan.moves):
            if index == assign_before and plan.firm is not None:
                _assign(matter, plan, firms, owner)
            # Once a firm with a demo lawyer holds the matter, its lawyer records the moves.
            actor = lawyer_of_firm.get(matter.assigned_firm_id, owner) if to != Stage.CLOSED else owner
            forum_id = forums.get(FORUMS.get((plan.creditor, to), ""))
            if forum_id is not None and matter.forum_id is None:
                # The forum is chosen when the claim is filed (an administrator may have retired it).
                matter = matter_set_forum(user=actor, matter_id=matter.pk, forum_id=forum_id)
            matter = matter_transition(
                user=actor, matter_id=matter.pk, to=to, note=rng.choice(MOVE_NOTES[to]), reason=reason
            )
            if to in PROCEEDING_OF_STAGE or (to == Stage.JUDGMENT and proceeding is not None):
                proceeding = _add_proceeding(matter, to, actor, proceeding, proceeding_rng)
        # From here to the handled deadlines nothing reads a deadline the steps change
        # (enforcement reads the ruling's dates first): one recomputation at the end.
        with deadlines_deferred():
            if plan.firm is not None and matter.assigned_firm_id is None:
                _assign(matter, plan, firms, owner)
            if any(to == Stage.ENFORCEMENT for to, _ in plan.moves):
                lawyer = lawyer_of_firm.get(matter.assigned_firm_id, owner)
                _add_enforcement(matter, plan.moves, lawyer, owner, enforcement_rng)
            if (Stage.CLOSED, ClosingReason.RECOVERED) in plan.moves:
                # Closed as recovered in full: the rest came in shortly before it was closed.
                paid_on = timezone.localdate() - dt.timedelta(days=enforcement_rng.randint(5, 40))
                _recover(matter, owner, matter_outstanding_total(matter), paid_on, "voluntary", "结清款", key="final")
            if plan.unassigned_at_end:
                matter_unassign_firm(user=owner, matter_id=matter.pk)
            matter_deadlines_recompute(matter_id=matter.pk)
        _close_handled_deadlines(matter, owner)
        if len(opened) % every == 0 or len(opened) == len(plans):
            say(f"演示数据：案件 {len(opened)}/{len(plans)} …")
    say("演示数据：律师函快递寄送与签收 …")
    with deadlines_deferred():
        _add_courier_letters(opened)
    say("演示数据：律师费、资产包转让与和解 …")
    # The money side reads no deadline: its matters are recomputed once, together.
    with deadlines_deferred():
        money = add_money_side(matter_ids=opened, firms=firms, users=by_name)
    say("演示数据：催收记录、还款承诺与投诉 …")
    with deadlines_deferred():
        money["contacts"] = add_collection_desk(matter_ids=opened, users=by_name)["contacts"]
    say("演示数据：债务人评估 …")
    money.update(add_reviews(matter_ids=opened, users=by_name))
    say("演示数据：催收方案与任务 …")
    money.update(add_playbooks(users=by_name))
    say("演示数据：时间线按案情日期排列，计算今日提醒 …")
    stamp_story_times(opened)
    party_keys_refresh(party_ids=[party.pk for party in parties.values()])
    notifications_refresh()
    # The recovery likelihood: a model if the story's history supports one, else the rules.
    say("演示数据：回收可能性评分 …")
    train_recovery_model()
    money["scored"] = score_all()["scored"]
    return SeedResult(
        created=True,
        counts={
            "creditors": len(creditors),
            "firms": len(firms),
            "users": len(users),
            "parties": len(parties),
            "matters": len(opened),
            **money,
        },
    )


# The proceeding a move to these stages starts; a judgment then ends it with a ruling.
PROCEEDING_OF_STAGE = {
    Stage.PRESERVATION: Proceeding.Kind.PRE_SUIT_PRESERVATION,
    Stage.LITIGATION: Proceeding.Kind.FIRST_INSTANCE,
    Stage.ARBITRATION: Proceeding.Kind.ARBITRATION,
}
# How the demo forums number their cases (the court codes are the courts' own).
CASE_NUMBER_FORMS = {
    "上海市浦东新区人民法院": ("（{year}）沪0115民初{n}号", "（{year}）沪0115财保{n}号"),
    "北京市朝阳区人民法院": ("（{year}）京0105民初{n}号", "（{year}）京0105财保{n}号"),
    "上海仲裁委员会": ("（{year}）沪仲案字第{n}号", ""),
    "北京仲裁委员会": ("（{year}）京仲案字第{n}号", ""),
}
JUDGES = ("李明", "张丽", "王磊", "陈晓燕", "刘洋", "周敏")
CLERKS = ("赵婷", "孙浩", "吴倩", "郑凯")
_case_serial = itertools.count(30001)


def _add_proceeding(matter: Matter, stage: str, actor: User, earlier: Proceeding | None, rng: random.Random):
    """Record what a move to ``stage`` means in court, through the same services a lawyer uses.

    Preservation and a filing get a proceeding (filed some weeks after the amounts'
    date, accepted a week later, the fee notice, service on the debtor, a hearing);
    a judgment gets the ruling's text, read by the ruling reader and confirmed with
    its service date, so the demo shows the appeal and enforcement deadlines.
    """
    start = matter.debt.amounts_as_of + dt.timedelta(days=rng.randint(15, 45))
    if stage == Stage.JUDGMENT:
        _add_judgment(matter, earlier, actor, rng)
        return earlier
    forum, debt = matter.forum, matter.debt
    kind = PROCEEDING_OF_STAGE[stage]
    form = CASE_NUMBER_FORMS.get(forum.name, ("", ""))[kind == Proceeding.Kind.PRE_SUIT_PRESERVATION] if forum else ""
    accepted = start + dt.timedelta(days=rng.randint(3, 9))
    preservation = kind == Proceeding.Kind.PRE_SUIT_PRESERVATION
    proceeding = proceeding_record(
        user=actor,
        matter_id=matter.pk,
        kind=kind,
        forum_id=forum.pk if forum and not preservation else None,
        case_number=form.format(year=accepted.year, n=next(_case_serial)) if form else "",
        filed_on=start,
        accepted_on=accepted,
        judge=rng.choice(JUDGES) if not preservation else "",
        clerk=rng.choice(CLERKS) if not preservation else "",
        fee_notice_received_on=accepted + dt.timedelta(days=2) if kind == Proceeding.Kind.FIRST_INSTANCE else None,
        measures_taken_on=accepted + dt.timedelta(days=3) if preservation else None,
    )
    if preservation:
        return proceeding
    # The filing read the deadlines it closes (it recomputed first); service and the
    # hearing read none: one recomputation after both.
    with deadlines_deferred():
        served = accepted + dt.timedelta(days=rng.randint(8, 25))
        if rng.random() < 0.15:  # the debtor could not be found: 公告送达
            service_record_add(
                user=actor, proceeding_id=proceeding.pk, party_id=debt.debtor_id,
                method=ServiceMethod.PUBLIC_NOTICE, published_on=served,
            )  # fmt: skip
        else:
            method = rng.choice((ServiceMethod.MAIL, ServiceMethod.ELECTRONIC, ServiceMethod.DIRECT))
            service_record_add(
                user=actor, proceeding_id=proceeding.pk, party_id=debt.debtor_id, method=method, served_on=served
            )
        hearing_day = accepted + dt.timedelta(days=rng.randint(40, 70))
        hearing_add(
            user=actor,
            proceeding_id=proceeding.pk,
            at=dt.datetime.combine(hearing_day, dt.time(9, 30), tzinfo=dt.timezone(dt.timedelta(hours=8))),
            place=f"第{rng.randint(1, 12)}法庭" if forum and forum.kind == "court" else "仲裁庭",
        )
    return proceeding


def _add_judgment(matter: Matter, proceeding: Proceeding | None, actor: User, rng: random.Random) -> None:
    if proceeding is None or proceeding.kind == Proceeding.Kind.PRE_SUIT_PRESERVATION or proceeding.accepted_on is None:
        return
    debt = matter.debt
    decided = proceeding.accepted_on + dt.timedelta(days=rng.randint(50, 90))
    award = proceeding.kind == Proceeding.Kind.ARBITRATION
    fees = court_fees(debt.claim_total)
    interest = debt.claim_total - debt.principal
    court = proceeding.forum.name if proceeding.forum else "上海市浦东新区人民法院"
    title = "裁 决 书" if award else "民 事 判 决 书"
    operative = (
        f"一、被申请人{debt.debtor.name}应于本裁决书送达之日起十日内向申请人偿还借款本金{debt.principal:,}元、"
        f"利息{interest:,}元；" if award else
        f"一、被告{debt.debtor.name}于本判决生效之日起十日内偿还原告借款本金{debt.principal:,}元、利息{interest:,}元；"
    )  # fmt: skip
    closing = (
        "本裁决为终局裁决，自作出之日起发生法律效力。"
        if award
        else f"案件受理费{fees.acceptance:,}元，减半收取计{fees.acceptance_simplified:,}元，由被告负担。\n"
        "如不服本判决，可以在判决书送达之日起十五日内，向本院递交上诉状，并按对方当事人的人数提出副本。"
    )
    text = "\n".join(
        [
            court,
            title,
            proceeding.case_number,
            f"{'申请人' if award else '原告'}：{debt.creditor.name}。",
            f"{'被申请人' if award else '被告'}：{debt.debtor.name}。",
            "本院认为，被告未按约定还款，已构成违约。判决如下：" if not award else "本庭裁决如下：",
            operative,
            "二、驳回其他请求。",
            closing,
            f"审判员　　{proceeding.judge or '李明'}",
            _chinese_date(decided),
            f"书记员　　{proceeding.clerk or '赵婷'}",
        ]
    )
    ruling = ruling_record(user=actor, matter_id=matter.pk, text=text, evidence_id=None)
    ruling_confirm(user=actor, ruling_id=ruling.pk, corrections={"served_on": decided + dt.timedelta(days=6)})


BANKS = ("招商银行", "中国工商银行", "中国建设银行", "中国农业银行", "交通银行", "中国银行")
ENFORCEMENT_CODES = {"上海市浦东新区人民法院": "沪0115", "北京市朝阳区人民法院": "京0105"}


def _add_enforcement(matter: Matter, moves, lawyer: User, owner: User, rng: random.Random) -> None:
    """What enforcement did in a demo file, through the same services the users call.

    The application after the performance period, its fees, a deposit freeze (renewed
    while it would have lapsed), sometimes a vehicle seized, money deducted; 终本 with
    a consumption restriction (and for some a 失信 listing) where the matter ended so;
    the rest paid in full where it was closed as recovered. Nothing after today.
    """
    today = timezone.localdate()
    ruling = matter.rulings.filter(confirmed=True).order_by("-confirmed_at").first()
    performance = matter.deadlines.filter(kind="performance_end", superseded_at__isnull=True).first()
    if ruling is None or performance is None:
        return
    applied = performance.due_on + dt.timedelta(days=rng.randint(5, 25))
    if applied >= today - dt.timedelta(days=30):
        return
    debt, forum = matter.debt, matter.forum
    court = forum.name if forum and forum.kind == "court" else ""
    code = ENFORCEMENT_CODES.get(court)
    case_number = f"（{applied.year}）{code}执{next(_case_serial)}号" if code else ""
    accepted = applied + dt.timedelta(days=3)
    proceeding_record(
        user=lawyer, matter_id=matter.pk, kind=Proceeding.Kind.ENFORCEMENT, forum_id=forum.pk if court else None,
        case_number=case_number, filed_on=applied, accepted_on=accepted,
    )  # fmt: skip
    if ruling.acceptance_fee_charged:
        cost_record(
            user=owner, matter_id=matter.pk, kind="acceptance_fee", amount=ruling.acceptance_fee_charged,
            incurred_on=ruling.decided_on or applied, note="判决由被告负担的案件受理费",
        )  # fmt: skip
    cost_record(
        user=owner, matter_id=matter.pk, kind="enforcement_fee", amount=court_fees(debt.claim_total).enforcement,
        incurred_on=accepted, notice_received_on=accepted, note="执行案件受理通知书",
    )  # fmt: skip
    started = accepted + dt.timedelta(days=rng.randint(7, 30))
    if started >= today:
        return
    account = "".join(str(rng.randint(0, 9)) for _ in range(19))
    freeze = enforcement_action_record(
        user=lawyer, matter_id=matter.pk, kind="freeze_deposit", court=court, case_number=case_number,
        started_on=started, amount=debt.claim_total, rank="first",
        new_asset={"kind": "bank_account", "description": f"{rng.choice(BANKS)} 尾号{account[-4:]}",
                   "identifier": account, "source": "court_search"},
    )  # fmt: skip
    while freeze.expires_on < today + dt.timedelta(days=rng.randint(10, 120)):
        freeze = enforcement_action_renew(
            user=lawyer, action_id=freeze.pk, started_on=freeze.expires_on - dt.timedelta(days=rng.randint(7, 20))
        )
    if rng.random() < 0.3:
        enforcement_action_record(
            user=lawyer, matter_id=matter.pk, kind="seize_movable", court=court, case_number=case_number,
            started_on=started + dt.timedelta(days=rng.randint(5, 20)), rank=rng.choice(("first", "waiting")),
            new_asset={"kind": "vehicle", "description": "小型轿车（车牌见编号）", "source": "court_search",
                       "identifier": f"沪A{rng.randint(10000, 99999)}",
                       "estimated_value": Decimal(rng.randint(3, 12) * 10000)},
        )  # fmt: skip
    deducted_on = started + dt.timedelta(days=rng.randint(10, 40))
    if deducted_on < today:
        share = Decimal(rng.randint(5, 40)) / 100
        amount = min((debt.claim_total * share).quantize(FEN), matter_outstanding_total(matter))
        _recover(matter, owner, amount, deducted_on, "enforcement", f"扣划 {case_number}".strip(), key="deduction")
    stages = [to for to, _ in moves]
    if Stage.ENFORCEMENT_TERMINATED in stages:
        ended = started + dt.timedelta(days=rng.randint(100, 200))
        if ended < today:
            enforcement_action_record(
                user=lawyer, matter_id=matter.pk, kind="consumption_restriction", court=court,
                case_number=case_number, started_on=started + dt.timedelta(days=30),
            )  # fmt: skip
            if rng.random() < 0.5:
                enforcement_action_record(
                    user=lawyer, matter_id=matter.pk, kind="dishonest_listing", court=court,
                    case_number=case_number, started_on=started + dt.timedelta(days=45), listing_ground=2,
                )  # fmt: skip
            enforcement_action_record(
                user=lawyer, matter_id=matter.pk, kind="termination_current", court=court,
                case_number=case_number, started_on=ended,
            )  # fmt: skip


def matter_outstanding_total(matter: Matter) -> Decimal:
    matter.refresh_from_db()
    return matter.outstanding["total"]


def _recover(matter: Matter, user: User, amount: Decimal, on: dt.date, source: str, reference: str, *, key: str):
    if amount <= 0:
        return
    digest = recovery_body_digest(amount=amount, received_on=on, source=source, reference=reference)
    recovery_record(
        user=user, matter_id=matter.pk, idempotency_key=f"demo-{matter.number}-{key}", amount=amount,
        received_on=on, source=source, reference=reference, body_digest=digest,
    )  # fmt: skip


# Court steps long past were dealt with in a real file: the demo closes them, as the
# lawyer would have, so the deadline pages show what is still to do. Limitation and
# guarantee periods stay as computed (they are the risks the watch is for).
HANDLED_KINDS = {
    "appeal",
    "judgment_effective",
    "performance_end",
    "fee_payment",
    "pre_suit_preservation_lapse",
    "termination_follow_up",
}
HANDLED_BEFORE_DAYS = 21


def _close_handled_deadlines(matter: Matter, owner: User) -> None:
    before = timezone.localdate() - dt.timedelta(days=HANDLED_BEFORE_DAYS)
    handled = matter.deadlines.filter(
        kind__in=HANDLED_KINDS, status="open", superseded_at__isnull=True, due_on__lt=before
    )
    for deadline in handled:
        deadline_complete(user=owner, deadline_id=deadline.pk, status="done", reason="已按期处理")
    if matter.stage in (Stage.ENFORCEMENT, Stage.ENFORCEMENT_TERMINATED):
        applied = matter.deadlines.filter(kind="enforcement_application", status="open", superseded_at__isnull=True)
        for deadline in applied:
            deadline_complete(user=owner, deadline_id=deadline.pk, status="done", reason="已申请强制执行")


_CN_DIGITS = "〇一二三四五六七八九"


def _chinese_date(day: dt.date) -> str:
    """二〇二六年三月二日, as judgments sign off."""

    def small(n: int) -> str:
        tens, ones = divmod(n, 10)
        return ("" if tens < 2 else _CN_DIGITS[tens]) + ("十" if tens else "") + (_CN_DIGITS[ones] if ones else "")

    year = "".join(_CN_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{small(day.month)}月{small(day.day)}日"


DEMAND_NOTES = {
    "phone": "电话催收，债务人承诺月底还款",
    "sms": "短信催收，运营商送达回执",
    "letter": "催收函EMS寄送，已签收",
    "visit": "上门催收，债务人本人签收催收通知书",
}


def _add_demands(debt: Debt, rng: random.Random) -> None:
    """Zero to three demands after default; most delivered (they interrupt limitation)."""
    span = (debt.amounts_as_of - debt.overdue_since).days
    if span < 10:
        return
    days = sorted(rng.sample(range(5, span), k=min(rng.choice((0, 1, 1, 2, 3)), span - 5)))
    for day in days:
        channel = rng.choice(tuple(DEMAND_NOTES))
        delivered = rng.random() < 0.8
        note = DEMAND_NOTES[channel] if delivered else "未能联系到债务人"
        DemandRecord.objects.create(
            debt=debt, date=debt.overdue_since + dt.timedelta(days=day), channel=channel, delivered=delivered, note=note
        )


# Letters sent by courier after escalation (issue 18), one of each outcome LEGAL_RULES
# Part 2 B.3 distinguishes: (days before today sent, address kind, courier, events as
# (status, days after sending, hour, note)).
COURIER_LETTERS = (
    ("domicile", "ems", (("accepted", 0, 16, ""), ("in_transit", 1, 8, ""), ("signed", 3, 10, "本人签收"))),
    ("service_address", "sf", (("accepted", 0, 17, ""), ("in_transit", 1, 9, ""), ("refused", 2, 11, "收件人拒收"))),
    ("domicile", "ems", (("accepted", 0, 15, ""), ("in_transit", 1, 7, ""), ("returned", 6, 14, "查无此人，退回"))),
)


def _add_courier_letters(opened: list[int]) -> None:
    """A 律师函 sent by courier on three matters not yet in court: signed for, refused at the
    agreed service address (delivered), returned from the domicile (not delivered, flagged)."""
    candidates = Matter.objects.filter(
        pk__in=opened, stage__in=[Stage.INTAKE, Stage.PRE_LITIGATION], owner__isnull=False
    ).select_related("debt__debtor", "owner").order_by("pk")[: len(COURIER_LETTERS)]
    today = timezone.localdate()
    for serial, (matter, (address_kind, courier, events)) in enumerate(zip(candidates, COURIER_LETTERS), start=1):
        sent = today - dt.timedelta(days=20 + 7 * serial)
        debtor = matter.debt.debtor
        address = (debtor.service_address if address_kind == "service_address" else "") or debtor.address
        waybill = f"EA{8800000 + serial:09d}CN" if courier == "ems" else f"SF{1400000000 + serial:012d}"
        demand, _created = demand_record(
            user=matter.owner,
            matter_id=matter.pk,
            date=sent,
            channel="letter",
            address_kind=address_kind,
            address=address,
            courier=courier,
            waybill=waybill,
            note="律师函（催收函）",
        )
        for status, after, hour, note in events:
            at = timezone.make_aware(dt.datetime.combine(sent + dt.timedelta(days=after), dt.time(hour, 5)))
            demand_track(user=matter.owner, demand_id=demand.pk, status=status, at=at, note=note, source="import")


def _assign(matter: Matter, plan: MatterPlan, firms: list[LawFirm], owner: User) -> None:
    if plan.earlier_firm is not None:
        matter_assign_firm(user=owner, matter_id=matter.pk, firm_id=firms[plan.earlier_firm].pk)
    matter_assign_firm(user=owner, matter_id=matter.pk, firm_id=firms[plan.firm].pk)
    matter.refresh_from_db(fields=["assigned_firm"])
