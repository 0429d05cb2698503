"""The import template people download (issue 22): the accepted columns under their Chinese
headers, what each accepts, and one example row, as XLSX or CSV.

The notes and the example are comment rows (first cell beginning with ``#``), which the
reader skips, so a template filled in below them imports as it is. The XLSX has the
notes on a second sheet as well, as a table.
"""

from __future__ import annotations

import csv
import io

from legalcase.importing.reading import CHANNELS, COLUMNS, COMMENT, GENDERS, PRODUCTS, REPAYMENT_METHODS
from legalcase.safetext import spreadsheet_row

# The repayment methods in the complaint form's words, one per code (the first word of each).
METHOD_WORDS = list({code: word for word, code in reversed(REPAYMENT_METHODS.items())}.values())[::-1]

DATES = "日期：2025-06-30、2025/6/30 或 2025年6月30日（或 Excel 日期单元格）"
MONEY = "金额（元）：12000、12000.00 或 12,000.00，最多两位小数"

# What each column accepts, in words; the example row's value.
NOTES: dict[str, tuple[str, str]] = {
    "creditor_name": ("债权人全称", "某某银行股份有限公司信用卡中心"),
    "creditor_uscc": ("18位统一社会信用代码", "91310000MA1FL0099U"),
    "product": (f"{'、'.join(PRODUCTS)}（或 {'、'.join(PRODUCTS.values())}）", "信用卡"),
    "account_number": ("卡号或贷款账号，按文本填写", "6225880012345678"),
    "contract_number": ("合同编号", "XYK-2021-000001"),
    "contract_date": (DATES, "2021-03-15"),
    "debtor_name": ("债务人姓名", "张三"),
    "debtor_id_number": ("18位居民身份证号码，按文本填写", "110105197001010012"),
    "debtor_gender": ("、".join(GENDERS), "男"),
    "debtor_birth_date": (DATES, "1970-01-01"),
    "debtor_phone": ("11位手机号", "13800000000"),
    "debtor_address": ("住址", "北京市朝阳区建国路88号"),
    "principal": (MONEY, "48,230.55"),
    "interest": (MONEY, "3,120.40"),
    "penalty_interest": (MONEY, "812.00"),
    "compound_interest": (MONEY, "95.10"),
    "late_fees": (MONEY, "300"),
    "fees": (MONEY, "0"),
    "amounts_as_of": (DATES + "；以上金额的截止日", "2025-06-30"),
    "overdue_since": (DATES, "2024-11-05"),
    "matured_on": (DATES, ""),
    "last_payment_date": (DATES, "2024-10-28"),
    "last_demand_date": (DATES, "2025-01-15"),
    "last_demand_channel": ("、".join(CHANNELS), "短信"),
    "last_demand_delivered": ("是、否", "是"),
    "portfolio": ("资产包名称（可空）", ""),
    "loan_amount": (MONEY + "；信用卡填授信额度，贷款填贷款金额", "50,000"),
    "disbursed_on": (DATES + "；信用卡填发卡日期，贷款填放款日期", "2021-03-20"),
    "term_ends_on": (DATES + "；贷款合同约定的到期日（信用卡可空）", ""),
    "repayment_method": ("、".join(METHOD_WORDS) + "（信用卡可空）", ""),
    "branch": ("发卡或放贷的经办机构（支行）", "某某银行北京朝阳支行"),
    "debtor_workplace": ("债务人工作单位", "北京某某科技有限公司"),
    "debtor_ethnicity": ("民族", "汉族"),
    "debtor_service_address": ("合同约定的送达地址", "北京市朝阳区建国路88号"),
    "repaid_principal": (MONEY + "；已偿还的本金", "1,769.45"),
    "repaid_interest": (MONEY + "；已偿还的利息", "620.00"),
    "interest_paid_to": (DATES + "；利息已还至哪一日", "2024-10-28"),
    "last_demand_outlet": ("公告的报纸名称；全国性或债务人住所地省级报纸的公告才中断诉讼时效", ""),
}
assert NOTES.keys() == COLUMNS.keys()

HINT = "以 # 开头的行不会导入：请在示例行下方逐行填写，每行一个案件；必填列不能为空。"


def _header() -> list[str]:
    return [headers[0] for headers, _required in COLUMNS.values()]


def _notes() -> list[list[str]]:
    return [
        [COLUMNS[name][0][0], "必填" if COLUMNS[name][1] else "选填", accepted, example]
        for name, (accepted, example) in NOTES.items()
    ]


def _comment_rows() -> list[list[str]]:
    """The notes under the header: one row saying how, one per column's accepted values, the example."""
    width = len(COLUMNS)
    rows = [[f"{COMMENT} 填写说明：{HINT}"] + [""] * (width - 1)]
    rows.append(
        [f"{COMMENT} 可填写的值 →"]
        + [f"{'必填' if required else '选填'}；{NOTES[name][0]}" for name, (_h, required) in list(COLUMNS.items())[1:]]
    )
    examples = [NOTES[name][1] for name in COLUMNS]
    rows.append([f"{COMMENT} 示例：{examples[0]}", *examples[1:]])
    return rows


def template_csv() -> bytes:
    """The template as CSV for Excel: UTF-8 with a BOM."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(spreadsheet_row(_header()))
    writer.writerows(spreadsheet_row(row) for row in _comment_rows())
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """The template as a workbook: 案件 (header, notes, example) and 填写说明 (the notes as a table)."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "案件"
    sheet.append(spreadsheet_row(_header()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    grey = Font(italic=True, color="808080")
    for row in _comment_rows():
        sheet.append(spreadsheet_row(row))
        for cell in sheet[sheet.max_row]:
            cell.font = grey
            cell.number_format = "@"
    # Numbers that must stay text (account, identity, phone): the columns are formatted as text.
    for index, name in enumerate(COLUMNS, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].width = 18
        if name in ("account_number", "debtor_id_number", "debtor_phone", "creditor_uscc", "contract_number"):
            for row in range(2, 501):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "可填写的值", "示例"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E9EDF2")
    for row in _notes():
        notes.append(spreadsheet_row(row))
    notes.append([])
    notes.append([HINT])
    for letter, width in zip("ABCD", (16, 10, 60, 34), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def import_template(kind: str) -> tuple[bytes, str, str]:
    """``(content, filename, content type)`` of the template as ``xlsx`` or ``csv``; ValueError otherwise."""
    if kind == "xlsx":
        return template_xlsx(), "案件导入模板.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if kind == "csv":
        return template_csv(), "案件导入模板.csv", "text/csv; charset=utf-8"
    raise ValueError(kind)
