from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        from legalcase.jobs import register_job_kind
        from legalcase.views import register_matter_section

        register_matter_section(title=_("Evidence"), url_name="evidence_section")
        register_job_kind("evidence_bundle", handler="evidence.services.bundle_build")
        # LibreOffice conversions run on their own queue: one worker process per core.
        register_job_kind(
            "evidence_convert", handler="evidence.services.evidence_convert", actor="run_pdf_job", queue="pdf"
        )
        # OCR is as heavy as a conversion: the same queue, one at a time per core.
        register_job_kind("evidence_ocr", handler="evidence.services.evidence_ocr", actor="run_pdf_job", queue="pdf")
