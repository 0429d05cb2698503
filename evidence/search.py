"""Full-text search over the evidence a user may see: titles and extracted or OCR text.

Chinese has no spaces between words, and the PostgreSQL servers banks run may lack
zhparser, pg_jieba or pg_trgm, so Fasu tokenises the text itself: a run of CJK
characters becomes its overlapping character bigrams (借款合同 → 借款 款合 合同; a lone
character stays itself), a run of letters or digits one lower-case word, after NFKC
(full-width ＡＢＣ１２３ reads abc123). Whitespace inside a CJK run is dropped: OCR often
spaces the characters of a scanned page. The tokens go, with their positions, into a
``tsvector`` under the ``simple`` configuration (``EvidenceSearchPart``, GIN-indexed); a
query term becomes the phrase of its tokens (借款 <-> 款合 <-> 合同), several terms are
ANDed, so a bigram phrase matches exactly the rows holding the term's characters in a
row. A tsvector keeps positions up to 16,383, so a long text is indexed in parts of
``PART_TOKENS`` tokens that overlap by ``PART_OVERLAP`` (more than a query's longest
phrase): a phrase found anywhere is found in one part. SQLite has no tsvector: there
the search is a LIKE on title and text.

The snippet of a hit (``snippet``) is at most ``SNIPPET_CHARS`` characters around the
first occurrence, with identity numbers, phones and account or card numbers masked as
everywhere else (``legalcase.identity``); ``highlight`` marks the hit in escaped HTML.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from evidence.models import EvidenceItem, EvidenceKind, EvidenceSearchPart
from legalcase.access import access_matter, visible_children
from legalcase.identity import mask_id_number, mask_phone
from legalcase.models import User

QUERY_MIN, QUERY_MAX = 2, 100
SNIPPET_CHARS = 160
PART_TOKENS = 16_000  # below the tsvector's last position, 16,383
PART_OVERLAP = 120  # tokens a part repeats of the one before: more than a 100-character query's
MAX_POSITIONS = 256  # a tsvector keeps at most 256 positions of one lexeme

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_TOKEN = re.compile(rf"(?P<cjk>[{_CJK}](?:\s*[{_CJK}])*)|(?P<word>(?:(?![{_CJK}])[^\W_])+)")
_SPACE = re.compile(r"\s+")
_WORD_CHAR = re.compile(r"[0-9A-Za-z*]")


@dataclass(frozen=True)
class Token:
    text: str
    # A lone CJK character of a query matches any bigram it starts (月 finds 月份).
    prefix: bool = False
    # Punctuation stands before it: one position is left empty there, so that a phrase never
    # runs across a full stop (提前。到期 is no 提前到期) while 2024 年 and 借 款 (OCR) still join.
    gap: bool = False


# In a token list, the empty position left at punctuation.
GAP = ""


def tokens(text: str) -> list[str]:
    """The index tokens of ``text`` in order: CJK bigrams (a lone character alone) and words, ``GAP`` at punctuation."""
    # The hot path of indexing (a page is some 500 tokens): plain strings, no Token objects.
    text = text or ""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    out: list[str] = []
    end = 0
    for match in _TOKEN.finditer(text):
        if out and match.start() > end and not text[end : match.start()].isspace():
            out.append(GAP)
        end = match.end()
        run, word = match.groups()
        if word:
            out.append(word)
            continue
        if len(run) > 1 and not run.isalnum():  # spaces inside the run (OCR)
            run = _SPACE.sub("", run)
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(map(operator.add, run, run[1:]))
    return out


def _tokens(text: str) -> Iterable[Token]:
    """A query term's tokens, each knowing whether punctuation stands before it."""
    gap = False
    for token in tokens(text):
        if token == GAP:
            gap = True
            continue
        yield Token(token, prefix=len(token) == 1 and bool(re.match(f"[{_CJK}]", token)), gap=gap)
        gap = False


def _lexeme(token: str) -> str:
    # Tokens are letters, digits and CJK characters only, never a quote or backslash; quoted all the same.
    if "'" in token or "\\" in token:
        token = token.replace("\\", "\\\\").replace("'", "''")
    return f"'{token}'"


def tsvector_parts(title: str, text: str) -> list[str]:
    """The ``tsvector`` literals of an item: the title's tokens, then the text's, in overlapping parts."""
    found = tokens(title) + [GAP] + tokens(text)
    if not any(found):
        return [""]
    parts, start = [], 0
    while True:
        chunk = found[start : start + PART_TOKENS]
        positions: dict[str, list[str]] = {}
        for position, token in enumerate(chunk, start=1):
            if token is GAP or not token:
                continue
            kept = positions.get(token)
            if kept is None:
                positions[token] = [str(position)]
            elif len(kept) < MAX_POSITIONS:
                kept.append(str(position))
        parts.append(" ".join(f"{_lexeme(token)}:{','.join(at)}" for token, at in positions.items()))
        if start + PART_TOKENS >= len(found):
            return parts
        start += PART_TOKENS - PART_OVERLAP


def query_terms(q: str | None) -> list[str]:
    """The whitespace-separated terms of a query, or ``ValidationError`` (in Chinese) for a bad one."""
    q = (q or "").strip()
    if not QUERY_MIN <= len(q) <= QUERY_MAX:
        raise ValidationError({"q": [f"检索词应为{QUERY_MIN}至{QUERY_MAX}个字符。"]})
    terms = [term for term in q.split() if tokens(term)]
    if not terms:
        raise ValidationError({"q": ["检索词须包含汉字、字母或数字。"]})
    return terms


def tsquery(term: str, *, every: bool = False) -> str:
    """One term as a ``tsquery`` literal: the phrase of its tokens (``every``: all of them, anywhere)."""
    out = []
    for token in _tokens(term):
        if out:
            out.append(" & " if every else " <2> " if token.gap else " <-> ")
        out.append(_lexeme(token.text) + (":*" if token.prefix else ""))
    return "".join(out)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def search_matching(rows: QuerySet[EvidenceItem], terms: list[str]) -> QuerySet[EvidenceItem]:
    """``rows`` holding every term in the title or text, as one queryset (tsvector phrases on
    PostgreSQL, LIKE elsewhere). Exact, but on PostgreSQL it checks the positions of every
    candidate; ``SearchHits`` pages through the same matches far faster."""
    for term in terms:
        if is_postgresql():
            table = EvidenceSearchPart._meta.db_table
            rows = rows.filter(
                pk__in=RawSQL(f"SELECT item_id FROM {table} WHERE document @@ %s::tsquery", [tsquery(term)])
            )
        else:
            rows = rows.filter(Q(title__icontains=term) | Q(text__icontains=term))
    return rows


class SearchHits:
    """The matches of a search on PostgreSQL, newest first, as a paginator's object list.

    Checking a phrase needs each candidate's positions, read from its (TOASTed, compressed)
    tsvector: 9,994 candidates of 200,000 pages cost 0.6 s. So the candidates come first
    from the GIN index alone, as the AND of each term's tokens (no positions: the index
    answers exactly, nothing is read from the table), newest first; the phrase is then
    checked row by row, in that order, only until the page is full (the ``OFFSET 0``
    keeps PostgreSQL from checking all of them before sorting). ``count()`` is exact up to
    ``EXACT_COUNT_UNDER`` candidates; above, it is the candidates' count (an upper bound
    rarely above the truth: every bigram of the phrase, not in a row) and
    ``count_is_estimate`` is True.
    """

    EXACT_COUNT_UNDER = 1000

    def __init__(self, rows: QuerySet[EvidenceItem], terms: list[str]):
        self.rows, self.terms = rows, terms
        self.count_is_estimate = False
        self._count: int | None = None
        self._related = ("matter", "uploaded_by", "pdf_job")

    def select_related(self, *fields: str) -> SearchHits:
        self._related = tuple(dict.fromkeys((*self._related, *fields)))
        return self

    def _candidates(self) -> tuple[str, list]:
        table = EvidenceSearchPart._meta.db_table
        first, *others = self.terms
        where, params = ["document @@ %s::tsquery"], [tsquery(first, every=True)]
        for term in others:
            where.append(f"item_id IN (SELECT item_id FROM {table} WHERE document @@ %s::tsquery)")
            params.append(tsquery(term, every=True))
        if self.rows.query.has_filters():  # a lawyer's firm, a matter, a kind, withdrawn or not
            # Without the model's ordering: a sort inside IN (…) misleads the planner (18 s instead of 0.2 s).
            base, base_params = self.rows.order_by().values("pk").query.sql_with_params()
            where.append(f"item_id IN ({base})")
            params.extend(base_params)
        return f"SELECT DISTINCT item_id FROM {table} WHERE {' AND '.join(where)}", params

    def _confirmed(self) -> tuple[str, list]:
        """The phrase of each term, checked on one candidate ``c`` (a subquery per row, never a join)."""
        table = EvidenceSearchPart._meta.db_table
        checks = [
            f"(SELECT bool_or(p.document @@ %s::tsquery) FROM {table} p WHERE p.item_id = c.item_id)"
            for _term in self.terms
        ]
        return " AND ".join(checks), [tsquery(term) for term in self.terms]

    def ids_sql(self, *, limit: int, offset: int = 0) -> tuple[str, list]:
        """The SQL of one page of matching item ids, newest first."""
        candidates, params = self._candidates()
        confirmed, confirm_params = self._confirmed()
        sql = (
            f"SELECT c.item_id FROM ({candidates} ORDER BY item_id DESC OFFSET 0) c "
            f"WHERE {confirmed} ORDER BY c.item_id DESC LIMIT %s OFFSET %s"
        )
        return sql, [*params, *confirm_params, limit, offset]

    def count(self) -> int:
        if self._count is None:
            candidates, params = self._candidates()
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM ({candidates}) c", params)
                found = cursor.fetchone()[0]
                if found <= self.EXACT_COUNT_UNDER:
                    confirmed, confirm_params = self._confirmed()
                    cursor.execute(f"SELECT count(*) FROM ({candidates}) c WHERE {confirmed}", [*params, *confirm_params])
                    found = cursor.fetchone()[0]
                else:
                    self.count_is_estimate = True
            self._count = found
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if stop is None or stop <= start:
            return []
        sql, params = self.ids_sql(limit=stop - start, offset=start)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
        found = EvidenceItem.objects.select_related(*self._related).in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def evidence_search(
    *,
    user: User,
    q: str | None,
    matter_id: int | str | None = None,
    kind: str | None = None,
    withdrawn: bool | None = None,
) -> SearchHits | QuerySet[EvidenceItem]:
    """The evidence ``user`` may see whose title or text holds every term of ``q``, newest (highest id) first.

    On PostgreSQL a ``SearchHits`` (count, slices of items), elsewhere a queryset.

    ``matter_id`` narrows it to one matter (another firm's answers 404, as everywhere);
    ``kind`` to one ``EvidenceKind``; ``withdrawn`` to withdrawn (True) or current (False)
    items. A bad ``q`` or ``kind`` raises ``ValidationError`` with a Chinese message.
    """
    terms = query_terms(q)
    if kind not in (None, "") and kind not in EvidenceKind.values:
        raise ValidationError({"kind": [f"没有这种证据类型：{kind}"]})
    rows = visible_children(user, EvidenceItem)
    if matter_id not in (None, ""):
        rows = rows.filter(matter=access_matter(user, matter_id))
    if kind:
        rows = rows.filter(kind=kind)
    if withdrawn is not None:
        rows = rows.filter(withdrawn_at__isnull=not withdrawn)
    if is_postgresql():
        return SearchHits(rows, terms)
    return search_matching(rows, terms).order_by("-id")


# Writing the index ----------------------------------------------------------------------


def index_items(item_ids: Iterable[int]) -> int:
    """Index the title and text of these items again (PostgreSQL; nothing elsewhere); returns parts written.

    Called by every service that changes an item's title or text, inside its transaction.
    """
    item_ids = list(item_ids)
    if not item_ids or not is_postgresql():
        return 0
    rows = EvidenceItem.objects.filter(pk__in=item_ids).values_list("pk", "title", "text")
    table = EvidenceSearchPart._meta.db_table
    values = [
        (pk, number, literal)
        for pk, title, text in rows
        for number, literal in enumerate(tsvector_parts(title, text))
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE item_id = ANY(%s)", [item_ids])
        cursor.executemany(
            f"INSERT INTO {table} (item_id, part, document) VALUES (%s, %s, %s::tsvector)", values
        )
    return len(values)


# Snippets ------------------------------------------------------------------------------

# An identity number (18 or 15 digits), a mobile phone, a landline, then any other run of
# 12 to 30 digits (cards, accounts), which may be grouped by spaces or hyphens.
_NUMBERS = re.compile(
    r"(?<![0-9A-Za-z])(?:(?P<id>\d{17}[\dXx]|\d{15})|(?P<phone>1[3-9]\d{9}|0\d{2,3}-\d{7,8})"
    r"|(?P<account>\d(?:[ -]?\d){11,29}))(?![0-9A-Za-z])"
)


def mask_numbers(text: str) -> str:
    """``text`` with identity numbers, phones and account numbers masked, its length unchanged."""

    def masked(match: re.Match) -> str:
        value = match.group(0)
        if match.group("id"):
            return mask_id_number(value)
        if match.group("phone"):
            return mask_phone(value)
        # An account or card number keeps 4 + 4 digits (as ``mask_account``), its spaces or hyphens kept.
        digits = [i for i, char in enumerate(value) if char.isdigit()]
        hidden = set(digits[4:-4])
        return "".join("*" if i in hidden else char for i, char in enumerate(value))

    return _NUMBERS.sub(masked, text)


def _pattern(terms: list[str]) -> re.Pattern:
    """The terms as they may stand in the text: any case, spaces (OCR) between their characters."""
    alternatives = []
    for term in sorted(terms, key=len, reverse=True):
        chars = [char for char in term if not char.isspace()]
        alternatives.append(r"\s*".join(re.escape(char) for char in chars))
    return re.compile("|".join(alternatives), re.IGNORECASE)


def snippet(item_title: str, text: str, terms: list[str]) -> str:
    """At most ``SNIPPET_CHARS`` characters of ``text`` around the first hit, numbers masked.

    A hit in the title only, or one the pattern cannot place (full-width letters), gives
    the text's beginning.
    """
    text = _SPACE.sub(" ", text or "").strip()
    if not text:
        return ""
    found = _pattern(terms).search(text)
    start = 0
    if found is not None:
        centre = (found.start() + found.end()) // 2
        start = max(0, min(centre - SNIPPET_CHARS // 2, len(text) - SNIPPET_CHARS))
    # Masked on a wider window, so a number cut by the window's edge is masked all the same.
    margin = 40
    wide_start = max(0, start - margin)
    wide = mask_numbers(text[wide_start : start + SNIPPET_CHARS + margin])
    offset = start - wide_start
    # Begin after a number or word the window's edge would cut (the tail of a masked number reads badly).
    hit = (found.start() - wide_start) if found is not None else offset
    while offset > 0 and offset < hit and _WORD_CHAR.match(wide[offset - 1]) and _WORD_CHAR.match(wide[offset]):
        offset += 1
    return wide[offset : offset + SNIPPET_CHARS].lstrip("，。；、,.; ")


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` as HTML, escaped, each occurrence of a term in ``<mark>``."""
    out, last = [], 0
    for found in _pattern(terms).finditer(text):
        if found.start() == found.end():
            continue
        out.append(escape(text[last : found.start()]))
        out.append(f"<mark>{escape(found.group(0))}</mark>")
        last = found.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))
