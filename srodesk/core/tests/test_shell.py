"""The shell around the records: health check, API schema and docs, navigation, dashboard, search."""

import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from srodesk.__main__ import command_args
from srodesk.accounts.models import User
from srodesk.audit.models import AuditEvent
from srodesk.core.tests.sample.models import SampleCase
from srodesk.organizations.models import School

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings: Any) -> None:
    settings.MFA_REQUIRED = False
    call_command("demo", quiet=True)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_healthz_answers_without_login_and_shows_no_data(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_schema_and_docs_are_served(demo: None) -> None:
    client = signed_in("demo-admin")
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/organizations/schools/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_navigation_follows_roles(demo: None) -> None:
    staff = signed_in("demo-staff").get(reverse("core:dashboard"))
    labels = [item["label"] for group in staff.context["nav_groups"] for item in group["items"]]
    assert labels == [
        "Alerts",
        "Community agencies",
        "Reunification events",
        "Drills",
        "Emergency plans",
        "Drill compliance",
        "Districts",
        "Schools",
        "Agencies",
        "Partnerships",
        "Truancy thresholds",
        "Mandated-report rules",
    ]
    admin = signed_in("demo-admin").get(reverse("core:dashboard"))
    admin_labels = [item["label"] for group in admin.context["nav_groups"] for item in group["items"]]
    assert "Role assignments" in admin_labels
    assert "Role assignments" not in labels


def test_dashboard_counts_only_what_the_user_may_see(demo: None) -> None:
    sro = signed_in("demo-sro")
    response = sro.get(reverse("core:dashboard"))
    counts = {
        card["entry"].model.__name__: card["count"]
        for card in sro.get(reverse("core:dashboard_counts")).context["cards"]
    }
    assert counts["School"] == 1  # the SRO is assigned to one school of five
    assert counts["District"] == 1
    assert "RoleAssignment" not in counts
    assert [a.role.slug for a in response.context["assignments"]] == ["sro"]


def test_search_finds_only_in_scope_records_and_logs_sensitive_hits(demo: None) -> None:
    school = School.objects.get(name="Riverside High School")
    other = School.objects.get(name="Oak Park Elementary")
    SampleCase.objects.create(district=school.district, school=school, title="Riverside bus concern")
    principal = signed_in("demo-principal")
    before = AuditEvent.objects.filter(kind="access").count()
    response = principal.get(reverse("core:search"), {"q": "River"})
    groups = {g["entry"].model.__name__: [str(o) for o in g["rows"]] for g in response.context["groups"]}
    assert groups["School"] == ["Riverside High School"]
    assert groups["SampleCase"] == ["Riverside bus concern"]
    # One access row per access-logged type with hits: the sample case and the demo team and referral
    # (education records) — not the organisations or the agency directory (operational).
    assert sorted(groups) == [
        "Agency",
        "CommunityAgency",
        "District",
        "Partnership",
        "Referral",
        "SampleCase",
        "School",
        "Team",
    ]
    assert AuditEvent.objects.filter(kind="access").count() == before + 3
    assert other.name not in response.content.decode()
    staff = signed_in("demo-staff").get(reverse("core:search"), {"q": "River"})
    assert "SampleCase" not in {g["entry"].model.__name__ for g in staff.context["groups"]}


def test_search_needs_two_characters(demo: None) -> None:
    response = signed_in("demo-sro").get(reverse("core:search"), {"q": "R"})
    assert response.context["too_short"] is True
    assert response.context["groups"] == []


def test_invalid_htmx_form_returns_the_form_partial_with_422(demo: None) -> None:
    admin = signed_in("demo-admin")
    response = admin.post(
        reverse("organizations:agency_add"), {"name": "County Sheriff", "ori": "bad"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="form"')
    assert 'value="County Sheriff"' in body
    assert "An ORI is 9 characters" in body


def test_history_page_shows_the_change(demo: None) -> None:
    admin = signed_in("demo-admin")
    school = School.objects.get(name="Oak Park Elementary")
    school.city = "Lakeview"
    school.save()
    response = admin.get(reverse("organizations:school_history", args=[school.pk]))
    assert response.status_code == 200
    last_event, changes = response.context["changes"][-1]
    assert last_event.action == "update"
    assert changes == {"city": ("Riverside", "Lakeview")}


def test_demo_is_idempotent(demo: None) -> None:
    counts = (User.objects.count(), School.objects.count(), AuditEvent.objects.count())
    call_command("demo", quiet=True)
    assert (User.objects.count(), School.objects.count(), AuditEvent.objects.count()) == counts


def test_command_line_maps_hyphens_to_management_commands() -> None:
    assert command_args(["srodesk", "verify-audit", "--all"]) == ["srodesk", "verify_audit", "--all"]
    assert command_args(["srodesk", "--help"]) == ["srodesk", "--help"]


def test_python_dash_m_srodesk_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "srodesk", "help", "verify-audit"],
        capture_output=True,
        text=True,
        env={"SECRET_KEY": "x" * 50, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Verify the audit log's hash chain" in result.stdout


def test_dashboard_counts_come_after_the_page_and_alone_without_script(demo: None) -> None:
    sro = signed_in("demo-sro")
    page = sro.get(reverse("core:dashboard")).content.decode()
    counts_url = reverse("core:dashboard_counts")
    assert f'hx-get="{counts_url}"' in page
    assert f'<noscript><a href="{counts_url}">Show the counts</a></noscript>' in page
    assert 'class="count"' not in page

    fragment = sro.get(counts_url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="record-cards" class="cards">')
    assert "<html" not in fragment
    schools = reverse("organizations:school_list")
    assert f'<h3><a href="{schools}">Schools</a></h3>\n    <p class="count">1</p>' in fragment

    full = sro.get(counts_url).content.decode()
    assert "<h1>Records in your scope</h1>" in full
    assert f'<h3><a href="{schools}">Schools</a></h3>\n    <p class="count">1</p>' in full


def test_dashboard_counts_need_a_sign_in(demo: None) -> None:
    response = Client().get(reverse("core:dashboard_counts"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
