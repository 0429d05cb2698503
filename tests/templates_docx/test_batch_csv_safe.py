"""A batch's manifest.csv and failed.csv write a debtor name that starts like a formula as text."""

import csv
import io

import pytest

from legalcase.models import Role
from tests.factories import make_matter, make_party, make_user
from tests.templates_docx.test_api_documents import run_all_jobs
from tests.templates_docx.test_batches import read_zip, start

pytestmark = pytest.mark.django_db


def test_formula_like_debtor_names_are_text_in_the_manifest_and_the_failures(client, evidence_storage):
    client.force_login(make_user(Role.COUNSEL))
    card = make_matter(debtor=make_party(name='=HYPERLINK("http://evil.example","点击")'))
    loan = make_matter(debtor=make_party(name="+1-2@x", sequence=901), product="loan")
    response = start(client, [card, loan], template="complaint_credit_card")
    assert response.status_code == 202, response.content
    run_all_jobs()
    archive = read_zip(client, response.json()["id"])

    manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert [line[1] for line in manifest[1:]] == ['\'=HYPERLINK("http://evil.example","点击")']
    failed = list(csv.reader(io.StringIO(archive.read("failed.csv").decode("utf-8-sig"))))
    assert failed[1][:2] == [loan.number, "'+1-2@x"]
    for text in (archive.read("manifest.csv"), archive.read("failed.csv")):
        cells = [cell for line in csv.reader(io.StringIO(text.decode("utf-8-sig"))) for cell in line]
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
