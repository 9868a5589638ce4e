"""The compliance pages, the iCalendar feeds and the floor-plan image: each catalogue role in and out
of its scope, and what a refused request leaves unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.drills.models import Drill
from srodesk.drills.views import calendar_token
from srodesk.organizations.models import Agency, District, Partnership, School

from .helpers import conducted, scheduled

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False  # the catalogue roles hold personal data; MFA is tested in accounts


@pytest.fixture
def world() -> dict[str, Any]:
    home = District.objects.create(name="Riverside", slug="riverside", state="MI")
    away = District.objects.create(name="Hillcrest", slug="hillcrest", state="MI")
    agency = Agency.objects.create(name="Riverside Police", ori="MI1234500", state="MI")
    away_agency = Agency.objects.create(name="Hillcrest Police", ori="MI7654300", state="MI")
    for district, police in ((home, agency), (away, away_agency)):
        Partnership.objects.create(
            agency=police,
            district=district,
            state="MI",
            drill_rule_set="MI",
            school_year_start_month=8,
            school_year_start_day=25,
        )
    school = School.objects.create(district=home, name="Riverside High", timezone="America/Detroit")
    school_b = School.objects.create(district=home, name="Lakeside Middle", level="middle", timezone="America/Detroit")
    away_school = School.objects.create(district=away, name="Hillcrest High", timezone="America/Detroit")
    users = {
        "safety_director": make_user("director", "safety_director", district=home),
        "school_admin": make_user("principal", "school_admin", school=school),
        "sro": make_user("officer", "sro", school=school),
        "sro_supervisor": make_user("sergeant", "sro_supervisor", agency=agency),
        "staff": make_user("teacher", "staff", school=school),
        "counselor": make_user("counselor", "counselor", school=school),
        "analyst": make_user("analyst", "analyst", district=home),
        "nobody": make_user("nobody", None),
    }
    for target in (school, school_b, away_school):
        conducted(target, D(2026, 9, 10))
    return {"school": school, "school_b": school_b, "away": away_school, "users": users}


def make_user(username: str, role: str | None, **scope: Any) -> User:
    user = User.objects.create_user(username=username, password="a-long-test-password-1")
    if role:
        RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=role), **scope)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def school_url(school: School, **query: str) -> str:
    url = reverse("drills:compliance_school", args=[school.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


#: Role → the schools of the overview (home district: Riverside High and Lakeside Middle).
OVERVIEW = {
    "safety_director": ["Lakeside Middle", "Riverside High"],
    "school_admin": ["Riverside High"],
    "sro": ["Riverside High"],
    "sro_supervisor": ["Lakeside Middle", "Riverside High"],
    "staff": ["Riverside High"],
    "counselor": ["Riverside High"],
    "analyst": ["Lakeside Middle", "Riverside High"],
}


@pytest.mark.parametrize("role", sorted(OVERVIEW))
def test_overview_lists_the_schools_in_scope_only(world: dict[str, Any], role: str) -> None:
    response = client_for(world["users"][role]).get(reverse("drills:compliance"), {"as_of": "2026-11-20"})
    assert response.status_code == 200
    names = sorted(r.school.name for results in response.context["districts"].values() for r in results)
    assert names == OVERVIEW[role]
    assert "Hillcrest High" not in response.content.decode()


@pytest.mark.parametrize("role", sorted(OVERVIEW))
def test_school_page_in_scope_and_out_of_scope(world: dict[str, Any], role: str) -> None:
    client = client_for(world["users"][role])
    response = client.get(school_url(world["school"], as_of="2026-11-20"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 more fire drills by 2026-12-01." in body
    assert response.context["result"].requirements[1].status == "at_risk"
    assert client.get(school_url(world["away"])).status_code == 404
    expected_b = 200 if "Lakeside Middle" in OVERVIEW[role] else 404
    assert client.get(school_url(world["school_b"])).status_code == expected_b


def test_pages_refuse_users_without_a_grant_and_anonymous_users(world: dict[str, Any]) -> None:
    client = client_for(world["users"]["nobody"])
    assert client.get(reverse("drills:compliance")).status_code == 403
    assert client.get(school_url(world["school"])).status_code == 403
    assert client.get(reverse("drills:compliance_calendar", args=[world["school"].pk])).status_code == 403
    anonymous = Client().get(reverse("drills:compliance"))
    assert anonymous.status_code == 302
    assert reverse("accounts:login") in anonymous["Location"]


def test_safety_director_schedules_the_suggested_drills(world: dict[str, Any]) -> None:
    school = world["school"]
    client = client_for(world["users"]["safety_director"])
    suggested = client.get(school_url(school, as_of="2026-11-20")).context["result"].suggestions
    before = Drill.objects.count()
    response = client.post(school_url(school), {"as_of": "2026-11-20"})
    assert response.status_code == 302
    assert response["Location"] == school_url(school, as_of="2026-11-20")
    created = list(Drill.objects.filter(status="scheduled", school=school).order_by("scheduled_for"))
    # 2 + 2 fire drills, 2 tornado drills, 3 lockdowns; the lunch-time drill is one of the fire drills.
    assert Drill.objects.count() == before + len(suggested) == before + 9
    assert [d.local_date() for d in created] == [s.day for s in suggested]
    assert [d.drill_type for d in created][:2] == ["fire", "lockdown"]
    assert created[0].time_of_day == "unstructured"
    page = client.get(school_url(school, as_of="2026-11-20"))
    assert page.context["result"].suggestions == []
    assert page.context["result"].requirements[1].message == "2 more fire drills by 2026-12-01 (2 scheduled)."


@pytest.mark.parametrize("role", ["staff", "counselor", "analyst", "sro_supervisor"])
def test_roles_without_add_cannot_schedule(world: dict[str, Any], role: str) -> None:
    before = Drill.objects.count()
    response = client_for(world["users"][role]).post(school_url(world["school"]), {"as_of": "2026-11-20"})
    assert response.status_code == 403
    assert Drill.objects.count() == before


def test_safety_director_cannot_schedule_out_of_scope(world: dict[str, Any]) -> None:
    before = Drill.objects.count()
    response = client_for(world["users"]["safety_director"]).post(school_url(world["away"]), {"as_of": "2026-11-20"})
    assert response.status_code == 404
    assert Drill.objects.count() == before


def test_invalid_as_of_is_a_field_error_that_keeps_the_input(world: dict[str, Any]) -> None:
    response = client_for(world["users"]["staff"]).get(school_url(world["school"], as_of="2026-13-45"))
    assert response.status_code == 422
    assert "as_of" in response.context["form"].errors
    assert 'value="2026-13-45"' in response.content.decode()


def test_overview_query_count_does_not_grow_with_schools(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = client_for(world["users"]["safety_director"])
    url = reverse("drills:compliance")
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    district = world["school"].district
    for n in range(5):
        extra = School.objects.create(district=district, name=f"Extra {n}")
        conducted(extra, D(2026, 9, 10))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- iCalendar -------------------------------------------------------------------------------------


def test_calendar_download_lists_the_schools_drills(world: dict[str, Any]) -> None:
    school = world["school"]
    scheduled(school, D(2026, 12, 3), "lockdown")
    scheduled(world["away"], D(2026, 12, 4), "lockdown")
    response = client_for(world["users"]["staff"]).get(reverse("drills:compliance_calendar", args=[school.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == 2
    assert "DTSTART:20261203T150000Z" in body  # 10:00 in Detroit
    assert "SUMMARY:Lockdown drill – Riverside High" in body
    assert (
        client_for(world["users"]["staff"])
        .get(reverse("drills:compliance_calendar", args=[world["away"].pk]))
        .status_code
        == 404
    )


def test_calendar_token_feed_works_without_a_session_and_is_revoked(world: dict[str, Any]) -> None:
    user = world["users"]["school_admin"]
    school = world["school"]
    url = reverse("drills:calendar_feed", args=[calendar_token(user, school)])
    response = Client().get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    # A forged or altered token, another school, or a new password: nothing.
    assert Client().get(url.replace("/drills.ics", "x/drills.ics")).status_code == 404
    assert Client().get(reverse("drills:calendar_feed", args=["not-a-token"])).status_code == 404
    away_token = calendar_token(user, world["away"])
    assert Client().get(reverse("drills:calendar_feed", args=[away_token])).status_code == 404
    user.set_password("another-long-password-2")
    user.save()
    assert Client().get(url).status_code == 404


def test_calendar_token_stops_when_the_grant_is_gone(world: dict[str, Any]) -> None:
    user = world["users"]["staff"]
    url = reverse("drills:calendar_feed", args=[calendar_token(user, world["school"])])
    assert Client().get(url).status_code == 200
    RoleAssignment.objects.filter(user=user).delete()
    assert Client().get(url).status_code == 404
