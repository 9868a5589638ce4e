"""Record services every type shares: soft delete and restore (the change hook audits both)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from . import audit
from .models import RecordModel
from .permissions import perm_name, require

R = TypeVar("R", bound=RecordModel)


def soft_delete(*, actor: Any, obj: R, reason: str) -> R:
    """Mark a record deleted. Nothing is removed: the retention purge decides when rows go."""
    require(actor, perm_name(type(obj), "delete"), obj)
    with transaction.atomic(), audit.audit_context(actor=actor, reason=reason):
        locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        if locked.deleted_at is None:
            locked.deleted_at = timezone.now()
            locked.deleted_by_id = actor.pk
            locked.save()
    return locked  # type: ignore[no-any-return]


def restore(*, actor: Any, obj: R, reason: str) -> R:
    require(actor, perm_name(type(obj), "delete"), obj)
    with transaction.atomic(), audit.audit_context(actor=actor, reason=reason):
        locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        if locked.deleted_at is not None:
            locked.deleted_at = None
            locked.deleted_by_id = None
            locked.save()
    return locked  # type: ignore[no-any-return]
