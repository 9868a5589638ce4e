"""Demo law-enforcement records for the demo district: a closed fight report shared with the school, a drug
report waiting for the supervisor with its search and evidence, a flagged officer search, the officer's draft
and a discipline referral. Made through the services, so audit rows, versions and custody hashes are real."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from srodesk.core.audit import audit_context
from srodesk.people.models import Student

from . import custody, services
from .models import (
    Arrest,
    DisciplineReferral,
    EvidenceItem,
    Incident,
    InvolvedPerson,
    Offense,
    Property,
    Search,
    UseOfForce,
    VictimOffenderRelationship,
)


def load(ctx: dict[str, Any]) -> None:
    agency, school, users = ctx["agency"], ctx["schools"][0], ctx["users"]
    if Incident.objects.filter(agency=agency).exists():
        return
    sro, supervisor = users["demo-sro"], users["demo-supervisor"]
    students = list(Student.objects.filter(school=school, active=True).order_by("pk")[:5])
    if len(students) < 5:
        return
    now = timezone.now().replace(second=0, microsecond=0)
    day = dt.timedelta(days=1)
    base = {"district": school.district, "school": school, "agency": agency, "officer": sro}

    with audit_context(actor=sro, reason="demo data"):
        fight = Incident.objects.create(
            **base,
            title="Fight in the east stairwell",
            occurred_at=now - 9 * day,
            source="school_referral",
            referred_by="Assistant principal",
            location_detail="East stairwell, second floor",
            narrative=(
                "At 10:40 the assistant principal radioed that two students were fighting in the east stairwell. "
                "On arrival I saw the first student strike the second twice with a closed fist. Both stopped after "
                "verbal commands; the first student pulled away and was held by the arm for about 30 seconds until "
                "he calmed down. The second student had a cut lip; the school nurse treated it."
            ),
        )
        assault = Offense.objects.create(
            incident=fight, ucr_code="13B", weapons_force=["40"], offender_suspected_of_using=["N"]
        )
        offender = InvolvedPerson.objects.create(
            incident=fight, role="offender", student=students[0], age_code="16", sex="M", race="W", ethnicity="N"
        )
        victim = InvolvedPerson.objects.create(
            incident=fight,
            role="victim",
            student=students[1],
            victim_type="I",
            age_code="15",
            sex="M",
            race="B",
            ethnicity="N",
            resident_status="R",
            injuries=["M"],
        )
        victim.offenses.add(assault)
        VictimOffenderRelationship.objects.create(
            incident=fight, victim=victim, offender=offender, relationship="Acquaintance"
        )
        arrestee = InvolvedPerson.objects.create(
            incident=fight, role="arrestee", student=students[0], age_code="16", sex="M", race="W", ethnicity="N"
        )
        Arrest.objects.create(
            incident=fight,
            arrestee=arrestee,
            transaction_number="A26000101",
            arrest_date=(now - 9 * day).date(),
            arrest_type="S",
            arrest_offense="13B",
            armed_with=["01"],
            juvenile_disposition="R",
            outcome="diversion",
            diversion_program="Restorative justice panel",
        )
        UseOfForce.objects.create(
            incident=fight,
            subject=offender,
            officer=sro,
            occurred_at=now - 9 * day,
            kind="restraint",
            methods=["physical_restraint"],
            duration_minutes=1,
            reason="Kept striking the other student after two verbal commands.",
            de_escalation="Verbal commands; separation.",
        )
        services.submit(fight, sro)

        vape = Incident.objects.create(
            **base,
            title="THC vape pen in a backpack",
            occurred_at=now - 2 * day,
            source="school_referral",
            referred_by="Dean of students",
            narrative=(
                "The dean searched a student's backpack on reasonable suspicion after two reports and found a vape "
                "pen. I tested the cartridge (positive for THC), took it into custody and stored it in the "
                "evidence locker."
            ),
        )
        drugs = Offense.objects.create(incident=vape, ucr_code="35A", offender_suspected_of_using=["D"])
        society = InvolvedPerson.objects.create(incident=vape, role="victim", victim_type="S", name="Society")
        society.offenses.add(drugs)
        InvolvedPerson.objects.create(
            incident=vape, role="offender", student=students[2], age_code="15", sex="F", race="W", ethnicity="H"
        )
        Property.objects.create(
            incident=vape,
            offense=drugs,
            loss_type="SEIZED",
            description_code="10",
            description="THC vape cartridge",
            drug_type="E",
            drug_quantity=1,
            drug_measure="DU",
        )
        Search.objects.create(
            **{k: v for k, v in base.items() if k != "officer"},
            incident=vape,
            student=students[2],
            occurred_at=now - 2 * day,
            subject="bag",
            legal_basis="reasonable_suspicion",
            conducted_by="school_official",
            school_official="Dean of students",
            reason="Two students reported seeing a vape pen in the backpack.",
            found="One vape pen with a THC cartridge.",
            anything_found=True,
        )
        pen = EvidenceItem.objects.create(
            **{k: v for k, v in base.items() if k != "officer"},
            incident=vape,
            category="contraband",
            description="Black vape pen with a THC cartridge",
            where_found="Backpack, front pocket",
            found_on_student=students[2],
            collected_at=now - 2 * day,
        )
        custody.record_event(pen, "collected", sro, at=now - 2 * day, from_party="Dean of students", location="Office")
        custody.record_event(
            pen,
            "stored",
            sro,
            at=now - 2 * day + dt.timedelta(hours=1),
            location="Evidence locker 3",
            reason="Awaiting lab submission",
        )
        services.submit(vape, sro)

        Search.objects.create(
            **{k: v for k, v in base.items() if k != "officer"},
            student=students[3],
            officer=sro,
            occurred_at=now - day,
            subject="locker",
            legal_basis="reasonable_suspicion",
            conducted_by="sro",
            reason="A student said a knife was kept in this locker.",
            justification="The assistant principal was at a lockdown drill; the report named the locker and a knife.",
            found="Nothing.",
        )
        theft = Incident.objects.create(
            **base,
            title="Phone taken from the gym locker room",
            reported_at=now - 3 * dt.timedelta(hours=1),
            source="walk_in",
            narrative="Student reports her phone was taken from the girls' locker room during P.E.",
        )
        Offense.objects.create(incident=theft, ucr_code="23D")
        DisciplineReferral.objects.create(
            district=school.district,
            school=school,
            student=students[4],
            occurred_at=now - day,
            behaviour="Leaving class without permission",
            description="Found in the parking lot during third period; walked back to the office.",
            referred_to=users["demo-principal"],
        )
    with audit_context(actor=supervisor, reason="demo data"):
        services.approve(fight, supervisor)
        services.close(fight, supervisor)
        services.share(fight, school, supervisor, "Discipline hearing for both students next week.")
