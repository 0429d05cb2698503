"""The one way to write a matter's timeline (``record_event``) and the audit log (``record_audit``)."""

from __future__ import annotations

from typing import Any

from legalcase.models import AuditEvent, Matter, MatterEvent, User


def record_event(
    *,
    matter: Matter,
    actor: User | None,
    kind: str,
    old: Any = None,
    new: Any = None,
    note: str = "",
) -> MatterEvent:
    """Append an entry to the matter's timeline; call inside the transaction of the change."""
    return MatterEvent.objects.create(matter=matter, actor=actor, kind=kind, old=old, new=new, note=note)


def record_events(events: list[MatterEvent]) -> list[MatterEvent]:
    """Append many timeline entries in one INSERT (unsaved ``MatterEvent`` rows), as ``record_event`` would one by one."""
    return MatterEvent.objects.bulk_create(events)


def record_audit(*, actor: User | None, action: str, target: str = "", detail: dict | None = None) -> AuditEvent:
    """Append an audited act not tied to one matter (an export, a calendar key, a portfolio change)."""
    return AuditEvent.objects.create(actor=actor, action=action, target=target, detail=detail or {})
