"""Need-to-know: only the team, people added to the case and the school's administrator see a case —
on every surface (list, detail, history, search, student profile, API, CSV export, dashboard)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from srodesk.accounts.models import ApiToken
from srodesk.audit.models import AuditEvent
from srodesk.people.testing import profile_page
from srodesk.threats.models import ThreatCase

from .conftest import World

pytestmark = pytest.mark.django_db

SEE = ["counselor", "sro_member", "admin", "bit_added"]
BLIND = ["sro_outsider", "counselor_other", "analyst", "removed"]


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user: Any) -> APIClient:
    client = APIClient()
    _, key = ApiToken.issue(user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def case_traces(world: World) -> list[str]:
    """Strings that would betray the case on a page."""
    return [
        world.case.get_absolute_url(),
        f"Threat case #{world.case.pk}",
        "beat him up",
        "panel-threat_cases",
        "Threat-assessment cases",
    ]


def assert_no_trace(body: str, world: World) -> None:
    for trace in case_traces(world):
        assert trace not in body, f"{trace!r} shown"


@pytest.mark.parametrize("who", BLIND)
def test_outsiders_see_nothing_of_a_case(world: World, who: str) -> None:
    user = world.users[who]
    client = client_for(user)
    case = world.case

    listing = client.get(reverse("threats:threatcase_list"))
    assert listing.status_code in (200, 403)
    if listing.status_code == 200:
        assert list(listing.context["page"].object_list) == []
    assert_no_trace(listing.content.decode(), world)

    for name in ("threatcase_detail", "threatcase_history", "threatcase_edit"):
        response = client.get(reverse(f"threats:{name}", args=[case.pk]))
        assert response.status_code in (403, 404), name
        assert_no_trace(response.content.decode(), world)
    step = client.post(reverse("threats:threatcase_action", args=[case.pk, "close"]), {"close-summary": "x"})
    assert step.status_code in (403, 404)
    assert ThreatCase.objects.get(pk=case.pk).status == "open"

    for query in ("Marsh", "S555001", "beat him up"):
        found = client.get(reverse("core:search"), {"q": query})
        assert found.status_code == 200
        assert [g for g in found.context["groups"] if g["entry"].model is ThreatCase] == []
        assert case.get_absolute_url() not in found.content.decode()

    status, profile = profile_page(client, world.student)
    assert status in (200, 403, 404)
    assert_no_trace(profile, world)

    export = client.get(reverse("threats:threatcase_list"), {"export": "csv"})
    if export.status_code == 200:
        rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))  # type: ignore[attr-defined]
        assert rows[1:] == []
    else:
        assert export.status_code == 403

    dashboard = client.get(reverse("core:dashboard"))
    assert dashboard.status_code == 200
    counts = {c["entry"].model: c["count"] for c in client.get(reverse("core:dashboard_counts")).context["cards"]}
    assert counts.get(ThreatCase, 0) == 0
    assert_no_trace(dashboard.content.decode(), world)
    assert "My threat-assessment cases" not in dashboard.content.decode()

    api = api_for(user)
    api_list = api.get(reverse("api:threats-threatcase-list"))
    assert api_list.status_code in (200, 403)
    if api_list.status_code == 200:
        assert api_list.json()["results"] == []
    assert api.get(reverse("api:threats-threatcase-detail", args=[case.pk])).status_code in (403, 404)
    teams = api.get(reverse("api:threats-team-list"))
    assert teams.status_code == 403 or teams.json()["results"] == []


@pytest.mark.parametrize("who", SEE)
def test_the_team_added_people_and_the_administrator_see_the_case(world: World, who: str) -> None:
    user = world.users[who]
    client = client_for(user)
    case = world.case

    listing = client.get(reverse("threats:threatcase_list"))
    assert [c.pk for c in listing.context["page"].object_list] == [case.pk]
    detail = client.get(case.get_absolute_url())
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Step 1: evaluate the threat" in body
    assert "Interview the student, recipient and witnesses" in body

    found = client.get(reverse("core:search"), {"q": "Marsh"})
    assert case.get_absolute_url() in found.content.decode()

    before = AuditEvent.objects.filter(kind="access", detail__panel="threat_cases").count()
    status, profile = profile_page(client, world.student)
    assert status == 200
    assert 'id="panel-threat_cases"' in profile
    assert case.get_absolute_url() in profile
    assert AuditEvent.objects.filter(kind="access", detail__panel="threat_cases").count() == before + 1

    counts = {c["entry"].model: c["count"] for c in client.get(reverse("core:dashboard_counts")).context["cards"]}
    assert counts[ThreatCase] == 1

    api = api_for(user)
    assert [r["id"] for r in api.get(reverse("api:threats-threatcase-list")).json()["results"]] == [case.pk]
    retrieved = api.get(reverse("api:threats-threatcase-detail", args=[case.pk])).json()
    assert (retrieved["step"], retrieved["step_label"]) == (1, "Step 1: evaluate the threat")


@pytest.mark.parametrize("who", ["counselor", "sro_member", "bit_added"])
def test_members_get_the_my_cases_panel(world: World, who: str) -> None:
    body = client_for(world.users[who]).get(reverse("core:dashboard")).content.decode()
    assert "My threat-assessment cases" in body
    assert world.case.get_absolute_url() in body
    assert "Next: " in body


def test_the_administrator_is_not_listed_as_working_on_the_case(world: World) -> None:
    body = client_for(world.admin).get(reverse("core:dashboard")).content.decode()
    assert "My threat-assessment cases" not in body


def test_a_removed_member_loses_access_on_every_surface(world: World) -> None:
    from srodesk.threats import services

    member = services.add_team_member(actor=world.admin, team=world.team, user=world.sro_outsider, team_role="other")
    client = client_for(world.sro_outsider)
    assert client.get(world.case.get_absolute_url()).status_code == 200
    services.remove_team_member(actor=world.admin, membership=member, reason="reassigned")
    client = client_for(world.sro_outsider)  # a new request: grants are loaded afresh
    assert client.get(world.case.get_absolute_url()).status_code == 404
    assert world.case.get_absolute_url() not in client.get(reverse("core:search"), {"q": "Marsh"}).content.decode()
    assert api_for(world.sro_outsider).get(reverse("api:threats-threatcase-list")).json()["results"] == []


def test_the_team_page_shows_members_and_only_the_administrator_manages_them(world: World) -> None:
    url = world.team.get_absolute_url()
    admin_page = client_for(world.admin).get(url).content.decode()
    assert "Add a member" in admin_page
    member_page = client_for(world.counselor).get(url).content.decode()
    assert "Counselor" in member_page
    assert "Add a member" not in member_page
    assert client_for(world.sro_outsider).get(url).status_code == 404
    add = reverse("threats:team_member_add", args=[world.team.pk])
    response = client_for(world.counselor).post(add, {"user": world.sro_outsider.pk, "team_role": "other"})
    assert response.status_code == 403
    assert not world.team.memberships.filter(user=world.sro_outsider).exists()
    response = client_for(world.admin).post(add, {"user": world.sro_outsider.pk, "team_role": "law_enforcement"})
    assert response.status_code == 302
    assert world.team.memberships.get(user=world.sro_outsider, deleted_at__isnull=True).team_role == "law_enforcement"


def test_a_closed_case_is_no_longer_edited(world: World) -> None:
    from srodesk.threats import services

    services.record_interview(
        actor=world.counselor, case=world.case, subject="student", person_name="Dylan", answers={"meaning": "x"}
    )
    services.classify(actor=world.counselor, case=world.case, classification="transient", reasoning="A joke.")
    services.close_case(actor=world.counselor, case=world.case, summary="Resolved.")
    before = ThreatCase.objects.filter(pk=world.case.pk).values().get()
    response = api_for(world.counselor).patch(
        reverse("api:threats-threatcase-detail", args=[world.case.pk]), {"location": "Gym"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["reason"] == "The case is closed: its record is no longer edited."
    assert ThreatCase.objects.filter(pk=world.case.pk).values().get() == before
    page = client_for(world.counselor).get(world.case.get_absolute_url()).content.decode()
    assert "Closed: nothing is due." in page
    assert '<form id="action-' not in page
