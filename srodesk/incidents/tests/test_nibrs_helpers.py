"""Builders of NIBRS-ready incidents shared by the NIBRS tests (and a check that they are valid as built)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.incidents.models import Incident, InvolvedPerson, Offense, VictimOffenderRelationship
from srodesk.incidents.nibrs import edits
from srodesk.incidents.tests.factories import (
    ArrestFactory,
    IncidentFactory,
    InvolvedPersonFactory,
    OffenseFactory,
    PropertyFactory,
)
from srodesk.organizations.models import Agency

OCTOBER = dt.datetime(2026, 10, 14, 10, 30, tzinfo=dt.UTC)


def make_user(username: str, role: str, agency: Agency | None = None, **scope: Any) -> User:
    user = User.objects.create_user(username=username, password="unused-password-123")
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=role), agency=agency, **scope)
    return user


def incident(agency: Agency, **fields: Any) -> Incident:
    values: dict[str, Any] = {"status": "approved", "version": 1, "occurred_at": OCTOBER}
    values.update(fields)
    return IncidentFactory(agency=agency, **values)  # type: ignore[no-any-return]


def offense(target: Incident, code: str = "13B", **fields: Any) -> Offense:
    values: dict[str, Any] = {"ucr_code": code, "bias_motivations": ["NONE"], "offender_suspected_of_using": ["N"]}
    values["weapons_force"] = ["40"] if code in ("13A", "13B", "120", "100") else []
    values.update(fields)
    return OffenseFactory(incident=target, **values)  # type: ignore[no-any-return]


def victim(target: Incident, *linked: Offense, seq: int = 1, **fields: Any) -> InvolvedPerson:
    values: dict[str, Any] = {"role": "victim", "sequence_number": seq, "victim_type": "I", "age_code": "15"}
    values["injuries"] = ["N"]
    values.update(fields)
    person: InvolvedPerson = InvolvedPersonFactory(incident=target, **values)
    person.offenses.add(*linked)
    return person


def offender(target: Incident, seq: int = 1, **fields: Any) -> InvolvedPerson:
    values: dict[str, Any] = {"role": "offender", "sequence_number": seq, "age_code": "16"}
    values.update(fields)
    return InvolvedPersonFactory(incident=target, **values)  # type: ignore[no-any-return]


def relate(target: Incident, who: InvolvedPerson, to: InvolvedPerson, code: str = "Acquaintance") -> None:
    VictimOffenderRelationship.objects.create(incident=target, victim=who, offender=to, relationship=code)


def assault(agency: Agency, **fields: Any) -> Incident:
    """A simple assault between two students: crime against a person, no property."""
    target = incident(agency, **fields)
    crime = offense(target, "13B")
    person = victim(target, crime)
    relate(target, person, offender(target))
    return target


def theft(agency: Agency, **fields: Any) -> Incident:
    """A completed theft from a building, with the stolen laptop: crime against property."""
    target = incident(agency, **fields)
    crime = offense(target, "23D")
    victim(target, crime)
    offender(target)
    PropertyFactory(incident=target, offense=crime, loss_type="STOLEN", description_code="13", value=600)
    return target


def drugs(agency: Agency, **fields: Any) -> Incident:
    """Marijuana seized from a student: crime against society, drug property, society victim."""
    target = incident(agency, **fields)
    crime = offense(target, "35A", criminal_activities=["P"], offender_suspected_of_using=["D"])
    victim(target, crime, victim_type="S", age_code="", sex="", race="", ethnicity="", resident_status="")
    offender(target)
    PropertyFactory(
        incident=target,
        offense=crime,
        loss_type="SEIZED",
        description_code="10",
        value=None,
        description="Marijuana",
        drug_type="E",
        drug_quantity="12.500",
        drug_measure="GM",
    )
    return target


def group_b(agency: Agency, code: str = "90C", **arrest_fields: Any) -> Incident:
    """A disorderly-conduct incident with only a Group B arrest."""
    target = incident(agency)
    offense(target, code)
    arrest(target, offense_code=code, **arrest_fields)
    return target


def arrest(target: Incident, *, offense_code: str = "13B", arrest_type: str = "O", **fields: Any) -> Any:
    person = fields.pop("arrestee", None) or InvolvedPersonFactory(
        incident=target, role="arrestee", age_code=fields.pop("age_code", "16")
    )
    values: dict[str, Any] = {"arrest_offense": offense_code, "arrest_type": arrest_type, "arrest_date": OCTOBER.date()}
    values.update(fields)
    return ArrestFactory(incident=target, arrestee=person, **values)


@pytest.mark.django_db
@pytest.mark.parametrize("builder", [assault, theft, drugs, group_b])
def test_builders_make_incidents_without_edit_errors(builder: Any) -> None:
    from srodesk.organizations.tests.factories import AgencyFactory

    target = builder(AgencyFactory())
    assert edits.errors_for(target) == []
