"""The pure upload checks: what is accepted, and a hostile corpus that is refused."""

import io

import pytest
from django.utils import translation

from evidence.validation import UploadRefused, title_from_filename, validate_upload
from tests.evidence import samples

LIMIT = 50 * 1024 * 1024


def check(name: str, data: bytes, limit: int = LIMIT):
    # Messages are in the active language; pin the default one, whatever an earlier test left.
    with translation.override("zh-hans"):
        return validate_upload(io.BytesIO(data), name, max_bytes=limit)


@pytest.mark.parametrize("case", sorted(samples.hostile_corpus()))
def test_it_refuses_every_hostile_upload(case):
    name, data = samples.hostile_corpus()[case]
    with pytest.raises(UploadRefused):
        check(name, data)


def test_the_hostile_corpus_has_at_least_twenty_cases():
    assert len(samples.hostile_corpus()) >= 20


def test_it_refuses_a_file_over_the_cap():
    with pytest.raises(UploadRefused, match="上限"):
        check("big.pdf", samples.pdf_bytes(1), limit=100)


def test_a_user_password_pdf_is_refused_with_a_message_the_user_understands():
    with pytest.raises(UploadRefused) as refused:
        check("statement.pdf", samples.user_password_pdf())
    with translation.override("zh-hans"):
        assert "需要密码" in str(refused.value.message)  # in the default language, Simplified Chinese


def test_an_owner_password_only_pdf_is_accepted():
    checked = check("对账单.pdf", samples.owner_password_only_pdf())
    assert checked.file_type.name == "pdf" and checked.page_count == 2


@pytest.mark.parametrize(
    ("name", "make", "kind", "pages"),
    [
        ("借款合同.pdf", lambda: samples.pdf_bytes(3), "pdf", 3),
        ("身份证.JPG", lambda: samples.image_bytes("JPEG"), "jpeg", 1),
        ("还款记录.png", lambda: samples.image_bytes("PNG"), "png", 1),
        ("催收记录.docx", samples.docx_bytes, "docx", None),
        ("还款计划.xlsx", samples.xlsx_bytes, "xlsx", None),
    ],
)
def test_it_accepts_the_five_formats(name, make, kind, pages):
    data = make()
    checked = check(name, data)
    assert (checked.file_type.name, checked.page_count, checked.size) == (kind, pages, len(data))
    assert checked.filename == name


def test_the_client_path_is_dropped_from_the_name():
    assert check("C:\\Users\\a\\合同.pdf", samples.pdf_bytes(1)).filename == "合同.pdf"


def test_a_title_and_date_come_from_a_dated_file_name():
    assert title_from_filename("2024-01-15 借款合同.pdf") == ("借款合同", __import__("datetime").date(2024, 1, 15))
    assert title_from_filename("借款合同.pdf") == ("借款合同", None)
