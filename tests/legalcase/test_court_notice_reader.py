"""Reading court notices: every kind from at least three differently worded samples (SMS, e-mail, PDF text)."""

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from legalcase.court_notices import BEIJING, KINDS, masked_text, read_court_notice
from legalcase.periods import HolidayCalendar

FIXTURES = Path(__file__).parent.parent / "fixtures" / "court_notices"
RECEIVED = dt.date(2026, 5, 6)  # a Wednesday

PUDONG, CHAOYANG, FUTIAN = "上海市浦东新区人民法院", "北京市朝阳区人民法院", "广东省深圳市福田区人民法院"
XIHU, WUZHONG = "杭州市西湖区人民法院", "江苏省苏州市吴中区人民法院"
PUDONG_CASE, CHAOYANG_CASE, FUTIAN_CASE = "（2026）沪0115民初1234号", "（2026）京0105民初20871号", "（2026）粤0304民初5566号"
XIHU_CASE = "（2026）浙0106民初3321号"

# file -> (court, case number, parties that must be read, deadlines {kind: due_on})
EXPECTED = {
    "acceptance_1_sms": (PUDONG, PUDONG_CASE, {"张三", "招商银行股份有限公司信用卡中心"}, {}),
    "acceptance_2_email": (CHAOYANG, CHAOYANG_CASE, {"李四"}, {}),
    "acceptance_3_pdf": (FUTIAN, FUTIAN_CASE, {"赵敏"}, {}),
    "acceptance_4_respondent": (CHAOYANG, "（2026）京0105民初3088号", {"王强"}, {"defence_period": "2026-05-21"}),
    "fee_payment_1_sms": (XIHU, XIHU_CASE, {"钱多多"}, {"fee_payment": "2026-05-13"}),
    "fee_payment_2_email": (PUDONG, PUDONG_CASE, {"张三"}, {"fee_payment": "2026-05-13"}),
    "fee_payment_3_pdf": (WUZHONG, "（2026）苏0506民初778号", {"孙小红"}, {"fee_payment": "2026-05-13"}),
    "evidence_1_sms": (CHAOYANG, CHAOYANG_CASE, {"李四"}, {"evidence_period": "2026-05-25"}),
    "evidence_2_email": (PUDONG, PUDONG_CASE, {"张三"}, {"evidence_period": "2026-05-21"}),
    "evidence_3_pdf": (FUTIAN, FUTIAN_CASE, set(), {"evidence_period": "2026-06-02"}),
    "summons_1_sms": (PUDONG, PUDONG_CASE, {"张三"}, {}),
    "summons_2_email": (CHAOYANG, CHAOYANG_CASE, set(), {}),
    "summons_3_pdf": (FUTIAN, FUTIAN_CASE, set(), {}),
    "judgment_service_1_sms": (XIHU, XIHU_CASE, {"钱多多"}, {"appeal": "2026-05-21"}),
    "judgment_service_2_email": (CHAOYANG, CHAOYANG_CASE, {"李四"}, {}),
    "judgment_service_3_pdf": (PUDONG, PUDONG_CASE, set(), {"appeal": "2026-05-18"}),
    "enforcement_acceptance_1_sms": (PUDONG, "（2026）沪0115执5678号", {"张三"}, {}),
    "enforcement_acceptance_2_email": (CHAOYANG, "（2026）京0105执12034号", set(), {}),
    "enforcement_acceptance_3_pdf": (FUTIAN, "（2026）粤0304执9012号", {"赵敏"}, {}),
    "property_report_order_1_sms": (PUDONG, "（2026）沪0115执5678号", {"张三"}, {"property_report": "2026-05-11"}),
    "property_report_order_2_email": (CHAOYANG, "（2026）京0105执12034号", {"李四"}, {"property_report": "2026-05-18"}),
    "property_report_order_3_pdf": (FUTIAN, "（2026）粤0304执9012号", {"赵敏"}, {"property_report": "2026-09-20"}),
    "termination_ruling_1_sms": (PUDONG, "（2026）沪0115执5678号", {"张三"}, {}),
    "termination_ruling_2_email": (CHAOYANG, "（2026）京0105执12034号", {"李四"}, {}),
    "termination_ruling_3_pdf": (FUTIAN, "（2026）粤0304执9012号", {"赵敏"}, {}),
    "other_1_sms": (CHAOYANG, CHAOYANG_CASE, set(), {}),
    "other_2_email": (PUDONG, None, set(), {}),
    "other_3_pdf": (XIHU, XIHU_CASE, set(), {}),
}
HEARINGS = {
    "summons_1_sms": (dt.datetime(2026, 5, 12, 9, 30, tzinfo=BEIJING), "本院第十二法庭"),
    "summons_2_email": (dt.datetime(2026, 6, 3, 14, 0, tzinfo=BEIJING), "本院第三法庭"),
    "summons_3_pdf": (dt.datetime(2026, 6, 10, 14, 30, tzinfo=BEIJING), "福田法院第二十一审判庭"),
}


def read(name: str, **kwargs):
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    return read_court_notice(text, received_on=kwargs.pop("received_on", RECEIVED), **kwargs)


def test_every_kind_has_at_least_three_samples_in_different_channels():
    names = [path.stem for path in FIXTURES.glob("*.txt")]
    assert set(names) == set(EXPECTED)
    per_kind = Counter(name.rsplit("_", 2)[0] for name in names)
    assert {kind: per_kind[kind] >= 3 for kind in KINDS} == dict.fromkeys(KINDS, True)
    for kind in KINDS:
        channels = {name.rsplit("_", 1)[1] for name in names if name.rsplit("_", 2)[0] == kind}
        assert {"sms", "email", "pdf"} <= channels, kind


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_sample_is_read(name):
    court, case_number, parties, deadlines = EXPECTED[name]
    reading = read(name)

    assert reading.kind == name.rsplit("_", 2)[0]
    assert reading.court == court
    assert reading.case_number == case_number
    assert parties <= set(reading.parties), reading.parties
    assert not any("法院" in party or len(party) < 2 for party in reading.parties)
    assert {row["kind"]: row["due_on"].isoformat() for row in reading.deadlines} == deadlines
    assert (reading.hearing_at, reading.place) == HEARINGS.get(name, (None, None))


def test_links_are_kept_as_text():
    assert read("summons_1_sms").link == "https://sd.court.gov.cn/sfsddz/Q7WmN2"
    assert read("fee_payment_2_email").link == "https://pay.hshfy.sh.cn/jf?ah=2026-0115-1234"
    assert read("acceptance_3_pdf").link is None


def test_half_width_brackets_and_spaces_in_a_case_number_are_normalised():
    reading = read_court_notice("【12368】您的案件 ( 2026 ) 沪0115民初 1234 号 已受理。")
    assert reading.case_number == "（2026）沪0115民初1234号"


def test_the_answer_period_follows_legal_rules_worked_example():
    """B.4: a complaint copy received 2026-02-03 gives 15 days to 02-18, a rest day: due 2026-02-24."""
    spring_festival = frozenset(dt.date(2026, 2, day) for day in range(15, 24))
    calendar = HolidayCalendar(holidays=spring_festival, verified_years=frozenset({2026}))

    reading = read("acceptance_4_respondent", received_on=dt.date(2026, 2, 3), calendar=calendar)

    assert reading.deadlines == ({"kind": "defence_period", "due_on": dt.date(2026, 2, 24), "days": 15},)


def test_the_fee_period_follows_legal_rules_worked_example():
    """B.4: a fee notice received 2026-09-28 gives 7 days to 10-05 (National Day): due 2026-10-08."""
    national_day = frozenset(dt.date(2026, 10, day) for day in range(1, 8))
    calendar = HolidayCalendar(holidays=national_day, verified_years=frozenset({2026}))

    reading = read("fee_payment_1_sms", received_on=dt.date(2026, 9, 28), calendar=calendar)

    assert reading.deadlines == ({"kind": "fee_payment", "due_on": dt.date(2026, 10, 8), "days": 7},)


def test_without_the_day_of_receipt_a_counted_period_has_no_date():
    text = (FIXTURES / "fee_payment_3_pdf.txt").read_text(encoding="utf-8")
    assert read_court_notice(text).deadlines == ({"kind": "fee_payment", "due_on": None, "days": 7},)


@pytest.mark.parametrize("text", ["", "   ", "你好", "【某某】验证码123456，请勿泄露。", "x" * 5000])
def test_text_that_is_no_notice_reads_as_nothing(text):
    reading = read_court_notice(text, received_on=RECEIVED)
    assert (reading.kind, reading.court, reading.case_number, reading.hearing_at, reading.deadlines) == (
        "other", None, None, None, ()
    )  # fmt: skip


def test_numbers_in_a_notice_are_masked_when_shown():
    text = "联系电话010-85000000，手机13812345678，被告身份证号110105199001011232，账号6222021234567890123"
    assert masked_text(text) == (
        "联系电话010*****0000，手机138****5678，被告身份证号110105********1232，账号6222***********0123"
    )
    assert masked_text("（2026）沪0115民初1234号 2026年5月12日") == "（2026）沪0115民初1234号 2026年5月12日"
