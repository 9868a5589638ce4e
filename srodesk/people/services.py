"""People workflows: recording a FERPA disclosure (34 CFR 99.32).

A disclosure is append-only: :func:`disclose` is the only writer, and there is no service to change or
remove one (the model's ``class_grant_actions`` keep change and delete out of every record-class grant).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from srodesk.audit.models import AuditEvent
from srodesk.core import audit
from srodesk.core.permissions import perm_name, require, restrict

from .models import Disclosure, Student

#: The fields a caller supplies; the student, district, school and audit fields are set here.
DISCLOSURE_FIELDS = frozenset(
    {
        "disclosed_at",
        "recipient_name",
        "recipient_organization",
        "recipient_kind",
        "requested_by",
        "basis",
        "legitimate_interest",
        "records_disclosed",
        "threat_description",
        "court_order_reference",
        "parent_notified_on",
        "redisclosure_allowed",
        "redisclosure_note",
    }
)
#: How far ahead of the server clock a disclosure time may be (clock skew between devices).
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def disclose(*, actor: Any, student: Student, **fields: Any) -> Disclosure:
    """Record one disclosure of personal information from ``student``'s education records.

    The actor needs ``people.add_disclosure`` in a scope that covers the student, and must be able to
    see the student. District and school come from the student (the school is the primary school).
    ``disclosed_at`` defaults to now. Raises ``ValidationError`` naming the field (no legal basis, an
    emergency without the threat, a subpoena without its reference …) and ``PermissionDenied`` when the
    student or the disclosure would lie outside the actor's scope; nothing is written in either case.
    """
    perm = perm_name(Disclosure, "add")
    require(actor, perm)
    unknown = set(fields) - DISCLOSURE_FIELDS
    if unknown:
        raise TypeError(f"disclose() got unexpected fields: {', '.join(sorted(unknown))}")
    visible = restrict(Student.objects.alive(), actor, "view")
    if student.pk is None or not visible.filter(pk=student.pk).exists():
        raise PermissionDenied(f"{getattr(actor, 'username', 'anonymous')} may not {perm} for this student")
    fields.setdefault("disclosed_at", timezone.now())
    disclosure = Disclosure(
        student=student,
        district_id=student.district_id,
        school_id=student.school_id,
        **fields,
    )
    disclosure.full_clean()
    if disclosure.disclosed_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({"disclosed_at": "A disclosure is recorded after it happens: the time is in the future."})
    with transaction.atomic(), audit.audit_context(actor=actor):
        disclosure.save()
        # The saved row must lie inside the actor's add scope (a school grant reaches it through the student).
        if not restrict(Disclosure.objects.filter(pk=disclosure.pk), actor, "add").exists():
            raise PermissionDenied(f"{getattr(actor, 'username', 'anonymous')} may not {perm} for this student")
        AuditEvent.append(
            kind=AuditEvent.Kind.DISCLOSURE,
            action=AuditEvent.Action.CREATE,
            actor=actor,
            content_type=ContentType.objects.get_for_model(Disclosure),
            object_id=str(disclosure.pk),
            object_repr=str(disclosure)[:200],
            district_id=disclosure.district_id,
            school_id=disclosure.school_id,
            detail={
                "student": student.pk,
                "basis": disclosure.basis,
                "recipient_name": disclosure.recipient_name,
                "recipient_organization": disclosure.recipient_organization,
                "recipient_kind": disclosure.recipient_kind,
                "disclosed_at": disclosure.disclosed_at,
            },
        )
    return disclosure
