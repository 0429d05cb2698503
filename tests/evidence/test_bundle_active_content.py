"""Active content (JavaScript, launch actions, attachments, media) is stripped from exhibits in a bundle.

Uploads already refuse PDFs with JavaScript; this is defence in depth for an exhibit that
got in some other way, so the test writes the hostile PDF straight over a stored item.
"""

import hashlib
import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.bundling import Exhibit, build_bundle
from evidence.models import EvidenceBundle, EvidenceItem
from evidence.services import evidence_upload
from legalcase.jobs import job_run
from legalcase.models import Role
from tests.evidence import samples
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db

ACTIVE_SUBTYPES = {"/RichMedia", "/Movie", "/Sound", "/FileAttachment"}


def hostile_pdf() -> bytes:
    pdf = pikepdf.open(io.BytesIO(samples.pdf_bytes(2)))
    js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
    pdf.Root.OpenAction = js
    pdf.Root.AA = pikepdf.Dictionary(WC=js)
    embedded = pikepdf.Stream(pdf, b"MZ evil")
    embedded.Type = pikepdf.Name.EmbeddedFile
    filespec = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("evil.exe"), EF=pikepdf.Dictionary(F=embedded))
    )
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("a"), js])),
        EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("evil.exe"), filespec])),
    )
    rect = pikepdf.Array([10, 10, 100, 100])
    annotations = [
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=rect, A=launch),
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=rect, A=js),
        # A harmless link whose chained action (/Next) runs script.
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=rect,
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.com"), Next=js),
        ),
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.RichMedia, Rect=rect),
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Movie, Rect=rect),
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Sound, Rect=rect),
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=rect, FS=filespec),
        # Kept: a plain web link and a note.
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=rect,
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://court.example")),
        ),
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=rect, Contents=pikepdf.String("n")),
    ]
    for page in pdf.pages:
        page.obj.AA = pikepdf.Dictionary(O=js)
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(a) for a in annotations]))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def assert_inert(data: bytes) -> None:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        names = pdf.Root.get("/Names", pikepdf.Dictionary())
        assert "/JavaScript" not in names and "/EmbeddedFiles" not in names
        kept = []
        for page in pdf.pages:
            assert "/AA" not in page.obj
            for annotation in page.obj.get("/Annots", pikepdf.Array()):
                assert annotation.get("/Subtype") not in ACTIVE_SUBTYPES
                assert "/AA" not in annotation
                action = annotation.get("/A")
                while action is not None:
                    assert action.get("/S") not in ("/Launch", "/JavaScript")
                    action = action.get("/Next")
                kept.append(str(annotation.get("/Subtype")))
        # Nothing else in the file still names JavaScript, a launch, or an embedded file.
        for obj in pdf.objects:
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                assert obj.get("/S") not in ("/JavaScript", "/Launch")
                assert "/JS" not in obj and obj.get("/Type") not in ("/EmbeddedFile", "/Filespec")
        return kept


def test_hostile_objects_are_really_in_the_sample():
    with pikepdf.open(io.BytesIO(hostile_pdf())) as pdf:
        assert "/OpenAction" in pdf.Root and len(pdf.pages[0].obj.Annots) == 9
    with pytest.raises(AssertionError):
        assert_inert(hostile_pdf())


def test_build_bundle_strips_active_content_and_keeps_plain_links():
    out = io.BytesIO()
    build_bundle(
        title="t", heading="案件", exhibits=[Exhibit("证据1", "合同", "", "", "application/pdf", hostile_pdf())], out=out
    )
    kept = assert_inert(out.getvalue())
    assert kept.count("/Link") == 2 and kept.count("/Text") == 2  # the web link and the note, on both pages


def test_a_bundle_built_from_a_hostile_exhibit_has_none_of_it(client, evidence_storage):
    matter, user = make_matter(), make_user(Role.COUNSEL)
    item = evidence_upload(
        user=user,
        matter_id=matter.pk,
        uploaded_file=SimpleUploadedFile("合同.pdf", samples.pdf_bytes(2)),
        kind="contract",
        title="借款合同",
    )
    # Bypass upload validation: put the hostile bytes in the stored file and record their hash.
    data = hostile_pdf()
    (evidence_storage / item.file.file.name).write_bytes(data)
    EvidenceItem.objects.filter(pk=item.pk).update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    client.force_login(user)
    response = client.post(
        reverse("evidence_api:matter-bundles", args=[matter.pk]), {"title": "证据"}, content_type="application/json"
    )
    bundle = EvidenceBundle.objects.get(pk=response.json()["id"])
    job_run(job_id=bundle.job_id)
    bundle.refresh_from_db()
    assert bundle.page_count and bundle.manifest[0]["sha256"] == hashlib.sha256(data).hexdigest()
    response = client.get(reverse("evidence_api:bundle-download", args=[bundle.pk]))
    assert_inert(b"".join(response.streaming_content))
