"""RFC 5545 output: CRLF line ends, 75-octet folding that never splits a character, escaped text."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from srodesk.drills import ical

STAMP = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def drill(**fields: Any) -> Any:
    values: dict[str, Any] = {
        "pk": 7,
        "drill_type": "lockdown",
        "status": "scheduled",
        "scheduled_for": dt.datetime(2026, 12, 3, 15, 0, tzinfo=dt.UTC),
        "conducted_at": None,
        "duration_seconds": None,
        "conducted_by": "",
        "law_enforcement_observed": False,
        "law_enforcement_agency": "",
        "fire_department_participated": False,
        "updated_at": dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC),
        "school": SimpleNamespace(name="Riverside High"),
        "get_time_of_day_display": lambda: "During instruction",
    }
    values.update(fields)
    return SimpleNamespace(**values)


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def test_calendar_structure_and_line_endings() -> None:
    text = ical.calendar([drill()], name="Drills – Riverside High", host="srodesk.example", stamp=STAMP)
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line break is a CRLF
    lines = unfold(text).split("\r\n")[:-1]
    assert lines == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//SRO Desk//Drills//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Drills – Riverside High",
        "BEGIN:VEVENT",
        "UID:drill-7@srodesk.example",
        "DTSTAMP:20261120T120000Z",
        "LAST-MODIFIED:20261101T093000Z",
        "DTSTART:20261203T150000Z",
        "DTEND:20261203T153000Z",
        "SUMMARY:Lockdown drill – Riverside High",
        "DESCRIPTION:Standard Response Protocol action: Lockdown. When: During instruction.",
        "CATEGORIES:Drill,Lockdown",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]


def test_long_lines_fold_at_75_octets_without_splitting_characters() -> None:
    officer = "Ofc. Zoë Ñúñez, Riverside Police Department; badge 4471, with the K-9 unit " * 3
    text = ical.calendar(
        [drill(conducted_by=officer, law_enforcement_observed=True, law_enforcement_agency="Riverside PD")],
        name="Drills",
        host="h",
        stamp=STAMP,
    )
    physical = text.split("\r\n")[:-1]
    assert max(len(line.encode("utf-8")) for line in physical) <= 75
    assert any(line.startswith(" ") for line in physical)  # the description was folded
    for line in physical:
        line.encode("utf-8").decode("utf-8")  # no line ends inside a multi-byte character
    description = next(line for line in unfold(text).split("\r\n") if line.startswith("DESCRIPTION:"))
    assert "Conducted by: Ofc. Zoë Ñúñez\\, Riverside Police Department\\; badge 4471\\," in description
    assert description.endswith("Observed by law enforcement: Riverside PD.")


def test_fold_exact_boundary() -> None:
    assert ical.fold("X" * 75) == "X" * 75
    assert ical.fold("X" * 76) == "X" * 75 + "\r\n X"
    folded = ical.fold("é" * 40)  # 80 octets: 37 characters (74 octets) fit on the first line
    assert folded.split("\r\n ")[0] == "é" * 37


def test_text_escaping() -> None:
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_cancelled_and_conducted_drills() -> None:
    cancelled = drill(pk=1, status="cancelled")
    done = drill(
        pk=2,
        status="conducted",
        conducted_at=dt.datetime(2026, 10, 1, 14, 5, tzinfo=dt.UTC),
        duration_seconds=312,
        drill_type="fire",
    )
    undated = drill(pk=3, scheduled_for=None)
    text = unfold(ical.calendar([cancelled, done, undated], name="D", host="h", stamp=STAMP))
    assert text.count("BEGIN:VEVENT") == 2
    assert "UID:drill-1@h\r\nDTSTAMP:20261120T120000Z" in text
    assert "STATUS:CANCELLED" in text
    assert "DTSTART:20261001T140500Z\r\nDTEND:20261001T141012Z" in text
    assert "CATEGORIES:Drill,Evacuate" in text
