"""Building an agency's NIBRS submission for a month.

:func:`preview` selects the month's reports and runs the edits; :func:`build_export` writes the file (XML or
flat), records it as a :class:`NibrsSubmission` with its SHA-256, logs the access (the file holds
law-enforcement records) and, for a final submission, records what was sent (:class:`NibrsReportState`) so
that the next export sends R or D. A final submission leaves out every incident with edit errors.

Permission: ``incidents.export_incident`` for a preview, ``incidents.submit_incident`` for a final
submission, held for the agency itself (an agency-scoped or platform role).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from srodesk.audit.models import AuditEvent
from srodesk.core.permissions import grants, require
from srodesk.incidents.models import Incident, NibrsReportState, NibrsSubmission
from srodesk.organizations.models import Agency

from . import flat, xml
from .edits import EditError, check
from .reports import CATEGORY_LABELS, GROUP_A, GROUP_B, ZERO, Report, Selection, parse_month, select

FORMATS = ("xml", "flat")
PREVIEW_PERM = "incidents.export_incident"
SUBMIT_PERM = "incidents.submit_incident"


class ExportError(Exception):
    """The export cannot be made (nothing to send, or nothing valid to send); nothing was recorded."""


def agencies_for(user: Any, *, final: bool) -> QuerySet[Agency]:
    """The agencies whose NIBRS file the user may make (preview or final)."""
    agencies = Agency.objects.alive().order_by("name")
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return agencies.none()  # type: ignore[no-any-return]
    if user.is_superuser:
        return agencies  # type: ignore[no-any-return]
    action = "submit" if final else "export"
    ids: set[int] = set()
    for grant in grants(user):
        if not grant.allows(Incident, action):
            continue
        if grant.is_platform:
            return agencies  # type: ignore[no-any-return]
        if grant.agency_id is not None:
            ids.add(grant.agency_id)
    return agencies.filter(pk__in=ids)  # type: ignore[no-any-return]


def require_export(user: Any, agency: Agency, *, final: bool) -> None:
    require(user, SUBMIT_PERM if final else PREVIEW_PERM)
    if not agencies_for(user, final=final).filter(pk=agency.pk).exists():
        raise PermissionDenied(f"{getattr(user, 'username', 'anonymous')} may not export NIBRS data of {agency.ori}")


@dataclass
class Preview:
    """The month's reports with the edit errors of each incident."""

    agency: Agency
    month: dt.date
    selection: Selection
    errors: dict[int, list[EditError]] = field(default_factory=dict)

    @property
    def reports(self) -> list[Report]:
        return self.selection.reports

    @property
    def error_count(self) -> int:
        return sum(len(e) for e in self.errors.values())

    def included(self, *, final: bool) -> list[Report]:
        """The reports a file holds: all of them in a preview, those without edit errors in a final one."""
        if not final:
            return list(self.reports)
        return [r for r in self.reports if r.incident is None or not self.errors.get(r.incident.pk)]

    def counts(self, reports: list[Report] | None = None) -> list[tuple[str, int]]:
        """``[("Group A incident reports", 3), …]`` in a fixed order, leaving out categories with none."""
        chosen = self.reports if reports is None else reports
        result = []
        for category in (GROUP_A, GROUP_B, ZERO):
            n = sum(1 for r in chosen if r.category == category)
            if n:
                result.append((CATEGORY_LABELS[category], n))
        return result

    def actions(self, reports: list[Report] | None = None) -> dict[str, int]:
        chosen = self.reports if reports is None else reports
        result: dict[str, int] = {}
        for report in chosen:
            key = f"{report.category}/{report.action}"
            result[key] = result.get(key, 0) + 1
        return result


def preview(agency: Agency, month: str | dt.date) -> Preview:
    """Select the month's reports and run the edits (no permission check, nothing recorded)."""
    first = parse_month(month)
    selection = select(agency, first)
    result = Preview(agency=agency, month=first, selection=selection)
    for pk, data in selection.incidents.items():
        found = check(data, selection.actions[pk])
        if found:
            result.errors[pk] = found
    return result


def render(
    reports: list[Report], fmt: str, *, ori: str, month: dt.date, created: dt.datetime
) -> tuple[bytes, list[dict[str, Any]]]:
    """The file's bytes and, for XML, the schema problems of each document."""
    if fmt == "flat":
        return flat.render(reports, ori=ori, month=month, created=created), []
    problems: list[dict[str, Any]] = []
    buffer = io.BytesIO()
    stamp = timezone.localtime(created).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, report in enumerate(reports, start=1):
            message_id = f"{ori}-{month:%Y%m}-{created:%Y%m%d%H%M%S}-{n:05d}"
            document = xml.submission(report, ori=ori, month=month, created=created, message_id=message_id)
            errors = xml.validate(document)
            if errors:
                problems.append({"report": report.key, "errors": errors[:10]})
            info = zipfile.ZipInfo(f"{n:05d}-{report.key}.xml", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, document)
    return buffer.getvalue(), problems


def filename(submission: NibrsSubmission, ori: str) -> str:
    kind = "final" if submission.final else "preview"
    extension = "zip" if submission.format == "xml" else "txt"
    return f"nibrs-{ori}-{submission.month:%Y-%m}-{kind}-{submission.pk}.{extension}"


def build_export(
    agency: Agency, month: str | dt.date, fmt: str, user: Any, final: bool
) -> tuple[bytes, NibrsSubmission]:
    """Make the month's file; see the module docstring. Raises PermissionDenied or ExportError.

    ``user=None`` is the operator of the ``export-nibrs`` command (server access), recorded as such.
    """
    if user is not None:
        require_export(user, agency, final=final)
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}: choose xml or flat.")
    if not (agency.ori or "").strip():
        raise ExportError(f"{agency.name} has no ORI: NIBRS data cannot be reported without one.")
    result = preview(agency, month)
    if not result.reports:
        raise ExportError(f"Nothing to send for {result.month:%Y-%m}: every report of the month was already sent.")
    reports = result.included(final=final)
    if not reports:
        raise ExportError(
            f"Nothing can be submitted for {result.month:%Y-%m}: every incident has edit errors. "
            "Correct them, or make a preview to see them."
        )
    created = timezone.now()
    content, schema_problems = render(reports, fmt, ori=agency.ori, month=result.month, created=created)
    if final and schema_problems:
        raise ExportError("The XML does not validate against the NIBRS schema; nothing was submitted.")
    digest = hashlib.sha256(content).hexdigest()
    included_ids = sorted({r.incident.pk for r in reports if r.incident is not None})
    summary = {
        "counts": dict(result.counts(reports)),
        "actions": result.actions(reports),
        "incidents": len(included_ids),
        "excluded": sorted(pk for pk in result.errors if final),
        "errors": [e.as_dict() for errors in result.errors.values() for e in errors][:500],
        "error_count": result.error_count,
        "schema_errors": schema_problems[:50],
    }
    with transaction.atomic():
        submission = NibrsSubmission.objects.create(
            agency=agency,
            month=result.month,
            format=fmt,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            sha256=digest,
            report_count=len(reports),
            final=final,
            summary=summary,
        )
        if final:
            _mark_sent(result, included_ids, submission, created)
        AuditEvent.append(
            kind=AuditEvent.Kind.ACCESS,
            action=AuditEvent.Action.EXPORT,
            actor=user,
            **({} if user is not None else {"actor_repr": "export-nibrs command"}),
            content_type=ContentType.objects.get_for_model(Incident),
            object_repr=f"NIBRS {agency.ori} {result.month:%Y-%m} ({fmt}, {'final' if final else 'preview'})"[:200],
            agency_id=agency.pk,
            detail={
                "nibrs_submission": submission.pk,
                "month": f"{result.month:%Y-%m}",
                "format": fmt,
                "final": final,
                "sha256": digest,
                "report_count": len(reports),
                "object_ids": included_ids,
                "count": len(included_ids),
            },
        )
    return content, submission


def _mark_sent(result: Preview, incident_ids: list[int], submission: NibrsSubmission, sent_at: dt.datetime) -> None:
    existing = {
        s.incident_id: s for s in NibrsReportState.objects.select_for_update().filter(incident_id__in=incident_ids)
    }
    new_rows = []
    for pk in incident_ids:
        incident = result.selection.incidents[pk].incident
        action = result.selection.actions[pk]
        state = existing.get(pk)
        if state is None:
            new_rows.append(
                NibrsReportState(
                    incident_id=pk,
                    submission=submission,
                    version_sent=incident.version,
                    action_sent=action,
                    sent_at=sent_at,
                )
            )
            continue
        state.submission = submission
        state.version_sent = incident.version
        state.action_sent = action
        state.sent_at = sent_at
    NibrsReportState.objects.bulk_create(new_rows, batch_size=500)
    if existing:
        NibrsReportState.objects.bulk_update(
            list(existing.values()), ["submission", "version_sent", "action_sent", "sent_at"], batch_size=500
        )
