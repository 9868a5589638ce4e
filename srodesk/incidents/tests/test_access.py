"""Who sees law-enforcement records: agency roles in their scope; a school only after an explicit share.

A school-scoped education role (school administrator, counselor, BIT member) sees no incident, search or
evidence item — not in lists, detail pages, the search page, CSV exports, the API or dashboard counts —
until an officer shares the incident with their school; revoking the share hides it again.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from srodesk.accounts.models import ApiToken, Role, RoleAssignment, User
from srodesk.audit.models import AuditEvent
from srodesk.incidents import services
from srodesk.incidents.models import Arrest, EvidenceItem, Incident, Offense, Pursuit, Search
from srodesk.organizations.models import Agency, District, Partnership, School

from .factories import (
    ArrestFactory,
    EvidenceItemFactory,
    IncidentFactory,
    InvolvedPersonFactory,
    OffenseFactory,
    PursuitFactory,
    SearchFactory,
)

pytestmark = pytest.mark.django_db

SCHOOL_ROLES = ("school_admin", "counselor", "bit_member")
#: The record types a school must not see unless shared: (model, URL name prefix, API alias or None).
SHARED_TYPES = (
    (Incident, "incident", "alias-incidents"),
    (Offense, "offense", None),
    (Arrest, "arrest", "alias-arrests"),
    (Search, "search", "alias-searches"),
    (EvidenceItem, "evidenceitem", "alias-evidence"),
    (Pursuit, "pursuit", "alias-pursuits"),
)


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    """Sign-in with a second factor is tested in accounts; here the pages themselves are."""
    settings.MFA_REQUIRED = False


def make_user(name: str, slug: str, **scope: Any) -> User:
    user = User.objects.create_user(username=name, first_name=name.capitalize())
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=slug), **scope)
    return user


@pytest.fixture
def world() -> dict[str, Any]:
    home = District.objects.create(name="Home District", slug="home", state="MI")
    away = District.objects.create(name="Away District", slug="away", state="OH")
    school_a = School.objects.create(district=home, name="Riverside High")
    school_b = School.objects.create(district=home, name="Lakeview Middle", level="middle")
    school_c = School.objects.create(district=away, name="Away High")
    agency = Agency.objects.create(name="Home Police", ori="MIHOME001", state="MI")
    agency_away = Agency.objects.create(name="Away Police", ori="OHAWAY001", state="OH")
    Partnership.objects.create(agency=agency, district=home, state="MI")
    Partnership.objects.create(agency=agency_away, district=away, state="OH")
    sro = make_user("officer", "sro", school=school_a)
    incident = IncidentFactory(school=school_a, agency=agency, officer=sro, title="Vape pen sale in the gym")
    offense = OffenseFactory(incident=incident, ucr_code="35A")
    person = InvolvedPersonFactory(incident=incident, role="arrestee")
    arrest = ArrestFactory(incident=incident, arrestee=person)
    search = SearchFactory(school=school_a, agency=agency, incident=incident, reason="Pen seen in the bag (vapecase)")
    evidence = EvidenceItemFactory(school=school_a, agency=agency, incident=incident, description="Vape pen zq")
    pursuit = PursuitFactory(school=school_a, agency=agency, incident=incident)
    return {
        "home": home,
        "school_a": school_a,
        "school_b": school_b,
        "school_c": school_c,
        "agency": agency,
        "agency_away": agency_away,
        "sro": sro,
        Incident: incident,
        Offense: offense,
        Arrest: arrest,
        Search: search,
        EvidenceItem: evidence,
        Pursuit: pursuit,
    }


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: User) -> APIClient:
    client = APIClient()
    _, key = ApiToken.issue(user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def listed(client: Client, prefix: str) -> tuple[int, set[int]]:
    response = client.get(reverse(f"incidents:{prefix}_list"))
    if response.status_code != 200:
        return response.status_code, set()
    return 200, {obj.pk for obj in response.context["page"].object_list}


def api_listed(client: APIClient, name: str) -> tuple[int, set[int]]:
    response = client.get(reverse(f"api:{name}-list"))
    if response.status_code != 200:
        return response.status_code, set()
    return 200, {row["id"] for row in response.json()["results"]}


def sees(user: User, world: dict[str, Any]) -> dict[str, bool]:
    """Every channel, for every shared type: does the user reach the world's row?"""
    client, rest = web(user), api(user)
    seen: dict[str, bool] = {}
    for model, prefix, alias in SHARED_TYPES:
        obj = world[model]
        status, pks = listed(client, prefix)
        assert status in (200, 403)
        seen[f"{prefix} list"] = obj.pk in pks
        detail = client.get(reverse(f"incidents:{prefix}_detail", args=[obj.pk])).status_code
        assert detail in (200, 403, 404)
        seen[f"{prefix} detail"] = detail == 200
        history = client.get(reverse(f"incidents:{prefix}_history", args=[obj.pk])).status_code
        seen[f"{prefix} history"] = history == 200
        for name in filter(None, (f"incidents-{model._meta.model_name}", alias)):
            status, ids = api_listed(rest, name)
            assert status in (200, 403)
            seen[f"{name} api list"] = obj.pk in ids
            retrieve = rest.get(reverse(f"api:{name}-detail", args=[obj.pk])).status_code
            assert retrieve in (200, 403, 404)
            seen[f"{name} api detail"] = retrieve == 200
    return seen


def exported(user: User, prefix: str) -> tuple[int, list[list[str]]]:
    response = web(user).get(reverse(f"incidents:{prefix}_list"), {"export": "csv"})
    if response.status_code != 200:
        return response.status_code, []
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return 200, list(csv.reader(io.StringIO(body)))[1:]


def searched(user: User, text: str) -> set[str]:
    response = web(user).get(reverse("core:search"), {"q": text})
    assert response.status_code == 200
    return {str(group["entry"].model.__name__) for group in response.context["groups"]}


def dashboard_counts(user: User) -> dict[str, int]:
    response = web(user).get(reverse("core:dashboard_counts"))
    assert response.status_code == 200
    return {card["entry"].model.__name__: card["count"] for card in response.context["cards"]}


@pytest.mark.parametrize("slug", SCHOOL_ROLES)
def test_a_school_role_sees_nothing_that_was_not_shared(world: dict[str, Any], slug: str) -> None:
    user = make_user(f"{slug}-a", slug, school=world["school_a"])
    assert not any(sees(user, world).values()), sees(user, world)
    for _model, prefix, _alias in SHARED_TYPES:
        status, rows = exported(user, prefix)
        assert status == 403
        assert rows == []
    incident = world[Incident]
    assert searched(user, incident.number) == set()
    assert searched(user, "Vape pen") == set()
    assert searched(user, world[EvidenceItem].number) == set()
    counts = dashboard_counts(user)
    for model, _prefix, _alias in SHARED_TYPES:
        assert counts.get(model.__name__, 0) == 0


def test_sharing_opens_the_incident_to_that_schools_administrator_only(world: dict[str, Any]) -> None:
    incident = world[Incident]
    admin_a = make_user("admin-a", "school_admin", school=world["school_a"])
    admin_b = make_user("admin-b", "school_admin", school=world["school_b"])
    counselor_a = make_user("counselor-a", "counselor", school=world["school_a"])
    share = services.share(incident, world["school_a"], world["sro"], "Discipline hearing on 2026-10-20")

    seen_a = sees(admin_a, world)
    assert all(seen_a.values()), {k: v for k, v in seen_a.items() if not v}
    assert not any(sees(admin_b, world).values())
    assert not any(sees(counselor_a, world).values())

    # The nested representation carries the offense and the arrest.
    body = api(admin_a).get(reverse("api:alias-incidents-detail", args=[incident.pk])).json()
    assert [o["ucr_code"] for o in body["offenses"]] == ["35A"]
    assert [a["id"] for a in body["arrests"]] == [world[Arrest].pk]
    # Sharing is a logged disclosure, chained in the audit log.
    event = AuditEvent.objects.get(kind="disclosure", action="create", object_id=str(incident.pk))
    assert event.actor_id == world["sro"].pk
    assert event.school_id == world["school_a"].pk
    assert event.detail["share"] == share.pk
    assert event.detail["reason"] == "Discipline hearing on 2026-10-20"

    # Still read-only for the school: no export, no change.
    assert exported(admin_a, "incident")[0] == 403
    response = api(admin_a).patch(
        reverse("api:alias-incidents-detail", args=[incident.pk]), {"title": "Changed"}, format="json"
    )
    assert response.status_code == 403
    assert Incident.objects.get(pk=incident.pk).title == "Vape pen sale in the gym"


def test_revoking_the_share_hides_the_incident_again(world: dict[str, Any]) -> None:
    incident = world[Incident]
    admin_a = make_user("admin-a", "school_admin", school=world["school_a"])
    share = services.share(incident, world["school_a"], world["sro"], "Safety plan")
    assert sees(admin_a, world)["incident detail"]
    services.unshare(share, world["sro"], "Hearing over")
    assert not any(sees(admin_a, world).values())
    revoked = AuditEvent.objects.get(kind="disclosure", action="delete", object_id=str(incident.pk))
    assert revoked.reason == "Hearing over"
    assert revoked.detail["shared"] is False


def test_an_officer_sees_the_records_of_their_school_only(world: dict[str, Any]) -> None:
    in_scope = sees(world["sro"], world)
    assert all(in_scope.values()), {k: v for k, v in in_scope.items() if not v}
    other_school = make_user("officer-b", "sro", school=world["school_b"])
    away = make_user("officer-c", "sro", school=world["school_c"])
    assert not any(sees(other_school, world).values())
    assert not any(sees(away, world).values())
    status, rows = exported(world["sro"], "incident")
    assert status == 200
    assert [row[0] for row in rows] == [world[Incident].number]
    assert exported(away, "incident") == (200, [])
    assert "Incident" in searched(world["sro"], world[Incident].number)
    assert searched(away, world[Incident].number) == set()
    assert dashboard_counts(world["sro"])["Incident"] == 1
    assert dashboard_counts(away)["Incident"] == 0


@pytest.mark.parametrize("slug", ["sro_supervisor", "records_clerk"])
def test_agency_roles_see_their_agency_only(world: dict[str, Any], slug: str) -> None:
    assert all(sees(make_user(f"{slug}-home", slug, agency=world["agency"]), world).values())
    assert not any(sees(make_user(f"{slug}-away", slug, agency=world["agency_away"]), world).values())
