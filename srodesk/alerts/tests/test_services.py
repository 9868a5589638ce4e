"""The alert workflow: every transition, refused transitions change nothing, and every step is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from srodesk.alerts import services
from srodesk.alerts.models import Alert, Recipient
from srodesk.audit.models import AuditEvent

from .alert_world import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """The delivery engine's entry points, recorded instead of run."""
    from srodesk.alerts import delivery

    seen: dict[str, list[Any]] = {"dispatch": [], "publish_all_clear": [], "publish_ack": []}
    for name in seen:
        monkeypatch.setattr(delivery, name, lambda obj, _name=name: seen[_name].append(obj))
    return seen


def snapshot(alert: Alert) -> dict[str, Any]:
    fresh = Alert.objects.get(pk=alert.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def system_events(alert: Alert, event: str) -> list[AuditEvent]:
    rows = AuditEvent.objects.filter(kind="system", object_id=str(alert.pk), detail__event=f"alert.{event}")
    return list(rows.order_by("seq"))


def due(alert: Alert) -> None:
    """Move the end of the cancel window into the past (as if the seconds had gone by)."""
    Alert.objects.filter(pk=alert.pk).update(deliver_at=timezone.now() - dt.timedelta(seconds=1))


# --- arm ---------------------------------------------------------------------------------------------


def test_arm_records_the_window_and_audits(world: World, settings: Any) -> None:
    settings.ALERT_CANCEL_WINDOW_SECONDS = 30
    before = timezone.now()
    alert = world.arm(message="Intruder near the gym")
    stored = Alert.objects.get(pk=alert.pk)
    assert stored.status == "armed"
    assert stored.initiated_by_id == world.sro.pk
    assert before <= stored.armed_at <= timezone.now()
    assert stored.deliver_at - stored.armed_at == dt.timedelta(seconds=30)
    assert stored.agency_id == world.agency.pk  # the one agency serving the district
    assert [s.pk for s in stored.schools.all()] == [world.school.pk]
    assert stored.directive == "Locks, lights, out of sight."
    [event] = system_events(alert, "armed")
    assert event.actor_id == world.sro.pk
    assert event.action == "create"
    assert event.detail["recipients"] == 6
    assert event.detail["schools"] == [world.school.pk]
    assert event.school_id == world.school.pk
    assert AuditEvent.objects.for_object(stored).filter(kind="change", action="create").count() == 1
    assert Recipient.objects.filter(alert=alert).count() == 0  # nobody gets anything before delivery


def test_the_cancel_window_defaults_to_ten_seconds(world: World, settings: Any) -> None:
    del settings.ALERT_CANCEL_WINDOW_SECONDS
    alert = world.arm()
    assert alert.deliver_at - alert.armed_at == dt.timedelta(seconds=10)


@pytest.mark.parametrize(
    ("actor", "fields", "error"),
    [
        ("staff", {}, PermissionDenied),  # staff receive alerts, they do not start them
        ("analyst", {}, PermissionDenied),
        ("outsider", {}, PermissionDenied),
        ("sro", {"schools": ["school_b"]}, PermissionDenied),  # another school
        ("sro", {"schools": ["school", "school_b"]}, PermissionDenied),  # one of them is not theirs
        ("away_sro", {}, PermissionDenied),
        ("director", {"schools": ["school", "away_school"]}, ValidationError),  # two districts
        ("sro", {"schools": []}, ValidationError),
        ("sro", {"action": "evacuate"}, ValidationError),  # evacuate needs the location
        ("sro", {"action": "shelter", "hazard": "tornado"}, ValidationError),  # and shelter the strategy
        ("sro", {"action": ""}, ValidationError),
        ("sro", {"kind": "advisory", "message": "  "}, ValidationError),
    ],
)
def test_refused_arm_stores_nothing(world: World, actor: str, fields: dict[str, Any], error: type) -> None:
    if "schools" in fields:
        fields["schools"] = [getattr(world, name) for name in fields["schools"]]
    audits = AuditEvent.objects.count()
    with pytest.raises(error):
        world.arm(actor, **fields)
    assert Alert.objects.count() == 0
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize("actor", ["sro", "admin", "director", "supervisor"])
def test_who_may_start_an_alert(world: World, actor: str) -> None:
    alert = world.arm(actor)
    assert Alert.objects.get(pk=alert.pk).initiated_by_id == world.users[actor].pk


def test_district_roles_start_alerts_for_several_schools(world: World) -> None:
    alert = world.arm("director", schools=[world.school, world.school_b], is_drill=True)
    assert sorted(s.pk for s in alert.schools.all()) == sorted([world.school.pk, world.school_b.pk])
    assert str(alert) == "DRILL – Lockdown"


def test_advisory_drops_srp_fields(world: World) -> None:
    alert = world.arm(kind="advisory", action="lockdown", location="Gym", message="Road closed on Main St.")
    assert (alert.action, alert.location, alert.directive) == ("", "", "Road closed on Main St.")


def test_supervisor_alerts_carry_the_agency(world: World) -> None:
    alert = world.arm("supervisor", schools=[world.school_b])
    assert alert.agency_id == world.agency.pk


# --- audience ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("everyone", {"sro", "admin", "staff", "staff2", "director", "supervisor"}),
        ("administrators", {"admin", "director"}),
        ("sros", {"sro", "supervisor"}),
        ("agency", {"sro", "supervisor"}),
    ],
)
def test_audience(world: World, audience: str, expected: set[str]) -> None:
    people = services.audience(
        district_id=world.district.pk, school_ids=[world.school.pk], audience=audience, agency_id=None
    )
    assert set(people) == {world.users[name].pk for name in expected}
    at_school = {"sro", "admin", "staff", "staff2"}
    assert {name: people[world.users[name].pk] for name in expected} == {
        name: world.school.pk if name in at_school else None for name in expected
    }


# --- cancel ------------------------------------------------------------------------------------------


def test_cancel_within_the_window(world: World, calls: dict[str, list[Any]], settings: Any) -> None:
    settings.ALERT_CANCEL_WINDOW_SECONDS = 30
    alert = world.arm()
    cancelled = services.cancel(alert, world.fresh("sro"))
    stored = Alert.objects.get(pk=alert.pk)
    assert (stored.status, stored.cancelled_by_id) == ("cancelled", world.sro.pk)
    assert stored.cancelled_at is not None
    assert stored.cancelled_at < stored.deliver_at
    assert cancelled.status == "cancelled"
    [event] = system_events(alert, "cancelled")
    assert event.actor_id == world.sro.pk
    assert 0 < event.detail["seconds_before_delivery"] <= 30
    # Once the window has passed, nothing is delivered.
    due(alert)
    assert services.activate_due() == []
    assert Alert.objects.get(pk=alert.pk).status == "cancelled"
    assert calls["dispatch"] == []
    assert Recipient.objects.filter(alert=alert).count() == 0


def test_cancel_after_the_window_is_refused(world: World) -> None:
    alert = world.arm()
    due(alert)
    before = snapshot(alert)
    with pytest.raises(ValidationError, match="cancel window has closed"):
        services.cancel(alert, world.sro)
    assert snapshot(alert) == before
    assert system_events(alert, "cancelled") == []


def test_cancel_with_a_zero_window_is_refused(world: World, settings: Any) -> None:
    settings.ALERT_CANCEL_WINDOW_SECONDS = 0
    alert = world.arm()
    with pytest.raises(ValidationError):
        services.cancel(alert, world.sro)
    assert Alert.objects.get(pk=alert.pk).status == "armed"


@pytest.mark.parametrize("actor", ["staff", "sro_b", "away_sro", "analyst", "outsider"])
def test_cancel_out_of_scope_changes_nothing(world: World, actor: str) -> None:
    alert = world.arm()
    before = snapshot(alert)
    with pytest.raises(PermissionDenied):
        services.cancel(alert, world.users[actor])
    assert snapshot(alert) == before


def test_cancel_twice_or_after_activation_is_refused(world: World) -> None:
    alert = world.arm()
    services.cancel(alert, world.sro)
    before = snapshot(alert)
    with pytest.raises(ValidationError, match="no longer be cancelled"):
        services.cancel(alert, world.sro)
    assert snapshot(alert) == before
    other = world.arm()
    due(other)
    assert services.activate(other)
    with pytest.raises(ValidationError):
        services.cancel(other, world.sro)
    assert Alert.objects.get(pk=other.pk).status == "active"


# --- activate ----------------------------------------------------------------------------------------


def test_activate_due_delivers_once(
    world: World, calls: dict[str, list[Any]], django_capture_on_commit_callbacks: Any
) -> None:
    alert = world.arm()
    assert services.activate_due() == []  # still inside the window
    assert Alert.objects.get(pk=alert.pk).status == "armed"
    due(alert)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.activate_due() == [alert.pk]
    stored = Alert.objects.get(pk=alert.pk)
    assert stored.status == "active"
    assert stored.activated_at is not None
    expected = {world.users[n].pk for n in ("sro", "admin", "staff", "staff2", "director", "supervisor")}
    assert set(Recipient.objects.filter(alert=alert).values_list("user_id", flat=True)) == expected
    assert [a.pk for a in calls["dispatch"]] == [alert.pk]
    [event] = system_events(alert, "activated")
    assert event.actor_id is None
    assert event.detail["recipients"] == 6
    # Running again (the task and the command both run) changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.activate_due() == []
        assert services.activate(stored) is False
    assert len(calls["dispatch"]) == 1
    assert len(system_events(alert, "activated")) == 1


def test_the_command_activates_due_alerts(world: World, capsys: Any) -> None:
    alert = world.arm()
    waiting = world.arm(action="secure")
    due(alert)
    call_command("activate_due_alerts")
    assert f"Activated 1 alert(s): {alert.pk}" in capsys.readouterr().out
    assert Alert.objects.get(pk=alert.pk).status == "active"
    assert Alert.objects.get(pk=waiting.pk).status == "armed"


def test_a_zero_window_activates_on_commit(
    world: World, settings: Any, calls: dict[str, list[Any]], django_capture_on_commit_callbacks: Any
) -> None:
    """With no cancel window the scheduled task runs at once (the immediate backend of the tests)."""
    settings.ALERT_CANCEL_WINDOW_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        alert = world.arm()
    assert Alert.objects.get(pk=alert.pk).status == "active"
    assert [a.pk for a in calls["dispatch"]] == [alert.pk]


def test_the_task_leaves_an_alert_inside_its_window(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        alert = world.arm()
    assert Alert.objects.get(pk=alert.pk).status == "armed"


def test_activation_works_without_the_delivery_engine(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    """A missing delivery engine is logged, and the alert is still active with its recipients."""
    import importlib

    real = importlib.import_module

    def no_delivery(name: str, *args: Any) -> Any:
        if name == "srodesk.alerts.delivery":
            raise ModuleNotFoundError(name=name)
        return real(name, *args)

    monkeypatch.setattr(services.importlib, "import_module", no_delivery)
    alert = world.arm()
    due(alert)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.activate(alert) is True
    assert Alert.objects.get(pk=alert.pk).status == "active"
    assert Recipient.objects.filter(alert=alert).count() == 6


# --- all clear ---------------------------------------------------------------------------------------


def active_alert(world: World, actor: str = "sro", **fields: Any) -> Alert:
    alert = world.arm(actor, **fields)
    due(alert)
    assert services.activate(alert)
    return Alert.objects.get(pk=alert.pk)


def test_all_clear(world: World, calls: dict[str, list[Any]], django_capture_on_commit_callbacks: Any) -> None:
    alert = active_alert(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.all_clear(alert, world.fresh("admin"), "  Resume the schedule.  ")
    stored = Alert.objects.get(pk=alert.pk)
    assert (stored.status, stored.all_clear_by_id, stored.all_clear_message) == (
        "all_clear",
        world.admin.pk,
        "Resume the schedule.",
    )
    assert stored.all_clear_at is not None
    assert [a.pk for a in calls["publish_all_clear"]] == [alert.pk]
    [event] = system_events(alert, "all_clear")
    assert (event.actor_id, event.detail["message"]) == (world.admin.pk, "Resume the schedule.")


def test_all_clear_refused_unless_active(world: World) -> None:
    armed = world.arm()
    before = snapshot(armed)
    with pytest.raises(ValidationError, match="only an active alert ends"):
        services.all_clear(armed, world.sro)
    assert snapshot(armed) == before
    ended = active_alert(world)
    services.all_clear(ended, world.sro)
    before = snapshot(ended)
    with pytest.raises(ValidationError):
        services.all_clear(ended, world.sro, "again")
    assert snapshot(ended) == before
    assert len(system_events(ended, "all_clear")) == 1


@pytest.mark.parametrize("actor", ["staff", "sro_b", "away_sro", "analyst"])
def test_all_clear_out_of_scope_changes_nothing(world: World, actor: str) -> None:
    alert = active_alert(world)
    before = snapshot(alert)
    with pytest.raises(PermissionDenied):
        services.all_clear(alert, world.users[actor])
    assert snapshot(alert) == before


def test_a_multi_school_alert_is_ended_by_someone_covering_every_school(world: World) -> None:
    alert = active_alert(world, "director", schools=[world.school, world.school_b])
    assert services.can_change(world.sro, alert) is False
    with pytest.raises(PermissionDenied):
        services.all_clear(alert, world.sro)
    assert services.can_change(world.director, alert) is True
    services.all_clear(alert, world.director)
    assert Alert.objects.get(pk=alert.pk).status == "all_clear"


# --- acknowledge -------------------------------------------------------------------------------------


def test_acknowledge_once(world: World, calls: dict[str, list[Any]], django_capture_on_commit_callbacks: Any) -> None:
    alert = active_alert(world)
    with django_capture_on_commit_callbacks(execute=True):
        recipient = services.acknowledge(alert, world.fresh("staff"))
    first = Recipient.objects.get(alert=alert, user=world.staff).acknowledged_at
    assert first is not None
    assert recipient.acknowledged_at == first
    assert [r.user_id for r in calls["publish_ack"]] == [world.staff.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.acknowledge(alert, world.staff)
    assert Recipient.objects.get(alert=alert, user=world.staff).acknowledged_at == first
    assert len(calls["publish_ack"]) == 1
    [event] = system_events(alert, "acknowledged")
    assert (event.actor_id, event.detail["recipient"]) == (world.staff.pk, recipient.pk)


def test_acknowledge_refused(world: World) -> None:
    armed = world.arm()
    with pytest.raises(ValidationError, match="delivered alert"):
        services.acknowledge(armed, world.staff)
    assert Recipient.objects.filter(alert=armed).count() == 0
    alert = active_alert(world)
    for name in ("staff_b", "away_sro", "outsider"):
        with pytest.raises(PermissionDenied):
            services.acknowledge(alert, world.users[name])
    assert Recipient.objects.filter(alert=alert, acknowledged_at__isnull=False).count() == 0
    assert system_events(alert, "acknowledged") == []


def test_someone_in_scope_but_not_in_the_audience_is_put_on_record(world: World) -> None:
    alert = active_alert(world, audience="administrators")
    assert not Recipient.objects.filter(alert=alert, user=world.staff).exists()
    services.acknowledge(alert, world.staff)
    recipient = Recipient.objects.get(alert=alert, user=world.staff)
    assert recipient.school_id == world.school.pk
    assert recipient.acknowledged_at is not None


def test_every_step_is_in_the_audit_log_in_order(world: World) -> None:
    alert = active_alert(world)
    services.acknowledge(alert, world.staff)
    services.all_clear(alert, world.sro)
    rows = AuditEvent.objects.filter(kind="system", object_id=str(alert.pk)).order_by("seq")
    assert [r.detail["event"] for r in rows] == [
        "alert.armed",
        "alert.activated",
        "alert.acknowledged",
        "alert.all_clear",
    ]
