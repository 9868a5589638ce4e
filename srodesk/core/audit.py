"""Audit context and the one generic change hook.

The actor and request of the current unit of work live in a context variable: middleware sets it for
requests, ``audit_context(...)`` for tasks and commands. The change hook (the only signal handler with
meaning in SRO Desk) writes an ``audit.AuditEvent`` for every save of a ``RecordModel``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models
from django.db.models.signals import post_save


@dataclass(frozen=True)
class AuditContext:
    actor: Any = None
    request_id: str = ""
    ip: str = ""
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "srodesk_audit",
    default=AuditContext(),  # noqa: B039 - frozen dataclass; its dict is never mutated, only replaced
)


def current() -> AuditContext:
    return _context.get()


@contextlib.contextmanager
def audit_context(**values: Any) -> Iterator[AuditContext]:
    """Set who is acting (and why) for everything audited inside the block."""
    ctx = replace(current(), **values)
    if not ctx.request_id:
        ctx = replace(ctx, request_id=uuid.uuid4().hex)
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


def bind_actor(actor: Any) -> None:
    """Name the actor once it is known late (API token authentication happens inside the view).

    The surrounding ``audit_context`` restores the previous context when it exits.
    """
    _context.set(replace(current(), actor=actor))


def to_json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or None
    return str(value)


_SKIP_FIELDS = frozenset({"updated_at", "updated_by"})


def snapshot(instance: models.Model, loaded: dict[str, Any] | None = None) -> dict[str, Any]:
    """The audited state of a record: concrete field values by attname, secrets left out.

    ``loaded``: the values by attname the row was read with (instead of the instance's current ones);
    fields missing from it were deferred.
    """
    # Deferred fields are left out: reading one would load the row again.
    exclude = set(getattr(instance, "audit_exclude", ())) | _SKIP_FIELDS
    data: dict[str, Any] = {}
    if loaded is None:
        exclude |= instance.get_deferred_fields()
        for f in instance._meta.concrete_fields:
            if f.name in exclude or f.attname in exclude:
                continue
            data[f.attname] = to_json_value(getattr(instance, f.attname))
        return data
    for f in instance._meta.concrete_fields:
        if f.name in exclude or f.attname in exclude or f.attname not in loaded:
            continue
        data[f.attname] = to_json_value(loaded[f.attname])
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


def _on_record_saved(sender: type[models.Model], instance: models.Model, created: bool, raw: bool, **_: Any) -> None:
    from .models import AuditedMixin

    if raw or not isinstance(instance, AuditedMixin):
        return
    from srodesk.audit.models import AuditEvent

    before = None if created else getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    # A row loaded with deferred fields has a partial "before": its save is always logged.
    if not created and before == after:
        return
    if created:
        action = AuditEvent.Action.CREATE
    elif before and before.get("deleted_at") is None and after.get("deleted_at") is not None:
        action = AuditEvent.Action.DELETE
    elif before and before.get("deleted_at") is not None and after.get("deleted_at") is None:
        action = AuditEvent.Action.RESTORE
    else:
        action = AuditEvent.Action.UPDATE
    AuditEvent.record_change(instance, action=action, before=before, after=after)
    instance._audit_before = after


def connect_change_hook() -> None:
    post_save.connect(_on_record_saved, dispatch_uid="srodesk.core.audit.change_hook")
