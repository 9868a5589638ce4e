"""OneRoster roster import: exact counts, idempotence, all-or-nothing errors, deactivation, CRDC race, audit."""

import csv
import datetime as dt
import hashlib
import io
import itertools
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.audit.models import AuditEvent, verify_chain
from srodesk.core.audit import audit_context, snapshot
from srodesk.organizations.models import District, School
from srodesk.people.models import Disclosure, Guardian, RosterImport, StaffMember, Student, Vehicle
from srodesk.people.roster import run_import, services
from srodesk.people.roster.auditlog import ChangeBatch
from srodesk.people.roster.generate import generate
from srodesk.people.tasks import run_roster_import

from .factories import DisclosureFactory, VehicleFactory

pytestmark = pytest.mark.django_db

USERS_11 = [
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "orgSourcedIds",
    "role",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
]
DEMOGRAPHICS = [
    "sourcedId",
    "status",
    "dateLastModified",
    "birthDate",
    "sex",
    "americanIndianOrAlaskaNative",
    "asian",
    "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander",
    "white",
    "demographicRaceTwoOrMoreRaces",
    "hispanicOrLatinoEthnicity",
]
ORGS = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
NCES = "261234500001"


# --- helpers ----------------------------------------------------------------------------------------
@pytest.fixture
def district() -> District:
    return District.objects.create(name="Riverside Public Schools", slug="riverside", state="MI")


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]], *, bom: bool = False) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    path.write_bytes(("\ufeff" if bom else "").encode() + buffer.getvalue().encode())


def write_manifest(folder: Path, version: str = "1.1", **modes: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [("oneroster.version", version), *((f"file.{name}", mode) for name, mode in modes.items())]
    text = "propertyName,value\r\n" + "".join(f"{k},{v}\r\n" for k, v in rows)
    (folder / "manifest.csv").write_text(text)


def small_roster(
    folder: Path,
    *,
    users: list[dict[str, str]],
    demographics: list[dict[str, str]] | None = None,
    mode: str = "bulk",
    users_header: list[str] | None = None,
    demographics_header: list[str] | None = None,
) -> Path:
    """A 1.1 exchange: the district, one school, the given users (and demographics)."""
    modes = {"orgs": mode, "users": mode}
    if demographics is not None:
        modes["demographics"] = mode
    write_manifest(folder, "1.1", **modes)
    stamp = {"status": "active", "dateLastModified": "2025-08-01T00:00:00Z"} if mode == "delta" else {}
    write_csv(
        folder / "orgs.csv",
        ORGS,
        [
            {"sourcedId": "org-d", "name": "Riverside", "type": "district", **stamp},
            {"sourcedId": "org-s1", "name": "North High School", "type": "school", "identifier": NCES, **stamp},
        ],
    )
    write_csv(folder / "users.csv", users_header or USERS_11, users)
    if demographics is not None:
        write_csv(folder / "demographics.csv", demographics_header or DEMOGRAPHICS, demographics)
    return folder


def student(sid: str, **fields: str) -> dict[str, str]:
    row = {"sourcedId": sid, "role": "student", "orgSourcedIds": "org-s1", "givenName": "Ann", "familyName": "Lee"}
    row["grades"] = "09"
    row.update(fields)
    return row


def counts() -> dict[str, int]:
    return {
        "students": Student.objects.count(),
        "staff": StaffMember.objects.count(),
        "guardians": Guardian.objects.count(),
        "schools": School.objects.count(),
        "links": Guardian.students.through.objects.count(),
        "enrolments": Student.schools.through.objects.count(),
    }


def changed(summary: dict[str, dict[str, int]]) -> int:
    return sum(c["created"] + c["updated"] + c["deactivated"] for c in summary.values())


def imported(district: District, path: Path, **kwargs: Any) -> RosterImport:
    result = run_import(district=district, path=path, dry_run=kwargs.pop("dry_run", False), actor=None, **kwargs)
    assert result.status == "succeeded", result.errors
    return result


# --- bulk and delta: exact counts ---------------------------------------------------------------------
@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_a_bulk_set_creates_everyone_it_lists(tmp_path: Path, district: District, version: str) -> None:
    generated = generate(tmp_path / "bulk", students=120, schools=3, version=version, seed=3)

    result = imported(district, generated.path)

    assert result.summary == generated.expected
    assert result.summary["users.csv"] == {"rows": 273, "created": 273, "updated": 0, "deactivated": 0, "unchanged": 0}
    assert result.summary["demographics.csv"]["created"] == 120
    assert counts() == {
        "students": 120,
        "staff": 10,
        "guardians": 143,
        "schools": 3,
        "links": 202,
        "enrolments": 122,
    }
    assert (generated.links, generated.enrolments) == (202, 122)
    assert result.oneroster_version == version
    assert result.mode == "bulk"
    rows = sum(c["rows"] for c in result.summary.values())
    assert (result.progress_done, result.progress_total, result.progress_stage) == (2 * rows, 2 * rows, "done")


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_a_delta_updates_deactivates_and_adds(tmp_path: Path, district: District, version: str) -> None:
    imported(district, generate(tmp_path / "bulk", students=120, schools=3, version=version, seed=3).path)
    delta = generate(tmp_path / "delta.zip", students=120, schools=3, version=version, seed=3, delta=True)

    result = imported(district, delta.path)

    assert result.summary == delta.expected
    assert result.summary["users.csv"] == {"rows": 14, "created": 4, "updated": 7, "deactivated": 3, "unchanged": 0}
    assert result.summary["demographics.csv"] == {
        "rows": 7,
        "created": 3,
        "updated": 4,
        "deactivated": 0,
        "unchanged": 0,
    }
    assert result.mode == "delta"
    assert Student.objects.count() == 123
    assert Student.objects.filter(active=False).count() == 2
    assert StaffMember.objects.filter(active=False).count() == 1
    assert Student.objects.filter(phone__startswith="555-9").count() == 6
    assert Guardian.objects.get(phone__startswith="555-8").students.count() >= 1
    assert Student.objects.filter(sourced_id="stu-000121").get().guardians.count() == 1


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_running_the_same_files_again_changes_nothing(tmp_path: Path, district: District, version: str) -> None:
    bulk = generate(tmp_path / "bulk", students=80, schools=2, version=version, seed=8)
    delta = generate(tmp_path / "delta", students=80, schools=2, version=version, seed=8, delta=True)
    imported(district, bulk.path)
    imported(district, delta.path)
    before = AuditEvent.objects.count()
    rows_before = counts()
    updated_at = set(Student.objects.values_list("pk", "updated_at"))

    again = imported(district, delta.path)
    bulk_again_at = AuditEvent.objects.count()

    assert changed(again.summary) == 0
    assert bulk_again_at == before + 1
    assert AuditEvent.objects.order_by("-seq").first().detail["roster_import"] == again.pk
    assert counts() == rows_before
    assert set(Student.objects.values_list("pk", "updated_at")) == updated_at


def test_a_re_run_of_a_bulk_set_changes_nothing_and_logs_only_the_run(tmp_path: Path, district: District) -> None:
    bulk = generate(tmp_path / "bulk", students=100, schools=3, version="1.2", seed=2)
    imported(district, bulk.path)
    before = AuditEvent.objects.count()

    again = imported(district, bulk.path)

    assert {name: c["unchanged"] for name, c in again.summary.items()} == {
        name: c["rows"] for name, c in bulk.expected.items()
    }
    assert changed(again.summary) == 0
    assert list(AuditEvent.objects.filter(seq__gt=before).values_list("kind", "action")) == [("system", "command")]


def test_a_bulk_set_deactivates_people_it_no_longer_lists_and_reactivates_returners(
    tmp_path: Path, district: District
) -> None:
    users = [student("s1"), student("s2", givenName="Bea"), {**student("t1"), "role": "teacher"}]
    imported(district, small_roster(tmp_path / "a", users=users))

    result = imported(district, small_roster(tmp_path / "b", users=[users[0]]))

    assert result.summary["users.csv"] == {"rows": 1, "created": 0, "updated": 0, "deactivated": 2, "unchanged": 1}
    assert dict(Student.objects.values_list("sourced_id", "active")) == {"s1": True, "s2": False}
    assert StaffMember.objects.get(sourced_id="t1").active is False

    back = imported(district, small_roster(tmp_path / "c", users=users))

    assert back.summary["users.csv"] == {"rows": 3, "created": 0, "updated": 2, "deactivated": 0, "unchanged": 1}
    assert Student.objects.filter(active=True).count() == 2


def test_people_not_from_the_roster_are_left_alone(tmp_path: Path, district: District) -> None:
    school = School.objects.create(district=district, name="North High School", nces_id=NCES)
    manual = Student.objects.create(district=district, school=school, given_name="Walk", family_name="In")

    imported(district, small_roster(tmp_path / "a", users=[student("s1")]))

    manual.refresh_from_db()
    assert manual.active is True
    assert School.objects.count() == 1


# --- mapping -------------------------------------------------------------------------------------------
def test_users_map_to_students_staff_and_guardians(tmp_path: Path, district: District) -> None:
    users = [
        student("s1", grades="K", middleName="Maë", email="ann.lee@example.org", agentSourcedIds="g1",
                identifier="S100", username="alee", phone="555-0100", dateLastModified="2025-08-01T10:30:00.250Z"),
        student("s2", grades="1,2", orgSourcedIds="org-s1,org-d"),
        {"sourcedId": "t1", "role": "teacher", "orgSourcedIds": "org-s1", "givenName": "Tom", "familyName": "Ito",
         "email": "tom@example.org", "identifier": "E7"},
        {"sourcedId": "a1", "role": "administrator", "orgSourcedIds": "org-d", "givenName": "Ada",
         "familyName": "Ng"},
        {"sourcedId": "g1", "role": "relative", "orgSourcedIds": "org-s1", "givenName": "Gus", "familyName": "Lee",
         "agentSourcedIds": "s2", "sms": "555-0199"},
    ]  # fmt: skip

    imported(district, small_roster(tmp_path / "r", users=users))

    school = School.objects.get()
    assert (school.name, school.nces_id, school.district_id, school.level) == (
        "North High School",
        NCES,
        district.pk,
        "high",
    )
    ann = Student.objects.get(sourced_id="s1")
    assert (ann.grade, ann.middle_name, ann.email, ann.identifier, ann.username, ann.phone) == (
        "KG",
        "Maë",
        "ann.lee@example.org",
        "S100",
        "alee",
        "555-0100",
    )
    assert ann.school == school
    assert list(ann.schools.all()) == [school]
    assert ann.roster_modified_at == dt.datetime(2025, 8, 1, 10, 30, 0, 250000, tzinfo=dt.UTC)
    assert ann.search_name == "ann mae lee"
    assert Student.objects.get(sourced_id="s2").grade == "01"
    assert StaffMember.objects.get(sourced_id="t1").role == "teacher"
    assert list(StaffMember.objects.get(sourced_id="a1").schools.all()) == []
    guardian = Guardian.objects.get(sourced_id="g1")
    assert (guardian.relationship, guardian.sms) == ("relative", "555-0199")
    assert sorted(guardian.students.values_list("sourced_id", flat=True)) == ["s1", "s2"]


def test_one_two_users_take_preferred_names_and_the_primary_org(tmp_path: Path, district: District) -> None:
    generated = generate(tmp_path / "set", students=60, schools=3, version="1.2", seed=11)
    imported(district, generated.path)

    dual = [s for s in Student.objects.prefetch_related("schools") if s.schools.count() > 1]
    assert dual
    assert all(s.school_id in {x.pk for x in s.schools.all()} for s in dual)
    assert Student.objects.exclude(preferred_given_name="").exists()
    assert StaffMember.objects.filter(role="principal").count() == 3
    assert StaffMember.objects.filter(role="districtAdministrator").count() == 1


def test_extension_columns_are_kept_in_roster_metadata(tmp_path: Path, district: District) -> None:
    header = [*USERS_11, "ext_homeroom", "metadata.bus_route", "ignored_column"]
    users = [student("s1", ext_homeroom="214", **{"metadata.bus_route": "7", "ignored_column": "x"})]

    imported(district, small_roster(tmp_path / "r", users=users, users_header=header))

    assert Student.objects.get().roster_metadata == {"ext_homeroom": "214", "metadata.bus_route": "7"}


# --- programs ------------------------------------------------------------------------------------------
def test_program_flags_come_from_metadata_columns(tmp_path: Path, district: District) -> None:
    header = [*DEMOGRAPHICS, "metadata.idea", "metadata.idea_start", "metadata.ell", "metadata.ell_end"]
    demographics = [
        {"sourcedId": "s1", "metadata.idea": "Y", "metadata.idea_start": "9/1/2022", "metadata.ell": "no"},
        {"sourcedId": "s2", "metadata.idea": "0", "metadata.ell": "TRUE", "metadata.ell_end": "2026-06-12"},
    ]
    users = [student("s1"), student("s2")]

    imported(district, small_roster(tmp_path / "r", users=users, demographics=demographics, demographics_header=header))

    s1, s2 = Student.objects.get(sourced_id="s1"), Student.objects.get(sourced_id="s2")
    assert (s1.idea, s1.idea_start, s1.english_learner) == (True, dt.date(2022, 9, 1), False)
    assert (s2.idea, s2.english_learner, s2.english_learner_end) == (False, True, dt.date(2026, 6, 12))


def test_program_flags_come_from_a_companion_programs_file(tmp_path: Path, district: District) -> None:
    folder = small_roster(tmp_path / "r", users=[student("s1"), student("s2"), student("s3")])
    write_csv(
        folder / "programs.csv",
        ["sourcedId", "program", "beginDate", "endDate"],
        [
            {"sourcedId": "s1", "program": "idea", "beginDate": "2022-09-01"},
            {"sourcedId": "s1", "program": "ell", "beginDate": "2021-08-30", "endDate": "2024-06-01"},
            {"sourcedId": "s2", "program": "section504", "beginDate": "2023-01-15"},
        ],
    )

    result = imported(district, folder)

    assert result.summary["programs.csv"] == {"rows": 3, "created": 3, "updated": 0, "deactivated": 0, "unchanged": 0}
    flags = {s.sourced_id: (s.idea, s.section_504, s.english_learner) for s in Student.objects.all()}
    assert flags == {"s1": (True, False, True), "s2": (False, True, False), "s3": (False, False, False)}
    assert Student.objects.get(sourced_id="s1").english_learner_end == dt.date(2024, 6, 1)

    # A bulk programs file is the whole list: a student it no longer names leaves the program.
    write_csv(folder / "programs.csv", ["sourcedId", "program"], [{"sourcedId": "s1", "program": "idea"}])
    again = imported(district, folder)

    assert Student.objects.get(sourced_id="s2").section_504 is False
    assert Student.objects.get(sourced_id="s1").english_learner is False
    assert again.summary["programs.csv"] == {"rows": 1, "created": 0, "updated": 1, "deactivated": 0, "unchanged": 0}


# --- errors: nothing applied, every error reported ------------------------------------------------------
def test_a_set_with_errors_applies_nothing_and_reports_every_error(tmp_path: Path, district: District) -> None:
    imported(district, generate(tmp_path / "good", students=40, schools=2, version="1.1", seed=1).path)
    rows_before, audit_before = counts(), AuditEvent.objects.count()
    folder = tmp_path / "bad"
    write_manifest(folder, "1.1", orgs="bulk", users="bulk", demographics="bulk")
    write_csv(
        folder / "orgs.csv",
        ORGS,
        [
            {"sourcedId": "org-d", "name": "Riverside", "type": "district"},
            {"sourcedId": "org-s1", "name": "North High School", "type": "school", "identifier": NCES},
            {"sourcedId": "org-s2", "name": "South Middle School", "type": "schol"},
        ],
    )
    write_csv(
        folder / "users.csv",
        [*USERS_11, "metadata.idea"],
        [
            student("s1"),
            student("s2", dateLastModified="2025-13-01", orgSourcedIds="org-s1,org-s9"),
            student("s1", givenName="Again"),
            student("s3", role="janitor"),
            student("s4", grades="14", email="not-an-email", **{"metadata.idea": "maybe"}),
            student("s5", agentSourcedIds="g404", givenName=""),
        ],
    )
    write_csv(
        folder / "demographics.csv",
        DEMOGRAPHICS,
        [
            {"sourcedId": "s1", "birthDate": "2010-02-30", "sex": "female"},
            {"sourcedId": "s9", "birthDate": "2010-01-01"},
            {"sourcedId": "s4", "birthDate": "1/2/2010", "white": "maybe", "sex": "x"},
        ],
    )

    result = run_import(district=district, path=folder, dry_run=False, actor=None)

    assert result.status == "failed"
    assert result.errors == [
        {"file": "orgs.csv", "row": 4, "column": "type", "value": "schol", "reason": "unknown org type"},
        {"file": "users.csv", "row": 3, "column": "dateLastModified", "value": "2025-13-01",
         "reason": "not a timestamp (YYYY-MM-DDTHH:MM:SS.sssZ)"},
        {"file": "users.csv", "row": 3, "column": "orgSourcedIds", "value": "org-s9",
         "reason": "unknown org reference"},
        {"file": "users.csv", "row": 4, "column": "sourcedId", "value": "s1",
         "reason": "duplicate sourcedId (first on line 2)"},
        {"file": "users.csv", "row": 5, "column": "role", "value": "janitor", "reason": "unknown role"},
        {"file": "users.csv", "row": 6, "column": "email", "value": "not-an-email", "reason": "not an email address"},
        {"file": "users.csv", "row": 6, "column": "grades", "value": "14", "reason": "not a CEDS grade code"},
        {"file": "users.csv", "row": 6, "column": "metadata.idea", "value": "maybe",
         "reason": "not a boolean (true/false, yes/no, 1/0, Y/N)"},
        {"file": "users.csv", "row": 7, "column": "givenName", "value": "", "reason": "required"},
        {"file": "demographics.csv", "row": 2, "column": "birthDate", "value": "2010-02-30",
         "reason": "not a date (YYYY-MM-DD)"},
        {"file": "demographics.csv", "row": 3, "column": "sourcedId", "value": "s9",
         "reason": "unknown user reference"},
        {"file": "demographics.csv", "row": 4, "column": "sex", "value": "x",
         "reason": "not a sex value (male, female, unspecified, other)"},
        {"file": "demographics.csv", "row": 4, "column": "white", "value": "maybe",
         "reason": "not a boolean (true/false, yes/no, 1/0, Y/N)"},
        {"file": "users.csv", "row": 7, "column": "agentSourcedIds", "value": "g404",
         "reason": "unknown user reference"},
    ]  # fmt: skip
    assert result.summary == {}
    assert counts() == rows_before
    assert AuditEvent.objects.count() == audit_before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.kind, event.action, event.detail["status"], event.detail["errors"]) == (
        "system",
        "command",
        "failed",
        14,
    )


def test_a_missing_required_column_and_a_ragged_row_are_errors(tmp_path: Path, district: District) -> None:
    header = [c for c in DEMOGRAPHICS if c != "sourcedId"]
    folder = small_roster(
        tmp_path / "r", users=[student("s1")], demographics=[{"sex": "male"}], demographics_header=header
    )
    (folder / "users.csv").write_text((folder / "users.csv").read_text() + "s2,,,,org-s1,student,,,A,B,,,,,,,09,,x\r\n")

    result = run_import(district=district, path=folder, dry_run=False, actor=None)

    assert result.errors == [
        {"file": "users.csv", "row": 3, "column": "", "value": "x", "reason": "the row has 19 cells, the header 18"},
        {"file": "demographics.csv", "row": 1, "column": "sourcedId", "value": "", "reason": "missing required column"},
    ]
    assert Student.objects.count() == 0


def test_a_delta_needs_status_and_date_on_every_row(tmp_path: Path, district: District) -> None:
    imported(district, small_roster(tmp_path / "bulk", users=[student("s1"), student("s2")]))
    folder = small_roster(
        tmp_path / "delta",
        mode="delta",
        users=[
            student("s1", status="active", dateLastModified="2025-09-01", phone="555-0101"),
            student("s2", phone="555-0102"),
        ],
    )

    result = run_import(district=district, path=folder, dry_run=False, actor=None)

    assert result.errors == [
        {"file": "users.csv", "row": 3, "column": "status", "value": "", "reason": "required in a delta file"},
        {"file": "users.csv", "row": 3, "column": "dateLastModified", "value": "",
         "reason": "required in a delta file"},
    ]  # fmt: skip
    assert set(Student.objects.values_list("phone", flat=True)) == {""}


def test_idea_and_section_504_exclude_each_other(tmp_path: Path, district: District) -> None:
    header = [*USERS_11, "metadata.idea", "metadata.section504"]
    users = [student("s1", **{"metadata.idea": "true", "metadata.section504": "true"})]

    result = run_import(
        district=district,
        path=small_roster(tmp_path / "r", users=users, users_header=header),
        dry_run=False,
        actor=None,
    )

    assert result.errors == [
        {"file": "users.csv", "row": 2, "column": "metadata.section504", "value": "true",
         "reason": "IDEA and Section 504 only exclude each other"},
    ]  # fmt: skip


def test_a_school_with_another_districts_nces_id_is_refused(tmp_path: Path, district: District) -> None:
    other = District.objects.create(name="Elsewhere", slug="elsewhere", state="OH")
    School.objects.create(district=other, name="Their School", nces_id=NCES)

    result = run_import(
        district=district, path=small_roster(tmp_path / "r", users=[student("s1")]), dry_run=False, actor=None
    )

    assert result.errors == [
        {"file": "orgs.csv", "row": 3, "column": "identifier", "value": NCES,
         "reason": "the NCES id belongs to a school of another district"},
    ]  # fmt: skip
    assert School.objects.filter(district=district).count() == 0


def test_a_missing_manifest_or_path_is_reported(tmp_path: Path, district: District) -> None:
    (tmp_path / "empty").mkdir()

    no_manifest = run_import(district=district, path=tmp_path / "empty", dry_run=False, actor=None)
    no_path = run_import(district=district, path=tmp_path / "nowhere.zip", dry_run=False, actor=None)

    assert no_manifest.errors == [
        {"file": "manifest.csv", "row": 0, "column": "", "value": "", "reason": "manifest.csv is missing"}
    ]
    assert no_path.status == "failed"
    assert no_path.errors[0]["reason"].startswith("cannot read")


# --- deactivation keeps references ----------------------------------------------------------------------
def test_a_deactivated_student_still_backs_the_records_that_name_them(tmp_path: Path, district: District) -> None:
    imported(district, small_roster(tmp_path / "a", users=[student("s1"), student("s2")]))
    ann = Student.objects.get(sourced_id="s1")
    disclosure = DisclosureFactory(student=ann, district=district, school=ann.school)
    vehicle = VehicleFactory(owner_student=ann, district=district, school=ann.school)
    gone = {"sourcedId": "s1", "status": "tobedeleted", "dateLastModified": "2025-09-01"}
    delta = small_roster(tmp_path / "b", mode="delta", users=[gone])

    result = imported(district, delta)

    assert result.summary["users.csv"]["deactivated"] == 1
    ann.refresh_from_db()
    assert (ann.active, ann.deleted_at) == (False, None)
    assert Disclosure.objects.get(pk=disclosure.pk).student == ann
    assert Vehicle.objects.get(pk=vehicle.pk).owner_student == ann
    assert list(ann.schools.all()) == [ann.school]


# --- CRDC race/ethnicity: all 128 combinations -----------------------------------------------------------
RACE_COLUMNS = ("americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
                "nativeHawaiianOrOtherPacificIslander", "white")  # fmt: skip
RACE_NAMES = ("american_indian", "asian", "black", "pacific_islander", "white")


def expected_crdc(races: tuple[bool, ...], hispanic: bool, two_or_more: bool) -> str:
    """REFERENCE.md §5.3, restated: Hispanic; else two or more; else the single race; else not reported."""
    if hispanic:
        return "hispanic"
    if two_or_more or sum(races) > 1:
        return "two_or_more"
    if sum(races) == 1:
        return RACE_NAMES[races.index(True)]
    return "unknown"


@pytest.mark.parametrize("bits", list(itertools.product((False, True), repeat=7)))
def test_crdc_race_is_derived_on_import(tmp_path: Path, district: District, bits: tuple[bool, ...]) -> None:
    races, hispanic, two_or_more = bits[:5], bits[5], bits[6]
    row = {"sourcedId": "s1", "birthDate": "2010-05-05", "sex": "female"}
    row.update({column: "true" if flag else "false" for column, flag in zip(RACE_COLUMNS, races, strict=True)})
    row["hispanicOrLatinoEthnicity"] = "true" if hispanic else "false"
    row["demographicRaceTwoOrMoreRaces"] = "true" if two_or_more else "false"

    imported(district, small_roster(tmp_path / "r", users=[student("s1")], demographics=[row]))

    stored = Student.objects.get()
    assert stored.crdc_race == expected_crdc(races, hispanic, two_or_more)
    assert tuple(getattr(stored, name) for name in RACE_NAMES) == races
    assert (stored.hispanic_latino, stored.two_or_more_races) == (hispanic, two_or_more)


def test_blank_race_cells_are_not_reported(tmp_path: Path, district: District) -> None:
    imported(district, small_roster(tmp_path / "r", users=[student("s1")], demographics=[{"sourcedId": "s1"}]))

    stored = Student.objects.get()
    assert (stored.crdc_race, stored.white, stored.hispanic_latino, stored.birth_date) == ("unknown", None, None, None)


# --- quirks ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_the_exporter_quirks_are_accepted(tmp_path: Path, district: District, version: str) -> None:
    generated = generate(tmp_path / "set", students=60, schools=2, version=version, seed=6, quirks=True)

    result = imported(district, generated.path)

    assert result.summary == generated.expected
    assert Student.objects.filter(birth_date__isnull=True).count() == 0


def test_hand_made_quirks_bom_crlf_one_zero_headers_and_mixed_dates(tmp_path: Path, district: District) -> None:
    folder = tmp_path / "r"
    write_manifest(folder, "1.1", orgs="bulk", users="bulk", demographics="bulk")
    write_csv(
        folder / "orgs.csv",
        ["sourcedid", "NAME", "type"],
        [{"sourcedid": "org-s1", "NAME": "East Elementary", "type": "school"}],
        bom=True,
    )
    write_csv(
        folder / "users.csv",
        ["sourcedId", "status", "role", "givenName", "familyName", "orgSourcedIds", "grades"],
        [
            {
                "sourcedId": "s1",
                "role": "Student",
                "givenName": " Ann ",
                "familyName": "Lee",
                "grades": "K,01",
                "orgSourcedIds": "org-s1",
            },
            {
                "sourcedId": "s2",
                "status": "",
                "role": "student",
                "givenName": "Bo",
                "familyName": "Wu",
                "grades": "3",
                "orgSourcedIds": "org-s1",
            },
        ],
        bom=True,
    )
    write_csv(
        folder / "demographics.csv",
        ["userSourcedId", "birthdate", "sex", "white", "hispanicOrLatinoEthnicity"],
        [
            {
                "userSourcedId": "s1",
                "birthdate": "4/7/2019",
                "sex": "F",
                "white": "Y",
                "hispanicOrLatinoEthnicity": "N",
            },
            {"userSourcedId": "s2", "birthdate": "2017-03-02T00:00:00.000Z", "sex": "male", "white": "1"},
        ],
        bom=True,
    )

    imported(district, folder)

    ann, bo = Student.objects.get(sourced_id="s1"), Student.objects.get(sourced_id="s2")
    assert (ann.given_name, ann.grade, ann.birth_date, ann.sex, ann.crdc_race) == (
        "Ann",
        "KG",
        dt.date(2019, 4, 7),
        "female",
        "white",
    )
    assert (bo.grade, bo.birth_date, bo.sex, bo.white, bo.hispanic_latino) == (
        "03",
        dt.date(2017, 3, 2),
        "male",
        True,
        None,
    )
    assert School.objects.get().level == "elementary"


def test_a_zip_with_a_top_folder_is_read(tmp_path: Path, district: District) -> None:
    generated = generate(tmp_path / "set", students=20, schools=2, version="1.1", seed=1)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in generated.path.iterdir():
            zf.write(path, f"District Export 2025/{path.name}")

    result = imported(district, archive)

    assert result.summary == generated.expected
    assert result.checksums["users.csv"] == hashlib.sha256((generated.path / "users.csv").read_bytes()).hexdigest()


# --- dry run --------------------------------------------------------------------------------------------
def test_a_dry_run_reports_what_would_change_and_changes_nothing(tmp_path: Path, district: District) -> None:
    bulk = generate(tmp_path / "bulk", students=60, schools=3, version="1.2", seed=4)

    dry = imported(district, bulk.path, dry_run=True)

    assert dry.dry_run is True
    assert dry.summary == bulk.expected
    assert counts() == {"students": 0, "staff": 0, "guardians": 0, "schools": 0, "links": 0, "enrolments": 0}

    imported(district, bulk.path)
    delta = generate(tmp_path / "delta", students=60, schools=3, version="1.2", seed=4, delta=True)
    rows_before = counts()
    phones = dict(Student.objects.values_list("sourced_id", "phone"))

    dry_delta = imported(district, delta.path, dry_run=True)

    assert dry_delta.summary == delta.expected
    assert counts() == rows_before
    assert dict(Student.objects.values_list("sourced_id", "phone")) == phones
    assert imported(district, delta.path).summary == delta.expected


# --- audit --------------------------------------------------------------------------------------------------
def test_every_created_person_has_the_audit_row_the_change_hook_would_write(tmp_path: Path, district: District) -> None:
    imported(district, generate(tmp_path / "bulk", students=30, schools=2, version="1.2", seed=5).path)

    for model in (Student, StaffMember, Guardian):
        for obj in model.objects.all():
            (event,) = AuditEvent.objects.for_object(obj)
            after = dict(event.after)
            related = after.pop("students" if model is Guardian else "schools", [])
            assert (event.kind, event.action, event.before) == ("change", "create", None)
            assert after == snapshot(obj)
            assert event.object_repr == str(obj)
            assert event.district_id == district.pk
            m2m = obj.students if model is Guardian else obj.schools
            assert related == sorted(m2m.values_list("pk", flat=True))


def test_saving_an_imported_record_again_logs_nothing(tmp_path: Path, district: District) -> None:
    imported(district, generate(tmp_path / "bulk", students=20, schools=2, version="1.1", seed=5).path)
    before = AuditEvent.objects.count()

    for model in (Student, StaffMember, Guardian):
        for obj in model.objects.all():
            obj.save()

    assert AuditEvent.objects.count() == before


def test_updates_and_deactivations_are_audited_with_before_and_after(tmp_path: Path, district: District) -> None:
    imported(district, small_roster(tmp_path / "a", users=[student("s1"), student("s2")]))
    delta = small_roster(
        tmp_path / "b",
        mode="delta",
        users=[
            student("s1", status="active", dateLastModified="2025-09-01", phone="555-0111"),
            {"sourcedId": "s2", "status": "tobedeleted", "dateLastModified": "2025-09-01"},
        ],
    )
    result = imported(district, delta)

    s1, s2 = Student.objects.get(sourced_id="s1"), Student.objects.get(sourced_id="s2")
    update = AuditEvent.objects.for_object(s1).get(action="update")
    deactivation = AuditEvent.objects.for_object(s2).get(action="update")
    assert (update.before["phone"], update.after["phone"]) == ("", "555-0111")
    assert (deactivation.before["active"], deactivation.after["active"]) == (True, False)
    assert update.detail == {"roster_import": result.pk}
    assert update.after == snapshot(s1)


def test_the_run_is_one_audited_event_with_the_file_checksums(tmp_path: Path, district: District) -> None:
    generated = generate(tmp_path / "bulk", students=20, schools=2, version="1.2", seed=5)

    result = imported(district, generated.path)

    event = AuditEvent.objects.filter(kind="system").get()
    assert event.detail["command"] == "import-roster"
    assert event.detail["roster_import"] == result.pk
    assert event.detail["summary"] == result.summary
    assert event.district_id == district.pk
    checksums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in generated.path.iterdir()}
    assert event.detail["checksums"] == checksums == result.checksums


def test_the_audit_chain_verifies_after_imports(tmp_path: Path, district: District) -> None:
    imported(district, generate(tmp_path / "bulk", students=50, schools=2, version="1.2", seed=7).path)
    imported(district, generate(tmp_path / "delta", students=50, schools=2, version="1.2", seed=7, delta=True).path)
    out = io.StringIO()

    call_command("verify_audit", stdout=out)

    assert list(verify_chain()) == []
    assert "audit chain intact" in out.getvalue()


def test_the_batch_hashes_rows_exactly_as_the_audit_model_does(district: District) -> None:
    rows = [Student(pk=n, district=district, given_name="Zoë", family_name="Ng") for n in (1, 2)]
    batch = ChangeBatch(detail={"roster_import": 1})
    with audit_context(reason="test"):
        for obj in rows:
            batch.change(obj, action="create", before=None, after={"given_name": "Zoë", "n": [1, 2], "x": None})
    batch.flush()

    assert batch.fast is True
    events = AuditEvent.objects.filter(kind="change", object_repr="Zoë Ng")
    assert [(e.object_id, e.hash == e.compute_hash()) for e in events.order_by("seq")] == [("1", True), ("2", True)]
    assert list(verify_chain()) == []


# --- permissions, task, command -----------------------------------------------------------------------------
def test_an_actor_needs_the_import_permission_in_the_district(tmp_path: Path, district: District) -> None:
    folder = small_roster(tmp_path / "r", users=[student("s1")])
    clerk = User.objects.create_user(username="clerk", password="x" * 14)
    admin = User.objects.create_user(username="admin", password="x" * 14)
    role = Role.objects.create(name="importer", permissions=["people.add_rosterimport", "people.view_rosterimport"])
    RoleAssignment.objects.create(user=admin, role=role, district=district)

    with pytest.raises(PermissionDenied):
        run_import(district=district, path=folder, dry_run=False, actor=clerk)
    result = run_import(district=district, path=folder, dry_run=False, actor=admin)

    assert result.status == "succeeded"
    assert result.created_by == admin
    assert Student.objects.get().created_by == admin
    assert AuditEvent.objects.for_object(Student.objects.get()).get().actor_id == admin.pk


def test_the_task_runs_a_queued_import_once(tmp_path: Path, district: District) -> None:
    folder = small_roster(tmp_path / "r", users=[student("s1")])
    admin = User.objects.create_superuser(username="root", password="x" * 14)
    queued = RosterImport.objects.create(district=district, source_name="r", source_path=str(folder), created_by=admin)

    run_roster_import.enqueue(queued.pk)
    run_roster_import.enqueue(queued.pk)

    queued.refresh_from_db()
    assert queued.status == "succeeded"
    assert queued.summary["users.csv"]["created"] == 1
    assert Student.objects.count() == 1
    assert AuditEvent.objects.filter(kind="system").count() == 1


def test_the_command_prints_the_summary(tmp_path: Path, district: District) -> None:
    generated = generate(tmp_path / "bulk", students=20, schools=2, version="1.1", seed=1)
    out = io.StringIO()

    call_command("import_roster", str(generated.path), district="riverside", stdout=out)

    text = out.getvalue()
    assert "OneRoster 1.1 bulk" in text
    assert "users.csv" in text
    assert f"{generated.expected['users.csv']['created']:>11}" in text


def test_the_command_lists_every_error_and_fails(tmp_path: Path, district: District) -> None:
    folder = small_roster(tmp_path / "r", users=[student("s1", grades="14"), student("s2", role="janitor")])
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 error"):
        call_command("import_roster", str(folder), district="riverside", stderr=err, stdout=io.StringIO())

    assert err.getvalue().splitlines() == [
        "users.csv:2:grades: 14 — not a CEDS grade code",
        "users.csv:3:role: janitor — unknown role",
    ]


def test_the_command_dry_run_says_so(tmp_path: Path, district: District) -> None:
    out = io.StringIO()

    call_command(
        "import_roster",
        str(small_roster(tmp_path / "r", users=[student("s1")])),
        district="riverside",
        dry_run=True,
        stdout=out,
    )

    assert "dry run: nothing was changed" in out.getvalue()
    assert Student.objects.count() == 0


def test_the_command_refuses_an_unknown_district(tmp_path: Path, district: District) -> None:
    with pytest.raises(CommandError, match="no district"):
        call_command("import_roster", str(tmp_path), district="nowhere")


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_other_connections_while_applying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: progress inside the import's transaction is written at the end")
    district = District.objects.create(name="Riverside Public Schools", slug="riverside", state="MI")
    generated = generate(tmp_path / "bulk", students=1500, schools=3, version="1.1", seed=1)
    rows = sum(generated.rows.values())
    seen: list[tuple[str, int, int]] = []
    create = services.Importer.create

    def create_and_look(self: services.Importer, *args: Any) -> None:
        create(self, *args)
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT progress_stage, progress_done, progress_total FROM people_rosterimport WHERE id = %s",
                    [self.pk],
                )
                seen.append(cursor.fetchone())
        finally:
            other.close()

    monkeypatch.setattr(services.Importer, "create", create_and_look)

    result = run_import(district=district, path=generated.path, dry_run=False, actor=None)

    assert result.status == "succeeded"
    assert [stage for stage, _, _ in seen] == ["applying"] * 3
    assert seen[-1][1] > rows
    assert seen[-1][2] == 2 * rows


def test_roles_enrollments_and_sessions_are_checked_too(tmp_path: Path, district: District) -> None:
    generated = generate(tmp_path / "set", students=20, schools=2, version="1.2", seed=1)
    folder = generated.path

    def append(name: str, line: str) -> int:
        """Add a data row; its line number in the file (the header is line 1)."""
        path = folder / name
        path.write_bytes(path.read_bytes() + line.encode() + b"\r\n")
        return path.read_bytes().count(b"\r\n")

    bad_org = append("roles.csv", "role-x1,active,2025-08-01,stu-000001,primary,student,,,org-nowhere,")
    bad_user = append("roles.csv", "role-x2,active,2025-08-01,stu-999999,secondary,student,,,org-sch-001,")
    bad_enrolment = append("enrollments.csv", "enr-x,,,cls-1,org-nowhere,stu-999999,student,false,2025-08-25,")
    bad_session = append("academicSessions.csv", "as-x,,,Odd,term,2026-06-01,2026-01-01,,2026")

    result = run_import(district=district, path=folder, dry_run=False, actor=None)

    assert result.errors == [
        {"file": "academicSessions.csv", "row": bad_session, "column": "endDate", "value": "2026-01-01",
         "reason": "before startDate"},
        {"file": "roles.csv", "row": bad_org, "column": "orgSourcedId", "value": "org-nowhere",
         "reason": "unknown org reference"},
        {"file": "enrollments.csv", "row": bad_enrolment, "column": "userSourcedId", "value": "stu-999999",
         "reason": "unknown user reference"},
        {"file": "enrollments.csv", "row": bad_enrolment, "column": "schoolSourcedId", "value": "org-nowhere",
         "reason": "unknown org reference"},
        {"file": "roles.csv", "row": bad_user, "column": "userSourcedId", "value": "stu-999999",
         "reason": "unknown user reference"},
    ]  # fmt: skip
    assert Student.objects.count() == 0
