"""Demo threat assessment: the high school's team and one serious substantive case in progress."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from srodesk.core.audit import audit_context
from srodesk.people.models import Student

from . import services
from .models import Team, ThreatCase


def load(ctx: dict[str, Any]) -> None:
    school, users = ctx["schools"][0], ctx["users"]
    if Team.objects.filter(school=school).exists():
        return
    principal = users["demo-principal"]
    student = Student.objects.filter(school=school, active=True).order_by("pk")[5:6].first()
    if student is None:
        return
    now = timezone.now()
    with audit_context(actor=principal, reason="demo data"):
        team = Team.objects.create(
            district=school.district, school=school, name=f"{school.name} threat assessment team"
        )
        for username, role in (
            ("demo-principal", "administrator"),
            ("demo-bit", "mental_health"),
            ("demo-counselor", "mental_health"),
            ("demo-sro", "law_enforcement"),
        ):
            services.add_team_member(actor=principal, team=team, user=users[username], team_role=role)
        case = ThreatCase.objects.create(
            district=school.district,
            school=school,
            team=team,
            student=student,
            reported_at=now - dt.timedelta(days=1, hours=3),
            reporter_name="Science teacher",
            how_reported="in_person",
            location="Room 214",
            exact_words='"If he says that again I\'m going to bring something and end it."',
            targets="A classmate who had teased the student in the hallway.",
            context="Two weeks of name-calling between the students; no prior discipline.",
        )
    counselor = users["demo-counselor"]
    with audit_context(actor=counselor, reason="demo data"):
        services.record_interview(
            actor=counselor,
            case=case,
            subject="student",
            person_name=student.full_name,
            answers={
                "what_happened": "He kept calling me names in the hall.",
                "meaning": "I was angry. I wanted him to stop.",
                "weapons": "Says no access; parents to confirm.",
            },
        )
        services.classify(actor=counselor, case=case, classification="serious_substantive", reasoning="")
        services.record_protective_action(actor=counselor, case=case, kind="student_parents_notified")
        services.add_plan_item(
            actor=counselor,
            case=case,
            action="Daily check-in with the counselor for two weeks",
            owner=counselor,
            due_on=(now + dt.timedelta(days=7)).date(),
        )
