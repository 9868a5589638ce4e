"""Drill workflows and model rules: scheduling, recording, publishing, cancelling, retention."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.audit.models import AuditEvent
from srodesk.drills import services
from srodesk.drills.models import Drill

from .helpers import at, scheduled, school_in

pytestmark = pytest.mark.django_db
D = dt.date


def user_with(role: str, **scope: Any) -> User:
    user = User.objects.create_user(username=f"{role}-{len(scope)}-{User.objects.count()}", password="x-long-pass-123")
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=role), **scope)
    return user


def test_conduct_records_the_drill_and_its_retention() -> None:
    school = school_in("MI")
    director = user_with("safety_director", district=school.district)
    drill = scheduled(school, D(2026, 10, 1), "lockdown")
    done = services.conduct(
        actor=director,
        drill=drill,
        conducted_at=at(school, D(2026, 10, 1)),
        participants_count=640,
        duration_seconds=185,
        headcount=640,
        accounted_for=638,
        issues_found="Room 114 door did not latch.",
        law_enforcement_observed=True,
        law_enforcement_agency="Riverside Police",
        law_enforcement_officer="Ofc. Patel #221",
    )
    assert (done.status, done.accounted_for, done.law_enforcement_officer) == ("conducted", 638, "Ofc. Patel #221")
    # Michigan keeps drill records 3 years; the partnership keeps operational records 3 years too.
    assert done.retain_until == D(2029, 10, 1)
    event = AuditEvent.objects.for_object(done).filter(action="update").order_by("-seq").first()
    assert event is not None
    assert event.actor_id == director.pk


def test_retention_takes_the_longer_of_the_pack_and_the_partnership() -> None:
    school = school_in("MI")
    partnership = school.district.partnerships.get()
    partnership.retention_operational_years = 5
    partnership.save()
    director = user_with("safety_director", district=school.district)
    done = services.conduct(
        actor=director, drill=scheduled(school, D(2026, 10, 1)), conducted_at=at(school, D(2026, 10, 1))
    )
    assert done.retain_until == D(2031, 10, 1)


def test_staff_may_not_schedule_or_record_and_nothing_changes() -> None:
    school = school_in("MI")
    staff = user_with("staff", school=school)
    drill = scheduled(school, D(2026, 10, 1))
    with pytest.raises(PermissionDenied):
        services.schedule(actor=staff, school=school, drill_type="fire", scheduled_for=at(school, D(2026, 10, 2)))
    with pytest.raises(PermissionDenied):
        services.conduct(actor=staff, drill=drill, conducted_at=at(school, D(2026, 10, 1)))
    assert Drill.objects.count() == 1
    assert Drill.objects.get().status == "scheduled"


def test_director_of_another_district_may_not_touch_the_drill() -> None:
    school = school_in("MI")
    other = school_in("MI")
    director = user_with("safety_director", district=other.district)
    drill = scheduled(school, D(2026, 10, 1))
    with pytest.raises(PermissionDenied):
        services.cancel(actor=director, drill=drill, reason="Snow day")
    with pytest.raises(PermissionDenied):
        services.schedule(actor=director, school=school, drill_type="fire", scheduled_for=at(school, D(2026, 10, 2)))
    assert Drill.objects.get().status == "scheduled"
    assert Drill.objects.count() == 1


def test_cancel_and_publish_rules() -> None:
    school = school_in("MI")
    director = user_with("safety_director", district=school.district)
    drill = scheduled(school, D(2026, 10, 1))
    with pytest.raises(ValidationError) as error:
        services.publish(actor=director, drill=drill)
    assert error.value.message_dict == {"published_at": ["Only a conducted drill can be published."]}
    with pytest.raises(ValidationError):
        services.cancel(actor=director, drill=drill, reason="  ")
    cancelled = services.cancel(actor=director, drill=drill, reason="Snow day")
    assert (cancelled.status, cancelled.after_action_notes) == ("cancelled", "Cancelled: Snow day")
    with pytest.raises(ValidationError):
        services.conduct(actor=director, drill=cancelled, conducted_at=at(school, D(2026, 10, 1)))
    other = scheduled(school, D(2026, 10, 8))
    done = services.conduct(actor=director, drill=other, conducted_at=at(school, D(2026, 10, 8)))
    published = services.publish(actor=director, drill=done, published_at=at(school, D(2026, 10, 9)))
    assert published.published_at == at(school, D(2026, 10, 9))


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"status": "scheduled", "scheduled_for": None}, {"scheduled_for"}),
        ({"status": "conducted", "conducted_at": None}, {"conducted_at"}),
        ({"status": "conducted", "conducted_at": dt.datetime(2099, 1, 1, tzinfo=dt.UTC)}, {"conducted_at"}),
        ({"headcount": 10, "accounted_for": 11}, {"accounted_for"}),
        ({"law_enforcement_observed": True, "law_enforcement_agency": " "}, {"law_enforcement_agency"}),
        ({"published_at": dt.datetime(2026, 10, 1, tzinfo=dt.UTC)}, {"published_at"}),
        ({"status": "scheduled", "conducted_at": dt.datetime(2026, 10, 1, tzinfo=dt.UTC)}, {"status"}),
    ],
)
def test_model_rules(fields: dict[str, Any], errors: set[str]) -> None:
    school = school_in("MI")
    drill = Drill(school=school, district=school.district, drill_type="fire", scheduled_for=at(school, D(2026, 10, 1)))
    for name, value in fields.items():
        setattr(drill, name, value)
    with pytest.raises(ValidationError) as error:
        drill.full_clean()
    assert set(error.value.message_dict) == errors


def test_api_compliance_endpoint(settings: Any) -> None:
    school = school_in("MI")
    Drill.objects.create(
        school=school,
        district=school.district,
        drill_type="fire",
        status="conducted",
        conducted_at=at(school, D(2026, 9, 10)),
    )
    client = APIClient()
    client.force_authenticate(user_with("staff", school=school))
    response = client.get("/api/v1/drills/compliance/", {"school": school.pk, "as_of": "2026-11-20"})
    assert response.status_code == 200
    data = response.json()
    # The 2026-09-10 drill was not published within 30 school days (by 2026-10-22).
    assert (data["school_year"], data["state"], data["status"], data["pack"]) == (
        "2026–2027",
        "MI",
        "non_compliant",
        "Michigan school drills",
    )
    row = next(r for r in data["requirements"] if r["key"] == "fire-by-dec-1")
    assert row == {
        "key": "fire-by-dec-1",
        "rule": "3 fire drills by December 1",
        "citation": "MCL 29.19 (PA 12 of 2014)",
        "status": "at_risk",
        "required": 3,
        "done": 1,
        "scheduled": 0,
        "missing": 2,
        "window_start": "2026-08-25",
        "window_end": "2026-12-01",
        "message": "2 more fire drills by 2026-12-01.",
        "suggested": ["2026-11-23", "2026-11-27"],
        "items": [],
    }
    assert reverse("api:alias-drills-compliance") == "/api/v1/drills/compliance/"
    other = school_in("MI")
    assert client.get("/api/v1/drills/compliance/", {"school": other.pk}).status_code == 404
    bad = client.get("/api/v1/drills/compliance/", {"school": school.pk, "as_of": "soon"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "as_of"


def test_api_drill_list_alias_is_scoped() -> None:
    school = school_in("MI")
    other = school_in("MI")
    mine = scheduled(school, D(2026, 10, 1))
    scheduled(other, D(2026, 10, 1))
    client = APIClient()
    client.force_authenticate(user_with("staff", school=school))
    response = client.get("/api/v1/drills/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
    assert response.json()["results"][0]["srp_action"] == "Evacuate"


def test_drill_form_reads_times_in_the_school_time_zone() -> None:
    from srodesk.drills.forms import DrillForm

    school = school_in("CA")  # America/Los_Angeles, the server runs on New York time
    admin = User.objects.create_superuser(username="root", password="a-long-test-password-1")
    data = {
        "school": school.pk,
        "drill_type": "earthquake",
        "status": "scheduled",
        "scheduled_for": "2026-10-14T10:30",
        "time_of_day": "instruction",
    }
    form = DrillForm(data, user=admin)
    assert form.is_valid(), form.errors
    drill = form.save()
    assert drill.scheduled_for == dt.datetime(2026, 10, 14, 17, 30, tzinfo=dt.UTC)
    assert DrillForm(instance=drill, user=admin)["scheduled_for"].value() == dt.datetime(2026, 10, 14, 10, 30)
    assert "2026-10-14T10:30" in str(DrillForm(instance=drill, user=admin)["scheduled_for"])
