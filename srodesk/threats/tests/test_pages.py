"""The case page and its step forms: the header shows the step and what is due; a refused step answers
422 with the reason and everything typed kept; people who may not change the case get no forms."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.audit.models import AuditEvent
from srodesk.threats import services
from srodesk.threats.models import Interview, ThreatCase

from .conftest import World

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def step_url(world: World, action: str) -> str:
    return reverse("threats:threatcase_action", args=[world.case.pk, action])


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_case_page_shows_the_step_what_is_due_and_the_open_steps(world: World) -> None:
    body = login(world.counselor).get(world.case.get_absolute_url()).content.decode()
    assert '<h2 id="case-status-heading">Step 1: evaluate the threat</h2>' in body
    assert "Interview the student, recipient and witnesses" in body
    for action in ("interview_student", "interview_recipient", "interview_witness", "classify", "close"):
        assert f'id="action-{action}"' in body
    assert 'id="action-safety_evaluation"' not in body  # not open at step 1
    assert "Do you have access to a weapon?" in body  # the standard prompts


def test_a_refused_step_keeps_what_was_typed(world: World) -> None:
    client = login(world.counselor)
    before = ThreatCase.objects.filter(pk=world.case.pk).values().get()
    data = {"classify-classification": "serious_substantive", "classify-reasoning": "He said it twice."}
    response = client.post(step_url(world, "classify"), data, headers=HTMX)
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="action-classify"')
    assert "<html" not in body
    assert "record at least one interview before classifying it" in body
    assert "He said it twice.</textarea>" in body
    assert re.search(r'value="serious_substantive"[^>]* checked>', body)
    assert ThreatCase.objects.filter(pk=world.case.pk).values().get() == before


def test_an_invalid_form_answers_422_on_a_page_of_its_own_without_htmx(world: World) -> None:
    response = login(world.counselor).post(
        step_url(world, "interview_witness"), {"interview_witness-answer_what_happened": "A shove in the hall."}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "<html" in body
    assert "A shove in the hall.</textarea>" in body
    assert Interview.objects.count() == 0


def test_steps_taken_through_the_pages(world: World) -> None:
    client = login(world.counselor)
    response = client.post(
        step_url(world, "interview_student"),
        {"interview_student-person_name": "Dylan Marsh", "interview_student-answer_meaning": "I was angry."},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{world.case.get_absolute_url()}#interviews"
    assert Interview.objects.get(case=world.case).answers == {"meaning": "I was angry."}
    response = client.post(
        step_url(world, "classify"), {"classify-classification": "transient", "classify-reasoning": ""}, headers=HTMX
    )
    assert response.status_code == 422
    assert "A transient threat needs the reasoning" in response.content.decode()
    response = client.post(
        step_url(world, "classify"),
        {"classify-classification": "very_serious_substantive", "classify-reasoning": "Named a weapon."},
        headers=HTMX,
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{world.case.get_absolute_url()}#classification"
    response = client.post(step_url(world, "close"), {"close-summary": "All done."}, headers=HTMX)
    assert response.status_code == 422
    body = response.content.decode()
    assert "Complete the safety evaluation (step 4)." in body
    assert "Write the safety plan: at least one item (step 5)." in body
    assert "All done.</textarea>" in body
    assert ThreatCase.objects.get(pk=world.case.pk).status == "open"
    page = client.get(world.case.get_absolute_url()).content.decode()
    assert "Step 4: conduct a safety evaluation" in page
    assert 'id="action-safety_evaluation"' in page
    assert 'id="action-plan_item"' in page


def test_a_member_without_a_change_grant_sees_the_case_but_no_forms(world: World) -> None:
    viewer = Role.objects.create(slug="test-edu-viewer", name="Viewer", permissions=["view:education"])
    member = User.objects.create_user("viewer_member", password="x")
    RoleAssignment.objects.create(user=member, role=viewer, school=world.case.school)
    services.add_team_member(actor=world.admin, team=world.case.team, user=member, team_role="other")
    client = login(member)
    body = client.get(world.case.get_absolute_url()).content.decode()
    assert "Step 1: evaluate the threat" in body
    assert '<form id="action-' not in body
    response = client.post(step_url(world, "close"), {"close-summary": "x"})
    assert response.status_code == 403
    assert ThreatCase.objects.get(pk=world.case.pk).status == "open"


def test_a_step_page_of_its_own_is_logged(world: World) -> None:
    client = login(world.counselor)
    before = AuditEvent.objects.filter(kind="access", action="view").count()
    response = client.get(step_url(world, "themes"))
    assert response.status_code == 200
    assert "Access to weapons: finding" in response.content.decode()
    assert AuditEvent.objects.filter(kind="access", action="view").count() == before + 1
    assert client.get(step_url(world, "no_such_step")).status_code == 404


def test_plan_items_are_marked_done_from_the_page(world: World) -> None:
    services.record_interview(
        actor=world.counselor, case=world.case, subject="student", person_name="Dylan", answers={"meaning": "x"}
    )
    services.classify(actor=world.counselor, case=world.case, classification="serious_substantive", reasoning="")
    item = services.add_plan_item(
        actor=world.counselor, case=world.case, action="Check-in", owner=world.counselor, due_on=dt.date(2030, 1, 1)
    )
    client = login(world.counselor)
    assert "Mark done" in client.get(world.case.get_absolute_url()).content.decode()
    response = client.post(step_url(world, "plan_item_done"), {"plan_item_done-item": item.pk})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_at is not None
    response = client.post(step_url(world, "plan_item_done"), {"plan_item_done-item": item.pk}, headers=HTMX)
    assert response.status_code == 422


def test_adding_a_team_member_with_a_missing_role_keeps_the_choice(world: World) -> None:
    url = reverse("threats:team_member_add", args=[world.team.pk])
    response = login(world.admin).post(url, {"user": world.sro_outsider.pk}, headers=HTMX)
    assert response.status_code == 422
    body = response.content.decode()
    assert f'<option value="{world.sro_outsider.pk}" selected>' in body
    assert not world.team.memberships.filter(user=world.sro_outsider).exists()
