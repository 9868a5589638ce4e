"""Record rules of the forms and the API: NIBRS code lists, the juvenile disposition, the search and pursuit
boundary rules, pre-filled parts, the incident page and the short API paths."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from srodesk.accounts.models import ApiToken, User
from srodesk.incidents import services
from srodesk.incidents.forms import ArrestForm, InvolvedPersonForm, OffenseForm, PursuitForm, SearchForm
from srodesk.incidents.models import Arrest, Offense, Pursuit, Search

from .factories import (
    ArrestFactory,
    IncidentFactory,
    InvolvedPersonFactory,
    OffenseFactory,
    UseOfForceFactory,
)
from .test_access import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


@pytest.fixture
def world() -> dict[str, Any]:
    from srodesk.organizations.models import Agency, District, Partnership, School

    district = District.objects.create(name="Home District", slug="home", state="MI")
    school = School.objects.create(district=district, name="Riverside High")
    agency = Agency.objects.create(name="Home Police", ori="MIHOME001", state="MI")
    Partnership.objects.create(agency=agency, district=district, state="MI")
    sro = make_user("officer", "sro", school=school)
    incident = IncidentFactory(school=school, agency=agency, officer=sro)
    return {"school": school, "agency": agency, "sro": sro, "incident": incident}


def api(user: User) -> APIClient:
    client = APIClient()
    _, key = ApiToken.issue(user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- NIBRS age and the juvenile disposition ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "age", "juvenile"),
    [
        ("15", 15.0, True),
        ("17", 17.0, True),
        ("18", 18.0, False),
        ("99", 99.0, False),
        ("00", None, False),
        ("NB", 0.0, True),
        ("1517", 16.0, True),
        ("1719", 18.0, False),
        ("xx", None, False),
        ("", None, False),
    ],
)
def test_nibrs_age(code: str, age: float | None, juvenile: bool) -> None:
    assert services.nibrs_age(code) == age
    assert services.is_juvenile(code) is juvenile


def arrest_data(world: dict[str, Any], person: Any, disposition: str) -> dict[str, Any]:
    return {
        "incident": world["incident"].pk,
        "arrestee": person.pk,
        "arrest_date": "2026-10-14",
        "arrest_type": "O",
        "multiple_arrestee": "N",
        "arrest_offense": "13B",
        "armed_with": ["01"],
        "juvenile_disposition": disposition,
    }


@pytest.mark.parametrize(
    ("age", "disposition", "error"),
    [
        ("15", "", "Required"),
        ("15", "H", None),
        ("1517", "", "Required"),
        ("19", "R", "Leave blank"),
        ("19", "", None),
        ("00", "H", "Leave blank"),
    ],
)
def test_juvenile_disposition_rule(world: dict[str, Any], age: str, disposition: str, error: str | None) -> None:
    person = InvolvedPersonFactory(incident=world["incident"], role="arrestee", age_code=age)
    form = ArrestForm(arrest_data(world, person, disposition), user=world["sro"])
    if error is None:
        assert form.is_valid(), form.errors
    else:
        assert not form.is_valid()
        assert list(form.errors) == ["juvenile_disposition"]
        assert form.errors["juvenile_disposition"][0].startswith(error)
    before = Arrest.objects.count()
    response = api(world["sro"]).post(
        reverse("api:alias-arrests-list"), arrest_data(world, person, disposition), format="json"
    )
    if error is None:
        assert response.status_code == 201, response.content
        assert Arrest.objects.count() == before + 1
    else:
        assert response.status_code == 400
        assert [e["field"] for e in response.json()["errors"]] == ["juvenile_disposition"]
        assert Arrest.objects.count() == before


# --- NIBRS multi-value code lists ---------------------------------------------------------------------------
def offense_data(world: dict[str, Any], **lists: Any) -> dict[str, Any]:
    return {"incident": world["incident"].pk, "ucr_code": "13A", "attempted_completed": "C", **lists}


@pytest.mark.parametrize(
    ("field", "values", "valid"),
    [
        ("weapons_force", ["11", "12", "40"], True),
        ("weapons_force", ["11", "12", "40", "99"], False),
        ("weapons_force", ["ZZ"], False),
        ("criminal_activities", ["B", "C", "D"], True),
        ("criminal_activities", ["B", "C", "D", "E"], False),
        ("bias_motivations", ["ANTIARAB", "ANTIASIAN"], True),
        ("bias_motivations", ["13"], False),
        ("offender_suspected_of_using", ["A", "D"], True),
    ],
)
def test_offense_code_lists(world: dict[str, Any], field: str, values: list[str], valid: bool) -> None:
    form = OffenseForm(offense_data(world, **{field: values}), user=world["sro"])
    assert form.is_valid() is valid, form.errors
    if not valid:
        assert list(form.errors) == [field]
    response = api(world["sro"]).post(
        reverse("api:incidents-offense-list"), offense_data(world, **{field: values}), format="json"
    )
    assert response.status_code == (201 if valid else 400), response.content
    if valid:
        assert Offense.objects.get(pk=response.json()["id"]).__dict__[field] == values
    else:
        assert {e["field"].split("[")[0].split(".")[0] for e in response.json()["errors"]} == {field}


def test_bias_motivation_allows_five(world: dict[str, Any]) -> None:
    codes = ["ANTIARAB", "ANTIASIAN", "ANTIATHEIST_AGNOSTIC", "ANTIBLACK_AFRICAN AMERICAN", "ANTICATHOLIC"]
    assert OffenseForm(offense_data(world, bias_motivations=codes), user=world["sro"]).is_valid()
    six = [*codes, "ANTIJEWISH"]
    assert not OffenseForm(offense_data(world, bias_motivations=six), user=world["sro"]).is_valid()


def test_injuries_and_the_form_widget(world: dict[str, Any]) -> None:
    data = {
        "incident": world["incident"].pk,
        "role": "victim",
        "sequence_number": 1,
        "name": "A. Victim",
        "age_code": "14",
        "injuries": ["M", "B"],
    }
    form = InvolvedPersonForm(data, user=world["sro"])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["injuries"] == ["M", "B"]
    assert not InvolvedPersonForm({**data, "injuries": ["Q"]}, user=world["sro"]).is_valid()
    assert not InvolvedPersonForm({**data, "age_code": "1X"}, user=world["sro"]).is_valid()
    html = str(InvolvedPersonForm(user=world["sro"])["injuries"])
    assert 'type="checkbox"' in html
    assert "Apparent Minor Injury" in html


def test_parts_must_belong_to_the_same_report(world: dict[str, Any]) -> None:
    other = IncidentFactory(school=world["school"], agency=world["agency"])
    stranger = InvolvedPersonFactory(incident=other, role="arrestee", age_code="30")
    form = ArrestForm(arrest_data(world, stranger, ""), user=world["sro"])
    assert not form.is_valid()
    assert "arrestee" in form.errors


# --- boundary rules: searches and pursuits ------------------------------------------------------------------
def search_data(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "school": world["school"].pk,
        "agency": world["agency"].pk,
        "occurred_at": "2026-10-14T10:30",
        "subject": "locker",
        "conducted_by": "sro",
        "legal_basis": "reasonable_suspicion",
        "reason": "A student said there was a knife in the locker.",
        **changes,
    }


def test_an_officers_search_without_basis_needs_a_justification_and_is_flagged(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["sro"])
    before = Search.objects.count()
    response = client.post(reverse("incidents:search_add"), search_data(world))
    assert response.status_code == 422
    assert "justification" in response.context["form"].errors
    assert response.context["form"]["reason"].value() == "A student said there was a knife in the locker."
    assert Search.objects.count() == before
    response = client.post(
        reverse("incidents:search_add"), search_data(world, justification="Immediate danger to students.")
    )
    assert response.status_code == 302
    search = Search.objects.get()
    assert search.flagged is True
    assert search.officer_id == world["sro"].pk
    assert search.district_id == world["school"].district_id
    detail = client.get(search.get_absolute_url()).content.decode()
    assert "Flagged for supervisor review" in detail


@pytest.mark.parametrize(
    ("changes", "flagged"),
    [
        ({"legal_basis": "probable_cause"}, False),
        ({"legal_basis": "consent"}, False),
        ({"conducted_by": "school_official", "school_official": "Principal"}, False),
        ({"conducted_by": "both", "school_official": "Principal", "justification": "Shared search."}, True),
    ],
)
def test_search_flag(world: dict[str, Any], changes: dict[str, Any], flagged: bool) -> None:
    form = SearchForm(search_data(world, **changes), user=world["sro"])
    assert form.is_valid(), form.errors
    assert form.save().flagged is flagged


def test_a_warrant_search_needs_the_number(world: dict[str, Any]) -> None:
    form = SearchForm(search_data(world, legal_basis="warrant"), user=world["sro"])
    assert not form.is_valid()
    assert list(form.errors) == ["warrant_number"]


@pytest.mark.parametrize(
    ("left", "threat", "flagged"),
    [(True, "", True), (True, "He had a gun and was heading to the school.", False), (False, "", False)],
)
def test_pursuit_flag(world: dict[str, Any], left: bool, threat: str, flagged: bool) -> None:
    data = {
        "school": world["school"].pk,
        "agency": world["agency"].pk,
        "started_at": "2026-10-14T10:30",
        "start_location": "North lot",
        "left_district_property": left,
        "threat_to_school": threat,
    }
    form = PursuitForm(data, user=world["sro"])
    assert form.is_valid(), form.errors
    pursuit = form.save()
    assert Pursuit.objects.get(pk=pursuit.pk).flagged is flagged


# --- pages ---------------------------------------------------------------------------------------------------
def test_add_links_prefill_the_incident(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["sro"])
    page = client.get(world["incident"].get_absolute_url())
    urls = [link["url"] for link in page.context["add_links"]]
    assert f"{reverse('incidents:offense_add')}?incident={world['incident'].pk}" in urls
    form = client.get(reverse("incidents:offense_add"), {"incident": world["incident"].pk}).context["form"]
    assert str(form["incident"].value()) == str(world["incident"].pk)


def test_the_incident_page_shows_every_part(world: dict[str, Any]) -> None:
    incident = world["incident"]
    OffenseFactory(incident=incident, ucr_code="35A")
    person = InvolvedPersonFactory(incident=incident, role="arrestee", name="")
    ArrestFactory(incident=incident, arrestee=person)
    UseOfForceFactory(incident=incident, subject=person)
    services.add_supplement(incident, world["sro"], "Parent called back.")
    client = Client()
    client.force_login(world["sro"])
    response = client.get(incident.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Narrative",
        "Offenses (1)",
        "Involved persons (1)",
        "Arrests, citations and referrals (1)",
        "Use of force and restraint (1)",
        "Supplements (1)",
        "Attachments (0)",
        "Shared with schools",
        "Versions",
    ):
        assert heading in html, heading
    assert "Parent called back." in html
    assert incident.number in html


def test_short_api_paths(world: dict[str, Any]) -> None:
    incident = world["incident"]
    OffenseFactory(incident=incident)
    deleted = OffenseFactory(incident=incident, ucr_code="90Z")
    deleted.deleted_at = deleted.created_at
    deleted.save()
    rest = api(world["sro"])
    for name, path in (
        ("alias-incidents", "/api/v1/incidents/"),
        ("alias-searches", "/api/v1/searches/"),
        ("alias-evidence", "/api/v1/evidence/"),
        ("alias-arrests", "/api/v1/arrests/"),
        ("alias-uses-of-force", "/api/v1/uses-of-force/"),
        ("alias-pursuits", "/api/v1/pursuits/"),
        ("alias-discipline-referrals", "/api/v1/discipline-referrals/"),
    ):
        assert reverse(f"api:{name}-list") == path
        assert rest.get(path).status_code == 200
    body = rest.get(f"/api/v1/incidents/{incident.pk}/").json()
    assert [o["ucr_code"] for o in body["offenses"]] == ["13B"]
    assert body["number"] == incident.number
    # The nested lists are fetched once for a page, whatever its length.
    with CaptureQueriesContext(connection) as few:
        rest.get("/api/v1/incidents/")
    for _ in range(4):
        other = IncidentFactory(school=world["school"], agency=world["agency"])
        OffenseFactory(incident=other)
        ArrestFactory(incident=other)
    with CaptureQueriesContext(connection) as many:
        response = rest.get("/api/v1/incidents/")
    assert response.json()["count"] == 5
    assert len(few) == len(many)
