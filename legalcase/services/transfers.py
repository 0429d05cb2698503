"""Portfolios (资产包) and the transfer of their claims to a new creditor (债权转让).

A transfer changes who holds each debt from ``effective_on`` and keeps the chain: one
``ClaimTransfer`` row per debt and step (append-only), the first lender kept as
``Debt.original_creditor``. The newspaper announcement that tells the debtors of the
assignment (民法典 Art. 546) also demands payment, so it is recorded on each debt as a
delivered ``public_notice`` demand naming the newspaper, which interrupts limitation
(诉讼时效规定 Art. 8, 民法典 Art. 195) where the paper is national or of the debtor's
province (``legalcase.notices``); the deadlines are then recomputed so the limitation
date moves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import require, visible_matters
from legalcase.events import record_audit, record_event
from legalcase.identity import IdentityError, validate_uscc
from legalcase.models import (
    MONEY,
    AuditAction,
    ClaimTransfer,
    Creditor,
    Debt,
    DemandChannel,
    DemandRecord,
    EventKind,
    Matter,
    Portfolio,
    PortfolioTransfer,
    Proceeding,
    Stage,
    User,
    holiday_calendar,
)
from legalcase.services.deadlines import matter_deadlines_recompute

ZERO = Decimal("0.00")
ENFORCEMENT_STAGES = (Stage.ENFORCEMENT, Stage.ENFORCEMENT_TERMINATED)
ENFORCEMENT_PROCEEDINGS = (
    Proceeding.Kind.ENFORCEMENT,
    Proceeding.Kind.RESUMED_ENFORCEMENT,
    Proceeding.Kind.NOTARIAL_ENFORCEMENT,
)
ANNOUNCEMENT = "债权转让暨催收公告"
# How a step's ``notice`` names the announcement; ``announcement_newspaper`` reads it back.
NOTICE_PREFIX, NOTICE_SUFFIX = "《", "》公告"
NAME_MAX = Portfolio._meta.get_field("name").max_length
AGREEMENT_MAX = PortfolioTransfer._meta.get_field("agreement").max_length
NEWSPAPER_MAX = PortfolioTransfer._meta.get_field("newspaper").max_length


@dataclass
class TransferResult:
    """What ``portfolio_transfer`` did: the transfer, the matters moved, those where enforcement is under way.

    ``change_of_applicant_ids`` are the matters for which a 变更申请执行人申请书 is offered.
    """

    transfer: PortfolioTransfer
    matter_ids: list[int] = field(default_factory=list)
    change_of_applicant_ids: list[int] = field(default_factory=list)


# --- Reading --------------------------------------------------------------------------


def _money_sum(expression) -> Coalesce:
    output = DecimalField(**MONEY)
    return Coalesce(Sum(ExpressionWrapper(expression, output_field=output)), Value(ZERO), output_field=output)


def portfolios_with_totals() -> QuerySet[Portfolio]:
    """Portfolios with their matter count, claim total and recovered total (one query)."""
    claim = sum((F(f"debts__{name}") for name in Debt.AMOUNT_FIELDS[1:]), F(f"debts__{Debt.AMOUNT_FIELDS[0]}"))
    recovered = (
        F("debts__matter__recovered_costs") + F("debts__matter__recovered_interest")
        + F("debts__matter__recovered_principal")
    )  # fmt: skip
    return Portfolio.objects.select_related("holder").annotate(
        matter_count=Count("debts__matter"),
        claim_total=_money_sum(claim),
        recovered_total=_money_sum(recovered),
    )


def recovery_rate(portfolio: Portfolio) -> Decimal | None:
    """Recovered as a fraction of the claim (0.1234), None for an empty portfolio."""
    if not portfolio.claim_total:
        return None
    return (portfolio.recovered_total / portfolio.claim_total).quantize(Decimal("0.0001"))


def enforcement_under_way(matter_ids) -> list[int]:
    """Of these matters, those in enforcement (or 终本) or with an enforcement proceeding recorded."""
    ids = list(matter_ids)
    found = Matter.objects.filter(
        Q(stage__in=ENFORCEMENT_STAGES) | Q(proceedings__kind__in=ENFORCEMENT_PROCEEDINGS), pk__in=ids
    ).values_list("pk", flat=True)
    return sorted(set(found))


def transfer_matter_ids(transfer: PortfolioTransfer) -> list[int]:
    """The matters whose debts this transfer moved."""
    return sorted(Matter.objects.filter(debt__transfers__transfer=transfer).values_list("pk", flat=True))


def claim_chain(debt: Debt) -> list[ClaimTransfer]:
    """Every step of the debt's chain of creditors, oldest first."""
    steps = debt.transfers.select_related("from_creditor", "to_creditor", "transfer__portfolio")
    return sorted(steps, key=lambda step: (step.effective_on, step.pk))


def announcement_notice(newspaper: str) -> str:
    """A step's ``notice`` when the debtors were told by a newspaper announcement: 《上海法治报》公告."""
    return f"{NOTICE_PREFIX}{newspaper}{NOTICE_SUFFIX}"


def announcement_newspaper(notice: str) -> str:
    """The newspaper a step's ``notice`` names, "" when the notice was no announcement."""
    if (
        notice.startswith(NOTICE_PREFIX)
        and notice.endswith(NOTICE_SUFFIX)
        and len(notice) > len(NOTICE_PREFIX + NOTICE_SUFFIX)
    ):
        return notice[len(NOTICE_PREFIX) : -len(NOTICE_SUFFIX)]
    return ""


# --- Portfolios ----------------------------------------------------------------------


def portfolio_get(portfolio_id, *, lock: bool = False) -> Portfolio:
    """The portfolio, or 404."""
    portfolios = Portfolio.objects.select_for_update() if lock else Portfolio.objects
    try:
        return portfolios.get(pk=int(portfolio_id))
    except (Portfolio.DoesNotExist, TypeError, ValueError):
        raise Http404("portfolio not found") from None


def _audit(user: User, portfolio: Portfolio, detail: dict) -> None:
    record_audit(
        actor=user,
        action=AuditAction.PORTFOLIO_CHANGED,
        target=portfolio.name,
        detail={"portfolio": portfolio.pk, **detail},
    )


@transaction.atomic
def portfolio_create(*, user: User, name: str, holder_id: int | None = None, description: str = "") -> Portfolio:
    """Create a portfolio (资产包), optionally with the creditor that holds it now."""
    require(user, "transfer_claims")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the portfolio a name.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("At most %(max)s characters.") % {"max": NAME_MAX}})
    if Portfolio.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A portfolio with this name already exists.")})
    holder = None
    if holder_id is not None:
        holder = Creditor.objects.filter(pk=holder_id).first()
        if holder is None:
            raise ValidationError({"holder_id": _("No such creditor.")})
    portfolio = Portfolio.objects.create(name=name, holder=holder, description=(description or "").strip())
    _audit(user, portfolio, {"created": True, "holder": holder.name if holder else None})
    return portfolio


def _matter_ids(raw, field_name: str = "matter_ids") -> list[int]:
    if not isinstance(raw, (list, tuple)) or not raw:
        raise ValidationError({field_name: _("Choose at least one matter.")})
    try:
        ids = list(dict.fromkeys(int(value) for value in raw if not isinstance(value, bool)))
    except (TypeError, ValueError):
        raise ValidationError({field_name: _("Matter ids must be whole numbers.")}) from None
    if len(ids) != len(raw) or not all(0 < pk < 2**63 for pk in ids):
        raise ValidationError({field_name: _("Some matter ids are wrong or repeated.")})
    return ids


def _refuse_unseen(user: User, ids: list[int], matters: QuerySet[Matter]) -> None:
    seen = set(matters.values_list("pk", flat=True))
    refused = [pk for pk in ids if pk not in seen]
    if refused:
        raise ValidationError(
            {"matter_ids": _("Matters not found or not yours: %(ids)s") % {"ids": ", ".join(map(str, refused))}}
        )


@transaction.atomic
def portfolio_add_matters(*, user: User, portfolio_id: int, matter_ids) -> list[int]:
    """Put matters' debts into the portfolio; return the ids of the matters added (those already in it are skipped).

    A matter the user cannot see refuses the whole request, naming it, and nothing is stored.
    """
    require(user, "transfer_claims")
    portfolio = portfolio_get(portfolio_id, lock=True)
    ids = _matter_ids(matter_ids)
    _refuse_unseen(user, ids, visible_matters(user).filter(pk__in=ids))
    _lock_debts(ids)
    matters = list(
        Matter.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("debt__portfolio")
        .order_by("pk")
    )
    added = []
    for matter in matters:
        debt = matter.debt
        if debt.portfolio_id == portfolio.pk:
            continue
        before = debt.portfolio.name if debt.portfolio_id else None
        debt.portfolio = portfolio
        debt.save(update_fields=["portfolio"])
        record_event(
            matter=matter,
            actor=user,
            kind=EventKind.UPDATED,
            old={"portfolio": before},
            new={"portfolio": portfolio.name},
        )
        added.append(matter.pk)
    _audit(user, portfolio, {"matters_added": added})
    return added


# --- Transfers -----------------------------------------------------------------------


def _lock_debts(matter_ids: list[int]) -> None:
    """Lock the matters' debts before the matters, in the order the escalation service takes them (no deadlock)."""
    debts = Debt.objects.select_for_update(of=("self",)).filter(matter__pk__in=matter_ids)
    list(debts.order_by("pk").values_list("pk", flat=True))


def _assignee(data) -> tuple[dict, str]:
    """The assignee's fields, checked; raise naming the field."""
    data = data if isinstance(data, dict) else {}
    name = str(data.get("name") or "").strip()
    if not name:
        raise ValidationError({"to_creditor_name": _("Give the assignee's name.")})
    try:
        uscc = validate_uscc(str(data.get("uscc") or "").strip())
    except IdentityError as exc:
        raise ValidationError({"to_creditor_uscc": str(exc)}) from None
    fields = {
        "name": name[:200],
        "address": str(data.get("address") or "").strip()[:300],
        "representative": str(data.get("representative") or "").strip()[:100],
    }
    return fields, uscc


def _check_dates(*, effective_on: dt.date, announced_on: dt.date | None, newspaper: str, today: dt.date) -> None:
    if not isinstance(effective_on, dt.date):
        raise ValidationError({"effective_on": _("Give the date the assignee became the creditor.")})
    if effective_on > today:
        raise ValidationError({"effective_on": _("A transfer cannot take effect in the future.")})
    if announced_on is None:
        if newspaper:
            raise ValidationError({"announced_on": _("Give the date the announcement was published.")})
        return
    if not newspaper:
        raise ValidationError({"newspaper": _("Name the newspaper that published the announcement.")})
    if len(newspaper) > NEWSPAPER_MAX:
        raise ValidationError({"newspaper": _("At most %(max)s characters.") % {"max": NEWSPAPER_MAX}})
    if announced_on < effective_on:
        raise ValidationError({"announced_on": _("The announcement cannot come before the transfer takes effect.")})
    if announced_on > today:
        raise ValidationError({"announced_on": _("An announcement cannot be published in the future.")})


@transaction.atomic
def portfolio_transfer(
    *,
    user: User,
    portfolio_id: int,
    to_creditor: dict,
    effective_on: dt.date,
    agreement: str,
    newspaper: str = "",
    announced_on: dt.date | None = None,
    matter_ids=None,
    note: str = "",
) -> TransferResult:
    """Transfer the portfolio's claims (all, or the matters named) to ``to_creditor`` from ``effective_on``.

    Every chosen debt must be held by one creditor, the assignor, other than the
    assignee. Each debt gets a ``ClaimTransfer`` step; its ``original_creditor`` stays the
    first lender (set to the assignor only when empty) and its creditor becomes the
    assignee, who becomes the portfolio's holder. A published announcement is the
    notice to the debtors (民法典 Art. 546) and a demand that interrupts limitation
    (诉讼时效规定 Art. 8) for the debtors whose province it reaches (a national paper, or
    their own province's): a delivered ``public_notice`` demand on each debt, once per
    day. One transaction: on any error nothing is stored.

    The deadlines are recomputed matter by matter (a few queries each): fine for the
    portfolios of a few thousand debts this is written for; a bigger one would want
    ``deadlines_recompute_all``'s batches.
    """
    require(user, "transfer_claims")
    today = timezone.localdate()
    portfolio = portfolio_get(portfolio_id, lock=True)
    assignee_fields, uscc = _assignee(to_creditor)
    agreement = (agreement or "").strip()
    if not agreement:
        raise ValidationError({"agreement": _("Name the assignment agreement and its number.")})
    if len(agreement) > AGREEMENT_MAX:
        raise ValidationError({"agreement": _("At most %(max)s characters.") % {"max": AGREEMENT_MAX}})
    newspaper = (newspaper or "").strip()
    _check_dates(effective_on=effective_on, announced_on=announced_on, newspaper=newspaper, today=today)

    in_portfolio = visible_matters(user).filter(debt__portfolio=portfolio)
    if matter_ids is None:
        ids = list(in_portfolio.order_by("pk").values_list("pk", flat=True))
        if not ids:
            raise ValidationError({"matter_ids": _("The portfolio has no matters to transfer.")})
    else:
        ids = _matter_ids(matter_ids)
        _refuse_unseen(user, ids, in_portfolio.filter(pk__in=ids))
    _lock_debts(ids)
    matters = list(
        Matter.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, debt__portfolio=portfolio)
        .select_related("debt__creditor", "debt__original_creditor")
        .order_by("pk")
    )
    if len(matters) != len(ids):
        # Another user moved one of them out of the portfolio meanwhile.
        raise ValidationError({"matter_ids": _("The portfolio changed while the transfer was prepared: try again.")})
    assignors = {matter.debt.creditor_id for matter in matters}
    if len(assignors) != 1:
        raise ValidationError(
            {
                "matter_ids": _(
                    "The chosen debts are held by more than one creditor: transfer each creditor's separately."
                )
            }
        )
    assignor = matters[0].debt.creditor
    last_step = (
        ClaimTransfer.objects.filter(debt__matter__in=ids)
        .order_by("-effective_on")
        .values_list("effective_on", flat=True)
        .first()
    )
    if last_step is not None and effective_on < last_step:
        raise ValidationError(
            {
                "effective_on": _(
                    "A debt here was last transferred on %(date)s: this transfer cannot take effect earlier."
                )
                % {"date": last_step.isoformat()}
            }
        )
    if assignor.uscc == uscc:
        raise ValidationError({"to_creditor_uscc": _("The assignee already holds these debts.")})
    clash = Debt.objects.filter(
        creditor__uscc=uscc, account_number__in=[matter.debt.account_number for matter in matters]
    ).exists()
    if clash:
        raise ValidationError(
            {"matter_ids": _("The assignee already holds a debt with the same account number as one of these.")}
        )
    assignee, _created = Creditor.objects.get_or_create(uscc=uscc, defaults=assignee_fields)

    transfer = PortfolioTransfer.objects.create(
        portfolio=portfolio,
        from_creditor=assignor,
        to_creditor=assignee,
        effective_on=effective_on,
        agreement=agreement,
        newspaper=newspaper,
        announced_on=announced_on,
        note=(note or "").strip(),
        created_by=user,
    )
    notice = announcement_notice(newspaper) if announced_on else ""
    calendar = holiday_calendar()
    for matter in matters:
        _transfer_debt(user=user, matter=matter, transfer=transfer, notice=notice, calendar=calendar)
    before = portfolio.holder.name if portfolio.holder_id else None
    # The holder changes when the whole portfolio went; part of it leaves the holder as it was.
    if not portfolio.debts.exclude(creditor=assignee).exists():
        portfolio.holder = assignee
        portfolio.save(update_fields=["holder"])
    matter_ids = [matter.pk for matter in matters]
    _audit(
        user,
        portfolio,
        {
            "transfer": transfer.pk,
            "holder": {"old": before, "new": assignee.name},
            "effective_on": effective_on.isoformat(),
            "matters": len(matter_ids),
        },
    )
    return TransferResult(
        transfer=transfer, matter_ids=matter_ids, change_of_applicant_ids=enforcement_under_way(matter_ids)
    )


def _transfer_debt(*, user: User, matter: Matter, transfer: PortfolioTransfer, notice: str, calendar) -> None:
    debt = matter.debt
    assignor, assignee = transfer.from_creditor, transfer.to_creditor
    ClaimTransfer.objects.create(
        debt=debt,
        transfer=transfer,
        from_creditor=assignor,
        to_creditor=assignee,
        effective_on=transfer.effective_on,
        agreement=transfer.agreement,
        notified_on=transfer.announced_on,
        notice=notice,
        created_by=user,
    )
    if debt.original_creditor_id is None:
        debt.original_creditor = assignor
    debt.creditor = assignee
    debt.save(update_fields=["creditor", "original_creditor"])
    demand_recorded = False
    if transfer.announced_on:
        demand, demand_recorded = DemandRecord.objects.get_or_create(
            debt=debt,
            date=transfer.announced_on,
            channel=DemandChannel.PUBLIC_NOTICE,
            defaults={
                "delivered": True,
                "outlet": transfer.newspaper,
                "note": f"《{transfer.newspaper}》刊登{ANNOUNCEMENT}",
            },
        )
        if not demand.delivered:
            # A notice of that day recorded as not delivered: the published announcement is proof it was.
            demand.delivered = True
            demand.outlet = demand.outlet or transfer.newspaper
            demand.note = f"{demand.note}；《{transfer.newspaper}》刊登{ANNOUNCEMENT}".lstrip("；")
            demand.save(update_fields=["delivered", "outlet", "note"])
            demand_recorded = True
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.CLAIM_TRANSFERRED,
        old={"creditor": assignor.name},
        new={
            "creditor": assignee.name,
            "portfolio_transfer_id": transfer.pk,
            "effective_on": transfer.effective_on.isoformat(),
            "agreement": transfer.agreement,
            "original_creditor": debt.original_creditor.name,
            "announced_on": transfer.announced_on.isoformat() if transfer.announced_on else None,
            "newspaper": transfer.newspaper,
            "demand_recorded": demand_recorded,
        },
        note=transfer.note,
    )
    matter_deadlines_recompute(matter_id=matter.pk, calendar=calendar)
