from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalcaseConfig(AppConfig):
    name = "legalcase"
    verbose_name = _("Matters")
