"""Review workflow, versions, the lock on approved reports, supplements, attachments, sharing and the
supervisor's review queue."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from srodesk.accounts.models import ApiToken, Role, RoleAssignment, User
from srodesk.incidents import services
from srodesk.incidents.models import Arrest, Attachment, Incident, IncidentVersion, Offense, Supplement

from .factories import (
    IncidentFactory,
    InvolvedPersonFactory,
    OffenseFactory,
    PursuitFactory,
    SearchFactory,
)
from .test_access import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


@pytest.fixture
def world() -> dict[str, Any]:
    from srodesk.organizations.models import Agency, District, Partnership, School

    home = District.objects.create(name="Home District", slug="home", state="MI")
    away = District.objects.create(name="Away District", slug="away", state="OH")
    school = School.objects.create(district=home, name="Riverside High")
    school_away = School.objects.create(district=away, name="Away High")
    agency = Agency.objects.create(name="Home Police", ori="MIHOME001", state="MI")
    agency_away = Agency.objects.create(name="Away Police", ori="OHAWAY001", state="OH")
    Partnership.objects.create(agency=agency, district=home, state="MI")
    Partnership.objects.create(agency=agency_away, district=away, state="OH")
    sro = make_user("officer", "sro", school=school)
    supervisor = make_user("sergeant", "sro_supervisor", agency=agency)
    incident = IncidentFactory(
        school=school, agency=agency, officer=sro, created_by=sro, narrative="First account of the fight."
    )
    offense = OffenseFactory(incident=incident)
    return {
        "school": school,
        "school_away": school_away,
        "agency": agency,
        "agency_away": agency_away,
        "sro": sro,
        "supervisor": supervisor,
        "incident": incident,
        "offense": offense,
    }


def fresh(incident: Incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: User) -> APIClient:
    client = APIClient()
    _, key = ApiToken.issue(user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def approved(world: dict[str, Any]) -> Incident:
    services.submit(world["incident"], world["sro"])
    return services.approve(world["incident"], world["supervisor"])


# --- status machine ----------------------------------------------------------------------------------
def test_submit_freezes_the_report_as_version_one(world: dict[str, Any]) -> None:
    incident = services.submit(world["incident"], world["sro"])
    assert fresh(incident).status == "submitted"
    assert fresh(incident).submitted_at is not None
    assert fresh(incident).version == 0
    version = IncidentVersion.objects.get(incident=incident)
    assert (version.number, version.event, version.created_by_id) == (1, "submitted", world["sro"].pk)
    assert version.snapshot["incident"]["narrative"] == "First account of the fight."
    assert [o["ucr_code"] for o in version.snapshot["offenses"]] == ["13B"]


def test_submit_needs_an_offense_and_a_narrative(world: dict[str, Any]) -> None:
    incident = IncidentFactory(school=world["school"], agency=world["agency"], narrative="")
    with pytest.raises(ValidationError) as caught:
        services.submit(incident, world["sro"])
    assert set(caught.value.message_dict) == {"narrative", "offenses"}
    assert fresh(incident).status == "draft"
    assert not IncidentVersion.objects.filter(incident=incident).exists()


def test_return_resubmit_approve_close(world: dict[str, Any]) -> None:
    incident, sro, supervisor = world["incident"], world["sro"], world["supervisor"]
    services.submit(incident, sro)
    with pytest.raises(ValidationError) as caught:
        services.return_for_changes(incident, supervisor, "  ")
    assert "comment" in caught.value.message_dict
    assert fresh(incident).status == "submitted"

    services.return_for_changes(incident, supervisor, "Add the second witness.")
    returned = fresh(incident)
    assert (returned.status, returned.review_comment, returned.reviewed_by_id) == (
        "returned",
        "Add the second witness.",
        supervisor.pk,
    )
    returned.narrative = "Second account, with the second witness."
    returned.save()
    services.submit(returned, sro)
    services.approve(returned, supervisor)
    final = fresh(incident)
    assert final.status == "approved"
    assert final.version == 3
    assert list(IncidentVersion.objects.filter(incident=incident).values_list("number", "event")) == [
        (1, "submitted"),
        (2, "submitted"),
        (3, "approved"),
    ]
    services.close(final, supervisor)
    assert fresh(incident).status == "closed"
    assert fresh(incident).closed_at is not None


def test_an_officer_cannot_approve_or_return(world: dict[str, Any]) -> None:
    incident = services.submit(world["incident"], world["sro"])
    with pytest.raises(PermissionDenied):
        services.approve(incident, world["sro"])
    with pytest.raises(PermissionDenied):
        services.return_for_changes(incident, world["sro"], "No")
    assert fresh(incident).status == "submitted"
    assert IncidentVersion.objects.filter(incident=incident).count() == 1


def test_the_author_cannot_approve_their_own_report(world: dict[str, Any]) -> None:
    supervisor = world["supervisor"]
    incident = IncidentFactory(school=world["school"], agency=world["agency"], officer=supervisor)
    OffenseFactory(incident=incident)
    services.submit(incident, supervisor)
    with pytest.raises(PermissionDenied):
        services.approve(incident, supervisor)
    assert fresh(incident).status == "submitted"
    # Another supervisor of the agency can; so can a platform administrator who wrote one.
    services.approve(incident, make_user("lieutenant", "sro_supervisor", agency=world["agency"]))
    assert fresh(incident).status == "approved"

    admin = make_user("root", "platform_admin")
    own = IncidentFactory(school=world["school"], agency=world["agency"], officer=admin)
    OffenseFactory(incident=own)
    services.submit(own, admin)
    services.approve(own, admin)
    assert fresh(own).status == "approved"


def test_a_supervisor_of_another_agency_cannot_approve(world: dict[str, Any]) -> None:
    incident = services.submit(world["incident"], world["sro"])
    with pytest.raises(PermissionDenied):
        services.approve(incident, make_user("other-sergeant", "sro_supervisor", agency=world["agency_away"]))
    assert fresh(incident).status == "submitted"


def test_void_needs_a_reason(world: dict[str, Any]) -> None:
    incident = world["incident"]
    with pytest.raises(ValidationError):
        services.void(incident, world["supervisor"], "")
    with pytest.raises(PermissionDenied):
        services.void(incident, world["sro"], "Entered twice")
    assert fresh(incident).voided_at is None
    services.void(incident, world["supervisor"], "Entered twice")
    voided = fresh(incident)
    assert voided.void_reason == "Entered twice"
    assert voided.voided_at is not None
    assert services.lock_reason(voided) == services.VOIDED_MESSAGE


# --- the lock ------------------------------------------------------------------------------------------
def test_an_approved_report_refuses_edits_on_every_path(world: dict[str, Any]) -> None:
    incident = approved(world)
    offense = world["offense"]
    sro = world["sro"]
    client = web(sro)
    before = (fresh(incident).title, fresh(incident).narrative, Offense.objects.get(pk=offense.pk).ucr_code)

    # Pages: the edit page sends the officer back with the reason; a post is refused, nothing saved.
    response = client.get(reverse("incidents:incident_edit", args=[incident.pk]))
    assert response.status_code == 302
    response = client.post(
        reverse("incidents:incident_edit", args=[incident.pk]),
        {
            "title": "Changed",
            "school": world["school"].pk,
            "agency": world["agency"].pk,
            "occurred_at": "2026-10-14T10:30",
            "source": "on_view",
            "location_type": "53",
            "school_relation": "on_grounds",
            "cleared_exceptionally": "N",
        },
    )
    assert response.status_code == 422
    assert "locked" in response.content.decode()
    response = client.post(
        reverse("incidents:offense_edit", args=[offense.pk]),
        {"incident": incident.pk, "ucr_code": "13A", "attempted_completed": "C"},
    )
    assert response.status_code == 422
    count = Offense.objects.count()
    response = client.post(
        reverse("incidents:offense_add"), {"incident": incident.pk, "ucr_code": "90Z", "attempted_completed": "C"}
    )
    assert response.status_code == 422
    assert "incident" in response.context["form"].errors
    assert Offense.objects.count() == count
    supervisor_client = web(world["supervisor"])
    response = supervisor_client.post(reverse("incidents:offense_delete", args=[offense.pk]), {"reason": "x"})
    assert response.status_code == 302
    response = supervisor_client.post(reverse("incidents:incident_delete", args=[incident.pk]), {"reason": "x"})
    assert response.status_code == 302

    # API: the same answers, as 400s naming the reason.
    rest = api(sro)
    response = rest.patch(
        reverse("api:alias-incidents-detail", args=[incident.pk]), {"title": "Changed"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "locked"
    response = rest.patch(
        reverse("api:incidents-offense-detail", args=[offense.pk]), {"ucr_code": "13A"}, format="json"
    )
    assert response.status_code == 400
    response = rest.post(
        reverse("api:incidents-offense-list"),
        {"incident": incident.pk, "ucr_code": "90Z", "attempted_completed": "C"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "incident"
    response = api(world["supervisor"]).delete(reverse("api:incidents-offense-detail", args=[offense.pk]))
    assert response.status_code == 400

    # Services: attachments are refused.
    with pytest.raises(ValidationError):
        services.store_attachment(incident, SimpleUploadedFile("late.txt", b"late"), sro)

    after = (fresh(incident).title, fresh(incident).narrative, Offense.objects.get(pk=offense.pk).ucr_code)
    assert after == before
    assert Offense.objects.get(pk=offense.pk).deleted_at is None
    assert fresh(incident).deleted_at is None
    assert Offense.objects.filter(incident=incident).count() == 1
    assert not Attachment.objects.filter(incident=incident).exists()


def test_supplements_join_a_locked_report(world: dict[str, Any]) -> None:
    incident = approved(world)
    response = web(world["sro"]).post(
        reverse("incidents:incident_supplement", args=[incident.pk]), {"narrative": "The pen was returned."}
    )
    assert response.status_code == 302
    supplement = Supplement.objects.get(incident=incident)
    assert (supplement.narrative, supplement.author_id) == ("The pen was returned.", world["sro"].pk)
    response = web(world["sro"]).post(reverse("incidents:incident_supplement", args=[incident.pk]), {"narrative": ""})
    assert response.status_code == 422
    assert Supplement.objects.filter(incident=incident).count() == 1
    response = api(world["sro"]).post(
        reverse("api:incidents-supplement-list"),
        {"incident": incident.pk, "narrative": "Court date set."},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["author"] == world["sro"].pk
    assert fresh(incident).status == "approved"


def test_every_version_stays_readable(world: dict[str, Any]) -> None:
    incident, sro, supervisor = world["incident"], world["sro"], world["supervisor"]
    services.submit(incident, sro)
    services.return_for_changes(incident, supervisor, "Spell out the time.")
    changed = fresh(incident)
    changed.narrative = "Revised account at 10:30."
    changed.save()
    services.submit(changed, sro)
    services.approve(changed, supervisor)
    client = web(sro)
    listing = client.get(reverse("incidents:incident_versions", args=[incident.pk]))
    assert listing.status_code == 200
    assert [v.number for v in listing.context["versions"]] == [3, 2, 1]
    first = client.get(reverse("incidents:incident_version", args=[incident.pk, 1])).content.decode()
    last = client.get(reverse("incidents:incident_version", args=[incident.pk, 3])).content.decode()
    assert "First account of the fight." in first
    assert "Revised account at 10:30." not in first
    assert "Revised account at 10:30." in last
    away = make_user("officer-away", "sro", school=world["school_away"])
    assert web(away).get(reverse("incidents:incident_version", args=[incident.pk, 1])).status_code == 404


# --- the pages' workflow buttons -----------------------------------------------------------------------
def test_workflow_buttons(world: dict[str, Any]) -> None:
    incident = world["incident"]
    page = web(world["sro"]).get(incident.get_absolute_url())
    assert page.status_code == 200
    assert page.context["actions"]["submit"] is True
    assert page.context["actions"]["approve"] is False
    assert reverse("incidents:incident_submit", args=[incident.pk]) in page.content.decode()

    response = web(world["sro"]).post(
        reverse("incidents:incident_submit", args=[incident.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == incident.get_absolute_url()
    assert fresh(incident).status == "submitted"

    assert web(world["sro"]).post(reverse("incidents:incident_approve", args=[incident.pk])).status_code == 403
    assert fresh(incident).status == "submitted"

    response = web(world["supervisor"]).post(reverse("incidents:incident_return", args=[incident.pk]), {"comment": ""})
    assert response.status_code == 422
    assert fresh(incident).status == "submitted"
    response = web(world["supervisor"]).post(reverse("incidents:incident_approve", args=[incident.pk]))
    assert response.status_code == 302
    assert fresh(incident).status == "approved"
    page = web(world["sro"]).get(incident.get_absolute_url())
    assert page.context["can_change"] is False
    assert page.context["add_links"] == []
    assert page.context["actions"]["supplement"] is True


def test_api_workflow_actions(world: dict[str, Any]) -> None:
    incident = world["incident"]
    response = api(world["sro"]).post(reverse("api:alias-incidents-submit", args=[incident.pk]))
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    response = api(world["sro"]).post(reverse("api:alias-incidents-approve", args=[incident.pk]))
    assert response.status_code == 403
    response = api(world["supervisor"]).post(
        reverse("api:alias-incidents-return-for-changes", args=[incident.pk]), {"comment": ""}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "comment"
    response = api(world["supervisor"]).post(reverse("api:alias-incidents-approve", args=[incident.pk]))
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("approved", 2)


# --- attachments and sharing ----------------------------------------------------------------------------
def test_attachment_is_stored_with_its_sha256(world: dict[str, Any]) -> None:
    content = b"Statement of the witness, signed."
    attachment = services.store_attachment(
        world["incident"], SimpleUploadedFile("statement.txt", content, "text/plain"), world["sro"], "Witness"
    )
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert (attachment.size, attachment.name, attachment.content_type) == (len(content), "statement.txt", "text/plain")
    with attachment.file.open("rb") as handle:
        assert handle.read() == content
    response = web(world["sro"]).post(
        reverse("incidents:incident_attach", args=[world["incident"].pk]),
        {"file": SimpleUploadedFile("photo.jpg", b"\xff\xd8jpeg", "image/jpeg"), "description": "Photo"},
    )
    assert response.status_code == 302
    assert Attachment.objects.filter(incident=world["incident"]).count() == 2


def test_sharing_rules(world: dict[str, Any]) -> None:
    incident = world["incident"]
    with pytest.raises(ValidationError) as caught:
        services.share(incident, world["school_away"], world["sro"], "Hearing")
    assert "school" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.share(incident, world["school"], world["sro"], "")
    admin = make_user("principal", "school_admin", school=world["school"])
    with pytest.raises(PermissionDenied):
        services.share(incident, world["school"], admin, "I want it")
    page = web(world["sro"]).get(reverse("incidents:incident_share", args=[incident.pk]))
    assert list(page.context["form"].fields["school"].queryset) == [world["school"]]
    response = web(world["sro"]).post(
        reverse("incidents:incident_share", args=[incident.pk]), {"school": world["school"].pk, "reason": "Hearing"}
    )
    assert response.status_code == 302
    share = incident.incidentshare_set.get()
    response = web(world["sro"]).post(
        reverse("incidents:incident_share", args=[incident.pk]), {"school": world["school"].pk, "reason": "Again"}
    )
    assert response.status_code == 422
    assert incident.incidentshare_set.count() == 1
    response = web(world["sro"]).post(reverse("incidents:incidentshare_revoke", args=[share.pk]), {"reason": ""})
    assert response.status_code == 422
    response = web(world["sro"]).post(reverse("incidents:incidentshare_revoke", args=[share.pk]), {"reason": "Done"})
    assert response.status_code == 302
    assert incident.incidentshare_set.get().deleted_at is not None


# --- supervisor review ----------------------------------------------------------------------------------
def test_review_queue(world: dict[str, Any]) -> None:
    incident = services.submit(world["incident"], world["sro"])
    flagged_search = SearchFactory(
        school=world["school"],
        agency=world["agency"],
        conducted_by="sro",
        legal_basis="reasonable_suspicion",
        justification="The student was seen passing a pen.",
    )
    plain_search = SearchFactory(school=world["school"], agency=world["agency"])
    flagged_pursuit = PursuitFactory(school=world["school"], agency=world["agency"], left_district_property=True)
    PursuitFactory(
        school=world["school"], agency=world["agency"], left_district_property=True, threat_to_school="Armed."
    )
    away_incident = IncidentFactory(school=world["school_away"], agency=world["agency_away"])
    OffenseFactory(incident=away_incident)
    services.submit(away_incident, make_user("away-officer", "sro", school=world["school_away"]))

    response = web(world["supervisor"]).get(reverse("incidents:review_queue"))
    assert response.status_code == 200
    queue = response.context["queue"]
    assert [i.pk for i in queue.incidents] == [incident.pk]
    assert [s.pk for s in queue.searches] == [flagged_search.pk]
    assert plain_search.flagged is False
    assert [p.pk for p in queue.pursuits] == [flagged_pursuit.pk]
    assert web(world["sro"]).get(reverse("incidents:review_queue")).status_code == 403

    response = web(world["supervisor"]).post(reverse("incidents:search_review", args=[flagged_search.pk]))
    assert response.status_code == 302
    assert services.review_queue(world["supervisor"]).searches == []
    dashboard = web(world["supervisor"]).get(reverse("core:dashboard")).content.decode()
    assert reverse("incidents:review_queue") in dashboard
    assert "1 report submitted for review" in dashboard


def test_arrest_records_the_student_for_accountability(world: dict[str, Any]) -> None:
    person = InvolvedPersonFactory(incident=world["incident"], role="arrestee", age_code="15")
    response = api(world["sro"]).post(
        reverse("api:alias-arrests-list"),
        {
            "incident": world["incident"].pk,
            "arrestee": person.pk,
            "arrest_date": "2026-10-14",
            "arrest_type": "S",
            "arrest_offense": "13B",
            "juvenile_disposition": "R",
            "armed_with": ["01"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Arrest.objects.get(pk=response.json()["id"]).student_id == person.student_id


def test_catalogue_roles_exist() -> None:
    assert set(Role.objects.values_list("slug", flat=True)) >= {"sro", "sro_supervisor", "school_admin"}
    assert RoleAssignment.objects.count() == 0
