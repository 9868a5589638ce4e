"""The custody pages: timeline and verification, recording custody, photos and the printable label, by role."""

import datetime as dt
import hashlib
import io
import re
from typing import Any

import pytest
import qrcode
import qrcode.constants
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.audit.models import AuditEvent
from srodesk.incidents import custody
from srodesk.incidents.models import CustodyEvent, EvidenceItem, EvidencePhoto, IncidentShare
from srodesk.organizations.models import Agency, District, Partnership, School

from .factories import EvidenceItemFactory, IncidentFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 14, 10, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


class World:
    def __init__(self) -> None:
        self.district = District.objects.create(name="Lakeside Public Schools", slug="lakeside", state="MI")
        self.school = School.objects.create(district=self.district, name="Lakeside High")
        self.other_school = School.objects.create(district=self.district, name="Lakeside Middle", level="middle")
        self.agency = Agency.objects.create(name="Lakeside Police", ori="MI1234500", state="MI")
        Partnership.objects.create(agency=self.agency, district=self.district, state="MI")
        self.incident = IncidentFactory(school=self.school, district=self.district, agency=self.agency)
        self.item = EvidenceItemFactory(
            school=self.school,
            district=self.district,
            agency=self.agency,
            incident=self.incident,
            description="Black vape pen with a cartridge of yellow liquid",
            collected_at=T0,
        )
        self.officer = make_user("reyes", "sro", school=self.school, first_name="Dana", last_name="Reyes")
        self.officer_elsewhere = make_user("chen", "sro", school=self.other_school)
        self.admin = make_user("principal", "school_admin", school=self.school)
        self.staff = make_user("teacher", "staff", school=self.school)

    def chain(self, count: int = 5) -> list[CustodyEvent]:
        steps: list[tuple[str, dict[str, str]]] = [
            ("collected", {"location": "Main office", "to_party": "Ofc. Reyes"}),
            ("transferred", {"from_party": "Ofc. Reyes", "to_party": "Tech Kim", "location": "Patrol car 12"}),
            ("stored", {"location": "Property room, bin 4"}),
            ("checked_out", {"to_party": "State crime lab", "reason": "Residue analysis"}),
            ("checked_in", {"from_party": "State crime lab", "location": "Property room, bin 4"}),
            ("transferred", {"to_party": "Det. Ortiz", "location": "Detective bureau"}),
        ]
        return [
            custody.record_event(self.item, action, self.officer, at=T0 + dt.timedelta(hours=i), **fields)
            for i, (action, fields) in enumerate(steps[:count])
        ]

    def share(self) -> IncidentShare:
        return IncidentShare.objects.create(
            incident=self.incident, school=self.school, reason="Discipline hearing on 2026-10-20."
        )


def make_user(username: str, role: str, **scope: Any) -> User:
    names = {k: scope.pop(k) for k in ("first_name", "last_name") if k in scope}
    user = User.objects.create_user(username=username, password="unused-password-123", **names)
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=role), **scope)
    return user


@pytest.fixture
def world() -> World:
    return World()


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, item: EvidenceItem, *args: int) -> str:
    return reverse(f"incidents:evidenceitem_{name}", args=[item.pk, *args])


def access_rows(item: EvidenceItem, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.for_object(item).filter(kind="access", action=action).order_by("seq"))


def custody_state(item: EvidenceItem) -> tuple[Any, ...]:
    fresh = EvidenceItem.objects.get(pk=item.pk)
    events = tuple(CustodyEvent.objects.filter(item=item).order_by("sequence").values_list("sequence", "hash"))
    return events, fresh.status, fresh.current_location, EvidencePhoto.objects.filter(item=item).count()


def form_choices(body: str) -> list[str]:
    select = re.search(r'<select name="action"[^>]*>(.*?)</select>', body, re.S)
    assert select is not None, "no action choice on the page"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


# --- the timeline ----------------------------------------------------------------------------------------


def test_in_scope_officer_sees_the_timeline_with_its_verification(world: World) -> None:
    world.chain(5)

    response = client_for(world.officer).get(url("custody", world.item))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Chain intact: 5 events" in body
    for label in ("1. Collected", "2. Transferred", "3. Stored", "4. Checked out", "5. Checked in"):
        assert label in body
    assert "Residue analysis" in body
    assert "Dana Reyes" in body
    # Only the actions that may follow a check-in are offered.
    assert form_choices(body) == ["transferred", "stored", "checked_out", "released", "destroyed"]
    assert 'enctype="multipart/form-data"' in body
    assert url("label", world.item) in body
    [row] = access_rows(world.item, "view")
    assert (row.actor_id, row.detail) == (world.officer.pk, {"page": "custody"})


def test_a_broken_chain_is_shown_at_its_first_bad_event(world: World) -> None:
    events = world.chain(5)
    CustodyEvent.objects.filter(pk=events[2].pk).update(location="Officer's desk drawer")

    body = client_for(world.officer).get(url("custody", world.item)).content.decode()

    assert "Broken at event 3: its content does not match its hash (the event was altered)." in body
    assert re.search(r'class="custody-event custody-event-bad" id="custody-event-3"', body)
    assert body.count("First bad event") == 1


def test_a_new_item_offers_only_collected_and_a_destroyed_one_nothing(world: World) -> None:
    client = client_for(world.officer)
    assert form_choices(client.get(url("custody", world.item)).content.decode()) == ["collected"]

    world.chain(1)
    custody.record_event(world.item, "destroyed", world.officer, reason="Court order 26-114.")
    body = client.get(url("custody", world.item)).content.decode()

    assert '<select name="action"' not in body
    assert "No custody event can follow: the item was destroyed." in body


def test_the_timeline_makes_the_same_queries_whatever_the_number_of_events(world: World) -> None:
    client = client_for(world.officer)
    world.chain(2)
    client.get(url("custody", world.item))
    with CaptureQueriesContext(connection) as few:
        client.get(url("custody", world.item))
    for i, extra in enumerate(("stored", "checked_out", "checked_in", "transferred")):
        custody.record_event(world.item, extra, world.officer, at=T0 + dt.timedelta(hours=5 + i))
    with CaptureQueriesContext(connection) as many:
        client.get(url("custody", world.item))

    assert len(few) == len(many)


# --- recording custody -----------------------------------------------------------------------------------


def test_recording_the_next_event_redirects_to_the_timeline(world: World) -> None:
    world.chain(3)
    client = client_for(world.officer)

    response = client.post(
        url("custody_record", world.item),
        {"action": "checked_out", "at": "", "to_party": "County prosecutor", "reason": "Court exhibit"},
    )

    assert response.status_code == 302
    assert response["Location"] == url("custody", world.item)
    event = CustodyEvent.objects.get(item=world.item, sequence=4)
    assert (event.action, event.to_party, event.reason, event.by) == (
        "checked_out",
        "County prosecutor",
        "Court exhibit",
        world.officer,
    )
    assert custody.verify_item(world.item).ok
    world.item.refresh_from_db()
    assert world.item.status == "checked_out"


def test_recording_through_htmx_answers_a_redirect_header(world: World) -> None:
    client = client_for(world.officer)

    response = client.post(
        url("custody_record", world.item),
        {"action": "collected", "location": "Main office"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == url("custody", world.item)
    assert CustodyEvent.objects.get(item=world.item).location == "Main office"


def test_an_invalid_event_answers_422_keeps_what_was_typed_and_writes_nothing(world: World) -> None:
    world.chain(3)
    before = custody_state(world.item)
    audit_rows = AuditEvent.objects.filter(kind="change").count()
    client = client_for(world.officer)
    typed = {"action": "released", "at": "", "to_party": "Parent: Maria Lopez", "location": "Front desk", "reason": ""}

    full = client.post(url("custody_record", world.item), typed)
    partial = client.post(url("custody_record", world.item), typed, headers={"HX-Request": "true"})

    for response in (full, partial):
        assert response.status_code == 422
        body = response.content.decode()
        assert "Give the reason the item is released to owner." in body
        assert 'value="Parent: Maria Lopez"' in body
        assert 'value="Front desk"' in body
        assert '<option value="released" selected>' in body
    assert "<html" in full.content.decode()
    assert partial.content.decode().lstrip().startswith('<form id="custody-form"')
    assert custody_state(world.item) == before
    assert AuditEvent.objects.filter(kind="change").count() == audit_rows


def test_an_action_that_cannot_follow_is_not_accepted(world: World) -> None:
    world.chain(3)
    before = custody_state(world.item)

    response = client_for(world.officer).post(
        url("custody_record", world.item), {"action": "checked_in", "from_party": "Lab"}
    )

    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    assert 'value="Lab"' in response.content.decode()
    assert custody_state(world.item) == before


def test_a_time_before_the_last_event_is_refused_on_its_field(world: World) -> None:
    world.chain(2)
    before = custody_state(world.item)

    response = client_for(world.officer).post(
        url("custody_record", world.item), {"action": "stored", "at": "2026-10-01T08:00", "location": "Bin 9"}
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert "The time is before the previous event (event 2" in body
    assert 'value="2026-10-01T08:00"' in body
    assert custody_state(world.item) == before


# --- the label -------------------------------------------------------------------------------------------


def qr_modules(svg: str) -> set[tuple[int, int]]:
    return {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", svg)}


def expected_modules(text: str) -> set[tuple[int, int]]:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(text)
    qr.make(fit=True)
    return {(x, y) for y, row in enumerate(qr.get_matrix()) for x, dark in enumerate(row) if dark}


def test_the_label_shows_the_item_and_a_qr_code_of_its_address(world: World) -> None:
    world.chain(2)

    response = client_for(world.officer).get(url("label", world.item))

    assert response.status_code == 200
    body = response.content.decode()
    item = world.item
    for text in (item.number, "Lakeside Police", "MI1234500", world.incident.number, item.description, "Dana Reyes"):
        assert text in body
    assert "2026-10-14" in body
    item_url = f"http://testserver{reverse('incidents:evidenceitem_detail', args=[item.pk])}"
    assert item_url in body
    svg = re.search(
        r'<svg class="qr" role="img" aria-label="QR code linking to evidence item [^"]+".*?</svg>', body, re.S
    )
    assert svg is not None
    assert qr_modules(svg.group(0)) == expected_modules(item_url)
    assert qr_modules(svg.group(0)) != expected_modules(item_url + "x")
    assert "size: 4in 2in" in body
    [row] = access_rows(item, "print")
    assert (row.actor_id, row.detail) == (world.officer.pk, {"page": "label"})


# --- who may see and do what ----------------------------------------------------------------------------


def view_urls(world: World, photo: EvidencePhoto | None = None) -> list[str]:
    urls = [url("custody", world.item), url("custody_panel", world.item), url("label", world.item)]
    if photo is not None:
        urls.append(url("photo", world.item, photo.pk))
    return urls


def test_out_of_scope_officer_gets_404_everywhere_and_changes_nothing(world: World) -> None:
    world.chain(2)
    photo = custody.add_photo(world.item, SimpleUploadedFile("a.jpg", b"jpeg-bytes"), world.officer, "")
    before = custody_state(world.item)
    client = client_for(world.officer_elsewhere)

    for address in [*view_urls(world, photo), url("custody_record", world.item), url("photo_add", world.item)]:
        assert client.get(address).status_code == 404, address
    assert client.post(url("custody_record", world.item), {"action": "stored", "location": "x"}).status_code == 404
    upload = SimpleUploadedFile("b.jpg", b"other-bytes")
    assert client.post(url("photo_add", world.item), {"file": upload}).status_code == 404
    assert custody_state(world.item) == before
    assert access_rows(world.item, "view") == []


def test_school_administrator_without_a_share_gets_404(world: World) -> None:
    world.chain(2)
    photo = custody.add_photo(world.item, SimpleUploadedFile("a.jpg", b"jpeg-bytes"), world.officer, "")
    client = client_for(world.admin)

    for address in view_urls(world, photo):
        assert client.get(address).status_code == 404, address
    assert access_rows(world.item, "view") == []


def test_shared_incident_lets_the_administrator_view_but_not_record(world: World) -> None:
    world.chain(3)
    photo = custody.add_photo(world.item, SimpleUploadedFile("a.jpg", b"jpeg-bytes"), world.officer, "Pocket")
    world.share()
    before = custody_state(world.item)
    client = client_for(world.admin)

    for address in view_urls(world, photo):
        assert client.get(address).status_code == 200, address
    body = client.get(url("custody", world.item)).content.decode()
    assert "Chain intact: 3 events" in body
    assert "custody-form" not in body
    assert "photo-form" not in body
    assert url("custody_record", world.item) not in body
    # Recording custody or adding photos needs a change grant the role does not hold.
    assert client.get(url("custody_record", world.item)).status_code == 403
    assert client.post(url("custody_record", world.item), {"action": "stored", "location": "x"}).status_code == 403
    upload = SimpleUploadedFile("b.jpg", b"other-bytes")
    assert client.post(url("photo_add", world.item), {"file": upload}).status_code == 403
    assert custody_state(world.item) == before
    pages = [row.detail["page"] for row in access_rows(world.item, "view")]
    assert pages == ["custody", "custody_panel", "photo", "custody"]
    assert {r.actor_id for r in access_rows(world.item, "print")} == {world.admin.pk}


def test_sharing_another_incident_or_with_another_school_does_not_open_the_item(world: World) -> None:
    other_incident = IncidentFactory(school=world.school, district=world.district, agency=world.agency)
    IncidentShare.objects.create(incident=other_incident, school=world.school, reason="Hearing")
    IncidentShare.objects.create(incident=world.incident, school=world.other_school, reason="Safety plan")

    assert client_for(world.admin).get(url("custody", world.item)).status_code == 404


def test_roles_without_any_grant_are_forbidden_and_anonymous_users_sign_in(world: World) -> None:
    staff = client_for(world.staff)
    for address in [*view_urls(world), url("custody_record", world.item), url("photo_add", world.item)]:
        assert staff.get(address).status_code == 403, address
        response = Client().get(address)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_a_deleted_item_is_not_found(world: World) -> None:
    EvidenceItem.objects.filter(pk=world.item.pk).update(deleted_at=T0)

    assert client_for(world.officer).get(url("custody", world.item)).status_code == 404


# --- photos ----------------------------------------------------------------------------------------------


def test_uploading_a_photo_stores_it_with_its_hash_and_serves_it_logged(world: World) -> None:
    content = b"\x89PNG\r\n\x1a\n fake png"
    client = client_for(world.officer)

    response = client.post(
        url("photo_add", world.item), {"file": SimpleUploadedFile("pen.png", content), "caption": "Pen, top view"}
    )

    assert response.status_code == 302
    photo = EvidencePhoto.objects.get(item=world.item)
    assert (photo.sha256, photo.caption, photo.added_by) == (
        hashlib.sha256(content).hexdigest(),
        "Pen, top view",
        world.officer,
    )
    body = client.get(url("custody", world.item)).content.decode()
    assert "Pen, top view" in body
    served = client.get(url("photo", world.item, photo.pk))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == content  # type: ignore[attr-defined]
    assert access_rows(world.item, "view")[-1].detail == {"page": "photo", "photo": photo.pk, "sha256": photo.sha256}


def test_a_file_that_is_not_a_photo_answers_422_and_keeps_the_caption(world: World) -> None:
    response = client_for(world.officer).post(
        url("photo_add", world.item), {"file": SimpleUploadedFile("notes.txt", b"text"), "caption": "Receipt"}
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert "Upload a photo" in body
    assert 'value="Receipt"' in body
    assert EvidencePhoto.objects.count() == 0


# --- the panel on the item's detail page -----------------------------------------------------------------


def test_the_panel_include_links_and_loads_the_custody_panel(world: World) -> None:
    html = render_to_string("incidents/custody_panel.html", {"item": world.item})

    assert f'hx-get="{url("custody_panel", world.item)}"' in html
    assert f'href="{url("custody", world.item)}"' in html


def test_the_panel_content_shows_the_verification_and_events(world: World) -> None:
    world.chain(2)

    response = client_for(world.officer).get(url("custody_panel", world.item))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "Chain intact: 2 events" in body
    assert "2. Transferred" in body
    assert url("custody_record", world.item) in body


def test_the_record_page_without_javascript(world: World) -> None:
    response = client_for(world.officer).get(url("custody_record", world.item))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert form_choices(body) == ["collected"]
    assert "Leave blank for the time the item was collected." in body


# --- in a browser: accessibility and phone size -----------------------------------------------------------


@pytest.mark.browser
def test_custody_pages_are_accessible_and_fit_a_phone(transactional_db: None, page: Any, live_server: Any) -> None:
    from srodesk.core.tests.test_browser import (
        PHONE_VIEWPORT,
        assert_accessible,
        assert_no_horizontal_overflow,
        screenshot,
    )

    world = World()
    world.chain(5)
    custody.add_photo(world.item, SimpleUploadedFile("pen.jpg", b"jpeg-bytes"), world.officer, "Front pocket")
    client = client_for(world.officer)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    for viewport in (None, PHONE_VIEWPORT):
        if viewport is not None:
            page.set_viewport_size(viewport)
        size = "phone" if viewport else "desktop"
        page.goto(url("custody", world.item))
        assert page.get_by_role("heading", level=1).inner_text() == "Chain of custody"
        assert page.get_by_text("Chain intact: 5 events").is_visible()
        assert_accessible(page, f"Custody timeline ({size})")
        assert_no_horizontal_overflow(page, f"Custody timeline ({size})")
        screenshot(page, f"custody-timeline-{size}.png")

        page.goto(url("label", world.item))
        assert page.locator("svg.qr").is_visible()
        assert_accessible(page, f"Evidence label ({size})")
        assert_no_horizontal_overflow(page, f"Evidence label ({size})")
        screenshot(page, f"evidence-label-{size}.png")

    # Printed, the label is one 4 × 2 inch page (288 × 144 points).
    page.goto(url("label", world.item))
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (288, 144)
    assert world.item.number in pdf.pages[0].extract_text()

    # A refused event keeps what was typed, in the page, through htmx.
    page.goto(url("custody", world.item))
    page.get_by_label("What happened").select_option("destroyed")
    page.get_by_label("Location").fill("Incinerator, county facility")
    page.get_by_role("button", name="Record event").click()
    error = page.get_by_text("Give the reason the item is destroyed.")
    error.wait_for()
    assert page.get_by_label("Location").input_value() == "Incinerator, county facility"
    assert_accessible(page, "Custody form with an error (phone)")
    assert_no_horizontal_overflow(page, "Custody form with an error (phone)")
    assert CustodyEvent.objects.filter(item=world.item).count() == 5

    page.get_by_label("Reason").fill("Court order 26-114: destroy after the case closed.")
    page.get_by_role("button", name="Record event").click()
    page.get_by_text("Custody event 6 (destroyed) recorded.").wait_for()
    assert CustodyEvent.objects.filter(item=world.item).count() == 6
    assert custody.verify_item(world.item).ok
