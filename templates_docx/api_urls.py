"""Filings API routes, mounted at /api/v1/ by config/urls.py."""

from django.urls import path

from templates_docx import api

app_name = "templates_api"

urlpatterns = [
    path("templates/", api.TemplateListView.as_view(), name="template-list"),
    path("matters/<int:matter_id>/documents/", api.MatterDocumentsView.as_view(), name="matter-documents"),
    path("matters/<int:matter_id>/documents/check/", api.DocumentCheckView.as_view(), name="matter-documents-check"),
    path("matters/<int:matter_id>/filing-details/", api.FilingDetailsView.as_view(), name="matter-filing-details"),
    path("documents/<int:document_id>/", api.DocumentView.as_view(), name="document-detail"),
    path("documents/<int:document_id>/download/", api.DocumentDownloadView.as_view(), name="document-download"),
    path("batches/", api.BatchCreateView.as_view(), name="batch-list"),
    path("batches/<int:batch_id>/", api.BatchView.as_view(), name="batch-detail"),
    path("batches/<int:batch_id>/items/", api.BatchItemsView.as_view(), name="batch-items"),
    path("batches/<int:batch_id>/download/", api.BatchDownloadView.as_view(), name="batch-download"),
]
