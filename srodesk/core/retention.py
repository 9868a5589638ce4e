"""Retention: hard-delete records past ``retain_until`` or past the soft-delete grace period.

Records on legal hold are never purged. Each purged row leaves a tombstone in the audit log that names
the record type and id only (no personal data). Idempotent and batched; a row still referenced by
other records (a protected foreign key) is kept and reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import timezone

from srodesk.audit.models import AuditEvent

from . import audit
from .models import RecordModel


@dataclass
class PurgeResult:
    purged: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.purged.values())


def record_models() -> list[type[RecordModel]]:
    return [m for m in apps.get_models() if issubclass(m, RecordModel)]


def due_filter(now: dt.datetime) -> Q:
    grace = now - dt.timedelta(days=settings.SOFT_DELETE_GRACE_DAYS)
    return (Q(retain_until__lt=now.date()) | Q(deleted_at__lt=grace)) & Q(legal_hold=False)


def purge_expired(*, dry_run: bool = False, batch_size: int = 500, now: dt.datetime | None = None) -> PurgeResult:
    now = now or timezone.now()
    result = PurgeResult()
    with audit.audit_context(reason="retention schedule"):
        for model in record_models():
            label = model._meta.label
            ids = list(model._default_manager.filter(due_filter(now)).order_by("pk").values_list("pk", flat=True))
            if dry_run:
                if ids:
                    result.purged[label] = len(ids)
                continue
            ct = ContentType.objects.get_for_model(model)
            for start in range(0, len(ids), batch_size):
                for pk in ids[start : start + batch_size]:
                    _purge_one(model, ct, pk, now, result)
    return result


def _purge_one(model: type[RecordModel], ct: ContentType, pk: Any, now: dt.datetime, result: PurgeResult) -> None:
    label = model._meta.label
    try:
        with transaction.atomic():
            row = model._default_manager.select_for_update().filter(due_filter(now), pk=pk).first()
            if row is None:
                return
            why = "retention period ended" if row.retain_until and row.retain_until < now.date() else "deleted"
            row.delete()
            AuditEvent.append(
                kind=AuditEvent.Kind.SYSTEM,
                action=AuditEvent.Action.PURGE,
                content_type=ct,
                object_id=str(pk),
                detail={"why": why},
            )
    except (ProtectedError, RestrictedError):
        result.kept[label] = result.kept.get(label, 0) + 1
        return
    result.purged[label] = result.purged.get(label, 0) + 1
