"""Back-office tables for administrators. Matters change only through services."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from legalcase.access import can
from legalcase.models import (
    Assignment,
    AuditEvent,
    ClaimTransfer,
    Creditor,
    Deadline,
    Debt,
    DemandRecord,
    FeeInvoice,
    Forum,
    Holiday,
    Job,
    LawFirm,
    LprRate,
    Matter,
    MatterEvent,
    Party,
    Portfolio,
    PortfolioTransfer,
    Proceeding,
    ServiceRecord,
    DebtorReview,
    Settlement,
    User,
)
from legalcase.services.deadlines import deadlines_recompute_start
from legalcase.services.interest import lpr_rate_add, lpr_rate_change, lpr_rate_checked, lpr_rate_remove


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "firm", "is_active", "last_login")
    list_filter = ("role", "firm", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + ((_("Fasu"), {"fields": ("role", "firm")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Fasu"), {"fields": ("role", "firm")}),)


@admin.register(LawFirm)
class LawFirmAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)


@admin.register(Creditor)
class CreditorAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "representative")
    search_fields = ("name", "uscc")


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    """Identity numbers and phones stay masked here too; the audited reveal is on the matter page."""

    list_display = ("name", "kind", "id_number_masked", "phone_masked")
    search_fields = ("name",)
    exclude = ("id_number", "phone")
    readonly_fields = ("id_number_masked", "phone_masked")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("ID number"))
    def id_number_masked(self, party: Party) -> str:
        return party.masked_id_number

    @admin.display(description=_("phone"))
    def phone_masked(self, party: Party) -> str:
        return party.masked_phone


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Matter)
class MatterAdmin(ReadOnlyAdmin):
    list_display = ("number", "stage", "owner", "assigned_firm", "created_at")
    list_filter = ("stage",)
    search_fields = ("number",)
    show_full_result_count = False


@admin.register(Debt)
class DebtAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "creditor", "principal", "overdue_since")
    exclude = ("account_number",)
    show_full_result_count = False


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("matter", "firm", "started_at", "ended_at")


@admin.register(MatterEvent)
class MatterEventAdmin(ReadOnlyAdmin):
    list_display = ("matter", "kind", "actor", "at")
    list_filter = ("kind",)
    show_full_result_count = False


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("kind", "status", "progress_done", "progress_total", "attempts", "created_at", "finished_at")
    list_filter = ("status", "kind")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """The holiday table: add a year's schedule when the State Council publishes it.

    A year with at least one row counts as verified. Every change starts a background
    recomputation of all matters' deadlines (``deadlines_recompute_start``), so dates
    and their "calendar verified" flags follow the table.
    """

    list_display = ("date", "is_rest_day", "name")
    list_filter = ("is_rest_day",)
    search_fields = ("name",)
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        deadlines_recompute_start(user=request.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        deadlines_recompute_start(user=request.user)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        deadlines_recompute_start(user=request.user)


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    """The holder changes only through a recorded transfer (the portfolio pages)."""

    list_display = ("name", "holder", "created_at")
    search_fields = ("name",)
    readonly_fields = ("holder",)


@admin.register(DemandRecord)
class DemandRecordAdmin(ReadOnlyAdmin):
    list_display = ("debt", "date", "channel", "courier", "waybill", "delivered", "delivered_on", "delivery_rule")
    list_filter = ("channel", "delivered", "courier")
    # The address is shown masked (API.md: addresses keep their first 6 characters).
    exclude = ("address", "idempotency_key", "request_digest")
    readonly_fields = ("masked_address",)
    show_full_result_count = False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ("matter", "kind", "due_on", "rule", "status", "verified_calendar", "superseded_at")
    list_filter = ("kind", "status", "verified_calendar")
    show_full_result_count = False


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    """Courts and arbitration commissions: correct an address, add a court, retire one.

    A forum that matters point at cannot be deleted; untick ``active`` instead, and it
    leaves the pickers while the matters keep it.
    """

    list_display = ("name", "kind", "level", "region", "address", "active")
    list_filter = ("kind", "level", "active")
    search_fields = ("name", "region")


class ServiceRecordInline(admin.TabularInline):
    model = ServiceRecord
    extra = 0
    fields = ("method", "party", "served_on", "published_on", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Proceeding)
class ProceedingAdmin(ReadOnlyAdmin):
    """Proceedings are recorded through the API and the matter page; here they are looked up."""

    list_display = ("matter", "kind", "case_number", "forum", "filed_on", "accepted_on", "closed_on")
    list_filter = ("kind",)
    search_fields = ("case_number", "matter__number")
    inlines = [ServiceRecordInline]
    show_full_result_count = False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Exports and other audited acts not tied to one matter."""

    list_display = ("at", "actor", "action", "target")
    list_filter = ("action",)
    show_full_result_count = False


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ("matter", "agreed_on", "settlement_amount", "status")
    list_filter = ("status",)


@admin.register(DebtorReview)
class DebtorReviewAdmin(ReadOnlyAdmin):
    """Reviews are written on the matter page and through the API; the personal free texts stay there."""

    list_display = ("matter", "ability_to_pay", "willingness", "recommendation", "reviewed_by", "reviewed_at")
    list_filter = ("recommendation", "ability_to_pay", "willingness")
    exclude = ("employment", "assets_known", "willingness_facts")
    show_full_result_count = False


@admin.register(PortfolioTransfer)
class PortfolioTransferAdmin(ReadOnlyAdmin):
    list_display = ("portfolio", "from_creditor", "to_creditor", "effective_on", "announced_on")


@admin.register(ClaimTransfer)
class ClaimTransferAdmin(ReadOnlyAdmin):
    list_display = ("debt", "from_creditor", "to_creditor", "effective_on")
    show_full_result_count = False


@admin.register(FeeInvoice)
class FeeInvoiceAdmin(ReadOnlyAdmin):
    list_display = ("firm", "number", "amount", "status", "submitted_at")
    list_filter = ("status", "firm")



class LprRateForm(forms.ModelForm):
    class Meta:
        model = LprRate
        fields = ["effective_from", "lpr_1y", "lpr_5y"]
        help_texts = {
            "lpr_1y": _("An annual fraction: 0.03 is 3.00 per cent."),
            "lpr_5y": _("An annual fraction: 0.035 is 3.50 per cent."),
        }

    def clean(self):
        data = super().clean()
        # The service's own checks, so a refusal shows on the form instead of failing the save.
        try:
            lpr_rate_checked(
                effective_from=None if self.instance.pk else data.get("effective_from"),
                lpr_1y=data.get("lpr_1y"),
                lpr_5y=data.get("lpr_5y"),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, errors)
        return data


@admin.register(LprRate)
class LprRateAdmin(admin.ModelAdmin):
    """The LPR table (LEGAL_RULES B.5): add each month's fixing; correct or remove a wrong one.

    Every change goes through ``legalcase.services.interest`` and is written to the audit
    log. A fixing's date is not edited: remove the row and add the right one.
    """

    form = LprRateForm
    list_display = ("effective_from", "lpr_1y", "lpr_5y", "created_by", "created_at")
    date_hierarchy = "effective_from"

    def has_module_permission(self, request) -> bool:
        return can(request.user, "write_lpr")

    def has_view_permission(self, request, obj=None) -> bool:
        return can(request.user, "write_lpr")

    def has_add_permission(self, request) -> bool:
        return can(request.user, "write_lpr")

    def has_change_permission(self, request, obj=None) -> bool:
        return can(request.user, "write_lpr")

    def has_delete_permission(self, request, obj=None) -> bool:
        return can(request.user, "write_lpr")

    def get_readonly_fields(self, request, obj=None):
        return ("effective_from",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            saved = lpr_rate_change(user=request.user, lpr_id=obj.pk, lpr_1y=obj.lpr_1y, lpr_5y=obj.lpr_5y)
        else:
            saved = lpr_rate_add(
                user=request.user, effective_from=obj.effective_from, lpr_1y=obj.lpr_1y, lpr_5y=obj.lpr_5y
            )
        obj.pk, obj.created_by, obj.created_at = saved.pk, saved.created_by, saved.created_at

    def delete_model(self, request, obj):
        lpr_rate_remove(user=request.user, lpr_id=obj.pk)

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            lpr_rate_remove(user=request.user, lpr_id=pk)
