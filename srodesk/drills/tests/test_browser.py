"""Drill compliance and the emergency-plan editor in a real browser at phone size: no sideways
scrolling, WCAG 2.1 AA (axe-core), and a plan drawn by clicking on the campus map."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.urls import reverse

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.core.tests.test_browser import (  # noqa: F401 - fixtures
    PHONE_VIEWPORT,
    SRO,
    assert_accessible,
    assert_no_horizontal_overflow,
    demo,
    screenshot,
    sro_page,
)
from srodesk.drills.models import Drill, EmergencyPlan

pytestmark = pytest.mark.browser


def officer_school() -> Any:
    officer = User.objects.get(username=SRO)
    assignment = RoleAssignment.objects.filter(user=officer, school__isnull=False).select_related("school").first()
    assert assignment is not None
    assert assignment.school is not None
    return officer, assignment.school


def test_compliance_pages_fit_a_phone_and_are_accessible(sro_page: Any) -> None:  # noqa: F811 - the fixture
    page = sro_page
    _, school = officer_school()
    today = dt.datetime.now(dt.UTC)
    Drill.objects.create(
        school=school,
        district=school.district,
        drill_type="fire",
        status="conducted",
        conducted_at=today - dt.timedelta(days=3),
        conducted_by="Principal Ames",
    )
    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(reverse("drills:compliance_school", args=[school.pk]))
    assert page.get_by_role("heading", level=1).inner_text() == f"Drill compliance: {school.name}"
    assert page.locator(".drill-requirement").count() >= 8  # the Michigan pack
    assert page.locator("#overall-status").inner_text() in {"On track", "At risk", "Non-compliant"}
    assert_no_horizontal_overflow(page, "School drill compliance")
    assert_accessible(page, "School drill compliance")
    screenshot(page, "drills-compliance-phone.png")

    page.goto(reverse("drills:compliance"))
    assert page.get_by_role("link", name=school.name).count() == 1
    assert_no_horizontal_overflow(page, "Drill compliance overview")
    assert_accessible(page, "Drill compliance overview")

    page.goto(reverse("drills:drill_list"))
    assert_no_horizontal_overflow(page, "Drill list")
    assert_accessible(page, "Drill list")


def test_plan_editor_draws_on_the_campus_map_at_phone_size(sro_page: Any) -> None:  # noqa: F811 - the fixture
    page = sro_page
    officer, school = officer_school()
    planner = Role.objects.create(
        slug="test-planner",
        name="Planner",
        permissions=["drills.add_emergencyplan", "drills.change_emergencyplan", "drills.view_emergencyplan"],
        personal_data=True,
    )
    RoleAssignment.objects.create(user=officer, role=planner, school=school)
    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(reverse("drills:emergencyplan_add"))
    page.get_by_label("School").select_option(str(school.pk))
    page.get_by_label("Building").fill("Main building")
    page.locator("#id_name").fill("Main building plan")
    editor_map = page.locator(".plan-editor .plan-map")
    editor_map.wait_for(state="visible")
    assert page.locator(".plan-editor .leaflet-container").count() == 1
    assert page.locator(".plan-editor path.leaflet-interactive, .plan-editor path").count() >= 1  # the boundary
    assert_no_horizontal_overflow(page, "Plan editor")
    assert_accessible(page, "Plan editor")

    box = editor_map.bounding_box()
    assert box is not None
    page.get_by_label("What to add").select_option("assembly_area")
    page.get_by_label("Its name").fill("North field")
    for dx, dy in ((0.3, 0.3), (0.6, 0.3), (0.6, 0.6)):
        editor_map.click(position={"x": box["width"] * dx, "y": box["height"] * dy})
    page.get_by_role("button", name="Finish").click()
    assert "Added “North field”" in page.locator("[data-editor-status]").inner_text()
    page.get_by_label("What to add").select_option("route")
    page.get_by_label("Its name").fill("East exit to field")
    editor_map.click(position={"x": box["width"] * 0.2, "y": box["height"] * 0.7})
    editor_map.click(position={"x": box["width"] * 0.45, "y": box["height"] * 0.45})
    page.get_by_role("button", name="Finish").click()
    drawn = json.loads(page.locator("textarea[name=features]").input_value())
    assert [(f["properties"]["kind"], f["geometry"]["type"]) for f in drawn["features"]] == [
        ("assembly_area", "Polygon"),
        ("route", "LineString"),
    ]
    screenshot(page, "drills-plan-editor-phone.png")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/drills/emergency-plans/\d+/$"))

    plan = EmergencyPlan.objects.get(building="Main building")
    assert [f["properties"]["name"] for f in plan.features["features"]] == ["North field", "East exit to field"]
    ring = plan.features["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]
    assert len(ring) == 4
    assert page.get_by_role("heading", level=1).inner_text() == str(plan)
    assert page.locator("#plan-map.leaflet-container").count() == 1
    assert page.get_by_role("cell", name="East exit to field").count() == 1
    assert_no_horizontal_overflow(page, "Plan detail")
    assert_accessible(page, "Plan detail")
    screenshot(page, "drills-plan-detail-phone.png")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator("#plan-map").is_visible()
