"""Small sample files made on the fly: good ones of each accepted type, and a hostile corpus."""

from __future__ import annotations

import functools
import io
import zipfile

import pikepdf
from PIL import Image

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


DOCUMENT_XML = "<w:document><w:body><w:p><w:r><w:t>借款合同</w:t></w:r></w:p></w:body></w:document>"


def pdf_bytes(pages: int = 2, *, encryption: pikepdf.Encryption | None = None) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out, encryption=encryption or False)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def pdf_with_attachment() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ payload")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES.encode(),
            "word/document.xml": DOCUMENT_XML.encode(),
            **(extra or {}),
        }
    )


def xlsx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES.encode(),
            "xl/workbook.xml": b"<workbook><sheets><sheet name='Sheet1' sheetId='1'/></sheets></workbook>",
            "xl/worksheets/sheet1.xml": b"<worksheet><sheetData/></worksheet>",
        }
    )


def zip_with_raw_names(names: list[str]) -> bytes:
    """A DOCX whose extra members carry names zipfile itself would not write (``..``, absolute)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
        for name in names:
            info = zipfile.ZipInfo("placeholder")
            info.filename = name  # ZipInfo's constructor would clean the name; the attack does not.
            archive.writestr(info, b"owned")
    return out.getvalue()


def docx_with_symlink() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
        info = zipfile.ZipInfo("word/media/link.png")
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    return out.getvalue()


def docx_zip_bomb() -> bytes:
    return docx_bytes({"word/media/bomb.xml": b"\0" * (20 * 1024 * 1024)})


def truncated_pdf() -> bytes:
    data = pdf_bytes(3)
    return data[: len(data) // 2]


def user_password_pdf() -> bytes:
    return pdf_bytes(1, encryption=pikepdf.Encryption(owner="owner-secret", user="user-secret", R=6))


def owner_password_only_pdf() -> bytes:
    return pdf_bytes(2, encryption=pikepdf.Encryption(owner="bank-owner", user="", R=4))


@functools.cache  # built once per process: a parametrized test asks for it once per case
def hostile_corpus() -> dict[str, tuple[str, bytes]]:
    """Case name -> (file name, bytes); every one must be refused (do not change the dict)."""
    pdf = pdf_bytes(1)
    png = image_bytes("PNG")
    jpeg = image_bytes("JPEG")
    return {
        "html renamed pdf": ("合同.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        "html after a pdf header": ("合同.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>\n" + pdf[9:]),
        "elf renamed pdf": ("合同.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 200),
        "exe renamed pdf": ("合同.pdf", b"MZ\x90\x00" + b"\0" * 200),
        "double extension": ("x.pdf.exe", pdf),
        "exe extension": ("setup.exe", b"MZ\x90\x00" + b"\0" * 200),
        "unknown extension": ("notes.txt", b"just text"),
        "no extension": ("README", pdf),
        "empty file": ("empty.pdf", b""),
        "pdf magic not at offset 0": ("合同.pdf", b"\n\n" + pdf),
        "png named jpg": ("photo.jpg", png),
        "pdf named png": ("scan.png", pdf),
        "docx named xlsx": ("sheet.xlsx", docx_bytes()),
        "docx zip bomb": ("bomb.docx", docx_zip_bomb()),
        "path traversal member": ("evil.docx", zip_with_raw_names(["../../etc/cron.d/x"])),
        "absolute member": ("evil.docx", zip_with_raw_names(["/etc/passwd"])),
        "windows absolute member": ("evil.docx", zip_with_raw_names(["C:\\Windows\\evil.dll"])),
        "symlink member": ("link.docx", docx_with_symlink()),
        "docx missing document part": ("hollow.docx", zip_bytes({"[Content_Types].xml": CONTENT_TYPES.encode()})),
        "docx with macros": ("macro.docx", docx_bytes({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"})),
        "plain zip renamed docx": ("archive.docx", zip_bytes({"a.txt": b"hello"})),
        "user-password pdf": ("statement.pdf", user_password_pdf()),
        "truncated pdf": ("cut.pdf", truncated_pdf()),
        "pdf + zip polyglot": ("poly.pdf", pdf + zip_bytes({"payload.txt": b"hello"})),
        "pdf with zip appended after eof whitespace": ("poly2.pdf", pdf + b"\n" + zip_bytes({"a.html": b"<html>"})),
        "zip hidden before the pdf's end": ("poly3.pdf", pdf.rstrip()[:-5] + zip_bytes({"a.txt": b"x"}) + b"\n%%EOF\n"),
        "pdf with an attached file": ("attach.pdf", pdf_with_attachment()),
        "png with pdf appended": ("poly.png", png + pdf),
        "jpeg with pdf appended": ("poly.jpg", jpeg + pdf),
        "jpeg with zip appended": ("poly.jpg", jpeg + zip_bytes({"a.txt": b"x"})),
        "truncated png": ("cut.png", png[: len(png) - 20]),
        "pdf with javascript": ("js.pdf", pdf_with_javascript()),
        "not a pdf behind the magic": ("fake.pdf", b"%PDF-1.4\nthis is not a pdf at all\n%%EOF\n"),
    }
