"""Demo student support: the community agency directory, a referral with consent, a counselling contact and a
mandated report whose written-report clock is running."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from srodesk.core.audit import audit_context
from srodesk.people.models import Student

from .models import CommunityAgency, MandatedReport, Referral, StudentContact


def load(ctx: dict[str, Any]) -> None:
    district, school, users = ctx["district"], ctx["schools"][0], ctx["users"]
    if CommunityAgency.objects.filter(district=district).exists():
        return
    students = list(Student.objects.filter(school=school, active=True).order_by("pk")[6:9])
    if len(students) < 3:
        return
    counselor = users["demo-counselor"]
    now = timezone.now().replace(second=0, microsecond=0)
    with audit_context(actor=counselor, reason="demo data"):
        clinic = CommunityAgency.objects.create(
            district=district,
            name="Riverside Youth Counseling Center",
            agency_type="mental_health",
            contact_name="Intake desk",
            phone="555-0170",
            crisis_phone="988",
            services="Individual and family counselling, ages 10–18; sliding-scale fees; English and Spanish.",
        )
        CommunityAgency.objects.create(
            district=district,
            name="County Child Protective Services",
            agency_type="cps",
            phone="555-0199",
            services="Reports of suspected abuse or neglect, 24 hours.",
        )
        referral = Referral.objects.create(
            student=students[0],
            community_agency=clinic,
            reason="Anxiety and school avoidance after a family bereavement.",
            consent_by="parent",
            consent_by_name="Parent (demo)",
            consent_at=now - dt.timedelta(days=3),
            consent_method="written",
            follow_up_on=(now + dt.timedelta(days=11)).date(),
        )
        contact = StudentContact(
            district=district,
            school=school,
            staff=counselor,
            contact_type="mediation",
            occurred_on=(now - dt.timedelta(days=2)).date(),
            duration_minutes=25,
            summary="Mediated a conflict between two students before it became a fight; agreed to keep apart.",
            referral=referral,
        )
        contact.save()
        contact.students.set(students[:2])
        MandatedReport.objects.create(
            student=students[2],
            reporter=counselor,
            suspicion="Student disclosed being left alone for several days without food.",
            suspected_at=now - dt.timedelta(hours=20),
            information_received_at=now - dt.timedelta(hours=20),
        )
