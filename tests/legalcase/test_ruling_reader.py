"""Reading ruling documents: two published judgments against INDEX.md's answer key, and
ten documents of each kind written in the published formats (fictional parties)."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from legalcase.rulings import (
    RulingReading,
    chinese_to_int,
    normalise_case_number,
    parse_amount,
    parse_date,
    read_ruling,
)

DOCUMENTS = Path(__file__).parent / "rulings"


def reading_of(name: str) -> RulingReading:
    return read_ruling((DOCUMENTS / f"{name}.txt").read_text(encoding="utf-8"))


def money(value):
    return None if value is None else Decimal(value)


def day(value):
    return None if value is None else dt.date.fromisoformat(value)


def test_it_reads_the_chaoyang_judgment_as_the_answer_key_does():
    reading = reading_of("01_minshi_panjueshu")
    assert (reading.kind, reading.court, reading.case_number, reading.decided_on) == (
        "judgment", "北京市朝阳区人民法院", "（2013）朝民初字第1812号", dt.date(2013, 2, 9),
    )
    # 38500 principal and the fixed 罚息 82.36; 催款函费用 and 违约金 are neither.
    assert (reading.principal_awarded, reading.interest_awarded) == (Decimal("38500"), Decimal("82.36"))
    assert (reading.acceptance_fee, reading.acceptance_fee_charged) == (Decimal("397"), Decimal("397"))
    assert reading.appealable is True
    # "于本判决生效之日共同偿还": due the day the judgment takes effect.
    assert reading.performance_days == 0
    assert reading.text_excerpt.startswith("一、被告王涛、李月兰于本判决生效之日共同偿还")


def test_it_reads_the_guangzhou_internet_court_judgment_as_the_answer_key_does():
    reading = reading_of("02_minshi_panjueshu")
    assert (reading.kind, reading.court, reading.case_number, reading.decided_on) == (
        "judgment", "广州互联网法院", "（2019）粤0192民初38420号", dt.date(2020, 3, 24),
    )
    # Five loans, each item naming its own principal and fixed interest: the sums of the items.
    assert (reading.principal_awarded, reading.interest_awarded) == (Decimal("104836.96"), Decimal("3817.26"))
    assert (reading.acceptance_fee, reading.acceptance_fee_charged) == (Decimal("1291"), Decimal("1291"))
    assert reading.appealable is True
    assert reading.performance_days == 10
    assert reading.text_excerpt.startswith("一、被告关伟斌于本判决生效之日起十日内")
    assert len(reading.text_excerpt) <= 600


# file, kind, court, case number, decided on, principal, interest, fee assessed, fee charged,
# appealable, performance days
EXPECTED = [
    ('judgment_01_first_instance', 'judgment', '上海市浦东新区人民法院', '（2025）沪0115民初48213号', '2026-03-02', '38500', '2317.45', '1050', '1050', True, 10),
    ('judgment_02_halfwidth_simplified', 'judgment', '北京市朝阳区人民法院', '（2025）京0105民初21877号', '2025-12-15', '280000', '19950', '5800', '2900', True, 7),
    ('judgment_03_wanyuan_guarantor', 'judgment', '杭州市西湖区人民法院', '（2025）浙0106民初9120号', '2026-01-08', '52000', '3600', '1190', '1190', True, 10),
    ('judgment_04_small_claims', 'judgment', '上海市闵行区人民法院', '（2025）沪0112民初30541号', '2025-09-30', '19850.20', '1290.74', '326.50', '163.25', False, 10),
    ('judgment_05_second_instance_upheld', 'judgment', '上海市第一中级人民法院', '（2026）沪01民终1021号', '2026-05-18', None, None, '1050', '1050', False, None),
    ('judgment_06_second_instance_varied', 'judgment', '广东省广州市中级人民法院', '（2026）粤01民终3377号', '2026-04-20', '96000', '4480', '2162', '2162', False, 10),
    ('judgment_07_chinese_numerals', 'judgment', '南京市鼓楼区人民法院', '（2025）苏0106民初6402号', '2026-03-02', '30000', '2105.50', '656', '656', True, 15),
    ('judgment_08_several_loans', 'judgment', '成都市武侯区人民法院', '（2025）川0107民初11873号', '2025-11-03', '20500.75', '1099.60', '288', '144', True, 10),
    ('judgment_09_fee_already_halved', 'judgment', '武汉市江汉区人民法院', '（2024）鄂0103民初1234号', '2024-08-29', '50000', None, '1050', '525', True, 10),
    ('judgment_10_running_rate_only', 'judgment', '北京市海淀区人民法院', '（2025）京0108民初7788号', '2025-10-21', '150000', None, '3300', '3300', True, 0),
    ('ruling_01_withdrawal', 'ruling', '上海市浦东新区人民法院', '（2025）沪0115民初50112号', '2025-08-12', None, None, '2900', '1450', False, None),
    ('ruling_02_dismissal', 'ruling', '北京市朝阳区人民法院', '（2025）京0105民初33019号', '2025-09-09', None, None, None, None, True, None),
    ('ruling_03_refusal_to_accept', 'ruling', '杭州市西湖区人民法院', '（2025）浙0106民初14001号', '2025-10-16', None, None, None, None, True, None),
    ('ruling_04_preservation', 'ruling', '广州市天河区人民法院', '（2025）粤0106民初22018号', '2025-11-05', None, None, None, None, False, None),
    ('ruling_05_termination_current', 'ruling', '上海市闵行区人民法院', '（2025）沪0112执8841号', '2026-02-10', None, None, None, None, False, None),
    ('ruling_06_jurisdiction_objection', 'ruling', '南京市鼓楼区人民法院', '（2025）苏0106民初7012号', '2025-07-22', None, None, None, None, True, None),
    ('ruling_07_second_instance', 'ruling', '北京市第三中级人民法院', '（2025）京03民终19870号', '2025-12-01', None, None, None, None, False, None),
    ('ruling_08_withdrawal_halfwidth', 'ruling', '成都市武侯区人民法院', '（2025）川0107民初12990号', '2025-09-26', None, None, '1050', '525', False, None),
    ('ruling_09_pre_suit_preservation', 'ruling', '武汉市江汉区人民法院', '（2026）鄂0103财保56号', '2026-01-13', None, None, None, None, False, None),
    ('ruling_10_deduction_order', 'ruling', '北京市海淀区人民法院', '（2026）京0108执2210号', '2026-03-17', None, None, None, None, False, None),
    ('mediation_01_instalments', 'mediation', '上海市浦东新区人民法院', '（2025）沪0115民初51003号', '2025-09-19', '50000', '3000', '1125', '562.50', False, None),
    ('mediation_02_halfwidth', 'mediation', '北京市朝阳区人民法院', '（2025）京0105民初40771号', '2025-10-10', '120000', '8400', '2876', '1438', False, 10),
    ('mediation_03_wanyuan', 'mediation', '杭州市西湖区人民法院', '（2025）浙0106民初15502号', '2025-11-28', '80000', '5200', '1930', '965', False, None),
    ('mediation_04_guarantor', 'mediation', '广州市天河区人民法院', '（2025）粤0106民初30118号', '2025-12-31', '200000', '13500', '4505', '2252.50', False, None),
    ('mediation_05_chinese_numerals', 'mediation', '南京市鼓楼区人民法院', '（2026）苏0106民初201号', '2026-02-09', '25000', '1200.50', '530', '265', False, None),
    ('mediation_06_arabic_date', 'mediation', '成都市武侯区人民法院', '（2026）川0107民初1590号', '2026-03-16', '15000', None, '175', '87.50', False, None),
    ('mediation_07_effective_day', 'mediation', '武汉市江汉区人民法院', '（2026）鄂0103民初880号', '2026-04-01', '30000', '900', '773', '386.50', False, 0),
    ('mediation_08_no_fee_reduction_words', 'mediation', '北京市海淀区人民法院', '（2025）京0108民初9901号', '2025-10-27', '60000', '420', '1362', '681', False, None),
    ('mediation_09_only_interest_waived', 'mediation', '上海市闵行区人民法院', '（2026）沪0112民初4410号', '2026-05-06', '9800', None, '50', '25', False, None),
    ('mediation_10_penalty_interest', 'mediation', '上海市浦东新区人民法院', '（2026）沪0115民初7006号', '2026-05-20', '100000', '3600', '2372', '1186', False, None),
    ('award_01_shanghai', 'arbitral_award', '上海仲裁委员会', '（2025）沪仲案字第0123号', '2025-10-09', '120000', '6240', '5360', '5360', False, 10),
    ('award_02_halfwidth', 'arbitral_award', '北京仲裁委员会', '（2025）京仲裁字第1234号', '2025-11-20', '80000', '5000.50', '3422', '3422', False, 15),
    ('award_03_wanyuan', 'arbitral_award', '广州仲裁委员会', '（2025）穗仲案字第8812号', '2025-12-02', '95000', '4800', '4100', '4100', False, 10),
    ('award_04_shenzhen_court_of_arbitration', 'arbitral_award', '深圳国际仲裁院', '（2026）深国仲裁字第0456号', '2026-01-26', '300000', '22260', '9180', '9180', False, 20),
    ('award_05_chinese_numerals', 'arbitral_award', '杭州仲裁委员会', '（2025）杭仲字第3301号', '2025-09-08', '40000', '2400', '1700', '1700', False, None),
    ('award_06_arabic_date', 'arbitral_award', '南京仲裁委员会', '（2026）宁仲裁字第0077号', '2026-02-27', '36000', '1890.25', '2050', '2050', False, 10),
    ('award_07_rate_only', 'arbitral_award', '武汉仲裁委员会', '（2025）武仲字第5120号', '2025-08-18', '66000', None, '2960', '2960', False, None),
    ('award_08_mixed_spacing', 'arbitral_award', '成都仲裁委员会', '（2025）成仲案字第2231号', '2025-07-04', '18600', '930', '1465', '1465', False, 7),
    ('award_09_several_loans', 'arbitral_award', '上海仲裁委员会', '（2026）沪仲案字第0318号', '2026-03-30', '35000', '1740.75', '2310', '2310', False, None),
    ('award_10_payment_on_award_day', 'arbitral_award', '北京仲裁委员会', '（2026）京仲裁字第0601号', '2026-04-09', '58000', '2030', '2740', '2740', False, 0),
    ('payment_order_01', 'payment_order', '上海市浦东新区人民法院', '（2025）沪0115民督123号', '2025-09-05', '50000', '1200', '350', '350', False, 15),
    ('payment_order_02_halfwidth', 'payment_order', '北京市朝阳区人民法院', '（2025）京0105民督88号', '2025-09-12', '30000', '1050', '198', '198', False, 15),
    ('payment_order_03_wanyuan', 'payment_order', '杭州市西湖区人民法院', '（2025）浙0106民督301号', '2025-10-10', '125000', '7500', '910', '910', False, 15),
    ('payment_order_04_chinese_numerals', 'payment_order', '南京市鼓楼区人民法院', '（2025）苏0106民督77号', '2025-11-11', '20000', '600', '108.33', '108.33', False, 15),
    ('payment_order_05_arabic_date', 'payment_order', '广州市天河区人民法院', '（2025）粤0106民督1402号', '2025-12-08', '88000', '3520', '683.33', '683.33', False, 15),
    ('payment_order_06_no_fee', 'payment_order', '成都市武侯区人民法院', '（2026）川0107民督15号', '2026-01-05', '9600', None, None, None, False, 15),
    ('payment_order_07_several_loans', 'payment_order', '武汉市江汉区人民法院', '（2026）鄂0103民督42号', '2026-02-02', '65000', '2600.40', '501.67', '501.67', False, 15),
    ('payment_order_08_credit_card', 'payment_order', '上海市闵行区人民法院', '（2026）沪0112民督9号', '2026-02-28', '17320.66', '1082.35', '80.34', '80.34', False, 15),
    ('payment_order_09_rate_only', 'payment_order', '北京市海淀区人民法院', '（2026）京0108民督310号', '2026-03-09', '70000', None, '525', '525', False, 15),
    ('payment_order_10_ten_thousand', 'payment_order', '上海市浦东新区人民法院', '（2026）沪0115民督1000号', '2026-05-12', '120000', '4080', '910', '910', False, 15),
]


@pytest.mark.parametrize(
    "name, kind, court, case_number, decided_on, principal, interest, fee, charged, appealable, days",
    EXPECTED,
    ids=[row[0] for row in EXPECTED],
)
def test_it_reads_every_field_of_a_written_document(
    name, kind, court, case_number, decided_on, principal, interest, fee, charged, appealable, days
):
    reading = reading_of(name)
    assert reading.kind == kind
    assert reading.court == court
    assert reading.case_number == case_number
    assert reading.decided_on == day(decided_on)
    assert reading.principal_awarded == money(principal)
    assert reading.interest_awarded == money(interest)
    assert reading.acceptance_fee == money(fee)
    assert reading.acceptance_fee_charged == money(charged)
    assert reading.appealable is appealable
    assert reading.performance_days == days


def test_there_are_at_least_ten_written_documents_of_each_kind():
    kinds = [row[1] for row in EXPECTED]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        "judgment": 10, "ruling": 10, "mediation": 10, "arbitral_award": 10, "payment_order": 10,
    }


@pytest.mark.parametrize("name", [row[0] for row in EXPECTED])
def test_the_excerpt_is_the_operative_part_and_short(name):
    excerpt = reading_of(name).text_excerpt
    assert excerpt and len(excerpt) <= 600
    assert "审判员" not in excerpt and "本院认为" not in excerpt


def test_amounts_are_decimals_rounded_to_the_fen():
    reading = reading_of("judgment_03_wanyuan_guarantor")
    assert isinstance(reading.principal_awarded, Decimal)
    assert reading.principal_awarded.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "written, official",
    [
        ("(2025)沪0115民初48213号", "（2025）沪0115民初48213号"),
        ("( 2025 ) 沪0115 民初 48213 号", "（2025）沪0115民初48213号"),
        ("（2025)沪0115民初48213号", "（2025）沪0115民初48213号"),
        ("〔2026〕京0108执2210号", "（2026）京0108执2210号"),
        ("(2013)朝民初字第1812号", "（2013）朝民初字第1812号"),
        ("案号：(2025)沪仲案字第0123号", "（2025）沪仲案字第0123号"),
        ("(2026)沪0115执1234号之一", "（2026）沪0115执1234号之一"),
        ("（2026）沪0115执1234号之二裁定如下", "（2026）沪0115执1234号之二"),
    ],
)
def test_half_width_brackets_and_spacing_are_normalised(written, official):
    assert normalise_case_number(written) == official


def test_a_text_without_a_case_number_has_none():
    assert normalise_case_number("本院认为，原告的请求于法有据。") is None


def test_a_half_width_case_number_in_a_document_is_read_in_the_official_form():
    text = (DOCUMENTS / "judgment_02_halfwidth_simplified.txt").read_text(encoding="utf-8")
    assert "(2025)京0105民初21877号" in text
    assert read_ruling(text).case_number == "（2025）京0105民初21877号"


@pytest.mark.parametrize("text", ["", "   \n\n", "这是一段与裁判文书无关的文字。\n今天天气很好，1,000元。", "\x00\ufffd 判决"])
def test_a_document_with_no_recognisable_fields_reads_as_all_none(text):
    assert read_ruling(text) == RulingReading()
    assert all(value is None for value in vars(read_ruling(text)).values())


@pytest.mark.parametrize(
    "numeral, value",
    [
        ("三万八千五百", 38500),
        ("一千零一十", 1010),
        ("十", 10),
        ("十二", 12),
        ("二十四", 24),
        ("一十二万", 120000),
        ("一亿二千万", 120000000),
        ("两百", 200),
        ("叁仟伍佰", 3500),
        ("二〇二六", 2026),
        ("二○二六", 2026),
        ("二0二六", 2026),
        ("二零二六", 2026),
    ],
)
def test_chinese_numerals_are_read_as_integers(numeral, value):
    assert chinese_to_int(numeral) == value


def test_a_chinese_numeral_with_foreign_characters_is_not_a_number():
    assert chinese_to_int("三万元") is None
    assert chinese_to_int("") is None


@pytest.mark.parametrize(
    "written, value",
    [
        ("38,500元", "38500"),
        ("104836.96元", "104836.96"),
        ("5.2万元", "52000"),
        ("0.36万元", "3600"),
        ("三万八千五百元", "38500"),
        ("八十二元三角六分", "82.36"),
        ("一千零一十元六角二分", "1010.62"),
        ("二百元", "200"),
        ("人民币1,450元", "1450"),
        ("一百零八元零三分", "108.03"),
    ],
)
def test_amounts_are_read_in_arabic_chinese_and_wan_forms(written, value):
    assert parse_amount(written) == Decimal(value)


@pytest.mark.parametrize(
    "written, value",
    [
        ("二〇二六年三月二日", dt.date(2026, 3, 2)),
        ("二○二六年三月二日", dt.date(2026, 3, 2)),
        ("二0二六年三月二日", dt.date(2026, 3, 2)),
        ("二〇二〇年三月二十四日", dt.date(2020, 3, 24)),
        ("二〇二五年十二月三十一日", dt.date(2025, 12, 31)),
        ("2026年3月2日", dt.date(2026, 3, 2)),
        ("２０２６年３月２日", dt.date(2026, 3, 2)),
    ],
)
def test_dates_are_read_with_every_way_of_writing_zero(written, value):
    assert parse_date(written) == value


def test_an_impossible_date_is_none():
    assert parse_date("二〇二五年二月三十日") is None
    assert parse_date("no date") is None


def test_a_date_in_the_body_is_not_the_decision_date():
    text = "某某人民法院\n民事判决书\n（2025）沪0115民初1号\n本院于2025年6月3日立案。\n"
    assert read_ruling(text).decided_on is None


def test_a_fee_halved_without_a_figure_is_halved_to_the_fen():
    text = "判决如下：\n驳回原告的诉讼请求。\n案件受理费1,125元，减半收取，由原告负担。"
    reading = read_ruling(text)
    assert (reading.acceptance_fee, reading.acceptance_fee_charged) == (Decimal("1125"), Decimal("562.50"))


def test_a_sum_that_is_the_base_of_a_running_rate_is_not_interest_awarded():
    text = "判决如下：\n被告于本判决生效之日起十日内偿还原告借款本金10,000元及利息（以本金10,000元为基数按年利率6%计算）。"
    reading = read_ruling(text)
    assert (reading.principal_awarded, reading.interest_awarded) == (Decimal("10000"), None)


def test_a_heading_on_the_title_line_still_gives_the_court():
    reading = read_ruling("北京市朝阳区人民法院民事判决书\n（2025）京0105民初1号\n")
    assert (reading.kind, reading.court) == ("judgment", "北京市朝阳区人民法院")


@pytest.mark.parametrize(
    "case_number, appealable",
    [("（2025）京0105民初1号", True), ("（2025）京03民终1号", False)],
)
def test_a_judgment_silent_on_appeal_follows_the_rules_by_instance(case_number, appealable):
    text = f"某某人民法院\n民事判决书\n{case_number}\n判决如下：\n驳回原告的诉讼请求。\n"
    assert read_ruling(text).appealable is appealable


@pytest.mark.parametrize(
    "operative, appealable",
    [("驳回原告某某的起诉。", True), ("准许原告某某撤诉。", False), ("终结本次执行程序。", False)],
)
def test_a_ruling_silent_on_appeal_is_appealable_only_when_it_dismisses_refuses_or_decides_jurisdiction(
    operative, appealable
):
    text = f"某某人民法院\n民事裁定书\n（2025）京0105民初1号\n裁定如下：\n{operative}\n"
    assert read_ruling(text).appealable is appealable
