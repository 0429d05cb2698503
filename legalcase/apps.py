from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class LegalcaseConfig(AppConfig):
    name = "legalcase"
    verbose_name = _("Case management")

    def ready(self) -> None:
        from legalcase.views import register_matter_section

        # Correcting and completing the record (views/record.py), first: filings need it.
        register_matter_section(title=_("Record details"), url_name="record_section")
        register_matter_section(title=_("Proceedings"), url_name="proceedings_section")
        register_matter_section(title=_("Rulings"), url_name="rulings_section")
        # Enforcement (views/enforcement.py)
        register_matter_section(title=_("Enforcement"), url_name="enforcement_section")
        # Recoveries and costs (views/recoveries.py)
        register_matter_section(title=_("Recoveries and costs"), url_name="recoveries_section")
        # Enforcement application amounts (views/claims.py)
        register_matter_section(title=_("Enforcement application amounts"), url_name="claims_section")
        # Settlements and instalments (views/settlements.py)
        # SETTLEMENTS-SECTION
        register_matter_section(title=_("Settlement"), url_name="settlements_section")
        # Creditor chain and transfers (views/transfers.py)
        # TRANSFERS-SECTION
        register_matter_section(title=_("Creditor chain"), url_name="transfers_section")
        # Outside-firm fees and invoices (views/fees.py)
        # FEES-SECTION
        register_matter_section(title=_("Outside-firm fees"), url_name="fees_section")
        # Personal data retention and the legal hold (views/retention.py, LEGAL_RULES B.9)
        register_matter_section(title=_("Personal data retention"), url_name="retention_section")
        # Plans and tasks (views/tasks.py)
        register_matter_section(title=_("Tasks"), url_name="tasks_section")


class FasuAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with Fasu's site (``legalcase.admin_site``), named in INSTALLED_APPS."""

    # Not the app config of "legalcase" itself, which Django picks from this module.
    default = False
    default_site = "legalcase.admin_site.FasuAdminSite"
