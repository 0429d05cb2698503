"""The filings API (API.md, "Filings"): templates, generated documents, downloads.

Views are thin: a serializer reads the request, ``legalcase.access`` authorises (in the
service), ``templates_docx.services`` acts. Another firm's document answers 404.
"""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from evidence.api import attachment_response, content_disposition
from legalcase.access import access_child, access_matter
from legalcase.api import ERRORS, ApiView
from legalcase.pagination import MatterPagination
from templates_docx.batches import (
    MAX_BATCH,
    batch_bundle_errors,
    batch_errors,
    batch_items,
    batch_list,
    batch_open_for_download,
    batch_request,
)
from legalcase.models import Matter
from templates_docx.completion import FILING_DETAIL_FIELDS, filing_check, filing_details_update
from templates_docx.context import filing_details_of, with_filing_data
from templates_docx.models import Batch, BatchItemStatus, DocumentTemplate, FilingDetails, GeneratedDocument
from templates_docx.services import document_open_for_download, document_request, matter_documents, template_current

FILE_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}


class TemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentTemplate
        fields = ["code", "name", "version", "form_version", "effective_from"]


class DocumentRequestSerializer(serializers.Serializer):
    template = serializers.SlugField(max_length=60, help_text="A template code from GET /api/v1/templates/.")


class DocumentStartedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="pending, running, done or failed")


class DocumentSerializer(DocumentStartedSerializer):
    template = serializers.CharField(source="template.code")
    version = serializers.IntegerField(source="template.version")
    missing = serializers.ListField(child=serializers.CharField())
    error = serializers.CharField()
    formats = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    download_urls = serializers.SerializerMethodField()

    def get_download_urls(self, document: GeneratedDocument) -> dict[str, str]:
        url = reverse("templates_api:document-download", args=[document.pk])
        ready = {"docx": document.docx_file_id, "pdf": document.pdf_file_id}
        return {fmt: f"{url}?format={fmt}" for fmt in document.formats if ready.get(fmt)}


@extend_schema_view(get=extend_schema(summary="List the templates in effect"))
class TemplateListView(ApiView, generics.ListAPIView):
    """The version of every template in effect today; open to every signed-in user."""

    serializer_class = TemplateSerializer
    pagination_class = None

    def get_queryset(self):
        return DocumentTemplate.objects.current(on=timezone.localdate()).order_by("code")


@extend_schema_view(
    get=extend_schema(
        summary="List a matter's generated documents",
        responses={200: DocumentSerializer(many=True), 404: ERRORS[404]},
    )
)
class MatterDocumentsView(ApiView, generics.ListAPIView):
    """A matter's generated documents, newest first; POST generates one."""

    serializer_class = DocumentSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        return matter_documents(access_matter(self.request.user, self.kwargs["matter_id"]))

    @extend_schema(
        summary="Generate a document", request=DocumentRequestSerializer, responses={202: DocumentStartedSerializer, **ERRORS}
    )
    def post(self, request, matter_id: int):
        access_matter(request.user, matter_id, action="write_filings")
        serializer = DocumentRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = document_request(
            user=request.user, matter_id=matter_id, template_code=serializer.validated_data["template"]
        )
        return Response(DocumentStartedSerializer(document).data, status=status.HTTP_202_ACCEPTED)


class DocumentView(ApiView):
    """A generated document: status, template version, missing elements, formats."""

    @extend_schema(summary="Get a generated document", responses={200: DocumentSerializer, 404: ERRORS[404]})
    def get(self, request, document_id: int):
        document = access_child(
            request.user, GeneratedDocument, document_id, rows=GeneratedDocument.objects.select_related("template", "job")
        )
        return Response(DocumentSerializer(document).data)


class FileFormatNegotiation(DefaultContentNegotiation):
    """``?format=`` here names the file (API.md), not one of DRF's renderers."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DocumentDownloadView(ApiView):
    """The DOCX or PDF as an attachment; every download is written to the matter's timeline."""

    content_negotiation_class = FileFormatNegotiation

    @extend_schema(
        summary="Download a generated document",
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["docx", "pdf"], default="docx")],
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="The file."), 400: ERRORS[400], 404: ERRORS[404]},
    )
    def get(self, request, document_id: int):
        fmt = request.query_params.get("format", "docx")
        document, handle, filename = document_open_for_download(user=request.user, document_id=document_id, fmt=fmt)
        return attachment_response(handle, content_type=FILE_TYPES[fmt], filename=filename, size=None)


# Batches -------------------------------------------------------------------------------


class BatchRequestSerializer(serializers.Serializer):
    matters = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=MAX_BATCH)
    template = serializers.SlugField(max_length=60)
    bundle = serializers.BooleanField(default=False)
    procedure = serializers.ChoiceField(
        choices=Batch.Procedure.choices, default=Batch.Procedure.SIMPLIFIED, help_text="For the pre-filing fee total."
    )


class BatchStartedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="pending, running or done (every matter processed, whatever failed)")
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()


class BatchErrorSerializer(serializers.Serializer):
    matter = serializers.IntegerField()
    number = serializers.CharField()
    error = serializers.CharField()


class BatchBundleErrorSerializer(serializers.Serializer):
    matter = serializers.IntegerField()
    number = serializers.CharField()
    bundle_error = serializers.CharField()


class BatchSerializer(BatchStartedSerializer):
    template = serializers.CharField()
    version = serializers.IntegerField()
    bundle = serializers.BooleanField()
    errors = BatchErrorSerializer(many=True)
    bundle_errors = BatchBundleErrorSerializer(many=True, help_text="Matters filed without their evidence bundle, and why.")
    download_url = serializers.CharField(allow_null=True)


class BatchListedSerializer(BatchStartedSerializer):
    template = serializers.CharField()
    created_at = serializers.DateTimeField()


class BatchItemSerializer(serializers.Serializer):
    matter = serializers.IntegerField(source="matter_id")
    position = serializers.IntegerField()
    status = serializers.CharField(help_text="pending, done or failed")
    error = serializers.CharField(help_text="Why the matter failed, in Chinese; empty otherwise.")
    bundle_error = serializers.CharField(
        help_text="Why the matter's evidence bundle could not be built (its filing is still done), in Chinese; empty otherwise."
    )
    files = serializers.ListField(child=serializers.DictField(), help_text="name, sha256, size of each file in its folder")
    finished_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, item):
        body = super().to_representation(item)
        # The stored file ids are internal: the files are fetched in the batch's ZIP.
        body["files"] = [{key: entry[key] for key in ("name", "sha256", "size")} for entry in item.files]
        return body


def batch_representation(batch: Batch, *, detail: bool, counts: dict | None = None) -> dict:
    counts = counts or batch.counts()
    status_ = batch.status_for(counts)
    body = {"id": batch.pk, "status": status_, "total": batch.total, "done": counts["done"], "failed": counts["failed"]}
    if detail:
        body.update(
            template=batch.template.code,
            version=batch.template.version,
            bundle=batch.bundle,
            errors=batch_errors(batch),
            bundle_errors=batch_bundle_errors(batch),
            # Null until done, and when nothing succeeded: the ZIP holds only the successes.
            download_url=reverse("templates_api:batch-download", args=[batch.pk])
            if status_ == "done" and counts["done"]
            else None,
        )
    return body


@extend_schema_view(
    get=extend_schema(
        summary="List your batches",
        description="The caller's batches (an administrator's: all), newest first.",
        responses={200: BatchListedSerializer(many=True)},
    )
)
class BatchCreateView(ApiView, generics.ListAPIView):
    """Your batches, newest first; POST starts one: one template over many matters, optionally with bundles."""

    serializer_class = BatchListedSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        return batch_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = []
        for batch in page:
            counts = {status_: getattr(batch, f"n_{status_}") for status_ in BatchItemStatus.values}
            rows.append(
                {
                    **batch_representation(batch, detail=False, counts=counts),
                    "template": batch.template.code,
                    "created_at": serializers.DateTimeField().to_representation(batch.created_at),
                }
            )
        return self.get_paginated_response(rows)

    @extend_schema(summary="Start a batch", request=BatchRequestSerializer, responses={202: BatchStartedSerializer, **ERRORS})
    def post(self, request):
        serializer = BatchRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        batch = batch_request(
            user=request.user,
            matter_ids=data["matters"],
            template_code=data["template"],
            bundle=data["bundle"],
            procedure=data["procedure"],
        )
        return Response(batch_representation(batch, detail=False), status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    get=extend_schema(
        summary="List a batch's items",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=list(BatchItemStatus.values))],
        responses={200: BatchItemSerializer(many=True), 400: ERRORS[400], 404: ERRORS[404]},
    )
)
class BatchItemsView(ApiView, generics.ListAPIView):
    """Each matter of a batch in order: its status, the reason it failed, its files."""

    serializer_class = BatchItemSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        return batch_items(
            user=self.request.user, batch_id=self.kwargs["batch_id"], status=self.request.query_params.get("status")
        )


class BatchView(ApiView):
    """A batch's progress, its failures with their reasons, and the ZIP once done."""

    @extend_schema(summary="Get a batch", responses={200: BatchSerializer, 404: ERRORS[404]})
    def get(self, request, batch_id: int):
        batch = access_child(request.user, Batch, batch_id, rows=Batch.objects.select_related("template", "job"))
        return Response(batch_representation(batch, detail=True))


class BatchDownloadView(ApiView):
    """The ZIP: a folder per successful matter and manifest.csv; audited on every matter's timeline."""

    @extend_schema(
        summary="Download a batch",
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="The ZIP."), 400: ERRORS[400], 404: ERRORS[404]},
    )
    def get(self, request, batch_id: int):
        batch, stream = batch_open_for_download(user=request.user, batch_id=batch_id)
        response = StreamingHttpResponse(stream, content_type="application/zip")
        response["Content-Disposition"] = content_disposition(f"批量文书-{batch.pk}-{batch.template.code}.zip")
        response["X-Content-Type-Options"] = "nosniff"
        add_never_cache_headers(response)
        return response


# Complete before generating (API.md, "Correcting and completing the record").


class CheckEntrySerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The marker's label, as the document would print 【待补充：label】.")
    method = serializers.CharField(allow_null=True)
    path = serializers.CharField(allow_null=True, help_text="The call that records it; null: nothing records it yet.")
    field = serializers.CharField(allow_null=True, help_text="The field of that call's body.")


class CheckSerializer(serializers.Serializer):
    template = serializers.CharField()
    version = serializers.IntegerField()
    missing = CheckEntrySerializer(many=True)


class DocumentCheckView(ApiView):
    """Each 【待补充】 a filing made now would carry, and what fills it."""

    @extend_schema(
        summary="Check a filing before generating it",
        parameters=[OpenApiParameter("template", str, required=True, description="A template code.")],
        responses={200: CheckSerializer, **ERRORS},
    )
    def get(self, request, matter_id: int):
        matter = access_matter(request.user, matter_id)
        template = template_current(request.query_params.get("template", ""))
        matter = with_filing_data(Matter.objects.filter(pk=matter.pk)).get()
        return Response(
            {"template": template.code, "version": template.version, "missing": filing_check(matter=matter, template=template)}
        )


class FilingDetailsRequestSerializer(serializers.Serializer):
    contract_place = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="合同签订地点")
    terms_notice = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="合约主要条款提示说明的方式、时间及地点"
    )
    termination_terms = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="合约解除条件")
    preservation_security = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="保全担保方式"
    )
    notice_served_on = serializers.DateField(required=False, allow_null=True, help_text="执行通知书送达日期")
    notice_deadline = serializers.DateField(required=False, allow_null=True, help_text="执行通知书履行期限")
    service_recipient = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="收件人")
    service_recipient_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=30, help_text="收件人联系电话"
    )
    collection_bank = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="受让人收款账户开户行")
    collection_account = serializers.CharField(required=False, allow_blank=True, max_length=40, help_text="受让人收款账号")
    payout_bank = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="执行款收款账户开户行")
    payout_account = serializers.CharField(required=False, allow_blank=True, max_length=40, help_text="执行款收款账号")
    payout_contact = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="执行款收款联系人")
    payout_phone = serializers.CharField(required=False, allow_blank=True, max_length=30, help_text="执行款收款联系电话")

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["不是可填写的文书要素"] for name in unknown})
        return super().to_internal_value(data)


class FilingDetailsSerializer(serializers.ModelSerializer):
    class Meta:
        model = FilingDetails
        fields = [*FILING_DETAIL_FIELDS, "updated_at"]


class FilingDetailsView(ApiView):
    """What only filings ask of a matter (合同签订地点, 条款提示说明, 解除条件, 保全担保, 执行通知书, 收件人)."""

    @extend_schema(summary="Get a matter's filing details", responses={200: FilingDetailsSerializer, **ERRORS})
    def get(self, request, matter_id: int):
        matter = access_matter(request.user, matter_id)
        return Response(FilingDetailsSerializer(filing_details_of(matter)).data)

    @extend_schema(
        summary="Set a matter's filing details",
        request=FilingDetailsRequestSerializer,
        responses={200: FilingDetailsSerializer, **ERRORS},
    )
    def patch(self, request, matter_id: int):
        access_matter(request.user, matter_id, action="write_filings")
        serializer = FilingDetailsRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        details = filing_details_update(user=request.user, matter_id=matter_id, **serializer.validated_data)
        return Response(FilingDetailsSerializer(details).data)
