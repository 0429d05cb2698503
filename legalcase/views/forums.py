"""法院与仲裁机构: the table of courts and commissions, searchable; counsel and admins add and correct."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from legalcase.access import can, require
from legalcase.models import Forum
from legalcase.safetext import validate_name
from legalcase.services import forum_add, forum_update

FORUMS_PAGE_SIZE = 50
LEVELS = [("", "—"), *Forum.Level.choices]


class ForumAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Forum.Kind.choices)
    name = forms.CharField(label=_("Official name"), max_length=200, validators=[validate_name])
    level = forms.ChoiceField(label=_("Court level"), choices=LEVELS, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, help_text=_("Province and city, e.g. 浙江省杭州市萧山区."))
    address = forms.CharField(label=_("Address"), max_length=300, required=False)


class ForumEditForm(forms.Form):
    level = forms.ChoiceField(label=_("Court level"), choices=LEVELS, required=False)
    region = forms.CharField(label=_("Region"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    active = forms.BooleanField(label=_("In use"), required=False)


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def forum_list(request: HttpRequest) -> HttpResponse:
    """Every court and commission (retired ones too), by name or region; the add form below."""
    q = request.GET.get("q", "").strip()[:100]
    manage = can(request.user, "manage_forums")
    add_form = ForumAddForm(request.POST or None) if manage else None
    if request.method == "POST":
        require(request.user, "manage_forums")
        if add_form.is_valid():
            try:
                forum = forum_add(user=request.user, **add_form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(add_form, exc)
            else:
                messages.success(request, _("Added: %(name)s") % {"name": forum.name})
                return redirect(reverse("forum_list") + "?" + urlencode({"q": forum.name}))
    forums = Forum.objects.search(q).courts_first()
    page = Paginator(forums, FORUMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "legalcase/forum_list.html",
        {"nav": "forums", "q": q, "page": page, "manage": manage, "add_form": add_form},
        status=400 if add_form is not None and add_form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def forum_edit(request: HttpRequest, forum_id: int) -> HttpResponse:
    """Correct a forum's address, region and level, or retire it (counsel, administrators)."""
    require(request.user, "manage_forums")
    forum = get_object_or_404(Forum, pk=forum_id)
    initial = {"level": forum.level, "region": forum.region, "address": forum.address, "active": forum.active}
    form = ForumEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            forum_update(user=request.user, forum_id=forum.pk, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Saved: %(name)s") % {"name": forum.name})
            return redirect(reverse("forum_list") + "?" + urlencode({"q": forum.name}))
    return render(
        request,
        "legalcase/forum_edit.html",
        {"nav": "forums", "forum": forum, "form": form},
        status=400 if form.errors else 200,
    )
