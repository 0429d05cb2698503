"""Reading a ruling document (判决书, 裁定书, 调解书, 裁决书, 支付令) into a few facts.

A pure function of the document's text: no ORM, no Django, no personal data beyond what
the matter's deadlines need and the names of the parties the operative part orders to pay
(``bound_parties``, matched to the matter's parties by the service). Every field is ``None`` when the
document does not say it; a person confirms the reading before it drives anything
(API.md, "Proceedings and rulings"). Appealability follows the document's own words
first and LEGAL_RULES.md section 2 otherwise; the fee follows section 4 (减半收取).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from legalcase.money import FEN

# Title suffix -> kind. 裁决书 is only ever an arbitral award; a court's 裁定 is a ruling.
KINDS = {
    "判决书": "judgment",
    "裁定书": "ruling",
    "调解书": "mediation",
    "裁决书": "arbitral_award",
    "支付令": "payment_order",
}

ZERO_CHARS = "〇○零0OＯ"
DIGITS = {c: 0 for c in ZERO_CHARS} | {
    "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
for _d in range(1, 10):
    DIGITS[str(_d)] = _d
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
# Numerals in words only: ASCII digits are read as Arabic amounts.
CN_NUMERAL_CLASS = "[零〇○一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万亿]"

# Full-width digits appear in scanned and HTML copies; the rest of the reader
# works on ASCII digits.
FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")

CASE_NUMBER = re.compile(
    r"[（(〔\[]\s*((?:19|20)\d{2})\s*[）)〕\]]\s*"
    r"([\u4e00-\u9fff][\u4e00-\u9fff0-9 \t\u3000]{0,24}?\d+)\s*号"
    # A ruling given within a case may carry a suffix: （2026）沪0115执1234号之一.
    r"(之[一二三四五六七八九十]{1,3})?"
)
CN_DATE = re.compile(
    r"([〇○零0OＯ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*日"
)
ARABIC_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")

ARABIC_AMOUNT = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*万?元"
CHINESE_AMOUNT = (
    CN_NUMERAL_CLASS + r"+元整?(?:[零〇○]?[一二三四五六七八九]角)?(?:[零〇○]?[一二三四五六七八九]分)?"
)
AMOUNT = rf"(?:人民币|共计|计)?\s*({ARABIC_AMOUNT}|{CHINESE_AMOUNT})"

PRINCIPAL_LABEL = r"(?:本金|借款|欠款|贷款|透支款|货款|垫付款)"
INTEREST_LABEL = r"(?:利息|罚息|复利)"
# A sum followed by 为基数 is the base of a running rate, not a sum awarded.
AWARDED = r"(?!\s*为基数)"

OPERATIVE_START = re.compile(
    r"(?:判决|裁决|裁定)如下|(?:达成|自愿达成)(?:如下|以下)(?:调解)?协议|如下支付令|支付令如下"
)
OPERATIVE_END = re.compile(
    r"^(?:如果未按|如未按|案件受理费|本案受理费|一审案件受理费|二审案件受理费|上述协议|"
    r"本调解书|如不服|本判决|本裁定|本裁决|审\s*判|仲\s*裁\s*员|首席仲裁员|"
    r"被申请人如|如被申请人|申请费|书\s*记\s*员)"
)
EXCERPT_LENGTH = 600

APPEAL_INVITED = re.compile(r"可(?:以)?(?:在|自|于)[^。]{0,60}?上诉|上诉于")
FINAL_WORDS = re.compile(
    r"本(?:判决|裁定)为终审(?:判决|裁定)|一审终审|终局裁决|"
    r"本(?:裁定|调解书|裁决书?|支付令)[^。]{0,20}?(?:即|立即)?(?:发生|具有)法律效力|"
    r"发生法律效力后即|自作出之日起发生法律效力"
)
# 民事诉讼法 Art. 157: only these rulings can be appealed.
APPEALABLE_RULING = re.compile(r"不予受理|驳回[^。；]{0,30}?起诉|管辖权[^。；]{0,6}?异议")

PERIOD_DAYS = re.compile(r"之日起\s*(\d+|[一二三四五六七八九十百]+)\s*日内")
# "于本判决生效之日偿还" sets no period: payment is due the day the document takes effect.
DUE_ON_EFFECT = re.compile(r"(?:生效|作出|送达|签收)之日(?!起)")


@dataclass(frozen=True)
class RulingReading:
    """What one ruling document says, each field ``None`` when it does not say it."""

    kind: str | None = None
    case_number: str | None = None
    court: str | None = None
    decided_on: dt.date | None = None
    principal_awarded: Decimal | None = None
    interest_awarded: Decimal | None = None
    acceptance_fee: Decimal | None = None
    acceptance_fee_charged: Decimal | None = None
    appealable: bool | None = None
    performance_days: int | None = None
    text_excerpt: str | None = None
    # Who the operative part orders to pay: ({"name", "liability", "limit"}, ...) in the
    # order first named; liability as RulingParty.Liability, limit a Decimal or None.
    bound_parties: tuple | None = None


def read_ruling(text: str) -> RulingReading:
    """Read a ruling document's text; never raises on text it does not recognise."""
    lines = document_lines(text)
    text = "\n".join(lines)
    title_index, kind = _title(lines)
    operative = _operative_part(lines)
    tail = _after_operative_start(text)
    fee, charged = _fees(tail, kind)
    return RulingReading(
        kind=kind,
        case_number=normalise_case_number("\n".join(lines[title_index or 0:])),
        court=_court(lines, title_index),
        decided_on=_decision_date(lines),
        principal_awarded=_labelled_sum(operative, PRINCIPAL_LABEL),
        interest_awarded=_labelled_sum(operative, INTEREST_LABEL),
        acceptance_fee=fee,
        acceptance_fee_charged=charged,
        appealable=_appealable(text, kind, operative),
        performance_days=_performance_days(operative),
        text_excerpt=_excerpt(operative),
        bound_parties=bound_parties(operative),
    )


# Layout ------------------------------------------------------------------------------

# Spaces a PDF's text layer or OCR puts between Chinese characters, or between them and
# digits ("2025 年 8 月", "沪 0115 民初"); full-width spaces (审判员　　陆洁) are kept.
WIDE_CHAR = "\u2e80-\u2fff\u3001-\u9fff\uf900-\uffef"
LOOSE_SPACE = re.compile(rf"(?<=[{WIDE_CHAR}])[ \t\xa0]+|[ \t\xa0]+(?=[{WIDE_CHAR}])")
# A page number line printed in the footer or header: 第 1 页 共 3 页, 共3页 第1页, - 2 -, 1/3.
PAGE_MARK = re.compile(
    r"第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页\s*[，,]?\s*第\s*\d+\s*页|"
    r"[-—–]\s*\d+\s*[-—–]|\d+\s*/\s*\d+"
)
# A line that ends with one of these ends its paragraph, however long it is; one that
# starts with an item number (一、 （二） 3.) starts one, even when OCR lost the "；" before it.
PARAGRAPH_END = tuple("。；：！？;:!?")
ITEM_START = re.compile(r"(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[.、．](?!\d))")
# A line at least this share of the longest line's width was wrapped by the page layout.
WRAPPED_WIDTH = 0.8
MIN_WRAPPED_WIDTH = 16


def document_lines(text: str) -> list[str]:
    """The document's paragraphs, one a line, from plain text, a DOCX, a PDF's text layer or OCR.

    A PDF (and OCR) breaks a paragraph into the lines of the page, inserts spaces around
    digits and prints page numbers between them. Here page-number lines go, such spaces
    go, and a line as wide as the page that does not end a sentence is joined to the
    next: it was cut by the margin, perhaps inside a label (借\n款本金) or a case number.
    """
    text = (text or "").translate(FULLWIDTH)
    lines = [LOOSE_SPACE.sub("", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not PAGE_MARK.fullmatch(line)]
    full = max((_width(line) for line in lines), default=0)
    if full < MIN_WRAPPED_WIDTH:
        return lines
    joined: list[str] = []
    wrapped = False
    for line in lines:
        if wrapped and not ITEM_START.match(line):
            joined[-1] += line
        else:
            joined.append(line)
        wrapped = _width(line) >= WRAPPED_WIDTH * full and not line.endswith(PARAGRAPH_END)
    return joined


def _width(line: str) -> float:
    """A line's printed width in Chinese characters: a digit or letter is about half of one."""
    return sum(0.5 if ord(char) < 0x2000 else 1.0 for char in line if not char.isspace())


# Numbers ------------------------------------------------------------------------------


def chinese_to_int(numeral: str) -> int | None:
    """Value of a Chinese numeral: 三万八千五百, 一千零一十, 二十四, or digit-by-digit 二〇二六."""
    numeral = numeral.strip()
    if not numeral or any(c not in DIGITS and c not in SMALL_UNITS and c not in "万亿" for c in numeral):
        return None
    if all(c in DIGITS for c in numeral):
        # Years are written digit by digit (二〇二六), including with 〇, ○ or an ASCII 0.
        return int("".join(str(DIGITS[c]) for c in numeral))
    total = section = number = 0
    for char in numeral:
        if char in DIGITS:
            number = DIGITS[char]
        elif char in SMALL_UNITS:
            # A bare 十 at the start means ten (十二 = 12).
            section += (number or 1) * SMALL_UNITS[char]
            number = 0
        elif char == "万":
            total += (section + number) * 10_000
            section = number = 0
        else:  # 亿
            total = (total + section + number) * 100_000_000
            section = number = 0
    return total + section + number


def parse_amount(written: str) -> Decimal | None:
    """A sum of money as written: 38,500元, 104836.96元, 5.2万元, 八十二元三角六分."""
    written = re.sub(r"\s|人民币|整", "", written.translate(FULLWIDTH))
    arabic = re.fullmatch(r"([\d,]+(?:\.\d+)?)(万?)元", written)
    if arabic:
        value = Decimal(arabic.group(1).replace(",", ""))
        if arabic.group(2):
            value *= 10_000
        return value.quantize(FEN, ROUND_HALF_UP)
    chinese = re.fullmatch(rf"({CN_NUMERAL_CLASS}+)元(?:[零〇○]?(\S)角)?(?:[零〇○]?(\S)分)?", written)
    if not chinese:
        return None
    yuan = chinese_to_int(chinese.group(1))
    if yuan is None:
        return None
    value = Decimal(yuan)
    for group, unit in ((2, Decimal("0.1")), (3, FEN)):
        if chinese.group(group):
            value += DIGITS.get(chinese.group(group), 0) * unit
    return value.quantize(FEN, ROUND_HALF_UP)


# Dates and case numbers ---------------------------------------------------------------


def parse_date(written: str) -> dt.date | None:
    """A date written 二〇二六年三月二日 (〇, ○ or 0 for zero) or 2026年3月2日."""
    written = written.translate(FULLWIDTH)
    match = CN_DATE.search(written)
    if match:
        parts = [chinese_to_int(group) for group in match.groups()]
    else:
        match = ARABIC_DATE.search(written)
        if not match:
            return None
        parts = [int(group) for group in match.groups()]
    if None in parts:
        return None
    try:
        return dt.date(*parts)
    except ValueError:
        return None


def normalise_case_number(text: str) -> str | None:
    """The first case number in ``text`` in the official form: （2025）沪0115民初48213号.

    Half-width or 〔〕 brackets become full-width and spaces go; old forms such as
    （2013）朝民初字第1812号 and suffixes such as 号之一 are kept as written.
    """
    match = CASE_NUMBER.search((text or "").translate(FULLWIDTH))
    if not match:
        return None
    body = re.sub(r"\s", "", match.group(2))
    return f"（{match.group(1)}）{body}号{match.group(3) or ''}"


# Parts of the document ----------------------------------------------------------------


def _title(lines: list[str]) -> tuple[int | None, str | None]:
    """Index and kind of the title line (民 事 判 决 书, 支付令...), looked for near the top."""
    for index, line in enumerate(lines[:12]):
        compact = re.sub(r"\s", "", line)
        for suffix, kind in KINDS.items():
            if compact.endswith(suffix) and len(compact) <= 40:
                return index, kind
    return None, None


def _court(lines: list[str], title_index: int | None) -> str | None:
    """The issuing court or commission: the heading above the title, or before it on its line."""
    if title_index is None:
        return None
    same_line = re.match(r"(\S+?(?:法院|委员会|仲裁院))", re.sub(r"\s", "", lines[title_index]))
    if same_line:
        return same_line.group(1)
    for line in reversed(lines[:title_index]):
        compact = re.sub(r"\s", "", line)
        if compact.endswith(("法院", "委员会", "仲裁院", "法庭")):
            return compact
    return None


def _decision_date(lines: list[str]) -> dt.date | None:
    """The date standing alone on its line in the signature block: the last such line."""
    for line in reversed(lines):
        compact = re.sub(r"\s", "", line)
        if CN_DATE.fullmatch(compact) or ARABIC_DATE.fullmatch(compact):
            return parse_date(compact)
    return None


def _operative_part(lines: list[str]) -> str | None:
    """The operative part: from 判决如下 (or its kin) to the fee, appeal or signature lines."""
    for index, line in enumerate(lines):
        match = OPERATIVE_START.search(line)
        if not match:
            continue
        rest = line[match.end():].lstrip("：:，, ")
        part = [rest] if rest else []
        for following in lines[index + 1:]:
            if OPERATIVE_END.match(following):
                break
            part.append(following)
        return "\n".join(part) or None
    return None


def _after_operative_start(text: str) -> str:
    """The text from the operative part on, where the fee paragraph is; all of it if none."""
    match = OPERATIVE_START.search(text)
    return text[match.start():] if match else text


def _excerpt(operative: str | None) -> str | None:
    if not operative:
        return None
    if len(operative) <= EXCERPT_LENGTH:
        return operative
    return operative[: EXCERPT_LENGTH - 1] + "…"


# Facts ---------------------------------------------------------------------------------


def _labelled_sum(operative: str | None, label: str) -> Decimal | None:
    """Sum of the fixed sums named by ``label`` across all items and loans; running rates have none."""
    if not operative:
        return None
    amounts = [
        parse_amount(match.group(1))
        for match in re.finditer(label + AMOUNT + AWARDED, operative)
    ]
    amounts = [amount for amount in amounts if amount is not None]
    return sum(amounts, Decimal("0.00")) if amounts else None


def _fees(text: str, kind: str | None) -> tuple[Decimal | None, Decimal | None]:
    """The acceptance fee assessed and the fee charged after 减半收取 (诉讼费用交纳办法 Arts. 15-16)."""
    labels = r"(?:案件受理费|本案受理费|仲裁受理费|仲裁费)"
    if kind == "payment_order":
        # 督促程序 charges an application fee in place of an acceptance fee (Art. 14(3)).
        labels = r"(?:案件受理费|申请费)"
    fee_match = None
    for match in re.finditer(rf"(?<!一审){labels}{AMOUNT}", text):
        fee_match = match
        break
    if not fee_match:
        return None, None
    fee = parse_amount(fee_match.group(1))
    if fee is None:
        return None, None
    after = text[fee_match.end(): fee_match.end() + 60].split("。")[0]
    if re.match(r"\s*[（(]?\s*已减半", after):
        # "案件受理费525元（已减半收取）": the figure written is the halved one.
        return fee * 2, fee
    if "减半" not in after:
        return fee, fee
    charged = re.search(rf"减半收取[^。；\d元]{{0,8}}?{AMOUNT}", after)
    if charged and parse_amount(charged.group(1)) is not None:
        return fee, parse_amount(charged.group(1))
    return fee, (fee / 2).quantize(FEN, ROUND_HALF_UP)


def _appealable(text: str, kind: str | None, operative: str | None) -> bool | None:
    """Whether a party may appeal: the document's own words, else LEGAL_RULES section 2."""
    if APPEAL_INVITED.search(text):
        return True
    if FINAL_WORDS.search(text):
        return False
    if kind == "judgment":
        case_number = normalise_case_number(text) or ""
        # Second-instance (终) and small-claims judgments are final (民事诉讼法 Art. 165).
        return not ("终" in case_number or "小额" in text)
    if kind == "ruling":
        return bool(APPEALABLE_RULING.search(operative or ""))
    if kind in {"mediation", "arbitral_award", "payment_order"}:
        return False
    return None


def _performance_days(operative: str | None) -> int | None:
    """Days to perform: 生效之日起十日内 -> 10; 生效之日 with no period -> 0; none -> None."""
    if not operative:
        return None
    period = PERIOD_DAYS.search(operative)
    if period:
        days = period.group(1)
        return int(days) if days.isdigit() else chinese_to_int(days)
    if DUE_ON_EFFECT.search(operative):
        return 0
    return None


# Bound parties ---------------------------------------------------------------------------

# A name as the operative part writes it after 被告/被申请人: a person (two to four
# characters) or an organisation; names are listed with 、. A name ends where the
# clause goes on (于本判决…/于2026年…前, 对…, 在…, 向原告…, 应…, 共同…, 自…, 承担…, 就…)
# and never starts with those words ("被申请人应于…" names nobody).
CLAUSE_WORDS = r"于|应|对|在|向|共同|连带|按份|自|承担|就|负|偿还|给付|支付|清偿|，|、"
PARTY_NAME = rf"(?!{CLAUSE_WORDS})[\u4e00-\u9fff·（）()A-Za-z0-9]{{2,40}}?"
CLAUSE_GOES_ON = rf"(?={CLAUSE_WORDS})"
PAYERS = re.compile(
    rf"(?:被告|被申请人|第三人)({PARTY_NAME}(?:、(?:被告|被申请人)?{PARTY_NAME})*){CLAUSE_GOES_ON}"
)
PAYS = re.compile(r"偿还|给付|支付|清偿|返还|承担")
SUPPLEMENTARY = re.compile(r"不能清偿(?:的)?部分[^。；]{0,20}?补充|补充(?:赔偿|清偿)?责任")
JOINT = re.compile(r"连带|共同(?:偿还|给付|支付|清偿|返还)")
SEVERAL = re.compile(r"按份")
LIMITED = re.compile(rf"在{AMOUNT}(?:的)?(?:范围内|限额内|以内|内)")
# The order of strength: a later, more specific clause overrides a plainer one.
STRENGTH = {"principal": 0, "joint": 1, "several": 1, "limited": 2, "supplementary": 3}


def _clauses(operative: str) -> list[str]:
    return [c for c in re.split(r"[；;\n]|。(?!$)", operative) if c.strip()]


def bound_parties(operative: str | None) -> tuple | None:
    """Who the operative part orders to pay, with the liability its words give each.

    "被告甲于本判决生效之日起十日内偿还…" binds 甲 as the principal debtor; "共同偿还" or
    "承担连带清偿责任" jointly; "…不能清偿部分承担补充赔偿责任" a general guarantor's
    supplementary liability; "在…元范围内承担…" a limited one. A party named in no paying
    clause is not bound (a claim dismissed against a guarantor leaves them out).
    """
    if not operative:
        return None
    found: dict[str, dict] = {}
    for clause in _clauses(operative):
        if "驳回" in clause[:12] or not PAYS.search(clause):
            continue
        match = PAYERS.search(clause)
        if not match:
            continue
        names = [re.sub(r"^(?:被告|被申请人)", "", n) for n in match.group(1).split("、")]
        rest = clause[match.end():]
        limit = None
        if SUPPLEMENTARY.search(rest):
            liability = "supplementary"
        elif (limited := LIMITED.search(rest)) is not None:
            liability, limit = "limited", parse_amount(limited.group(1))
        elif SEVERAL.search(rest):
            liability = "several"
        elif JOINT.search(rest) or (len(names) > 1 and "共同" in rest):
            liability = "joint"
        else:
            liability = "principal"
        for name in names:
            name = name.strip()
            if not name:
                continue
            current = found.get(name)
            if current is None or STRENGTH[liability] > STRENGTH[current["liability"]]:
                found[name] = {"name": name, "liability": liability, "limit": limit}
    return tuple(found.values()) or None
