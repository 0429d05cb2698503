"""Complete before generating: what a filing made now would leave 【待补充】 and what fills it.

``filing_check`` computes, for a matter and a template, the markers a render now would
carry (the template's variables read from the filing context: the context prints a
marker only where the template would show it, so this equals a render's markers, which
tests/templates_docx/test_zero_markers.py proves for every shipped template) and maps
each through one registry (``RESOLVERS``: label → where the record holds it) to
``{"label", "method", "path", "field"}``, one entry per record to complete (two
guarantors without an address are two entries). ``path`` is None where nothing records
the element yet.

``filing_details_update`` is the one service for the facts only filings ask for
(``FilingDetails``: 合同签订地点, 合约条款提示说明, 解除条件, 保全担保, 执行通知书, 收件人).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from evidence.models import CrossExamination
from legalcase.access import access_matter
from legalcase.events import record_event
from legalcase.models import EventKind, Matter, Party, User
from templates_docx.context import current_lawyers, matter_context
from templates_docx.models import DocumentTemplate, FilingDetails
from templates_docx.pool import RenderFailed, render_pool
from templates_docx.services import template_fields

API = "/api/v1"


@dataclass(frozen=True)
class Target:
    """Where one missing element is recorded: an API call and the field of its body."""

    method: str | None
    path: str | None
    field: str | None

    def entry(self, label: str) -> dict:
        return {"label": label, "method": self.method, "path": self.path, "field": self.field}


NOWHERE = Target(None, None, None)


# Resolvers: each takes the matter and answers the targets (one per record to complete).
Resolver = Callable[[Matter], list[Target]]


def _matter(method: str, suffix: str, field: str) -> Resolver:
    return lambda matter: [Target(method, f"{API}/matters/{matter.pk}/{suffix}", field)]


def _details(field: str) -> Resolver:
    return _matter("PATCH", "filing-details/", field)


def _debt(field: str) -> Resolver:
    return _matter("PATCH", "debt/", field)


def _amounts(field: str) -> Resolver:
    return _matter("POST", "amounts/", field)


def _creditor(field: str) -> Resolver:
    return lambda matter: [Target("PATCH", f"{API}/creditors/{matter.debt.creditor_id}/", field)]


def _firm(field: str) -> Resolver:
    return lambda matter: (
        [Target("PATCH", f"{API}/firms/{matter.assigned_firm_id}/", field)] if matter.assigned_firm_id else [NOWHERE]
    )


def _debtor(field: str) -> Resolver:
    return lambda matter: [Target("PATCH", f"{API}/matters/{matter.pk}/parties/{matter.debt.debtor_id}/", field)]


def _guarantors(field: str, attribute: str) -> Resolver:
    """Each guarantor whose ``attribute`` is blank (every one when none is: the label may come from any)."""

    def resolve(matter: Matter) -> list[Target]:
        guarantees = sorted(matter.debt.guarantees.all(), key=lambda g: g.pk)
        lacking = [g for g in guarantees if _blank(_guarantee_value(g, attribute))] or guarantees
        return [Target("PATCH", f"{API}/matters/{matter.pk}/parties/{g.guarantor_id}/", field) for g in lacking]

    return resolve


def _guarantees(field: str) -> Resolver:
    def resolve(matter: Matter) -> list[Target]:
        guarantees = sorted(matter.debt.guarantees.all(), key=lambda g: g.pk)
        lacking = [g for g in guarantees if _blank(getattr(g, field))] or guarantees
        return [Target("PATCH", f"{API}/matters/{matter.pk}/guarantees/{g.guarantor_id}/", field) for g in lacking]

    return resolve


def _guarantee_value(guarantee, attribute: str):
    return getattr(guarantee.guarantor, attribute)


def _blank(value) -> bool:
    return value in (None, "")


def _forum_address(matter: Matter) -> list[Target]:
    if matter.forum_id:
        return [Target("PATCH", f"{API}/forums/{matter.forum_id}/", "address")]
    return [Target("POST", f"{API}/matters/{matter.pk}/forum/", "forum")]


def _proceeding(field: str, kinds: tuple[str, ...] | None = None) -> Resolver:
    """The latest proceeding (of ``kinds``) to correct, else a new one to record."""

    def resolve(matter: Matter) -> list[Target]:
        proceedings = [p for p in matter.proceedings.all() if kinds is None or p.kind in kinds]
        if proceedings:
            return [Target("PATCH", f"{API}/proceedings/{proceedings[-1].pk}/", field)]
        return [Target("POST", f"{API}/matters/{matter.pk}/proceedings/", field)]

    return resolve


ENFORCEMENT_KINDS = ("enforcement", "resumed_enforcement", "notarial_enforcement")
SUIT_KINDS = ("first_instance", "small_claims", "arbitration", "payment_order", "preservation", "appeal")
LAWYER_NOTE = "lawyers"

# Label → where the record holds it. Labels are those of ``templates_docx.context*``.
RESOLVERS: dict[str, Resolver] = {
    # The debtor and the guarantors (PATCH …/parties/{party_id}/).
    "被告出生日期": _debtor("birth_date"),
    "被告住所地": _debtor("address"),
    "被告法定代表人": _debtor("representative"),
    "保证人出生日期": _guarantors("birth_date", "birth_date"),
    "保证人住所地": _guarantors("address", "address"),
    "保证人法定代表人": _guarantors("representative", "representative"),
    "保证合同签订日期": _guarantees("guarantee_signed_on"),
    # The creditor (PATCH /creditors/{id}/).
    "原告住所地": _creditor("address"),
    "送达地址": _creditor("address"),
    "原告法定代表人/负责人": _creditor("representative"),
    "发卡机构客服电话": _creditor("service_phone"),
    "贷款机构联系电话": _creditor("service_phone"),
    # The assignment's lawyers and the firm.
    "代理律师姓名": _matter("PATCH", "assignment/", "lawyers[].name"),
    "代理律师执业证号": _matter("PATCH", "assignment/", "lawyers[].licence_number"),
    "律师事务所地址": _firm("address"),
    # The debt's terms (PATCH …/debt/).
    "借款合同编号": _debt("contract_number"),
    "合同签订日期": _debt("contract_date"),
    "办卡行": _debt("branch"),
    "贷款经办机构": _debt("branch"),
    "信用额度": _debt("loan_amount"),
    "借款金额": _debt("loan_amount"),
    "实际发放金额": _debt("loan_amount"),
    "办卡时间": _debt("disbursed_on"),
    "借款发放日期": _debt("disbursed_on"),
    "借款约定到期日": _debt("term_ends_on"),
    "合同利率": _debt("rates.annual_interest_rate"),
    "罚息利率": _debt("rates.penalty_rate"),
    "复利利率": _debt("rates.compound_rate"),
    # Repayments: a new statement of amounts (POST …/amounts/).
    "被告逾期部分已还金额": lambda m: _amounts("repaid_principal")(m) + _amounts("repaid_interest")(m),
    "已还本金": _amounts("repaid_principal"),
    "已还利息": _amounts("repaid_interest"),
    "还息截止日期": _amounts("interest_paid_to"),
    # What only filings ask (PATCH …/filing-details/, this app).
    "合同签订地点": _details("contract_place"),
    "合约主要条款提示说明的方式、时间及地点": _details("terms_notice"),
    "合约解除条件": _details("termination_terms"),
    "保全担保方式": _details("preservation_security"),
    "执行通知书送达日期": _details("notice_served_on"),
    "执行通知书履行期限": _details("notice_deadline"),
    "收件人": _details("service_recipient"),
    "收件人联系电话": _details("service_recipient_phone"),
    "受让人收款账户开户行": _details("collection_bank"),
    "受让人收款账号": _details("collection_account"),
    "执行款收款账户开户行": _details("payout_bank"),
    "执行款收款账号": _details("payout_account"),
    "执行款收款联系人": _details("payout_contact"),
    "执行款收款联系电话": _details("payout_phone"),
    # Evidence, assets, measures.
    "证据（尚未上传）": _matter("POST", "evidence/", "file"),
    "财产线索": _matter("POST", "assets/", "description"),
    "查封、冻结财产明细": _matter("POST", "enforcement-actions/", "kind"),
    # The forum and the proceedings.
    "管辖法院": _matter("POST", "forum/", "forum"),
    "法院地址": _forum_address,
    "仲裁机构地址": _forum_address,
    "执行法院": _proceeding("forum", ENFORCEMENT_KINDS),
    "执行案号": _proceeding("case_number", ENFORCEMENT_KINDS),
    "申请执行日期": _proceeding("filed_on", ENFORCEMENT_KINDS),
    "受理案号": _proceeding("case_number", SUIT_KINDS),
    # The effective instrument: a confirmed ruling (POST …/rulings/, then …/confirm/).
    **{
        label: _matter("POST", "rulings/", "file")
        for label in (
            "作出生效文书的法院",
            "生效文书种类",
            "生效文书案号",
            "文书作出日期",
            "生效日期",
            "履行期限届满日",
            "判决本金",
            "判决利息",
            "判决诉讼费",
            "判决总额",
            "诉讼费用",
            "迟延履行起算日",
            "迟延履行期间的债务利息",
            "迟延履行天数",
            "申请执行金额合计",
        )
    },
    # The settlement (POST …/settlements/).
    "和解协议签订日期": _matter("POST", "settlements/", "agreed_on"),
    "和解时欠款总额": _matter("POST", "settlements/", "agreed_on"),
    "减免金额": _matter("POST", "settlements/", "reduction"),
    "和解还款总额": _matter("POST", "settlements/", "instalments"),
    # The claim's assignment (POST …/transfers/).
    "债权转让日期": _matter("POST", "transfers/", "effective_on"),
    "债权转让通知方式": _matter("POST", "transfers/", "notice"),
    "债权转让协议名称及编号": _matter("POST", "transfers/", "agreement"),
    "债权转让通知日期": _matter("POST", "transfers/", "notified_on"),
    # Recorded with the measure when it is taken; no call corrects a measure afterwards.
    "查封法院": lambda m: [NOWHERE],
    "查封案号": lambda m: [NOWHERE],
    "终本裁定案号": lambda m: [NOWHERE],
    # The 质证意见 (PATCH /evidence/{id}/cross-examination/ records each item's; the page's evidence section).
    "质证记录": lambda m: _cross_examinations(m, "authenticity", only_examined=False)[:1] or [NOWHERE],
    "质证日期": lambda m: _cross_examinations(m, "examined_on"),
    "质证案件案号": lambda m: _cross_examinations(m, "proceeding"),
}
# Labels made from a record's own words.
PURPOSE = re.compile(r"^(?P<title>.+)的证明目的$")


def _evidence_purpose(matter: Matter, title: str) -> list[Target]:
    items = sorted(matter.evidence.all(), key=lambda item: (item.uploaded_at, item.pk))
    lacking = [item for item in items if item.title == title and not item.purpose]
    return [Target("PATCH", f"{API}/evidence/{item.pk}/", "purpose") for item in lacking] or [NOWHERE]


REPLY = re.compile(r"^对“(?P<title>.+)”质证意见的回应$")


def _cross_examinations(matter: Matter, field: str, *, only_examined: bool = True, title: str | None = None) -> list[Target]:
    """The cross-examination call of each item (not withdrawn) examined, or of every item."""
    targets = []
    for item in sorted(matter.evidence.all(), key=lambda item: (item.position, item.pk)):
        if item.withdrawn_at is not None or (title is not None and item.title != title):
            continue
        try:
            item.cross_examination
        except CrossExamination.DoesNotExist:
            if only_examined:
                continue
        targets.append(Target("PATCH", f"{API}/evidence/{item.pk}/cross-examination/", field))
    return targets or [NOWHERE]


def resolve(matter: Matter, label: str) -> list[Target]:
    """Where ``label`` is recorded for ``matter`` (``[NOWHERE]`` for a label no one records)."""
    resolver = RESOLVERS.get(label)
    if resolver is not None:
        return resolver(matter)
    purpose = PURPOSE.match(label)
    if purpose:
        return _evidence_purpose(matter, purpose["title"])
    reply = REPLY.match(label)
    if reply:
        return _cross_examinations(matter, "reply", title=reply["title"])
    return [NOWHERE]


def missing_labels(
    *, matter: Matter, template: DocumentTemplate, context: dict | None = None, render: bool = True
) -> list[str]:
    """The distinct marker labels a render of ``template`` for ``matter`` now would carry, in order.

    Rendered in the render pool (as generation does, about 20 ms), so a marker inside a
    branch the matter does not take is not counted. With ``render=False`` (a long batch
    list), or when the template fails to render, every marker of the variables the
    template uses: the same for the shipped templates' usual branches, at most a few more.
    """
    context = context if context is not None else matter_context(matter, today=timezone.localdate())
    if not render:
        return _static_labels(template, context)
    try:
        content = bytes(template.content)
        _docx, labels = render_pool().render(template=content, digest=template.sha256, context=context)  # jinja_env: sandbox
    except RenderFailed:
        return _static_labels(template, context)
    return list(dict.fromkeys(labels))


def _static_labels(template: DocumentTemplate, context: dict) -> list[str]:
    fields = template_fields(template=template, context=context)
    return list(dict.fromkeys(label for field in fields for label in field["missing"]))


def filing_check(
    *, matter: Matter, template: DocumentTemplate, context: dict | None = None, render: bool = True
) -> list[dict]:
    """Each 【待补充】 a filing made now would carry: ``{"label", "method", "path", "field"}`` (the caller checked access)."""
    entries, seen = [], set()
    for label in missing_labels(matter=matter, template=template, context=context, render=render):
        for target in resolve(matter, label):
            key = (label, target)
            if key not in seen:
                seen.add(key)
                entries.append(target.entry(label))
    return entries


# The service for ``FilingDetails``.

FILING_DETAIL_FIELDS = FilingDetails.TEXT_FIELDS + FilingDetails.DATE_FIELDS
MAX_LENGTHS = {name: FilingDetails._meta.get_field(name).max_length for name in FilingDetails.TEXT_FIELDS}


def _date_value(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({field: ["请填写有效日期（YYYY-MM-DD）"]}) from None


def _text_value(value: Any, field: str) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > MAX_LENGTHS[field]:
        raise ValidationError({field: [f"不能超过 {MAX_LENGTHS[field]} 个字"]})
    return text


@transaction.atomic
def filing_details_update(*, user: User, matter_id: int, **changes: Any) -> FilingDetails:
    """Set what only filings ask for; only the fields given change. Writes the old and new values."""
    matter = access_matter(user, matter_id, action="write_filings", for_update=True)
    unknown = sorted(set(changes) - set(FILING_DETAIL_FIELDS))
    if unknown:
        raise ValidationError({name: ["不是可填写的文书要素"] for name in unknown})
    values = {
        name: (_date_value(value, name) if name in FilingDetails.DATE_FIELDS else _text_value(value, name))
        for name, value in changes.items()
    }
    deadline, served = values.get("notice_deadline"), values.get("notice_served_on")
    details, _created = FilingDetails.objects.select_for_update().get_or_create(matter=matter)
    served = served if "notice_served_on" in values else details.notice_served_on
    deadline = deadline if "notice_deadline" in values else details.notice_deadline
    if served and served > timezone.localdate():
        raise ValidationError({"notice_served_on": ["送达日期不能晚于今天"]})
    if served and deadline and deadline < served:
        raise ValidationError({"notice_deadline": ["履行期限不能早于执行通知书送达日期"]})
    old, new = {}, {}
    for name, value in values.items():
        if getattr(details, name) != value:
            old[name], new[name] = _event_value(getattr(details, name)), _event_value(value)
            setattr(details, name, value)
    if new:
        details.updated_at = timezone.now()
        details.save()
        record_event(
            matter=matter,
            actor=user,
            kind=EventKind.DEBT_CORRECTED,
            old={"filing_details": old},
            new={"filing_details": new},
        )
    return details


def _event_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def current_lawyer_values(matter: Matter) -> list[dict]:
    """The assignment's lawyers as ``PATCH …/assignment/`` takes them (to keep the ones already recorded)."""
    return [
        {"name": lawyer.name, "licence_number": lawyer.licence_number, "phone": lawyer.phone}
        for lawyer in current_lawyers(matter)
    ]


def party_of(matter: Matter, party_id: int) -> Party | None:
    debt = matter.debt
    if debt.debtor_id == party_id:
        return debt.debtor
    return next((g.guarantor for g in debt.guarantees.all() if g.guarantor_id == party_id), None)


# The filing panel and the batch pre-check: an input per missing element, saved to the record.

DATE_FIELDS = {
    "birth_date",
    "guarantee_signed_on",
    "contract_date",
    "disbursed_on",
    "term_ends_on",
    "interest_paid_to",
    "notice_served_on",
    "notice_deadline",
}
MONEY_FIELDS = {"loan_amount", "repaid_principal", "repaid_interest"}
FIELD_PARTS = {"repaid_principal": "已还本金", "repaid_interest": "已还利息"}
LAWYER_FIELDS = ("lawyers[].name", "lawyers[].licence_number", "lawyers[].phone")
# What the panel saves (path pattern → the service that writes it, by name). The services
# of the record's corrections live in ``legalcase.services`` (``evidence.services`` for an
# exhibit's purpose); they are looked up when called, so the panel offers an input only
# for a service that is there.
ROUTES: tuple[tuple[re.Pattern, str, str], ...] = (
    (re.compile(r"^/api/v1/matters/(?P<matter>\d+)/filing-details/$"), "templates_docx", "filing_details_update"),
    (re.compile(r"^/api/v1/matters/(?P<matter>\d+)/parties/(?P<party>\d+)/$"), "legalcase", "party_update"),
    (re.compile(r"^/api/v1/matters/(?P<matter>\d+)/guarantees/(?P<party>\d+)/$"), "legalcase", "guarantee_update"),
    (re.compile(r"^/api/v1/matters/(?P<matter>\d+)/debt/$"), "legalcase", "debt_terms_update"),
    (re.compile(r"^/api/v1/matters/(?P<matter>\d+)/amounts/$"), "legalcase", "amounts_restate"),
    (re.compile(r"^/api/v1/matters/(?P<matter>\d+)/assignment/$"), "legalcase", "assignment_lawyers_set"),
    (re.compile(r"^/api/v1/creditors/(?P<creditor>\d+)/$"), "legalcase", "creditor_update"),
    (re.compile(r"^/api/v1/firms/(?P<firm>\d+)/$"), "legalcase", "firm_update"),
    (re.compile(r"^/api/v1/evidence/(?P<evidence>\d+)/$"), "evidence", "evidence_update"),
    (re.compile(r"^/api/v1/forums/(?P<forum>\d+)/$"), "legalcase", "forum_update"),
)
# Where the page records what takes more than one value (a file, a proceeding, a ruling).
SECTION_HINTS = {
    "evidence/": "请在本页“证据”部分上传",
    "forum/": "请在本页选择管辖法院",
    "assets/": "请在本页“执行”部分登记财产线索",
    "enforcement-actions/": "请在本页“执行”部分登记查封、冻结措施",
    "proceedings/": "请在本页“诉讼程序”部分登记",
    "rulings/": "请在本页上传并确认生效法律文书",
    "settlements/": "请在本页“和解”部分登记和解协议",
    "transfers/": "请在本页“债权转让”部分登记",
    "cross-examination/": "请在本页“证据”部分逐项记录质证意见",
}


def _service(route: tuple[re.Pattern, str, str]):
    _pattern, module, name = route
    if module == "templates_docx":
        return filing_details_update
    if module == "evidence":
        from evidence import services as evidence_services

        return getattr(evidence_services, name, None)
    from legalcase import services as legal_services

    return getattr(legal_services, name, None)


def _route(path: str | None):
    for route in ROUTES:
        match = route[0].match(path or "")
        if match:
            return route, match
    return None, None


def panel_rows(entries: list[dict]) -> list[dict]:
    """The check's entries as the panel shows them: one row per field to fill, its labels, its input.

    ``input`` is ``date``, ``money``, ``text``, ``lawyers`` (name, licence number, phone
    together) or None with a ``hint`` saying where the page records it.
    """
    rows: dict[tuple, dict] = {}
    for entry in entries:
        path, field = entry["path"], entry["field"]
        lawyers = field in LAWYER_FIELDS
        key = (path, "lawyers" if lawyers else field)
        row = rows.get(key)
        if row is None:
            route, _match = _route(path)
            available = route is not None and _service(route) is not None
            if lawyers:
                kind = "lawyers"
            elif field in DATE_FIELDS:
                kind = "date"
            elif field in MONEY_FIELDS:
                kind = "money"
            else:
                kind = "text"
            hint = ""
            if path is None:
                hint = "尚无记录此要素的途径，请在生成后的文书中填写"
            elif route is None:
                hint = next((text for suffix, text in SECTION_HINTS.items() if path.endswith(suffix)), "")
            elif not available:
                hint = "此项的录入功能尚未启用"
            row = rows[key] = {
                # Which part of a label the input holds, when one label takes several (已还金额).
                "part": FIELD_PARTS.get(field, ""),
                "labels": [],
                "path": path,
                "field": field,
                "input": kind if available else None,
                "name": f"{path}|{field}",
                "hint": hint,
                "required": field != "lawyers[].phone",
            }
        if entry["label"] not in row["labels"]:
            row["labels"].append(entry["label"])
    return list(rows.values())


def panel_save(*, user: User, matter: Matter, template: DocumentTemplate, posted: dict[str, str]) -> list[str]:
    """Save the panel's inputs to the record through the services that own each field.

    ``posted`` maps ``"{path}|{field}"`` to the typed value; only the elements the check
    lists for ``matter`` now are taken (nothing else can be written this way), empty
    values are skipped. Values for one call are sent together (one event). Returns the
    errors, in Chinese, each prefixed with the element's label; what succeeded stays.
    """
    entries = filing_check(matter=matter, template=template)
    allowed = {(entry["path"], entry["field"]): entry["label"] for entry in entries}
    for entry in entries:
        if entry["field"] in LAWYER_FIELDS:
            # The lawyer's name, licence number and phone are set together (one row of the panel).
            for field, label in zip(LAWYER_FIELDS, ("代理律师姓名", "代理律师执业证号", "代理律师联系电话")):
                allowed.setdefault((entry["path"], field), label)
    calls: dict[str, dict[str, str]] = {}
    for name, value in posted.items():
        path, _sep, field = name.partition("|")
        value = (value or "").strip()
        if (path, field) in allowed and value:
            calls.setdefault(path, {})[field] = value
    errors = []
    for path, values in calls.items():
        labels = "、".join(dict.fromkeys(allowed.get((path, field), field) for field in values))
        try:
            _save(user=user, matter=matter, path=path, values=values)
        except ValidationError as exc:
            errors.append(f"{labels}：{'；'.join(exc.messages)}")
        except (PermissionDenied, Http404):
            errors.append(f"{labels}：您无权修改此项")
        except Exception as exc:  # noqa: BLE001 — a record service's conflict (409) answers in words
            if type(exc).__name__ != "RecordConflict":
                raise
            errors.append(f"{labels}：{exc}")
    return errors


def _save(*, user: User, matter: Matter, path: str, values: dict[str, str]) -> None:
    route, match = _route(path)
    service = _service(route) if route is not None else None
    if service is None:
        raise ValidationError("此项的录入功能尚未启用")
    ids = {name: int(value) for name, value in match.groupdict().items()}
    if route[2] == "filing_details_update":
        service(user=user, matter_id=matter.pk, **values)
    elif route[2] in ("party_update", "guarantee_update"):
        service(user=user, matter_id=matter.pk, party_id=ids["party"], **values)
    elif route[2] == "debt_terms_update":
        rates = {name.removeprefix("rates."): value for name, value in values.items() if name.startswith("rates.")}
        plain = {name: value for name, value in values.items() if not name.startswith("rates.")}
        service(user=user, matter_id=matter.pk, **plain, **({"rates": rates} if rates else {}))
    elif route[2] == "amounts_restate":
        # A new statement: the current amounts as they are, with the repayments typed.
        debt = matter.debt
        current = {name: getattr(debt, name) for name in type(debt).AMOUNT_FIELDS}
        repaid = {
            "repaid_principal": debt.repaid_principal,
            "repaid_interest": debt.repaid_interest,
            "interest_paid_to": debt.interest_paid_to,
        }
        service(user=user, matter_id=matter.pk, as_of=debt.amounts_as_of, **current, **{**repaid, **values})
    elif route[2] == "assignment_lawyers_set":
        typed = {name.removeprefix("lawyers[]."): value for name, value in values.items()}
        kept = current_lawyer_values(matter)
        first = {**(kept[0] if kept else {"name": "", "licence_number": "", "phone": ""}), **typed}
        service(user=user, matter_id=matter.pk, lawyers=[first, *kept[1:]])
    elif route[2] == "creditor_update":
        service(user=user, creditor_id=ids["creditor"], **values)
    elif route[2] == "firm_update":
        service(user=user, firm_id=ids["firm"], **values)
    elif route[2] == "evidence_update":
        service(user=user, evidence_id=ids["evidence"], changes=values)
    elif route[2] == "forum_update":
        service(user=user, forum_id=ids["forum"], **values)
