"""Demo data: fictional creditors, firms and users, and realistic matters, as plain functions.

Everything is drawn from one seeded ``random.Random``, so a run is the same on every
machine. The row generators (``person``, ``card_debt``, ``loan_debt``, ``stage_path``)
touch no database: ``seeding.seed_demo`` turns them into objects through the services, and the
matter-list benchmark (``bench/matter_list.py``) turns a million of them into COPY rows.

Names are weighted by the frequency of Chinese surnames; places are real districts with
their real GB/T 2260 codes, which are also the address codes of the identity numbers.
Creditors and every person are fictional: names and numbers are drawn at random.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from legalcase.identity import build_resident_id, build_uscc
from legalcase.money import FEN
from legalcase.models import ClosingReason, Debt, Product, Stage

SEED = 2026
# Not a secret: printed by seed_demo, for trying Fasu out on a laptop only.
DEMO_PASSWORD = "fasu-demo-2026"
# Generated amounts stop here whatever the day the demo is seeded, so runs are identical.
LATEST_AS_OF = dt.date(2026, 6, 30)


@dataclass(frozen=True)
class Area:
    code: str
    province: str
    city: str
    district: str
    streets: tuple[str, ...]
    weight: int

    @property
    def prefix(self) -> str:
        return f"{self.province}{self.city}{self.district}"


# Real districts and their GB/T 2260 codes; the streets are real streets of the district.
AREAS: tuple[Area, ...] = (
    Area("110105", "北京市", "", "朝阳区", ("建国路", "朝阳北路", "望京街", "东三环中路", "劲松路", "安立路"), 9),
    Area("110108", "北京市", "", "海淀区", ("中关村大街", "学院路", "北四环西路", "万寿路", "苏州街"), 7),
    Area("110102", "北京市", "", "西城区", ("西直门南大街", "阜成门外大街", "广安门内大街", "德胜门外大街"), 3),
    Area("120101", "天津市", "", "和平区", ("南京路", "营口道", "西康路", "成都道"), 3),
    Area("310115", "上海市", "", "浦东新区", ("张杨路", "世纪大道", "浦东南路", "杨高中路", "东方路", "锦绣路"), 10),
    Area("310104", "上海市", "", "徐汇区", ("漕溪北路", "天钥桥路", "虹桥路", "宜山路", "龙华中路"), 5),
    Area("310112", "上海市", "", "闵行区", ("七莘路", "沪闵路", "古美路", "虹梅南路"), 5),
    Area("320106", "江苏省", "南京市", "鼓楼区", ("中山北路", "湖南路", "汉中门大街", "江东北路"), 4),
    Area("320105", "江苏省", "南京市", "建邺区", ("江东中路", "庐山路", "集庆门大街"), 3),
    Area("320508", "江苏省", "苏州市", "姑苏区", ("人民路", "干将西路", "三香路"), 3),
    Area("330106", "浙江省", "杭州市", "西湖区", ("文三路", "天目山路", "文一西路", "古墩路", "教工路"), 5),
    Area("330108", "浙江省", "杭州市", "滨江区", ("江南大道", "滨盛路", "长河路"), 3),
    Area("340104", "安徽省", "合肥市", "蜀山区", ("长江西路", "黄山路", "望江西路"), 3),
    Area("350203", "福建省", "厦门市", "思明区", ("厦禾路", "湖滨南路", "莲前西路"), 3),
    Area("370102", "山东省", "济南市", "历下区", ("泉城路", "经十路", "解放路"), 3),
    Area("370212", "山东省", "青岛市", "崂山区", ("香港东路", "海尔路", "松岭路"), 2),
    Area("410105", "河南省", "郑州市", "金水区", ("花园路", "金水路", "农业路", "经三路"), 4),
    Area("420106", "湖北省", "武汉市", "武昌区", ("中南路", "武珞路", "中北路", "和平大道"), 4),
    Area("420102", "湖北省", "武汉市", "江岸区", ("解放大道", "建设大道", "沿江大道"), 3),
    Area("430104", "湖南省", "长沙市", "岳麓区", ("麓山南路", "枫林一路", "金星中路"), 3),
    Area("440106", "广东省", "广州市", "天河区", ("天河路", "体育西路", "黄埔大道西", "天河北路", "中山大道西"), 8),
    Area("440105", "广东省", "广州市", "海珠区", ("江南大道中", "新港中路", "工业大道中"), 4),
    Area("440305", "广东省", "深圳市", "南山区", ("深南大道", "南海大道", "南山大道", "后海大道"), 7),
    Area("440304", "广东省", "深圳市", "福田区", ("福华路", "深南中路", "益田路", "彩田路"), 5),
    Area("440306", "广东省", "深圳市", "宝安区", ("宝安大道", "新安六路", "建安一路"), 4),
    Area("500103", "重庆市", "", "渝中区", ("民族路", "中山三路", "长江一路"), 4),
    Area("510107", "四川省", "成都市", "武侯区", ("人民南路四段", "武侯祠大街", "科华北路", "二环路南四段"), 5),
    Area("510104", "四川省", "成都市", "锦江区", ("红星路三段", "东大街", "春熙路"), 3),
    Area("610113", "陕西省", "西安市", "雁塔区", ("小寨东路", "长安南路", "科技路", "高新路"), 4),
    Area("210102", "辽宁省", "沈阳市", "和平区", ("南京北街", "中华路", "三好街"), 3),
    Area("130102", "河北省", "石家庄市", "长安区", ("中山东路", "建设北大街", "体育北大街"), 2),
)

# The most common surnames, weighted by their share of the population (per mille, rounded).
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22), ("赵", 20), ("吴", 19), ("周", 19), ("徐", 13), ("孙", 13),
    ("马", 11), ("朱", 11), ("胡", 10), ("郭", 10), ("何", 9), ("高", 9), ("林", 9), ("罗", 8), ("郑", 8), ("梁", 7), ("谢", 6), ("宋", 6),
    ("唐", 5), ("许", 5), ("韩", 5), ("冯", 5), ("邓", 5), ("曹", 4), ("彭", 4), ("曾", 4), ("肖", 4), ("田", 4), ("董", 4), ("袁", 4),
    ("潘", 3), ("于", 3), ("蒋", 3), ("蔡", 3), ("余", 3), ("杜", 3), ("叶", 3), ("程", 3), ("苏", 3), ("魏", 3), ("吕", 3), ("丁", 3),
    ("任", 3), ("沈", 2), ("姚", 2), ("卢", 2), ("姜", 2), ("崔", 2), ("钟", 2), ("谭", 2), ("陆", 2), ("汪", 2), ("范", 2), ("金", 2),
    ("石", 2), ("廖", 2), ("贾", 2), ("夏", 2), ("韦", 2), ("付", 2), ("方", 1), ("白", 1), ("邹", 1), ("孟", 1), ("熊", 1), ("秦", 1),
    ("邱", 1), ("江", 1), ("尹", 1), ("薛", 1), ("闫", 1), ("段", 1), ("雷", 1), ("侯", 1), ("龙", 1), ("史", 1), ("陶", 1), ("黎", 1),
    ("贺", 1), ("顾", 1), ("毛", 1), ("郝", 1), ("欧阳", 1),
)  # fmt: skip

# Given names with a rough weight; several share a first character (伟, 晓, 建, 海...) so
# that a prefix search such as 张伟 finds 张伟 itself and 张伟东, 张伟明...
MALE_GIVEN: tuple[tuple[str, int], ...] = (
    ("伟", 20), ("强", 10), ("磊", 10), ("军", 9), ("勇", 9), ("杰", 9), ("涛", 8), ("斌", 7), ("超", 7), ("明", 7),
    ("刚", 6), ("平", 5), ("辉", 6), ("鹏", 6), ("华", 5), ("飞", 5), ("鑫", 5), ("波", 5), ("宇", 5), ("浩", 5),
    ("凯", 4), ("健", 4), ("俊", 4), ("洋", 6), ("帅", 3), ("旭", 3), ("龙", 3), ("伟东", 4), ("伟明", 4), ("伟强", 3),
    ("伟杰", 2), ("晓东", 5), ("晓明", 4), ("晓峰", 3), ("建华", 5), ("建国", 5), ("建军", 5), ("建平", 3), ("志强", 5), ("志明", 4),
    ("志刚", 3), ("海涛", 4), ("海波", 3), ("国强", 4), ("国庆", 3), ("文博", 3), ("子轩", 3), ("浩然", 3), ("宇航", 3), ("俊杰", 3),
    ("明轩", 2), ("家豪", 2), ("永刚", 3), ("春雷", 2), ("立新", 2), ("振华", 2), ("德明", 2), ("金龙", 2), ("红军", 2), ("卫东", 2),
    ("成", 3), ("亮", 4),
)  # fmt: skip
FEMALE_GIVEN: tuple[tuple[str, int], ...] = (
    ("芳", 18), ("娜", 12), ("敏", 12), ("静", 12), ("丽", 10), ("艳", 9), ("娟", 8), ("霞", 7), ("燕", 7), ("玲", 6),
    ("婷", 7), ("慧", 5), ("莉", 5), ("洁", 5), ("琳", 5), ("颖", 5), ("雪", 5), ("倩", 5), ("萍", 4), ("红", 5),
    ("秀英", 6), ("桂英", 5), ("玉兰", 4), ("秀兰", 4), ("晓燕", 5), ("晓红", 4), ("晓丽", 3), ("丽娟", 4), ("丽华", 3), ("海燕", 4),
    ("春梅", 3), ("雅婷", 3), ("欣怡", 3), ("梓涵", 3), ("诗涵", 2), ("思雨", 2), ("婉婷", 2), ("佳怡", 2), ("雨欣", 2), ("淑芬", 2),
    ("美玲", 2), ("建芳", 2), ("建英", 2), ("伟华", 2), ("丹", 4), ("欢", 4), ("琴", 3), ("英", 4),
)  # fmt: skip

# Mobile prefixes in service in mainland China (1[3-9]x).
PHONE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157",
    "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip


@dataclass(frozen=True)
class DemoCreditor:
    key: str
    name: str
    uscc: str
    address: str
    representative: str
    product: str


# Fictional institutions; their credit codes are the marker that the demo is present.
CREDITORS: tuple[DemoCreditor, ...] = (
    DemoCreditor(
        "card_centre",
        "华信银行股份有限公司信用卡中心",
        build_uscc("91310000MA1FH2026"),
        "上海市浦东新区世纪大道1288号华信金融大厦",
        "周建华",
        Product.CREDIT_CARD,
    ),
    DemoCreditor(
        "branch",
        "华信银行股份有限公司北京朝阳支行",
        build_uscc("91110105MA01HX026"),
        "北京市朝阳区建国路96号华信大厦一层",
        "孙立新",
        Product.LOAN,
    ),
)

FIRMS: tuple[str, ...] = ("北京金诚律师事务所", "上海正衡律师事务所", "广东粤信律师事务所")

# Where each demo creditor's contracts send disputes: the court of its domicile, or the
# commission its arbitration clause names. Installed by migration 0007.
FORUMS: dict[tuple[str, str], str] = {
    ("card_centre", Stage.LITIGATION): "上海市浦东新区人民法院",
    ("card_centre", Stage.ARBITRATION): "上海仲裁委员会",
    ("branch", Stage.LITIGATION): "北京市朝阳区人民法院",
    ("branch", Stage.ARBITRATION): "北京仲裁委员会",
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    firm: int | None  # index into FIRMS
    full_name: str


USERS: tuple[DemoUser, ...] = (
    DemoUser("counsel1", "counsel", None, "陈静"),
    DemoUser("counsel2", "counsel", None, "刘志强"),
    DemoUser("lawyer1", "lawyer", 0, "王建国"),
    DemoUser("lawyer2", "lawyer", 1, "赵丽华"),
    DemoUser("manager1", "manager", None, "孙晓燕"),
    DemoUser("admin", "admin", None, "周海涛"),
)

# How the demo's 300 matters spread over the stages.
STAGE_COUNTS: dict[str, int] = {
    Stage.INTAKE: 30,
    Stage.PRE_LITIGATION: 35,
    Stage.PRESERVATION: 15,
    Stage.ARBITRATION: 15,
    Stage.LITIGATION: 50,
    Stage.JUDGMENT: 30,
    Stage.ENFORCEMENT: 45,
    Stage.ENFORCEMENT_TERMINATED: 25,
    Stage.SETTLED: 20,
    Stage.CLOSED: 35,
}
CLOSING_REASONS: tuple[tuple[str, int], ...] = (
    (ClosingReason.RECOVERED, 35),
    (ClosingReason.SETTLED, 20),
    (ClosingReason.WRITTEN_OFF, 15),
    (ClosingReason.WITHDRAWN, 12),
    (ClosingReason.TIME_BARRED, 6),
    (ClosingReason.TRANSFERRED, 7),
    (ClosingReason.OTHER, 5),
)


class Weighted:
    """Draw from a weighted list quickly: one ``random()`` and a bisection per draw."""

    def __init__(self, items):
        items = list(items)
        self.values = [value for value, _ in items]
        self.cumulative = list(itertools.accumulate(weight for _, weight in items))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


_SURNAMES = Weighted(SURNAMES)
_GIVEN = {"male": Weighted(MALE_GIVEN), "female": Weighted(FEMALE_GIVEN)}
_AREAS = Weighted((area, area.weight) for area in AREAS)
_STAGES = Weighted(STAGE_COUNTS.items())
_CLOSING = Weighted(CLOSING_REASONS)
_RATES = Weighted(
    (Decimal(rate), weight)
    for rate, weight in (
        ("0.0435", 4),
        ("0.0475", 2),
        ("0.0490", 3),
        ("0.0539", 3),
        ("0.0588", 2),
        ("0.0650", 2),
        ("0.0700", 1),
        ("0.0800", 1),
    )
)


def money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def person_name(rng: random.Random, gender: str) -> str:
    return _SURNAMES.draw(rng) + _GIVEN[gender].draw(rng)


def phone_number(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def address(rng: random.Random, area: Area) -> str:
    street, number, room = rng.choice(area.streets), rng.randint(1, 999), rng.randint(1, 32) * 100 + rng.randint(1, 8)
    if area.province == "北京市":
        return f"{area.prefix}{street}{number}号院{rng.randint(1, 20)}号楼{rng.randint(1, 6)}单元{room}室"
    if area.province == "上海市":
        return f"{area.prefix}{street}{number}弄{rng.randint(1, 40)}号{room}室"
    return f"{area.prefix}{street}{number}号{rng.randint(1, 30)}栋{room}室"


def person(
    rng: random.Random, *, taken: set[str] | None = None, gender: str | None = None, area: Area | None = None
) -> dict:
    """A natural person as ``Party`` fields; the identity number agrees with gender and birth date.

    ``taken`` holds identity numbers already used; the new one is added to it.
    """
    gender = gender or rng.choice(("male", "female"))
    area = area or _AREAS.draw(rng)
    birth_date = random_date(rng, dt.date(1960, 1, 1), dt.date(2001, 12, 31))
    # The sequence's last digit is odd for men and even for women (GB 11643-1999).
    sequence = rng.randrange(0, 1000, 2) + (1 if gender == "male" else 0)
    id_number = build_resident_id(area_code=area.code, birth_date=birth_date, sequence=sequence)
    while taken is not None and id_number in taken:
        sequence = (sequence + 2) % 1000
        id_number = build_resident_id(area_code=area.code, birth_date=birth_date, sequence=sequence)
    if taken is not None:
        taken.add(id_number)
    return {
        "kind": "person",
        "name": person_name(rng, gender),
        "id_number": id_number,
        "gender": gender,
        "birth_date": birth_date,
        "phone": phone_number(rng),
        "address": address(rng, area),
    }


def area_of(party: dict) -> Area:
    return next(area for area in AREAS if area.code == party["id_number"][:6])


def luhn_complete(digits: str) -> str:
    """Append the Luhn check digit that card numbers carry."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            value -= 9 if value > 9 else 0
        total += value
    return digits + str((10 - total % 10) % 10)


def card_number(serial: int) -> str:
    """A 16-digit UnionPay-style card number (62 BIN), unique per serial."""
    return luhn_complete(f"625888{serial:09d}")


def loan_account_number(serial: int) -> str:
    return f"1105{serial:015d}"


# Credit limits a card centre grants; a card's is the smallest that covers its overdrawn principal.
CREDIT_LIMITS = tuple(Decimal(limit) for limit in (10_000, 20_000, 30_000, 50_000, 80_000, 100_000, 150_000, 200_000))
# How personal loans are repaid, cycled by account (most are amortised).
REPAYMENT_METHODS = (
    Debt.RepaymentMethod.EQUAL_INSTALLMENT,
    Debt.RepaymentMethod.EQUAL_INSTALLMENT,
    Debt.RepaymentMethod.EQUAL_PRINCIPAL,
    Debt.RepaymentMethod.EQUAL_INSTALLMENT,
    Debt.RepaymentMethod.MONTHLY_INTEREST,
    Debt.RepaymentMethod.BULLET,
)


def card_debt(rng: random.Random, *, serial: int) -> dict:
    """A credit-card debt as ``Debt`` fields: 万分之五 a day, so 18.25% a year on 365 days.

    The credit limit, issue date and issuing centre are derived without drawing, so
    they leave the rest of the demo as it was.
    """
    contract_date = random_date(rng, dt.date(2019, 1, 1), dt.date(2023, 6, 30))
    overdue_since = random_date(
        rng, max(dt.date(2023, 1, 1), contract_date + dt.timedelta(days=180)), dt.date(2025, 6, 30)
    )
    amounts_as_of = min(overdue_since + dt.timedelta(days=rng.randint(90, 540)), LATEST_AS_OF)
    days = (amounts_as_of - overdue_since).days
    principal = money(min(200_000, max(5_000, rng.lognormvariate(10.3, 0.8))))
    rate, penalty_rate = Decimal("0.182500"), Decimal("0.273750")
    interest = principal * rate * days / 365
    # Some agreements charge penalty interest on overdue instalments.
    penalty = principal * Decimal(rng.uniform(0.2, 0.5)) * penalty_rate * days / 365 if rng.random() < 0.3 else 0
    compound = interest * rate * days / 365 / 2
    months = max(1, days // 30)
    late_fees = min(principal * Decimal("0.005") * months, principal * Decimal("0.05"))
    fees = Decimal(rng.choice((0, 0, 0, 200, 300, 600))) + (
        money(principal * Decimal("0.006") * rng.randint(1, 6)) if rng.random() < 0.25 else 0
    )
    return {
        "product": Product.CREDIT_CARD,
        "account_number": card_number(serial),
        "contract_number": f"XYK-{contract_date.year}-{serial:06d}",
        "contract_date": contract_date,
        "amounts_as_of": amounts_as_of,
        "principal": principal,
        "interest": money(interest),
        "penalty_interest": money(penalty),
        "compound_interest": money(compound),
        "late_fees": money(late_fees),
        "fees": money(fees),
        "annual_interest_rate": rate,
        "penalty_rate": penalty_rate,
        "compound_rate": rate,
        "day_count": 365,
        "overdue_since": overdue_since,
        "matured_on": None,
        "last_payment_date": overdue_since - dt.timedelta(days=rng.randint(1, 60)) if rng.random() < 0.7 else None,
        "loan_amount": next(limit for limit in CREDIT_LIMITS if limit >= principal),
        # The card is issued a week or two after the application is signed.
        "disbursed_on": contract_date + dt.timedelta(days=7 + serial % 8),
        "branch": CREDITORS[0].name,
    }


def loan_debt(rng: random.Random, *, serial: int) -> dict:
    """A personal loan as ``Debt`` fields: contract rate, penalty rate 50% above it, 360 days.

    The amount lent (the outstanding principal rounded up to ten thousand), the
    disbursement, the agreed term and the repayment method are derived without drawing.
    """
    overdue_since = random_date(rng, dt.date(2023, 1, 1), dt.date(2025, 6, 30))
    # Signed 2019-2023, at least three months before the default, on a term still running then.
    contract_date = random_date(
        rng,
        max(dt.date(2019, 1, 1), add_months(overdue_since, -58)),
        min(dt.date(2023, 6, 30), overdue_since - dt.timedelta(days=90)),
    )
    term = rng.choice([t for t in (12, 24, 36, 36, 60) if add_months(contract_date, t) > overdue_since])
    matured_on = add_months(contract_date, term)
    amounts_as_of = min(overdue_since + dt.timedelta(days=rng.randint(60, 450)), LATEST_AS_OF)
    days = (amounts_as_of - overdue_since).days
    principal = money(min(2_000_000, max(50_000, rng.lognormvariate(12.2, 0.8))))
    rate = _RATES.draw(rng)
    penalty_rate = rate * Decimal("1.5")
    interest = principal * rate * rng.randint(1, 6) / 12
    penalty = principal * penalty_rate * days / 360
    compound = interest * penalty_rate * days / 360
    return {
        "product": Product.LOAN,
        "account_number": loan_account_number(serial),
        "contract_number": f"HXCY-GRDK-{contract_date.year}-{serial:05d}",
        "contract_date": contract_date,
        "amounts_as_of": amounts_as_of,
        "principal": principal,
        "interest": money(interest),
        "penalty_interest": money(penalty),
        "compound_interest": money(compound),
        "late_fees": Decimal("0.00"),
        "fees": Decimal("0.00"),
        "annual_interest_rate": rate,
        "penalty_rate": penalty_rate,
        "compound_rate": penalty_rate,
        "day_count": 360,
        "overdue_since": overdue_since,
        # Overdue loans are accelerated: the whole balance falls due on the default.
        "matured_on": min(matured_on, overdue_since + dt.timedelta(days=rng.randint(30, 120))),
        "last_payment_date": overdue_since - dt.timedelta(days=rng.randint(1, 45)),
        "loan_amount": (principal / 10_000).to_integral_value(rounding=ROUND_CEILING) * 10_000,
        "disbursed_on": contract_date + dt.timedelta(days=serial % 4),
        "term_ends_on": matured_on,
        "repayment_method": REPAYMENT_METHODS[serial % len(REPAYMENT_METHODS)],
        "branch": CREDITORS[1].name,
    }


def guarantee(rng: random.Random, debt: dict) -> dict:
    """A guarantee's type and period: as agreed (3 years here) or, unagreed, 6 months (民法典 Art. 692)."""
    kind = "joint" if rng.random() < 0.8 else "general"
    due = debt["matured_on"]
    ends = add_months(due, 36) if rng.random() < 0.75 else add_months(due, 6)
    return {"guarantee_type": kind, "guarantee_period_ends_on": ends}


def draw_stage(rng: random.Random) -> str:
    return _STAGES.draw(rng)


def draw_closing_reason(rng: random.Random) -> str:
    return _CLOSING.draw(rng)


# Notes written on the timeline for each move, as counsel would.
MOVE_NOTES: dict[str, tuple[str, ...]] = {
    Stage.PRE_LITIGATION: ("发送律师函催收", "电话催收无果，转诉前催告", "寄送催收函"),
    Stage.PRESERVATION: ("申请诉前财产保全", "已提交财产保全申请"),
    Stage.ARBITRATION: ("依合同仲裁条款申请仲裁", "已向仲裁委员会提交仲裁申请"),
    Stage.LITIGATION: ("已向人民法院提起诉讼", "立案受理", "要素式起诉状已递交"),
    Stage.JUDGMENT: ("收到一审判决书", "收到仲裁裁决书", "收到民事调解书"),
    Stage.ENFORCEMENT: ("判决生效，申请强制执行", "执行立案"),
    Stage.ENFORCEMENT_TERMINATED: ("法院裁定终结本次执行程序", "未发现可供执行财产，终本"),
    Stage.SETTLED: ("与债务人达成分期还款和解协议", "签署还款承诺书"),
    Stage.CLOSED: ("结案",),
}


def stage_path(rng: random.Random, stage: str, *, product: str) -> list[tuple[str, str]]:
    """The moves, each ``(to, closing reason)``, that bring a new matter to ``stage``.

    Every move is in ``models.ALLOWED_MOVES``; card centres go to arbitration more
    often than lenders do.
    """
    forum = Stage.ARBITRATION if (product == Product.CREDIT_CARD and rng.random() < 0.2) else Stage.LITIGATION
    prefix = [Stage.PRE_LITIGATION] if rng.random() < 0.5 else []
    if rng.random() < 0.15:
        prefix.append(Stage.PRESERVATION)
    to_judgment = prefix + [forum, Stage.JUDGMENT]
    paths: dict[str, list[str]] = {
        Stage.INTAKE: [],
        Stage.PRE_LITIGATION: [Stage.PRE_LITIGATION],
        Stage.PRESERVATION: ([Stage.PRE_LITIGATION] if rng.random() < 0.4 else []) + [Stage.PRESERVATION],
        Stage.ARBITRATION: prefix + [Stage.ARBITRATION],
        Stage.LITIGATION: prefix + [Stage.LITIGATION],
        Stage.JUDGMENT: to_judgment,
        Stage.ENFORCEMENT: to_judgment + [Stage.ENFORCEMENT],
        Stage.ENFORCEMENT_TERMINATED: to_judgment + [Stage.ENFORCEMENT, Stage.ENFORCEMENT_TERMINATED],
        Stage.SETTLED: rng.choice(([Stage.PRE_LITIGATION], prefix + [forum], to_judgment + [Stage.ENFORCEMENT]))
        + [Stage.SETTLED],
    }
    if stage != Stage.CLOSED:
        return [(to, "") for to in paths[stage]]
    reason = draw_closing_reason(rng)
    before = {
        ClosingReason.RECOVERED: rng.choice(([Stage.PRE_LITIGATION], to_judgment + [Stage.ENFORCEMENT])),
        ClosingReason.SETTLED: rng.choice(([Stage.PRE_LITIGATION], prefix + [forum])) + [Stage.SETTLED],
        ClosingReason.WRITTEN_OFF: to_judgment + [Stage.ENFORCEMENT, Stage.ENFORCEMENT_TERMINATED],
        ClosingReason.WITHDRAWN: prefix + [forum],
        ClosingReason.TIME_BARRED: [],
        ClosingReason.TRANSFERRED: [Stage.PRE_LITIGATION],
        ClosingReason.OTHER: [],
    }[reason]
    return [(to, "") for to in before] + [(Stage.CLOSED, reason)]


@dataclass
class MatterPlan:
    """One demo matter before it is written: its debtor, debt, guarantors and history."""

    creditor: str  # DemoCreditor.key
    debtor: dict
    debt: dict
    guarantors: list[tuple[dict, dict]] = field(default_factory=list)  # (party, guarantee)
    moves: list[tuple[str, str]] = field(default_factory=list)
    owner: int = 0  # index of the counsel in USERS
    firm: int | None = None  # index into FIRMS, the firm holding the matter at the end
    earlier_firm: int | None = None  # a firm that held it before (an ended assignment)
    unassigned_at_end: bool = False


COURT_STAGES = frozenset(
    {
        Stage.PRESERVATION,
        Stage.ARBITRATION,
        Stage.LITIGATION,
        Stage.JUDGMENT,
        Stage.ENFORCEMENT,
        Stage.ENFORCEMENT_TERMINATED,
    }
)
# Firms by the debtor's province: courts are local, so is the firm instructed.
_FIRM_BY_PROVINCE = {"广东省": 2, "上海市": 1, "江苏省": 1, "浙江省": 1, "安徽省": 1, "福建省": 2}


def stage_counts(count: int) -> dict[str, int]:
    """``count`` matters spread over the stages in ``STAGE_COUNTS``' shares: every stage
    reached from 20 matters on (the largest remainders round), ``STAGE_COUNTS`` itself at 300."""
    whole = sum(STAGE_COUNTS.values())
    shares = {stage: n * count / whole for stage, n in STAGE_COUNTS.items()}
    counts = {stage: int(share) for stage, share in shares.items()}
    by_remainder = sorted(shares, key=lambda stage: (-(shares[stage] - counts[stage]), list(shares).index(stage)))
    for stage in by_remainder[: count - sum(counts.values())]:
        counts[stage] += 1
    return counts


def plan_matters(
    rng: random.Random, *, count: int = 300, taken: set[str] | None = None, every_stage: bool = False
) -> list[MatterPlan]:
    """Draw ``count`` demo matters over the stages; a few debtors have two matters.

    The stages are ``STAGE_COUNTS`` in table order, repeated or cut to ``count``: a smaller
    demo has the early stages only. With ``every_stage``, they are spread in its shares
    (``stage_counts``). The same at 300.
    """
    taken = set() if taken is None else taken
    if every_stage:
        stages = [stage for stage, n in stage_counts(count).items() for _ in range(n)]
    else:
        stages = [stage for stage, n in STAGE_COUNTS.items() for _ in range(n)]
        stages = (stages * (count // len(stages) + 1))[:count]
    rng.shuffle(stages)
    plans: list[MatterPlan] = []
    card_serial = itertools.count(1)
    loan_serial = itertools.count(1)
    repeat_debtors: list[dict] = []
    for index, stage in enumerate(stages):
        is_card = rng.random() < 0.6
        key = "card_centre" if is_card else "branch"
        debt = card_debt(rng, serial=next(card_serial)) if is_card else loan_debt(rng, serial=next(loan_serial))
        # Every 30th matter reuses an earlier debtor: the debtor page then shows two matters.
        if index % 30 == 29 and repeat_debtors:
            debtor = repeat_debtors.pop(0)
        else:
            debtor = person(rng, taken=taken)
            if index % 30 == 3:
                repeat_debtors.append(debtor)
        plan = MatterPlan(creditor=key, debtor=debtor, debt=debt, owner=rng.choice((0, 1)))
        if not is_card and rng.random() < 0.45:
            for _ in range(1 if rng.random() < 0.8 else 2):
                # Often the spouse: opposite gender, same place.
                guarantor = person(
                    rng, taken=taken, gender="female" if debtor["gender"] == "male" else "male", area=area_of(debtor)
                )
                plan.guarantors.append((guarantor, guarantee(rng, debt)))
        plan.moves = stage_path(rng, stage, product=debt["product"])
        # Firms are instructed for proceedings, and now and then for a lawyer's demand letter.
        goes_to_court = any(to in COURT_STAGES for to, _ in plan.moves)
        if (goes_to_court and rng.random() < 0.92) or (plan.moves and not goes_to_court and rng.random() < 0.15):
            plan.firm = _FIRM_BY_PROVINCE.get(area_of(debtor).province, 0)
            if rng.random() < 0.06:
                plan.earlier_firm = (plan.firm + 1) % len(FIRMS)
            if stage == Stage.CLOSED and rng.random() < 0.3:
                plan.unassigned_at_end = True
        plans.append(plan)
    return plans
