"""What every section of the matter page does with a posted form: parse, let a service decide, answer.

A form only parses; the service decides and raises a ``ValidationError`` naming the
field, shown next to it, with nothing stored. HTMX gets the section back (htmx swaps
only 2xx answers, so an error is a 200 with the form); a plain post goes back to the
matter page with the outcome as a message.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from legalcase.models import Matter


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError next to the field it names (or above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def errors_to_messages(request: HttpRequest, form: forms.Form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def section_answer(
    request: HttpRequest, matter: Matter, *, ok: bool, form: forms.Form, notice: str, section
) -> HttpResponse:
    """HTMX gets the section again (200: htmx swaps only 2xx); a plain form post goes back to the page."""
    if request.htmx:
        return section()
    if ok:
        messages.success(request, notice)
    else:
        errors_to_messages(request, form)
    return redirect("matter_detail", matter_id=matter.pk)


def form_apply(form: forms.Form, act, *, conflicts: tuple = ()) -> bool:
    """Validate ``form`` and call ``act(cleaned_data)`` (a service); say whether it went through.

    A ``ValidationError`` lands next to the field it names; an exception of one of the
    ``conflicts`` classes (a state conflict) above the form.
    """
    if not form.is_valid():
        return False
    try:
        act(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
    except conflicts as exc:
        form.add_error(None, str(exc))
    else:
        return True
    return False


def section_form_post(
    request: HttpRequest, matter: Matter, form: forms.Form, act, *, done: str, section, conflicts: tuple = ()
) -> HttpResponse:
    """``form_apply`` the form, then answer with ``section(ok, notice)``; ``done`` is the notice of success."""
    ok = form_apply(form, act, conflicts=conflicts)
    notice = done if ok else ""
    return section_answer(request, matter, ok=ok, form=form, notice=notice, section=lambda: section(ok, notice))
