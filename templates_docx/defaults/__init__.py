"""Fasu's default Word filing templates (built by ``build.py`` into the .docx files here)."""

from __future__ import annotations

from datetime import date

COMPLAINT_FORM_VERSION = "法〔2025〕82号"
COMPLAINT_EFFECTIVE_FROM = date(2025, 7, 14)
OTHER_EFFECTIVE_FROM = date(2026, 1, 1)

# The enforcement filings: they name the 被执行人 the confirmed instrument binds, and none is
# generated for a matter without such an instrument (API.md v1.1; LEGAL_RULES Part 2 B.7).
ENFORCEMENT_CODES = frozenset(
    {
        "enforcement_application",
        "renewal_application",
        "resumption_application",
        "change_of_applicant",
        "consumption_restriction_application",
        "dishonest_listing_application",
        "exit_ban_application",
        "payout_account_confirmation",
    }
)

DEFAULT_TEMPLATES: tuple[dict, ...] = (
    {
        "code": "complaint_credit_card",
        "products": ("credit_card",),
        "name": "民事起诉状（信用卡纠纷）",
        "version": 1,
        "form_version": COMPLAINT_FORM_VERSION,
        "effective_from": COMPLAINT_EFFECTIVE_FROM,
        "file": "complaint_credit_card.docx",
    },
    {
        "code": "complaint_loan",
        "products": ("loan",),
        "name": "民事起诉状（金融借款合同纠纷）",
        "version": 1,
        "form_version": COMPLAINT_FORM_VERSION,
        "effective_from": COMPLAINT_EFFECTIVE_FROM,
        "file": "complaint_loan.docx",
    },
    {
        "code": "arbitration_application",
        "name": "仲裁申请书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "arbitration_application.docx",
    },
    {
        "code": "preservation_application",
        "name": "财产保全申请书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "preservation_application.docx",
    },
    {
        "code": "enforcement_application",
        "name": "强制执行申请书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "enforcement_application.docx",
    },
    {
        "code": "demand_letter",
        "name": "律师函（催收函）",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "demand_letter.docx",
    },
    {
        "code": "evidence_list",
        "name": "证据目录",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "evidence_list.docx",
    },
    {
        "code": "power_of_attorney",
        "name": "授权委托书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "power_of_attorney.docx",
    },
    {
        "code": "renewal_application",
        "name": "续行查封、冻结申请书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "renewal_application.docx",
    },
    {
        "code": "resumption_application",
        "name": "恢复执行申请书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "resumption_application.docx",
    },
    {
        "code": "change_of_applicant",
        "name": "变更申请执行人申请书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "change_of_applicant.docx",
    },
    {
        "code": "consumption_restriction_application",
        "name": "限制消费令申请书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "consumption_restriction_application.docx",
    },
    {
        "code": "dishonest_listing_application",
        "name": "纳入失信被执行人名单申请书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "dishonest_listing_application.docx",
    },
    {
        "code": "exit_ban_application",
        "name": "限制出境申请书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "exit_ban_application.docx",
    },
    {
        "code": "payout_account_confirmation",
        "name": "执行款账户确认书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "payout_account_confirmation.docx",
    },
    {
        "code": "filing_submission_list",
        "name": "诉讼材料递交清单",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "filing_submission_list.docx",
    },
    {
        "code": "service_address_confirmation",
        "name": "送达地址确认书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "service_address_confirmation.docx",
    },
    {
        "code": "payment_order_application",
        "name": "支付令申请书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "payment_order_application.docx",
    },
    {
        "code": "settlement_agreement",
        "name": "和解协议",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "settlement_agreement.docx",
    },
    {
        "code": "transfer_notice",
        "name": "债权转让通知书",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "transfer_notice.docx",
    },
    {
        "code": "cross_examination_opinion",
        "name": "质证意见",
        "version": 1,
        "form_version": "",
        "effective_from": OTHER_EFFECTIVE_FROM,
        "file": "cross_examination_opinion.docx",
    },
)
