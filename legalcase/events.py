"""The one way to write a matter's timeline."""

from __future__ import annotations

from typing import Any

from legalcase.models import Matter, MatterEvent, User


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
