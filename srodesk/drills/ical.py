"""iCalendar (RFC 5545) feed of a school's drills.

Lines end in CRLF and are folded at 75 octets (a CRLF and one space; a UTF-8 character is never split);
TEXT values escape backslash, semicolon, comma and newlines. Times are written in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from .choices import SRP_ACTION, DrillStatus, DrillType

PRODID = "-//SRO Desk//Drills//EN"
DRILL_LENGTH = dt.timedelta(minutes=30)
MAX_OCTETS = 75


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets (RFC 5545 §3.1)."""
    out: list[str] = []
    current = b""
    limit = MAX_OCTETS
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current = b""
            limit = MAX_OCTETS - 1  # continuation lines start with a space
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(drill: Any, *, host: str, stamp: dt.datetime) -> list[str]:
    start = drill.conducted_at if drill.status == DrillStatus.CONDUCTED and drill.conducted_at else drill.scheduled_for
    length = dt.timedelta(seconds=drill.duration_seconds) if drill.duration_seconds else DRILL_LENGTH
    kind = DrillType(drill.drill_type)
    summary = f"{kind.label} drill – {drill.school.name}"
    details = [f"Standard Response Protocol action: {SRP_ACTION[kind]}.", f"When: {drill.get_time_of_day_display()}."]
    if drill.conducted_by:
        details.append(f"Conducted by: {drill.conducted_by}.")
    if drill.law_enforcement_observed:
        details.append(f"Observed by law enforcement: {drill.law_enforcement_agency}.")
    if drill.fire_department_participated:
        details.append("With the local fire department.")
    status = {
        DrillStatus.SCHEDULED: "CONFIRMED",
        DrillStatus.CONDUCTED: "CONFIRMED",
        DrillStatus.CANCELLED: "CANCELLED",
    }[DrillStatus(drill.status)]
    return [
        "BEGIN:VEVENT",
        f"UID:drill-{drill.pk}@{host}",
        f"DTSTAMP:{utc(stamp)}",
        f"LAST-MODIFIED:{utc(drill.updated_at)}",
        f"DTSTART:{utc(start)}",
        f"DTEND:{utc(start + length)}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(' '.join(details))}",
        f"CATEGORIES:Drill,{SRP_ACTION[kind]}",
        f"STATUS:{status}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]


def calendar(drills: Iterable[Any], *, name: str, host: str, stamp: dt.datetime) -> str:
    """The VCALENDAR text of the drills (those with no date are left out)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for drill in drills:
        if drill.scheduled_for is None and drill.conducted_at is None:
            continue
        lines += _event(drill, host=host, stamp=stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
