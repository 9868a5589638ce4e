"""Each implemented FBI edit rule: a case that breaks it and a case that keeps it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string

from srodesk.incidents.models import Arrest, Incident, InvolvedPerson, Offense, Property, VictimOffenderRelationship
from srodesk.incidents.nibrs import ages, edits
from srodesk.incidents.tests.factories import PropertyFactory
from srodesk.incidents.tests.test_nibrs_helpers import (
    arrest,
    assault,
    drugs,
    group_b,
    offender,
    offense,
    relate,
    theft,
    victim,
)
from srodesk.organizations.models import Agency
from srodesk.organizations.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
Change = Callable[[Incident], Any]


def first_offense(target: Incident) -> Offense:
    return Offense.objects.filter(incident=target).order_by("pk").first()  # type: ignore[return-value]


def person(target: Incident, role: str) -> InvolvedPerson:
    return InvolvedPerson.objects.filter(incident=target, role=role).order_by("pk").first()  # type: ignore[return-value]


def set_offense(**values: Any) -> Change:
    return lambda target: Offense.objects.filter(pk=first_offense(target).pk).update(**values)


def set_incident(**values: Any) -> Change:
    return lambda target: Incident.objects.filter(pk=target.pk).update(**values)


def set_person(role: str, **values: Any) -> Change:
    return lambda target: InvolvedPerson.objects.filter(pk=person(target, role).pk).update(**values)


def set_arrest(**values: Any) -> Change:
    return lambda target: Arrest.objects.filter(incident=target).update(**values)


def with_arrest(**values: Any) -> Change:
    return lambda target: arrest(target, **values)


def nothing(target: Incident) -> None:
    return None


def both(*changes: Change) -> Change:
    def change(target: Incident) -> None:
        for one in changes:
            one(target)

    return change


ADULT_ARRESTEE = (set_arrest(juvenile_disposition=""),)


def drop_property(target: Incident) -> None:
    Property.objects.filter(incident=target).delete()


def add_property(target: Incident) -> None:
    PropertyFactory(incident=target, loss_type="STOLEN", description_code="13", value=20)


def unlink_victim(target: Incident) -> None:
    person(target, "victim").offenses.clear()


def second_offense_without_victim(target: Incident) -> None:
    offense(target, "13C")


def second_offense_with_victim(target: Incident) -> None:
    crime = offense(target, "13C")
    person(target, "victim").offenses.add(crime)


def drop_victims(target: Incident) -> None:
    InvolvedPerson.objects.filter(incident=target, role="victim").delete()


def relate_to_a_witness(target: Incident) -> None:
    witness = offender(target, seq=5, role="witness")
    relate(target, person(target, "victim"), witness)
    # The real offender stays related, so only 070 fires.


def drop_relationships(target: Incident) -> None:
    VictimOffenderRelationship.objects.filter(incident=target).delete()


def drop_relationships_unknown_offender(target: Incident) -> None:
    VictimOffenderRelationship.objects.filter(incident=target).delete()
    InvolvedPerson.objects.filter(incident=target, role="offender").delete()


def property_without_description(target: Incident) -> None:
    Property.objects.filter(incident=target).update(description_code="")


def none_loss_without_description(target: Incident) -> None:
    Property.objects.filter(incident=target).update(description_code="", loss_type="NONE", value=None)


# (rule, builder, change that breaks the rule, change that keeps it)
CASES: list[tuple[str, Callable[[Agency], Incident], Change, Change]] = [
    ("065", assault, second_offense_without_victim, second_offense_with_victim),
    ("070", assault, relate_to_a_witness, nothing),
    ("074", theft, drop_property, nothing),
    ("074", drugs, drop_property, nothing),
    ("075", assault, drop_victims, nothing),
    ("076", assault, add_property, nothing),
    (
        "101",
        assault,
        set_incident(occurred_at=None, reported_at=None),
        set_incident(occurred_at=None, reported_at=dt.datetime(2026, 10, 14, tzinfo=dt.UTC)),
    ),
    ("101", assault, set_incident(cleared_exceptionally=""), set_incident(cleared_exceptionally="N")),
    ("117", assault, set_incident(number="2026/000001"), set_incident(number="2026-000001")),
    ("153", assault, set_incident(exceptional_clearance_date=dt.date(2026, 10, 20)), nothing),
    (
        "156",
        assault,
        set_incident(cleared_exceptionally="E"),
        set_incident(cleared_exceptionally="E", exceptional_clearance_date=dt.date(2026, 10, 20)),
    ),
    ("201", assault, set_offense(offender_suspected_of_using=[]), set_offense(offender_suspected_of_using=["A"])),
    ("201", assault, set_offense(attempted_completed=""), nothing),
    ("201", assault, lambda target: offense(target, ""), lambda target: offense(target, "90C")),
    ("201", theft, set_incident(location_type=""), set_offense(location_type="18")),
    ("205", assault, set_offense(location_type="58"), set_offense(ucr_code="13C", location_type="58")),
    ("205", theft, set_incident(location_type="58"), set_incident(location_type="18")),
    ("251", theft, set_offense(attempted_completed="X"), set_offense(attempted_completed="A")),
    ("256", assault, set_offense(attempted_completed="A"), nothing),
    ("375", theft, property_without_description, none_loss_without_description),
    ("401", assault, set_person("victim", victim_type=""), nothing),
    ("401", assault, unlink_victim, nothing),
    ("409", assault, set_person("victim", age_code="1X"), set_person("victim", age_code="NB")),
    ("410", assault, set_person("victim", age_code="1715"), set_person("victim", age_code="1517")),
    ("422", assault, set_person("victim", age_code="0015"), set_person("victim", age_code="00")),
    ("453", assault, set_person("victim", age_code=""), set_person("victim", victim_type="L")),
    ("453", assault, set_person("victim", sex=""), nothing),
    ("453", assault, set_person("victim", race=""), nothing),
    ("460", assault, drop_relationships, drop_relationships_unknown_offender),
    ("464", assault, set_person("victim", victim_type="B"), set_person("victim", victim_type="L")),
    ("465", drugs, set_person("victim", victim_type="I", age_code="30", sex="M", race="W"), nothing),
    ("509", assault, set_person("offender", age_code="ABC"), set_person("offender", age_code="")),
    ("510", assault, set_person("offender", age_code="2020"), set_person("offender", age_code="2025")),
    ("522", assault, set_person("offender", age_code="0020"), set_person("offender", age_code="00")),
    ("601", assault, with_arrest(transaction_number=""), with_arrest(transaction_number="A-1")),
    ("601", assault, with_arrest(armed_with=[]), with_arrest(armed_with=["01"])),
    ("601", assault, with_arrest(age_code=""), with_arrest(age_code="17")),
    ("604", assault, with_arrest(arrest_type="X"), with_arrest(arrest_type="T")),
    ("609", assault, with_arrest(age_code="NB"), with_arrest(age_code="16")),
    ("610", assault, with_arrest(age_code="1716"), with_arrest(age_code="1617")),
    ("622", assault, with_arrest(age_code="0017"), with_arrest(age_code="00")),
    (
        "652",
        assault,
        with_arrest(age_code="17", juvenile_disposition=""),
        with_arrest(age_code="18", juvenile_disposition=""),
    ),
    (
        "652",
        assault,
        with_arrest(age_code="1517", juvenile_disposition=""),
        with_arrest(age_code="1719", juvenile_disposition=""),
    ),
    (
        "653",
        assault,
        with_arrest(age_code="18", juvenile_disposition="R"),
        with_arrest(age_code="17", juvenile_disposition="R"),
    ),
    ("665", assault, with_arrest(arrest_date=dt.date(2026, 10, 13)), with_arrest(arrest_date=dt.date(2026, 10, 14))),
    ("701", group_b, set_arrest(arrest_type=""), set_arrest(arrest_type="S")),
    ("701", group_b, set_person("arrestee", sex=""), set_person("arrestee", sex="F")),
    ("704", group_b, set_arrest(arrest_type="Z"), set_arrest(arrest_type="T")),
    (
        "709",
        group_b,
        set_person("arrestee", age_code="X1"),
        both(set_person("arrestee", age_code="99"), *ADULT_ARRESTEE),
    ),
    (
        "710",
        group_b,
        set_person("arrestee", age_code="3020"),
        both(set_person("arrestee", age_code="2030"), *ADULT_ARRESTEE),
    ),
    ("722", group_b, set_person("arrestee", age_code="0030"), set_person("arrestee", age_code="00")),
    ("752", group_b, set_arrest(juvenile_disposition=""), both(set_person("arrestee", age_code="30"), *ADULT_ARRESTEE)),
    ("753", group_b, set_person("arrestee", age_code="30"), set_arrest(juvenile_disposition="R")),
]


#: Breaking changes that also break a second rule, by (rule, change).
ALSO: dict[tuple[str, str], list[str]] = {
    ("075", "drop_victims"): ["075", "065"],
    ("401", "unlink_victim"): ["401", "065"],
}


def numbers(target: Incident) -> list[str]:
    return [e.number for e in edits.errors_for(Incident.objects.get(pk=target.pk))]


@pytest.mark.parametrize(
    ("rule", "builder", "breaks", "keeps"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_fails_and_passes(rule: str, builder: Callable[[Agency], Incident], breaks: Change, keeps: Change) -> None:
    agency = AgencyFactory()
    failing = builder(agency)
    breaks(failing)
    assert numbers(failing) == ALSO.get((rule, getattr(breaks, "__name__", "")), [rule])
    passing = builder(agency)
    keeps(passing)
    assert numbers(passing) == []


def test_every_implemented_rule_is_tested() -> None:
    assert {case[0] for case in CASES} == set(edits.IMPLEMENTED)


def test_every_implemented_rule_has_the_fbi_message() -> None:
    assert edits.message("074") == "PROPERTY SEGMENT MUST EXIST WITH THIS OFFENSE"
    assert edits.message("652") == "DISPOSITION MUST BE ENTERED WHEN AGE IS LESS THAN 18"
    assert edits.message("205") == "ERROR–INVALID OFFENSE CODE"
    assert all(edits.message(number) for number in edits.IMPLEMENTED)


def test_error_names_the_incident_segment_and_field() -> None:
    target = theft(AgencyFactory())
    drop_property(target)
    [error] = edits.errors_for(target)
    assert error == edits.EditError(
        number="074",
        message="PROPERTY SEGMENT MUST EXIST WITH THIS OFFENSE",
        incident_id=target.pk,
        incident_number=target.number,
        segment="Property",
        field="property",
        subject="",
        detail="Offense 23D needs a property segment.",
    )


def test_deleted_parts_are_not_counted() -> None:
    target = theft(AgencyFactory())
    Property.objects.filter(incident=target).update(deleted_at=dt.datetime(2026, 10, 20, tzinfo=dt.UTC))
    assert numbers(target) == ["074"]


def test_relationship_needs_every_known_offender() -> None:
    target = assault(AgencyFactory())
    offender(target, seq=2)
    errors = edits.errors_for(target)
    assert [(e.number, e.subject, e.detail) for e in errors] == [("460", "Victim 1", "No relationship to offender 2.")]


def test_errors_for_an_unsaved_incident_is_empty() -> None:
    assert edits.errors_for(Incident()) == []


def test_errors_for_runs_in_a_fixed_number_of_queries(django_assert_max_num_queries: Any) -> None:
    target = assault(AgencyFactory())
    arrest(target)
    for n in range(2, 6):
        victim(target, first_offense(target), seq=n)
    with django_assert_max_num_queries(8):
        edits.errors_for(target)


@pytest.mark.parametrize(
    ("code", "juvenile"), [("17", True), ("18", False), ("1517", True), ("1719", None), ("00", None), ("BB", True)]
)
def test_age_juvenile(code: str, juvenile: bool | None) -> None:
    assert ages.parse(code, infants=True).is_juvenile is juvenile


def test_partial_lists_errors_with_numbers_and_messages() -> None:
    target = theft(AgencyFactory())
    drop_property(target)
    context = {"incident": target, "nibrs_errors": edits.errors_for(target)}
    html = render_to_string("incidents/nibrs_incident_errors.html", context)
    assert "074" in html
    assert "PROPERTY SEGMENT MUST EXIST WITH THIS OFFENSE" in html
    assert "Offense 23D needs a property segment." in html
    clean = assault(AgencyFactory())
    context = {"incident": clean, "nibrs_errors": edits.errors_for(clean)}
    html = render_to_string("incidents/nibrs_incident_errors.html", context)
    assert "No NIBRS edit errors" in html
    assert "074" not in html
