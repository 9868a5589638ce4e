"""The NIBRS fixed-length flat file (Technical Specification 3.2): one CRLF-terminated record per segment.

Every record begins with the header: 1–4 record length, 5 segment level, 6 action type, 7–8 month and 9–12
year of submission (the month the file is made), 13–16 city indicator (blank), 17–25 ORI, 26–37 incident
number (the arrest transaction number on level 7, twelve zeros on level 0). Lengths:

=========================  ======  ==================================================================
Administrative (level 1)   87      without the optional cargo-theft position 88
Offense (2)                63      one bias motivation (positions 62–63)
Property (3)               307
Victim (4)                 129     without the optional LEOKA positions 130–141
Offender (5)               46      with offender ethnicity (position 46)
Group A arrestee (6)       110
Group B arrest (7)         66
Zero report (0)            43
=========================  ======  ==================================================================

A replaced Group A incident is written as a delete (level 1, action D) followed by the whole incident again
(action I), the way the specification replaces an incident; XML uses action R instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from srodesk.incidents.models import Arrest, InvolvedPerson, Property

from . import ages, codes, offenses
from .reports import GROUP_A, GROUP_B, ZERO, IncidentData, Report

LENGTHS = {"0": 43, "1": 87, "2": 63, "3": 307, "4": 129, "5": 46, "6": 110, "7": 66}
CRLF = "\r\n"


class Record:
    """A fixed-length record, written field by field at 1-based positions."""

    def __init__(self, level: str, action: str, submitted: dt.date, ori: str, number: str) -> None:
        self.level = level
        self.chars = [" "] * LENGTHS[level]
        self.put(1, f"{LENGTHS[level]:04d}", 4)
        self.put(5, level, 1)
        self.put(6, action, 1)
        self.put(7, f"{submitted:%m}", 2)
        self.put(9, f"{submitted:%Y}", 4)
        self.put(17, ori, 9)
        self.put(26, number, 12)

    def put(self, position: int, value: object, width: int) -> None:
        text = "" if value is None else str(value)
        text = text.encode("ascii", "replace").decode("ascii")[:width].ljust(width)
        self.chars[position - 1 : position - 1 + width] = list(text)

    def __str__(self) -> str:
        line = "".join(self.chars)
        if len(line) != LENGTHS[self.level]:
            raise ValueError(f"A level {self.level} record is {LENGTHS[self.level]} characters, not {len(line)}.")
        return line


def _date(value: dt.date | None) -> str:
    return f"{value:%Y%m%d}" if value else ""


def _weapon(code: str) -> tuple[str, str]:
    return code[:2], code[2:3]


def _number(value: int | None, width: int) -> str:
    return f"{value:0{width}d}" if value is not None else ""


def _quantity(value: Decimal | None) -> str:
    """Twelve digits: nine whole, three thousandths."""
    if value is None:
        return ""
    whole = int(value)
    thousandths = int(((value - whole) * 1000).to_integral_value())
    return f"{whole:09d}{thousandths:03d}"


class Writer:
    def __init__(self, *, ori: str, month: dt.date, created: dt.datetime) -> None:
        self.ori = ori
        self.month = month
        self.submitted = timezone.localdate(created)

    def record(self, level: str, action: str, number: str) -> Record:
        return Record(level, action, self.submitted, self.ori, number)

    def report(self, report: Report) -> list[str]:
        if report.category == ZERO:
            record = self.record("0", report.action, "0" * 12)
            record.put(38, f"{self.month:%m}", 2)
            record.put(40, f"{self.month:%Y}", 4)
            return [str(record)]
        data = report.incident_data()
        if report.category == GROUP_B:
            return [self.group_b(data, report.arrest_row(), report.action)]
        if report.category != GROUP_A:
            raise ValueError(f"Unknown report category {report.category!r}.")
        if report.action == "D":
            return [self.administrative(data, "D")]
        lines: list[str] = []
        if report.action == "R":
            lines.append(self.administrative(data, "D"))
        return lines + self.group_a(data)

    # --- Group A --------------------------------------------------------------------------------
    def administrative(self, data: IncidentData, action: str) -> str:
        incident = data.incident
        record = self.record("1", action, incident.number)
        if incident.occurred_at is not None:
            local = timezone.localtime(incident.occurred_at)
            record.put(38, f"{local:%Y%m%d}", 8)
            if action != "D":
                record.put(47, f"{local:%H}", 2)
        elif incident.reported_at is not None:
            record.put(38, f"{timezone.localtime(incident.reported_at):%Y%m%d}", 8)
            record.put(46, "R", 1)
        if action != "D":
            cleared = incident.cleared_exceptionally or "N"
            record.put(49, cleared, 1)
            if cleared != "N":
                record.put(50, _date(incident.exceptional_clearance_date), 8)
        return str(record)

    def group_a(self, data: IncidentData) -> list[str]:
        number = data.incident.number
        lines = [self.administrative(data, "I")]
        for offense in data.group_a_offenses:
            record = self.record("2", "I", number)
            record.put(38, offense.ucr_code, 3)
            record.put(41, offense.attempted_completed, 1)
            for i, code in enumerate(offense.offender_suspected_of_using[:3]):
                record.put(42 + i, code, 1)
            record.put(45, offense.location_type or data.incident.location_type, 2)
            record.put(47, _number(offense.premises_entered, 2), 2)
            record.put(49, offense.method_of_entry, 1)
            for i, code in enumerate(offense.criminal_activities[:3]):
                record.put(50 + i, code, 1)
            for i, code in enumerate(offense.weapons_force[:3]):
                kind, automatic = _weapon(code)
                record.put(53 + 3 * i, kind, 2)
                record.put(55 + 3 * i, automatic, 1)
            bias = (offense.bias_motivations or ["NONE"])[0]
            record.put(62, codes.flat_code("OffenseFactorBiasMotivationCode", bias), 2)
            lines.append(str(record))
        if any(offenses.requires_property(o.ucr_code) for o in data.group_a_offenses):
            lines.extend(self.property_records(number, data.properties))
        for victim in data.victims:
            lines.append(self.victim(data, victim))
        offenders = data.offenders
        if offenders:
            lines.extend(self.offender(number, o, data.offender_numbers[o.pk]) for o in offenders)
        else:
            record = self.record("5", "I", number)
            record.put(38, "00", 2)
            lines.append(str(record))
        for index, arrest in enumerate(data.group_a_arrests, start=1):
            lines.append(self.arrestee(data, arrest, index))
        return lines

    def property_records(self, number: str, items: Iterable[Property]) -> list[str]:
        by_loss: dict[str, list[Property]] = {}
        for item in items:
            by_loss.setdefault(item.loss_type, []).append(item)
        lines = []
        for loss, group in by_loss.items():
            record = self.record("3", "I", number)
            record.put(38, codes.flat_code("ItemStatusCode", loss), 1)
            described = [p for p in group if p.description_code][:10]
            for i, item in enumerate(described):
                base = 39 + 19 * i
                record.put(base, item.description_code, 2)
                record.put(base + 2, _number(item.value, 9), 9)
                record.put(base + 11, _date(item.recovered_on), 8)
            drugs = [p for p in group if p.drug_type][:3]
            for i, item in enumerate(drugs):
                base = 233 + 15 * i
                record.put(base, item.drug_type, 1)
                record.put(base + 1, _quantity(item.drug_quantity), 12)
                record.put(base + 13, item.drug_measure, 2)
            lines.append(str(record))
        return lines

    def victim(self, data: IncidentData, victim: InvolvedPerson) -> str:
        record = self.record("4", "I", data.incident.number)
        record.put(38, _number(data.victim_numbers[victim.pk], 3), 3)
        connected = [o for o in data.victim_offenses(victim) if offenses.is_group_a(o.ucr_code)]
        for i, offense in enumerate(connected[:10]):
            record.put(41 + 3 * i, offense.ucr_code, 3)
        record.put(71, victim.victim_type, 1)
        if victim.victim_type in ("I", "L"):
            record.put(72, ages.flat(victim.age_code), 4)
            record.put(76, victim.sex, 1)
            record.put(77, victim.race, 1)
            record.put(78, victim.ethnicity, 1)
            record.put(79, victim.resident_status, 1)
        for i, code in enumerate(victim.assault_circumstances[:2]):
            record.put(80 + 2 * i, code, 2)
        for i, code in enumerate(victim.injuries[:5]):
            record.put(85 + i, code, 1)
        offender_seq = data.offender_numbers
        rows = [r for r in data.relationships_of(victim) if r.offender_id in offender_seq][:10]
        for i, row in enumerate(rows):
            record.put(90 + 4 * i, _number(offender_seq[row.offender_id], 2), 2)
            record.put(92 + 4 * i, codes.flat_code("VictimToSubjectRelationshipCode", row.relationship), 2)
        return str(record)

    def offender(self, number: str, offender: InvolvedPerson, sequence: int) -> str:
        record = self.record("5", "I", number)
        record.put(38, _number(sequence, 2), 2)
        record.put(40, ages.flat(offender.age_code or ages.UNKNOWN), 4)
        record.put(44, offender.sex or "U", 1)
        record.put(45, offender.race or "U", 1)
        record.put(46, offender.ethnicity or "U", 1)
        return str(record)

    def _arrest_fields(self, record: Record, arrest: Arrest, person: InvolvedPerson, start: int) -> None:
        """Type of arrest … disposition, from ``start`` (position of data element 43 less one for level 7)."""
        for i, code in enumerate((arrest.armed_with or ["01"])[:2]):
            kind, automatic = _weapon(code)
            record.put(start + 3 * i, kind, 2)
            record.put(start + 2 + 3 * i, automatic, 1)
        record.put(start + 6, ages.flat(person.age_code), 4)
        record.put(start + 10, person.sex, 1)
        record.put(start + 11, person.race, 1)
        record.put(start + 12, person.ethnicity, 1)
        record.put(start + 13, person.resident_status, 1)
        record.put(start + 14, arrest.juvenile_disposition, 1)

    def arrestee(self, data: IncidentData, arrest: Arrest, index: int) -> str:
        record = self.record("6", "I", data.incident.number)
        record.put(38, _number(index, 2), 2)
        record.put(40, arrest.transaction_number, 12)
        record.put(52, _date(arrest.arrest_date), 8)
        record.put(60, arrest.arrest_type, 1)
        record.put(61, arrest.multiple_arrestee or "N", 1)
        record.put(62, arrest.arrest_offense, 3)
        self._arrest_fields(record, arrest, data.arrestee(arrest), 65)
        return str(record)

    def group_b(self, data: IncidentData, arrest: Arrest, action: str) -> str:
        record = self.record("7", action, arrest.transaction_number)
        record.put(38, "01", 2)
        record.put(40, _date(arrest.arrest_date), 8)
        if action != "D":
            record.put(48, arrest.arrest_type, 1)
            record.put(49, arrest.arrest_offense, 3)
            self._arrest_fields(record, arrest, data.arrestee(arrest), 52)
        return str(record)


def render(reports: Iterable[Report], *, ori: str, month: dt.date, created: dt.datetime) -> bytes:
    writer = Writer(ori=ori, month=month, created=created)
    lines: list[str] = []
    for report in reports:
        lines.extend(writer.report(report))
    return "".join(line + CRLF for line in lines).encode("ascii")
