"""Room reports during an alert and the roll-up: one report per room, roster-only names, exact totals."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from srodesk.alerts import services
from srodesk.alerts.models import AccountabilityReport, Alert
from srodesk.audit.models import AuditEvent

from .alert_world import World, build_world
from .test_services import active_alert


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


def report(world: World, alert: Alert, actor: str = "staff", **fields: Any) -> AccountabilityReport:
    values: dict[str, Any] = {"school": world.school, "area": "Room 12", "present_count": 23}
    values.update(fields)
    return services.report_accountability(alert, world.users[actor], **values)


def test_report_and_update_the_same_room(world: World) -> None:
    alert = active_alert(world)
    first = report(world, alert, missing=[world.students["maya"]], injured=[world.students["noah"].pk])
    assert first.reporter_id == world.staff.pk
    assert list(first.missing.values_list("pk", flat=True)) == [world.students["maya"].pk]
    assert list(first.injured.values_list("pk", flat=True)) == [world.students["noah"].pk]
    assert first.district_id == world.district.pk
    events = AuditEvent.objects.filter(object_id=str(first.pk), detail__event="accountability.reported")
    assert events.get().detail["missing"] == [world.students["maya"].pk]
    # A later report from the same room (any spelling of the case) replaces the content.
    second = report(world, alert, "staff2", area="room 12", present_count=24, missing=[], needs_help=True)
    assert second.pk == first.pk
    stored = AccountabilityReport.objects.get(pk=first.pk)
    assert (stored.area, stored.present_count, stored.needs_help, stored.reporter_id) == (
        "Room 12",
        24,
        True,
        world.staff2.pk,
    )
    assert stored.missing.count() == 0
    assert stored.injured.count() == 0
    assert AccountabilityReport.objects.filter(alert=alert).count() == 1
    assert AuditEvent.objects.filter(object_id=str(first.pk), detail__event="accountability.reported").count() == 2
    assert AuditEvent.objects.for_object(stored).filter(kind="change", action="update").count() >= 1


@pytest.mark.parametrize(
    ("actor", "fields", "error"),
    [
        ("sro", {}, PermissionDenied),  # no report grant
        ("analyst", {}, PermissionDenied),
        ("staff_b", {}, PermissionDenied),  # another school's staff
        ("staff_b", {"school": "school_b"}, ValidationError),  # their school is not under this alert
        ("staff", {"area": "  "}, ValidationError),
        ("staff", {"present_count": -1}, ValidationError),
        ("staff", {"missing": ["lake"]}, ValidationError),  # not on this school's roster
        ("staff", {"missing": ["gone"]}, ValidationError),  # no longer an active student
        ("staff", {"missing": ["maya"], "extra": ["maya"]}, ValidationError),
    ],
)
def test_refused_reports_store_nothing(world: World, actor: str, fields: dict[str, Any], error: type) -> None:
    alert = active_alert(world)
    if "school" in fields:
        fields["school"] = getattr(world, fields["school"])
    for name in ("missing", "extra"):
        if name in fields:
            fields[name] = [world.students[s] for s in fields[name]]
    audits = AuditEvent.objects.count()
    with pytest.raises(error):
        report(world, alert, actor, **fields)
    assert AccountabilityReport.objects.count() == 0
    assert AuditEvent.objects.count() == audits


def test_no_reports_before_delivery_or_after_a_cancel(world: World) -> None:
    armed = world.arm()
    with pytest.raises(ValidationError, match="once the alert is delivered"):
        report(world, armed)
    services.cancel(armed, world.sro)
    with pytest.raises(ValidationError):
        report(world, armed)
    assert AccountabilityReport.objects.count() == 0


def test_rollup_per_school(world: World) -> None:
    alert = active_alert(world, "director", schools=[world.school, world.school_b])
    maya, noah, zoe, lake = (world.students[n] for n in ("maya", "noah", "zoe", "lake"))
    report(world, alert, "staff", area="Room 12", present_count=20, missing=[maya], extra=[zoe])
    report(world, alert, "director", area="Gym", present_count=31, injured=[noah], needs_help=True)
    report(world, alert, "staff_b", school=world.school_b, area="Library", present_count=12, missing=[lake])
    services.acknowledge(alert, world.staff)
    services.acknowledge(alert, world.sro_b)

    rollup = services.rollup(alert)
    middle, high = rollup.schools  # by name
    assert (high.school, middle.school) == (world.school, world.school_b)
    assert [r.area for r in high.reports] == ["Gym", "Room 12"]
    assert (high.areas, high.present, high.needs_help) == (2, 51, ["Gym"])
    assert ([s.pk for s in high.missing], [s.pk for s in high.extra], [s.pk for s in high.injured]) == (
        [maya.pk],
        [zoe.pk],
        [noah.pk],
    )
    # The staff of the school are the expected reporters; Tom has not reported.
    assert [p.name for p in high.not_reported] == ["Tom Tutor"]
    assert (middle.areas, middle.present, [s.pk for s in middle.missing], middle.not_reported) == (1, 12, [lake.pk], [])
    # Everyone at both schools plus the district and agency people.
    assert (high.recipients, high.acknowledged) == (4, 1)
    assert sorted(p.name for p in high.not_acknowledged) == ["Ada Principal", "Sam Officer", "Tom Tutor"]
    assert (middle.recipients, middle.acknowledged) == (2, 1)
    assert rollup.others is not None
    assert (rollup.others.recipients, rollup.others.acknowledged) == (2, 0)
    assert (rollup.recipients, rollup.acknowledged, rollup.not_acknowledged) == (8, 2, 6)


def test_rollup_query_count_does_not_grow(world: World, django_assert_max_num_queries: Any) -> None:
    alert = active_alert(world)
    for i in range(6):
        report(world, alert, area=f"Room {i}", missing=[world.students["maya"]])
    with django_assert_max_num_queries(8):
        rollup = services.rollup(alert)
    assert rollup.schools[0].areas == 6


# --- the phone page ----------------------------------------------------------------------------------


def client_for(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def test_report_page_lists_the_school_roster_by_name_and_logs_it(world: World) -> None:
    alert = active_alert(world)
    url = reverse("alerts:alert_report", args=[alert.pk])
    before = AuditEvent.objects.filter(kind="access", action="list").count()
    response = client_for(world, "staff").get(url)
    assert response.status_code == 200
    form = response.context["form"]
    names = [label for _, label in form.fields["missing"].choices]
    assert names == ["Zoe Adams (09)", "Noah Kim (09)", "Maya Lopez (09)"]  # active, this school only
    event = AuditEvent.objects.filter(kind="access", action="list").order_by("-seq").first()
    assert AuditEvent.objects.filter(kind="access", action="list").count() == before + 1
    assert event is not None
    assert event.actor_id == world.staff.pk
    assert event.detail["purpose"] == "accountability"
    assert sorted(event.detail["object_ids"]) == sorted(world.students[n].pk for n in ("maya", "noah", "zoe"))


def test_report_page_posts_a_report(world: World) -> None:
    alert = active_alert(world)
    url = reverse("alerts:alert_report", args=[alert.pk])
    data = {
        "area": "Room 12",
        "present_count": "22",
        "adults_present": "1",
        "missing": [str(world.students["maya"].pk)],
        "notes": "Door jammed",
    }
    response = client_for(world, "staff").post(url, data)
    assert response.status_code == 302
    assert response["Location"] == alert.get_absolute_url()
    stored = AccountabilityReport.objects.get(alert=alert)
    assert (stored.area, stored.present_count, stored.notes) == ("Room 12", 22, "Door jammed")
    assert list(stored.missing.values_list("pk", flat=True)) == [world.students["maya"].pk]


def test_report_page_keeps_what_was_typed(world: World) -> None:
    alert = active_alert(world)
    url = reverse("alerts:alert_report", args=[alert.pk])
    data = {"area": "", "present_count": "22", "adults_present": "1", "notes": "Door jammed"}
    response = client_for(world, "staff").post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="room-report"')
    assert "Door jammed" in body
    assert 'value="22"' in body
    assert AccountabilityReport.objects.count() == 0
    # A student from another school's roster is an invalid choice.
    data.update(area="Room 12", missing=[str(world.students["lake"].pk)])
    assert client_for(world, "staff").post(url, data).status_code == 422
    assert AccountabilityReport.objects.count() == 0


@pytest.mark.parametrize(("actor", "status"), [("sro", 403), ("staff_b", 404), ("away_sro", 403), ("outsider", 403)])
def test_report_page_access(world: World, actor: str, status: int) -> None:
    alert = active_alert(world)
    url = reverse("alerts:alert_report", args=[alert.pk])
    client = client_for(world, actor)
    assert client.get(url).status_code == status
    assert client.post(url, {"area": "Room 1", "present_count": "1", "adults_present": "1"}).status_code == status
    assert AccountabilityReport.objects.count() == 0


def test_report_page_of_another_district_is_not_found(world: World) -> None:
    alert = active_alert(world, "away_sro", schools=[world.away_school])
    response = client_for(world, "staff").get(reverse("alerts:alert_report", args=[alert.pk]))
    assert response.status_code == 404


def test_staff_reporting_for_several_schools_choose_one(world: World) -> None:
    alert = active_alert(world, "director", schools=[world.school, world.school_b])
    world.staff.role_assignments.create(role=world.staff.role_assignments.get().role, school=world.school_b)
    url = reverse("alerts:alert_report", args=[alert.pk])
    response = client_for(world, "staff").get(url)
    assert response.status_code == 200
    assert response.context["school"] is None
    assert f"?school={world.school_b.pk}" in response.content.decode()
    response = client_for(world, "staff").get(url, {"school": world.school_b.pk})
    names = [label for _, label in response.context["form"].fields["missing"].choices]
    assert names == ["Lee Lake (09)"]
