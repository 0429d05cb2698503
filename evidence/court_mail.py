"""The court mailbox: court notices that arrive by e-mail, read over IMAP (stdlib ``imaplib``).

Configured by ``COURT_MAIL_HOST``/``PORT``/``USER``/``PASSWORD``/``FOLDER``/``SSL``; the
schedule reads it every ten minutes (``legalcase.schedule``) and ``manage.py
read_court_mail`` reads it by hand. Each message is read once: its UID is remembered with
the folder's UIDVALIDITY (``CourtMailMessage``), so a second run reads nothing new, and a
folder whose UIDVALIDITY changed (recreated) is read again from the start. Messages are
fetched with ``BODY.PEEK`` (left unread for people) and never deleted unless
``COURT_MAIL_DELETE=1``. A message's PDF or DOCX attachment becomes a notice with its file
(validated like evidence); without one, its subject and text become a text notice.
Links in a message are kept as text and never fetched.
"""

from __future__ import annotations

import base64
import email
import email.policy
import imaplib
import io
import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from evidence.court_notices import court_notice_upload
from legalcase.models import CourtMailMessage, CourtNoticeChannel
from legalcase.services.court_notices import court_notice_post

log = logging.getLogger(__name__)

ATTACHMENT_TYPES = (".pdf", ".docx")


@dataclass(frozen=True)
class MailConfig:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    ssl: bool = True
    delete: bool = False
    timeout: int = 60

    @property
    def mailbox(self) -> str:
        """How the folder is named in ``CourtMailMessage`` and in the notices' ``mail_source``."""
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"

    @classmethod
    def from_settings(cls) -> MailConfig | None:
        if not settings.COURT_MAIL_HOST:
            return None
        return cls(
            host=settings.COURT_MAIL_HOST,
            port=settings.COURT_MAIL_PORT,
            user=settings.COURT_MAIL_USER,
            password=settings.COURT_MAIL_PASSWORD,
            folder=settings.COURT_MAIL_FOLDER,
            ssl=settings.COURT_MAIL_SSL,
            delete=settings.COURT_MAIL_DELETE,
            timeout=settings.COURT_MAIL_TIMEOUT,
        )


class _Text(HTMLParser):
    """The visible text of an HTML part (a delivery e-mail is often HTML only)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in ("br", "p", "div", "tr", "li"):
            self.parts.append("\n")
        if tag == "a":
            # Keep a link's address as text: the reader records it, Fasu never follows it.
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://")):
                self.parts.append(f" {href} ")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def message_text(message: EmailMessage) -> str:
    """The subject and the text of a message (its plain part, else its HTML part's text)."""
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        content = body.get_content()
        if body.get_content_subtype() == "html":
            parser = _Text()
            parser.feed(content)
            content = "".join(parser.parts)
        text = re.sub(r"\n\s*\n+", "\n", content).strip()
    subject = str(message.get("Subject") or "").strip()
    return f"主题：{subject}\n{text}" if subject else text


def _received_at(message: EmailMessage):
    try:
        at = parsedate_to_datetime(str(message.get("Date") or ""))
    except (TypeError, ValueError, IndexError):
        at = None
    now = timezone.now()
    if at is None or timezone.is_naive(at) or at > now:
        return now
    return at


def _connect(config: MailConfig) -> imaplib.IMAP4:
    if config.ssl:
        return imaplib.IMAP4_SSL(config.host, config.port, timeout=config.timeout)
    return imaplib.IMAP4(config.host, config.port, timeout=config.timeout)


def imap_folder_name(folder: str) -> str:
    """A folder's name as IMAP writes it: modified UTF-7 (RFC 3501 5.1.3) for 法院通知, quoted."""
    out: list[str] = []
    wide: list[str] = []

    def flush() -> None:
        if wide:
            encoded = base64.b64encode("".join(wide).encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + encoded.replace("/", ",") + "-")
            wide.clear()

    for char in folder:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            wide.append(char)
    flush()
    name = "".join(out)
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def court_mail_read(*, config: MailConfig | None = None) -> dict:
    """Read the messages of the court folder not read before; post their notices. Returns counts."""
    config = config or MailConfig.from_settings()
    if config is None:
        return {"skipped": "COURT_MAIL_HOST is not set"}
    connection = _connect(config)
    try:
        connection.login(config.user, config.password)
        status, _ = connection.select(imap_folder_name(config.folder), readonly=not config.delete)
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open the folder {config.folder!r}")
        uidvalidity = int(connection.response("UIDVALIDITY")[1][0])
        status, found = connection.uid("SEARCH", None, "ALL")
        uids = [int(uid) for uid in (found[0] or b"").split()] if status == "OK" else []
        seen = set(
            CourtMailMessage.objects.filter(mailbox=config.mailbox, uidvalidity=uidvalidity).values_list(
                "uid", flat=True
            )
        )
        result = {"messages": 0, "notices": 0, "new_notices": 0, "refused": 0}
        for uid in uids:
            if uid in seen:
                continue
            status, data = connection.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next((part[1] for part in data or () if isinstance(part, tuple)), None)
            if status != "OK" or raw is None:
                log.warning("court mail: cannot fetch UID %s of %s", uid, config.mailbox)
                continue
            counts = _message_posted(config, uidvalidity, uid, raw)
            result["messages"] += 1
            for key in ("notices", "new_notices", "refused"):
                result[key] += counts[key]
            if config.delete:
                connection.uid("STORE", str(uid), "+FLAGS", "(\\Deleted)")
        if config.delete:
            connection.expunge()
        return result
    finally:
        try:
            connection.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def _message_posted(config: MailConfig, uidvalidity: int, uid: int, raw: bytes) -> dict:
    """Post the notices of one message and remember it as read, in one transaction."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    received_at = _received_at(message)
    text = message_text(message)
    source = f"{config.mailbox} {uidvalidity}:{uid}"
    counts = {"notices": 0, "new_notices": 0, "refused": 0}
    with transaction.atomic():
        # The row first: a second reader of the same message stops on its unique key.
        row = CourtMailMessage.objects.create(mailbox=config.mailbox, uidvalidity=uidvalidity, uid=uid)
        attachments = [
            part
            for part in message.iter_attachments()
            if (part.get_filename() or "").lower().endswith(ATTACHMENT_TYPES)
        ]
        posts = []
        for part in attachments:
            stream = io.BytesIO(part.get_content() if isinstance(part.get_content(), bytes) else b"")
            posts.append(
                lambda stream=stream, name=part.get_filename(): court_notice_upload(
                    user=None,
                    uploaded_file=stream,
                    filename=name,
                    received_at=received_at,
                    channel=CourtNoticeChannel.EMAIL,
                    mailbox=config.mailbox,
                    mail_source=source,
                    fallback_text=text,
                )
            )
        if not attachments and text:
            posts.append(
                lambda: court_notice_post(
                    channel=CourtNoticeChannel.EMAIL,
                    text=text,
                    received_at=received_at,
                    mailbox=config.mailbox,
                    mail_source=source,
                )
            )
        for post in posts:
            try:
                with transaction.atomic():
                    _notice, created = post()
            except ValidationError as exc:
                # Read and refused (a forged PDF, an empty message): remembered, never retried.
                log.warning("court mail: %s refused: %s", source, exc.messages)
                counts["refused"] += 1
                continue
            counts["notices"] += 1
            counts["new_notices"] += int(created)
        row.notices = counts["notices"]
        row.save(update_fields=["notices"])
    return counts


def court_mail_read_scheduled() -> dict:
    """The schedule's entry: read the mailbox when one is configured."""
    return court_mail_read()
