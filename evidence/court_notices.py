"""Court notices that arrive as files, and the evidence a confirmed upload becomes.

``legalcase.services.court_notices`` reads, matches, confirms and dismisses notices; it
cannot import this app, so what touches files lives here: an uploaded PDF or DOCX is
validated and stored like evidence (``evidence.validation``, private storage) and its
text extracted before the notice is posted, and at confirmation the file becomes
``notice`` evidence of the matter, the same stored bytes with their SHA-256.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from filer import settings as filer_settings
from filer.models import File as FilerFile

from evidence.models import EvidenceItem, EvidenceKind, TextState
from evidence.services import CONVERT_JOB, _next_position, private_storage
from evidence.text import extract_text
from evidence.validation import DOCX, PDF, UploadRefused, validate_upload
from legalcase.access import require
from legalcase.events import record_event
from legalcase.jobs import job_create
from legalcase.models import CourtNotice, CourtNoticeChannel, CourtNoticeKind, EventKind, Matter, User
from legalcase.services.court_notices import (
    StoredFile,
    court_notice_confirm,
    court_notice_evidence_attached,
    court_notice_post,
    notice_digest,
)

NOTICE_FILE_TYPES = (PDF, DOCX)


def court_notice_upload(
    *,
    user: User | None,
    uploaded_file: BinaryIO,
    received_at: Any,
    filename: str | None = None,
    channel: str = CourtNoticeChannel.UPLOAD,
    mailbox: str = "",
    mail_source: str = "",
    idempotency_key: str = "",
    fallback_text: str = "",
) -> tuple[CourtNotice, bool]:
    """Validate and store a notice's PDF or DOCX, read its text and post it; (notice, created).

    The same file again answers the first notice and stores nothing new; a refused file
    stores nothing at all (``ValidationError`` naming ``file``). A scan without a text
    layer is read from ``fallback_text`` (the e-mail it came with), or read as nothing.
    """
    if user is not None:
        require(user, "write_court_notices")
    name = filename if filename is not None else getattr(uploaded_file, "name", "") or ""
    try:
        checked = validate_upload(uploaded_file, name, max_bytes=settings.EVIDENCE_MAX_BYTES)
    except UploadRefused as exc:
        raise ValidationError({"file": [exc.message]}) from None
    if checked.file_type not in NOTICE_FILE_TYPES:
        raise ValidationError({"file": [_("A court notice is accepted as a PDF or DOCX file.")]})
    uploaded_file.seek(0)
    data = uploaded_file.read()
    extracted = extract_text(data, checked.content_type, ocr=False)
    storage = private_storage()
    uploaded_file.seek(0)
    stored_name = storage.save(
        filer_settings.FILER_PRIVATEMEDIA_UPLOAD_TO(None, f"notice{checked.file_type.extensions[0]}"), uploaded_file
    )
    keep = False
    try:
        with transaction.atomic():
            filer_file = FilerFile(
                original_filename=checked.filename,
                name=_("Court notice")[:255],
                owner=user,
                is_public=False,
                mime_type=checked.content_type,
            )
            filer_file.file = stored_name
            filer_file._file_size = checked.size
            filer_file.save()
            notice, created = court_notice_post(
                channel=channel,
                text=extracted.text or fallback_text,
                received_at=received_at,
                user=user,
                mailbox=mailbox,
                mail_source=mail_source,
                idempotency_key=idempotency_key,
                stored=StoredFile(
                    filer_file=filer_file,
                    filename=checked.filename,
                    content_type=checked.content_type,
                    size=checked.size,
                    page_count=checked.page_count,
                    sha256=notice_digest(data=data),
                ),
            )
            if not created:
                # The first notice keeps its own file: this copy goes with its row.
                filer_file.delete()
            keep = created
    finally:
        if not keep:
            storage.delete(stored_name)
    return notice, created


@transaction.atomic
def court_notice_confirm_all(
    *, user: User, notice_id: int, matter_id: Any = None, proceeding_id: Any = None, corrections: Any = None
) -> tuple[CourtNotice, dict[str, Any]]:
    """Confirm a notice (``court_notice_confirm``) and make an uploaded file ``notice`` evidence of the matter."""
    notice, created = court_notice_confirm(
        user=user, notice_id=notice_id, matter_id=matter_id, proceeding_id=proceeding_id, corrections=corrections
    )
    if notice.file_id:
        item = _notice_evidence(user=user, notice=notice)
        court_notice_evidence_attached(notice=notice, evidence_id=item.pk)
        created["evidence"] = item.pk
    return notice, created


def _notice_evidence(*, user: User, notice: CourtNotice) -> EvidenceItem:
    """The notice's stored file as evidence of its matter (the same bytes, another row)."""
    require(user, "write_evidence")
    matter = notice.matter
    list(Matter.objects.select_for_update().filter(pk=matter.pk).values_list("pk"))
    kind = notice.parsed.get("kind") or CourtNoticeKind.OTHER
    title = _("Court notice: %(kind)s") % {"kind": CourtNoticeKind(kind).label if kind in CourtNoticeKind.values else kind}
    if notice.parsed.get("case_number"):
        title = f"{title} {notice.parsed['case_number']}"
    text_state = TextState.EXTRACTED if notice.text else TextState.SCANNED
    item = EvidenceItem.objects.create(
        matter=matter,
        kind=EvidenceKind.NOTICE,
        title=title[:200],
        document_date=None,
        source=str(notice.parsed.get("court") or "")[:200],
        original_filename=notice.original_filename or "notice",
        file=notice.file,
        sha256=notice.digest,
        size=notice.size or 0,
        page_count=notice.page_count,
        content_type=notice.content_type,
        uploaded_by=user,
        position=_next_position(matter),
        text=notice.text,
        text_state=text_state,
    )
    if item.needs_conversion:
        item.pdf_job = job_create(kind=CONVERT_JOB, user=user, payload={"evidence_id": item.pk}, total=1)
        item.save(update_fields=["pdf_job"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.EVIDENCE_ADDED,
        new={"evidence": item.pk, "title": item.title, "sha256": item.sha256},
    )
    return item


