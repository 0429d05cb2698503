"""The parties a ruling binds (API.md v1.1 ``bound_parties``): from the reading, corrected at confirmation.

A ruling's ``RulingParty`` rows say whom the instrument orders to pay and how (principal,
joint, supplementary, several, limited to an amount). The reader gives names; they are
matched here to the matter's debtor and guarantors, the only parties a matter records.
A confirmation may replace the list (``{"bound_parties": [{"party": 52, "liability":
"joint"}]}``); the enforcement filings name exactly the parties of the matter's latest
confirmed ruling (``enforcement_bound``), and none is generated while it binds nobody.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from legalcase.models import Matter, Party, Ruling, RulingParty
from legalcase.money import FEN

LIABILITY_LABELS = {
    RulingParty.Liability.PRINCIPAL: "",
    RulingParty.Liability.JOINT: "承担连带清偿责任",
    RulingParty.Liability.SUPPLEMENTARY: "对债务人财产依法强制执行后仍不能履行的部分承担补充清偿责任",
    RulingParty.Liability.SEVERAL: "承担按份清偿责任",
    RulingParty.Liability.LIMITED: "在限额内承担清偿责任",
}
NO_INSTRUMENT = "没有已确认的生效法律文书（请上传判决书、调解书或裁决书并确认）"
NOBODY_BOUND = "已确认的生效法律文书未载明被执行人（请在确认文书时填写文书判令履行的当事人）"


def matter_parties(matter: Matter) -> dict[int, str]:
    """The matter's parties a ruling may bind: {party id: role}, the debtor first."""
    debt = matter.debt
    parties = {debt.debtor_id: RulingParty.Role.DEBTOR}
    for guarantee in debt.guarantees.all():
        parties.setdefault(guarantee.guarantor_id, RulingParty.Role.GUARANTOR)
    return parties


def bound_parties_from_reading(*, ruling: Ruling, read: tuple | list | None) -> list[RulingParty]:
    """Replace the ruling's bound parties with those read, matched by name to the matter's parties.

    A name that matches no party of the matter (a co-defendant the matter does not
    record) is kept in the reading only.
    """
    roles = matter_parties(ruling.matter)
    by_name = {party.name: party for party in Party.objects.filter(pk__in=roles)}
    ruling.bound_parties.all().delete()
    rows = []
    for item in read or ():
        party = by_name.get(item["name"])
        if party is None:
            continue
        rows.append(
            RulingParty(
                ruling=ruling,
                party=party,
                role=roles[party.pk],
                liability=item["liability"],
                limit=item.get("limit"),
            )
        )
    return RulingParty.objects.bulk_create(rows)


def _limit(value: Any, index: int) -> Decimal:
    try:
        limit = Decimal(str(value)).quantize(FEN)
    except (InvalidOperation, ValueError):
        raise ValidationError({"bound_parties": [f"第{index}项：限额不是金额"]}) from None
    if limit <= 0:
        raise ValidationError({"bound_parties": [f"第{index}项：限额必须大于零"]})
    return limit


def bound_parties_corrected(*, ruling: Ruling, items: Any) -> tuple[list[dict], list[dict]]:
    """Replace the ruling's bound parties with a person's list; (old, new) as JSON for the timeline.

    Each item names a party of the matter (its debtor or a guarantor) once, with a
    liability; ``limited`` needs a ``limit`` above zero, the others take none. The role
    follows from the party (the debtor or a guarantor); ``principal`` is the default for
    the debtor, ``joint`` for a guarantor. Raises ``ValidationError`` on ``bound_parties``.
    """
    if not isinstance(items, list):
        raise ValidationError({"bound_parties": ["应为当事人列表"]})
    roles = matter_parties(ruling.matter)
    seen: set[int] = set()
    rows = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("party"), int) or isinstance(item.get("party"), bool):
            raise ValidationError({"bound_parties": [f"第{index}项：缺少当事人（party）"]})
        party_id = item["party"]
        if party_id not in roles:
            raise ValidationError({"bound_parties": [f"第{index}项：当事人 {party_id} 不是本案的债务人或保证人"]})
        if party_id in seen:
            raise ValidationError({"bound_parties": [f"第{index}项：当事人 {party_id} 重复"]})
        seen.add(party_id)
        role = roles[party_id]
        default = RulingParty.Liability.PRINCIPAL if role == RulingParty.Role.DEBTOR else RulingParty.Liability.JOINT
        liability = item.get("liability") or default
        if liability not in RulingParty.Liability.values:
            raise ValidationError({"bound_parties": [f"第{index}项：未知的责任类型 {liability}"]})
        limit = None
        if liability == RulingParty.Liability.LIMITED:
            if item.get("limit") in (None, ""):
                raise ValidationError({"bound_parties": [f"第{index}项：限额责任须填写限额（limit）"]})
            limit = _limit(item["limit"], index)
        elif item.get("limit") not in (None, ""):
            raise ValidationError({"bound_parties": [f"第{index}项：只有限额责任（limited）填写限额"]})
        rows.append(RulingParty(ruling=ruling, party_id=party_id, role=role, liability=liability, limit=limit))
    old = bound_parties_json(ruling)
    ruling.bound_parties.all().delete()
    RulingParty.objects.bulk_create(rows)
    return old, bound_parties_json(ruling)


def bound_parties_json(ruling: Ruling) -> list[dict]:
    """``[{"party", "name", "role", "liability", "limit"}]`` as the API answers them."""
    return [
        {
            "party": row.party_id,
            "name": row.party.name,
            "role": row.role,
            "liability": row.liability,
            "limit": str(row.limit) if row.limit is not None else None,
        }
        for row in ruling.bound_parties.select_related("party").order_by("id")
    ]


def confirmed_instrument(matter: Matter) -> Ruling | None:
    """The matter's latest confirmed ruling (the effective instrument the filings rest on)."""
    # As ``claims.enforcement_application_amounts`` chooses it; through the related
    # manager, so a caller building many contexts can prefetch it.
    confirmed = [r for r in matter.rulings.all() if r.confirmed and r.confirmed_at is not None]
    return max(confirmed, key=lambda r: (r.confirmed_at, r.pk), default=None)


def enforcement_bound(matter: Matter) -> tuple[list[RulingParty], str | None]:
    """The parties the confirmed instrument binds, the debtor first; and why none can be named."""
    ruling = confirmed_instrument(matter)
    if ruling is None:
        return [], NO_INSTRUMENT
    rows = sorted(
        ruling.bound_parties.all(),  # prefetched with their parties by with_filing_data
        key=lambda row: (row.role != RulingParty.Role.DEBTOR, row.pk),
    )
    return rows, (None if rows else NOBODY_BOUND)
