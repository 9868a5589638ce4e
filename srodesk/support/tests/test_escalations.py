"""Escalation emails for mandated-report deadlines, delivered to a real SMTP server on loopback."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from srodesk.core.testing.smtp import smtp_server
from srodesk.support import services
from srodesk.support.models import MandatedReport, MandatedReportEscalation, ReportingRule

from .world import build, user

pytestmark = pytest.mark.django_db(transaction=False)

T0 = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)  # 09:00 in California: the information reaches the reporter


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


@pytest.fixture
def report():  # type: ignore[no-untyped-def]
    world = build("CA")
    reporter = user("reporter", "counselor", email="reporter@bayview.example", school=world.school)
    user("principal", "school_admin", email="principal@bayview.example", school=world.school)
    user("district-admin", "school_admin", email="dadmin@bayview.example", district=world.district)
    user("other-principal", "school_admin", email="other@bayview.example", school=world.other_school)
    user("colleague", "counselor", email="colleague@bayview.example", school=world.school)
    user("officer", "sro", email="officer@bayview.example", school=world.school)
    return MandatedReport.objects.create(
        student=world.student,
        reporter=reporter,
        suspicion="Burn marks on the student's hands.",
        suspected_at=at(0.25),
        information_received_at=T0,
    )


def subjects(server) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    return [(m["Subject"], sorted(a.strip() for a in m["To"].split(","))) for m in server.messages]


def test_escalations_arrive_once_per_threshold_with_exact_recipients(report: MandatedReport) -> None:
    pk = report.pk
    admins = ["dadmin@bayview.example", "principal@bayview.example", "reporter@bayview.example"]
    with smtp_server() as server, override_settings(**server.settings):
        # 65 minutes into California's "immediately" (2 h service level): 50 % reached.
        assert len(services.send_escalations(now=at(65 / 60))) == 1
        server.wait_for(1)
        assert subjects(server) == [
            (f"Mandated report #{pk}: 0 h 55 min left for the initial report (50%)", ["reporter@bayview.example"])
        ]
        # Run again at the same time: nothing is resent.
        assert services.send_escalations(now=at(65 / 60)) == []
        # 2 h 30 min: 90 % and overdue both reached since the last run; one email, for the highest.
        assert len(services.send_escalations(now=at(2.5))) == 1
        server.wait_for(2)
        assert subjects(server)[1] == (
            f"OVERDUE: mandated report #{pk}: the initial report was due 2026-03-02 14:00",
            admins,
        )
        # The reporter phones CPS; the initial clock stops, the 36-hour written clock keeps running.
        services.record_oral_report(
            actor=report.reporter,
            report=report,
            reported_at=at(2.75),
            channel="phone",
            reported_to="cps",
            agency_name="Alameda County CPS hotline",
            reference_number="CPS-26-0412",
        )
        assert services.send_escalations(now=at(3)) == []
        assert len(services.send_escalations(now=at(18))) == 1
        server.wait_for(3)
        assert subjects(server)[2] == (
            f"Mandated report #{pk}: 18 h 00 min left for the written report (50%)",
            ["reporter@bayview.example"],
        )
        assert len(services.send_escalations(now=at(37))) == 1
        server.wait_for(4)
        assert subjects(server)[3] == (
            f"OVERDUE: mandated report #{pk}: the written report was due 2026-03-04 00:00",
            admins,
        )
        # A second run sends nothing.
        assert services.send_escalations(now=at(40)) == []
    assert len(server.messages) == 4
    assert set(MandatedReportEscalation.objects.filter(report=report).values_list("deadline", "threshold")) == {
        ("initial", 50), ("initial", 90), ("initial", 100), ("written", 50), ("written", 90), ("written", 100),
    }  # fmt: skip
    assert "Burn marks" not in "".join(m.get_content() for m in server.messages)  # no details in email


def test_a_mail_outage_is_retried_on_the_next_run(report: MandatedReport) -> None:
    with smtp_server() as server, override_settings(**server.settings):
        server.stop()
        assert services.send_escalations(now=at(1.5)) == []
        assert MandatedReportEscalation.objects.count() == 0
        server.start()
        assert len(services.send_escalations(now=at(1.5))) == 1
        server.wait_for(1)
        assert server.messages[0]["Subject"].endswith("left for the initial report (50%)")


def test_command_sends_once_and_thresholds_are_configurable_per_partnership(report: MandatedReport) -> None:
    ReportingRule.objects.create(
        partnership=report.district.partnerships.get(),
        effective_from=dt.date(2026, 1, 1),
        statute="Bayview escalation policy",
        initial_hours=None,
        immediate_sla_hours=4,
        written_hours=36,
        written_clock_start="information_received",
        recipients=["cps"],
        escalation_thresholds=[25, 100],
        escalate_to_administrators_at=25,
    )
    with smtp_server() as server, override_settings(**server.settings):
        out = StringIO()
        call_command("send_mandated_report_escalations", now=at(1.5).isoformat(), stdout=out)
        server.wait_for(1)
        assert out.getvalue().splitlines()[-1] == "1 escalation email(s) sent."
        assert subjects(server) == [
            (
                f"Mandated report #{report.pk}: 2 h 45 min left for the initial report (25%)",
                ["dadmin@bayview.example", "principal@bayview.example", "reporter@bayview.example"],
            )
        ]
        out = StringIO()
        call_command("send_mandated_report_escalations", now=at(1.5).isoformat(), stdout=out)
        assert out.getvalue().splitlines()[-1] == "0 escalation email(s) sent."
    assert len(server.messages) == 1
