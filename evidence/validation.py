"""Upload validation: decide whether a file may be stored, before anything is stored.

Pure: a seekable binary stream and its client-side name in, a ``CheckedFile`` or an
``UploadRefused`` out; no database, no storage. The type is decided by the content and
the extension together (PDF, JPEG, PNG, DOCX, XLSX only), and a file that also reads
as another format (a polyglot: a PDF with a zip appended, a PNG carrying a PDF, HTML
in a PDF's header) is refused, because the same bytes could be opened as something
else once downloaded. DOCX and XLSX are judged by their zip directory first, so a zip
bomb is refused without being inflated.
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import BinaryIO

import pikepdf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

CHUNK = 1024 * 1024

# Zip directory limits for DOCX and XLSX. Real filings stay far below them: a
# 300-page contract is a few MB of XML; an XLSX repayment schedule rarely passes 50 MB.
ZIP_MAX_MEMBERS = 5_000
ZIP_MAX_TOTAL_UNCOMPRESSED = 300 * 1024 * 1024
ZIP_MAX_RATIO = 100  # whole archive, uncompressed / compressed
ZIP_MAX_MEMBER_RATIO = 250  # one member, checked once it inflates past 1 MiB
# Pillow refuses more than twice its own limit; a scan at 600 dpi of A3 is ~70 MP.
IMAGE_MAX_PIXELS = 120_000_000


@dataclass(frozen=True)
class FileType:
    name: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("pdf", "application/pdf", (".pdf",))
JPEG = FileType("jpeg", "image/jpeg", (".jpg", ".jpeg"))
PNG = FileType("png", "image/png", (".png",))
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
FILE_TYPES = (PDF, JPEG, PNG, DOCX, XLSX)
ACCEPTED_EXTENSIONS = tuple(ext for file_type in FILE_TYPES for ext in file_type.extensions)

# Markers a browser takes for HTML or script when it sniffs the first bytes.
HTML_MARKERS = (b"<html", b"<!doctype", b"<script", b"<body", b"<head", b"<iframe", b"<svg", b"<object", b"<embed")
SNIFF_WINDOW = 1024

DOCX_REQUIRED = ("[Content_Types].xml", "word/document.xml")
XLSX_REQUIRED = ("[Content_Types].xml", "xl/workbook.xml")
PNG_END = b"IEND\xaeB`\x82"


class UploadRefused(Exception):
    """The file may not be stored; ``message`` says why in words the uploader understands."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    """What validation learnt about an accepted file."""

    file_type: FileType
    filename: str
    size: int
    sha256: str
    page_count: int | None

    @property
    def content_type(self) -> str:
        return self.file_type.content_type


def clean_filename(name: str) -> str:
    """The last path component of a client's file name, without control characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    return name[:200]


def title_from_filename(name: str) -> tuple[str, date | None]:
    """``2024-01-15 借款合同.pdf`` -> ("借款合同", 2024-01-15); without a date, the stem and None."""
    stem = clean_filename(name)
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    match = re.match(r"^\s*(\d{4})[-._年/]?(\d{1,2})[-._月/]?(\d{1,2})日?[\s_\-]*(.*)$", stem)
    if match:
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            day = None
        if day is not None and match[4].strip():
            return match[4].strip()[:200], day
    return stem.strip()[:200], None


def validate_upload(stream: BinaryIO, filename: str, *, max_bytes: int) -> CheckedFile:
    """Check an upload and return what was found; raise ``UploadRefused`` for anything else."""
    filename = clean_filename(filename)
    extension = PurePosixPath(filename.lower()).suffix
    if not filename or extension not in ACCEPTED_EXTENSIONS:
        raise UploadRefused(_("Only PDF, JPEG, PNG, DOCX and XLSX files are accepted."))
    declared = next(file_type for file_type in FILE_TYPES if extension in file_type.extensions)

    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise UploadRefused(_("The file is empty."))
    if size > max_bytes:
        raise UploadRefused(_("The file is larger than the limit of %(limit)s MB.") % {"limit": _megabytes(max_bytes)})

    head = stream.read(SNIFF_WINDOW)
    expected = "zip" if declared in (DOCX, XLSX) else declared.name
    if _sniff(head) != expected:
        raise UploadRefused(
            _("The file's content does not match its extension %(ext)s; it is not an accepted file.")
            % {"ext": extension}
        )
    lowered = head.lower()
    if any(marker in lowered for marker in HTML_MARKERS):
        raise UploadRefused(_("The file also reads as a web page; it is refused."))

    sha256, pdf_inside = _hash_and_scan(stream, skip_first_header=declared is PDF)
    if pdf_inside:
        raise UploadRefused(_("The file carries a PDF inside another format; it is refused."))

    if declared is PDF:
        page_count = _check_pdf(stream, size)
    elif declared in (JPEG, PNG):
        page_count = _check_image(stream, declared, size)
    else:
        page_count = _check_office(stream, declared)
    stream.seek(0)
    return CheckedFile(file_type=declared, filename=filename, size=size, sha256=sha256, page_count=page_count)


def _megabytes(value: int) -> str:
    return f"{value / (1024 * 1024):g}"


def _sniff(head: bytes) -> str | None:
    """The format named by the magic bytes at offset 0; DOCX and XLSX are both "zip" here."""
    for magic, name in (
        (b"%PDF-", "pdf"),
        (b"\xff\xd8\xff", "jpeg"),
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"PK\x03\x04", "zip"),
    ):
        if head.startswith(magic):
            return name
    return None


def _hash_and_scan(stream: BinaryIO, *, skip_first_header: bool) -> tuple[str, bool]:
    """SHA-256 of the whole stream, and whether a PDF header appears where it should not."""
    digest = hashlib.sha256()
    stream.seek(0)
    tail = b""
    offset = 0
    found = False
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        window = tail + chunk
        start = 0
        while (index := window.find(b"%PDF-", start)) != -1:
            absolute = offset - len(tail) + index
            if not (skip_first_header and absolute == 0):
                found = True
            start = index + 1
        tail = window[-4:]
        offset += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), found


def _is_zip(stream: BinaryIO) -> bool:
    stream.seek(0)
    try:
        return zipfile.is_zipfile(stream)
    finally:
        stream.seek(0)


def _check_pdf(stream: BinaryIO, size: int) -> int:
    # A PDF ends with %%EOF; anything but whitespace after it is another file riding
    # along (a zip, a script), and no %%EOF near the end means the file was cut short.
    stream.seek(max(0, size - 2048))
    tail = stream.read()
    eof = tail.rfind(b"%%EOF")
    if eof == -1:
        raise UploadRefused(_("The PDF is incomplete (it was cut short); upload the whole file."))
    if tail[eof + 5 :].strip(b"\r\n\t \x00"):
        raise UploadRefused(_("Data follows the end of the PDF; it is refused."))
    if _is_zip(stream):
        raise UploadRefused(_("The PDF also reads as a zip archive; it is refused."))
    stream.seek(0)
    try:
        with pikepdf.open(stream) as pdf:
            pages = len(pdf.pages)
            _refuse_active_content(pdf)
    except pikepdf.PasswordError:
        raise UploadRefused(
            _("The PDF needs a password to open. Remove the password (print it to a new PDF) and upload it again.")
        ) from None
    except pikepdf.PdfError:
        raise UploadRefused(_("The PDF is damaged and cannot be read.")) from None
    if pages < 1:
        raise UploadRefused(_("The PDF has no pages."))
    return pages


# What runs, launches, sends or carries something inside a PDF, by where it shows: a key
# of any dictionary, an action's /S, or a /Type or /Subtype. Each names what a lawyer is
# told was found. Links (/URI, /GoTo) and plain form fields stay allowed.
PDF_ACTIVE_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/EmbeddedFiles": "attachment",
    "/EmbeddedFile": "attachment",
    "/EF": "attachment",
    "/RichMediaContent": "media",
    "/RichMediaSettings": "media",
    "/XFA": "xfa",
    "/AA": "automatic",
}
PDF_ACTIVE_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/SubmitForm": "submit",
    "/ImportData": "import",
    "/GoToR": "remote",
    "/GoToE": "remote",
    "/RichMediaExecute": "media",
    "/Rendition": "media",
    "/Movie": "media",
    "/Sound": "media",
}
PDF_ACTIVE_TYPES = {
    "/EmbeddedFile": "attachment",
    "/RichMedia": "media",
    "/FileAttachment": "attachment",
    "/Movie": "media",
    "/Sound": "media",
    "/Screen": "media",
    "/3D": "media",
}
# A document's /OpenAction may only go to a page of the document itself.
PDF_HARMLESS_OPEN_ACTIONS = {"/GoTo"}


def _pdf_active_labels():
    return {
        "javascript": _("JavaScript"),
        "launch": _("an action that launches a program"),
        "submit": _("an action that submits form data"),
        "import": _("an action that imports data"),
        "remote": _("a link that opens another file"),
        "attachment": _("attached files"),
        "media": _("embedded multimedia"),
        "xfa": _("an XFA form"),
        "automatic": _("actions that run by themselves"),
        "open": _("an action that runs when the file is opened"),
    }


def pdf_active_content(pdf: pikepdf.Pdf) -> list[str]:
    """The kinds of active content in every object of ``pdf`` (keys of ``_pdf_active_labels``), sorted.

    Every object of the cross-reference table is visited (QPDF reads object streams and
    compressed tables, and resolves names written with ``#`` escapes), and inside each
    one every nested dictionary and array, with an explicit stack: a hostile file may
    hide an action in a dictionary inside an array inside an annotation. Indirect
    references are not followed, since their objects are visited on their own.
    """
    found: set[str] = set()
    roots = [pdf.trailer, *pdf.objects]
    for root in roots:
        stack = [root]
        while stack:
            obj = stack.pop()
            if isinstance(obj, pikepdf.Stream):
                obj = obj.stream_dict
            if isinstance(obj, pikepdf.Array):
                stack.extend(
                    item
                    for item in obj
                    if isinstance(item, (pikepdf.Array, pikepdf.Dictionary)) and not item.is_indirect
                )
                continue
            if not isinstance(obj, pikepdf.Dictionary):
                continue
            for key in obj.keys():
                if key in PDF_ACTIVE_KEYS:
                    if key == "/AA" and not _has_entries(obj.get(key)):
                        continue
                    found.add(PDF_ACTIVE_KEYS[key])
                value = obj.get(key)
                if key == "/OpenAction" and isinstance(value, pikepdf.Dictionary):
                    if str(value.get("/S", "")) not in PDF_HARMLESS_OPEN_ACTIONS:
                        found.add("open")
                if key in ("/S", "/Type", "/Subtype") and isinstance(value, pikepdf.Name):
                    name = str(value)
                    if key == "/S" and name in PDF_ACTIVE_ACTIONS:
                        found.add(PDF_ACTIVE_ACTIONS[name])
                    elif key != "/S" and name in PDF_ACTIVE_TYPES:
                        found.add(PDF_ACTIVE_TYPES[name])
                if isinstance(value, (pikepdf.Array, pikepdf.Dictionary)) and not value.is_indirect:
                    stack.append(value)
    return sorted(found)


def _has_entries(value) -> bool:
    if isinstance(value, pikepdf.Dictionary):
        return len(value.keys()) > 0
    return value is not None


def _refuse_active_content(pdf: pikepdf.Pdf) -> None:
    # Refused, not cleaned: evidence is kept byte for byte as received, its SHA-256 is what
    # the court may be shown, and a cleaned copy would be a different document than the
    # one the uploader holds. The uploader prints it to a new PDF and uploads that.
    found = pdf_active_content(pdf)
    if found:
        labels = _pdf_active_labels()
        raise UploadRefused(
            _("The PDF contains %(found)s; print it to a new PDF and upload that.")
            % {"found": ("、" if (get_language() or "").startswith("zh") else ", ").join(str(labels[kind]) for kind in found)}
        )


def _check_image(stream: BinaryIO, declared: FileType, size: int) -> int:
    if _is_zip(stream):
        raise UploadRefused(_("The image also reads as a zip archive; it is refused."))
    if declared is PNG:
        stream.seek(max(0, size - len(PNG_END)))
        if stream.read() != PNG_END:
            raise UploadRefused(_("Data follows the end of the image, or the image is cut short; it is refused."))
    stream.seek(0)
    try:
        with Image.open(stream) as image:
            if image.format != declared.name.upper():
                raise UploadRefused(_("The image is not the format its extension says."))
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise UploadRefused(_("The image is too large in pixels."))
            image.verify()
    except UploadRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadRefused(_("The image is damaged and cannot be read.")) from None
    return 1


def _check_office(stream: BinaryIO, declared: FileType) -> None:
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRefused(_("The document is not a valid %(ext)s file.") % {"ext": declared.name.upper()}) from None
    with archive:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            raise UploadRefused(_("The document holds too many parts."))
        if archive.comment:
            raise UploadRefused(_("The document carries data outside its parts; it is refused."))
        total_compressed = total_uncompressed = 0
        for member in members:
            _check_member_name(member.filename)
            if stat.S_ISLNK(member.external_attr >> 16):
                raise UploadRefused(_("The document contains a link to another file; it is refused."))
            if member.flag_bits & 0x1:
                raise UploadRefused(_("The document is encrypted; remove the password and upload it again."))
            if member.filename.lower().endswith("vbaproject.bin"):
                raise UploadRefused(_("The document contains macros; save it without macros and upload it again."))
            total_compressed += member.compress_size
            total_uncompressed += member.file_size
            if member.file_size > 1024 * 1024 and member.file_size > ZIP_MAX_MEMBER_RATIO * max(
                member.compress_size, 1
            ):
                raise UploadRefused(_("The document expands to an implausible size (a zip bomb); it is refused."))
        if total_uncompressed > ZIP_MAX_TOTAL_UNCOMPRESSED or total_uncompressed > ZIP_MAX_RATIO * max(
            total_compressed, 1
        ):
            raise UploadRefused(_("The document expands to an implausible size (a zip bomb); it is refused."))
        names = {member.filename for member in members}
        required = DOCX_REQUIRED if declared is DOCX else XLSX_REQUIRED
        if not all(part in names for part in required):
            raise UploadRefused(
                _("The document is not a valid %(ext)s file (a required part is missing).")
                % {"ext": declared.name.upper()}
            )
        # Sizes were checked from the directory; reading now is bounded by them, and
        # every part's checksum must match, so a forged directory is caught too.
        try:
            broken = archive.testzip()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError):
            broken = "?"
        if broken is not None:
            raise UploadRefused(_("The document is damaged and cannot be read."))
    return None


def _check_member_name(name: str) -> None:
    path = name.replace("\\", "/")
    if (
        path.startswith("/")
        or re.match(r"^[A-Za-z]:", path)
        or ".." in path.split("/")
        or "\x00" in path
        or "\\" in name
    ):
        raise UploadRefused(_("The document contains a part with an unsafe name; it is refused."))
