"""The orphan sweep: a stored file no row references goes once it is a day old; nothing else does."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from filer.models import File as FilerFile

from evidence.services import evidence_upload
from evidence.sweep import storage_orphans_sweep
from legalcase.models import Role
from tests.evidence import samples
from tests.evidence.conftest import stored_files
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db

DAY = 24 * 3600


def age(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def orphan(root, name: str, seconds_old: float):
    """A file as a worker killed before its row committed leaves it."""
    path = root / "ab" / "cd" / name / "file.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(samples.pdf_bytes(1))
    age(path, seconds_old)
    return path


@pytest.fixture
def referenced(evidence_storage):
    """An evidence file, stored long ago, with its row."""
    user = make_user(Role.COUNSEL)
    item = evidence_upload(
        user=user,
        matter_id=make_matter().pk,
        uploaded_file=SimpleUploadedFile("合同.pdf", samples.pdf_bytes(2)),
        kind="contract",
        title="借款合同",
    )
    path = evidence_storage / item.file.file.name
    age(path, 30 * DAY)
    return path


def test_the_sweep_removes_an_old_orphan_and_keeps_a_young_one_and_every_referenced_file(
    evidence_storage, referenced, capsys
):
    old = orphan(evidence_storage, "old-orphan", 2 * DAY)
    young = orphan(evidence_storage, "young-orphan", 3600)

    call_command("sweep_orphans")

    assert stored_files(evidence_storage) == sorted([referenced, young])
    assert not old.exists()
    out = capsys.readouterr().out
    assert f"removed {old.relative_to(evidence_storage)}" in out
    assert "3 files checked, 1 orphans removed, 1 younger ones kept." in out
    assert FilerFile.objects.count() == 1


def test_a_dry_run_names_the_orphans_and_removes_nothing(evidence_storage, referenced, capsys):
    old = orphan(evidence_storage, "old-orphan", 2 * DAY)
    call_command("sweep_orphans", "--dry-run")
    assert old.exists() and referenced.exists()
    assert f"orphan {old.relative_to(evidence_storage)}" in capsys.readouterr().out


def test_the_age_is_a_setting_of_the_function(evidence_storage, referenced):
    young = orphan(evidence_storage, "young-orphan", 3600)
    from datetime import timedelta

    result = storage_orphans_sweep(older_than=timedelta(minutes=30))
    assert result.removed == [str(young.relative_to(evidence_storage))] and result.checked == 2
    assert stored_files(evidence_storage) == [referenced]


def test_an_empty_storage_is_swept_without_error(evidence_storage):
    result = storage_orphans_sweep()
    assert (result.checked, result.removed, result.kept_young) == (0, [], 0)
