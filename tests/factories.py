"""Small factory functions for tests: each builds one valid object, overridable by keyword."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from legalcase.identity import build_resident_id, build_uscc
from legalcase.models import AmountStatement, Assignment, Creditor, Debt, LawFirm, Matter, Party, PartyPhone, Role, User
from legalcase.services import matter_open

_seq = itertools.count(1)

PASSWORD = "correct-horse-9"


def make_firm(name: str | None = None) -> LawFirm:
    return LawFirm.objects.create(name=name or f"测试律师事务所{next(_seq)}")


def make_user(role: str = Role.COUNSEL, *, firm: LawFirm | None = None, username: str | None = None) -> User:
    if role == Role.LAWYER and firm is None:
        firm = make_firm()
    user = User(username=username or f"{role}{next(_seq)}", role=role, firm=firm)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_creditor(**overrides) -> Creditor:
    n = next(_seq)
    fields = {
        "name": f"测试银行股份有限公司第{n}分行",
        "uscc": build_uscc(f"91110000MA{n:07d}"),
        "address": "北京市西城区金融大街1号",
        "representative": "王某",
    }
    return Creditor.objects.create(**{**fields, **overrides})


def make_party(name: str = "张三", **overrides) -> Party:
    n = next(_seq)
    sequence = overrides.pop("sequence", 2 * n + 1)
    fields = {
        "kind": Party.Kind.PERSON,
        "name": name,
        "id_number": build_resident_id(area_code="110105", birth_date=dt.date(1985, 3, 7), sequence=sequence),
        "gender": "male" if sequence % 2 else "female",
        "birth_date": dt.date(1985, 3, 7),
        "phone": f"138{n:08d}",
        "address": "北京市朝阳区建国路88号",
    }
    party = Party.objects.create(**{**fields, **overrides})
    if party.phone:
        PartyPhone.objects.create(party=party, number=party.phone)
    return party


def make_debt(*, debtor: Party | None = None, creditor: Creditor | None = None, **overrides) -> Debt:
    n = next(_seq)
    fields = {
        "creditor": creditor or make_creditor(),
        "debtor": debtor or make_party(),
        "product": "credit_card",
        "account_number": f"6225880{n:09d}",
        "contract_number": f"XYK-2021-{n:06d}",
        "amounts_as_of": dt.date(2025, 6, 30),
        "principal": Decimal("48230.55"),
        "interest": Decimal("3120.40"),
        "penalty_interest": Decimal("812.00"),
        "compound_interest": Decimal("95.10"),
        "late_fees": Decimal("300.00"),
        "fees": Decimal("0.00"),
        "overdue_since": dt.date(2024, 11, 5),
    }
    debt = Debt.objects.create(**{**fields, **overrides})
    AmountStatement.objects.create(debt=debt, **debt.statement_values())
    return debt


def make_matter(
    *, stage: str = "intake", firm: LawFirm | None = None, owner: User | None = None, debtor: Party | None = None, **debt
) -> Matter:
    matter = matter_open(debt=make_debt(debtor=debtor, **debt), actor=None, owner=owner)
    fields = ["stage"]
    matter.stage = stage
    if firm is not None:
        Assignment.objects.create(matter=matter, firm=firm)
        matter.assigned_firm = firm
        fields.append("assigned_firm")
    matter.save(update_fields=fields)
    return matter


def escalation_body(**overrides) -> dict:
    """API.md's example escalation (with a real guarantor), overridable by top-level key."""
    body = {
        "creditor": {
            "name": "某某银行股份有限公司信用卡中心",
            "uscc": "91310000MA1FL0099U",
            "address": "上海市浦东新区陆家嘴环路1号",
            "representative": "王某",
        },
        "original_creditor": None,
        "portfolio": None,
        "product": "credit_card",
        "account_number": "6225880012345678",
        "contract_number": "XYK-2021-000123",
        "contract_date": "2021-03-15",
        "debtor": {
            "name": "张三",
            "id_number": "110105199001011232",
            "gender": "male",
            "birth_date": "1990-01-01",
            "phone": "13812345678",
            "address": "北京市朝阳区建国路88号",
        },
        "guarantors": [
            {
                "name": "李四",
                "id_number": build_resident_id(area_code="110105", birth_date=dt.date(1988, 5, 20), sequence=124),
                "phone": "13987654321",
                "address": "北京市海淀区中关村大街1号",
                "guarantee_type": "joint",
                "guarantee_period_ends_on": None,
            }
        ],
        "amounts": {
            "as_of": "2025-06-30",
            "principal": "48230.55",
            "interest": "3120.40",
            "penalty_interest": "812.00",
            "compound_interest": "95.10",
            "late_fees": "300.00",
            "fees": "0.00",
        },
        "rates": {
            "annual_interest_rate": "0.1825",
            "penalty_rate": "0.27375",
            "compound_rate": "0.27375",
            "day_count": 360,
        },
        "overdue_since": "2024-11-05",
        "matured_on": None,
        "last_payment_date": "2024-10-28",
        "demands": [{"date": "2025-01-15", "channel": "sms", "delivered": True, "note": "短信送达回执 #88123"}],
    }
    return {**body, **overrides}


def make_forum(name: str | None = None, **overrides):
    """A court (a basic people's court unless told otherwise), active, with no address."""
    from legalcase.models import Forum

    n = next(_seq)
    fields = {"kind": Forum.Kind.COURT, "level": Forum.Level.BASIC, "region": "上海市测试区", "address": ""}
    return Forum.objects.create(name=name or f"上海市测试{n}区人民法院", **{**fields, **overrides})
