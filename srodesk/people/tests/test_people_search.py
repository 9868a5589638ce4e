"""Finding people: the global search box, and what a viewer's scope and grants keep out of every view."""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.organizations.models import District, School
from srodesk.people.forms import VehicleForm
from srodesk.people.models import Student, Vehicle

pytestmark = pytest.mark.django_db

PROGRAM_FIELDS = (
    "idea",
    "idea_start",
    "idea_end",
    "section_504",
    "section_504_start",
    "section_504_end",
    "english_learner",
    "english_learner_start",
    "english_learner_end",
)
STUDENTS = reverse("people:student_list")
STUDENTS_API = "/api/v1/people/students/"


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


def enrol(school: School, **fields: Any) -> Student:
    student = Student.objects.create(district=school.district, school=school, **fields)
    student.schools.add(school)
    return student


@pytest.fixture
def world() -> dict[str, Any]:
    district = District.objects.create(name="Riverside", slug="riverside", state="MI")
    school_a = School.objects.create(district=district, name="Riverside High")
    school_b = School.objects.create(district=district, name="Lakeside Middle")
    jose = enrol(
        school_a,
        given_name="José",
        family_name="Álvarez",
        preferred_given_name="Pepe",
        identifier="S100200",
        sourced_id="stu-jose",
        birth_date=dt.date(2010, 4, 7),
        idea=True,
        idea_start=dt.date(2022, 9, 1),
    )
    maria = enrol(school_a, given_name="María", family_name="López", birth_date=dt.date(2011, 1, 2))
    ana = enrol(
        school_b, given_name="Ana", family_name="Zelenková", identifier="S900900", birth_date=dt.date(2010, 4, 7)
    )
    vehicle = Vehicle.objects.create(district=district, school=school_a, plate="ABC-123", make="Ford")
    return {"school_a": school_a, "school_b": school_b, "jose": jose, "maria": maria, "ana": ana, "vehicle": vehicle}


def user_with(name: str, role: Role, school: School) -> User:
    user = User.objects.create_user(username=name)
    RoleAssignment.objects.create(user=user, role=role, school=school)
    return user


def catalogue_user(slug: str, school: School) -> User:
    return user_with(slug, Role.objects.get(slug=slug), school)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def search(user: User, query: str) -> str:
    response = client_for(user).get(reverse("core:search"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def found(html: str, obj: Any) -> bool:
    return f'href="{obj.get_absolute_url()}"' in html


# --- Search syntax ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["jose", "JOSE", "José", "ALV", "alvarez", "Pepe", "pepe álv", "alvarez jose", "S100200", "stu-jose"]
)
def test_names_and_numbers_find_the_student(world: dict[str, Any], query: str) -> None:
    html = search(catalogue_user("counselor", world["school_a"]), query)
    assert found(html, world["jose"])
    assert not found(html, world["maria"])


@pytest.mark.parametrize("query", ["jose lopez", "S1002", "2010"])
def test_every_word_must_match_and_numbers_are_exact(world: dict[str, Any], query: str) -> None:
    html = search(catalogue_user("counselor", world["school_a"]), query)
    assert not found(html, world["jose"])


@pytest.mark.parametrize("query", ["2010-04-07", "4/7/2010", "04/07/2010"])
def test_a_date_searches_birth_dates(world: dict[str, Any], query: str) -> None:
    html = search(catalogue_user("counselor", world["school_a"]), query)
    assert found(html, world["jose"])
    assert not found(html, world["maria"])
    assert not found(html, world["ana"])  # same birthday, another school


@pytest.mark.parametrize("query", ["abc 123", "ABC-123", "abc123", "a b c - 1 2 3", "bc-12"])
def test_plates_ignore_spaces_dashes_and_case(world: dict[str, Any], query: str) -> None:
    html = search(catalogue_user("sro", world["school_a"]), query)
    assert found(html, world["vehicle"])


def test_a_plate_search_shows_no_vehicles_to_a_role_without_the_grant(world: dict[str, Any]) -> None:
    html = search(catalogue_user("counselor", world["school_a"]), "abc 123")
    assert not found(html, world["vehicle"])
    assert "Vehicles" not in html


# --- Scope: a counselor at school A never meets a student of school B -----------------------------------


def test_search_stays_in_scope(world: dict[str, Any]) -> None:
    counselor = catalogue_user("counselor", world["school_a"])
    for query in ("Ana", "Zelenkova", "S900900"):
        html = search(counselor, query)
        assert not found(html, world["ana"])
        assert "Zelenková" not in html
        assert "Nothing in your scope matches" in html


def test_the_student_list_stays_in_scope(world: dict[str, Any]) -> None:
    client = client_for(catalogue_user("counselor", world["school_a"]))
    html = client.get(STUDENTS).content.decode()
    assert found(html, world["jose"])
    assert "Zelenková" not in html
    assert "2 in your scope" in html
    html = client.get(STUDENTS, {"q": "Ana"}).content.decode()
    assert "Zelenková" not in html


def test_the_api_stays_in_scope(world: dict[str, Any]) -> None:
    client = client_for(catalogue_user("counselor", world["school_a"]))
    data = client.get(STUDENTS_API).json()
    assert {row["id"] for row in data["results"]} == {world["jose"].pk, world["maria"].pk}
    assert data["count"] == 2
    assert client.get(f"{STUDENTS_API}{world['ana'].pk}/").status_code == 404
    assert client.get(STUDENTS_API, {"q": "Ana"}).json()["count"] == 0


def test_the_profile_of_another_schools_student_is_404(world: dict[str, Any]) -> None:
    client = client_for(catalogue_user("counselor", world["school_a"]))
    response = client.get(reverse("people:student_detail", args=[world["ana"].pk]))
    assert response.status_code == 404
    assert "Zelenková" not in response.content.decode()


def read_csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_export_stays_in_scope(world: dict[str, Any]) -> None:
    client = client_for(catalogue_user("counselor", world["school_a"]))
    rows = read_csv(client.get(STUDENTS, {"export": "csv"}))
    names = {row[0] for row in rows[1:]}
    assert names == {"Pepe Álvarez", "María López"}
    rows = read_csv(client.get(STUDENTS, {"export": "csv", "birth_date": "2010-04-07"}))
    assert [row[0] for row in rows[1:]] == ["Pepe Álvarez"]


def test_form_dropdowns_stay_in_scope(world: dict[str, Any]) -> None:
    role = Role.objects.create(
        slug="vehicle-clerk",
        name="Vehicle clerk",
        permissions=["view:education", "people.view_vehicle", "people.add_vehicle"],
        personal_data=False,
    )
    clerk = user_with("clerk", role, world["school_a"])
    owners = VehicleForm(user=clerk).fields["owner_student"].queryset
    assert set(owners) == {world["jose"], world["maria"]}
    html = client_for(clerk).get(reverse("people:vehicle_add")).content.decode()
    assert "Pepe Álvarez" in html
    assert "Zelenková" not in html


# --- Program flags: only roles granted people.view_programs_student ------------------------------------


def test_program_flags_are_absent_from_the_api_for_an_sro(world: dict[str, Any]) -> None:
    client = client_for(catalogue_user("sro", world["school_a"]))
    rows = client.get(STUDENTS_API).json()["results"]
    assert rows
    for row in rows:
        assert not set(PROGRAM_FIELDS) & set(row)
    one = client.get(f"{STUDENTS_API}{world['jose'].pk}/").json()
    assert not set(PROGRAM_FIELDS) & set(one)


def test_program_flags_are_in_the_api_for_a_counselor(world: dict[str, Any]) -> None:
    client = client_for(catalogue_user("counselor", world["school_a"]))
    one = client.get(f"{STUDENTS_API}{world['jose'].pk}/").json()
    assert one["idea"] is True
    assert one["idea_start"] == "2022-09-01"
    assert set(PROGRAM_FIELDS) <= set(client.get(STUDENTS_API).json()["results"][0])


def test_the_list_offers_no_program_filter_to_an_sro(world: dict[str, Any]) -> None:
    client = client_for(catalogue_user("sro", world["school_a"]))
    html = client.get(STUDENTS).content.decode()
    assert 'name="idea"' not in html
    assert 'name="english_learner"' not in html
    assert "IDEA" not in html
    # The filter is ignored, not applied: the list is not narrowed to IDEA students.
    html = client.get(STUDENTS, {"idea": "true"}).content.decode()
    assert found(html, world["jose"])
    assert found(html, world["maria"])
    api = client.get(STUDENTS_API, {"idea": "true"}).json()
    assert api["count"] == 2


def test_the_list_filters_on_programs_for_a_counselor(world: dict[str, Any]) -> None:
    client = client_for(catalogue_user("counselor", world["school_a"]))
    html = client.get(STUDENTS).content.decode()
    assert 'name="idea"' in html
    html = client.get(STUDENTS, {"idea": "true"}).content.decode()
    assert found(html, world["jose"])
    assert not found(html, world["maria"])
    assert client.get(STUDENTS_API, {"idea": "true"}).json()["count"] == 1


def test_the_profile_shows_programs_to_a_counselor_only(world: dict[str, Any]) -> None:
    url = reverse("people:student_detail", args=[world["jose"].pk])
    sro_html = client_for(catalogue_user("sro", world["school_a"])).get(url).content.decode()
    assert "Pepe Álvarez" in sro_html
    assert "IDEA" not in sro_html
    assert "2022-09-01" not in sro_html
    counselor_html = client_for(catalogue_user("counselor", world["school_a"])).get(url).content.decode()
    assert "IDEA (disability, IEP)" in counselor_html
    assert "2022-09-01" in counselor_html


def test_the_csv_export_has_no_program_columns_without_the_grant(world: dict[str, Any]) -> None:
    # The SRO may not export education records at all.
    sro = client_for(catalogue_user("sro", world["school_a"]))
    assert sro.get(STUDENTS, {"export": "csv"}).status_code == 403
    role = Role.objects.create(
        slug="edu-exporter", name="Exporter", permissions=["view:education", "export:education"], personal_data=False
    )
    exporter = client_for(user_with("exporter", role, world["school_a"]))
    rows = read_csv(exporter.get(STUDENTS, {"export": "csv", "idea": "true"}))
    header = rows[0]
    assert not {"IDEA (disability, IEP)", "IDEA", "Section 504 only", "English learner"} & set(header)
    assert len(rows) == 3  # both students: the program filter does not apply to this exporter
    assert all("Restricted" not in cell for row in rows for cell in row)
