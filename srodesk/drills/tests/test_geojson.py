"""Emergency-plan features are validated on the server: field errors in the form and in the API."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.drills.forms import EmergencyPlanForm
from srodesk.drills.geojson import validate_features
from srodesk.drills.models import EmergencyPlan
from srodesk.organizations.models import School
from srodesk.organizations.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def feature(kind: str, geometry: dict[str, Any], name: str = "North field") -> dict[str, Any]:
    return {"type": "Feature", "properties": {"kind": kind, "name": name}, "geometry": geometry}


def fc(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


ROUTE = {"type": "LineString", "coordinates": [[-83.75, 42.28], [-83.751, 42.281]]}
AREA = {"type": "Polygon", "coordinates": [[[-83.75, 42.28], [-83.74, 42.28], [-83.74, 42.29], [-83.75, 42.28]]]}


def test_valid_campus_plan() -> None:
    value = fc(
        feature("route", ROUTE),
        feature("assembly_area", AREA),
        feature("reunification_site", {"type": "Point", "coordinates": [-83.7, 42.3]}),
    )
    assert validate_features(value, map_kind="campus") == []


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ([], 'The plan must be a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]}).'),
        ({"type": "FeatureCollection"}, "The FeatureCollection has no list of features."),
        (
            fc(feature("route", {"type": "Point", "coordinates": [-83.7, 42.3]})),
            "Feature 1 (North field): the geometry must be a LineString.",
        ),
        (fc(feature("assembly_area", ROUTE)), "Feature 1 (North field): the geometry must be a Point or Polygon."),
        (
            fc(feature("route", {"type": "LineString", "coordinates": [[-83.7, 42.3]]})),
            "Feature 1 (North field): needs at least 2 positions.",
        ),
        (
            fc(feature("waiting_area", {"type": "Point", "coordinates": [-200, 42.3]})),
            "Feature 1 (North field): [-200, 42.3] is not a longitude, latitude position.",
        ),
        (
            fc(feature("shelter_area", {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]})),
            "Feature 1 (North field): a polygon ring must be closed (first position = last).",
        ),
        (
            fc(feature("helipad", ROUTE)),
            "Feature 1 (North field): properties.kind must be one of route, assembly_area, waiting_area, "
            "reunification_site, shelter_area.",
        ),
        (fc(feature("route", ROUTE, name="  ")), "Feature 1: give it a name (properties.name)."),
        (
            fc(feature("route", {"type": "LineString", "coordinates": [[True, 1], [2, 3]]})),
            "Feature 1 (North field): [True, 1] is not a position ([x, y]).",
        ),
    ],
)
def test_invalid_features_name_the_problem(value: Any, problem: str) -> None:
    assert validate_features(value, map_kind="campus") == [problem]


def test_floor_plan_positions_must_lie_on_the_image() -> None:
    point = fc(feature("assembly_area", {"type": "Point", "coordinates": [820, 40]}))
    assert validate_features(point, map_kind="floor_plan", width=800, height=600) == [
        "Feature 1 (North field): [820, 40] lies outside the 800×600 floor plan."
    ]
    assert validate_features(point, map_kind="floor_plan", width=None, height=None) == [
        "Feature 1 (North field): upload the floor-plan image before drawing on it."
    ]
    assert validate_features(point, map_kind="floor_plan", width=900, height=600) == []


def png(width: int, height: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return SimpleUploadedFile("plan.png", buffer.getvalue(), content_type="image/png")


def admin_user() -> User:
    return User.objects.create_superuser(username="root", password="a-long-test-password-1")


def test_form_reports_geojson_problems_as_field_errors_and_keeps_input() -> None:
    school = SchoolFactory()
    typed = json.dumps(fc(feature("route", {"type": "Point", "coordinates": [-83.7, 42.3]})))
    form = EmergencyPlanForm(
        {"school": school.pk, "building": "Main", "name": "Plan", "map_kind": "campus", "features": typed},
        user=admin_user(),
    )
    assert not form.is_valid()
    assert form.errors["features"] == ["Feature 1 (North field): the geometry must be a LineString."]
    assert json.loads(form["features"].value()) == json.loads(typed)
    assert EmergencyPlan.objects.count() == 0


def test_form_rejects_text_that_is_not_json() -> None:
    form = EmergencyPlanForm(
        {"school": SchoolFactory().pk, "building": "Main", "name": "Plan", "map_kind": "campus", "features": "{oops"},
        user=admin_user(),
    )
    assert not form.is_valid()
    assert form.errors["features"] == ["Enter a valid JSON."]
    assert form["features"].value() == "{oops"


def test_floor_plan_upload_records_the_size_and_checks_positions() -> None:
    school = SchoolFactory()
    data = {
        "school": school.pk,
        "building": "Gym annex",
        "name": "Gym plan",
        "map_kind": "floor_plan",
        "features": json.dumps(fc(feature("route", {"type": "LineString", "coordinates": [[10, 10], [700, 500]]}))),
    }
    user = admin_user()
    form = EmergencyPlanForm(data, {"floor_plan": png(640, 480)}, user=user)
    assert not form.is_valid()
    assert form.errors["features"] == ["Feature 1 (North field): [700, 500] lies outside the 640×480 floor plan."]
    form = EmergencyPlanForm(data, {"floor_plan": png(800, 600)}, user=user)
    assert form.is_valid(), form.errors
    plan = form.save()
    assert (plan.floor_plan_width, plan.floor_plan_height) == (800, 600)


def test_floor_plan_image_is_served_only_in_scope(settings: Any) -> None:
    settings.MFA_REQUIRED = False
    school = SchoolFactory()
    other: School = SchoolFactory()
    plan = EmergencyPlan.objects.create(
        school=school, district=school.district, building="Gym", map_kind="floor_plan", floor_plan=png(20, 10)
    )
    role = Role.objects.get(slug="staff")
    inside = User.objects.create_user(username="inside", password="a-long-test-password-1")
    outside = User.objects.create_user(username="outside", password="a-long-test-password-1")
    RoleAssignment.objects.create(user=inside, role=role, school=school)
    RoleAssignment.objects.create(user=outside, role=role, school=other)
    url = reverse("drills:emergencyplan_floor_plan", args=[plan.pk])
    from django.test import Client

    client = Client()
    client.force_login(inside)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    client.force_login(outside)
    assert client.get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_api_answers_400_naming_the_features_field() -> None:
    school = SchoolFactory()
    client = APIClient()
    client.force_authenticate(admin_user())
    body = {
        "school": school.pk,
        "building": "Main",
        "map_kind": "campus",
        "features": fc(feature("assembly_area", {"type": "Point", "coordinates": [-83.7, 95]})),
    }
    response = client.post(reverse("api:drills-emergencyplan-list"), body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "field": "features",
                "code": "invalid",
                "reason": "Feature 1 (North field): [-83.7, 95] is not a longitude, latitude position.",
            }
        ]
    }
    assert EmergencyPlan.objects.count() == 0


def test_add_page_uploads_the_floor_plan(settings: Any) -> None:
    from django.test import Client

    settings.MFA_REQUIRED = False
    school = SchoolFactory()
    client = Client()
    client.force_login(admin_user())
    page = client.get(reverse("drills:emergencyplan_add"))
    assert 'enctype="multipart/form-data"' in page.content.decode()
    point = fc(feature("assembly_area", {"type": "Point", "coordinates": [300, 200]}, name="Gym floor"))
    response = client.post(
        reverse("drills:emergencyplan_add"),
        {
            "school": school.pk,
            "building": "Gym annex",
            "name": "Gym plan",
            "map_kind": "floor_plan",
            "features": json.dumps(point),
            "floor_plan": png(640, 480),
        },
    )
    assert response.status_code == 302
    plan = EmergencyPlan.objects.get()
    assert (plan.floor_plan_width, plan.floor_plan_height, plan.features) == (640, 480, point)
    assert response["Location"] == plan.get_absolute_url()
    detail = client.get(plan.get_absolute_url()).content.decode()
    assert reverse("drills:emergencyplan_floor_plan", args=[plan.pk]) in detail
    assert "Gym floor" in detail
