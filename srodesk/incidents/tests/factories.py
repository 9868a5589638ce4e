"""Factories for law-enforcement records. An incident's district follows its school; its agency is given or made."""

import datetime as dt
import hashlib

import factory
from django.utils import timezone

from srodesk.incidents.models import (
    Arrest,
    Attachment,
    CustodyEvent,
    DisciplineReferral,
    EvidenceItem,
    Incident,
    IncidentShare,
    InvolvedPerson,
    Offense,
    Property,
    Pursuit,
    Search,
    Supplement,
    UseOfForce,
    VictimOffenderRelationship,
)
from srodesk.organizations.tests.factories import AgencyFactory, SchoolFactory
from srodesk.people.tests.factories import StudentFactory

WHEN = dt.datetime(2026, 10, 14, 10, 30, tzinfo=dt.UTC)


class _LawEnforcement(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    agency = factory.SubFactory(AgencyFactory)


class IncidentFactory(_LawEnforcement):
    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"Incident {n}")
    occurred_at = WHEN
    source = "on_view"
    narrative = "Officer observed two students fighting in the east stairwell."


class OffenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offense

    incident = factory.SubFactory(IncidentFactory)
    ucr_code = "13B"
    attempted_completed = "C"
    offender_suspected_of_using = factory.LazyFunction(lambda: ["N"])
    weapons_force = factory.LazyFunction(lambda: ["40"])


class InvolvedPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvolvedPerson

    incident = factory.SubFactory(IncidentFactory)
    role = "offender"
    sequence_number = 1
    student = factory.SubFactory(
        StudentFactory,
        school=factory.SelfAttribute("..incident.school"),
        district=factory.SelfAttribute("..incident.district"),
    )
    age_code = "15"
    sex = "M"
    race = "W"
    ethnicity = "N"
    resident_status = "R"


class ArrestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Arrest

    incident = factory.SubFactory(IncidentFactory)
    arrestee = factory.SubFactory(InvolvedPersonFactory, incident=factory.SelfAttribute("..incident"), role="arrestee")
    transaction_number = factory.Sequence(lambda n: f"A{n:08d}")
    arrest_date = dt.date(2026, 10, 14)
    arrest_type = "O"
    multiple_arrestee = "N"
    arrest_offense = "13B"
    armed_with = factory.LazyFunction(lambda: ["01"])
    juvenile_disposition = "H"


class PropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Property

    incident = factory.SubFactory(IncidentFactory)
    loss_type = "STOLEN"
    description_code = "13"
    description = "Laptop"
    value = 600


class UseOfForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UseOfForce

    incident = factory.SubFactory(IncidentFactory)
    subject = factory.SubFactory(InvolvedPersonFactory, incident=factory.SelfAttribute("..incident"))
    occurred_at = WHEN
    kind = "restraint"
    methods = factory.LazyFunction(lambda: ["physical_restraint"])
    reason = "Student kept striking another student after two verbal commands."


class SearchFactory(_LawEnforcement):
    class Meta:
        model = Search

    occurred_at = WHEN
    student = factory.SubFactory(
        StudentFactory, school=factory.SelfAttribute("..school"), district=factory.SelfAttribute("..district")
    )
    subject = "bag"
    legal_basis = "reasonable_suspicion"
    conducted_by = "school_official"
    school_official = "Assistant principal"
    reason = "Two students reported a vape pen in the backpack."


class PursuitFactory(_LawEnforcement):
    class Meta:
        model = Pursuit

    started_at = WHEN
    on_foot = True
    start_location = "North parking lot"


class EvidenceItemFactory(_LawEnforcement):
    class Meta:
        model = EvidenceItem

    description = "Black vape pen"
    where_found = "Backpack, front pocket"
    collected_at = factory.LazyFunction(timezone.now)


class CustodyEventFactory(factory.django.DjangoModelFactory):
    """Raw rows (no hash): tests of the custody service build chains through the service instead."""

    class Meta:
        model = CustodyEvent

    item = factory.SubFactory(EvidenceItemFactory)
    sequence = 1
    action = "collected"
    at = WHEN


class DisciplineReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisciplineReferral

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    student = factory.SubFactory(
        StudentFactory, school=factory.SelfAttribute("..school"), district=factory.SelfAttribute("..district")
    )
    occurred_at = WHEN
    behaviour = "Dress code"
    description = "Referred to the assistant principal for a dress-code matter."


class VictimOffenderRelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VictimOffenderRelationship

    incident = factory.SubFactory(IncidentFactory)
    victim = factory.SubFactory(InvolvedPersonFactory, incident=factory.SelfAttribute("..incident"), role="victim")
    offender = factory.SubFactory(InvolvedPersonFactory, incident=factory.SelfAttribute("..incident"), role="offender")
    relationship = "Acquaintance"


class SupplementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplement

    incident = factory.SubFactory(IncidentFactory)
    narrative = "The victim's parent called on the next day with the name of a second witness."


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    incident = factory.SubFactory(IncidentFactory)
    name = "statement.txt"
    sha256 = hashlib.sha256(b"Witness statement").hexdigest()
    size = 17
    content_type = "text/plain"
    file = factory.django.FileField(filename="statement.txt", data=b"Witness statement")


class IncidentShareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentShare

    incident = factory.SubFactory(IncidentFactory)
    school = factory.LazyAttribute(lambda o: o.incident.school)
    reason = "Discipline hearing on 2026-10-20."
