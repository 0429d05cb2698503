"""Small DOCX templates made in the test, with text in the body, a header and the title."""

from __future__ import annotations

import io

from docx import Document


def make_template(body: str = "{{ debtor.name }}", *, header: str = "", title: str = "", paragraphs=()) -> bytes:
    document = Document()
    document.add_paragraph(body)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if title:
        document.core_properties.title = title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def read_back(docx: bytes) -> dict:
    """Every text a reader sees: body paragraphs and table cells, headers, footers, the title.

    Without the invisible WORD JOINERs (U+2060) that keep case numbers on one line
    (``rendering.keep_numbers_whole``): a reader does not see them, nor does the PDF's text.
    """
    document = Document(io.BytesIO(docx))
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    headers = []
    for section in document.sections:
        headers.extend(paragraph.text for paragraph in section.header.paragraphs)
        headers.extend(paragraph.text for paragraph in section.footer.paragraphs)
    return {
        "body": "\n".join(texts).replace("\u2060", ""),
        "header": "\n".join(headers).replace("\u2060", ""),
        "title": document.core_properties.title or "",
    }
