"""NIBRS XML (IEPD 2019.1): one ``nibrs:Submission`` document per report.

The IEPD's ``SubmissionType`` holds exactly one ``nibrs:Report``, so a month's reports are separate documents
(export.py packs them into one ZIP archive). Elements follow the order of ``nibrs.xsd`` and the IEPD samples:
header, incident, offenses, locations, items, substances, persons, victims, subjects, arrestees, arrests,
then the associations. :func:`validate` checks a document against the vendored schema.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from django.utils import timezone
from lxml import etree

from srodesk.incidents.models import Arrest, InvolvedPerson, Property

from . import ages, codes, offenses
from .reports import GROUP_A, GROUP_B, ZERO, IncidentData, Report

NS = {
    "nibrs": "http://fbi.gov/cjis/nibrs/2019",
    "cjis": "http://fbi.gov/cjis/2.0",
    "j": "http://release.niem.gov/niem/domains/jxdm/5.2/",
    "nc": "http://release.niem.gov/niem/niem-core/3.0/",
    "s": "http://release.niem.gov/niem/structures/3.0/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
SCHEMA_LOCATION = "http://fbi.gov/cjis/nibrs/2019 ../base-xsd/nibrs/2019/nibrs.xsd"
IMPLEMENTATION_VERSION = "2019"


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _el(parent: Any, name: str, text: Any = None, **attrs: str) -> Any:
    element = etree.SubElement(parent, _q(name))
    if text is not None:
        element.text = str(text)
    for key, value in attrs.items():
        element.set(_q(key.replace("_", ":", 1)), value)
    return element


def _ref(parent: Any, name: str, target: str) -> Any:
    element = etree.SubElement(parent, _q(name))
    element.set(_q("s:ref"), target)
    return element


def _ori(parent: Any, ori: str) -> None:
    augmentation = _el(parent, "j:OrganizationAugmentation")
    _el(_el(augmentation, "j:OrganizationORIIdentification"), "nc:IdentificationID", ori)


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


@functools.cache
def schema() -> etree.XMLSchema:
    """The IEPD 2019.1 schema, built once from the vendored XSD files."""
    path = codes.data_dir() / "xsd" / "nibrs" / "2019" / "nibrs.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def validate(document: bytes | Any) -> list[str]:
    """Schema problems of a document (bytes or an element tree): empty when it validates."""
    tree = etree.fromstring(document) if isinstance(document, bytes) else document
    checker = schema()
    if checker.validate(tree):
        return []
    log: Any = checker.error_log
    return [f"line {e.line}: {e.message}" for e in log]


def submission(report: Report, *, ori: str, month: dt.date, created: dt.datetime, message_id: str) -> bytes:
    """One report as a complete ``nibrs:Submission`` document (UTF-8 bytes)."""
    root = etree.Element(_q("nibrs:Submission"), nsmap=NS)
    root.set(_q("xsi:schemaLocation"), SCHEMA_LOCATION)
    metadata = _el(root, "cjis:MessageMetadata")
    _el(metadata, "cjis:MessageDateTime", _local(created).isoformat())
    _el(_el(metadata, "cjis:MessageIdentification"), "nc:IdentificationID", message_id)
    _el(metadata, "cjis:MessageImplementationVersion", IMPLEMENTATION_VERSION)
    _ori(_el(metadata, "cjis:MessageSubmittingOrganization"), ori)
    element = _el(root, "nibrs:Report")
    header = _el(element, "nibrs:ReportHeader")
    _el(header, "nibrs:NIBRSReportCategoryCode", report.category)
    _el(header, "nibrs:ReportActionCategoryCode", report.action)
    _el(_el(header, "nibrs:ReportDate"), "nc:YearMonthDate", f"{month:%Y-%m}")
    _ori(_el(header, "nibrs:ReportingAgency"), ori)
    if report.category == GROUP_A:
        _group_a(element, report.incident_data(), report.action)
    elif report.category == GROUP_B:
        _group_b(element, report.incident_data(), report.arrest_row(), report.action)
    elif report.category != ZERO:
        raise ValueError(f"Unknown report category {report.category!r}.")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# --- Group A ------------------------------------------------------------------------------------


def _incident(parent: Any, data: IncidentData, *, delete: bool) -> None:
    incident = data.incident
    element = _el(parent, "nc:Incident")
    _el(_el(element, "nc:ActivityIdentification"), "nc:IdentificationID", incident.number)
    date = _el(element, "nc:ActivityDate")
    if incident.occurred_at is not None:
        _el(date, "nc:DateTime", _local(incident.occurred_at).replace(minute=0, second=0).isoformat())
    elif incident.reported_at is not None:
        _el(date, "nc:Date", timezone.localdate(incident.reported_at).isoformat())
    if delete:
        return
    cjis = _el(element, "cjis:IncidentAugmentation")
    _el(cjis, "cjis:IncidentReportDateIndicator", "false" if incident.occurred_at else "true")
    if incident.cargo_theft is not None:
        _el(cjis, "j:OffenseCargoTheftIndicator", "true" if incident.cargo_theft else "false")
    justice = _el(element, "j:IncidentAugmentation")
    _el(justice, "j:IncidentExceptionalClearanceCode", incident.cleared_exceptionally or "N")
    if incident.exceptional_clearance_date and incident.cleared_exceptionally not in ("", "N"):
        _el(_el(justice, "j:IncidentExceptionalClearanceDate"), "nc:Date", incident.exceptional_clearance_date)


def _age(parent: Any, code: str, *, infants: bool = False, unknown_when_blank: bool = False) -> None:
    value = (code or "").strip().upper()
    if not value and unknown_when_blank:
        value = ages.UNKNOWN
    if not value:
        return
    measure = _el(parent, "nc:PersonAgeMeasure")
    if infants and value in ages.INFANT_CODES:
        _el(measure, "nc:MeasureValueText", ages.INFANT_CODES[value])
        return
    try:
        age = ages.parse(value, infants=infants)
    except ValueError:
        _el(measure, "nc:MeasureValueText", "UNKNOWN")
        return
    if age.is_unknown or age.low is None or age.high is None:
        _el(measure, "nc:MeasureValueText", "UNKNOWN")
    elif age.is_range:
        rng = _el(measure, "nc:MeasureIntegerRange")
        _el(rng, "nc:RangeMaximumIntegerValue", age.high)
        _el(rng, "nc:RangeMinimumIntegerValue", age.low)
    else:
        _el(measure, "nc:MeasureIntegerValue", age.low)


def _person(parent: Any, person: InvolvedPerson, ident: str, *, infants: bool, resident: bool, unknown: bool) -> None:
    element = _el(parent, "nc:Person", s_id=ident)
    _age(element, person.age_code, infants=infants, unknown_when_blank=unknown)
    ethnicity = person.ethnicity or ("U" if unknown else "")
    if ethnicity:
        _el(element, "j:PersonEthnicityCode", ethnicity)
    race = person.race or ("U" if unknown else "")
    if race:
        _el(element, "j:PersonRaceNDExCode", race)
    if resident and person.resident_status:
        _el(element, "j:PersonResidentCode", person.resident_status)
    sex = person.sex or ("U" if unknown else "")
    if sex:
        _el(element, "j:PersonSexCode", sex)


def _items(parent: Any, properties: list[Property]) -> None:
    plain = [p for p in properties if not p.drug_type]
    drugs = [p for p in properties if p.drug_type]
    for item in plain:
        _item(_el(parent, "nc:Item"), item, drug=False)
    for item in drugs:
        _item(_el(parent, "nc:Substance"), item, drug=True)


def _item(element: Any, item: Property, *, drug: bool) -> None:
    _el(_el(element, "nc:ItemStatus"), "cjis:ItemStatusCode", item.loss_type)
    if item.value is not None or item.recovered_on is not None:
        value = _el(element, "nc:ItemValue")
        if item.value is not None:
            _el(_el(value, "nc:ItemValueAmount"), "nc:Amount", item.value)
        if item.recovered_on is not None:
            _el(_el(value, "nc:ItemValueDate"), "nc:Date", item.recovered_on.isoformat())
    if item.description_code:
        _el(element, "j:ItemCategoryNIBRSPropertyCategoryCode", item.description_code)
    if drug:
        _el(element, "j:DrugCategoryCode", item.drug_type)
        if item.drug_quantity is not None or item.drug_measure:
            measure = _el(element, "nc:SubstanceQuantityMeasure")
            quantity = item.drug_quantity if item.drug_quantity is not None else Decimal(0)
            _el(measure, "nc:MeasureDecimalValue", format(quantity.normalize(), "f"))
            _el(measure, "j:SubstanceUnitCode", item.drug_measure or "XX")


def _group_a(report: Any, data: IncidentData, action: str) -> None:
    _incident(report, data, delete=action == "D")
    if action == "D":
        return
    incident = data.incident
    group_a = data.group_a_offenses
    for index, offense in enumerate(group_a, start=1):
        element = _el(report, "j:Offense", s_id=f"Offense{index}")
        _el(element, "nibrs:OffenseUCRCode", offense.ucr_code)
        for code in offense.criminal_activities[:3]:
            _el(element, "nibrs:CriminalActivityCategoryCode", code)
        for code in offense.bias_motivations[:5] or ["NONE"]:
            _el(element, "j:OffenseFactorBiasMotivationCode", code)
        if offense.premises_entered:
            _el(element, "j:OffenseStructuresEnteredQuantity", offense.premises_entered)
        for code in offense.offender_suspected_of_using[:3]:
            _el(_el(element, "j:OffenseFactor"), "j:OffenseFactorCode", code)
        if offense.method_of_entry:
            _el(_el(element, "j:OffenseEntryPoint"), "j:PassagePointMethodCode", offense.method_of_entry)
        for code in offense.weapons_force[:3]:
            _el(_el(element, "j:OffenseForce"), "j:ForceCategoryCode", code)
        _el(element, "j:OffenseAttemptedIndicator", "true" if offense.attempted_completed == "A" else "false")
    for index, offense in enumerate(group_a, start=1):
        location = _el(report, "nc:Location", s_id=f"Location{index}")
        _el(location, "nibrs:LocationCategoryCode", offense.location_type or incident.location_type)
    if any(offenses.requires_property(o.ucr_code) for o in group_a):
        _items(report, data.properties)
    victims, offenders, arrests = data.victims, data.offenders, data.group_a_arrests
    for victim in victims:
        if victim.victim_type in ("I", "L"):
            _person(report, victim, f"PersonVictim{victim.pk}", infants=True, resident=True, unknown=False)
    for offender in offenders:
        _person(report, offender, f"PersonSubject{offender.pk}", infants=False, resident=False, unknown=True)
    for index, arrest in enumerate(arrests, start=1):
        person = data.arrestee(arrest)
        _person(report, person, f"PersonArrestee{index}", infants=False, resident=True, unknown=False)
    for victim in victims:
        element = _el(report, "j:Victim", s_id=f"Victim{victim.pk}")
        if victim.victim_type in ("I", "L"):
            _ref(element, "nc:RoleOfPerson", f"PersonVictim{victim.pk}")
        _el(element, "j:VictimSequenceNumberText", data.victim_numbers[victim.pk])
        for code in victim.injuries[:5]:
            _el(_el(element, "j:VictimInjury"), "j:InjuryCategoryCode", code)
        if victim.victim_type:
            _el(element, "j:VictimCategoryCode", victim.victim_type)
        for code in victim.assault_circumstances[:2]:
            _el(element, "j:VictimAggravatedAssaultHomicideFactorCode", code)
    if offenders:
        for offender in offenders:
            element = _el(report, "j:Subject", s_id=f"Subject{offender.pk}")
            _ref(element, "nc:RoleOfPerson", f"PersonSubject{offender.pk}")
            _el(element, "j:SubjectSequenceNumberText", data.offender_numbers[offender.pk])
    else:
        _el(_el(report, "j:Subject", s_id="Subject0"), "j:SubjectSequenceNumberText", "00")
    for index, arrest in enumerate(arrests, start=1):
        _arrestee(report, arrest, index, f"PersonArrestee{index}")
    for index, arrest in enumerate(arrests, start=1):
        _arrest(report, arrest, index)
    for index, _arrest_row in enumerate(arrests, start=1):
        association = _el(report, "j:ArrestSubjectAssociation")
        _ref(association, "nc:Activity", f"Arrest{index}")
        _ref(association, "j:Subject", f"Arrestee{index}")
    for index, _offense in enumerate(group_a, start=1):
        association = _el(report, "j:OffenseLocationAssociation")
        _ref(association, "j:Offense", f"Offense{index}")
        _ref(association, "nc:Location", f"Location{index}")
    position = {o.pk: i for i, o in enumerate(group_a, start=1)}
    for victim in victims:
        for offense in data.victim_offenses(victim):
            if offense.pk in position:
                association = _el(report, "j:OffenseVictimAssociation")
                _ref(association, "j:Offense", f"Offense{position[offense.pk]}")
                _ref(association, "j:Victim", f"Victim{victim.pk}")
    offender_ids = {o.pk for o in offenders}
    for victim in victims:
        for row in data.relationships_of(victim):
            if row.offender_id not in offender_ids:
                continue
            association = _el(report, "j:SubjectVictimAssociation", s_id=f"SubjectVictim{row.pk}")
            _ref(association, "j:Subject", f"Subject{row.offender_id}")
            _ref(association, "j:Victim", f"Victim{victim.pk}")
            _el(association, "nibrs:VictimToSubjectRelationshipCode", row.relationship)


def _arrestee(parent: Any, arrest: Arrest, index: int, person_id: str | None) -> None:
    element = _el(parent, "j:Arrestee", s_id=f"Arrestee{index}")
    if person_id:
        _ref(element, "nc:RoleOfPerson", person_id)
    _el(element, "j:ArrestSequenceID", index)
    if person_id is None:
        return
    for code in arrest.armed_with[:2] or ["01"]:
        _el(element, "j:ArresteeArmedWithCode", code)
    if arrest.juvenile_disposition:
        _el(element, "j:ArresteeJuvenileDispositionCode", arrest.juvenile_disposition)
    _el(element, "j:ArrestSubjectCountCode", arrest.multiple_arrestee or "N")


def _arrest(parent: Any, arrest: Arrest, index: int, *, delete: bool = False) -> None:
    element = _el(parent, "j:Arrest", s_id=f"Arrest{index}")
    _el(_el(element, "nc:ActivityIdentification"), "nc:IdentificationID", arrest.transaction_number)
    _el(_el(element, "nc:ActivityDate"), "nc:Date", arrest.arrest_date.isoformat())
    if delete:
        return
    _el(_el(element, "j:ArrestCharge"), "nibrs:ChargeUCRCode", arrest.arrest_offense)
    _el(element, "j:ArrestCategoryCode", arrest.arrest_type)


# --- Group B ------------------------------------------------------------------------------------


def _group_b(report: Any, data: IncidentData, arrest: Arrest, action: str) -> None:
    delete = action == "D"
    if not delete:
        _person(report, data.arrestee(arrest), "PersonArrestee1", infants=False, resident=True, unknown=False)
    _arrestee(report, arrest, 1, None if delete else "PersonArrestee1")
    _arrest(report, arrest, 1, delete=delete)
    association = _el(report, "j:ArrestSubjectAssociation")
    _ref(association, "nc:Activity", "Arrest1")
    _ref(association, "j:Subject", "Arrestee1")
