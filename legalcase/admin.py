"""Back-office tables for administrators. Matters change only through services."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

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
    Matter,
    MatterEvent,
    Party,
    Portfolio,
    PortfolioTransfer,
    Proceeding,
    ServiceRecord,
    Settlement,
    User,
)
from legalcase.services.deadlines import deadlines_recompute_start


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
    list_display = ("debt", "date", "channel", "delivered")
    list_filter = ("channel", "delivered")
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

