"""Reading a court's notice (an SMS, a delivery e-mail, a PDF's text) into a few facts.

A pure function of the text, the day it was received and the rest-day calendar: no ORM,
no requests. Courts serve most notices electronically now (人民法院送达平台, 12368, the
provinces' own platforms); their wording differs from court to court, so every field is
``None`` (or empty) when the text does not say it, and a person confirms the reading
before it changes a matter (API.md, "Court notices and evidence search").

The deadlines a notice starts follow LEGAL_RULES Part 2, B.4: the period starts the day
after receipt (the start day is not counted) and a last day on a rest day moves forward;
the fee is due 7 days after the fee notice, the answer (答辩) 15 days after the complaint
copy, the evidence period is as the notice states it. A download link is kept as text
and never fetched.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from legalcase.identity import mask_account, mask_id_number, mask_phone
from legalcase.periods import WEEKENDS_ONLY, HolidayCalendar, period_end
from legalcase.rulings import FULLWIDTH, LOOSE_SPACE, chinese_to_int, document_lines, normalise_case_number, parse_date

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")

KINDS = (
    "acceptance",
    "fee_payment",
    "evidence",
    "summons",
    "judgment_service",
    "enforcement_acceptance",
    "property_report_order",
    "termination_ruling",
    "other",
)
# Deadline kinds a notice may start; ``evidence_period`` and ``defence_period`` are
# DeadlineKinds, ``fee_payment`` is the engine's own (from the fee notice's receipt day).
DEADLINE_KINDS = ("fee_payment", "evidence_period", "defence_period", "property_report", "appeal")

FEE_DAYS = 7  # 诉讼费用交纳办法 Art. 22
DEFENCE_DAYS = 15  # 民事诉讼法 Art. 130
RULE = "court_notice@2024"

# The kind, from the most specific wording to the least; the first that matches wins.
KIND_WORDS: tuple[tuple[str, re.Pattern], ...] = (
    ("termination_ruling", re.compile(r"终结[^。]{0,40}?本次执行|终本")),
    ("property_report_order", re.compile(r"报告财产令|责令[^。]{0,12}报告财产")),
    ("enforcement_acceptance", re.compile(r"执行案件受理通知|立案执行|已立案执行|执行立案|申请执行[^。]{0,40}受理")),
    ("summons", re.compile(r"传\s*票|开庭审理|应到时间|定于[^。]{0,30}开庭")),
    ("judgment_service", re.compile(r"(?:判决书|裁定书|调解书)[^。]{0,30}(?:送达|查阅|下载)|送达文书[:：]?\s*民事(?:判决|裁定)书|文书[:：]\s*民事(?:判决|裁定)书")),
    ("fee_payment", re.compile(r"交纳诉讼费用通知|(?:交纳|缴纳|预交)[^。]{0,20}(?:诉讼费|受理费)")),
    ("evidence", re.compile(r"举证通知|举证期限|提交证据")),
    ("acceptance", re.compile(r"受理案件通知|应诉通知|已立案受理|立案审理|本院于[^。]{0,20}立案|已立案")),
)

COURT = re.compile(r"[\u4e00-\u9fff]{2,30}?(?:人民法院|法院)")
# Words that precede a court's name in a sentence; the name starts after the last one.
COURT_LEAD = re.compile(r".*(?:您好|你好|您在|您的|通过|向|经|由|在|的|对|为|是|据|现|已|请|将|被)")
NOT_A_COURT = ("人民法院", "法院", "最高人民法院")

LINK = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")

ROLE = (
    r"(?:原告|被告|第三人|申请人|被申请人|申请执行人|被执行人|上诉人|被上诉人|当事人|受送达人|被传唤人)"
)
NAME = r"[\u4e00-\u9fff（）()·]{2,40}?"
# The cause of action that follows "甲诉乙" or "甲与乙" (…借款合同纠纷).
CAUSE = r"(?:金融借款合同|借款合同|信用卡|民间借贷|追偿权|保证合同|买卖合同|服务合同|合同)?纠纷"
PARTY_AFTER_ROLE = re.compile(
    rf"{ROLE}[:：]?\s*({NAME})(?=与|诉|、|，|,|。|；|;|：|:|\s|$|一案|的|等|发出|提交|如实|申请|报告|"
    r"(?:金融借款合同|借款合同|信用卡|民间借贷|追偿权|保证合同|买卖合同|服务合同|合同)?纠纷)"
)
# A line that lists the parties after its label: 当事人：甲、乙.
PARTY_LINE = re.compile(rf"^{ROLE}[:：]\s*(.+)$")
PARTY_PAIR = re.compile(rf"({NAME})(?:诉|与)({NAME})(?={CAUSE})")
NAME_SPLIT = re.compile(r"[、，,]")
NOT_A_NAME = re.compile(r"^(?:你|您|本院|我|该|上述|双方|如下|应|必须|请|于|在|有|可|如|已|将)")
ORGANISATION = re.compile(r"(?:公司|中心|支行|分行|银行|合作社|事务所)$")

ARABIC_DAY = r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?"
CN_DAY = r"([〇○零0一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
HALF_DAY = r"(上午|下午|晚上|中午)?"
ARABIC_TIME = r"(\d{1,2})\s*(?:时|点|:|：)\s*(\d{1,2}|半)?\s*分?"
CN_TIME = r"([一二三四五六七八九十]{1,3})(?:时|点)(半|[一二三四五六七八九十零〇]{1,3}分)?"
HEARING_WORDS = re.compile(r"开庭|应到时间|到庭|庭审|听证|询问|调解")
HEARING_AT = (
    re.compile(ARABIC_DAY + r"\s*" + HALF_DAY + r"\s*" + ARABIC_TIME),
    re.compile(CN_DAY + HALF_DAY + CN_TIME),
)
PLACE = (
    re.compile(r"(?:应到处所|开庭地点|地点|地址)[:：]\s*([^\n。；;，,]{2,60})"),
    re.compile(r"在(本院[^\n。；;，,]{0,30}?(?:法庭|审判庭|调解室|庭))"),
    re.compile(r"在([\u4e00-\u9fff0-9]{2,30}?(?:法庭|审判庭|调解室))"),
)

DAYS = r"(\d{1,3}|[一二三四五六七八九十]{1,3})\s*(?:日|天)"
DATE_ANY = rf"(?:{ARABIC_DAY}|{CN_DAY})"
EVIDENCE_UNTIL = re.compile(rf"举证期限(?:为|至|截止(?:至|到|日期?为?)?|届满日?为?)[:：]?\s*({DATE_ANY})")
EVIDENCE_BEFORE = re.compile(rf"(?:于|在)\s*({DATE_ANY})\s*(?:前|之前|以前)[^。]{{0,16}}?(?:提交|提供)[^。]{{0,4}}证据")
EVIDENCE_DAYS = re.compile(rf"举证期限(?:为)?[^。]{{0,24}}?(?:起|后)\s*{DAYS}")
DEFENCE_BEFORE = re.compile(rf"(?:于|在)\s*({DATE_ANY})\s*(?:前|之前|以前)[^。]{{0,16}}?答辩")
DEFENCE_DAYS = re.compile(rf"(?:答辩期|答辩)[^。]{{0,30}}?{DAYS}|{DAYS}内[^。]{{0,16}}?(?:提交|提出)答辩")
FEE_DAYS_WORDS = re.compile(rf"(?:次日起|之日起|后)\s*{DAYS}内[^。]{{0,24}}?(?:交纳|缴纳|预交)|(?:交纳|缴纳|预交)[^。]{{0,30}}?{DAYS}内")
REPORT_BEFORE = re.compile(rf"(?:于|在)\s*({DATE_ANY})\s*(?:前|之前|以前)[^。]{{0,16}}?报告财产")
REPORT_DAYS = re.compile(rf"(?:收到|接到)[^。]{{0,16}}?(?:后|之日起|次日起)\s*{DAYS}内[^。]{{0,20}}?报告")
APPEAL_DAYS = re.compile(rf"送达之日起\s*{DAYS}内[^。]{{0,10}}?上诉")


@dataclass(frozen=True)
class NoticeReading:
    """What one court notice says; each field ``None`` (or empty) when it does not say it.

    ``deadlines`` holds ``{"kind", "due_on", "days"}`` dicts: ``due_on`` a date (None when
    the notice counts days from receipt and the day of receipt is unknown), ``days`` the
    period counted from receipt, or None when the notice states the last day.
    """

    court: str | None = None
    case_number: str | None = None
    kind: str = "other"
    hearing_at: dt.datetime | None = None
    place: str | None = None
    parties: tuple[str, ...] = ()
    deadlines: tuple[dict, ...] = ()
    link: str | None = None


def read_court_notice(
    text: str, *, received_on: dt.date | None = None, calendar: HolidayCalendar = WEEKENDS_ONLY
) -> NoticeReading:
    """Read a court notice's text; never raises on text it does not recognise."""
    raw = (text or "").translate(FULLWIDTH)
    # Lines as written (an SMS or an e-mail has no page width to undo) for the labelled
    # fields, and the paragraphs a PDF's wrapping cut for the sentences.
    written = [LOOSE_SPACE.sub("", line).strip() for line in raw.splitlines() if line.strip()]
    flat = "\n".join(document_lines(raw))
    kind = notice_kind(flat)
    hearing_at = _hearing_at(flat, received_on) if kind == "summons" or HEARING_WORDS.search(flat) else None
    return NoticeReading(
        court=_court(written),
        case_number=normalise_case_number(flat),
        kind=kind,
        hearing_at=hearing_at,
        place=_place(flat) if hearing_at else None,
        parties=_parties(written),
        deadlines=tuple(_deadlines(flat, kind, received_on, calendar)),
        link=_link(raw),
    )


def notice_kind(text: str) -> str:
    """The kind of notice, by the first of ``KIND_WORDS`` its text matches; else "other"."""
    compact = re.sub(r"[ \t\u3000]", "", text)
    for kind, words in KIND_WORDS:
        if words.search(compact):
            return kind
    return "other"


def _court(lines: list[str]) -> str | None:
    for line in lines:
        for match in COURT.finditer(line):
            name = COURT_LEAD.sub("", match.group(0))
            if name not in NOT_A_COURT and len(name) >= 5 and not name.startswith("最高人民法院"):
                return name
    return None


def _link(text: str) -> str | None:
    match = LINK.search(text)
    return match.group(0).rstrip(".,;:!?)'") if match else None


def _parties(lines: list[str]) -> tuple[str, ...]:
    names: list[str] = []

    def add(name: str) -> None:
        for part in NAME_SPLIT.split(name):
            part = part.strip()
            if 2 <= len(part) <= 40 and not NOT_A_NAME.match(part) and part not in names and "法院" not in part:
                names.append(part)

    for line in lines:
        labelled = PARTY_LINE.match(line)
        if labelled and not re.search(r"[。；;]", labelled.group(1)):
            add(labelled.group(1))
            continue
        for match in PARTY_AFTER_ROLE.finditer(line):
            add(match.group(1))
        for match in PARTY_PAIR.finditer(line):
            for written in match.groups():
                with_role = re.search(ROLE, written)
                # The run of characters before 诉/与 starts wherever the sentence did: after a
                # role word, a case number's 号 or a comma; a long run without either is prose.
                name = re.sub(rf"^.*?{ROLE}", "", written) if with_role else re.sub(r"^.*号", "", written)
                if with_role or len(name) <= 6 or ORGANISATION.search(name):
                    add(name)
    return tuple(names)


def _number(written: str) -> int | None:
    return int(written) if written.isdigit() else chinese_to_int(written)


def _date_of(groups: tuple) -> dt.date | None:
    """The date of a ``DATE_ANY`` match's groups (Arabic first, Chinese numerals second)."""
    arabic, chinese = groups[:3], groups[3:6]
    try:
        if arabic[0]:
            return dt.date(*(int(part) for part in arabic))
        if chinese[0]:
            return parse_date(f"{chinese[0]}年{chinese[1]}月{chinese[2]}日")
    except ValueError:
        return None
    return None


def _hearing_at(text: str, received_on: dt.date | None) -> dt.datetime | None:
    compact = re.sub(r"[ \t\u3000]+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])[ \t\u3000]+", "", text)
    for pattern in HEARING_AT:
        for match in pattern.finditer(compact):
            groups = match.groups()
            if pattern is HEARING_AT[0]:
                day = _date_of((*groups[:3], None, None, None))
                half, hour, minute = groups[3], int(groups[4]), groups[5]
                minute = 30 if minute == "半" else int(minute or 0)
            else:
                day = parse_date(f"{groups[0]}年{groups[1]}月{groups[2]}日")
                half, hour = groups[3], chinese_to_int(groups[4])
                extra = groups[5] or ""
                minute = 30 if extra == "半" else (chinese_to_int(extra.rstrip("分")) or 0 if extra else 0)
            if day is None or hour is None:
                continue
            if half in ("下午", "晚上") and hour < 12:
                hour += 12
            if not (0 <= hour < 24 and 0 <= minute < 60):
                continue
            return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING)
    return None


def _place(text: str) -> str | None:
    for pattern in PLACE:
        match = pattern.search(text)
        if match:
            return match.group(1).strip()[:200]
    return None


def _deadlines(text: str, kind: str, received_on: dt.date | None, calendar: HolidayCalendar) -> list[dict]:
    compact = re.sub(r"[ \t\u3000]", "", text)
    found: list[dict] = []

    def stated(deadline_kind: str, day: dt.date | None) -> None:
        if day is not None and all(row["kind"] != deadline_kind for row in found):
            found.append({"kind": deadline_kind, "due_on": day, "days": None})

    def counted(deadline_kind: str, days: int | None) -> None:
        if not days or any(row["kind"] == deadline_kind for row in found):
            return
        due = None
        if received_on is not None:
            due = period_end(received_on, days=days, calendar=calendar, rule=RULE).on
        found.append({"kind": deadline_kind, "due_on": due, "days": days})

    if kind == "fee_payment":
        match = FEE_DAYS_WORDS.search(compact)
        days = next((_number(g) for g in match.groups() if g), None) if match else None
        # The statute gives 7 days whatever the notice's wording (诉讼费用交纳办法 Art. 22).
        counted("fee_payment", days or FEE_DAYS)
    if kind in ("evidence", "summons", "acceptance", "fee_payment"):
        match = EVIDENCE_UNTIL.search(compact) or EVIDENCE_BEFORE.search(compact)
        if match:
            stated("evidence_period", _date_of(match.groups()[1:7]))
        else:
            match = EVIDENCE_DAYS.search(compact)
            if match:
                counted("evidence_period", _number(match.group(1)))
    if re.search(r"答辩", compact):
        match = DEFENCE_BEFORE.search(compact)
        if match:
            stated("defence_period", _date_of(match.groups()[1:7]))
        else:
            match = DEFENCE_DAYS.search(compact)
            days = next((_number(g) for g in match.groups() if g), None) if match else None
            counted("defence_period", days or DEFENCE_DAYS)
    if kind == "property_report_order":
        match = REPORT_BEFORE.search(compact)
        if match:
            stated("property_report", _date_of(match.groups()[1:7]))
        else:
            match = REPORT_DAYS.search(compact)
            if match:
                counted("property_report", _number(match.group(1)))
    if kind == "judgment_service":
        match = APPEAL_DAYS.search(compact)
        if match:
            counted("appeal", _number(match.group(1)))
    return found


# Numbers a notice's text may carry (a party's identity number, a phone, a bank account
# for the fee), masked wherever the text is shown (API.md, "Conventions").
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
ACCOUNT = re.compile(r"(?<!\d)\d{12,30}(?!\d)")


def masked_text(text: str) -> str:
    """The text with identity numbers, phones and account numbers masked as everywhere else."""
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text or "")
    text = MOBILE.sub(lambda m: mask_phone(m.group(0)), text)
    text = LANDLINE.sub(lambda m: mask_phone(m.group(0)), text)
    return ACCOUNT.sub(lambda m: mask_account(m.group(0)), text)
