"""The clock on the report page, the reporter's dashboard panel and the administrators' overdue list."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from srodesk.support.models import MandatedReport

from .world import build, user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


def login(who: Any) -> Client:
    client = Client()
    client.force_login(who)
    return client


def test_clock_dashboard_and_overdue_list() -> None:
    world = build("TX")  # 48 hours from first suspicion
    reporter = user("reporter", "counselor", school=world.school)
    colleague = user("colleague", "counselor", school=world.school)
    principal = user("principal", "school_admin", school=world.school)
    other_principal = user("other-principal", "school_admin", school=world.other_school)
    now = timezone.now()
    late = MandatedReport.objects.create(
        student=world.student, reporter=reporter, suspicion="Hungry.", suspected_at=now - dt.timedelta(hours=50)
    )
    fresh = MandatedReport.objects.create(
        student=world.student, reporter=reporter, suspicion="Scared.", suspected_at=now - dt.timedelta(hours=12)
    )
    page = login(reporter).get(late.get_absolute_url()).content.decode()
    assert "Initial report" in page
    assert "overdue by 2 h" in page
    assert reverse("support:mandatedreport_oral_report", args=[late.pk]) in page
    # The principal sees the clock but not the reporter's action.
    page = login(principal).get(fresh.get_absolute_url()).content.decode()
    assert "35 h" in page
    assert reverse("support:mandatedreport_oral_report", args=[fresh.pk]) not in page
    dashboard = login(reporter).get(reverse("core:dashboard")).content.decode()
    assert "My mandated reports" in dashboard
    assert f"Mandated report #{late.pk}" in dashboard
    assert f"Mandated report #{fresh.pk}" in dashboard
    assert "My mandated reports" not in login(colleague).get(reverse("core:dashboard")).content.decode()
    overdue = login(principal).get(reverse("support:mandatedreport_overdue"))
    assert [item.report.pk for item in overdue.context["items"]] == [late.pk]
    assert login(other_principal).get(reverse("support:mandatedreport_overdue")).context["items"] == []
    assert login(colleague).get(reverse("support:mandatedreport_overdue")).context["items"] == []
