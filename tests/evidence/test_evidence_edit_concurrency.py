"""Moves and uploads at once never leave a gap or a duplicate position (PostgreSQL row locks)."""

import random
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from evidence.models import EvidenceItem
from evidence.services import evidence_reorder, evidence_upload
from legalcase.models import EventKind, MatterEvent, Role
from tests.evidence import samples
from tests.factories import make_matter, make_user

MOVERS, MOVES, UPLOADERS, UPLOADS = 4, 8, 2, 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_and_uploads_keep_positions_one_to_n(postgres_only):
    user = make_user(Role.COUNSEL)
    matter = make_matter()
    pdf = samples.pdf_bytes(1)

    def upload(title):
        return evidence_upload(
            user=user, matter_id=matter.pk, uploaded_file=SimpleUploadedFile(f"{title}.pdf", pdf), kind="other", title=title
        )

    ids = [upload(f"证据{n}").pk for n in range(8)]
    barrier = threading.Barrier(MOVERS + UPLOADERS)
    errors: list[BaseException] = []

    def mover(seed: int) -> None:
        chance = random.Random(seed)
        try:
            barrier.wait()
            for _ in range(MOVES):
                evidence_reorder(user=user, evidence_id=chance.choice(ids), position=chance.randint(1, len(ids)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def uploader(n: int) -> None:
        try:
            barrier.wait()
            for i in range(UPLOADS):
                upload(f"新证据{n}-{i}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=mover, args=(seed,)) for seed in range(MOVERS)]
    threads += [threading.Thread(target=uploader, args=(n,)) for n in range(UPLOADERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    positions = sorted(EvidenceItem.objects.filter(matter=matter).values_list("position", flat=True))
    assert positions == list(range(1, len(ids) + UPLOADERS * UPLOADS + 1))
    assert MatterEvent.objects.filter(matter=matter, kind=EventKind.EVIDENCE_EDITED).count() <= MOVERS * MOVES
