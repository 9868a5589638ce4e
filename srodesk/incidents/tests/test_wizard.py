"""Incident entry: the wizard's steps, autosave, errors that keep typed text, and who may continue a draft."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.audit.models import AuditEvent
from srodesk.incidents.models import Incident, InvolvedPerson, Offense
from srodesk.organizations.models import School
from srodesk.organizations.tests.factories import AgencyFactory, DistrictFactory, PartnershipFactory, SchoolFactory
from srodesk.people.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

NEW = reverse("incidents:incident_new")


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


def officer(name: str, slug: str = "sro", **scope: Any) -> User:
    user = User.objects.create_user(username=name, first_name=name.title())
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=slug), **scope)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def step(incident: Incident, name: str) -> str:
    return reverse("incidents:incident_wizard_step", args=[incident.pk, name])


@pytest.fixture
def world() -> dict[str, Any]:
    district = DistrictFactory(name="Riverside")
    agency = AgencyFactory(name="Riverside Police Department", ori="MI8123400")
    PartnershipFactory(agency=agency, district=district)
    school_a = SchoolFactory(district=district, name="Riverside High")
    school_b = SchoolFactory(district=district, name="Lakeside Middle")
    away = SchoolFactory(name="Faraway High")
    PartnershipFactory(district=away.district)
    jose = StudentFactory(school=school_a, given_name="José", family_name="Álvarez", identifier="S100200")
    # Same family name at another school: never offered to an officer of school A.
    StudentFactory(school=school_b, given_name="Ana", family_name="Álvarez")
    return {
        "district": district,
        "agency": agency,
        "school_a": school_a,
        "school_b": school_b,
        "away": away,
        "jose": jose,
        "sro": officer("dana", school=school_a),
    }


BASICS = {
    "title": "Fight in the east stairwell",
    "occurred_at": "2026-10-14T10:30",
    "reported_at": "",
    "location_type": "53",
    "school_relation": "on_grounds",
    "location_detail": "East stairwell, second floor",
    "source": "on_view",
    "referred_by": "",
}


def basics(school: School, **changes: Any) -> dict[str, Any]:
    return {**BASICS, "school": school.pk, **changes}


def start(client: Client, school: School) -> Incident:
    response = client.post(NEW, basics(school))
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    assert response["Location"] == step(incident, "narrative")
    return incident


def test_the_whole_wizard_then_submit(world: dict[str, Any]) -> None:
    client = client_for(world["sro"])
    page = client.get(NEW)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Step 1 of 5: Basics" in html
    assert 'value="53" selected' in html  # K-12 school grounds by default
    assert 'name="narrative"' not in html

    incident = start(client, world["school_a"])
    assert incident.status == "draft"
    assert re.fullmatch(r"2026-\d{6}", incident.number)
    assert incident.agency == world["agency"]
    assert incident.district == world["district"]
    assert incident.school == world["school_a"]
    assert incident.officer == world["sro"]
    assert incident.created_by == world["sro"]
    assert incident.location_type == "53"
    assert incident.location_detail == "East stairwell, second floor"

    response = client.post(step(incident, "narrative"), {"narrative": "Two students were fighting."})
    assert response.status_code == 302
    assert response["Location"] == step(incident, "offenses")

    response = client.post(
        step(incident, "offenses"), {"action": "add", "new-ucr_code": "13B", "new-attempted_completed": "C"}
    )
    assert response.status_code == 302
    offense = Offense.objects.get(incident=incident)
    assert (offense.ucr_code, offense.attempted_completed) == ("13B", "C")
    offenses_page = client.get(step(incident, "offenses")).content.decode()
    assert "Simple Assault (13B)" in offenses_page
    assert client.post(step(incident, "offenses"), {"action": "next"})["Location"] == step(incident, "people")

    people = client.get(step(incident, "people"))
    assert people.status_code == 200
    response = client.post(
        step(incident, "people"),
        {
            "action": "add",
            "new-student": world["jose"].pk,
            "new-role": "offender",
            "new-name": "",
            "new-age_code": "15",
            "new-sex": "M",
            "new-race": "W",
            "new-ethnicity": "H",
        },
    )
    assert response.status_code == 302
    response = client.post(
        step(incident, "people"),
        {"action": "add", "new-role": "witness", "new-name": "Ms. Lee", "new-age_code": "00"},
    )
    assert response.status_code == 302
    offender, witness = InvolvedPerson.objects.filter(incident=incident).order_by("pk")
    assert (offender.student_id, offender.role, offender.sequence_number) == (world["jose"].pk, "offender", 1)
    assert (offender.age_code, offender.sex, offender.race, offender.ethnicity) == ("15", "M", "W", "H")
    assert (witness.student_id, witness.name, witness.role, witness.sequence_number) == (None, "Ms. Lee", "witness", 1)

    review = client.get(step(incident, "review"))
    assert review.status_code == 200
    text = review.content.decode()
    for expected in ("Fight in the east stairwell", "Two students were fighting.", "Simple Assault", "Ms. Lee"):
        assert expected in text, expected

    response = client.post(step(incident, "review"))
    assert response.status_code == 302
    assert response["Location"] == incident.get_absolute_url()
    incident.refresh_from_db()
    assert incident.status == "submitted"
    assert incident.submitted_at is not None

    # A submitted report no longer opens in the wizard: every step leads to its page.
    for name in ("basics", "narrative", "review"):
        locked = client.get(step(incident, name))
        assert locked.status_code == 302
        assert locked["Location"] == incident.get_absolute_url()
    autosave = client.post(step(incident, "narrative") + "?autosave=1", {"narrative": "Changed later"})
    assert autosave.status_code == 409
    incident.refresh_from_db()
    assert incident.narrative == "Two students were fighting."


def test_submit_of_an_incomplete_report_shows_why_and_changes_nothing(world: dict[str, Any]) -> None:
    client = client_for(world["sro"])
    incident = start(client, world["school_a"])
    response = client.post(step(incident, "review"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Write the narrative before submitting the report." in html
    assert "Record at least one offense before submitting the report." in html
    incident.refresh_from_db()
    assert incident.status == "draft"


def test_autosave_keeps_a_partial_narrative(world: dict[str, Any]) -> None:
    client = client_for(world["sro"])
    incident = start(client, world["school_a"])
    response = client.post(
        step(incident, "narrative") + "?autosave=1",
        {"narrative": "At 10:30 I saw two students"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.narrative == "At 10:30 I saw two students"
    status = response.content.decode()
    assert re.search(r"Saved <time datetime=\"[^\"]+\">\d\d:\d\d</time>", status)
    assert "<form" not in status  # only the status line: nothing being typed is replaced
    reloaded = client.get(step(incident, "narrative")).content.decode()
    assert ">\nAt 10:30 I saw two students</textarea>" in reloaded
    assert f'data-draft-key="srodesk:incident:{incident.pk}"' in reloaded


def test_autosave_of_unchanged_text_writes_no_change_row(world: dict[str, Any]) -> None:
    client = client_for(world["sro"])
    incident = start(client, world["school_a"])
    client.post(step(incident, "narrative") + "?autosave=1", {"narrative": "Same text"})
    before = AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).count()
    response = client.post(step(incident, "narrative") + "?autosave=1", {"narrative": "Same text"})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).count() == before


def test_invalid_basics_answer_422_keep_the_text_and_change_nothing(world: dict[str, Any]) -> None:
    client = client_for(world["sro"])
    incident = start(client, world["school_a"])
    before = Incident.objects.filter(pk=incident.pk).values().get()
    typed = basics(
        world["school_a"], title="A new title typed on the phone", occurred_at="yesterday-ish", reported_at=""
    )
    response = client.post(step(incident, "basics"), typed)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="A new title typed on the phone"' in html
    assert 'value="yesterday-ish"' in html
    assert "Enter a valid date/time." in html
    assert "Nothing was saved; what you typed is kept." in html
    assert 'aria-invalid="true"' in html
    assert Incident.objects.filter(pk=incident.pk).values().get() == before

    # The same through autosave: 422, a message in the status line, nothing saved.
    response = client.post(step(incident, "basics") + "?autosave=1", typed)
    assert response.status_code == 422
    assert "Not saved:" in response.content.decode()
    assert Incident.objects.filter(pk=incident.pk).values().get() == before


def test_invalid_first_step_creates_no_draft(world: dict[str, Any]) -> None:
    client = client_for(world["sro"])
    response = client.post(NEW, basics(world["school_a"], occurred_at="", reported_at=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter when it occurred, or the report date if that is unknown." in html
    assert 'value="Fight in the east stairwell"' in html
    assert 'value="East stairwell, second floor"' in html
    assert Incident.objects.count() == 0


def test_first_step_offers_only_schools_in_the_officers_scope(world: dict[str, Any]) -> None:
    client = client_for(world["sro"])
    html = client.get(NEW).content.decode()
    assert "Riverside High" in html
    assert "Lakeside Middle" not in html
    assert "Faraway High" not in html
    response = client.post(NEW, basics(world["school_b"]))
    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    assert Incident.objects.count() == 0


def test_a_school_without_a_partner_agency_is_refused(world: dict[str, Any]) -> None:
    lonely = SchoolFactory(name="No Partner High")
    sro = officer("lone", school=lonely)
    response = client_for(sro).post(NEW, basics(lonely))
    assert response.status_code == 422
    assert "No agency serves this school&#x27;s district yet." in response.content.decode()
    assert Incident.objects.count() == 0


def test_another_sro_out_of_scope_cannot_open_the_draft(world: dict[str, Any]) -> None:
    incident = start(client_for(world["sro"]), world["school_a"])
    Incident.objects.filter(pk=incident.pk).update(narrative="Original")
    for other in (officer("elsewhere", school=world["school_b"]), officer("far", school=world["away"])):
        client = client_for(other)
        for name in ("basics", "narrative", "offenses", "people", "review"):
            assert client.get(step(incident, name)).status_code == 404, name
        assert client.get(reverse("incidents:incident_wizard", args=[incident.pk])).status_code == 404
        response = client.post(step(incident, "narrative") + "?autosave=1", {"narrative": "Overwritten"})
        assert response.status_code == 404
        assert client.post(step(incident, "review")).status_code == 404
        search = reverse("incidents:incident_wizard_students", args=[incident.pk])
        assert client.get(search, {"student_q": "Álvarez"}).status_code == 404
    incident.refresh_from_db()
    assert (incident.narrative, incident.status) == ("Original", "draft")


def test_a_colleague_in_scope_may_continue_the_draft(world: dict[str, Any]) -> None:
    incident = start(client_for(world["sro"]), world["school_a"])
    colleague = client_for(officer("partner", school=world["school_a"]))
    assert colleague.get(step(incident, "narrative")).status_code == 200
    response = colleague.post(step(incident, "narrative") + "?autosave=1", {"narrative": "Added by a colleague"})
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.narrative == "Added by a colleague"


def test_school_admin_cannot_start_a_wizard(world: dict[str, Any]) -> None:
    admin = officer("principal", "school_admin", school=world["school_a"])
    client = client_for(admin)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, basics(world["school_a"])).status_code == 403
    assert Incident.objects.count() == 0
    incident = start(client_for(world["sro"]), world["school_a"])
    assert client.get(step(incident, "basics")).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(world: dict[str, Any]) -> None:
    response = Client().get(NEW)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_student_search_is_limited_to_the_officers_scope_and_logged(world: dict[str, Any]) -> None:
    client = client_for(world["sro"])
    incident = start(client, world["school_a"])
    url = reverse("incidents:incident_wizard_students", args=[incident.pk])
    response = client.get(url, {"student_q": "Álvarez"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{world["jose"].pk}"' in html
    assert "José Álvarez" in html
    assert "Ana" not in html
    listed = AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS, action=AuditEvent.Action.LIST).latest("seq")
    assert listed.detail["object_ids"] == [world["jose"].pk]
    assert listed.detail["incident"] == incident.pk
    assert "No student you may see matches" in client.get(url, {"student_q": "Nobody"}).content.decode()


def test_people_step_never_prefills_demographics_from_the_roster(world: dict[str, Any]) -> None:
    jose = world["jose"]
    jose.sex, jose.white, jose.hispanic_latino = "male", True, True
    jose.save()
    client = client_for(world["sro"])
    incident = start(client, world["school_a"])
    # Without JavaScript, "Find" posts the form: the student is offered, the NIBRS fields stay empty.
    response = client.post(step(incident, "people"), {"action": "find", "student_q": "S100200", "new-role": "victim"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{jose.pk}"' in html
    for field in ("sex", "race", "ethnicity"):
        chosen = re.search(rf'<select name="new-{field}"[^>]*>.*?</select>', html, re.S)
        assert chosen is not None
        assert "selected" not in chosen.group(0).replace('value="" selected', ""), field
    assert 'name="new-age_code"' in html
    assert not re.search(r'name="new-age_code" value="[^"]', html)


def test_adding_a_student_out_of_scope_is_refused_and_keeps_the_input(world: dict[str, Any]) -> None:
    client = client_for(world["sro"])
    incident = start(client, world["school_a"])
    ana = world["school_b"].students.get()
    response = client.post(
        step(incident, "people"),
        {"action": "add", "new-student": ana.pk, "new-role": "victim", "new-age_code": "14", "new-sex": "F"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose a student from the search results." in html
    assert 'value="14"' in html
    assert InvolvedPerson.objects.count() == 0


def test_bad_age_code_is_a_422_on_the_row(world: dict[str, Any]) -> None:
    client = client_for(world["sro"])
    incident = start(client, world["school_a"])
    client.post(step(incident, "people"), {"action": "add", "new-role": "victim", "new-name": "Pat Doe"})
    person = InvolvedPerson.objects.get()
    url = reverse("incidents:incident_wizard_person", args=[incident.pk, person.pk])
    prefix = f"person-{person.pk}"
    response = client.post(url, {f"{prefix}-role": "victim", f"{prefix}-age_code": "fifteen"})
    assert response.status_code == 422
    assert 'value="fifteen"' in response.content.decode()
    person.refresh_from_db()
    assert person.age_code == ""
    response = client.post(url + "?autosave=1", {f"{prefix}-role": "victim", f"{prefix}-age_code": "16"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.age_code == "16"


def test_offense_rows_autosave_and_remove(world: dict[str, Any]) -> None:
    client = client_for(world["sro"])
    incident = start(client, world["school_a"])
    client.post(step(incident, "offenses"), {"action": "add", "new-ucr_code": "13B", "new-attempted_completed": "C"})
    client.post(step(incident, "offenses"), {"action": "add", "new-ucr_code": "23C", "new-attempted_completed": "A"})
    first, second = Offense.objects.filter(incident=incident).order_by("pk")
    url = reverse("incidents:incident_wizard_offense", args=[incident.pk, first.pk])
    prefix = f"offense-{first.pk}"
    response = client.post(url + "?autosave=1", {f"{prefix}-ucr_code": "13A", f"{prefix}-attempted_completed": "A"})
    assert response.status_code == 200
    first.refresh_from_db()
    assert (first.ucr_code, first.attempted_completed) == ("13A", "A")
    bad = client.post(url + "?autosave=1", {f"{prefix}-ucr_code": "XYZ", f"{prefix}-attempted_completed": "A"})
    assert bad.status_code == 422
    first.refresh_from_db()
    assert first.ucr_code == "13A"

    remove = reverse("incidents:incident_wizard_offense_remove", args=[incident.pk, second.pk])
    assert client.post(remove).status_code == 302
    second.refresh_from_db()
    assert second.deleted_at is not None
    assert second.deleted_by == world["sro"]
    assert list(Offense.objects.alive().filter(incident=incident)) == [first]
    assert "Larceny" not in client.get(step(incident, "review")).content.decode()
    # Another officer's draft part is not reachable through this draft.
    other = start_other(world)
    other_offense = Offense.objects.create(incident=other, ucr_code="13B")
    wrong = reverse("incidents:incident_wizard_offense_remove", args=[incident.pk, other_offense.pk])
    assert client.post(wrong).status_code == 404
    other_offense.refresh_from_db()
    assert other_offense.deleted_at is None


def start_other(world: dict[str, Any]) -> Incident:
    return Incident.objects.create(
        district=world["district"],
        school=world["school_a"],
        agency=world["agency"],
        title="Other report",
        occurred_at=dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC),
        source="call",
    )


def test_dashboard_lists_my_drafts_with_a_new_incident_button(world: dict[str, Any]) -> None:
    client = client_for(world["sro"])
    incident = start(client, world["school_a"])
    start_other(world)  # not this officer's draft
    html = client.get(reverse("core:dashboard")).content.decode()
    assert "My draft reports" in html
    assert f'href="{NEW}"' in html
    panel = html[html.index('id="draft-reports-heading"') :]
    panel = panel[: panel.index("</section>")]
    assert panel.count('href="/incidents/new/') == 2  # the button and the one draft
    assert reverse("incidents:incident_wizard", args=[incident.pk]) in html
    assert "Other report" not in html
    resume = client.get(reverse("incidents:incident_wizard", args=[incident.pk]))
    assert resume["Location"] == step(incident, "narrative")

    admin_html = client_for(officer("principal", "school_admin", school=world["school_a"])).get(
        reverse("core:dashboard")
    )
    assert "My draft reports" not in admin_html.content.decode()
    assert NEW not in admin_html.content.decode()


def test_dashboard_panel_for_users_who_may_add_incidents(world: dict[str, Any]) -> None:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from srodesk.incidents.profile import dashboard_drafts

    incident = start(client_for(world["sro"]), world["school_a"])
    start_other(world)
    request = RequestFactory().get("/")
    request.user = world["sro"]
    panel = dashboard_drafts(request)
    assert panel is not None
    assert [row["incident"] for row in panel["drafts"]] == [incident]
    assert panel["new_url"] == NEW
    html = render_to_string(panel["template"], {"panel": panel})
    assert "My draft reports" in html
    assert "New incident" in html
    assert reverse("incidents:incident_wizard", args=[incident.pk]) in html

    request.user = officer("principal", "school_admin", school=world["school_a"])
    assert dashboard_drafts(request) is None
