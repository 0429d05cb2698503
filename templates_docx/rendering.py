"""Sandboxed rendering of Word templates: ``bytes + plain dict -> bytes``.

Every Jinja expression in a template (body, headers, footers, footnotes and the core
document properties) is compiled by one environment, ``filing_environment()``: an
immutable sandbox with autoescaping (the parts are XML), ``StrictUndefined``, no
globals, no callable anything, an allowlist of filters and a cap on the strings and
numbers an operator may build. docxtpl prepares each part (``patch_xml`` joins tags
Word split across runs and turns ``{%p``/``{%tr``/``{%r`` into plain Jinja); the parts
are compiled once per template (``compile_template``, cached by SHA-256), and a render
writes the new ZIP directly: rendered parts deflated, every other member copied as the
compressed bytes it already was. That is what makes a batch fast (DESIGN.md budgets).

This module runs untrusted templates only inside the render pool's child processes
(``templates_docx.pool``), which carry the memory and time limits; ``analyse_template``
parses without rendering and is safe in the web process.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import struct
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from templates_docx.filters import FASU_FILTERS, JINJA_FILTERS
from templates_docx.sample import MISSING_PREFIX, MISSING_SUFFIX

# Parts that may carry template tags; every other member is copied unchanged.
TEMPLATED_PART = re.compile(r"^(word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml|docProps/core\.xml)$")
MAX_MEMBERS = 500
MAX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_RATIO = 200  # a member that inflates more than this is a zip bomb, not a document
# What an operator may build: longer strings or bigger numbers are a runaway template.
MAX_BUILT_LENGTH = 20_000
MAX_EXPONENT = 100
ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.If,
    nodes.For,
    nodes.Assign,
    nodes.Name,
    nodes.Const,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Slice,
    nodes.Filter,
    nodes.Test,
    nodes.CondExpr,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Neg,
    nodes.Pos,
    nodes.Compare,
    nodes.Operand,
    nodes.Concat,
    nodes.Add,
    nodes.Sub,
    nodes.Mul,
    nodes.Div,
    nodes.FloorDiv,
    nodes.Mod,
    nodes.Pow,
    nodes.Tuple,
    nodes.List,
    nodes.Keyword,
    nodes.Continue,
    nodes.Break,
)
MISSING_MARKER = re.compile(re.escape(MISSING_PREFIX) + "([^" + MISSING_SUFFIX + "<]*)" + re.escape(MISSING_SUFFIX))


class TemplateRefused(Exception):
    """A template that may not be used, with the reasons in Chinese (for the upload page)."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


class FilingEnvironment(ImmutableSandboxedEnvironment):
    """The one Jinja environment every Word template renders in.

    No callable is safe (``cycler``, ``joiner``, ``namespace``, ``range`` and ``lipsum``
    are gone with the globals; a method reached as an attribute cannot be called), no
    attribute that is callable or starts with an underscore is visible, and ``*``/``**``
    refuse to build huge strings, lists or numbers.
    """

    intercepted_binops = frozenset(["*", "**", "+"])

    def is_safe_callable(self, obj) -> bool:
        return False

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        if callable(value):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context, operator: str, left, right):
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
                raise SecurityError("exponent too large")
            return left**right
        result = left * right if operator == "*" else left + right
        if hasattr(result, "__len__") and len(result) > MAX_BUILT_LENGTH:
            raise SecurityError("the template builds a value that is too long")
        return result


def filing_environment() -> FilingEnvironment:
    env = FilingEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    env.globals.clear()
    allowed = {name: env.filters[name] for name in JINJA_FILTERS}
    env.filters.clear()
    env.filters.update(allowed)
    env.filters.update(FASU_FILTERS)
    env.tests = {name: env.tests[name] for name in ("defined", "none", "number", "string", "sameas", "odd", "even")}
    return env


ENVIRONMENT = filing_environment()


@dataclass
class Member:
    """One ZIP member as stored: the header fields and the raw (compressed) bytes."""

    name: str
    method: int
    crc: int
    size: int
    raw: bytes
    date_time: tuple


@dataclass
class CompiledTemplate:
    sha256: str
    members: list[Member]
    parts: dict = field(default_factory=dict)  # member name -> compiled jinja template


@dataclass
class Rendered:
    docx: bytes
    missing: list[str]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """The members of a DOCX with their raw compressed bytes, after the ZIP checks."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TemplateRefused(["不是有效的 Word（.docx）文件"]) from None
    problems = []
    if len(infos) > MAX_MEMBERS:
        problems.append(f"文件包含的部件过多（{len(infos)} 个）")
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED:
        problems.append("解压后的内容过大")
    names = {info.filename for info in infos}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        problems.append("不是有效的 Word（.docx）文件：缺少正文部件")
    for info in infos:
        if info.filename.startswith("/") or ".." in info.filename.split("/"):
            problems.append(f"部件名称不安全：{info.filename}")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.append(f"不支持的压缩方式：{info.filename}")
        if info.flag_bits & 0x1:
            problems.append("文件已加密")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1024 * 1024:
            problems.append(f"部件压缩比异常：{info.filename}")
    if problems:
        raise TemplateRefused(sorted(set(problems)))
    members = []
    for info in infos:
        # The raw bytes sit after the local header (30 bytes + name + extra field).
        header = data[info.header_offset : info.header_offset + 30]
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        start = info.header_offset + 30 + name_length + extra_length
        members.append((info, data[start : start + info.compress_size]))
    return members


def _templated_sources(data: bytes) -> dict[str, str]:
    """Each templated part's XML as docxtpl prepares it for Jinja, by member name."""
    preparer = DocxTemplate(io.BytesIO(data))
    sources = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not TEMPLATED_PART.match(name):
                continue
            xml = archive.read(name).decode("utf-8")
            if "{" not in xml:
                continue
            patched = preparer.patch_xml(xml)
            if "{{" in patched or "{%" in patched or "{#" in patched:
                sources[name] = patched
    return sources


def compile_template(data: bytes) -> CompiledTemplate:
    """Prepare and compile a DOCX template once; raises ``TemplateRefused`` on bad input."""
    members = _read_members(data)
    sources = _templated_sources(data)
    problems = _check_sources(sources)
    if problems:
        raise TemplateRefused(problems)
    compiled = CompiledTemplate(sha256=sha256(data), members=[])
    for info, raw in members:
        compiled.members.append(
            Member(
                name=info.filename,
                method=info.compress_type,
                crc=info.CRC,
                size=info.file_size,
                raw=raw,
                date_time=info.date_time,
            )
        )
    for name, source in sources.items():
        try:
            compiled.parts[name] = ENVIRONMENT.from_string(source)
        except TemplateError as exc:
            raise TemplateRefused([f"{_part_label(name)}：模板语法错误：{exc}"]) from None
    return compiled


_CACHE: OrderedDict[str, CompiledTemplate] = OrderedDict()
CACHE_SIZE = 32


def compiled_for(data: bytes, digest: str | None = None) -> CompiledTemplate:
    """The compiled template for ``data``, from a small per-process cache keyed by SHA-256."""
    digest = digest or sha256(data)
    compiled = _CACHE.get(digest)
    if compiled is None:
        compiled = compile_template(data)
        _CACHE[digest] = compiled
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(digest)
    return compiled


def render_compiled(compiled: CompiledTemplate, context: dict) -> Rendered:
    """Render every templated part and write the DOCX; unknown variables raise ``UndefinedError``."""
    rendered_parts = {}
    missing: list[str] = []
    for name, template in compiled.parts.items():
        xml = template.render(context)  # compiled by the sandboxed jinja_env, ENVIRONMENT
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if name != "docProps/core.xml":
            xml = _resolve_listing(xml)
        if MISSING_PREFIX in xml:
            for label in MISSING_MARKER.findall(xml):
                if label not in missing:
                    missing.append(label)
            if name != "docProps/core.xml":
                xml = highlight_missing(xml)
        if name != "docProps/core.xml":
            xml = keep_numbers_whole(xml)
        rendered_parts[name] = xml.encode("utf-8")
    return Rendered(docx=_write_zip(compiled.members, rendered_parts), missing=missing)


def render_docx(data: bytes, context: dict) -> Rendered:
    """Compile (cached) and render; the whole renderer in one call, for the pool's children."""
    return render_compiled(compiled_for(data), context)


_LISTING_CHARACTERS = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\n\t\a\f]")
_PREPARER = None


def _resolve_listing(xml: str) -> str:
    """docxtpl's handling of line breaks, tabs and page breaks in values, only where present."""
    global _PREPARER
    if not _LISTING_CHARACTERS.search(xml):
        return xml
    if _PREPARER is None:
        _PREPARER = DocxTemplate.__new__(DocxTemplate)
    return _PREPARER.resolve_listing(xml)


_MARKED_RUN = re.compile(
    r"<w:r(?: [^>]*)?>(<w:rPr>(?:(?!</w:rPr>).)*</w:rPr>)?<w:t(?: [^>]*)?>([^<]*"
    + re.escape(MISSING_PREFIX)
    + r"[^<]*)</w:t></w:r>",
    re.DOTALL,
)
_WHOLE_MARKER = re.compile("(" + MISSING_MARKER.pattern + ")")
# Run properties that must follow <w:highlight> (ECMA-376 CT_RPr order).
_AFTER_HIGHLIGHT = re.compile(
    r"<w:(u|effect|bdr|shd|fitText|vertAlign|rtl|cs|em|lang|eastAsianLayout|specVanish|oMath)[ />]"
)


def _highlighted(run_properties: str) -> str:
    if not run_properties:
        return '<w:rPr><w:highlight w:val="yellow"/></w:rPr>'
    run_properties = re.sub(r"<w:highlight [^>]*/>", "", run_properties)
    found = _AFTER_HIGHLIGHT.search(run_properties)
    at = found.start() if found else len(run_properties) - len("</w:rPr>")
    return run_properties[:at] + '<w:highlight w:val="yellow"/>' + run_properties[at:]


def highlight_missing(xml: str) -> str:
    """Split runs so every ``【待补充：…】`` marker stands in its own yellow-highlighted run."""

    def split(match: re.Match) -> str:
        properties = match.group(1) or ""
        runs = []
        for index, piece in enumerate(_WHOLE_MARKER.split(match.group(2))):
            # re.split with one outer group and one inner group: text, marker, label, text ...
            if index % 3 == 2 or not piece:
                continue
            run_properties = _highlighted(properties) if index % 3 == 1 else properties
            runs.append(f'<w:r>{run_properties}<w:t xml:space="preserve">{piece}</w:t></w:r>')
        return "".join(runs)

    return _MARKED_RUN.sub(split, xml)


# What must never break across lines (issue 17): case numbers, and runs of digits and
# Latin letters two or more long with a digit (identity, account and contract numbers,
# amounts with their separators, masked numbers, years: "20 / 26年" was seen too). LibreOffice breaks a digit run anywhere when the run's
# language is Chinese (w:lang w:val="zh-CN", the defaults' and most Chinese templates'):
# tried on soffice 7/24, "31010419850615 / 3216". A run whose language is en-US keeps such a
# word whole; a case number, which mixes ideographs and digits, needs in addition WORD
# JOINER (U+2060) between its characters, which LibreOffice honours there (and drops from
# the PDF's text). So each such token gets its own run with w:lang en-US, case numbers
# joined; nothing else changes.
WORD_JOINER = "\u2060"
_CASE_NUMBER = r"[（(]\d{4}[）)][^\s，。；：、,;:（）()<>\u2060]{1,20}?\d+号(?:之[一二三四五六七八九十\d]+)?"
_LONG_WORD = r"[0-9A-Za-z*][0-9A-Za-z*,.\-]*[0-9A-Za-z*]"
# An XML entity (&amp;, &#60;) is matched first, so it is never split, and left alone.
_UNBREAKABLE = re.compile(f"(&#?\\w+;|{_CASE_NUMBER}|{_LONG_WORD})")
_WHOLE_CASE_NUMBER = re.compile(_CASE_NUMBER)
_PLAIN_RUN = re.compile(
    r"<w:r(?: [^>]*)?>(<w:rPr>(?:(?!</w:rPr>).)*</w:rPr>)?<w:t(?: [^>]*)?>([^<]*)</w:t></w:r>", re.DOTALL
)
# Run properties that must follow <w:lang> (ECMA-376 CT_RPr order).
_AFTER_LANG = re.compile(r"<w:(eastAsianLayout|specVanish|oMath)[ />]")
_LANG = '<w:lang w:val="en-US" w:eastAsia="en-US"/>'


def _unbreakable_properties(run_properties: str) -> str:
    if not run_properties:
        return f"<w:rPr>{_LANG}</w:rPr>"
    run_properties = re.sub(r"<w:lang [^>]*/>", "", run_properties)
    found = _AFTER_LANG.search(run_properties)
    at = found.start() if found else len(run_properties) - len("</w:rPr>")
    return run_properties[:at] + _LANG + run_properties[at:]


def _is_case_number(token: str) -> bool:
    return _WHOLE_CASE_NUMBER.fullmatch(token) is not None


def _is_unbreakable(token: str) -> bool:
    if token.startswith("&"):
        return False
    return _is_case_number(token) or (len(token) >= 2 and any(c.isdigit() for c in token))


def keep_numbers_whole(xml: str) -> str:
    """Give every case number and long number its own run that no line break may split."""

    def split(match: re.Match) -> str:
        properties, text = match.group(1) or "", match.group(2)
        pieces = _UNBREAKABLE.split(text)
        if len(pieces) == 1 or not any(_is_unbreakable(p) for p in pieces[1::2]):
            return match.group(0)
        runs = []
        for index, piece in enumerate(pieces):
            if not piece:
                continue
            if index % 2 and _is_unbreakable(piece):
                if _is_case_number(piece):
                    piece = WORD_JOINER.join(piece)
                runs.append(f'<w:r>{_unbreakable_properties(properties)}<w:t xml:space="preserve">{piece}</w:t></w:r>')
            else:
                runs.append(f'<w:r>{properties}<w:t xml:space="preserve">{piece}</w:t></w:r>')
        return "".join(runs)

    return _PLAIN_RUN.sub(split, xml)


def _write_zip(members: list[Member], rendered: dict[str, bytes]) -> bytes:
    """A ZIP of ``members``, with ``rendered`` parts deflated anew and the rest copied raw."""
    out = io.BytesIO()
    central = []
    for member in members:
        name = member.name.encode("utf-8")
        if member.name in rendered:
            content = rendered[member.name]
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            raw = compressor.compress(content) + compressor.flush()
            method, crc, size = zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content)
        else:
            raw, method, crc, size = member.raw, member.method, member.crc, member.size
        year, month, day, hour, minute, second = member.date_time
        dos_time = hour << 11 | minute << 5 | second // 2
        dos_date = max(year - 1980, 0) << 9 | month << 5 | day
        # UTF-8 names (bit 11) where a name is not plain ASCII.
        flags = 0x800 if not member.name.isascii() else 0
        offset = out.tell()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, flags, method, dos_time, dos_date, crc, len(raw), size, len(name), 0
            )
        )
        out.write(name)
        out.write(raw)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                flags,
                method,
                dos_time,
                dos_date,
                crc,
                len(raw),
                size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _part_label(name: str) -> str:
    if name.startswith("word/header"):
        return "页眉"
    if name.startswith("word/footer"):
        return "页脚"
    if name == "docProps/core.xml":
        return "文档属性"
    if name in ("word/footnotes.xml", "word/endnotes.xml"):
        return "脚注"
    return "正文"


# ---------------------------------------------------------------------------
# Static analysis: what a template uses, and whether it may be used at all.


@dataclass
class Analysis:
    variables: list[str]
    problems: list[str]


def _check_sources(sources: dict[str, str]) -> list[str]:
    """Syntax, node types and filters of every templated part (no rendering)."""
    problems = []
    for name, source in sources.items():
        try:
            tree = ENVIRONMENT.parse(source)
        except TemplateError as exc:
            problems.append(f"{_part_label(name)}：模板语法错误：{exc.message}")
            continue
        for node in tree.find_all(nodes.Node):
            if not isinstance(node, ALLOWED_NODES):
                problems.append(f"{_part_label(name)}：不允许使用的模板语句（{_node_label(node)}）")
            elif isinstance(node, nodes.Filter) and node.name not in ENVIRONMENT.filters:
                problems.append(f"{_part_label(name)}：不允许使用的过滤器 {node.name}")
            elif isinstance(node, nodes.Test) and node.name not in ENVIRONMENT.tests:
                problems.append(f"{_part_label(name)}：不允许使用的测试 {node.name}")
            elif isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
                problems.append(f"{_part_label(name)}：不允许访问下划线开头的属性 {node.attr}")
            elif isinstance(node, nodes.Name) and (node.name.startswith("_") or node.name in ("self", "varargs", "kwargs")):
                problems.append(f"{_part_label(name)}：不允许使用下划线开头的名称 {node.name}")
    if any("{%tc" in source or "{% tc" in source for source in sources.values()):
        problems.append("不支持表格列循环（{%tc %}）")
    return sorted(set(problems), key=problems.index)


def _node_label(node: nodes.Node) -> str:
    return {
        "Macro": "macro",
        "CallBlock": "call",
        "Call": "函数调用",
        "Include": "include",
        "Import": "import",
        "FromImport": "import",
        "Extends": "extends",
        "Block": "block",
        "Scope": "autoescape/with",
        "ScopedEvalContextModifier": "autoescape",
        "EvalContextModifier": "autoescape",
        "FilterBlock": "filter",
        "With": "with",
        "AssignBlock": "set 块",
        "Dict": "字典",
        "MarkSafe": "safe",
        "ExprStmt": "do",
    }.get(type(node).__name__, type(node).__name__)


# docxtpl's tags that rewrite the Word XML around them (a run, a paragraph, a table row or
# cell): in the document properties there is no such XML, so they yield a corrupt file.
_STRUCTURAL_TAG = re.compile(r"\{[{%]-?(?:r|p|tr|tc)\s")
_ANY_TAG = re.compile(r"\{[{%#]")
_TAG_END = re.compile(r"[}%#]\}")


def _property_problems(data: bytes) -> list[str]:
    """Jinja tags where they do not belong: the document properties (``docProps/*.xml``).

    Only core.xml (title, subject…) is filled in, and only with plain ``{{ … }}``; app.xml
    and custom.xml are copied as they are, so a tag there would reach the filing as code.
    """
    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not (name.startswith("docProps/") and name.endswith(".xml")):
                continue
            text = archive.read(name).decode("utf-8", errors="replace")
            if "{" not in text:
                continue
            found = _STRUCTURAL_TAG.search(text) if name == "docProps/core.xml" else _ANY_TAG.search(text)
            if found:
                end = _TAG_END.search(text, found.start())
                tag = html.unescape(text[found.start() : end.end() if end else found.start() + 2])[:40]
                problems.append(
                    f"文档属性（{name}）中含有模板标记 {tag}：文档属性中不能使用"
                    + ("段落、行、单元格或格式标记（{%p}、{%tr}、{%tc}、{{r}}）" if name == "docProps/core.xml" else "任何模板标记")
                    + "，请在 Word 的“文件 → 信息 → 属性”中删除后重新上传"
                )
    return problems


def analyse_template(data: bytes, schema: dict) -> Analysis:
    """The dotted variables a template uses (``debtor.name``, ``guarantors[].name``) and its problems.

    ``schema`` is a context of the shape templates are written against (the sample);
    every name and attribute path a template reads must exist in it, so a typo is
    refused at upload, not discovered in a court filing.
    """
    try:
        _read_members(data)
        problems = _property_problems(data)
        if problems:
            return Analysis(variables=[], problems=problems)
        sources = _templated_sources(data)
    except TemplateRefused as exc:
        return Analysis(variables=[], problems=exc.problems)
    except (KeyError, UnicodeDecodeError, ValueError) as exc:
        return Analysis(variables=[], problems=[f"无法读取文件：{exc}"])
    problems = _check_sources(sources)
    if problems:
        return Analysis(variables=[], problems=problems)
    used: list[str] = []
    for name, source in sources.items():
        tree = ENVIRONMENT.parse(source)
        walker = _PathWalker(schema, label=_part_label(name))
        walker.visit(tree, {})
        problems.extend(walker.problems)
        for path in walker.paths:
            if path not in used:
                used.append(path)
    if not sources:
        problems.append("模板中没有任何变量（{{ … }}）")
    return Analysis(variables=used, problems=sorted(set(problems), key=problems.index))


_UNKNOWN = object()


class _PathWalker:
    """Resolves Name/Getattr/Getitem chains against the schema, with loop variables in scope."""

    def __init__(self, schema: dict, *, label: str):
        self.schema = schema
        self.label = label
        self.paths: list[str] = []
        self.problems: list[str] = []

    def visit(self, node: nodes.Node, scope: dict) -> None:
        if isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            inner = dict(scope)
            path, value = self.resolve(node.iter, scope)
            element = value[0] if isinstance(value, list) and value else _UNKNOWN
            element_path = f"{path}[]" if path else None
            for target in node.target.find_all(nodes.Name) if not isinstance(node.target, nodes.Name) else [node.target]:
                inner[target.name] = (element_path, element)
            inner["loop"] = (None, _UNKNOWN)
            for child in node.body + node.else_:
                self.visit(child, inner)
            if node.test is not None:
                self.visit(node.test, inner)
            return
        if isinstance(node, nodes.Assign):
            self.visit(node.node, scope)
            for target in node.target.find_all(nodes.Name) if not isinstance(node.target, nodes.Name) else [node.target]:
                scope[target.name] = (None, _UNKNOWN)
            return
        if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            path, value = self.resolve(node, scope)
            if path and value is not _UNKNOWN and path not in self.paths:
                self.paths.append(path)
            if isinstance(node, nodes.Getitem):
                self.visit(node.arg, scope)
            return
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def resolve(self, node: nodes.Node, scope: dict) -> tuple[str | None, object]:
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name in self.schema:
                return node.name, self.schema[node.name]
            self.problems.append(f"{self.label}：未知变量 {node.name}")
            return None, _UNKNOWN
        if isinstance(node, nodes.Getattr) or (isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const)):
            key = node.attr if isinstance(node, nodes.Getattr) else node.arg.value
            path, value = self.resolve(node.node, scope)
            if value is _UNKNOWN or path is None:
                return None, _UNKNOWN
            if isinstance(value, dict):
                if key in value:
                    return f"{path}.{key}", value[key]
                self.problems.append(f"{self.label}：未知变量 {path}.{key}")
                return None, _UNKNOWN
            if isinstance(key, int) and isinstance(value, list):
                return f"{path}[]", value[0] if value else _UNKNOWN
            if key in ("year", "month", "day"):
                return f"{path}.{key}", 1
            self.problems.append(f"{self.label}：{path} 没有 {key}")
            return None, _UNKNOWN
        self.visit(node, scope)
        return None, _UNKNOWN


def marker_labels(value) -> list[str]:
    """The missing-element labels inside a context value (a string, or nested lists and dicts)."""
    if isinstance(value, str):
        return MISSING_MARKER.findall(value)
    if isinstance(value, dict):
        return [label for item in value.values() for label in marker_labels(item)]
    if isinstance(value, list):
        return [label for item in value for label in marker_labels(item)]
    return []
