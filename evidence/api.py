"""The evidence API (API.md, "Evidence and bundles"): upload, list, download.

Views are thin: a serializer reads the request, ``legalcase.access`` authorises (in the
service), ``evidence.services`` acts. Another firm's evidence answers 404 everywhere;
a manager may list and download but not upload (403).
"""

from __future__ import annotations

import io
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from evidence.models import CrossExamination, EvidenceBundle, EvidenceItem, EvidenceKind, PdfStatus
from evidence.search import evidence_search, query_terms, snippet
from evidence.services import (
    EvidenceStateConflict,
    bundle_index_docx,
    bundle_open_for_download,
    bundle_request,
    cross_examination_record,
    evidence_open_for_download,
    evidence_reinstate,
    evidence_update,
    evidence_upload,
    evidence_withdraw,
    ruling_upload,
)
from legalcase.access import access_child, access_matter
from legalcase.api import ERRORS, ApiView, DetailSerializer, RulingSerializer
from legalcase.pagination import MatterPagination


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    title = serializers.CharField(max_length=200)
    purpose = serializers.CharField(required=False, allow_blank=True, default="")
    source = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    group = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    document_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="The document's own date, YYYY-MM-DD, not after today."
    )


# In answers ``kind`` is a plain string: the enum is documented once, on the upload,
# because drf-spectacular cannot name one choice set shared by several components
# while another "kind" (the party's) exists.
KIND_HELP = "One of: " + ", ".join(EvidenceKind.values)


class EvidenceCreatedSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text=KIND_HELP)

    class Meta:
        model = EvidenceItem
        fields = ["id", "kind", "title", "sha256", "size", "page_count"]


class EvidenceSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text=KIND_HELP)
    uploaded_by = serializers.CharField(source="uploaded_by.display_name")
    download_url = serializers.SerializerMethodField()
    pdf_status = serializers.ChoiceField(
        choices=PdfStatus.choices,
        read_only=True,
        help_text="DOCX/XLSX on the way to PDF: pending, converted, failed, unavailable (PDF 转换不可用); native otherwise",
    )
    pdf_error = serializers.CharField(read_only=True)

    class Meta:
        model = EvidenceItem
        fields = [
            "id",
            "kind",
            "title",
            "document_date",
            "purpose",
            "source",
            "group",
            "original_filename",
            "content_type",
            "sha256",
            "size",
            "page_count",
            "pdf_status",
            "pdf_error",
            "text_state",
            "uploaded_by",
            "uploaded_at",
            "position",
            "withdrawn_at",
            "withdrawn_reason",
            "download_url",
        ]

    def get_download_url(self, item: EvidenceItem) -> str:
        return reverse("evidence_api:evidence-download", args=[item.pk])


def signed_url(handle, *, content_type: str, filename: str) -> str | None:
    """A signed URL of the stored object ``handle`` reads, when the settings allow them; else None."""
    if not settings.S3_SIGNED_URLS:
        return None
    storage, stored = getattr(handle, "_storage", None), getattr(handle, "obj", None)
    if storage is None or stored is None:  # not an object of the bucket (a file made in memory)
        return None
    return storage.connection.meta.client.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": storage.bucket_name,
            "Key": stored.key,
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition(filename),
            "ResponseCacheControl": "no-store",
        },
        ExpiresIn=storage.querystring_expire,
    )


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name per RFC 6266 / RFC 5987."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    fallback = "".join(c for c in filename if c.isascii() and (c.isalnum() or c in "._- ")).strip()
    if not fallback or fallback.startswith(".") or fallback == f".{extension}":
        fallback = f"evidence.{extension}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment_response(handle, *, content_type: str, filename: str, size: int | None) -> HttpResponse:
    """An attachment that no browser renders inline or caches (API.md; DESIGN.md "Files").

    Streamed from storage through this (audited) view; with ``S3_SIGNED_URLS`` a stored
    object is instead a redirect to a short-lived signed URL of the private bucket.
    """
    signed = signed_url(handle, content_type=content_type, filename=filename)
    if signed is not None:
        handle.close()
        response = HttpResponseRedirect(signed)
        add_never_cache_headers(response)
        return response
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    if size is not None:
        response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response


@extend_schema_view(
    get=extend_schema(
        summary="List a matter's evidence", responses={200: EvidenceSerializer(many=True), 404: ERRORS[404]}
    ),
)
class MatterEvidenceView(ApiView, generics.ListAPIView):
    """A matter's evidence in position order (withdrawn items included); POST uploads one file (multipart)."""

    serializer_class = EvidenceSerializer
    pagination_class = MatterPagination
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        matter = access_matter(self.request.user, self.kwargs["matter_id"])
        return (
            EvidenceItem.objects.filter(matter=matter)
            .select_related("uploaded_by", "pdf_job")
            .order_by("position", "id")
        )

    @extend_schema(
        summary="Upload evidence",
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceCreatedSerializer, **ERRORS},
    )
    def post(self, request, matter_id: int):
        # Access before reading the form, so another firm's matter answers 404, never 400.
        access_matter(request.user, matter_id, action="write_evidence")
        serializer = EvidenceUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = evidence_upload(
            user=request.user,
            matter_id=matter_id,
            uploaded_file=data["file"],
            kind=data["kind"],
            title=data["title"],
            purpose=data["purpose"],
            source=data["source"],
            group=data["group"],
            document_date=data["document_date"],
        )
        return Response(EvidenceCreatedSerializer(item).data, status=status.HTTP_201_CREATED)


class EvidenceEditSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    # A plain string, checked by the service (see KIND_HELP on the enum's naming).
    kind = serializers.CharField(required=False, help_text=KIND_HELP)
    purpose = serializers.CharField(required=False, allow_blank=True)
    document_date = serializers.DateField(
        required=False, allow_null=True, help_text="YYYY-MM-DD, not after today; null clears it."
    )
    source = serializers.CharField(required=False, allow_blank=True, max_length=200)
    group = serializers.CharField(required=False, allow_blank=True, max_length=40)
    position = serializers.IntegerField(
        required=False, min_value=1, help_text="1-based place among the matter's items; the others close up."
    )


class EvidenceWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="Why it is withdrawn (required).")


CONFLICT_409 = OpenApiResponse(DetailSerializer, description="Already withdrawn, or not withdrawn.")


def _item_answer(item: EvidenceItem) -> Response:
    item = EvidenceItem.objects.select_related("uploaded_by", "pdf_job").get(pk=item.pk)
    return Response(EvidenceSerializer(item).data)


class EvidenceDetailView(ApiView):
    """One item; PATCH corrects it (API.md, "Correcting and completing the record"), written to the timeline."""

    @extend_schema(summary="Get evidence", responses={200: EvidenceSerializer, 404: ERRORS[404]})
    def get(self, request, evidence_id: int):
        rows = EvidenceItem.objects.select_related("uploaded_by", "pdf_job")
        return Response(EvidenceSerializer(access_child(request.user, EvidenceItem, evidence_id, rows=rows)).data)

    @extend_schema(
        summary="Correct evidence",
        request=EvidenceEditSerializer,
        responses={200: EvidenceSerializer, **ERRORS},
    )
    def patch(self, request, evidence_id: int):
        # Access before reading the body, so another firm's item answers 404, never 400.
        access_child(request.user, EvidenceItem, evidence_id, action="write_evidence")
        serializer = EvidenceEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = evidence_update(user=request.user, evidence_id=evidence_id, changes=dict(serializer.validated_data))
        return _item_answer(item)


class EvidenceWithdrawView(ApiView):
    """Withdraw an item: kept, but out of new default bundles and filings."""

    @extend_schema(
        summary="Withdraw evidence",
        request=EvidenceWithdrawSerializer,
        responses={200: EvidenceSerializer, **ERRORS, 409: CONFLICT_409},
    )
    def post(self, request, evidence_id: int):
        access_child(request.user, EvidenceItem, evidence_id, action="write_evidence")
        serializer = EvidenceWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            item = evidence_withdraw(
                user=request.user, evidence_id=evidence_id, reason=serializer.validated_data["reason"]
            )
        except EvidenceStateConflict as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return _item_answer(item)


class EvidenceReinstateView(ApiView):
    """Undo a withdrawal."""

    @extend_schema(
        summary="Reinstate withdrawn evidence",
        request=None,
        responses={200: EvidenceSerializer, **ERRORS, 409: CONFLICT_409},
    )
    def post(self, request, evidence_id: int):
        try:
            item = evidence_reinstate(user=request.user, evidence_id=evidence_id)
        except EvidenceStateConflict as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return _item_answer(item)


class EvidenceDownloadView(ApiView):
    """The original bytes as an attachment; every download is written to the matter's timeline."""

    @extend_schema(
        summary="Download evidence",
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="The original file."), 404: ERRORS[404]},
    )
    def get(self, request, evidence_id: int):
        item, handle = evidence_open_for_download(user=request.user, evidence_id=evidence_id)
        return attachment_response(
            handle, content_type=item.content_type, filename=item.original_filename, size=item.size
        )


# Search (API.md, "Court notices and evidence search") ----------------------------------


class SearchMatterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class EvidenceSearchRowSerializer(EvidenceSerializer):
    matter = SearchMatterSerializer()
    snippet = serializers.SerializerMethodField(
        help_text="At most 160 characters of the text around the first hit; identity, phone and account numbers masked."
    )

    class Meta(EvidenceSerializer.Meta):
        fields = [*EvidenceSerializer.Meta.fields, "matter", "snippet"]

    def get_snippet(self, item: EvidenceItem) -> str:
        return snippet(item.title, item.text, self.context["terms"])


WITHDRAWN_VALUES = {"true": True, "1": True, "false": False, "0": False}


@extend_schema_view(
    get=extend_schema(
        summary="Search evidence",
        parameters=[
            OpenApiParameter("q", str, required=True, description="2 to 100 characters; terms separated by spaces all match."),
            OpenApiParameter("matter", int, description="One matter (another firm's: 404)."),
            OpenApiParameter("kind", str, description=KIND_HELP),
            OpenApiParameter("withdrawn", bool, description="true: withdrawn items only; false: current ones only."),
        ],
        responses={200: EvidenceSearchRowSerializer(many=True), 400: ERRORS[400], 404: ERRORS[404]},
    ),
)
class EvidenceSearchView(ApiView, generics.ListAPIView):
    """The visible evidence whose title or extracted/OCR text holds every term of ``q``, newest first."""

    serializer_class = EvidenceSearchRowSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        params = self.request.query_params
        withdrawn = params.get("withdrawn")
        if withdrawn not in (None, "") and withdrawn.lower() not in WITHDRAWN_VALUES:
            raise serializers.ValidationError({"withdrawn": ["withdrawn 只能是 true 或 false。"]})
        return evidence_search(
            user=self.request.user,
            q=params.get("q"),
            matter_id=params.get("matter"),
            kind=params.get("kind"),
            withdrawn=WITHDRAWN_VALUES[withdrawn.lower()] if withdrawn else None,
        ).select_related("uploaded_by", "pdf_job", "matter")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["terms"] = query_terms(self.request.query_params.get("q"))
        return context


# Cross-examination ----------------------------------------------------------------------


class PointSerializer(serializers.Serializer):
    admitted = serializers.BooleanField(allow_null=True, help_text="true: admitted; false: disputed; null: no position")
    opinion = serializers.CharField(allow_blank=True)


class CrossExaminationSerializer(serializers.Serializer):
    proceeding = serializers.IntegerField(source="proceeding_id", allow_null=True)
    examined_on = serializers.DateField(allow_null=True)
    authenticity = serializers.SerializerMethodField()
    legality = serializers.SerializerMethodField()
    relevance = serializers.SerializerMethodField()
    purpose = serializers.SerializerMethodField()
    reply = serializers.CharField()
    updated_by = serializers.CharField(source="updated_by.display_name")
    updated_at = serializers.DateTimeField()

    @extend_schema_field(PointSerializer)
    def get_authenticity(self, examination: CrossExamination) -> dict:
        return examination.point("authenticity")

    @extend_schema_field(PointSerializer)
    def get_legality(self, examination: CrossExamination) -> dict:
        return examination.point("legality")

    @extend_schema_field(PointSerializer)
    def get_relevance(self, examination: CrossExamination) -> dict:
        return examination.point("relevance")

    @extend_schema_field(PointSerializer)
    def get_purpose(self, examination: CrossExamination) -> dict:
        return examination.point("purpose")


class CrossExaminedEvidenceSerializer(EvidenceSerializer):
    cross_examination = serializers.SerializerMethodField()

    class Meta(EvidenceSerializer.Meta):
        fields = [*EvidenceSerializer.Meta.fields, "cross_examination"]

    @extend_schema_field(CrossExaminationSerializer(allow_null=True))
    def get_cross_examination(self, item: EvidenceItem) -> dict | None:
        examination = CrossExamination.objects.select_related("updated_by").filter(item=item).first()
        return CrossExaminationSerializer(examination).data if examination else None


class CrossExaminationEditSerializer(serializers.Serializer):
    proceeding = serializers.IntegerField(required=False, allow_null=True, help_text="A proceeding of the item's matter.")
    examined_on = serializers.DateField(required=False, allow_null=True, help_text="YYYY-MM-DD, not after today.")
    authenticity = PointSerializer(required=False, help_text="真实性")
    legality = PointSerializer(required=False, help_text="合法性")
    relevance = PointSerializer(required=False, help_text="关联性")
    purpose = PointSerializer(required=False, help_text="证明目的")
    reply = serializers.CharField(required=False, allow_blank=True, help_text="Our reply to the opinions.")


class CrossExaminationView(ApiView):
    """Record the other side's cross-examination (质证) of an item and our reply; written to the timeline."""

    @extend_schema(
        summary="Record a cross-examination",
        request=CrossExaminationEditSerializer,
        responses={200: CrossExaminedEvidenceSerializer, **ERRORS},
    )
    def patch(self, request, evidence_id: int):
        # Access before reading the body, so another firm's item answers 404, never 400.
        access_child(request.user, EvidenceItem, evidence_id, action="write_evidence")
        # The service checks every value (in Chinese) itself: the body goes to it as sent.
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["请求体应为JSON对象。"]})
        cross_examination_record(user=request.user, evidence_id=evidence_id, changes=dict(request.data))
        item = EvidenceItem.objects.select_related("uploaded_by", "pdf_job").get(pk=evidence_id)
        return Response(CrossExaminedEvidenceSerializer(item).data)


# Bundles ------------------------------------------------------------------------------


class BundleRequestSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    evidence = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_empty=False,
        help_text="Evidence ids in bundle order (a withdrawn item: 400); all the matter's evidence not withdrawn, in position order, when left out.",
    )


class BundleStartedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="pending, running, done or failed")
    version = serializers.IntegerField()


class BundleSerializer(BundleStartedSerializer):
    title = serializers.CharField()
    page_count = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField()
    error = serializers.CharField()
    evidence = serializers.ListField(child=serializers.IntegerField(), source="evidence_ids")
    download_url = serializers.SerializerMethodField()
    index_docx_url = serializers.SerializerMethodField()

    def get_download_url(self, bundle: EvidenceBundle) -> str | None:
        if not bundle.file_id:
            return None
        return reverse("evidence_api:bundle-download", args=[bundle.pk])

    def get_index_docx_url(self, bundle: EvidenceBundle) -> str | None:
        if not bundle.file_id:
            return None
        return reverse("evidence_api:bundle-index-docx", args=[bundle.pk])


@extend_schema_view(
    get=extend_schema(
        summary="List a matter's bundles", responses={200: BundleSerializer(many=True), 404: ERRORS[404]}
    ),
)
class MatterBundlesView(ApiView, generics.ListAPIView):
    """A matter's bundles, newest first; POST builds one (again: a new version, the old kept)."""

    serializer_class = BundleSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        matter = access_matter(self.request.user, self.kwargs["matter_id"])
        return EvidenceBundle.objects.filter(matter=matter).select_related("job").order_by("-created_at", "-id")

    @extend_schema(
        summary="Build a bundle",
        request=BundleRequestSerializer,
        responses={202: BundleStartedSerializer, **ERRORS},
    )
    def post(self, request, matter_id: int):
        access_matter(request.user, matter_id, action="write_evidence")
        serializer = BundleRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        bundle = bundle_request(
            user=request.user, matter_id=matter_id, title=data["title"], evidence_ids=data.get("evidence")
        )
        return Response(BundleStartedSerializer(bundle).data, status=status.HTTP_202_ACCEPTED)


class BundleView(ApiView):
    """A bundle version and its build status."""

    @extend_schema(summary="Get a bundle", responses={200: BundleSerializer, 404: ERRORS[404]})
    def get(self, request, bundle_id: int):
        rows = EvidenceBundle.objects.select_related("job", "file")
        bundle = access_child(request.user, EvidenceBundle, bundle_id, rows=rows)
        return Response(BundleSerializer(bundle).data)


class BundleDownloadView(ApiView):
    """The bundle's PDF; every download is written to the matter's timeline."""

    @extend_schema(
        summary="Download a bundle",
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="The bundle PDF."), 404: ERRORS[404]},
    )
    def get(self, request, bundle_id: int):
        bundle, handle = bundle_open_for_download(user=request.user, bundle_id=bundle_id)
        return attachment_response(
            handle, content_type="application/pdf", filename=bundle.file.original_filename, size=None
        )


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class BundleIndexDocxView(ApiView):
    """The bundle's 证据目录 as an editable DOCX; written to the matter's timeline like a download."""

    @extend_schema(
        summary="Download a bundle's index as DOCX",
        responses={
            200: OpenApiResponse(OpenApiTypes.BINARY, description="The 证据目录 as an editable DOCX."),
            404: ERRORS[404],
        },
    )
    def get(self, request, bundle_id: int):
        bundle, data = bundle_index_docx(user=request.user, bundle_id=bundle_id)
        filename = f"{bundle.title}-v{bundle.version}-证据目录.docx"
        return attachment_response(io.BytesIO(data), content_type=DOCX_TYPE, filename=filename, size=len(data))


# Rulings (API.md, "Proceedings and rulings") ------------------------------------------


class RulingUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    served_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="The last service on any party, YYYY-MM-DD."
    )


class MatterRulingsView(ApiView):
    """Upload a ruling document (multipart): stored as evidence, read, answered for a person to confirm."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Upload a ruling",
        request={"multipart/form-data": RulingUploadSerializer},
        responses={201: RulingSerializer, **ERRORS},
    )
    def post(self, request, matter_id: int):
        # Access before reading the form, so another firm's matter answers 404, never 400.
        access_matter(request.user, matter_id, action="write_evidence")
        access_matter(request.user, matter_id, action="write_proceedings")
        serializer = RulingUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _item, ruling = ruling_upload(
            user=request.user, matter_id=matter_id, uploaded_file=data["file"], served_on=data["served_on"]
        )
        return Response(RulingSerializer(ruling).data, status=status.HTTP_201_CREATED)
