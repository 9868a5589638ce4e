"""The case packet PDF: an incident and everything recorded with it, for court or a hearing.

:func:`render_packet` lays out, with ReportLab's built-in fonts only:

1. a cover page (agency, incident number, title, purpose, when and by whom it was generated, the redaction
   choices and the notice that this is a law-enforcement record, not an education record);
2. the summary, the offenses and the involved persons;
3. the narrative and its dated supplements;
4. arrests, uses of force and restraint, and searches;
5. evidence with each custody event and, where the custody service can check it, the chain's verification;
6. the attachment list with each file's SHA-256, and a summary of the incident's audit trail.

Every page carries "Page X of Y" (a canvas that holds the pages until the total is known).

:func:`request_packet` queues a packet (the ``generate_packet`` task renders it) and :func:`give_packet` records
that a finished packet was given to an outside party.

Redaction follows the packet's choices. With ``minors_by_initials`` every student and anyone known to be under
18 is named by initials wherever they appear, and their full names are replaced in the narrative, supplements
and other free text; with ``hide_victim_contact`` victims' phone numbers and addresses are left out.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from srodesk.audit.models import AuditEvent
from srodesk.core.audit import audit_context
from srodesk.core.permissions import perm_name, require
from srodesk.people.models import Disclosure, Student
from srodesk.people.services import disclose

from .choices import PersonRole
from .models import (
    Arrest,
    Attachment,
    CasePacket,
    EvidenceItem,
    Incident,
    InvolvedPerson,
    Offense,
    Search,
    Supplement,
    UseOfForce,
)
from .nibrs import codes
from .tasks import generate_packet

NOTICE = "LAW ENFORCEMENT RECORD — not an education record"
NOTICE_DETAIL = (
    "Created and maintained by the law enforcement unit for a law enforcement purpose (34 CFR 99.8). It is not "
    "an education record under FERPA. Release it only as the law and the purpose stated on this page allow."
)
WITHHELD = "Withheld (redaction)"
PAGE_SIZE = LETTER
MARGIN = 0.75 * inch
FRAME_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
ADULT_AGE = 18
#: Persons print victims first, then offenders, suspects, witnesses, reporting parties and arrestees.
ROLE_ORDER = {role: n for n, role in enumerate(PersonRole.values)}

Progress = Callable[[int], None]


# --- text ----------------------------------------------------------------------------------------------


def _latin(value: str) -> str:
    """Text the standard PDF fonts can draw (Windows-1252): others fall back to ASCII, then to '?'."""
    out = []
    for char in value:
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            folded = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
            out.append(folded or "?")
        else:
            out.append(char)
    return "".join(out)


def _text(value: Any) -> str:
    """Escaped paragraph markup for any value; newlines become line breaks."""
    if value is None or value == "":
        return "—"
    text = _latin(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return escape(text).replace("\n", "<br/>")


def _when(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    return value.strftime("%Y-%m-%d")


def _codes(table: str, values: Iterable[str]) -> str:
    labelled = []
    for code in values or ():
        text = codes.label(table, str(code))
        labelled.append(f"{code} {text[:90]}".strip() if text else str(code))
    return "; ".join(labelled) or "—"


def _yes(value: bool | None) -> str:
    return "—" if value is None else ("Yes" if value else "No")


# --- redaction -----------------------------------------------------------------------------------------


def initials(*names: str) -> str:
    """``initials("Jordan", "Reyes")`` → ``"J.R."`` (each non-empty name part)."""
    letters = [part[0].upper() for name in names for part in re.split(r"[\s\-]+", name or "") if part]
    return "".join(f"{letter}." for letter in letters) or "?"


def _age_from_code(code: str) -> int | None:
    """The (upper) age of a NIBRS age code: ``15`` → 15, ``1517`` → 17, ``NN``/``NB``/``BB`` → 0."""
    code = (code or "").strip().upper()
    if code in {"NN", "NB", "BB"}:
        return 0
    if code.isdigit() and len(code) == 4:
        return int(code[2:])
    if code.isdigit() and code not in {"00"}:
        return int(code)
    return None


def _age_on(birth_date: dt.date | None, on: dt.date) -> int | None:
    if birth_date is None:
        return None
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


@dataclass
class Redactor:
    """Decides how each person is named in the packet and scrubs full names from free text."""

    by_initials: bool
    hide_victim_contact: bool
    on: dt.date
    #: Full-name spellings to replace in free text, with their replacement, longest first.
    _replacements: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    def is_minor(self, person: InvolvedPerson | None = None, *, student: Any = None, other: Any = None) -> bool:
        if student is not None or (person is not None and person.student_id is not None):
            return True
        age = _age_from_code(person.age_code) if person is not None else None
        if age is not None and age < ADULT_AGE:
            return True
        other = other if other is not None else (person.other_person if person is not None else None)
        born = _age_on(getattr(other, "birth_date", None), self.on)
        return born is not None and born < ADULT_AGE

    def name(self, person: InvolvedPerson) -> str:
        return self._name(person.student, person.staff_member, person.other_person, person.name, person=person)

    def student_name(self, student: Any) -> str:
        return "—" if student is None else self._name(student, None, None, "")

    def other_name(self, other: Any) -> str:
        return "—" if other is None else self._name(None, None, other, "")

    def _name(self, student: Any, staff: Any, other: Any, free: str, *, person: InvolvedPerson | None = None) -> str:
        if student is not None:
            full = str(student.display_name)
        elif staff is not None:
            full = str(staff.full_name)
        elif other is not None:
            full = str(other.full_name)
        else:
            full = free or "Unknown"
        if not self.by_initials or staff is not None:
            return full
        if not self.is_minor(person, student=student, other=other):
            return full
        if student is not None or other is not None:
            linked = student if student is not None else other
            short = initials(linked.given_name, linked.family_name)
            self._remember(short, *self._spellings(linked))
        else:
            short = initials(*(free.split() if free else ["Unknown"]))
            self._remember(short, free)
        return short

    @staticmethod
    def _spellings(person: Any) -> list[str]:
        given = [person.given_name, getattr(person, "preferred_given_name", "")]
        family = [person.family_name, getattr(person, "preferred_family_name", "")]
        middle = person.middle_name
        names = {f"{g} {f}" for g in given for f in family if g and f}
        names |= {f"{g} {middle} {f}" for g in given for f in family if g and f and middle}
        names |= {f"{f}, {g}" for g in given for f in family if g and f}
        return sorted(names, key=len, reverse=True)

    def _remember(self, short: str, *names: str) -> None:
        for name in names:
            words = [re.escape(w) for w in name.split() if w]
            if len(words) < 2:
                continue
            pattern = re.compile(r"\b" + r"\s+".join(words) + r"\b", re.IGNORECASE)
            if all(p.pattern != pattern.pattern for p, _ in self._replacements):
                self._replacements.append((pattern, short))
        self._replacements.sort(key=lambda pair: len(pair[0].pattern), reverse=True)

    def scrub(self, text: str) -> str:
        for pattern, short in self._replacements:
            text = pattern.sub(short, text)
        return text

    def contact(self, person: InvolvedPerson) -> tuple[str, str]:
        """(phone, address) as printed: withheld for victims when the packet hides victim contact details."""
        if self.hide_victim_contact and person.role == PersonRole.VICTIM:
            return WITHHELD, WITHHELD
        phone = person.contact_phone or getattr(person.other_person, "phone", "") or ""
        address = person.contact_address or getattr(person.other_person, "address", "") or ""
        return phone or "—", address or "—"


# --- custody verification ------------------------------------------------------------------------------


def custody_verification(item: EvidenceItem) -> tuple[bool, str] | None:
    """``(intact, text)`` from the custody service's check of the hash chain; ``None`` without that service."""
    try:
        from .custody import verify_item
    except ImportError:  # pragma: no cover - the custody service ships with the app
        return None
    result = verify_item(item)
    if result.ok:
        return True, f"Verified ({result}): each event links by hash to the one before it."
    return False, f"NOT VERIFIED: {result}."


# --- layout --------------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12.5)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceBefore=0, spaceAfter=0),
        "cellhead": ParagraphStyle("cellhead", parent=body, fontName="Helvetica-Bold", fontSize=8, leading=10),
        "mono": ParagraphStyle("mono", parent=body, fontName="Courier", fontSize=7, leading=9),
        "h1": ParagraphStyle("h1", parent=base["Heading1"], fontName="Helvetica-Bold", fontSize=15, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName="Helvetica-Bold", fontSize=12, spaceBefore=10),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontName="Helvetica-Bold", fontSize=10, spaceBefore=8),
        "title": ParagraphStyle(
            "title", parent=base["Title"], fontName="Helvetica-Bold", fontSize=22, leading=27, alignment=TA_CENTER
        ),
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER, fontSize=11, leading=15),
        "notice": ParagraphStyle(
            "notice", parent=body, fontName="Helvetica-Bold", fontSize=12, leading=15, alignment=TA_CENTER
        ),
    }


GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a8a8a")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)
FIELDS = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8c8c8")),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
)


def numbered_canvas(footer: str) -> type[Canvas]:
    """A canvas class that keeps every page until the end, then draws "Page X of Y" in each footer."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            width = PAGE_SIZE[0]
            self.saveState()
            self.setStrokeColor(colors.HexColor("#8a8a8a"))
            self.setLineWidth(0.4)
            self.line(MARGIN, 0.62 * inch, width - MARGIN, 0.62 * inch)
            self.setFont("Helvetica", 7.5)
            self.drawString(MARGIN, 0.45 * inch, _latin(footer))
            self.setFont("Helvetica-Bold", 8)
            self.drawRightString(width - MARGIN, 0.45 * inch, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


@dataclass
class RenderedPacket:
    pdf: bytes
    page_count: int


class _Builder:
    """Collects the flowables of one packet, section by section."""

    def __init__(self, packet: CasePacket, progress: Progress) -> None:
        self.packet = packet
        self.progress = progress
        self.styles = _styles()
        self.story: list[Flowable] = []
        self.incident = (
            Incident.objects.select_related("agency", "school", "district", "officer", "reviewed_by")
            .filter(pk=packet.incident_id)
            .get()
        )
        school = self.incident.school
        #: Times print in the school's time zone.
        self.zone = ZoneInfo(school.timezone) if school is not None else timezone.get_current_timezone()
        when = self.incident.when or self.incident.created_at or timezone.now()
        self.redactor = Redactor(
            by_initials=packet.minors_by_initials,
            hide_victim_contact=packet.hide_victim_contact,
            on=timezone.localtime(when, self.zone).date(),
        )

    # helpers ----------------------------------------------------------------------------------------
    def p(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(text, self.styles[style])

    def free(self, value: str | None, style: str = "body") -> Paragraph:
        """Free text: full names of redacted persons replaced, then escaped."""
        return self.p(_text(self.redactor.scrub(value or "")), style)

    def heading(self, text: str, level: str = "h2") -> None:
        if level == "h2":
            self.story.append(CondPageBreak(1.2 * inch))
        self.story.append(self.p(_text(text), level))

    def fields(self, rows: Sequence[tuple[str, Any]], *, raw: bool = False) -> Table:
        """A two-column table of labels and values (values are escaped unless ``raw``)."""
        data = [
            [self.p(f"<b>{_text(label)}</b>", "cell"), self.p(value if raw else _text(value), "cell")]
            for label, value in rows
        ]
        table = Table(data, colWidths=[1.75 * inch, FRAME_WIDTH - 1.75 * inch], splitInRow=1, hAlign="LEFT")
        table.setStyle(FIELDS)
        return table

    def grid(self, head: Sequence[str], rows: Sequence[Sequence[Any] | Flowable], widths: Sequence[float]) -> Table:
        """A table with a header row repeated on each page; cells are paragraphs (escaped text).

        A row given as a single flowable spans every column (a hash under the row it belongs to).
        """
        total = sum(widths)
        col_widths = [FRAME_WIDTH * w / total for w in widths]
        data: list[list[Any]] = [[self.p(_text(h), "cellhead") for h in head]]
        spans: list[tuple[str, tuple[int, int], tuple[int, int]]] = []
        for row in rows:
            if isinstance(row, Flowable):
                spans.append(("SPAN", (0, len(data)), (-1, len(data))))
                data.append([row] + [""] * (len(head) - 1))
                continue
            data.append([cell if isinstance(cell, Flowable) else self.p(_text(cell), "cell") for cell in row])
        table = Table(data, colWidths=col_widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
        table.setStyle(GRID)
        if spans:
            table.setStyle(TableStyle(spans))
        return table

    def none(self, what: str) -> None:
        self.story.append(self.p(f"<i>No {escape(what)} recorded.</i>"))

    # sections ---------------------------------------------------------------------------------------
    def cover(self) -> None:
        incident, packet = self.incident, self.packet
        agency = incident.agency
        s = self.story
        s.append(Spacer(1, 0.6 * inch))
        s.append(self.p(_text(agency.name), "center"))
        s.append(self.p(f"ORI {_text(agency.ori)}", "center"))
        s.append(Spacer(1, 0.35 * inch))
        s.append(self.p("Case packet", "title"))
        s.append(self.p(f"Incident {_text(incident.number or 'not numbered')}", "title"))
        s.append(Spacer(1, 0.1 * inch))
        s.append(self.free(incident.title, "center"))
        s.append(Spacer(1, 0.4 * inch))
        redaction = []
        if packet.minors_by_initials:
            redaction.append("students and persons under 18 are named by initials")
        if packet.hide_victim_contact:
            redaction.append("victims' phone numbers and addresses are withheld")
        generated_by = str(packet.requested_by) if packet.requested_by else "—"
        s.append(
            self.fields(
                [
                    ("Purpose", packet.purpose),
                    ("School", incident.school or "—"),
                    ("District", incident.district),
                    ("Generated at", _when(timezone.now())),
                    ("Generated by", generated_by),
                    ("Requested at", _when(packet.requested_at)),
                    ("Packet", f"#{packet.pk}"),
                    ("Redaction", "; ".join(redaction).capitalize() if redaction else "None: full names and contacts"),
                ]
            )
        )
        s.append(Spacer(1, 0.45 * inch))
        box = Table(
            [[self.p(escape(NOTICE), "notice")], [self.p(escape(NOTICE_DETAIL), "small")]],
            colWidths=[FRAME_WIDTH],
        )
        box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1.5, colors.black),
                    ("TOPPADDING", (0, 0), (-1, -1), 8),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                    ("LEFTPADDING", (0, 0), (-1, -1), 10),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ]
            )
        )
        s.append(box)
        s.append(PageBreak())

    def summary(self) -> None:
        i = self.incident
        self.heading("Summary", "h1")
        occurred = _when(i.occurred_at)
        if i.occurred_until:
            occurred = f"{occurred} to {_when(i.occurred_until)}"
        source = i.get_source_display()
        if i.referred_by:
            source = f"{source} ({self.redactor.scrub(i.referred_by)})"
        if i.reviewed_at:
            approval = f"{i.get_status_display()} {_when(i.reviewed_at)} by {i.reviewed_by or '—'}"
        else:
            approval = "Not reviewed"
        rows: list[tuple[str, Any]] = [
            ("Incident number", i.number or "—"),
            ("Title", self.redactor.scrub(i.title)),
            ("Status", i.get_status_display()),
            ("Occurred", occurred),
            ("Reported", _when(i.reported_at)),
            ("School", i.school or "—"),
            ("Location", self.redactor.scrub(i.location_detail) or "—"),
            ("NIBRS location type", f"{i.location_type} {codes.label('LocationCategoryCode', i.location_type)}"),
            ("Relation to the school", i.get_school_relation_display()),
            ("How it came to the officer", source),
            ("Reporting officer", i.officer or "—"),
            ("Submitted", _when(i.submitted_at)),
            ("Supervisor review", approval),
        ]
        if i.review_comment:
            rows.append(("Review comment", self.redactor.scrub(i.review_comment)))
        if i.cleared_exceptionally not in ("", "N"):
            rows.append(
                (
                    "Cleared exceptionally",
                    f"{i.get_cleared_exceptionally_display()} on {_when(i.exceptional_clearance_date)}",
                )
            )
        if i.closed_at:
            rows.append(("Closed", _when(i.closed_at)))
        if i.voided_at:
            rows.append(("Voided", f"{_when(i.voided_at)}: {self.redactor.scrub(i.void_reason)}"))
        rows.append(("Report version", i.version))
        self.story.append(self.fields(rows))

    def offenses(self, offenses: list[Offense]) -> None:
        self.heading("Offenses")
        if not offenses:
            self.none("offenses")
            return
        rows = [
            [
                f"{o.ucr_code} {codes.label('OffenseCode', o.ucr_code)}",
                o.get_attempted_completed_display(),
                _codes("ForceCategoryCode", o.weapons_force),
                _codes("OffenseFactorBiasMotivationCode", o.bias_motivations),
                _codes("CriminalActivityCategoryCode", o.criminal_activities),
                _codes("OffenseFactorCode", o.offender_suspected_of_using),
            ]
            for o in offenses
        ]
        head = ("Offense", "Att./compl.", "Weapon / force", "Bias", "Criminal activity", "Suspected of using")
        self.story.append(self.grid(head, rows, (2.6, 0.8, 1.2, 0.8, 1.0, 1.0)))

    def persons(self, persons: list[InvolvedPerson]) -> None:
        self.heading("Involved persons")
        if not persons:
            self.none("persons")
            return
        for person in persons:
            kind = "student" if person.student_id else "staff" if person.staff_member_id else "other person"
            name = self.redactor.name(person)
            phone, address = self.redactor.contact(person)
            rows: list[tuple[str, Any]] = [
                ("Name", name),
                ("Kind", kind),
                (
                    "Age / sex / race / ethnicity",
                    " / ".join(
                        [
                            person.age_code or "—",
                            person.get_sex_display() or "—",
                            person.get_race_display() or "—",
                            person.get_ethnicity_display() or "—",
                        ]
                    ),
                ),
            ]
            if person.role == PersonRole.VICTIM:
                rows.append(("Victim type", person.get_victim_type_display() or "—"))
                rows.append(("Injuries", _codes("InjuryCategoryCode", person.injuries)))
                offenses = ", ".join(o.ucr_code for o in person.offenses.all() if o.deleted_at is None)
                rows.append(("Victim of", offenses or "—"))
                relations = [
                    f"{self.redactor.name(r.offender)}: {r.get_relationship_display()}"
                    for r in person.relationships.all()
                    if r.deleted_at is None
                ]
                if relations:
                    rows.append(("Relationship to offenders", "; ".join(relations)))
            rows.append(("Phone", phone))
            rows.append(("Address", address))
            block: list[Flowable] = [
                self.p(_text(f"{person.get_role_display()} {person.sequence_number}: {name}"), "h3"),
                self.fields(rows),
            ]
            self.story.append(KeepTogether(block))
            if person.statement:
                self.story.append(self.p("<b>Statement</b>", "small"))
                self.story.append(self.free(person.statement))

    def narrative(self, supplements: list[Supplement]) -> None:
        self.heading("Narrative")
        if self.incident.narrative.strip():
            for part in re.split(r"\n\s*\n", self.incident.narrative.strip()):
                self.story.append(self.free(part))
        else:
            self.none("narrative")
        self.heading("Supplements")
        if not supplements:
            self.none("supplements")
            return
        for supplement in supplements:
            author = f" by {supplement.author}" if supplement.author else ""
            self.story.append(self.p(_text(f"Supplement of {_when(supplement.written_at)}{author}"), "h3"))
            for part in re.split(r"\n\s*\n", supplement.narrative.strip()):
                self.story.append(self.free(part))

    def arrests(self, arrests: list[Arrest]) -> None:
        self.heading("Arrests, citations and referrals")
        if not arrests:
            self.none("arrests")
            return
        for arrest in arrests:
            rows: list[tuple[str, Any]] = [
                ("Arrestee", self.redactor.name(arrest.arrestee)),
                ("Date", _when(arrest.arrest_date)),
                ("Type of arrest", arrest.get_arrest_type_display()),
                ("Arrest offense", f"{arrest.arrest_offense} {codes.label('OffenseCode', arrest.arrest_offense)}"),
                ("Armed with", _codes("ArresteeArmedWithCode", arrest.armed_with)),
                ("Multiple arrestees", arrest.get_multiple_arrestee_display()),
                ("Disposition under 18", arrest.get_juvenile_disposition_display() or "—"),
                ("Outcome", arrest.get_outcome_display() or "—"),
                ("Transaction number", arrest.transaction_number or "—"),
            ]
            if arrest.diversion_program:
                rows.append(("Diversion", f"{arrest.diversion_program}: {arrest.get_diversion_outcome_display()}"))
            if arrest.court_case_number:
                rows.append(("Court case number", arrest.court_case_number))
            if arrest.notes:
                rows.append(("Notes", self.redactor.scrub(arrest.notes)))
            self.story.append(self.p(_text(str(arrest)), "h3"))
            self.story.append(self.fields(rows))

    def force(self, reports: list[UseOfForce]) -> None:
        self.heading("Use of force and restraint")
        if not reports:
            self.none("uses of force or restraint")
            return
        for report in reports:
            duration = f"{report.duration_minutes} min" if report.duration_minutes is not None else "—"
            rows: list[tuple[str, Any]] = [
                ("Subject", self.redactor.name(report.subject)),
                ("Officer", report.officer or "—"),
                ("When", _when(report.occurred_at)),
                ("Kind", report.get_kind_display()),
                ("Methods", ", ".join(str(m).replace("_", " ") for m in report.methods) or "—"),
                ("Duration", duration),
                ("Reason", self.redactor.scrub(report.reason)),
                ("De-escalation tried", self.redactor.scrub(report.de_escalation) or "—"),
                ("Subject injured", _yes(report.subject_injured)),
                ("Officer injured", _yes(report.officer_injured)),
                ("Medical attention", _yes(report.medical_attention)),
                ("Parent notified", _when(report.parent_notified_at)),
                ("Supervisor notified", _when(report.supervisor_notified_at)),
            ]
            self.story.append(self.p(_text(f"{report.get_kind_display()}, {_when(report.occurred_at)}"), "h3"))
            self.story.append(self.fields(rows))

    def searches(self, searches: list[Search]) -> None:
        self.heading("Searches")
        if not searches:
            self.none("searches")
            return
        for search in searches:
            basis = search.get_legal_basis_display()
            if search.warrant_number:
                basis = f"{basis} (warrant {search.warrant_number})"
            whom = search.student or search.other_person
            searched = (
                self.redactor.student_name(search.student)
                if search.student
                else self.redactor.other_name(search.other_person)
                if whom
                else "—"
            )
            rows: list[tuple[str, Any]] = [
                ("When", _when(search.occurred_at)),
                ("What was searched", search.get_subject_display()),
                ("Whose", searched),
                ("Legal basis", basis),
                ("Conducted by", search.get_conducted_by_display()),
                ("Officer", search.officer or "—"),
                ("School official", search.school_official or "—"),
                ("Reason", self.redactor.scrub(search.reason)),
                ("Written justification", self.redactor.scrub(search.justification) or "—"),
                ("What was found", self.redactor.scrub(search.found) or "Nothing recorded"),
                ("Flagged for review", _yes(search.flagged)),
            ]
            self.story.append(self.p(_text(str(search)), "h3"))
            self.story.append(self.fields(rows))

    def evidence(self, items: list[EvidenceItem]) -> None:
        self.heading("Evidence and custody")
        if not items:
            self.none("evidence")
            return
        for item in items:
            source = (
                self.redactor.student_name(item.found_on_student)
                if item.found_on_student
                else self.redactor.other_name(item.found_on_other)
                if item.found_on_other
                else "—"
            )
            rows: list[tuple[str, Any]] = [
                ("Category", item.get_category_display()),
                ("Description", self.redactor.scrub(item.description)),
                ("Where found", self.redactor.scrub(item.where_found) or "—"),
                ("From", source),
                ("Collected", _when(item.collected_at)),
                ("Status", item.get_status_display()),
                ("Current location", item.current_location or "—"),
                ("Photos", len(item.photos.all())),
            ]
            self.story.append(self.p(_text(f"Item {item.number or item.pk}"), "h3"))
            self.story.append(self.fields(rows))
            events = list(item.custody_events.all())
            self.story.append(Spacer(1, 4))
            if events:
                table_rows: list[Sequence[Any] | Flowable] = []
                for e in events:
                    table_rows.append(
                        [
                            e.sequence,
                            e.get_action_display(),
                            _when(e.at),
                            e.by or "—",
                            " to ".join(x for x in (e.from_party, e.to_party) if x) or "—",
                            e.location or "—",
                            self.redactor.scrub(e.reason) or "—",
                        ]
                    )
                    table_rows.append(self.p(f"Event {e.sequence} hash: {_text(e.hash or '—')}", "mono"))
                head = ("#", "Action", "When", "By", "From / to", "Where", "Why")
                self.story.append(self.grid(head, table_rows, (0.3, 0.9, 1.2, 1.1, 1.3, 1.1, 1.6)))
            else:
                self.none("custody events")
            check = custody_verification(item) if events else None
            if check is not None:
                intact, text = check
                colour = "#1f6f2a" if intact else "#a11b1b"
                self.story.append(self.p(f'<font color="{colour}"><b>Chain of custody:</b> {_text(text)}</font>'))
            else:
                self.story.append(self.p("<b>Chain of custody:</b> events as recorded (not verified here)."))

    def attachments(self, attachments: list[Attachment]) -> None:
        self.heading("Attachments")
        if not attachments:
            self.none("attachments")
            return
        rows: list[Sequence[Any] | Flowable] = []
        for a in attachments:
            rows.append([a.name, a.description or "—", a.content_type or "—", f"{a.size:,} bytes"])
            rows.append(self.p(f"SHA-256: {_text(a.sha256 or '—')}", "mono"))
        self.story.append(self.grid(("File", "Description", "Type", "Size"), rows, (2, 2.4, 1.2, 0.9)))

    def audit(self) -> None:
        self.heading("Audit summary")
        events = AuditEvent.objects.for_object(self.incident)
        counts = dict(events.order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
        changes = events.filter(kind=AuditEvent.Kind.CHANGE)
        first = changes.order_by("seq").first()
        last = changes.order_by("-seq").first()

        def describe(event: AuditEvent | None) -> str:
            if event is None:
                return "—"
            return f"{_when(event.at)} by {event.actor_repr or 'system'} ({event.get_action_display().lower()})"

        rows: list[tuple[str, Any]] = [
            ("Changes recorded", counts.get(AuditEvent.Kind.CHANGE, 0)),
            ("Accesses recorded", counts.get(AuditEvent.Kind.ACCESS, 0)),
            ("Disclosures recorded", counts.get(AuditEvent.Kind.DISCLOSURE, 0)),
            ("First change", describe(first)),
            ("Last change", describe(last)),
        ]
        self.story.append(self.fields(rows))
        self.story.append(
            self.p(
                "Counts are of the incident report's own entries in the hash-chained audit log when this packet was "
                "generated; its parts (offenses, persons, evidence …) have their own entries.",
                "small",
            )
        )


def render_packet_document(packet: CasePacket, progress: Progress) -> RenderedPacket:
    """The packet's PDF and its page count; ``progress`` receives percentages from 0 to 95."""
    progress(0)
    builder = _Builder(packet, progress)
    with timezone.override(builder.zone):
        return _render(builder, packet, progress)


def _render(b: _Builder, packet: CasePacket, progress: Progress) -> RenderedPacket:
    incident = b.incident
    alive = {"incident": incident, "deleted_at__isnull": True}
    persons = sorted(
        InvolvedPerson.objects.filter(**alive)
        .select_related("student", "staff_member", "other_person")
        .prefetch_related("offenses", "relationships__offender__student", "relationships__offender__other_person")
        .prefetch_related("relationships__offender__staff_member"),
        key=lambda p: (ROLE_ORDER.get(p.role, len(ROLE_ORDER)), p.sequence_number, p.pk),
    )
    arrests = list(
        Arrest.objects.filter(**alive).select_related(
            "arrestee__student", "arrestee__staff_member", "arrestee__other_person"
        )
    )
    forces = list(
        UseOfForce.objects.filter(**alive).select_related(
            "officer", "subject__student", "subject__staff_member", "subject__other_person"
        )
    )
    searches = list(
        Search.objects.filter(**alive)
        .select_related("student", "other_person", "officer")
        .order_by("occurred_at", "pk")
    )
    evidence = list(
        EvidenceItem.objects.filter(**alive)
        .select_related("found_on_student", "found_on_other")
        .prefetch_related("photos", "custody_events__by")
        .order_by("collected_at", "pk")
    )
    # Everyone named anywhere is named first, so free text in every section is scrubbed of them.
    for person in persons:
        b.redactor.name(person)
    for search in searches:
        b.redactor.student_name(search.student)
        b.redactor.other_name(search.other_person)
    for item in evidence:
        b.redactor.student_name(item.found_on_student)
        b.redactor.other_name(item.found_on_other)
    progress(5)
    b.cover()
    b.summary()
    b.offenses(list(Offense.objects.filter(**alive)))
    progress(15)
    b.persons(persons)
    progress(25)
    b.narrative(list(Supplement.objects.filter(**alive).select_related("author")))
    progress(35)
    b.arrests(arrests)
    b.force(forces)
    b.searches(searches)
    progress(45)
    b.evidence(evidence)
    progress(60)
    b.attachments(list(Attachment.objects.filter(**alive)))
    b.audit()
    progress(70)
    buffer = io.BytesIO()
    footer = f"Incident {incident.number} · Case packet #{packet.pk} · {NOTICE}"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=0.9 * inch,
        title=_latin(f"Case packet {incident.number}"),
        author=_latin(incident.agency.name),
        subject=_latin(packet.purpose),
        creator="SRO Desk",
    )
    canvases: list[Canvas] = []
    base = numbered_canvas(footer)

    class Counting(base):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            canvases.append(self)

    doc.build(b.story, canvasmaker=Counting)
    progress(95)
    pages = len(canvases[-1]._pages) if canvases else 0
    return RenderedPacket(pdf=buffer.getvalue(), page_count=pages)


def render_packet(packet: CasePacket, progress: Progress) -> bytes:
    """The packet's PDF (see :func:`render_packet_document` for the page count as well)."""
    return render_packet_document(packet, progress).pdf


# --- workflows -----------------------------------------------------------------------------------------

#: The fields of a handover to an outside party (those of a student disclosure that apply to a packet).
HANDOVER_FIELDS = frozenset(
    {
        "disclosed_at",
        "recipient_name",
        "recipient_organization",
        "recipient_kind",
        "basis",
        "purpose",
        "threat_description",
        "court_order_reference",
        "parent_notified_on",
    }
)


def request_packet(
    *, actor: Any, incident: Incident, purpose: str, minors_by_initials: bool, hide_victim_contact: bool
) -> CasePacket:
    """Queue a case packet of ``incident``; the ``generate_packet`` task runs once the transaction commits.

    The actor needs ``export`` on the incident (``PermissionDenied`` otherwise; nothing is written).
    """
    require(actor, perm_name(Incident, "export"), incident)
    with transaction.atomic():
        packet = CasePacket.objects.create(
            incident=incident,
            requested_by=actor,
            purpose=purpose.strip(),
            minors_by_initials=minors_by_initials,
            hide_victim_contact=hide_victim_contact,
        )
        packet_id = packet.pk
        transaction.on_commit(lambda: generate_packet.enqueue(packet_id))
    return packet


@dataclass(frozen=True)
class Handover:
    """A packet given to an outside party: the incident's disclosure row and each student's disclosure."""

    event: AuditEvent
    disclosures: list[Any]
    #: Students whose own disclosure log the actor may not write (recorded in the incident's row).
    not_logged: list[Any]


def give_packet(*, actor: Any, packet: CasePacket, **fields: Any) -> Handover:
    """Record that a generated packet was given to an outside party.

    Writes one ``disclosure`` audit row for the incident (recipient, organisation, legal basis, purpose, the
    packet's SHA-256) and, for each student involved, a disclosure in the student's log through
    :func:`srodesk.people.services.disclose` where the actor may record one. Raises ``PermissionDenied``
    without ``export`` on the incident and ``ValidationError`` (naming the field) for an incomplete entry or a
    packet that is not ready; nothing is written in either case.
    """
    incident = packet.incident
    require(actor, perm_name(Incident, "export"), incident)
    unknown = set(fields) - HANDOVER_FIELDS
    if unknown:
        raise TypeError(f"give_packet() got unexpected fields: {', '.join(sorted(unknown))}")
    if packet.status != CasePacket.Status.DONE:
        raise ValidationError("Only a generated packet can be given to an outside party.")
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    fields["disclosed_at"] = fields.get("disclosed_at") or timezone.now()
    errors: dict[str, str] = {}
    for name, message in (
        ("recipient_name", "Name the person who received the packet."),
        ("recipient_organization", "Name the recipient's organisation (court, prosecutor, agency …)."),
        ("recipient_kind", "Choose the kind of recipient."),
        ("purpose", "State the purpose of the disclosure."),
    ):
        if not fields.get(name):
            errors[name] = message
    # The legal-basis rules of a student disclosure (emergency needs the threat, a subpoena its reference).
    try:
        Disclosure(
            basis=fields.get("basis") or "",
            threat_description=fields.get("threat_description") or "",
            court_order_reference=fields.get("court_order_reference") or "",
        ).clean()
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if fields["disclosed_at"] > timezone.now() + dt.timedelta(minutes=5):
        errors["disclosed_at"] = "A disclosure is recorded after it happens: the time is in the future."
    if errors:
        raise ValidationError(errors)

    student_ids = (
        InvolvedPerson.objects.filter(incident=incident, deleted_at__isnull=True, student__isnull=False)
        .values_list("student_id", flat=True)
        .distinct()
    )
    students = list(Student.objects.filter(pk__in=student_ids).order_by("pk"))
    records = (
        f"Case packet #{packet.pk} of incident {incident.number} (law-enforcement record, "
        f"{packet.page_count} pages, SHA-256 {packet.sha256})"
    )
    disclosures: list[Any] = []
    not_logged: list[Any] = []
    with transaction.atomic(), audit_context(actor=actor, reason=f"Case packet given: {fields['purpose']}"[:255]):
        for student in students:
            try:
                with transaction.atomic():
                    disclosures.append(
                        disclose(
                            actor=actor,
                            student=student,
                            disclosed_at=fields["disclosed_at"],
                            recipient_name=fields["recipient_name"],
                            recipient_organization=fields["recipient_organization"],
                            recipient_kind=fields["recipient_kind"],
                            basis=fields["basis"],
                            legitimate_interest=fields["purpose"],
                            records_disclosed=records,
                            threat_description=fields.get("threat_description") or "",
                            court_order_reference=fields.get("court_order_reference") or "",
                            parent_notified_on=fields.get("parent_notified_on"),
                        )
                    )
            except PermissionDenied:
                not_logged.append(student)
        event = AuditEvent.append(
            kind=AuditEvent.Kind.DISCLOSURE,
            action=AuditEvent.Action.EXPORT,
            actor=actor,
            content_type=ContentType.objects.get_for_model(Incident),
            object_id=str(incident.pk),
            object_repr=str(incident)[:200],
            detail={
                "case_packet": packet.pk,
                "sha256": packet.sha256,
                "disclosed_at": fields["disclosed_at"],
                "recipient_name": fields["recipient_name"],
                "recipient_organization": fields["recipient_organization"],
                "recipient_kind": fields["recipient_kind"],
                "basis": fields["basis"],
                "purpose": fields["purpose"],
                "court_order_reference": fields.get("court_order_reference") or "",
                "students": [s.pk for s in students],
                "student_disclosures": [d.pk for d in disclosures],
                "students_not_logged": [s.pk for s in not_logged],
            },
            **AuditEvent.scope_ids(incident),
        )
    return Handover(event=event, disclosures=disclosures, not_logged=not_logged)
