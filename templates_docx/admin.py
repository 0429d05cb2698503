"""Administration views of templates and generated documents: read-only.

Template versions are uploaded and activated on Fasu's own registry page, where every
upload is checked (zip, variables, filters, test render) and audited; the admin only
browses them.
"""

from django.contrib import admin

from templates_docx.models import DocumentTemplate, GeneratedDocument, TemplateEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "version", "form_version", "effective_from", "active", "created_at"]
    list_filter = ["active", "code"]
    search_fields = ["code", "name"]
    exclude = ["content"]


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(ReadOnlyAdmin):
    list_display = ["matter", "template", "status", "created_by", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["matter"]


@admin.register(TemplateEvent)
class TemplateEventAdmin(ReadOnlyAdmin):
    list_display = ["template", "kind", "actor", "at"]
