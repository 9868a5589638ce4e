"""Background tasks of the law-enforcement records: generating a case packet PDF."""

from __future__ import annotations

import hashlib
import logging

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django_tasks import task

from srodesk.audit.models import AuditEvent
from srodesk.core.audit import audit_context

from .models import CasePacket, Incident

logger = logging.getLogger(__name__)

#: The packet statuses a task may (re)start from; a running or finished packet is left alone.
STARTABLE = frozenset({CasePacket.Status.QUEUED})


def _set(packet_id: int, **values: object) -> None:
    """Write progress where the polling page sees it at once (outside any transaction of the task)."""
    CasePacket.objects.filter(pk=packet_id).update(**values)


def packet_filename(packet: CasePacket) -> str:
    number = packet.incident.number or f"incident-{packet.incident_id}"
    return f"case-packet-{number}-{packet.pk}.pdf"


@task
def generate_packet(packet_id: int) -> None:
    """Render a queued case packet, store the PDF with its SHA-256 and page count, and log the generation.

    The packet goes QUEUED → RUNNING (with progress 0–100) → DONE, or FAILED with the error. The generation
    writes one access row (``print``) for the incident, in the name of the user who asked for the packet.
    Idempotent: a packet that is not queued is left alone.
    """
    from .packet import render_packet_document

    with transaction.atomic():
        packet = (
            CasePacket.objects.select_for_update(of=("self",))
            .select_related("incident", "incident__agency", "requested_by")
            .filter(pk=packet_id)
            .first()
        )
        if packet is None or packet.status not in STARTABLE:
            return
        _set(packet_id, status=CasePacket.Status.RUNNING, progress=0, error="")

    last = [-1]

    def progress(percent: int) -> None:
        percent = max(0, min(99, int(percent)))
        if percent != last[0]:
            last[0] = percent
            _set(packet_id, progress=percent)

    actor = packet.requested_by
    try:
        with audit_context(actor=actor, reason=f"Case packet: {packet.purpose}"[:255]):
            rendered = render_packet_document(packet, progress)
            digest = hashlib.sha256(rendered.pdf).hexdigest()
            with transaction.atomic():
                packet.file.save(packet_filename(packet), ContentFile(rendered.pdf), save=False)
                packet.sha256 = digest
                packet.page_count = rendered.page_count
                packet.status = CasePacket.Status.DONE
                packet.progress = 100
                packet.error = ""
                packet.save(update_fields=["file", "sha256", "page_count", "status", "progress", "error"])
                incident = packet.incident
                AuditEvent.append(
                    kind=AuditEvent.Kind.ACCESS,
                    action=AuditEvent.Action.PRINT,
                    actor=actor,
                    content_type=ContentType.objects.get_for_model(Incident),
                    object_id=str(incident.pk),
                    object_repr=str(incident)[:200],
                    detail={
                        "case_packet": packet.pk,
                        "purpose": packet.purpose,
                        "sha256": digest,
                        "pages": rendered.page_count,
                        "minors_by_initials": packet.minors_by_initials,
                        "hide_victim_contact": packet.hide_victim_contact,
                    },
                    **AuditEvent.scope_ids(incident),
                )
    except Exception as exc:
        logger.exception("case packet #%s failed", packet_id)
        if packet.file:
            packet.file.delete(save=False)
        message = f"{type(exc).__name__}: {exc}"[:2000]
        _set(packet_id, status=CasePacket.Status.FAILED, error=message, file="", sha256="", page_count=0)
        return
    logger.info("case packet #%s generated (%s pages)", packet_id, rendered.page_count)
