"""The court mailbox read over IMAP against a real Dovecot: each message read once, none deleted unless told."""

from __future__ import annotations

import email.message
import imaplib
import io
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from evidence.court_mail import MailConfig, court_mail_read, imap_folder_name
from legalcase.models import CourtMailMessage, CourtNotice, Hearing, Proceeding
from legalcase.services.court_notices import court_notice_confirm
from tests.conftest import dovecot_path
from tests.factories import make_matter, make_party, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.imap]

FIXTURES = Path(__file__).parent.parent / "fixtures" / "court_notices"
DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:{root}/mail/%u
default_internal_user = {user}
default_login_user = {user}
default_internal_group = {group}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dovecot():
    """A throwaway Dovecot on a loopback port: a passwd-file user, a temporary maildir, no root config."""
    binary = dovecot_path()
    if binary is None:
        pytest.skip("Dovecot is not installed here; .ci/run installs dovecot-imapd")
    root = Path(tempfile.mkdtemp(prefix="fasu-dovecot-"))
    # Run as root, Dovecot drops to an unprivileged user, which must reach the directory.
    account = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.getuid())
    root.chmod(0o755)
    (root / "mail").mkdir()
    os.chown(root / "mail", account.pw_uid, account.pw_gid)
    password = secrets.token_urlsafe(12)
    (root / "passwd").write_text(f"court:{{PLAIN}}{password}\n")
    port = _free_port()
    conf = root / "dovecot.conf"
    group = os.popen(f"getent group {account.pw_gid}").read().split(":")[0] or str(account.pw_gid)
    conf.write_text(
        DOVECOT_CONF.format(
            root=root, user=account.pw_name, group=group, uid=account.pw_uid, gid=account.pw_gid, port=port
        )
    )
    process = subprocess.Popen([binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                    pytest.fail(f"Dovecot did not start: {process.stderr.read().decode()} {log}")
                time.sleep(0.05)
        yield MailConfig(host="127.0.0.1", port=port, user="court", password=password, folder="INBOX", ssl=False)
    finally:
        # The master stops its children; a test waits for none of it beyond the signal.
        process.terminate()
        try:
            process.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass
        shutil.rmtree(root, ignore_errors=True)


def deliver(config: MailConfig, message: email.message.EmailMessage) -> None:
    with imaplib.IMAP4(config.host, config.port) as connection:
        connection.login(config.user, config.password)
        folder = imap_folder_name(config.folder)
        connection.create(folder)  # "already exists" for INBOX and the second time: no harm
        connection.append(folder, None, None, message.as_bytes())


def unseen(config: MailConfig) -> int:
    with imaplib.IMAP4(config.host, config.port) as connection:
        connection.login(config.user, config.password)
        connection.select(imap_folder_name(config.folder), readonly=True)
        return len(connection.uid("SEARCH", None, "UNSEEN")[1][0].split())


def court_email(subject: str, body: str, attachment: tuple[str, bytes] | None = None) -> email.message.EmailMessage:
    message = email.message.EmailMessage()
    message["From"] = "人民法院送达平台 <songda@court.gov.cn>"
    message["To"] = "court@example.com"
    message["Subject"] = subject
    message["Date"] = "Wed, 06 May 2026 10:00:00 +0800"
    message.set_content(body)
    if attachment:
        message.add_attachment(
            attachment[1],
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
            filename=attachment[0],
        )
    return message


def docx_of(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_each_message_is_read_once_and_left_in_the_mailbox(dovecot, evidence_storage):
    """A summons e-mail and a fee notice as an attachment: read, matched, confirmed; a second run reads nothing."""
    counsel = make_user()
    matter = make_matter(stage="litigation", debtor=make_party("李四"))
    proceeding = Proceeding.objects.create(matter=matter, kind="first_instance", case_number="（2026）京0105民初20871号")
    summons = (FIXTURES / "summons_2_email.txt").read_text(encoding="utf-8")
    fee = (FIXTURES / "fee_payment_2_email.txt").read_text(encoding="utf-8")
    deliver(dovecot, court_email("开庭传票", summons))
    deliver(dovecot, court_email("交纳诉讼费用通知书", "请查收附件。", ("缴费通知.docx", docx_of(fee))))

    first = court_mail_read(config=dovecot)
    second = court_mail_read(config=dovecot)

    assert first == {"messages": 2, "notices": 2, "new_notices": 2, "refused": 0}
    assert second == {"messages": 0, "notices": 0, "new_notices": 0, "refused": 0}
    assert CourtMailMessage.objects.filter(mailbox=dovecot.mailbox).count() == 2
    text_notice, file_notice = CourtNotice.objects.order_by("id")
    assert (text_notice.channel, text_notice.status, text_notice.matter) == ("email", "matched", matter)
    assert text_notice.received_at.isoformat() == "2026-05-06T02:00:00+00:00"
    assert (file_notice.original_filename, file_notice.parsed["kind"]) == ("缴费通知.docx", "fee_payment")
    assert unseen(dovecot) == 2  # read with BODY.PEEK: still unread for people, and not deleted

    _notice, created = court_notice_confirm(user=counsel, notice_id=text_notice.pk)
    assert Hearing.objects.get(pk=created["hearing"]).proceeding == proceeding


def test_with_delete_configured_a_read_message_is_removed(dovecot, evidence_storage):
    config = MailConfig(**{**dovecot.__dict__, "folder": "法院通知", "delete": True})
    deliver(config, court_email("通知", (FIXTURES / "other_1_sms.txt").read_text(encoding="utf-8")))

    result = court_mail_read(config=config)

    assert result["messages"] == 1
    assert CourtNotice.objects.get().mail_source.startswith("court@127.0.0.1")
    with imaplib.IMAP4(config.host, config.port) as connection:
        connection.login(config.user, config.password)
        connection.select(imap_folder_name("法院通知"), readonly=True)
        assert connection.uid("SEARCH", None, "ALL")[1][0].split() == []


def test_a_recreated_folder_is_read_again_and_its_notices_are_not_doubled(dovecot, evidence_storage):
    config = MailConfig(**{**dovecot.__dict__, "folder": "Recreated"})
    message = court_email("举证通知书", (FIXTURES / "evidence_1_sms.txt").read_text(encoding="utf-8"))
    deliver(config, message)
    first = court_mail_read(config=config)
    with imaplib.IMAP4(config.host, config.port) as connection:
        connection.login(config.user, config.password)
        connection.delete(imap_folder_name(config.folder))
    deliver(config, message)

    again = court_mail_read(config=config)

    assert (first["new_notices"], again["messages"], again["new_notices"]) == (1, 1, 0)
    rows = CourtMailMessage.objects.filter(mailbox=config.mailbox)
    assert rows.count() == 2 and len({row.uidvalidity for row in rows}) == 2
    assert CourtNotice.objects.count() == 1


def test_the_command_says_when_no_mailbox_is_configured(settings, capsys):
    settings.COURT_MAIL_HOST = ""

    call_command("read_court_mail")

    assert "COURT_MAIL_HOST" in capsys.readouterr().out
