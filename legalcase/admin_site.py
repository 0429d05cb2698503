"""The admin site as Fasu shows it: branded, and other apps' tables for administrators only.

Kept apart from ``admin.py``: Django builds the default site from this module while it
imports the apps' ``admin`` modules, which register on the site being built.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models.base import ModelBase
from django.utils.translation import gettext_lazy as _

from legalcase.models import Role

# The apps that are Fasu; any other app's tables (filer, dramatiq's tasks, auth's groups)
# are plumbing that only an administrator should see, let alone change.
FASU_APPS = frozenset({"legalcase", "evidence", "templates_docx", "workers"})
# The index lists Fasu's own apps first; the others after them, under Chinese names their
# packages do not provide (their own pages stay as the packages make them).
APP_ORDER = ("legalcase", "templates_docx", "evidence", "workers")
OTHER_APP_NAMES = {"django_dramatiq": _("Task queue (dramatiq)"), "filer": _("File storage (filer)")}
OTHER_MODEL_NAMES = {
    ("django_dramatiq", "Task"): _("queued tasks"),
    ("filer", "Folder"): _("folders"),
    ("filer", "Image"): _("images"),
    ("filer", "Clipboard"): _("clipboards"),
    ("filer", "FolderPermission"): _("folder permissions"),
    ("filer", "ThumbnailOption"): _("thumbnail options"),
}


def is_administrator(user) -> bool:
    return user.is_active and (user.is_superuser or getattr(user, "role", None) == Role.ADMIN)


def _administrators_only(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        # A visitor who is not signed in goes on to the admin's own sign-in redirect.
        if request.user.is_authenticated and not is_administrator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


class AdministratorsOnly:
    """Mixed into another app's ModelAdmin: hidden from the index and closed to other staff.

    Permissions alone would not do: filer's folder pages, for one, answer any staff user.
    """

    def has_module_permission(self, request) -> bool:
        return is_administrator(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, *args, **kwargs) -> bool:
        return is_administrator(request.user) and super().has_view_permission(request, *args, **kwargs)

    def has_add_permission(self, request, *args, **kwargs) -> bool:
        return is_administrator(request.user) and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, *args, **kwargs) -> bool:
        return is_administrator(request.user) and super().has_change_permission(request, *args, **kwargs)

    def has_delete_permission(self, request, *args, **kwargs) -> bool:
        return is_administrator(request.user) and super().has_delete_permission(request, *args, **kwargs)

    def get_urls(self):
        urls = super().get_urls()
        for pattern in urls:
            if hasattr(pattern, "callback"):
                pattern.callback = _administrators_only(pattern.callback)
        return urls


class FasuAdminSite(admin.AdminSite):
    site_header = _("Fasu administration")
    site_title = _("Fasu administration")
    index_title = _("Fasu administration")

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for app in apps:
            app["name"] = OTHER_APP_NAMES.get(app["app_label"], app["name"])
            for model in app["models"]:
                model["name"] = OTHER_MODEL_NAMES.get((app["app_label"], model["object_name"]), model["name"])
        position = {label: index for index, label in enumerate(APP_ORDER)}
        return sorted(apps, key=lambda app: position.get(app["app_label"], len(position)))

    def register(self, model_or_iterable, admin_class=None, **options):
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        for model in models:
            cls = admin_class or admin.ModelAdmin
            if model._meta.app_label not in FASU_APPS:
                cls = type(cls.__name__, (AdministratorsOnly, cls), {"__module__": cls.__module__})
            super().register(model, cls, **options)
