from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalcaseConfig(AppConfig):
    name = "legalcase"
    verbose_name = _("Matters")

    def ready(self) -> None:
        from legalcase.views import register_matter_section

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
