#!/usr/bin/env python
"""Evidence search at a million pages: Fasu's search function beside the raw SQL of the same query.

Issue 20: "evidence searchable ... fast at 1,000,000 evidence pages". This script

1. creates the PostgreSQL database if missing, migrates it, and fills ``--matters``
   matters through ``bench/matter_list.py``'s COPY filler unless it holds that many;
2. unless the evidence tables already hold ``--pages`` pages, empties them and COPYs
   ``--pages`` pages of generated Chinese legal text (contracts, statements, demand
   letters, court papers; ``--pages-per-item`` pages an item, pages separated by form
   feeds as the text extraction writes them) into ``evidence_evidenceitem``, and their
   index parts (``evidence.search.tsvector_parts``, the function the upload calls,
   run in ``--processes`` worker processes) into ``evidence_evidencesearchpart`` with
   the GIN index dropped during the COPY and built after it; then VACUUM ANALYZE;
3. times typical phrase queries as counsel (every matter) and as a lawyer (the firm's
   matters): ``evidence.search.evidence_search`` with the first page of 50 rows and
   their snippets (what ``GET /api/v1/evidence/?q=`` does) and its exact count, each
   beside the same SQL run raw through psycopg2, and prints p50/p95/max.

Run on demand; not part of the test suite:

    python bench/evidence_search.py                        # 1,000,000 pages
    python bench/evidence_search.py --pages 200000 --runs 30
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import matter_list  # noqa: E402  (bench/matter_list.py: the environment and the matter filler)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fasu_bench_evidence"
SEED = 2026
PAGE_CHARS = 500  # a typical page of a contract or statement read by OCR
ITEMS_PER_COPY = 5000
FIRST_UPLOAD = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国晓燕志文斌辉鹏宇浩然欣怡子涵梓轩"
BANKS = ("华信银行股份有限公司上海分行", "东方信用卡中心", "长江资产管理股份有限公司", "汇丰消费金融有限公司")
COURTS = ("上海市浦东新区人民法院", "北京市朝阳区人民法院", "广州市天河区人民法院", "杭州市西湖区人民法院")
# Sentences of the papers a debt-recovery file holds; {n} a name, {a} an amount, {d} a date,
# {c} a contract number, {i} an identity number, {p} a phone, {k} a card number, {b} a bank, {o} a court.
SENTENCES = {
    "contract": (
        "甲方（贷款人）：{b}。乙方（借款人）：{n}，身份证号{i}，联系电话{p}。",
        "第一条 借款金额：人民币{a}元，借款用途为个人消费，借款期限自{d}起十二个月。",
        "第二条 借款利率为年利率百分之七点二，按月结息，到期一次还本。",
        "第三条 乙方应于每月二十日前将当期应还本息存入还款账户{k}。",
        "第八条 乙方未按期归还借款本息的，甲方有权宣布借款提前到期，并按合同约定利率上浮百分之五十计收罚息。",
        "第九条 乙方逾期不还的，对应付未付利息按罚息利率计收复利。",
        "第十二条 因本合同发生的争议，由甲方所在地人民法院管辖。",
        "保证人同意为乙方在本合同项下的全部债务承担连带保证责任，保证期间为主债务履行期限届满之日起三年。",
        "本借款合同编号{c}，一式三份，甲乙双方及保证人各执一份，自双方签字盖章之日起生效。",
    ),
    "statement": (
        "账户{k}本期账单日{d}，本期应还金额{a}元，最低还款额为应还金额的百分之十。",
        "上期账单金额{a}元，本期新增消费{a}元，本期还款{a}元，利息及费用{a}元。",
        "截至{d}，持卡人{n}逾期未还本金{a}元，利息{a}元，滞纳金{a}元。",
        "交易明细：{d} 网上消费 {a}；{d} 取现 {a}；{d} 年费 {a}。",
        "如您已还款请忽略本提示，如有疑问请致电客服热线。",
    ),
    "demand_record": (
        "{n}先生/女士：您在我行办理的贷款已逾期，截至{d}尚欠本息合计{a}元。",
        "请于收到本通知之日起七日内归还全部欠款，逾期不还我行将依法提起诉讼。",
        "催收员于{d}通过电话{p}联系债务人，债务人承诺于月底前还款。",
        "催收记录显示，自{d}起已累计发送短信催收十二次，上门催收两次。",
        "债务人表示因经营困难暂时无力还款，请求分期偿还。",
    ),
    "ruling": (
        "{o}民事判决书，原告{b}与被告{n}金融借款合同纠纷一案，本院于{d}立案后依法适用简易程序公开开庭进行了审理。",
        "被告应于本判决生效之日起十日内向原告偿还借款本金{a}元及利息、罚息、复利。",
        "如果未按本判决指定的期间履行给付金钱义务，应当依照《中华人民共和国民事诉讼法》第二百六十四条之规定，加倍支付迟延履行期间的债务利息。",
        "案件受理费{a}元，减半收取，由被告负担。",
        "如不服本判决，可以在判决书送达之日起十五日内向本院递交上诉状。",
    ),
}
KINDS = tuple(SENTENCES)
TITLES = {
    "contract": ("个人借款合同", "信用卡领用合约", "保证合同", "借款借据"),
    "statement": ("信用卡对账单", "欠款明细", "还款流水"),
    "demand_record": ("催收通知书", "催收记录", "律师函送达记录"),
    "ruling": ("民事判决书", "民事裁定书"),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1_000_000, help="evidence pages (default 1,000,000)")
    parser.add_argument("--pages-per-item", type=int, default=5, help="pages an evidence item (default 5)")
    parser.add_argument("--matters", type=int, default=20_000, help="matters the items belong to (default 20,000)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query (default 30)")
    parser.add_argument("--processes", type=int, default=2, help="processes that index the text (default 2)")
    parser.add_argument("--refill", action="store_true", help="fill the evidence again even if the count matches")
    return parser.parse_args()


# --- Filling ---------------------------------------------------------------------------------


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _fill_in(sentence: str, rng: random.Random, item_id: int) -> str:
    return sentence.format(
        n=_name(rng),
        a=f"{rng.randrange(1000, 500000):,}.{rng.randrange(100):02d}",
        d=f"{rng.randrange(2019, 2027)}年{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日",
        c=f"JK{item_id:09d}",
        i=f"{rng.choice(('110105', '310115', '440106', '330106'))}19{rng.randrange(60, 100)}{rng.randrange(1, 13):02d}"
        f"{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}{rng.choice('0123456789X')}",
        p=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
        k=f"6222{rng.randrange(10**12):012d}",
        b=rng.choice(BANKS),
        o=rng.choice(COURTS),
    )


def item_text(item_id: int, kind: str, pages: int) -> str:
    """``pages`` pages of ``kind`` text, each some ``PAGE_CHARS`` characters, form-feed separated."""
    rng = random.Random(SEED * 1_000_003 + item_id)
    sentences = SENTENCES[kind]
    out = []
    for _page in range(pages):
        page, size = [], 0
        while size < PAGE_CHARS:
            sentence = _fill_in(rng.choice(sentences), rng, item_id)
            page.append(sentence)
            size += len(sentence)
        out.append("".join(page))
    return "\n\f".join(out)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def build_chunk(args: tuple[int, int, int, int, int, int, int]) -> tuple[str, str, int]:
    """COPY text of items ``first``..``last`` and of their index parts (run in a worker process)."""
    first, last, pages_per_item, matters, file_id, user_id, items_total = args
    import django

    django.setup()
    from evidence.search import tsvector_parts

    items, parts, count = io.StringIO(), io.StringIO(), 0
    for item_id in range(first, last + 1):
        rng = random.Random(item_id)
        kind = KINDS[item_id % len(KINDS)]
        title = f"{rng.choice(TITLES[kind])}（{item_id}）"
        text = item_text(item_id, kind, pages_per_item)
        matter_id = (item_id - 1) % matters + 1
        position = (item_id - 1) // matters + 1
        uploaded = (FIRST_UPLOAD + dt.timedelta(minutes=item_id)).isoformat()
        items.write(
            "\t".join(
                (
                    str(item_id), str(matter_id), "other" if kind == "ruling" else kind, _escape(title), "", "", "",
                    f"{item_id}.pdf", str(file_id), f"{item_id:064x}", "100000", str(pages_per_item),
                    "application/pdf", str(user_id), uploaded, _escape(text), "ocr" if item_id % 3 == 0 else "extracted",
                    str(position), "",
                )
            )
            + "\n"
        )  # fmt: skip
        for number, literal in enumerate(tsvector_parts(title, text)):
            parts.write(f"{item_id}\t{number}\t{_escape(literal)}\n")
        count += 1
    return items.getvalue(), parts.getvalue(), count


ITEM_COLUMNS = (
    "id", "matter_id", "kind", "title", "purpose", "source", '"group"', "original_filename", "file_id", "sha256",
    "size", "page_count", "content_type", "uploaded_by_id", "uploaded_at", "text", "text_state", "position",
    "withdrawn_reason",
)  # fmt: skip


def fill_evidence(*, pages: int, pages_per_item: int, matters: int, processes: int) -> None:
    from django.db import connection

    from evidence.services import private_file
    from legalcase.models import User

    items_total = pages // pages_per_item
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE evidence_evidencesearchpart, evidence_crossexamination, evidence_evidenceitem RESTART IDENTITY CASCADE"
        )
        cursor.execute("DROP INDEX IF EXISTS evidence_search_document")
    user = User.objects.get(username="counsel1")
    with private_file(
        content=b"%PDF-1.4 bench", filename="bench.pdf", title="bench", owner=user, mime_type="application/pdf"
    ) as filer_file:
        file_id = filer_file.pk
    chunks = [
        (first, min(first + ITEMS_PER_COPY - 1, items_total), pages_per_item, matters, file_id, user.pk, items_total)
        for first in range(1, items_total + 1, ITEMS_PER_COPY)
    ]
    done = 0
    text_chars = 0
    with connection.cursor() as django_cursor, multiprocessing.get_context("fork").Pool(processes) as pool:
        cursor = django_cursor.cursor
        cursor.execute("SET session_replication_role = replica")
        for item_rows, part_rows, count in pool.imap(build_chunk, chunks):
            cursor.copy_expert(f"COPY evidence_evidenceitem ({', '.join(ITEM_COLUMNS)}) FROM STDIN", io.StringIO(item_rows))
            cursor.copy_expert(
                "COPY evidence_evidencesearchpart (item_id, part, document) FROM STDIN", io.StringIO(part_rows)
            )
            done += count
            text_chars += len(item_rows)
            print(f"\r  {done * pages_per_item:,} pages ({done:,} items) in {time.perf_counter() - started:.0f} s", end="")
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in ("evidence_evidenceitem", "evidence_evidencesearchpart"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    copied = time.perf_counter() - started
    print(f"\n  COPY of {items_total * pages_per_item:,} pages ({text_chars / 1e6:,.0f} MB of rows) took {copied:.0f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("CREATE INDEX evidence_search_document ON evidence_evidencesearchpart USING gin (document)")
    print(f"  GIN index built in {time.perf_counter() - started:.0f} s")


# --- Measuring -------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math_ceil(fraction * len(ordered)) - 1)]


def math_ceil(value: float) -> int:
    return int(-(-value // 1))


def raw_times(sqls: list[str], runs: int) -> list[float]:
    """Each run: the statements, in order, through psycopg2 alone."""
    import psycopg2
    from django.db import connection

    settings = connection.settings_dict
    raw = psycopg2.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], password=settings["PASSWORD"],
        dbname=settings["NAME"],
    )  # fmt: skip
    times = []
    with raw.cursor() as cursor:
        for _ in range(runs):
            started = time.perf_counter()
            for sql in sqls:
                cursor.execute(sql)
                cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    raw.close()
    return times


def scenarios(pages_per_item: int, matters: int) -> list[tuple[str, str, dict]]:
    from legalcase.models import User

    from django.db import connection

    counsel = User.objects.get(username="counsel1")
    lawyer = User.objects.get(username="lawyer1")
    with connection.cursor() as cursor:
        # A contract number printed in one contract near the middle of the table, and its matter.
        cursor.execute(
            "SELECT substring(text from 'JK[0-9]{9}'), matter_id FROM evidence_evidenceitem "
            "WHERE kind = 'contract' AND text LIKE '%%JK%%' AND id > (SELECT max(id) / 2 FROM evidence_evidenceitem) "
            "ORDER BY id LIMIT 1"
        )
        rare, matter_id = cursor.fetchone()
    return [
        ("counsel", "提前到期 (a contract clause)", {"user": counsel, "q": "提前到期"}),
        ("counsel", "收到本通知之日起七日内 (a demand letter)", {"user": counsel, "q": "收到本通知之日起七日内"}),
        ("counsel", "借款合同 (very common)", {"user": counsel, "q": "借款合同"}),
        ("counsel", "罚息 保证人 (two terms)", {"user": counsel, "q": "罚息 保证人"}),
        ("counsel", f"{rare} (one contract number)", {"user": counsel, "q": rare}),
        ("counsel", "不存在的检索词 (no hit)", {"user": counsel, "q": "不存在的检索词"}),
        ("counsel", "借款合同, one matter", {"user": counsel, "q": "借款合同", "matter_id": matter_id}),
        ("lawyer1", "提前到期 (the firm's matters)", {"user": lawyer, "q": "提前到期"}),
        ("lawyer1", "收到本通知之日起七日内 (the firm's)", {"user": lawyer, "q": "收到本通知之日起七日内"}),
    ]


def measure(runs: int, pages_per_item: int, matters: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evidence.search import evidence_search, query_terms, snippet

    def page(kwargs):
        rows = evidence_search(**kwargs).select_related("matter", "uploaded_by", "pdf_job")
        found = list(rows[:50])
        terms = query_terms(kwargs["q"])
        return [snippet(item.title, item.text, terms) for item in found]

    def count(kwargs):
        return evidence_search(**kwargs).count()

    rows = []
    from evidence.search import search_matching
    from legalcase.access import visible_children

    def phrase_queryset(kwargs):
        """The plain queryset (every candidate's positions checked, then sorted): the simple way, for comparison."""
        from evidence.models import EvidenceItem

        base = visible_children(kwargs["user"], EvidenceItem)
        if kwargs.get("matter_id"):
            base = base.filter(matter_id=kwargs["matter_id"])
        return search_matching(base, query_terms(kwargs["q"])).order_by("-id")

    for who, label, kwargs in scenarios(pages_per_item, matters):
        plain = []
        for _ in range(max(3, runs // 4)):
            started = time.perf_counter()
            list(phrase_queryset(kwargs)[:50])
            plain.append((time.perf_counter() - started) * 1000)
        print(f"  {who:8} {label:42} plain phrase queryset, first 50: p50 {statistics.median(plain):7.1f} ms")
        for what, call in (("page of 50 + snippets", page), ("count", count)):
            call(kwargs)  # warm up
            with CaptureQueriesContext(connection) as captured:
                result = call(kwargs)
            # The search's own query (the ids of the page, or the count), not the rows' fetch by id.
            sqls = [q["sql"] for q in captured.captured_queries if "evidence_evidencesearchpart" in q["sql"]]
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                call(kwargs)
                times.append((time.perf_counter() - started) * 1000)
            # The same SQL, as Django sent it (parameters inlined by the capture), run raw.
            raw = raw_times(sqls, runs)
            hits = result if what == "count" else len(result)
            rows.append((who, label, what, hits, statistics.median(times), percentile(times, 0.95), max(times),
                         statistics.median(raw), percentile(raw, 0.95)))  # fmt: skip
            print(f"  {who:8} {label:42} {what:22} {hits:>8,}  fasu p50 {rows[-1][4]:7.1f} p95 {rows[-1][5]:7.1f} ms"
                  f"   raw SQL p50 {rows[-1][7]:7.1f} p95 {rows[-1][8]:7.1f} ms", flush=True)  # fmt: skip
    print("\n| user | query | work | hits | Fasu p50 ms | Fasu p95 ms | max ms | raw SQL p50 ms | raw SQL p95 ms |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} | {row[3]:,} | {row[4]:.1f} | {row[5]:.1f} | {row[6]:.1f} | "
              f"{row[7]:.1f} | {row[8]:.1f} |")  # fmt: skip


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    url = matter_list.configure_environment()
    matter_list.ensure_database(url)
    import django

    django.setup()
    from django.db import connection

    from evidence.models import EvidenceItem

    matter_list.prepare(args.matters, refill=False)
    items_total = args.pages // args.pages_per_item
    if EvidenceItem.objects.count() != items_total or args.refill:
        print(f"filling {args.pages:,} evidence pages ({items_total:,} items of {args.pages_per_item} pages) ...")
        fill_evidence(
            pages=args.pages, pages_per_item=args.pages_per_item, matters=args.matters, processes=args.processes
        )
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) evidence_evidenceitem")
            cursor.execute("VACUUM (ANALYZE) evidence_evidencesearchpart")
        print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")
    else:
        print(f"database already holds {items_total:,} items ({args.pages:,} pages): not refilling")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('evidence_evidenceitem')), "
            "pg_size_pretty(pg_total_relation_size('evidence_evidencesearchpart')), "
            "pg_size_pretty(pg_relation_size('evidence_search_document'))"
        )
        items_size, parts_size, gin_size = cursor.fetchone()
    print(f"sizes: items (with text) {items_size}, index parts {parts_size}, of which the GIN index {gin_size}")
    print(f"timing {args.runs} runs a query ...")
    measure(args.runs, args.pages_per_item, args.matters)


if __name__ == "__main__":
    main()
