"""Attendance import (all or nothing, every bad row named, re-import changes nothing) and truancy thresholds."""

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from srodesk.audit.models import AuditEvent
from srodesk.support import services
from srodesk.support.models import AttendanceImport, AttendanceRecord, TruancyCase, TruancyThreshold

from .world import World, build, user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


@pytest.fixture
def world() -> World:
    return build("MI")


def run(world: World, actor: Any, text: str, name: str = "march.csv") -> tuple[AttendanceImport, Any]:
    imp = AttendanceImport.objects.create(district=world.district, school=world.school, source_name=name)
    result = services.import_attendance(actor=actor, attendance_import=imp, content=text.encode())
    imp.refresh_from_db()
    return imp, result


GOOD = "student_identifier,date,status\n100001,2026-03-02,absent_unexcused\n100001,2026-03-03,present\n"


def test_an_import_with_errors_applies_nothing_and_names_every_bad_row(world: World) -> None:
    counselor = user("counselor", "counselor", school=world.school)
    text = (
        "student_identifier,date,status\n"
        "100001,2026-03-02,absent_unexcused\n"  # good
        "999999,2026-03-02,present\n"  # unknown student
        "100001,03/32/2026,present\n"  # not a date
        "100001,2026-03-04,sick\n"  # unknown status
        "200002,2026-03-04,present\n"  # a student of another school
        "100001,2099-01-05,present\n"  # future
        ",2026-03-05,tardy\n"  # empty identifier
        "100001,2026-03-02,present\n"  # contradicts row 2
    )
    imp, result = run(world, counselor, text)
    assert AttendanceRecord.objects.count() == 0
    assert imp.status == "failed"
    assert imp.summary == {"created": 0, "updated": 0, "unchanged": 0, "cases_opened": 0}
    assert [(e["file"], e["row"], e["column"], e["value"]) for e in imp.errors] == [
        ("march.csv", "3", "student_identifier", "999999"),
        ("march.csv", "4", "date", "03/32/2026"),
        ("march.csv", "5", "status", "sick"),
        ("march.csv", "6", "student_identifier", "200002"),
        ("march.csv", "7", "date", "2099-01-05"),
        ("march.csv", "8", "student_identifier", ""),
        ("march.csv", "9", "status", "present"),
    ]
    reasons = [e["reason"] for e in imp.errors]
    assert reasons[0] == "No student with this number at Bayview High."
    assert reasons[1] == "Not a date: use YYYY-MM-DD."
    assert reasons[2] == "Unknown status: use one of present, absent_excused, absent_unexcused, tardy."
    assert reasons[4] == "The date is in the future."
    assert reasons[6] == "Row 2 gives this student another status that day."
    assert result.errors == imp.errors


def test_a_missing_column_is_reported_and_nothing_applied(world: World) -> None:
    counselor = user("counselor", "counselor", school=world.school)
    imp, _ = run(world, counselor, "student,date\n100001,2026-03-02\n")
    assert imp.status == "failed"
    assert [(e["row"], e["column"]) for e in imp.errors] == [("1", "student_identifier"), ("1", "status")]
    assert AttendanceRecord.objects.count() == 0


def test_reimporting_the_same_rows_changes_nothing(world: World) -> None:
    counselor = user("counselor", "counselor", school=world.school)
    first, _ = run(world, counselor, GOOD)
    assert first.status == "succeeded"
    assert first.summary == {"created": 2, "updated": 0, "unchanged": 0, "cases_opened": 0}
    rows = list(AttendanceRecord.objects.order_by("date").values_list("date", "status", "updated_at"))
    changes = AuditEvent.objects.filter(kind="change", content_type__model="attendancerecord").count()
    second, _ = run(world, counselor, GOOD)
    assert second.summary == {"created": 0, "updated": 0, "unchanged": 2, "cases_opened": 0}
    assert list(AttendanceRecord.objects.order_by("date").values_list("date", "status", "updated_at")) == rows
    assert AuditEvent.objects.filter(kind="change", content_type__model="attendancerecord").count() == changes
    third, _ = run(world, counselor, GOOD.replace("present", "tardy"))
    assert third.summary == {"created": 0, "updated": 1, "unchanged": 1, "cases_opened": 0}


def test_a_threshold_opens_exactly_one_case(world: World) -> None:
    counselor = user("counselor", "counselor", school=world.school)
    threshold = TruancyThreshold.objects.create(
        partnership=world.partnership, name="Three in five", unexcused_absences=3, within_school_days=5
    )
    days = [dt.date(2026, 3, d) for d in (2, 3, 4, 5, 6)]
    statuses = ["absent_unexcused", "present", "absent_unexcused", "absent_excused", "absent_unexcused"]
    text = "student_identifier,date,status\n" + "".join(
        f"100001,{d:%Y-%m-%d},{s}\n" for d, s in zip(days, statuses, strict=True)
    )
    text += "".join(f"200002,{d:%Y-%m-%d},absent_unexcused\n" for d in days)  # another school: not importable here
    imp, _ = run(world, counselor, text)
    assert imp.status == "failed"  # the other school's student is refused; nothing applied, no case
    assert TruancyCase.objects.count() == 0
    text = "student_identifier,date,status\n" + "".join(
        f"100001,{d:%Y-%m-%d},{s}\n" for d, s in zip(days, statuses, strict=True)
    )
    imp, _ = run(world, counselor, text)
    assert imp.summary["cases_opened"] == 1
    case = TruancyCase.objects.get()
    assert (case.student_id, case.status, case.threshold_id, case.unexcused_count) == (
        world.student.pk, "open", threshold.pk, 3,
    )  # fmt: skip
    assert case.trigger == (
        "3 unexcused absences in the 5 school days 2026-03-02 to 2026-03-06 "
        "(Three in five: 3 unexcused in 5 school days)."
    )
    # Importing again, or entering one more absence, opens no second case.
    run(world, counselor, text)
    client = Client()
    client.force_login(counselor)
    response = client.post(
        reverse("support:attendancerecord_add"),
        {"student": world.student.pk, "date": "2026-03-09", "status": "absent_unexcused"},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert TruancyCase.objects.count() == 1


def test_below_the_threshold_no_case(world: World) -> None:
    counselor = user("counselor", "counselor", school=world.school)
    TruancyThreshold.objects.create(
        partnership=world.partnership, name="Three in five", unexcused_absences=3, within_school_days=5
    )
    text = "student_identifier,date,status\n100001,2026-03-02,absent_unexcused\n100001,2026-03-03,absent_unexcused\n"
    text += "".join(f"100001,2026-03-{d:02d},present\n" for d in (4, 5, 6, 9))
    run(world, counselor, text)
    assert TruancyCase.objects.count() == 0


def test_upload_page_imports_and_shows_every_error(world: World) -> None:
    counselor = user("counselor", "counselor", school=world.school)
    client = Client()
    client.force_login(counselor)
    url = reverse("support:attendanceimport_upload")
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile("bad.csv", b"student_identifier,date,status\n999999,2026-03-02,present\n")
    response = client.post(url, {"school": world.school.pk, "file": bad})
    assert response.status_code == 302
    imp = AttendanceImport.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was applied" in page
    assert "No student with this number at Bayview High." in page
    not_csv = SimpleUploadedFile("roster.zip", b"PK")
    response = client.post(url, {"school": world.school.pk, "file": not_csv})
    assert response.status_code == 422
    assert AttendanceImport.objects.count() == 1
    assert imp.status == "failed"


def test_upload_needs_the_grant(world: World) -> None:
    analyst = user("analyst", "analyst", district=world.district)
    client = Client()
    client.force_login(analyst)
    assert client.get(reverse("support:attendanceimport_upload")).status_code == 403
