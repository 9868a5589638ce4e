"""The FBI NIBRS edit rules SRO Desk runs before an export.

Each error carries the FBI error number and the rule's message as the FBI edit-rule table words it
(``data/<version>/edit-rules/Rules.csv``), the incident it belongs to and the segment and field at fault.
An incident with errors is left out of a final submission (a preview still shows it). ``IMPLEMENTED`` lists
the rules covered; docs/nibrs.md describes them.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass

from srodesk.incidents.models import Arrest, Incident, InvolvedPerson, Offense

from . import ages, codes, offenses
from .reports import IncidentData, load

ADMIN, OFFENSE, PROPERTY, VICTIM, OFFENDER, ARRESTEE, GROUP_B_ARREST = (
    "Administrative",
    "Offense",
    "Property",
    "Victim",
    "Offender",
    "Arrestee",
    "Group B arrest",
)

#: Rule number → what SRO Desk checks under it.
IMPLEMENTED: dict[str, str] = {
    "065": "Each Group A offense has at least one victim connected to it.",
    "070": "A victim–offender relationship names an offender of the same incident.",
    "074": "A property segment exists when an offense needs one (kidnapping, property, drug, gambling).",
    "075": "A Group A incident has at least one victim.",
    "076": "No property segment unless an offense needs one.",
    "101": "Mandatory: ORI, incident number, incident date, cleared exceptionally.",
    "117": "The incident number has only A–Z, 0–9 and hyphens.",
    "153": "No exceptional clearance date when not cleared exceptionally.",
    "156": "An exceptional clearance date when cleared exceptionally (A–E).",
    "201": "Mandatory: UCR offense code, attempted/completed, location type, offender suspected of using.",
    "205": "Location 58 (cyberspace) only with the offenses that allow it.",
    "251": "Attempted/completed is A or C.",
    "256": "Assaults and homicides are completed.",
    "375": "A property description when the loss is burned, counterfeited, destroyed, recovered, seized or stolen.",
    "401": "Mandatory: type of victim and the offenses the victim is connected to.",
    "409": "Victim age is a valid age code.",
    "410": "Victim age range: first age below the second.",
    "422": "Victim age range does not start with 00.",
    "453": "Age, sex and race of an individual victim.",
    "460": "A relationship between each individual victim of a crime against a person and each known offender.",
    "464": "A victim of a crime against a person is an individual or a law-enforcement officer.",
    "465": "The victim of a crime against society is society/public.",
    "509": "Offender age is a valid age code.",
    "510": "Offender age range: first age below the second.",
    "522": "Offender age range does not start with 00.",
    "601": "Mandatory (arrestee): transaction number, arrest date, type, multiple-arrestee indicator, offense, "
    "armed with, age, sex, race.",
    "604": "Type of arrest is O, S or T.",
    "609": "Arrestee age is a valid age code.",
    "610": "Arrestee age range: first age below the second.",
    "622": "Arrestee age range does not start with 00.",
    "652": "Juvenile disposition when the arrestee is under 18.",
    "653": "No juvenile disposition when the arrestee is 18 or over.",
    "665": "The arrest is not before the incident date.",
    "701": "Mandatory (Group B arrest): as 601.",
    "704": "Type of arrest is O, S or T (Group B arrest).",
    "709": "Arrestee age is a valid age code (Group B arrest).",
    "710": "Arrestee age range: first age below the second (Group B arrest).",
    "722": "Arrestee age range does not start with 00 (Group B arrest).",
    "752": "Juvenile disposition when the arrestee is under 18 (Group B arrest).",
    "753": "No juvenile disposition when the arrestee is 18 or over (Group B arrest).",
}

_INCIDENT_NUMBER = re.compile(r"^[A-Z0-9-]+$")
ARREST_TYPES = frozenset({"O", "S", "T"})
PROPERTY_DESCRIPTION_REQUIRED = frozenset(
    {"BURNED", "COUNTERFEITED", "DESTROYED_DAMAGED_VANDALIZED", "RECOVERED", "SEIZED", "STOLEN"}
)


@functools.cache
def rule_messages(version: str = codes.CURRENT_VERSION) -> dict[str, str]:
    """``{"074": "PROPERTY SEGMENT MUST EXIST WITH THIS OFFENSE", …}`` from the FBI edit-rule table."""
    path = codes.data_dir(version) / "edit-rules" / "Rules.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    result: dict[str, str] = {}
    for row in rows[1:]:
        if len(row) < 5 or not row[2].strip().isdigit():
            continue
        number = f"{int(row[2]):03d}"
        message = " ".join(row[4].split())
        if message and number not in result:
            result[number] = message
    return result


def message(number: str) -> str:
    return rule_messages().get(number, "")


@dataclass(frozen=True)
class EditError:
    number: str
    message: str
    incident_id: int | None
    incident_number: str
    segment: str
    field: str
    subject: str = ""
    detail: str = ""

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "number": self.number,
            "message": self.message,
            "incident_id": self.incident_id,
            "incident_number": self.incident_number,
            "segment": self.segment,
            "field": self.field,
            "subject": self.subject,
            "detail": self.detail,
        }


class _Checker:
    def __init__(self, data: IncidentData) -> None:
        self.data = data
        self.incident: Incident = data.incident
        self.errors: list[EditError] = []

    def add(self, number: str, segment: str, field: str, subject: str = "", detail: str = "") -> None:
        self.errors.append(
            EditError(
                number=number,
                message=message(number),
                incident_id=self.incident.pk,
                incident_number=self.incident.number,
                segment=segment,
                field=field,
                subject=subject,
                detail=detail,
            )
        )

    # --- Level 1 --------------------------------------------------------------------------------
    def administrative(self, *, delete: bool = False) -> None:
        incident = self.incident
        if not (incident.agency.ori or "").strip():
            self.add("101", ADMIN, "agency", detail="The agency has no ORI.")
        if not incident.number.strip():
            self.add("101", ADMIN, "number", detail="The incident has no number.")
        elif not _INCIDENT_NUMBER.match(incident.number) or len(incident.number) > 12:
            self.add("117", ADMIN, "number", detail=f"Incident number {incident.number!r}.")
        if incident.occurred_at is None and incident.reported_at is None:
            self.add("101", ADMIN, "occurred_at", detail="Neither the incident date nor the report date is recorded.")
        if delete:
            return
        cleared = (incident.cleared_exceptionally or "").strip()
        if not cleared:
            self.add("101", ADMIN, "cleared_exceptionally", detail="Cleared exceptionally is blank (N if not).")
        elif cleared == "N" and incident.exceptional_clearance_date is not None:
            self.add("153", ADMIN, "exceptional_clearance_date", detail="Not cleared exceptionally, but a date is set.")
        elif cleared != "N" and incident.exceptional_clearance_date is None:
            self.add("156", ADMIN, "exceptional_clearance_date", detail=f"Cleared exceptionally ({cleared}), no date.")

    # --- Level 2 --------------------------------------------------------------------------------
    def offense_segments(self) -> None:
        data = self.data
        for offense in data.offenses:
            if not (offense.ucr_code or "").strip():
                self.add("201", OFFENSE, "ucr_code", "Offense", "An offense has no UCR offense code.")
        for offense in data.group_a_offenses:
            subject = f"Offense {offense.ucr_code}"
            code = offense.ucr_code
            if not offense.attempted_completed:
                self.add("201", OFFENSE, "attempted_completed", subject, "Attempted/completed is blank.")
            elif offense.attempted_completed not in ("A", "C"):
                self.add("251", OFFENSE, "attempted_completed", subject, f"{offense.attempted_completed!r}.")
            elif code in offenses.ALWAYS_COMPLETED and offense.attempted_completed != "C":
                self.add("256", OFFENSE, "attempted_completed", subject, f"{code} is recorded as attempted.")
            location = offense.location_type or self.incident.location_type
            if not location:
                self.add("201", OFFENSE, "location_type", subject, "No location type.")
            elif location == offenses.CYBERSPACE and not offenses.allows_cyberspace(code):
                self.add("205", OFFENSE, "location_type", subject, f"{code} cannot be located in cyberspace (58).")
            if not offense.offender_suspected_of_using:
                self.add(
                    "201", OFFENSE, "offender_suspected_of_using", subject, "Offender suspected of using is blank."
                )

    # --- Level 3 --------------------------------------------------------------------------------
    def property_segments(self) -> None:
        data = self.data
        needing = [o.ucr_code for o in data.group_a_offenses if offenses.requires_property(o.ucr_code)]
        if needing and not data.properties:
            self.add("074", PROPERTY, "property", detail=f"Offense {', '.join(needing)} needs a property segment.")
        if data.properties and not needing and data.group_a_offenses:
            self.add("076", PROPERTY, "property", detail="No offense of the incident takes a property segment.")
        for item in data.properties:
            if item.loss_type in PROPERTY_DESCRIPTION_REQUIRED and not item.description_code:
                self.add("375", PROPERTY, "description_code", str(item), f"Type of loss {item.loss_type}.")

    # --- Level 4 --------------------------------------------------------------------------------
    def victim_segments(self) -> None:
        data = self.data
        if not data.victims:
            self.add("075", VICTIM, "victims", detail="The incident has no victim.")
        connected: set[int] = set()
        offender_ids = {p.pk for p in data.offenders}
        for victim in data.victims:
            subject = f"Victim {data.victim_numbers[victim.pk]}"
            linked = data.victim_offenses(victim)
            group_a = [o for o in linked if offenses.is_group_a(o.ucr_code)]
            connected.update(o.pk for o in group_a)
            if not victim.victim_type:
                self.add("401", VICTIM, "victim_type", subject, "Type of victim is blank.")
            if not group_a:
                self.add("401", VICTIM, "offenses", subject, "The victim is not connected to any Group A offense.")
            kinds = {offenses.against(o.ucr_code) for o in group_a}
            if victim.victim_type and offenses.PERSON in kinds and victim.victim_type not in ("I", "L"):
                self.add(
                    "464", VICTIM, "victim_type", subject, f"Type {victim.victim_type} for a crime against a person."
                )
            if victim.victim_type and offenses.SOCIETY in kinds and victim.victim_type != "S":
                self.add(
                    "465", VICTIM, "victim_type", subject, f"Type {victim.victim_type} for a crime against society."
                )
            if victim.victim_type in ("I", "L"):
                for field_name, label in (("age_code", "age"), ("sex", "sex"), ("race", "race")):
                    if not getattr(victim, field_name):
                        self.add("453", VICTIM, field_name, subject, f"The individual victim's {label} is blank.")
            if victim.age_code:
                self.age(victim.age_code, VICTIM, subject, ("409", "410", "422"), infants=True)
            self.relationships(victim, subject, group_a, offender_ids)
        for offense in data.group_a_offenses:
            if offense.pk not in connected:
                self.add("065", OFFENSE, "victims", f"Offense {offense.ucr_code}", "No victim is connected to it.")

    def relationships(
        self, victim: InvolvedPerson, subject: str, linked: list[Offense], offender_ids: set[int]
    ) -> None:
        rows = self.data.relationships_of(victim)
        for row in rows:
            if row.offender_id not in offender_ids:
                self.add(
                    "070", VICTIM, "relationship", subject, "The related person is not an offender of this incident."
                )
        needs = victim.victim_type in ("I", "L") and any(o.ucr_code in offenses.RELATIONSHIP_OFFENSES for o in linked)
        if not needs:
            return
        related = {row.offender_id for row in rows if row.relationship}
        for offender in self.data.offenders:
            if offender.pk not in related:
                self.add(
                    "460",
                    VICTIM,
                    "relationship",
                    subject,
                    f"No relationship to offender {self.data.offender_numbers[offender.pk]}.",
                )

    # --- Level 5 --------------------------------------------------------------------------------
    def offender_segments(self) -> None:
        for offender in self.data.offenders:
            if offender.age_code:
                subject = f"Offender {self.data.offender_numbers[offender.pk]}"
                self.age(offender.age_code, OFFENDER, subject, ("509", "510", "522"))

    # --- Levels 6 and 7 -------------------------------------------------------------------------
    def arrests(self, arrests: list[Arrest], segment: str, base: int) -> None:
        mandatory, invalid = f"{base}01", f"{base}04"
        age_rules = (f"{base}09", f"{base}10", f"{base}22")
        required, forbidden = f"{base}52", f"{base}53"
        when = self.incident.occurred_at or self.incident.reported_at
        for index, arrest in enumerate(arrests, start=1):
            subject = f"Arrest {arrest.transaction_number or index}"
            person = self.data.arrestee(arrest)
            for field_name, value in (
                ("transaction_number", arrest.transaction_number),
                ("arrest_date", arrest.arrest_date),
                ("arrest_type", arrest.arrest_type),
                ("multiple_arrestee", arrest.multiple_arrestee),
                ("arrest_offense", arrest.arrest_offense),
                ("armed_with", arrest.armed_with),
                ("age_code", person.age_code),
                ("sex", person.sex),
                ("race", person.race),
            ):
                if not value:
                    self.add(mandatory, segment, field_name, subject, f"{field_name.replace('_', ' ')} is blank.")
            if arrest.arrest_type and arrest.arrest_type not in ARREST_TYPES:
                self.add(invalid, segment, "arrest_type", subject, f"Type of arrest {arrest.arrest_type!r}.")
            if base == 6 and when is not None and arrest.arrest_date and arrest.arrest_date < when.date():
                self.add("665", segment, "arrest_date", subject, "The arrest date is before the incident date.")
            if not person.age_code:
                continue
            age = self.age(person.age_code, segment, subject, age_rules)
            if age is None:
                continue
            juvenile = age.is_juvenile
            if juvenile is True and not arrest.juvenile_disposition:
                self.add(required, segment, "juvenile_disposition", subject, f"Arrestee age {age.code}.")
            elif juvenile is False and arrest.juvenile_disposition:
                self.add(forbidden, segment, "juvenile_disposition", subject, f"Arrestee age {age.code}.")

    def age(
        self, code: str, segment: str, subject: str, rules: tuple[str, str, str], *, infants: bool = False
    ) -> ages.Age | None:
        form, order, zero = rules
        try:
            return ages.parse(code, infants=infants)
        except ages.AgeRangeZeroError:
            self.add(zero, segment, "age_code", subject, f"Age {code!r}.")
        except ages.AgeRangeOrderError:
            self.add(order, segment, "age_code", subject, f"Age {code!r}.")
        except ages.AgeFormatError:
            self.add(form, segment, "age_code", subject, f"Age {code!r}.")
        return None


def check(data: IncidentData, action: str = "I") -> list[EditError]:
    """The edit errors of one incident as it would be exported with ``action``."""
    checker = _Checker(data)
    if action == "D":
        checker.administrative(delete=True)
        return checker.errors
    checker.administrative()
    if data.is_group_a:
        checker.offense_segments()
        checker.property_segments()
        checker.victim_segments()
        checker.offender_segments()
        checker.arrests(data.group_a_arrests, ARRESTEE, 6)
    checker.arrests(data.group_b_arrests, GROUP_B_ARREST, 7)
    return checker.errors


def errors_for(incident: Incident) -> list[EditError]:
    """The edit errors of an incident, for its detail page (loads its parts in a fixed number of queries)."""
    if incident.pk is None:
        return []
    return check(load(incident))
