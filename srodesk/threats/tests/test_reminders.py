"""Reminder emails at a real SMTP server on loopback: who gets what, once a day, and an outage retried."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from srodesk.core.testing.smtp import smtp_server
from srodesk.threats import services, tasks
from srodesk.threats.models import ReminderLog, ThreatCase

from .conftest import World

pytestmark = pytest.mark.django_db
BASE = "https://srodesk.example.org"


def plan(world: World) -> dict[str, int]:
    """The world's case at step 5 with four plan items, and a second case still at step 1, two days old."""
    actor = world.counselor
    services.record_interview(
        actor=actor, case=world.case, subject="student", person_name="Dylan", answers={"meaning": "angry"}
    )
    services.classify(actor=actor, case=world.case, classification="very_serious_substantive", reasoning="")
    today = timezone.localdate()
    soon = services.add_plan_item(
        actor=actor, case=world.case, action="Check-in", owner=world.counselor, due_on=today + dt.timedelta(days=1)
    )
    late = services.add_plan_item(
        actor=actor, case=world.case, action="Bag check", owner=world.bit_added, due_on=today - dt.timedelta(days=1)
    )
    services.add_plan_item(
        actor=actor, case=world.case, action="Later", owner=world.counselor, due_on=today + dt.timedelta(days=10)
    )
    done = services.add_plan_item(
        actor=actor, case=world.case, action="Done", owner=world.sro_member, due_on=today - dt.timedelta(days=2)
    )
    services.complete_plan_item(actor=actor, item=done)
    old = ThreatCase.objects.create(
        team=world.team,
        student=world.student,
        reported_at=timezone.now() - dt.timedelta(days=2),
        exact_words="You'll see.",
    )
    return {"soon": soon.pk, "late": late.pk, "old": old.pk}


def test_reminders_reach_the_owners_and_the_team_once_a_day(world: World) -> None:
    ids = plan(world)
    case, old = world.case.pk, ids["old"]
    today = timezone.localdate()
    with (
        smtp_server() as server,
        override_settings(**server.settings, DEFAULT_FROM_EMAIL="SRO Desk <desk@example.org>"),
    ):
        result = services.send_reminders(days=2, base_url=BASE)
        assert (result.sent, result.skipped, result.failed) == (4, 0, 0)
        messages = server.wait_for(4)
        received = sorted((m["To"], m["Subject"]) for m in messages)
        assert received == sorted(
            [
                (
                    "counselor@example.org",
                    f"Safety-plan item due {today + dt.timedelta(days=1):%Y-%m-%d} on threat case #{case}",
                ),
                ("bit_added@example.org", f"Overdue safety-plan item on threat case #{case}"),
                ("counselor@example.org", f"Overdue steps on threat case #{old}"),
                ("sro_member@example.org", f"Overdue steps on threat case #{old}"),
            ]
        )
        assert {m["From"] for m in messages} == {"SRO Desk <desk@example.org>"}
        bodies = {m["Subject"]: m.get_content() for m in messages}
        step_body = bodies[f"Overdue steps on threat case #{old}"]
        assert "- Interview the student, recipient and witnesses" in step_body
        assert "- Classify the threat (transient or substantive)" in step_body
        assert f"{BASE}/threats/threat-cases/{old}/" in step_body
        for body in bodies.values():  # the email names the case number only
            assert "Dylan" not in body
            assert "Marsh" not in body
            assert "Bag check" not in body
        assert ReminderLog.objects.count() == 1 + 1 + 2 * 2

        # Second run the same day, by the command and by the task: nothing new.
        out = io.StringIO()
        call_command("send_threat_reminders", "--base-url", BASE, stdout=out)
        assert out.getvalue().strip() == "Sent 0, already sent today 4, failed 0."
        assert tasks.send_threat_reminders.enqueue(days=2).return_value == {"sent": 0, "skipped": 4, "failed": 0}
        assert len(server.messages) == 4

        # The next day, the same items are due again.
        again = services.send_reminders(today=today + dt.timedelta(days=1), days=2, base_url=BASE)
        assert again.sent == 4
        assert len(server.wait_for(8)) == 8


def test_a_new_overdue_step_is_sent_the_same_day(world: World) -> None:
    ids = plan(world)
    with smtp_server() as server, override_settings(**server.settings):
        services.send_reminders(base_url=BASE)
        server.wait_for(4)
        ThreatCase.objects.filter(pk=world.case.pk).update(classified_at=timezone.now() - dt.timedelta(days=4))
        result = services.send_reminders(base_url=BASE)
        # The world's case now has overdue protective actions and safety evaluation: the team hears of them.
        assert result.sent == 2
        new = server.wait_for(6)[4:]
        assert sorted(m["To"] for m in new) == ["counselor@example.org", "sro_member@example.org"]
        assert {m["Subject"] for m in new} == {f"Overdue steps on threat case #{world.case.pk}"}
        assert "Complete the safety evaluation" in new[0].get_content()
        assert ids["old"] != world.case.pk


def test_an_smtp_outage_sends_nothing_logs_nothing_and_is_retried(world: World) -> None:
    plan(world)
    with smtp_server() as server, override_settings(**server.settings):
        server.stop()
        with pytest.raises(CommandError, match="4 reminder"):
            call_command("send_threat_reminders", "--base-url", BASE, stdout=io.StringIO())
        assert ReminderLog.objects.count() == 0
        server.start()
        result = services.send_reminders(base_url=BASE)
        assert (result.sent, result.failed) == (4, 0)
        assert len(server.wait_for(4)) == 4


def test_closed_cases_get_no_reminders(world: World) -> None:
    plan(world)
    ThreatCase.objects.all().update(status="closed")
    with smtp_server() as server, override_settings(**server.settings):
        result = services.send_reminders(base_url=BASE)
        assert (result.sent, result.skipped) == (0, 0)
        assert server.messages == []
