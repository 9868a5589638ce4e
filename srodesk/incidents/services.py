"""Incident workflows: review (submit, return, approve, close, void), supplements, sharing with a school,
attachments, and the lock that keeps an approved report as it was approved.

Status machine: draft → submitted → (returned → submitted …) → approved → closed. Each submission and each
approval freezes the report and its parts into an :class:`IncidentVersion`; ``Incident.version`` is the
number of the latest approved version. An approved or closed (or voided) report is locked: its parts cannot
be added, changed or removed any more; later facts go into dated supplements.

Every function takes the acting user, checks the grant with the policy engine first and runs in one
transaction; a refused call changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from srodesk.audit.models import AuditEvent
from srodesk.core import audit
from srodesk.core.permissions import grants, perm_name, require, restrict

from .choices import IncidentStatus
from .models import (
    Arrest,
    Attachment,
    Incident,
    IncidentShare,
    IncidentVersion,
    InvolvedPerson,
    Offense,
    Property,
    Search,
    Supplement,
    UseOfForce,
    VictimOffenderRelationship,
)

LOCKED_MESSAGE = "This report is {status} and locked: it can no longer be changed. Add a supplement for later facts."
VOIDED_MESSAGE = "This report was voided and can no longer be changed."

#: The parts frozen with the report, in the order a version shows them: (key, model, heading).
VERSION_PARTS: tuple[tuple[str, type[models.Model], str], ...] = (
    ("offenses", Offense, "Offenses"),
    ("persons", InvolvedPerson, "Involved persons"),
    ("relationships", VictimOffenderRelationship, "Victim–offender relationships"),
    ("property", Property, "Property"),
    ("arrests", Arrest, "Arrests"),
    ("uses_of_force", UseOfForce, "Use of force and restraint"),
    ("attachments", Attachment, "Attachments"),
    ("supplements", Supplement, "Supplements"),
)
_SNAPSHOT_SKIP = frozenset(
    {"created_by_id", "updated_at", "updated_by_id", "deleted_at", "deleted_by_id", "retain_until", "legal_hold"}
)


# --- the lock ------------------------------------------------------------------------------------------
def lock_reason(incident: Incident | None) -> str:
    """Why the report cannot be changed, or ``""`` when it can."""
    if incident is None:
        return ""
    if incident.voided_at is not None:
        return VOIDED_MESSAGE
    if incident.is_locked:
        return LOCKED_MESSAGE.format(status=incident.get_status_display().lower())
    return ""


def assert_editable(incident: Incident | None, field: str | None = None) -> None:
    """Raise ``ValidationError`` (on ``field``, or the whole record) when the report is locked."""
    reason = lock_reason(incident)
    if reason:
        raise ValidationError({field: reason} if field else reason, code="locked")


# --- NIBRS age rules ---------------------------------------------------------------------------------
def nibrs_age(age_code: str) -> float | None:
    """The age a NIBRS age code stands for (the mean of a range); ``None`` when unknown or unreadable.

    ``NN``, ``NB`` and ``BB`` (infants) count as 0; ``99`` is over 98; ``00`` is unknown; ``1517`` is 15–17.
    """
    code = (age_code or "").strip().upper()
    if code in {"NN", "NB", "BB"}:
        return 0.0
    if not code.isdigit():
        return None
    if len(code) == 4:
        low, high = int(code[:2]), int(code[2:])
        return None if low == 0 or high < low else (low + high) / 2
    if len(code) == 2:
        return None if code == "00" else float(int(code))
    return None


def is_juvenile(age_code: str) -> bool:
    """Under 18 by the NIBRS age (an unknown age is not juvenile: edit 753)."""
    age = nibrs_age(age_code)
    return age is not None and age < 18


def juvenile_disposition_errors(age_code: str, disposition: str) -> dict[str, str]:
    """The disposition of an arrestee under 18 is required, and forbidden otherwise (NIBRS edits 752/753)."""
    if is_juvenile(age_code) and not disposition:
        return {"juvenile_disposition": "Required: the arrestee's recorded age is under 18."}
    if not is_juvenile(age_code) and disposition:
        return {
            "juvenile_disposition": "Leave blank: only an arrestee whose recorded age is under 18 has a juvenile "
            "disposition."
        }
    return {}


# --- helpers -------------------------------------------------------------------------------------------
def _username(user: Any) -> str:
    return str(getattr(user, "username", "anonymous"))


def _locked_incident(incident: Incident) -> Incident:
    locked: Incident = Incident.objects.select_for_update().get(pk=incident.pk)
    return locked


def _alive_incident(incident: Incident) -> None:
    if incident.deleted_at is not None:
        raise ValidationError("This report was deleted.")


def _require_status(incident: Incident, allowed: set[str], action: str) -> None:
    if incident.status not in allowed:
        raise ValidationError(
            f"A report that is {incident.get_status_display().lower()} cannot be {action}.", code="status"
        )


def is_platform_admin(user: Any) -> bool:
    """A superuser, or a user holding ``*`` platform-wide."""
    if getattr(user, "is_superuser", False):
        return True
    return any(grant.is_platform and "*" in grant.permissions for grant in grants(user))


def is_author(incident: Incident, user: Any) -> bool:
    user_id = getattr(user, "pk", None)
    return user_id is not None and user_id in {incident.officer_id, incident.created_by_id}


def _part_rows(incident: Incident, model: type[models.Model]) -> list[dict[str, Any]]:
    qs = model._default_manager.filter(incident_id=incident.pk, deleted_at__isnull=True).order_by("pk")
    rows: list[dict[str, Any]] = []
    for obj in qs:
        row = {k: v for k, v in audit.snapshot(obj).items() if k not in _SNAPSHOT_SKIP}
        row["display"] = str(obj)
        if isinstance(obj, InvolvedPerson):
            row["offenses"] = sorted(obj.offenses.values_list("pk", flat=True))
        rows.append(row)
    return rows


def snapshot_incident(incident: Incident) -> dict[str, Any]:
    """The report and its living parts as plain JSON."""
    head = {k: v for k, v in audit.snapshot(incident).items() if k not in _SNAPSHOT_SKIP}
    head["display"] = str(incident)
    data: dict[str, Any] = {"incident": head}
    for key, model, _heading in VERSION_PARTS:
        data[key] = _part_rows(incident, model)
    return data


def _freeze(incident: Incident, user: Any, event: str) -> IncidentVersion:
    last = (
        IncidentVersion.objects.filter(incident_id=incident.pk)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return IncidentVersion.objects.create(
        incident=incident,
        number=(last or 0) + 1,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        event=event,
        snapshot=snapshot_incident(incident),
    )


def _save(incident: Incident, user: Any, *fields: str, reason: str = "") -> None:
    with audit.audit_context(actor=user, reason=reason[:255]):
        incident.save(update_fields=list(fields))


# --- review workflow ---------------------------------------------------------------------------------
def submit(incident: Incident, user: Any) -> Incident:
    """Send a draft (or returned) report to the supervisor: it must be complete, and is frozen as a version."""
    require(user, perm_name(Incident, "change"), incident)
    with transaction.atomic():
        locked = _locked_incident(incident)
        _alive_incident(locked)
        assert_editable(locked)
        _require_status(locked, {IncidentStatus.DRAFT, IncidentStatus.RETURNED}, "submitted")
        locked.full_clean()
        problems: dict[str, str] = {}
        if not locked.narrative.strip():
            problems["narrative"] = "Write the narrative before submitting the report."
        if not Offense.objects.filter(incident_id=locked.pk, deleted_at__isnull=True).exists():
            problems["offenses"] = "Record at least one offense before submitting the report."
        if problems:
            raise ValidationError(problems)
        locked.status = IncidentStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        if locked.officer_id is None:
            locked.officer_id = getattr(user, "pk", None)
        _save(locked, user, "status", "submitted_at", "officer", reason="submitted for review")
        _freeze(locked, user, "submitted")
    return locked


def return_for_changes(incident: Incident, user: Any, comment: str) -> Incident:
    """The supervisor sends a submitted report back to the officer with comments (the comment is required)."""
    require(user, perm_name(Incident, "approve"), incident)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say what needs to change."})
    with transaction.atomic():
        locked = _locked_incident(incident)
        _alive_incident(locked)
        _require_status(locked, {IncidentStatus.SUBMITTED}, "returned")
        locked.status = IncidentStatus.RETURNED
        locked.reviewed_at = timezone.now()
        locked.reviewed_by_id = user.pk
        locked.review_comment = comment
        _save(locked, user, "status", "reviewed_at", "reviewed_by", "review_comment", reason="returned for changes")
    return locked


def approve(incident: Incident, user: Any) -> Incident:
    """The supervisor approves a submitted report: it is frozen as the new approved version and locked.

    The author cannot approve their own report (a platform administrator can).
    """
    require(user, perm_name(Incident, "approve"), incident)
    if is_author(incident, user) and not is_platform_admin(user):
        raise PermissionDenied(f"{_username(user)} may not approve their own report")
    with transaction.atomic():
        locked = _locked_incident(incident)
        _alive_incident(locked)
        _require_status(locked, {IncidentStatus.SUBMITTED}, "approved")
        locked.status = IncidentStatus.APPROVED
        locked.reviewed_at = timezone.now()
        locked.reviewed_by_id = user.pk
        locked.review_comment = ""
        version = _freeze(locked, user, "approved")
        locked.version = version.number
        _save(locked, user, "status", "reviewed_at", "reviewed_by", "review_comment", "version", reason="approved")
    return locked


def close(incident: Incident, user: Any) -> Incident:
    """Close an approved report (the supervisor's grant)."""
    require(user, perm_name(Incident, "approve"), incident)
    with transaction.atomic():
        locked = _locked_incident(incident)
        _alive_incident(locked)
        _require_status(locked, {IncidentStatus.APPROVED}, "closed")
        locked.status = IncidentStatus.CLOSED
        locked.closed_at = timezone.now()
        _save(locked, user, "status", "closed_at", reason="closed")
    return locked


def void(incident: Incident, user: Any, reason: str) -> Incident:
    """Void a report entered in error; it stays readable and the NIBRS export sends it as a deletion."""
    require(user, perm_name(Incident, "delete"), incident)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the report is voided."})
    with transaction.atomic():
        locked = _locked_incident(incident)
        _alive_incident(locked)
        if locked.voided_at is not None:
            raise ValidationError("This report is already voided.", code="status")
        locked.voided_at = timezone.now()
        locked.void_reason = reason
        _save(locked, user, "voided_at", "void_reason", reason=f"voided: {reason}")
    return locked


def can(user: Any, action: str, incident: Incident) -> bool:
    """Whether a workflow action is open to the user now (for buttons; the services decide for real)."""
    from srodesk.core.permissions import has_perm

    if incident.deleted_at is not None:
        return False
    voided = incident.voided_at is not None
    status = incident.status
    if action == "submit":
        return (
            not voided
            and status in {IncidentStatus.DRAFT, IncidentStatus.RETURNED}
            and has_perm(user, perm_name(Incident, "change"), incident)
        )
    if action in {"approve", "return"}:
        if voided or status != IncidentStatus.SUBMITTED:
            return False
        if not has_perm(user, perm_name(Incident, "approve"), incident):
            return False
        return action == "return" or not is_author(incident, user) or is_platform_admin(user)
    if action == "close":
        return (
            not voided
            and status == IncidentStatus.APPROVED
            and has_perm(user, perm_name(Incident, "approve"), incident)
        )
    if action == "void":
        return not voided and has_perm(user, perm_name(Incident, "delete"), incident)
    if action == "supplement":
        return (
            not voided
            and has_perm(user, perm_name(Supplement, "add"))
            and has_perm(user, perm_name(Incident, "view"), incident)
        )
    if action == "share":
        return has_perm(user, perm_name(IncidentShare, "add")) and has_perm(
            user, perm_name(Incident, "change"), incident
        )
    if action == "edit":
        return not lock_reason(incident) and has_perm(user, perm_name(Incident, "change"), incident)
    return False


# --- supplements and attachments ---------------------------------------------------------------------
def _in_add_scope(obj: models.Model, user: Any) -> None:
    if not restrict(type(obj)._default_manager.filter(pk=obj.pk), user, "add").exists():
        raise PermissionDenied(f"{_username(user)} may not add a {obj._meta.verbose_name} to this report")


def _require_visible(incident: Incident, user: Any, action: str = "view") -> None:
    if not restrict(Incident.objects.alive().filter(pk=incident.pk), user, action).exists():
        raise PermissionDenied(f"{_username(user)} may not {action} this report")


def add_supplement(incident: Incident, user: Any, text: str) -> Supplement:
    """Add a dated supplement: the way later facts join a report, locked or not (not a voided one)."""
    require(user, perm_name(Supplement, "add"))
    _require_visible(incident, user)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"narrative": "Write the supplement."})
    with transaction.atomic(), audit.audit_context(actor=user):
        locked = _locked_incident(incident)
        _alive_incident(locked)
        if locked.voided_at is not None:
            raise ValidationError(VOIDED_MESSAGE, code="locked")
        supplement: Supplement = Supplement.objects.create(incident=locked, author=user, narrative=text)
        _in_add_scope(supplement, user)
    return supplement


def store_attachment(incident: Incident, uploaded_file: Any, user: Any, description: str = "") -> Attachment:
    """Store a file with the report under its SHA-256 (refused once the report is locked)."""
    require(user, perm_name(Attachment, "add"))
    _require_visible(incident, user, "change")
    if uploaded_file is None:
        raise ValidationError({"file": "Choose a file."})
    digest = hashlib.sha256()
    size = 0
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
        size += len(chunk)
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    uploaded_file.seek(0)
    name = str(getattr(uploaded_file, "name", "") or "attachment").rsplit("/", 1)[-1][:255]
    with transaction.atomic(), audit.audit_context(actor=user):
        locked = _locked_incident(incident)
        _alive_incident(locked)
        assert_editable(locked, "file")
        attachment = Attachment(
            incident=locked,
            name=name,
            content_type=str(getattr(uploaded_file, "content_type", "") or "")[:120],
            size=size,
            sha256=digest.hexdigest(),
            description=(description or "").strip()[:200],
        )
        attachment.file.save(name, uploaded_file, save=False)
        attachment.save()
        _in_add_scope(attachment, user)
    return attachment


# --- sharing with a school ---------------------------------------------------------------------------
def _disclosure_row(share: IncidentShare, user: Any, action: str, reason: str) -> AuditEvent:
    return AuditEvent.append(
        kind=AuditEvent.Kind.DISCLOSURE,
        action=action,
        actor=user,
        reason=reason[:255],
        content_type=ContentType.objects.get_for_model(Incident),
        object_id=str(share.incident_id),
        object_repr=str(share.incident)[:200],
        district_id=share.incident.district_id,
        school_id=share.school_id,
        agency_id=share.incident.agency_id,
        detail={
            "share": share.pk,
            "incident": share.incident_id,
            "school": share.school_id,
            "recipient": str(share.school),
            "reason": reason,
            "shared": action == AuditEvent.Action.CREATE,
        },
    )


def share(incident: Incident, school: Any, user: Any, reason: str) -> IncidentShare:
    """Let ``school``'s administrators see the report: an explicit act written to the audit chain as a
    disclosure. The school must be in the report's district; one living share per school."""
    require(user, perm_name(IncidentShare, "add"))
    _require_visible(incident, user, "change")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the school needs the report."})
    if school is None or school.district_id != incident.district_id:
        raise ValidationError({"school": "Choose a school of the report's district."})
    with transaction.atomic(), audit.audit_context(actor=user, reason=reason[:255]):
        locked = _locked_incident(incident)
        _alive_incident(locked)
        if IncidentShare.objects.filter(incident=locked, school=school, deleted_at__isnull=True).exists():
            raise ValidationError({"school": "The report is already shared with this school."})
        created: IncidentShare = IncidentShare.objects.create(incident=locked, school=school, reason=reason)
        _in_add_scope(created, user)
        _disclosure_row(created, user, AuditEvent.Action.CREATE, reason)
    return created


def unshare(share: IncidentShare, user: Any, reason: str) -> IncidentShare:
    """Revoke a share: the school no longer sees the report (the share stays on record, soft-deleted)."""
    require(user, perm_name(IncidentShare, "change"), share)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the share is revoked."})
    with transaction.atomic(), audit.audit_context(actor=user, reason=reason[:255]):
        locked: IncidentShare = (
            IncidentShare.objects.select_for_update().select_related("incident", "school").get(pk=share.pk)
        )
        if locked.deleted_at is not None:
            raise ValidationError("This share was already revoked.")
        locked.deleted_at = timezone.now()
        locked.deleted_by_id = user.pk
        locked.save()
        _disclosure_row(locked, user, AuditEvent.Action.DELETE, reason)
    return locked


# --- supervisor review of flagged searches -------------------------------------------------------------
def review_search(search: Search, user: Any) -> Search:
    """The supervisor marks a flagged search as reviewed."""
    require(user, perm_name(Search, "approve"), search)
    with transaction.atomic(), audit.audit_context(actor=user, reason="search reviewed"):
        locked: Search = Search.objects.select_for_update().get(pk=search.pk)
        if locked.reviewed_at is None:
            locked.reviewed_at = timezone.now()
            locked.reviewed_by_id = user.pk
            locked.save(update_fields=["reviewed_at", "reviewed_by"])
    return locked


@dataclass(frozen=True)
class ReviewQueue:
    incidents: list[Incident]
    searches: list[Search]
    pursuits: list[Any]


def review_queue(user: Any, limit: int = 100) -> ReviewQueue:
    """Submitted reports, unreviewed flagged searches and flagged pursuits in the user's approve scope."""
    from .models import Pursuit

    incidents = restrict(Incident.objects.alive(), user, "approve").filter(status=IncidentStatus.SUBMITTED)
    searches = restrict(Search.objects.alive(), user, "approve").filter(flagged=True, reviewed_at__isnull=True)
    pursuits = restrict(Pursuit.objects.alive(), user, "approve").filter(flagged=True)
    return ReviewQueue(
        incidents=list(incidents.select_related("school", "officer").order_by("submitted_at", "pk")[:limit]),
        searches=list(searches.select_related("school", "student").order_by("-occurred_at", "-pk")[:limit]),
        pursuits=list(pursuits.select_related("school").order_by("-started_at", "-pk")[:limit]),
    )
