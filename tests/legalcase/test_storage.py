"""Storage settings, paths kept out of answers, backups and their restore (API.md, "Operations at scale").

The bucket itself is exercised in tests/test_storage_s3.py (marked s3); these run on
the local backend.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from config.env import SettingError, env_storages
from legalcase import backups
from legalcase.files import file_storage, is_storage_name
from legalcase.jobs import failed_message, without_paths

S3_ENVIRON = {
    "STORAGE_BACKEND": "s3",
    "S3_ENDPOINT_URL": "https://s3.example.cn",
    "S3_BUCKET": "fasu",
    "S3_ACCESS_KEY": "AK",
    "S3_SECRET_KEY": "SK",
    "S3_REGION": "cn-north-1",
}


def test_local_is_the_default_and_keeps_every_storage_under_storage_root():
    backend, default, main, thumbnails = env_storages({}, "/srv/fasu")
    assert backend == "local"
    assert default["OPTIONS"]["location"] == "/srv/fasu"
    assert main["OPTIONS"]["location"] == "/srv/fasu/filer_private"
    assert thumbnails["OPTIONS"]["location"] == "/srv/fasu/filer_private_thumbnails"


def test_s3_is_a_private_bucket_with_the_same_prefixes_and_signed_urls_only_when_allowed():
    backend, default, main, _thumbnails = env_storages(S3_ENVIRON, "/srv/fasu")
    assert backend == "s3" and default["BACKEND"] == main["ENGINE"] == "storages.backends.s3.S3Storage"
    options = main["OPTIONS"]
    assert (options["location"], default["OPTIONS"]["location"]) == ("filer_private", "")
    assert options["default_acl"] == "private" and options["querystring_auth"] is False
    assert options["file_overwrite"] is False and options["bucket_name"] == "fasu"
    signed = env_storages({**S3_ENVIRON, "S3_SIGNED_URLS": "1", "S3_SIGNED_URL_SECONDS": "60"}, "/srv/fasu")[1]
    assert signed["OPTIONS"]["querystring_auth"] is True and signed["OPTIONS"]["querystring_expire"] == 60


@pytest.mark.parametrize(
    "environ, name",
    [
        ({"STORAGE_BACKEND": "nfs"}, "STORAGE_BACKEND"),
        ({**S3_ENVIRON, "S3_BUCKET": ""}, "S3_BUCKET"),
        ({**S3_ENVIRON, "S3_SECRET_KEY": " "}, "S3_SECRET_KEY"),
        ({**S3_ENVIRON, "S3_ENDPOINT_URL": "s3.example.cn"}, "S3_ENDPOINT_URL"),
        ({**S3_ENVIRON, "S3_SIGNED_URLS": "maybe"}, "S3_SIGNED_URLS"),
    ],
)
def test_a_bad_storage_setting_is_refused_naming_it(environ, name):
    with pytest.raises(SettingError) as refused:
        env_storages(environ, "/srv/fasu")
    assert refused.value.name == name


def test_a_job_error_names_a_file_by_its_last_part_only():
    error = FileNotFoundError(2, "No such file or directory", "/srv/fasu/var/storage/filer_private/ab/cd/evidence.pdf")
    message = failed_message(error)
    assert "evidence.pdf" in message and "/srv" not in message and "filer_private" not in message
    assert without_paths("日期 2025/6/30，金额/利息") == "日期 2025/6/30，金额/利息"


@pytest.mark.parametrize(
    "name, ok",
    [("imports/ab.csv.errors.csv", True), ("/srv/imports/ab.csv", False), ("imports/../etc/passwd", False), ("imports", False)],
)
def test_only_relative_names_inside_the_folder_are_storage_names(name, ok):
    assert is_storage_name(name, folder="imports") is ok


def test_storage_migrate_refuses_without_the_s3_backend():
    with pytest.raises(CommandError) as refused:
        call_command("storage_migrate", stdout=io.StringIO())
    assert "STORAGE_BACKEND is not s3" in str(refused.value)


# Backups ----------------------------------------------------------------------------------


@pytest.fixture
def stored(tmp_storage):
    """Two files in the default storage (in this test's folder); yields their bytes by name."""
    files = {"filer_private/ab/cd/evidence.pdf": b"%PDF-1.7 evidence", "imports/0a.csv": "债权人名称\n".encode()}
    for name, data in files.items():
        (tmp_storage / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_storage / name).write_bytes(data)
    return files


@pytest.mark.django_db
def test_a_backup_holds_the_database_and_a_manifest_with_sha256s_and_no_key(stored, tmp_path):
    target = tmp_path / "backup"
    out = io.StringIO()
    call_command("backup", str(target), stdout=out)
    info = json.loads((target / "backup.json").read_text())
    assert info["objects"] == 2 and info["files"] is True and info["storage"] == "local"
    assert (target / info["dump"]).stat().st_size > 0
    with open(target / "manifest.csv", encoding="utf-8") as manifest:
        rows = list(csv.reader(manifest))
    assert rows[0] == ["name", "size", "sha256"]
    assert sorted(rows[1:]) == sorted(
        [name, str(len(data)), hashlib.sha256(data).hexdigest()] for name, data in stored.items()
    )
    for name, data in stored.items():
        assert (target / "files" / name).read_bytes() == data
    written = b"".join(path.read_bytes() for path in (target / "backup.json", target / "manifest.csv"))
    assert django_settings.SECRET_KEY.encode() not in written and b"PASSWORD" not in written.upper()
    assert "Backup written: 2 objects" in out.getvalue()


@pytest.mark.django_db
def test_a_backup_never_writes_into_a_folder_that_holds_something_nor_into_the_storage(stored, tmp_path, tmp_storage):
    target = tmp_path / "used"
    target.mkdir()
    (target / "old.txt").write_text("an older backup")
    with pytest.raises(CommandError) as refused:
        call_command("backup", str(target), stdout=io.StringIO())
    assert "is not an empty folder" in str(refused.value)
    assert [path.name for path in target.iterdir()] == ["old.txt"]
    with pytest.raises(CommandError) as refused:
        call_command("backup", str(tmp_storage / "backups" / "today"), stdout=io.StringIO())
    assert "the backup would hold itself" in str(refused.value)
    assert not (tmp_storage / "backups").exists()


@pytest.mark.django_db
def test_a_restore_refuses_a_database_that_is_not_empty_and_a_folder_that_is_no_backup(stored, tmp_path):
    target = tmp_path / "backup"
    target.mkdir()
    (target / "backup.json").write_text(json.dumps({"database": connection.vendor, "dump": "database.dump"}))
    (target / "manifest.csv").write_text("name,size,sha256\n")
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(target), stdout=io.StringIO())
    assert "The database is not empty" in str(refused.value)
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(tmp_path), stdout=io.StringIO())
    assert "not a Fasu backup" in str(refused.value)


@pytest.mark.django_db
def test_a_restore_puts_back_missing_files_and_lists_one_that_differs(stored, tmp_path, monkeypatch):
    target = tmp_path / "backup"
    call_command("backup", str(target), stdout=io.StringIO())
    storage = file_storage()
    storage.delete("filer_private/ab/cd/evidence.pdf")  # lost with the old host
    storage.delete("imports/0a.csv")
    storage.save("imports/0a.csv", io.BytesIO(b"changed since"))
    # The database part needs an empty database (pg_restore / the SQLite copy): tested by the drill.
    monkeypatch.setattr(backups, "database_is_empty", lambda: True)
    monkeypatch.setattr(backups, "_restore_database", lambda source, vendor: None)
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(target), stdout=out)
    assert refused.value.returncode == 1
    assert "MISMATCH imports/0a.csv: SHA-256 differs" in out.getvalue()
    assert "[2/2] objects checked, 1 put back, 1 problems" in out.getvalue()
    with storage.open("filer_private/ab/cd/evidence.pdf", "rb") as handle:
        assert handle.read() == stored["filer_private/ab/cd/evidence.pdf"]
