"""The filings section of the matter page (loaded by HTMX) and the template registry."""

from django.urls import path

from templates_docx import views

urlpatterns = [
    path("matters/<int:matter_id>/filings/", views.filings_section, name="filings_section"),
    path("matters/<int:matter_id>/filings/generate/", views.document_generate_view, name="document_generate"),
    path("matters/<int:matter_id>/filings/complete/", views.filing_complete_view, name="filing_complete"),
    path("templates/", views.template_registry, name="template_registry"),
    path("templates/<int:template_id>/active/", views.template_activate_view, name="template_activate"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch_detail"),
]
