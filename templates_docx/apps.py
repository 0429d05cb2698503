from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TemplatesDocxConfig(AppConfig):
    name = "templates_docx"
    verbose_name = _("Filings")

    def ready(self) -> None:
        from legalcase.jobs import register_job_kind
        from legalcase.timeline import register_resolver
        from legalcase.views import register_matter_section

        from templates_docx.models import template_name_of

        # Timeline entries of generated and downloaded documents name the template.
        register_resolver("template", template_name_of)

        register_matter_section(title=_("Filings"), url_name="filings_section")
        register_job_kind(
            "document_generate",
            handler="templates_docx.services.document_generate",
            on_give_up="templates_docx.services.document_give_up",
        )
        # The PDF of a filing is a LibreOffice conversion: the pdf queue, like evidence.
        register_job_kind(
            "document_convert",
            handler="templates_docx.services.document_convert",
            actor="run_pdf_job",
            queue="pdf",
            on_give_up="templates_docx.services.document_give_up",
        )
        # Given up on, a batch's jobs fail the matters they did not finish, so the batch ends.
        register_job_kind(
            "batch_run", handler="templates_docx.batches.batch_run", on_give_up="templates_docx.batches.batch_run_give_up"
        )
        # Each chunk renders, converts (LibreOffice) and bundles: the pdf queue, every process.
        register_job_kind(
            "batch_chunk",
            handler="templates_docx.batches.batch_chunk",
            actor="run_pdf_job",
            queue="pdf",
            on_give_up="templates_docx.batches.batch_chunk_give_up",
        )
