"""Courts and arbitration commissions added or corrected by counsel and administrators."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from legalcase.access import require
from legalcase.events import record_audit
from legalcase.models import Forum, User

EDITABLE = ("address", "region", "level", "active")


def _clean_level(kind: str, level: str) -> str:
    if kind == Forum.Kind.ARBITRATION:
        if level:
            raise ValidationError({"level": _("Only a court has a level.")})
        return ""
    if level not in Forum.Level.values:
        raise ValidationError({"level": _("Choose the court's level.")})
    return level


def _forum_state(forum: Forum) -> dict:
    return {field: getattr(forum, field) for field in ("kind", "name", *EDITABLE)}


@transaction.atomic
def forum_add(*, user: User, kind: str, name: str, level: str = "", region: str, address: str = "") -> Forum:
    """Add a court or commission the table lacks; a name already known (any case of spaces) is refused."""
    require(user, "manage_forums")
    name, region, address = " ".join(name.split()), region.strip(), address.strip()
    if kind not in Forum.Kind.values:
        raise ValidationError({"kind": _("Choose a court or an arbitration commission.")})
    if not name:
        raise ValidationError({"name": _("Enter the official name.")})
    if not region:
        raise ValidationError({"region": _("Enter the province and city.")})
    level = _clean_level(kind, level)
    if Forum.objects.filter(name=name).exists():
        raise ValidationError({"name": _("This court or commission is already known.")})
    try:
        with transaction.atomic():
            forum = Forum.objects.create(kind=kind, name=name, level=level, region=region, address=address)
    except IntegrityError:  # added by someone else at the same moment
        raise ValidationError({"name": _("This court or commission is already known.")}) from None
    record_audit(actor=user, action="forum_added", target=f"forum:{forum.pk}", detail={"new": _forum_state(forum)})
    return forum


@transaction.atomic
def forum_update(*, user: User, forum_id: int, **changes) -> Forum:
    """Correct a forum's address, region, level or whether it is in use; only fields given change."""
    require(user, "manage_forums")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in sorted(unknown)})
    forum = Forum.objects.select_for_update().filter(pk=forum_id).first()
    if forum is None:
        raise Http404("no such forum")
    if "region" in changes:
        changes["region"] = changes["region"].strip()
        if not changes["region"]:
            raise ValidationError({"region": _("Enter the province and city.")})
    if "address" in changes:
        changes["address"] = changes["address"].strip()
    if "level" in changes:
        changes["level"] = _clean_level(forum.kind, changes["level"])
    old = {field: getattr(forum, field) for field in changes if getattr(forum, field) != changes[field]}
    if not old:
        return forum
    for field in old:
        setattr(forum, field, changes[field])
    forum.save(update_fields=list(old))
    record_audit(
        actor=user,
        action="forum_updated",
        target=f"forum:{forum.pk}",
        detail={"name": forum.name, "old": old, "new": {field: changes[field] for field in old}},
    )
    return forum
