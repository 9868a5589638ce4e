"""Case packets: the PDF's content and redaction, the generation task, and the pages with their rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.audit.models import AuditEvent
from srodesk.incidents import custody
from srodesk.incidents.models import (
    Attachment,
    CasePacket,
    EvidenceItem,
    Incident,
    IncidentShare,
    InvolvedPerson,
    Supplement,
)
from srodesk.incidents.packet import initials, render_packet, render_packet_document
from srodesk.incidents.tasks import generate_packet
from srodesk.incidents.tests.factories import (
    WHEN,
    ArrestFactory,
    IncidentFactory,
    OffenseFactory,
    SearchFactory,
    UseOfForceFactory,
)
from srodesk.organizations.models import Agency, District, Partnership, School
from srodesk.people.models import Disclosure, OtherPerson, Student

pytestmark = pytest.mark.django_db

VICTIM = ("Jordan", "Reyes")
OFFENDER = ("Casey", "Morgan")
NARRATIVE = (
    "At 10:25 the officer saw Casey Morgan strike Jordan Reyes twice in the east stairwell.\n\n"
    "The officer separated the students and called the school nurse."
)
SUPPLEMENT = "The victim's parent brought a photograph of the bruise taken the same evening."


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


# --- the world -----------------------------------------------------------------------------------------


def make_user(username: str, role: str | Role, **scope: Any) -> User:
    user = User.objects.create_user(username=username, password="unused-password-123", first_name=username.title())
    role_obj = role if isinstance(role, Role) else Role.objects.get(slug=role)
    RoleAssignment.objects.create(user=user, role=role_obj, **scope)
    return user


def make_student(school: School, given: str, family: str, born: dt.date = dt.date(2010, 4, 7)) -> Student:
    student = Student.objects.create(
        district=school.district, school=school, given_name=given, family_name=family, birth_date=born
    )
    student.schools.add(school)
    return student


def build_world() -> dict[str, Any]:
    district = District.objects.create(name="Lakeside Public Schools", slug="lakeside", state="MI")
    school = School.objects.create(district=district, name="Lakeside High")
    agency = Agency.objects.create(name="Lakeside Police Department", ori="MI1234500", state="MI")
    Partnership.objects.create(agency=agency, district=district, state="MI")
    away_district = District.objects.create(name="Away District", slug="away", state="OH")
    away_school = School.objects.create(district=away_district, name="Away High")
    away_agency = Agency.objects.create(name="Away Police", ori="OH7654300", state="OH")
    Partnership.objects.create(agency=away_agency, district=away_district, state="OH")
    return {
        "district": district,
        "school": school,
        "agency": agency,
        "away_school": away_school,
        "away_agency": away_agency,
        "sro": make_user("officer", "sro", school=school),
        "sro_out": make_user("officer-away", "sro", school=away_school),
        "supervisor": make_user("sergeant", "sro_supervisor", agency=agency),
        "school_admin": make_user("principal", "school_admin", school=school),
        "counselor": make_user("counselor", "counselor", school=school),
        "viewer": make_user(
            "viewer",
            Role.objects.create(slug="le-viewer", name="Viewer", permissions=["view:law_enforcement"]),
            school=school,
        ),
    }


def build_incident(world: dict[str, Any], **overrides: Any) -> Incident:
    """An incident with every part a packet shows: offenses, persons, supplements, arrest, force, search,
    evidence with a custody chain, and an attachment."""
    school, sro = world["school"], world["sro"]
    fields = {
        "title": "Fight in the east stairwell",
        "location_detail": "East stairwell, second floor",
        "narrative": NARRATIVE,
        "officer": sro,
        **overrides,
    }
    incident = IncidentFactory(school=school, agency=world["agency"], **fields)
    OffenseFactory(incident=incident, ucr_code="13B")
    OffenseFactory(incident=incident, ucr_code="290", weapons_force=[])
    InvolvedPerson.objects.create(
        incident=incident,
        role="victim",
        student=make_student(school, *VICTIM),
        victim_type="I",
        age_code="15",
        sex="M",
        injuries=["M"],
        contact_phone="555-0142",
        contact_address="12 Elm Street",
        statement="He hit me when I would not give him my phone.",
    )
    offender = InvolvedPerson.objects.create(
        incident=incident, role="offender", student=make_student(school, *OFFENDER), age_code="16", sex="M"
    )
    adult = OtherPerson.objects.create(
        district=school.district, given_name="Pat", family_name="Lee", birth_date=dt.date(1980, 1, 1)
    )
    InvolvedPerson.objects.create(
        incident=incident, role="witness", other_person=adult, contact_phone="555-0199", age_code="46"
    )
    child = OtherPerson.objects.create(
        district=school.district, given_name="Robin", family_name="Quill", birth_date=dt.date(2013, 6, 1)
    )
    InvolvedPerson.objects.create(incident=incident, role="witness", sequence_number=2, other_person=child)
    Supplement.objects.create(incident=incident, author=sro, narrative=SUPPLEMENT)
    ArrestFactory(incident=incident, arrestee=offender, arrest_offense="13B", juvenile_disposition="R")
    UseOfForceFactory(incident=incident, subject=offender, officer=sro)
    SearchFactory(
        incident=incident,
        school=school,
        agency=world["agency"],
        student=offender.student,
        found="A cracked phone case",
    )
    item = EvidenceItem.objects.create(
        incident=incident,
        district=school.district,
        school=school,
        agency=world["agency"],
        description="Cracked phone case",
        where_found="Stairwell floor",
        collected_at=WHEN,
    )
    custody.record_event(item, "collected", sro, location="East stairwell", to_party="Ofc. Officer")
    custody.record_event(
        item, "stored", sro, at=WHEN + dt.timedelta(hours=2), location="Evidence locker 4", reason="Pending hearing"
    )
    content = b"photo bytes"
    Attachment.objects.create(
        incident=incident,
        file=ContentFile(content, name="bruise.jpg"),
        name="bruise.jpg",
        content_type="image/jpeg",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        description="Photograph from the parent",
    )
    incident.refresh_from_db()
    return incident


@pytest.fixture
def world() -> dict[str, Any]:
    return build_world()


@pytest.fixture
def incident(world: dict[str, Any]) -> Incident:
    return build_incident(world)


def new_packet(incident: Incident, user: User, **choices: Any) -> CasePacket:
    return CasePacket.objects.create(incident=incident, requested_by=user, purpose="Juvenile court hearing", **choices)


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with whitespace folded (wrapped lines join again)."""
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def access_rows(incident: Incident, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.ACCESS,
            action=action,
            content_type=ContentType.objects.get_for_model(Incident),
            object_id=str(incident.pk),
        )
    )


# --- the PDF -------------------------------------------------------------------------------------------


def test_the_packet_shows_the_incident_and_every_part(incident: Incident, world: dict[str, Any]) -> None:
    packet = new_packet(incident, world["sro"], minors_by_initials=False, hide_victim_contact=False)

    rendered = render_packet_document(packet, lambda _: None)

    pages = pages_text(rendered.pdf)
    text = " ".join(pages)
    assert rendered.page_count == len(pages)
    assert incident.number in pages[0]
    assert "LAW ENFORCEMENT RECORD — not an education record" in pages[0]
    assert "Lakeside Police Department" in pages[0]
    assert "MI1234500" in pages[0]
    assert "Juvenile court hearing" in pages[0]
    assert "Officer (officer)" in pages[0]  # generated by
    for expected in (
        "13B Simple Assault",
        "290 Destruction/Damage/Vandalism of Property",
        "The officer separated the students and called the school nurse.",
        "Casey Morgan strike Jordan Reyes",
        SUPPLEMENT,
        "He hit me when I would not give him my phone.",
        "On-View Arrest",
        "Restraint",
        "A cracked phone case",
        "Cracked phone case",
        "Evidence locker 4",
        "Pending hearing",
        "Collected",
        "Stored",
        "bruise.jpg",
        hashlib.sha256(b"photo bytes").hexdigest(),
        "School - Elementary/ Secondary",
        "Audit summary",
    ):
        assert expected in text, expected
    assert "Verified (Chain intact: 2 events)" in text


def test_every_page_says_page_x_of_y(incident: Incident, world: dict[str, Any]) -> None:
    incident.narrative = "\n\n".join(
        f"Paragraph {n}: " + "The officer wrote down what happened. " * 12 for n in range(60)
    )
    incident.save()
    packet = new_packet(incident, world["sro"])

    rendered = render_packet_document(packet, lambda _: None)

    pages = pages_text(rendered.pdf)
    n = len(pages)
    assert n >= 4
    assert rendered.page_count == n
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {n}" in page
    assert f"Page {n + 1} of" not in " ".join(pages)


def test_minors_by_initials_hides_students_and_children_everywhere(incident: Incident, world: dict[str, Any]) -> None:
    packet = new_packet(incident, world["sro"], minors_by_initials=True)

    text = " ".join(pages_text(render_packet(packet, lambda _: None)))

    for given, family in (VICTIM, OFFENDER, ("Robin", "Quill")):
        assert f"{given} {family}" not in text
        assert family not in text
    # Named by initials in the persons, the narrative, the arrest and the search.
    assert "Victim 1: J.R." in text
    assert "Offender 1: C.M." in text
    assert "Witness 2: R.Q." in text
    assert "C.M. strike J.R. twice" in text
    # An adult is still named in full.
    assert "Pat Lee" in text


def test_an_unlinked_person_under_18_is_named_by_initials(incident: Incident, world: dict[str, Any]) -> None:
    InvolvedPerson.objects.create(incident=incident, role="suspect", name="Sam Taylor", age_code="1417")
    InvolvedPerson.objects.create(incident=incident, role="reporting_party", name="Alex Stone", age_code="35")
    incident.narrative += "\n\nSam  Taylor ran toward the gym; SAM TAYLOR was later found there."
    incident.save()
    packet = new_packet(incident, world["sro"], minors_by_initials=True)

    text = " ".join(pages_text(render_packet(packet, lambda _: None)))

    assert "Suspect 1: S.T." in text
    assert "S.T. ran toward the gym; S.T. was later found there." in text
    assert "Taylor" not in text.replace("S.T.", "")
    assert "Reporting party 1: Alex Stone" in text


def test_a_student_named_only_in_a_search_is_scrubbed_from_the_narrative(
    incident: Incident, world: dict[str, Any]
) -> None:
    searched = make_student(world["school"], "Lee", "Parker")
    SearchFactory(incident=incident, school=world["school"], agency=world["agency"], student=searched)
    incident.narrative = "Lee Parker handed over the bag."
    incident.save()
    packet = new_packet(incident, world["sro"], minors_by_initials=True)

    text = " ".join(pages_text(render_packet(packet, lambda _: None)))

    assert "L.P. handed over the bag." in text
    assert "Parker" not in text


def test_without_minors_by_initials_full_names_are_shown(incident: Incident, world: dict[str, Any]) -> None:
    packet = new_packet(incident, world["sro"], minors_by_initials=False)

    text = " ".join(pages_text(render_packet(packet, lambda _: None)))

    assert "Victim 1: Jordan Reyes" in text
    assert "Robin Quill" in text
    assert "J.R." not in text


@pytest.mark.parametrize("hide", [True, False], ids=["hidden", "shown"])
def test_victim_contact_details_follow_the_choice(incident: Incident, world: dict[str, Any], hide: bool) -> None:
    packet = new_packet(incident, world["sro"], hide_victim_contact=hide)

    text = " ".join(pages_text(render_packet(packet, lambda _: None)))

    assert ("555-0142" in text) is not hide
    assert ("12 Elm Street" in text) is not hide
    assert ("Withheld (redaction)" in text) is hide
    assert "555-0199" in text  # a witness's phone is not a victim's


def test_a_broken_custody_chain_is_shown_as_not_verified(incident: Incident, world: dict[str, Any]) -> None:
    event = EvidenceItem.objects.get(incident=incident).custody_events.get(sequence=2)
    type(event).objects.filter(pk=event.pk).update(location="Trunk of a car")
    packet = new_packet(incident, world["sro"])

    text = " ".join(pages_text(render_packet(packet, lambda _: None)))

    assert "NOT VERIFIED: Broken at event 2" in text
    assert "Trunk of a car" in text


def test_progress_rises_to_95_and_long_text_wraps(incident: Incident, world: dict[str, Any]) -> None:
    item = EvidenceItem.objects.get(incident=incident)
    custody.record_event(item, "checked_out", world["sro"], reason="Court exhibit. " * 900, to_party="Clerk")
    Supplement.objects.create(incident=incident, narrative="x" * 5000 + " ünïcode → arrow ✓")
    packet = new_packet(incident, world["sro"])
    seen: list[int] = []

    rendered = render_packet_document(packet, seen.append)

    assert seen[0] == 0
    assert seen[-1] == 95
    assert seen == sorted(seen)
    assert rendered.page_count >= 3
    assert "Court exhibit." in " ".join(pages_text(rendered.pdf))


def test_initials() -> None:
    assert initials("Jordan", "Reyes") == "J.R."
    assert initials("Mary-Ann", "de la Cruz") == "M.A.D.L.C."
    assert initials("", "") == "?"


def test_page_one_renders_to_png(incident: Incident, world: dict[str, Any], tmp_path: Path) -> None:
    """Page 1 as an image; with SRODESK_SCREENSHOTS=<dir> it is written there as case-packet-page1.png."""
    import pypdfium2

    packet = new_packet(incident, world["sro"])
    pdf = pypdfium2.PdfDocument(render_packet(packet, lambda _: None))
    image = pdf[0].render(scale=1.5).to_pil()
    folder = Path(os.environ.get("SRODESK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "case-packet-page1.png"
    image.save(target, optimize=True)

    assert image.size == (918, 1188)  # US letter at 108 dpi
    assert image.convert("L").getextrema()[0] < 50  # there is dark ink on the page
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- the task ------------------------------------------------------------------------------------------


def test_the_task_generates_stores_and_logs(incident: Incident, world: dict[str, Any]) -> None:
    packet = new_packet(incident, world["sro"])

    generate_packet.enqueue(packet.pk)

    packet.refresh_from_db()
    assert packet.status == CasePacket.Status.DONE
    assert packet.progress == 100
    assert packet.error == ""
    data = packet.file.read()
    assert data[:5] == b"%PDF-"
    assert packet.sha256 == hashlib.sha256(data).hexdigest()
    assert packet.page_count == len(PdfReader(io.BytesIO(data)).pages)
    [row] = access_rows(incident, AuditEvent.Action.PRINT)
    assert row.actor_id == world["sro"].pk
    assert row.detail["case_packet"] == packet.pk
    assert row.detail["sha256"] == packet.sha256
    assert row.school_id == incident.school_id
    assert row.agency_id == incident.agency_id


def test_the_task_records_a_failure(incident: Incident, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(packet: CasePacket, progress: Any) -> Any:
        progress(40)
        raise RuntimeError("the printer caught fire")

    monkeypatch.setattr("srodesk.incidents.packet.render_packet_document", broken)
    packet = new_packet(incident, world["sro"])

    generate_packet.enqueue(packet.pk)

    packet.refresh_from_db()
    assert packet.status == CasePacket.Status.FAILED
    assert packet.error == "RuntimeError: the printer caught fire"
    assert packet.progress == 40
    assert not packet.file
    assert packet.sha256 == ""
    assert access_rows(incident, AuditEvent.Action.PRINT) == []


def test_the_task_leaves_a_finished_packet_alone(incident: Incident, world: dict[str, Any]) -> None:
    packet = new_packet(incident, world["sro"])
    generate_packet.enqueue(packet.pk)
    packet.refresh_from_db()
    first = (packet.file.name, packet.sha256)

    generate_packet.enqueue(packet.pk)

    packet.refresh_from_db()
    assert (packet.file.name, packet.sha256) == first
    assert len(access_rows(incident, AuditEvent.Action.PRINT)) == 1


# --- requesting a packet -------------------------------------------------------------------------------

FORM = {"purpose": "Juvenile court hearing 2026-12-14", "minors_by_initials": "on", "hide_victim_contact": "on"}


def test_an_in_scope_officer_requests_a_packet_and_it_is_generated(
    incident: Incident, world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world["sro"])
    url = reverse("incidents:casepacket_add", args=[incident.pk])
    assert client.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, FORM)

    packet = CasePacket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:casepacket_detail", args=[packet.pk])
    assert packet.requested_by == world["sro"]
    assert packet.purpose == "Juvenile court hearing 2026-12-14"
    assert (packet.minors_by_initials, packet.hide_victim_contact) == (True, True)
    assert packet.status == CasePacket.Status.DONE
    assert len(access_rows(incident, AuditEvent.Action.PRINT)) == 1


def test_the_redaction_choices_can_be_turned_off(
    incident: Incident, world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world["sro"]).post(
            reverse("incidents:casepacket_add", args=[incident.pk]), {"purpose": "Prosecutor review"}
        )

    packet = CasePacket.objects.get()
    assert (packet.minors_by_initials, packet.hide_victim_contact) == (False, False)
    assert "Jordan Reyes" in " ".join(pages_text(packet.file.read()))


def test_a_request_without_purpose_is_refused_and_keeps_the_choices(incident: Incident, world: dict[str, Any]) -> None:
    response = client_for(world["sro"]).post(
        reverse("incidents:casepacket_add", args=[incident.pk]),
        {"purpose": "   ", "hide_victim_contact": "on"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert CasePacket.objects.count() == 0
    body = response.content.decode()
    assert "State what the packet is for." in body
    inputs = {m.group(1): m.group(0) for m in re.finditer(r'<input[^>]*name="(\w+)"[^>]*>', body)}
    assert "checked" in inputs["hide_victim_contact"]
    assert "checked" not in inputs["minors_by_initials"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("sro_out", 404), ("school_admin", 404), ("viewer", 403), ("counselor", 403)],
    ids=["other-district-sro", "school-admin-not-shared", "no-export-grant", "no-police-records"],
)
def test_a_request_outside_the_rules_creates_nothing(
    incident: Incident, world: dict[str, Any], who: str, status: int, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world[who])
    url = reverse("incidents:casepacket_add", args=[incident.pk])

    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == status
        assert client.post(url, FORM).status_code == status

    assert CasePacket.objects.count() == 0
    assert access_rows(incident, AuditEvent.Action.PRINT) == []


def test_a_school_admin_with_a_share_sees_the_incident_but_may_not_export_it(
    incident: Incident, world: dict[str, Any]
) -> None:
    IncidentShare.objects.create(incident=incident, school=world["school"], reason="Discipline hearing")
    client = client_for(world["school_admin"])

    assert client.post(reverse("incidents:casepacket_add", args=[incident.pk]), FORM).status_code == 403
    assert CasePacket.objects.count() == 0


def test_the_agency_supervisor_may_request_a_packet(
    incident: Incident, world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world["supervisor"]).post(reverse("incidents:casepacket_add", args=[incident.pk]), FORM)

    assert response.status_code == 302
    assert CasePacket.objects.get().status == CasePacket.Status.DONE


# --- the packet's page and its progress ----------------------------------------------------------------


def test_the_status_page_polls_a_running_packet_with_a_progress_bar(incident: Incident, world: dict[str, Any]) -> None:
    packet = new_packet(incident, world["sro"])
    CasePacket.objects.filter(pk=packet.pk).update(status=CasePacket.Status.RUNNING, progress=45)
    client = client_for(world["sro"])

    response = client.get(reverse("incidents:casepacket_detail", args=[packet.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert '<progress id="packet-progress-bar" max="100" value="45"' in body
    assert 'hx-trigger="every 1s"' in body
    assert reverse("incidents:casepacket_status", args=[packet.pk]) in body
    assert "Download PDF" not in body


def test_the_status_region_answers_204_until_something_changes(incident: Incident, world: dict[str, Any]) -> None:
    from srodesk.incidents.packet_views import state_token

    packet = new_packet(incident, world["sro"])
    client = client_for(world["sro"])
    url = reverse("incidents:casepacket_status", args=[packet.pk])

    assert client.get(url, {"v": state_token(packet)}, headers={"HX-Request": "true"}).status_code == 204
    CasePacket.objects.filter(pk=packet.pk).update(status=CasePacket.Status.RUNNING, progress=70)
    response = client.get(url, {"v": state_token(packet)}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'value="70"' in response.content.decode()

    generate_packet.enqueue(packet.pk)  # the packet is running: the task leaves it alone
    CasePacket.objects.filter(pk=packet.pk).update(status=CasePacket.Status.DONE, progress=100, page_count=3)
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' not in body
    assert 'id="packet-result" hx-swap-oob="true"' in body
    assert "Download PDF" in body


def test_a_failed_packet_shows_its_error(incident: Incident, world: dict[str, Any]) -> None:
    packet = new_packet(incident, world["sro"])
    CasePacket.objects.filter(pk=packet.pk).update(status=CasePacket.Status.FAILED, error="ValueError: bad data")

    body = client_for(world["sro"]).get(reverse("incidents:casepacket_detail", args=[packet.pk])).content.decode()

    assert "The packet could not be generated: ValueError: bad data" in body


@pytest.mark.parametrize(
    ("who", "status"), [("sro_out", 404), ("school_admin", 404), ("viewer", 403)], ids=["out", "admin", "viewer"]
)
def test_the_packet_pages_follow_the_rules(incident: Incident, world: dict[str, Any], who: str, status: int) -> None:
    packet = new_packet(incident, world["sro"])
    client = client_for(world[who])

    for name in ("casepacket_detail", "casepacket_status", "casepacket_give"):
        assert client.get(reverse(f"incidents:{name}", args=[packet.pk])).status_code == status, name
    assert client.get(reverse("incidents:casepacket_list", args=[incident.pk])).status_code == status


# --- the list ------------------------------------------------------------------------------------------


def test_the_list_shows_the_incidents_packets(incident: Incident, world: dict[str, Any]) -> None:
    done = new_packet(incident, world["sro"])
    generate_packet.enqueue(done.pk)
    queued = new_packet(incident, world["sro"])
    other = build_incident(world, title="Another")
    hidden = new_packet(other, world["sro"])
    client = client_for(world["sro"])
    url = reverse("incidents:casepacket_list", args=[incident.pk])

    page = client.get(url).content.decode()
    region = client.get(url, headers={"HX-Request": "true"}).content.decode()

    for body in (page, region):
        assert reverse("incidents:casepacket_detail", args=[done.pk]) in body
        assert reverse("incidents:casepacket_download", args=[done.pk]) in body
        assert reverse("incidents:casepacket_detail", args=[queued.pk]) in body
        assert reverse("incidents:casepacket_download", args=[queued.pk]) not in body
        assert reverse("incidents:casepacket_detail", args=[hidden.pk]) not in body
    assert "<html" in page
    assert "<html" not in region
    assert region.lstrip().startswith('<div id="case-packet-rows">')


def test_the_list_query_count_does_not_grow_with_packets(incident: Incident, world: dict[str, Any]) -> None:
    client = client_for(world["sro"])
    url = reverse("incidents:casepacket_list", args=[incident.pk])
    new_packet(incident, world["sro"])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(5):
        new_packet(incident, world["supervisor"])
    with CaptureQueriesContext(connection) as six:
        client.get(url)

    assert len(six) == len(one)


def test_the_panel_the_incident_page_includes_loads_the_list(incident: Incident) -> None:
    from django.template.loader import render_to_string

    html = render_to_string("incidents/packet_list.html", {"incident": incident})

    url = reverse("incidents:casepacket_list", args=[incident.pk])
    assert f'hx-get="{url}" hx-trigger="load"' in html
    assert f'<a href="{url}">Case packets of this incident</a>' in html


# --- download ------------------------------------------------------------------------------------------


def test_a_download_is_the_stored_file_and_is_logged(incident: Incident, world: dict[str, Any]) -> None:
    packet = new_packet(incident, world["sro"])
    generate_packet.enqueue(packet.pk)
    packet.refresh_from_db()

    response = client_for(world["supervisor"]).get(reverse("incidents:casepacket_download", args=[packet.pk]))

    data = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="case-packet-{incident.number}-{packet.pk}.pdf"' in response["Content-Disposition"]
    assert hashlib.sha256(data).hexdigest() == packet.sha256
    [row] = access_rows(incident, AuditEvent.Action.EXPORT)
    assert row.actor_id == world["supervisor"].pk
    assert row.detail == {"case_packet": packet.pk, "sha256": packet.sha256, "purpose": "Juvenile court hearing"}


@pytest.mark.parametrize(
    ("who", "status"),
    [("sro_out", 404), ("school_admin", 404), ("viewer", 403), ("counselor", 403)],
    ids=["out", "admin", "viewer", "counselor"],
)
def test_a_download_outside_the_rules_is_refused_and_not_logged(
    incident: Incident, world: dict[str, Any], who: str, status: int
) -> None:
    packet = new_packet(incident, world["sro"])
    generate_packet.enqueue(packet.pk)

    response = client_for(world[who]).get(reverse("incidents:casepacket_download", args=[packet.pk]))

    assert response.status_code == status
    assert access_rows(incident, AuditEvent.Action.EXPORT) == []


def test_a_packet_not_ready_cannot_be_downloaded(incident: Incident, world: dict[str, Any]) -> None:
    packet = new_packet(incident, world["sro"])

    response = client_for(world["sro"]).get(reverse("incidents:casepacket_download", args=[packet.pk]))

    assert response.status_code == 404
    assert access_rows(incident, AuditEvent.Action.EXPORT) == []


# --- giving the packet to an outside party -------------------------------------------------------------


def handover(**overrides: Any) -> dict[str, Any]:
    given = timezone.localtime() - dt.timedelta(hours=1)
    data = {
        "disclosed_at": f"{given:%Y-%m-%dT%H:%M}",
        "recipient_name": "Clerk Dana Whitfield",
        "recipient_organization": "Lakeside County Juvenile Court",
        "recipient_kind": "court",
        "basis": "subpoena",
        "court_order_reference": "JC-2026-0412",
        "purpose": "Adjudication hearing on 2026-12-14",
    }
    data.update(overrides)
    return data


def disclosure_rows(incident: Incident) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.DISCLOSURE,
            content_type=ContentType.objects.get_for_model(Incident),
            object_id=str(incident.pk),
        )
    )


@pytest.fixture
def ready(incident: Incident, world: dict[str, Any]) -> CasePacket:
    packet = new_packet(incident, world["sro"])
    generate_packet.enqueue(packet.pk)
    packet.refresh_from_db()
    assert packet.status == CasePacket.Status.DONE
    return packet


def test_giving_the_packet_records_the_disclosure_for_the_incident_and_each_student(
    incident: Incident, world: dict[str, Any], ready: CasePacket
) -> None:
    client = client_for(world["sro"])
    url = reverse("incidents:casepacket_give", args=[ready.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, handover())

    assert response.status_code == 302
    [row] = disclosure_rows(incident)
    students = sorted(
        InvolvedPerson.objects.filter(incident=incident).exclude(student=None).values_list("student", flat=True)
    )
    assert row.actor_id == world["sro"].pk
    assert row.action == AuditEvent.Action.EXPORT
    assert row.school_id == incident.school_id
    assert row.detail["case_packet"] == ready.pk
    assert row.detail["sha256"] == ready.sha256
    assert row.detail["recipient_name"] == "Clerk Dana Whitfield"
    assert row.detail["recipient_organization"] == "Lakeside County Juvenile Court"
    assert row.detail["basis"] == "subpoena"
    assert row.detail["purpose"] == "Adjudication hearing on 2026-12-14"
    assert row.detail["students"] == students
    assert row.detail["students_not_logged"] == []
    disclosures = list(Disclosure.objects.order_by("student_id"))
    assert [d.student_id for d in disclosures] == students
    assert sorted(row.detail["student_disclosures"]) == sorted(d.pk for d in disclosures)
    for disclosure in disclosures:
        assert disclosure.recipient_organization == "Lakeside County Juvenile Court"
        assert disclosure.basis == "subpoena"
        assert disclosure.court_order_reference == "JC-2026-0412"
        assert disclosure.legitimate_interest == "Adjudication hearing on 2026-12-14"
        assert f"Case packet #{ready.pk} of incident {incident.number}" in disclosure.records_disclosed
        assert ready.sha256 in disclosure.records_disclosed
    page = client.get(reverse("incidents:casepacket_detail", args=[ready.pk])).content.decode()
    assert "Given to outside parties" in page
    assert "Clerk Dana Whitfield, Lakeside County Juvenile Court" in page


def test_the_supervisor_records_the_disclosure_but_not_in_the_students_logs(
    incident: Incident, world: dict[str, Any], ready: CasePacket
) -> None:
    response = client_for(world["supervisor"]).post(
        reverse("incidents:casepacket_give", args=[ready.pk]), handover(), follow=True
    )

    assert response.status_code == 200
    [row] = disclosure_rows(incident)
    assert row.detail["student_disclosures"] == []
    assert len(row.detail["students_not_logged"]) == 2
    assert Disclosure.objects.count() == 0
    assert "The disclosure log of 2 students was not written" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"court_order_reference": ""}, "court_order_reference", "Give the subpoena or court order"),
        ({"basis": "emergency", "court_order_reference": ""}, "threat_description", "articulable and significant"),
        ({"recipient_organization": ""}, "recipient_organization", "This field is required."),
        ({"basis": ""}, "basis", "This field is required."),
    ],
    ids=["subpoena-without-reference", "emergency-without-threat", "no-organisation", "no-basis"],
)
def test_an_incomplete_handover_records_nothing_and_keeps_the_input(
    incident: Incident, world: dict[str, Any], ready: CasePacket, overrides: dict[str, Any], field: str, message: str
) -> None:
    response = client_for(world["sro"]).post(
        reverse("incidents:casepacket_give", args=[ready.pk]), handover(**overrides), headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert message in body
    assert f'id="id_{field}_error"' in body or f"id_{field}" in body
    assert 'value="Clerk Dana Whitfield"' in body
    assert disclosure_rows(incident) == []
    assert Disclosure.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"), [("sro_out", 404), ("school_admin", 404), ("viewer", 403)], ids=["out", "admin", "viewer"]
)
def test_a_handover_outside_the_rules_records_nothing(
    incident: Incident, world: dict[str, Any], ready: CasePacket, who: str, status: int
) -> None:
    response = client_for(world[who]).post(reverse("incidents:casepacket_give", args=[ready.pk]), handover())

    assert response.status_code == status
    assert disclosure_rows(incident) == []
    assert Disclosure.objects.count() == 0


def test_a_packet_not_ready_cannot_be_given_out(incident: Incident, world: dict[str, Any]) -> None:
    packet = new_packet(incident, world["sro"])

    response = client_for(world["sro"]).post(reverse("incidents:casepacket_give", args=[packet.pk]), handover())

    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:casepacket_detail", args=[packet.pk])
    assert disclosure_rows(incident) == []
    assert Disclosure.objects.count() == 0
