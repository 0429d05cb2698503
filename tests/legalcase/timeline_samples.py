"""One realistic timeline entry per ``EventKind``, in the shapes the services write (grep ``record_event``)."""

from __future__ import annotations

from legalcase.models import (
    Asset,
    ClosingReason,
    Cost,
    DeadlineKind,
    DeadlineStatus,
    EnforcementAction,
    EventKind,
    FeeInvoice,
    Proceeding,
    RecoverySource,
    Ruling,
    ServiceMethod,
    Settlement,
    Stage,
    TaskStatus,
)

OUT = {"costs": "0.00", "interest": "4327.50", "principal": "48230.55", "total": "52558.05"}
INVOICE = {
    "invoice": 34, "assignment": 197, "firm": "衡平律师事务所", "number": "INV-0042", "amount": "3000.00",
    "status": FeeInvoice.Status.SUBMITTED,
}  # fmt: skip
ACTION = {
    "action": 12, "kind": EnforcementAction.Kind.FREEZE_DEPOSIT, "court": "北京市朝阳区人民法院",
    "case_number": "(2026)京0105执1234号", "started_on": "2026-03-02", "expires_on": "2027-03-01",
    "expiry_stated": True, "renewal_due_on": "2027-02-15", "ends_on": None, "asset": 8, "amount": "50000.00",
}  # fmt: skip


def samples(*, owner_username: str, template_code: str, template_version: int, document_id: int | None, firm_id: int):
    """``{kind: [(old, new, note), ...]}`` covering every kind and the shapes each is written in."""
    invoice = {**INVOICE, "firm_id": firm_id}
    return {
        EventKind.CREATED: [(None, {"number": "FS-2026-000017", "stage": Stage.INTAKE}, "")],
        EventKind.STAGE_CHANGED: [
            ({"stage": Stage.INTAKE}, {"stage": Stage.PRE_LITIGATION}, "催收无果"),
            ({"stage": Stage.ENFORCEMENT}, {"stage": Stage.CLOSED, "reason": ClosingReason.WRITTEN_OFF}, ""),
        ],
        EventKind.OWNER_CHANGED: [
            ({"owner": None}, {"owner": owner_username}, ""),  # an older entry: usernames only
            ({"owner": owner_username, "owner_name": "赵敏"}, {"owner": None, "owner_name": None}, ""),
        ],
        EventKind.FIRM_ASSIGNED: [
            (None, {"firm": "衡平律师事务所", "firm_id": firm_id}, ""),
            ({"firm": "金诚律师事务所"}, {"firm": "衡平律师事务所", "firm_id": firm_id}, ""),
        ],
        EventKind.FIRM_UNASSIGNED: [({"firm": "衡平律师事务所"}, None, "")],
        EventKind.DEBTOR_REVEALED: [(None, None, "核对身份证号以起草起诉状")],
        EventKind.UPDATED: [
            (
                {"amounts": {"as_of": "2025-06-30", "principal": "48230.55", "interest": "3120.40", "fees": "0.00"}},
                {
                    "amounts": {"as_of": "2025-09-30", "principal": "48230.55", "interest": "3620.40", "fees": "0.00"},
                    "demands_added": 2,
                },
                "",
            ),
            ({"portfolio": None}, {"portfolio": "2026年第一批不良资产包"}, ""),
            # A correction written by the record engineers' services: flat {field: value}.
            (
                {"repayment_method": "equal_installment", "loan_amount": "100000.00", "contract_date": "2023-01-05",
                 "annual_interest_rate": "0.1825", "branch": "", "phones": [{"number": "138****5678", "status": "ok"}],
                 "mystery_field": "甲"},
                {"repayment_method": "bullet", "loan_amount": "120000.00", "contract_date": "2023-01-06",
                 "annual_interest_rate": "0.12", "branch": "北京朝阳支行",
                 "phones": [{"number": "138****5678", "status": "wrong"}], "mystery_field": "乙",
                 "id_number": "110105********1232", "gender": "female", "guarantee_type": "joint"},
                "",
            ),  # fmt: skip
        ],
        EventKind.EVIDENCE_ADDED: [(None, {"evidence": 4, "title": "对账单", "sha256": "63fdaba260dd7a79dcda85ffd2b2315a"}, "")],
        EventKind.EVIDENCE_DOWNLOADED: [
            (None, {"evidence": 4, "title": "对账单"}, ""),
            (None, {"bundle": 3, "title": "证据材料", "version": 2}, ""),
            (None, {"bundle": 3, "title": "证据材料", "version": 2, "index": "docx"}, ""),
        ],
        EventKind.EVIDENCE_TAMPERED: [
            ({"sha256": "63fdaba260dd"}, {"evidence": 4, "title": "对账单", "sha256": "aa11bb22cc33"}, ""),
            ({"sha256": "63fdaba260dd"}, {"evidence": 4, "title": "对账单", "sha256": None}, ""),
        ],
        EventKind.DEADLINE_CLOSED: [
            (
                {"deadline": 5, "kind": DeadlineKind.FEE_PAYMENT, "status": DeadlineStatus.OPEN},
                {"deadline": 5, "kind": DeadlineKind.FEE_PAYMENT, "status": DeadlineStatus.DONE, "due_on": "2026-04-10",
                 "proceeding": 9},
                "已缴纳",
            ),  # fmt: skip
        ],
        EventKind.DEADLINE_OVERRIDDEN: [
            (
                {"deadline": 5, "kind": DeadlineKind.LIMITATION, "due_on": "2028-01-17"},
                {"deadline": 5, "kind": DeadlineKind.LIMITATION, "due_on": "2028-03-01", "computed_on": "2028-01-17"},
                "债务人书面确认",
            )
        ],
        EventKind.FORUM_SET: [
            (None, {"forum": "北京市朝阳区人民法院", "forum_id": 3}, ""),
            ({"forum": "北京市朝阳区人民法院", "forum_id": 3}, None, ""),
        ],
        EventKind.DOCUMENT_REQUESTED: [
            (None, {"document": document_id, "template": template_code, "version": template_version}, ""),  # older
            (None, {"document": None, "template": template_code, "version": template_version, "batch": 7}, ""),
        ],
        EventKind.DOCUMENT_DOWNLOADED: [
            (None, {"document": document_id, "template": template_code, "format": "pdf"}, ""),
            (None, {"document": None, "template": template_code, "format": "docx"}, ""),
            (None, {"batch": 7, "template": template_code, "format": "zip"}, ""),
        ],
        EventKind.PROCEEDING_RECORDED: [
            (
                None,
                {"proceeding": 9, "kind": Proceeding.Kind.FIRST_INSTANCE, "case_number": "(2026)京0105民初1234号",
                 "forum": "北京市朝阳区人民法院", "filed_on": "2026-03-02", "limitation_interrupted": True},
                "",
            ),  # fmt: skip
        ],
        EventKind.PROCEEDING_UPDATED: [
            (
                {"proceeding": 9, "accepted_on": None, "judge": "王法官", "outcome": ""},
                {"proceeding": 9, "accepted_on": "2026-03-09", "judge": "李法官", "outcome": "判决支持全部诉讼请求"},
                "",
            ),
            ({"proceeding": 9}, {"proceeding": 9}, "联系电话已更改。"),
        ],
        EventKind.SERVICE_RECORDED: [
            (None, {"proceeding": 9, "method": ServiceMethod.PUBLIC_NOTICE, "party": "张三", "served_on": "2026-05-20"}, "")
        ],
        EventKind.HEARING_ADDED: [
            (None, {"proceeding": 9, "hearing": 2, "at": "2026-04-01T02:15:00+00:00", "place": "第三法庭"}, ""),
            (None, {"proceeding": 9, "hearing": 2, "at": "2026-04-08T09:30:00+08:00", "place": "第三法庭",
                    "summons_served_on": "2026-04-06"}, ""),
        ],  # fmt: skip
        EventKind.HEARING_MOVED: [
            (
                {"proceeding": 9, "hearing": 2, "at": "2026-04-01T09:15:00+08:00", "place": "第三法庭", "note": ""},
                {"proceeding": 9, "hearing": 2, "at": "2026-04-08T14:00:00+08:00", "place": "第五法庭", "note": "法院通知改期"},
                "",
            ),
            (
                {"proceeding": 9, "hearing": 2, "at": "2026-04-01T09:15:00+08:00", "place": ""},
                {"proceeding": 9, "hearing": 2, "at": "2026-04-01T09:15:00+08:00", "place": "第一法庭"},
                "",
            ),
        ],
        EventKind.COURT_DATES_SET: [
            (
                {"proceeding": 9, "evidence_due_on": None, "defence_due_on": "2026-02-18"},
                {"proceeding": 9, "evidence_due_on": "2026-05-05", "defence_due_on": None},
                "",
            ),
        ],
        EventKind.RULING_RECORDED: [
            (None, {"ruling": 6, "evidence": 4, "kind": Ruling.Kind.JUDGMENT, "case_number": "(2026)京0105民初1234号",
                    "served_on": "2026-06-02"}, ""),
            ({"case_number": None, "decided_on": None},
             {"ruling": 6, "evidence": 4, "kind": Ruling.Kind.RULING, "case_number": "(2026)京0105民初1234号",
              "text_source": "ocr"}, "OCR识别"),
        ],  # fmt: skip
        EventKind.RULING_CONFIRMED: [
            (
                {"principal_awarded": "48000.00", "decided_on": None},
                {"ruling": 6, "corrections": {"principal_awarded": "48230.55", "decided_on": "2026-05-28"},
                 "deadlines": {DeadlineKind.APPEAL: "2026-06-17", DeadlineKind.PERFORMANCE_END: "2026-07-02"}},
                "",
            ),  # fmt: skip
        ],
        EventKind.COURT_NOTICE_CONFIRMED: [
            (None, {"court_notice": 3, "kind": "summons", "case_number": "（2026）沪0115民初1234号",
                    "received_on": "2026-05-06", "proceeding": 9, "hearing": 2, "corrections": {}}, ""),
            ({"place": "本院第十二法庭", "hearing_at": None, "deadlines": [], "parties": ["张三"]},
             {"court_notice": 3, "kind": "evidence", "case_number": None, "received_on": "2026-05-06",
              "proceeding": None, "hearing": None,
              "corrections": {"place": "第三法庭", "hearing_at": "2026-05-12T09:30:00+08:00",
                              "deadlines": [{"kind": "evidence_period", "due_on": "2026-05-25", "days": None}],
                              "parties": ["张三", "李四"], "kind": "evidence"}}, ""),
        ],
        EventKind.ASSET_RECORDED: [
            (
                None,
                {"asset": 8, "owner": "张三", "kind": Asset.Kind.BANK_ACCOUNT, "description": "工商银行储蓄账户",
                 "identifier": "6222********1234", "estimated_value": "50000.00", "source": Asset.Source.COURT_SEARCH,
                 "found_on": "2026-02-20"},
                "网络查控结果",
            ),  # fmt: skip
        ],
        EventKind.ENFORCEMENT_RECORDED: [(None, ACTION, "")],
        EventKind.ENFORCEMENT_RENEWED: [
            (
                {"action": 12, "expires_on": "2027-03-01", "status": EnforcementAction.Status.ACTIVE},
                {**ACTION, "action": 13, "started_on": "2027-02-20", "expires_on": "2028-02-19", "renews": 12},
                "",
            )
        ],
        EventKind.ENFORCEMENT_STATUS_CHANGED: [
            (
                {"action": 12, "kind": ACTION["kind"], "status": EnforcementAction.Status.ACTIVE},
                {"action": 12, "kind": ACTION["kind"], "status": EnforcementAction.Status.LIFTED},
                "已履行",
            )
        ],
        EventKind.RECOVERY_RECORDED: [
            (
                {"outstanding": OUT},
                {"recovery": 21, "amount": "1234.56", "received_on": "2026-06-30", "source": RecoverySource.VOLUNTARY,
                 "allocation": {"costs": "0.00", "interest": "1234.56", "principal": "0.00"},
                 "outstanding": {**OUT, "interest": "3092.94", "total": "51323.49"}},
                "",
            ),  # fmt: skip
        ],
        EventKind.RECOVERY_REVERSED: [
            (
                {"recovery": 21, "amount": "1234.56", "outstanding": OUT},
                {"recovery": 22, "reverses": 21, "amount": "-1234.56",
                 "allocation": {"costs": "0.00", "interest": "-1234.56", "principal": "0.00"}, "outstanding": OUT},
                "银行退票",
            ),  # fmt: skip
        ],
        EventKind.COST_RECORDED: [
            (
                {"costs_recoverable": "0.00"},
                {"cost": 3, "kind": Cost.Kind.ACCEPTANCE_FEE, "amount": "1100.00", "computed_amount": "1100.00",
                 "recoverable": True, "notice_received_on": "2026-03-05", "costs_recoverable": "1100.00"},
                "",
            ),  # fmt: skip
        ],
        EventKind.SETTLEMENT_RECORDED: [
            (
                None,
                {"settlement": 2, "agreed_on": "2026-06-01", "outstanding": "52558.05", "reduction": "2558.05",
                 "amount": "50000.00", "instalments": 10, "first_due_on": "2026-07-01", "last_due_on": "2027-04-01",
                 "grace_days": 5, "signed_after_limitation": "2026-05-01"},
                "",
            ),  # fmt: skip
        ],
        EventKind.SETTLEMENT_CHANGED: [
            (
                {"settlement": 2, "status": Settlement.Status.ACTIVE},
                {"settlement": 2, "status": Settlement.Status.BREACHED, "breached_on": "2026-08-07", "missed": [2],
                 "resumption_flagged_on": "2026-08-07"},
                "",
            ),
            (
                {"settlement": 2, "status": Settlement.Status.BREACHED, "resumption_flagged_on": "2026-08-07"},
                {"settlement": 2, "status": Settlement.Status.CANCELLED, "resumption_flagged_on": None},
                "双方协商解除",
            ),
            (
                {"settlement": 2, "status": Settlement.Status.ACTIVE},
                {"settlement": 2, "status": Settlement.Status.COMPLETED, "completed_on": "2027-04-01"},
                "",
            ),
        ],  # fmt: skip
        EventKind.CLAIM_TRANSFERRED: [
            (
                {"creditor": "华信银行股份有限公司北京朝阳支行"},
                {"creditor": "东方资产管理股份有限公司", "portfolio_transfer_id": 5, "effective_on": "2026-05-01",
                 "agreement": "债权转让协议2026-01号", "original_creditor": "华信银行股份有限公司北京朝阳支行",
                 "announced_on": "2026-05-10", "newspaper": "法治日报", "demand_recorded": True},
                "",
            ),  # fmt: skip
        ],
        EventKind.FEE_ARRANGEMENT_SET: [
            (
                None,
                {"assignment": 197, "firm": "衡平律师事务所", "firm_id": firm_id, "fixed_fee": "2000.00",
                 "stage_fees": {Stage.LITIGATION: "1500.00"}, "contingency_rate": "0.08", "cap": "20000.00", "note": ""},
                "",
            ),
            (
                {"fixed_fee": "2000.00", "stage_fees": {}, "contingency_rate": "0", "cap": None, "note": ""},
                {"assignment": 197, "firm": "衡平律师事务所", "firm_id": firm_id, "fixed_fee": "0.00",
                 "stage_fees": {}, "contingency_rate": "0.1", "cap": None, "note": ""},
                "",
            ),
        ],  # fmt: skip
        EventKind.PARTY_CORRECTED: [
            (
                {"address": "北京市朝阳区***********", "ethnicity": "", "birth_date": None},
                {"address": "北京市海淀区***********", "ethnicity": "汉族", "birth_date": "****-**-**"},
                "债务人 张三",
            ),
            (
                {"phones": [{"number": "138****5678", "status": "ok"}], "phone": "138****5678"},
                {"phones": [{"number": "138****5678", "status": "wrong"}, {"number": "139****0001", "status": "ok"}],
                 "phone": "139****0001"},
                "担保人 李四",
            ),
            ({"id_number": "110105********1232"}, {"id_number": "110105********1240"}, "债务人 张三"),
        ],  # fmt: skip
        EventKind.DEBT_CORRECTED: [
            (
                {"repayment_method": "equal_installment", "branch": "", "loan_amount": None,
                 "annual_interest_rate": "0.1825", "day_count": 360},
                {"repayment_method": "bullet", "branch": "上海分行营业部", "loan_amount": "50000.00",
                 "annual_interest_rate": "0.15", "day_count": 365},
                "",
            ),
        ],  # fmt: skip
        EventKind.AMOUNTS_RESTATED: [
            (
                {"as_of": "2025-06-30", "interest": "3120.40", "repaid_principal": "0.00", "interest_paid_to": None},
                {"as_of": "2025-12-31", "interest": "4890.10", "repaid_principal": "1000.00",
                 "interest_paid_to": "2025-03-20"},
                "XYK-2021-000123",
            ),
        ],  # fmt: skip
        EventKind.GUARANTEE_CORRECTED: [
            (
                {"guarantee_type": "joint", "guarantee_signed_on": None, "guarantee_agreed_period": "",
                 "guarantee_period_ends_on": None},
                {"guarantee_type": "general", "guarantee_signed_on": "2021-03-15",
                 "guarantee_agreed_period": "主债务履行期限届满之日起六个月", "guarantee_period_ends_on": "2027-03-15"},
                "李四",
            ),
        ],  # fmt: skip
        EventKind.LAWYERS_SET: [
            (
                {"lawyers": []},
                {"lawyers": [{"name": "王律师", "licence_number": "13101201510123456", "phone": "139****0002"}]},
                "衡平律师事务所",
            ),
        ],
        EventKind.EVIDENCE_EDITED: [
            ({"title": "借款合同", "kind": "other", "position": 3}, {"title": "借款合同（原件）", "kind": "contract",
             "position": 1}, "借款合同（原件）"),
            ({"document_date": None, "purpose": ""}, {"document_date": "2021-03-15", "purpose": "证明借贷关系成立"}, "借款合同"),
        ],  # fmt: skip
        EventKind.EVIDENCE_WITHDRAWN: [
            (
                {"withdrawn_at": None, "withdrawn_reason": ""},
                {"withdrawn_at": "2026-12-07T04:12:33.120000+00:00", "withdrawn_reason": "原件无法提供"},
                "还款记录",
            ),
        ],
        EventKind.EVIDENCE_REINSTATED: [
            (
                {"withdrawn_at": "2026-12-07T04:12:33.120000+00:00", "withdrawn_reason": "原件无法提供"},
                {"withdrawn_at": None, "withdrawn_reason": ""},
                "还款记录",
            ),
        ],
        EventKind.LEGAL_HOLD_SET: [(None, {"legal_hold_reason": "债务人已提起再审申请"}, "债务人已提起再审申请")],
        EventKind.LEGAL_HOLD_LIFTED: [({"legal_hold_reason": "债务人已提起再审申请"}, None, "再审申请已驳回")],
        EventKind.ANONYMISED: [
            (None, {"rule": "retention.matter_file@2025", "retention_days": 1096, "parties": 2, "parties_kept": 0}, ""),
            (None, {"rule": "retention.matter_file@2025", "retention_days": 1096, "parties": 1, "parties_kept": 1}, ""),
        ],
        EventKind.EVIDENCE_CROSS_EXAMINED: [
            (
                None,
                {"proceeding": 9, "examined_on": "2026-03-10", "authenticity_admitted": False,
                 "authenticity_opinion": "复印件，无原件核对", "legality_admitted": True, "legality_opinion": "",
                 "relevance_admitted": None, "relevance_opinion": "", "reply": "原件已当庭出示，与复印件一致",
                 "evidence": 31, "title": "借款合同", "case_number": "（2026）沪0115民初1234号"},
                "借款合同",
            ),
            (
                {"purpose_admitted": None, "purpose_opinion": "", "reply": "原件已当庭出示"},
                {"purpose_admitted": False, "purpose_opinion": "不能证明借款已实际交付", "reply": "",
                 "evidence": 31, "title": "借款合同"},
                "借款合同",
            ),
        ],  # fmt: skip
        EventKind.DELAY_BASE_SET: [
            ({"delay_base_includes_fee": False}, {"delay_base_includes_fee": True}, "判决未将受理费排除在外"),
        ],
        EventKind.INVOICE_SUBMITTED: [(None, {**invoice, "issued_on": "2026-06-30"}, "")],
        EventKind.INVOICE_DECIDED: [
            (invoice, {**invoice, "status": FeeInvoice.Status.APPROVED}, ""),
            (invoice, {**invoice, "status": FeeInvoice.Status.REJECTED}, "金额与约定不符"),
        ],
        EventKind.INVOICE_PAID: [
            (
                {**invoice, "status": FeeInvoice.Status.APPROVED},
                {**invoice, "status": FeeInvoice.Status.PAID, "payment": 4, "paid": "3000.00",
                 "paid_on": "2026-07-15", "paid_amount": "3000.00"},
                "转账凭证 88231",
            ),  # fmt: skip
        ],
        EventKind.DEMAND_RECORDED: [
            (None, {"demand": 7, "date": "2026-03-02", "channel": "phone"}, ""),
            (
                None,
                {"demand": 8, "date": "2026-03-02", "channel": "letter", "party": 52, "party_name": "张三",
                 "address_kind": "service_address", "address": "北京市朝阳区********", "courier": "ems",
                 "waybill": "EA123456789CN", "document": 3, "document_title": "律师函", "proof": 9,
                 "proof_title": "EMS签收底单"},
                "",
            ),  # fmt: skip
        ],
        EventKind.DEMAND_UPDATED: [
            (
                {"demand": 8, "proof": None, "proof_title": ""},
                {"demand": 8, "proof": 9, "proof_title": "EMS签收底单"},
                "",
            ),
            (
                {"demand": 8, "delivered": False, "delivered_on": None, "delivery_rule": ""},
                {"demand": 8, "delivered": True, "delivered_on": "2026-03-05",
                 "delivery_rule": "demand.delivery.recorded@2021"},
                "",
            ),  # fmt: skip
            ({"demand": 8, "note": ""}, {"demand": 8, "note": "短信回执已存档"}, ""),
        ],
        EventKind.DEMAND_TRACKED: [
            (
                {"delivered": False, "delivered_on": None, "tracking_status": "in_transit"},
                {"demand": 8, "waybill": "EA123456789CN", "status": "signed", "at": "2026-03-05T10:15:00+08:00",
                 "delivered": True, "delivered_on": "2026-03-05", "delivery_rule": "demand.delivery.signed@2021"},
                "本人签收",
            ),
            (
                {"delivered": False, "delivered_on": None, "tracking_status": ""},
                {"demand": 8, "waybill": "SF1234567890", "status": "returned", "at": "2026-03-05T10:15:00+08:00",
                 "delivered": False, "delivered_on": None},
                "查无此人",
            ),
        ],  # fmt: skip
        EventKind.CONTACT_RECORDED: [
            (
                None,
                {"contact": 5, "channel": "phone", "direction": "outbound", "contact_point": "138****5678",
                 "occurred_at": "2026-04-01T10:15:00+08:00", "outcome": "promise_to_pay", "party": 3,
                 "name": "张伟", "amount": "2000.00", "due_on": "2026-04-15"},
                "答应月中还款",
            ),
            (
                None,
                {"contact": 6, "channel": "phone", "direction": "outbound", "contact_point": "139****0000",
                 "occurred_at": "2026-04-01T22:30:00+08:00", "outcome": "no_answer",
                 "third_party_name": "李娜", "third_party_relation": "同事",
                 "override_rule": "contact_hours@2026", "override_reason": "债务人书面同意晚间联系"},
                "",
            ),
        ],
        EventKind.PROMISE_STATUS_CHANGED: [
            (
                {"promise": 2, "status": "open"},
                {"promise": 2, "status": "broken", "amount": "2000.00", "due_on": "2026-04-15", "paid_amount": "500.00"},
                "",
            ),
        ],
        EventKind.COMPLAINT_OPENED: [
            (None, {"complaint": 1, "kind": "dispute", "source": "debtor", "received_on": "2026-04-02"}, "称已还清"),
        ],
        EventKind.COMPLAINT_RESOLVED: [
            ({"complaint": 1, "status": "open"}, {"complaint": 1, "kind": "dispute", "status": "resolved"}, "核实无误"),
        ],
        EventKind.PLAN_STARTED: [
            (None, {"plan": 3, "playbook": 1, "name": "信用卡标准流程", "version": 2, "start_on": "2026-12-01", "tasks": 5}, ""),
            (
                None,
                {"plan": 4, "playbook": 2, "name": "信用卡困难客户", "version": 1, "start_on": "2026-12-02", "tasks": 2, "trigger": "review"},
                "",
            ),
        ],
        EventKind.PLAN_ENDED: [
            ({"plan": 3, "name": "信用卡标准流程"}, {"plan": 3, "end_reason": "stopped", "skipped": 3}, ""),
        ],
        EventKind.TASK_ADDED: [
            (None, {"task": 7, "title": "核实工作单位", "due_on": "2026-12-10", "assignee": owner_username}, ""),
            (
                None,
                {"task": 8, "title": "跟进立案受理并缴纳诉讼费", "due_on": "2026-12-11", "assignee": None, "stage": "litigation", "rule": "fee.payment@2007"},
                "",
            ),
            (
                {"task": 7, "title": "核实工作单位", "status": TaskStatus.OPEN, "due_on": "2026-12-10"},
                {"task": 7, "title": "核实工作单位", "status": TaskStatus.OPEN, "due_on": "2026-12-15"},
                "",
            ),
        ],
        EventKind.TASK_CLOSED: [
            ({"task": 7, "title": "短信提醒", "status": TaskStatus.OPEN}, {"task": 7, "title": "短信提醒", "status": TaskStatus.DONE}, ""),
            (
                {"task": 8, "title": "电话催收", "status": TaskStatus.OPEN},
                {"task": 8, "title": "电话催收", "status": TaskStatus.SKIPPED, "note": "债务人已承诺还款"},
                "",
            ),
        ],
        EventKind.REVIEW_UPDATED: [
            (
                None,
                {
                    "ability_to_pay": "partial", "willingness": "hardship", "monthly_income": "4500.00",
                    "recommendation": "settle_with_reduction", "recommendation_reason": "失业，愿意分期",
                    "texts_changed": ["employment", "assets_known", "willingness_facts"],
                },
                "",
            ),
            (
                {"recommendation": "negotiate", "screening": {"assets_found": {"confirmed": False, "result": None}}},
                {
                    "recommendation": "",
                    "screening": {
                        "assets_found": {"confirmed": True, "result": False, "reason": "车辆已抵押给他人"},
                        "identity_known": {"confirmed": True, "result": True},
                        "evidence_complete": {"confirmed": False, "result": None},
                    },
                },
                "",
            ),
        ],
    }
