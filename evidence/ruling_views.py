"""The upload form of the matter page's rulings section.

legalcase serves the section (``legalcase.views.proceedings``); the upload lives here
because the document is stored as evidence, and evidence may import legalcase, not the
other way round. The same ``ruling_upload`` service answers the API.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evidence.services import ruling_upload
from legalcase.access import access_matter
from legalcase.views.proceedings import RulingUploadForm, rulings_section_response
from legalcase.views.sections import add_service_errors


@login_required
@require_POST
def ruling_upload_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    """Store a ruling document, read it and show what was read for a person to confirm."""
    matter = access_matter(request.user, matter_id, action="write_proceedings")
    form = RulingUploadForm(request.POST, request.FILES, auto_id="ruling-upload-%s")
    ok = False
    if form.is_valid():
        try:
            ruling_upload(
                user=request.user,
                matter_id=matter.pk,
                uploaded_file=form.cleaned_data["file"],
                served_on=form.cleaned_data["served_on"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                add_service_errors(form, exc)
            else:
                form.add_error("file", exc.messages)
        else:
            ok = True
    notice = _("Ruling uploaded: check what was read and confirm it.") if ok else ""
    if request.htmx:
        # htmx swaps only 2xx answers, so form errors come back as 200 with the form.
        return rulings_section_response(request, matter, upload_form=None if ok else form, notice=notice)
    if ok:
        messages.success(request, notice)
    else:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return redirect("matter_detail", matter_id=matter.pk)
