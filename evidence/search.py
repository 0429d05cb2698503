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


def tokens(text: str) -> list[str]:
    """The index tokens of ``text`` in order: CJK bigrams (a lone character alone) and words."""
    return [token.text for token in _tokens(text)]


def _tokens(text: str) -> Iterable[Token]:
    text = unicodedata.normalize("NFKC", text or "").lower()
    for match in _TOKEN.finditer(text):
        if match.group("word") is not None:
            yield Token(match.group("word"))
            continue
        run = _SPACE.sub("", match.group("cjk"))
        if len(run) == 1:
            yield Token(run, prefix=True)
        else:
            for start in range(len(run) - 1):
                yield Token(run[start : start + 2])


def _lexeme(token: str) -> str:
    # Tokens are letters, digits and CJK characters only; quoted all the same.
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_parts(title: str, text: str) -> list[str]:
    """The ``tsvector`` literals of an item: the title's tokens, then the text's, in overlapping parts."""
    found = tokens(title) + tokens(text)
    if not found:
        return [""]
    parts, start = [], 0
    while True:
        chunk = found[start : start + PART_TOKENS]
        positions: dict[str, list[int]] = {}
        for position, token in enumerate(chunk, start=1):
            kept = positions.setdefault(token, [])
            if len(kept) < MAX_POSITIONS:
                kept.append(position)
        parts.append(" ".join(f"{_lexeme(token)}:{','.join(map(str, at))}" for token, at in positions.items()))
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


def tsquery(term: str) -> str:
    """One term as a ``tsquery`` literal: the phrase of its tokens."""
    return " <-> ".join(_lexeme(token.text) + (":*" if token.prefix else "") for token in _tokens(term))


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def search_matching(rows: QuerySet[EvidenceItem], terms: list[str]) -> QuerySet[EvidenceItem]:
    """``rows`` holding every term in the title or text (tsvector on PostgreSQL, LIKE elsewhere)."""
    for term in terms:
        if is_postgresql():
            table = EvidenceSearchPart._meta.db_table
            rows = rows.filter(
                pk__in=RawSQL(f"SELECT item_id FROM {table} WHERE document @@ %s::tsquery", [tsquery(term)])
            )
        else:
            rows = rows.filter(Q(title__icontains=term) | Q(text__icontains=term))
    return rows


def evidence_search(
    *,
    user: User,
    q: str | None,
    matter_id: int | str | None = None,
    kind: str | None = None,
    withdrawn: bool | None = None,
) -> QuerySet[EvidenceItem]:
    """The evidence ``user`` may see whose title or text holds every term of ``q``, newest first.

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
    return search_matching(rows, terms).order_by("-uploaded_at", "-id")


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
