"""The ``cross_examination`` part of a filing context: the other side's 质证意见 and our reply.

The 质证意见 filing answers one hearing's cross-examination: the proceeding of the
latest examination recorded, and every item (not withdrawn) examined in it, in the
matter's order, each with the other side's position on 真实性、合法性、关联性 and 证明目的
(《最高人民法院关于民事诉讼证据的若干规定》第八十七条) and our reply.
"""

from __future__ import annotations

from datetime import date

from evidence.models import CrossExamination
from legalcase.models import Matter
from templates_docx.sample import missing

POINT_LABELS = {"authenticity": "真实性", "legality": "合法性", "relevance": "关联性", "purpose": "证明目的"}
VERDICTS = {True: "无异议", False: "有异议", None: "未发表意见"}
SENTENCE_ENDS = "。！？；…"


def _examination(item) -> CrossExamination | None:
    try:
        return item.cross_examination
    except CrossExamination.DoesNotExist:
        return None


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in SENTENCE_ENDS else text + "。"


DIGITS = "零一二三四五六七八九"


def chinese_ordinal(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (headings 一、二、…); beyond 99 in figures."""
    if not 0 < number < 100:
        return str(number)
    tens, units = divmod(number, 10)
    return (("" if tens == 1 else DIGITS[tens]) + "十" if tens else "") + (DIGITS[units] if units else "")


def reply_label(title: str) -> str:
    return f"对“{title}”质证意见的回应"


def cross_examination_context(matter: Matter, numbered: list[tuple[str, object]]) -> dict:
    """``SAMPLE_CONTEXT["cross_examination"]`` from the matter's (number, item) pairs, markers where unrecorded."""
    examined = [(number, item, exam) for number, item in numbered if (exam := _examination(item)) is not None]
    if not examined:
        return {"case_number": "", "court": "", "examined_on": "", "exhibits": [], "missing": missing("质证记录")}
    latest = max(examined, key=lambda row: (row[2].examined_on or date.min, row[2].updated_at, row[2].pk))[2]
    chosen = [row for row in examined if row[2].proceeding_id == latest.proceeding_id]
    proceeding = latest.proceeding
    forum = (proceeding.forum if proceeding is not None else None) or matter.forum
    dates = [exam.examined_on for _number, _item, exam in chosen if exam.examined_on]
    return {
        "case_number": (proceeding.case_number if proceeding is not None else "") or missing("质证案件案号"),
        "court": forum.name if forum is not None else missing("管辖法院"),
        "examined_on": max(dates) if dates else missing("质证日期"),
        "exhibits": [
            {
                "ordinal": chinese_ordinal(index),
                "number": number,
                "title": item.title,
                "purpose": _sentence(item.purpose) or missing(f"{item.title}的证明目的"),
                "points": [
                    {
                        "label": label,
                        "admitted": getattr(exam, f"{point}_admitted"),
                        "verdict": VERDICTS[getattr(exam, f"{point}_admitted")],
                        "opinion": _sentence(getattr(exam, f"{point}_opinion")),
                    }
                    for point, label in POINT_LABELS.items()
                ],
                "reply": _sentence(exam.reply) or missing(reply_label(item.title)),
            }
            for index, (number, item, exam) in enumerate(chosen, start=1)
        ],
        "missing": "",
    }
