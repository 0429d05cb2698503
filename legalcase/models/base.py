"""What the models of several subjects share: the append-only row of a log."""

from __future__ import annotations

from django.db import models


class AppendOnlyError(Exception):
    """Raised on an attempt to edit or delete an entry of an append-only log."""


class AppendOnly(models.Model):
    """A row that is written once: ``save`` refuses an update and ``delete`` refuses outright.

    A mistake is put right by a new row (an event, a counter-entry), never by an edit.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
