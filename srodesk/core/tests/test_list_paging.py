"""Paging of lists: a page's rows read by key in the list's order (pages and API), and a list page counts at
most ``LIST_COUNT_LIMIT`` rows ("N+", pages through the first N, filters reach the rest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.organizations.tests.factories import SchoolFactory
from srodesk.people.models import Student
from srodesk.people.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_pages(settings: Any) -> None:
    settings.MFA_REQUIRED = False
    settings.LIST_PAGE_SIZE = 2
    settings.LIST_COUNT_LIMIT = 5


@pytest.fixture
def client() -> Client:
    school = SchoolFactory()
    for n, grade in enumerate(("09", "09", "09", "10", "10", "10", "10")):
        StudentFactory(school=school, grade=grade, birth_date=dt.date(2010, 1, 1) + dt.timedelta(days=37 * n))
    user = User.objects.create_user(username="counselor")
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug="counselor"), school=school)
    web = Client()
    web.force_login(user)
    return web


def test_a_long_list_is_counted_up_to_the_limit(client: Client) -> None:
    url = reverse("people:student_list")
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    assert "<p>5+ in your scope. The pages reach the first 5: filter or sort to find the others.</p>" in html
    assert "<span>Page 1 of 3</span>" in html
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert "LIMIT 6" in counts[0]
    assert "ORDER BY" not in counts[0]
    # Past the last page: the last page, whose rows are the 5th (and only that: 5 rows counted, 2 a page).
    last = client.get(url, {"page": 4})
    assert "<span>Page 3 of 3</span>" in last.content.decode()
    assert len(last.context["table"].rows) == 1
    assert Student.objects.count() == 7


def test_a_list_within_the_limit_is_counted_exactly(client: Client) -> None:
    html = client.get(reverse("people:student_list"), {"grade": "10"}).content.decode()
    assert "<p>4 in your scope matching the filters.</p>" in html
    assert "<span>Page 1 of 2</span>" in html
    assert "filter or sort to find the others" not in html


def test_the_api_and_the_export_count_every_row(client: Client) -> None:
    api = client.get("/api/v1/people/students/", {"limit": 2})
    assert api.status_code == 200
    assert api.json()["count"] == 7
    export = client.get(reverse("people:student_list"), {"export": "csv"})
    assert export.status_code == 200
    lines = b"".join(export.streaming_content).decode().strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 8  # the header and every student


def test_every_page_holds_the_rows_of_its_place_in_the_order(client: Client) -> None:
    everyone = list(Student.objects.order_by("-birth_date", "pk").values_list("pk", flat=True))
    url = reverse("people:student_list")
    shown = []
    for number in (1, 2, 3):
        page = client.get(url, {"sort": "-birth_date", "page": number}).context["page"]
        shown += [row.pk for row in page.object_list]
    assert shown == everyone[:5]  # 5 counted, 2 a page


def test_the_api_pages_in_order_by_offset(client: Client) -> None:
    everyone = list(Student.objects.order_by("family_name", "given_name", "pk").values_list("pk", flat=True))
    shown = []
    for offset in (0, 3, 6):
        body = client.get("/api/v1/people/students/", {"limit": 3, "offset": offset}).json()
        assert body["count"] == 7
        shown += [row["id"] for row in body["results"]]
    assert shown == everyone
    assert client.get("/api/v1/people/students/", {"limit": 3, "offset": 9}).json()["results"] == []
