"""The NIBRS export: XML against the IEPD 2019.1 schema, the flat file's records, actions I/R/D, permissions."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone
from lxml import etree

from srodesk.audit.models import AuditEvent
from srodesk.incidents.models import Incident, NibrsReportState, NibrsSubmission
from srodesk.incidents.nibrs import edits, export, flat, xml
from srodesk.incidents.tests.test_nibrs_helpers import (
    arrest,
    assault,
    drugs,
    group_b,
    incident,
    make_user,
    offender,
    offense,
    relate,
    theft,
    victim,
)
from srodesk.organizations.models import Agency
from srodesk.organizations.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
NS = xml.NS
MONTH = "2026-10"


@pytest.fixture
def agency() -> Agency:
    return AgencyFactory(ori="MI1234500", name="Lakeside Police")  # type: ignore[no-any-return]


@pytest.fixture
def clerk(agency: Agency) -> Any:
    return make_user("clerk", "records_clerk", agency)


def documents(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xml_reports(content: bytes) -> list[Any]:
    return [etree.fromstring(doc) for doc in documents(content).values()]


def text(tree: Any, path: str) -> list[str]:
    return [e.text for e in tree.iterfind(path, NS)]


def header(tree: Any) -> tuple[str, str]:
    category = tree.findtext("nibrs:Report/nibrs:ReportHeader/nibrs:NIBRSReportCategoryCode", namespaces=NS)
    action = tree.findtext("nibrs:Report/nibrs:ReportHeader/nibrs:ReportActionCategoryCode", namespaces=NS)
    return category, action


# --- XML ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "offense_code", "against"),
    [(assault, "13B", "person"), (theft, "23D", "property"), (drugs, "35A", "society")],
)
def test_group_a_xml_validates_for_each_crime_against(
    agency: Agency, clerk: Any, builder: Any, offense_code: str, against: str
) -> None:
    target = builder(agency)
    content, submission = export.build_export(agency, MONTH, "xml", clerk, final=False)
    [tree] = xml_reports(content)
    assert xml.validate(tree) == []
    assert header(tree) == ("GROUP A INCIDENT REPORT", "I")
    report = "nibrs:Report/"
    assert text(tree, report + "nc:Incident/nc:ActivityIdentification/nc:IdentificationID") == [target.number]
    assert text(tree, report + "j:Offense/nibrs:OffenseUCRCode") == [offense_code]
    assert text(tree, report + "nc:Location/nibrs:LocationCategoryCode") == ["53"]
    assert text(tree, "nibrs:Report/nibrs:ReportHeader/nibrs:ReportDate/nc:YearMonthDate") == ["2026-10"]
    ori = "nibrs:Report/nibrs:ReportHeader/nibrs:ReportingAgency/j:OrganizationAugmentation/"
    assert text(tree, ori + "j:OrganizationORIIdentification/nc:IdentificationID") == ["MI1234500"]
    assert submission.report_count == 1
    assert submission.sha256 == hashlib.sha256(content).hexdigest()


def test_property_and_drug_items_are_written(agency: Agency, clerk: Any) -> None:
    theft(agency)
    drugs(agency, occurred_at=dt.datetime(2026, 10, 20, 9, tzinfo=dt.UTC))
    content, _ = export.build_export(agency, MONTH, "xml", clerk, final=False)
    theft_tree, drug_tree = xml_reports(content)
    assert text(theft_tree, "nibrs:Report/nc:Item/nc:ItemStatus/cjis:ItemStatusCode") == ["STOLEN"]
    assert text(theft_tree, "nibrs:Report/nc:Item/nc:ItemValue/nc:ItemValueAmount/nc:Amount") == ["600"]
    substance = "nibrs:Report/nc:Substance/"
    assert text(drug_tree, substance + "j:DrugCategoryCode") == ["E"]
    assert text(drug_tree, substance + "nc:SubstanceQuantityMeasure/nc:MeasureDecimalValue") == ["12.5"]
    assert text(drug_tree, substance + "nc:SubstanceQuantityMeasure/j:SubstanceUnitCode") == ["GM"]
    assert text(drug_tree, "nibrs:Report/j:Victim/j:VictimCategoryCode") == ["S"]
    for tree in (theft_tree, drug_tree):
        assert xml.validate(tree) == []


@pytest.mark.parametrize("arrest_type", ["O", "S", "T"])
def test_group_a_arrestee_xml_validates_for_each_arrest_type(agency: Agency, clerk: Any, arrest_type: str) -> None:
    target = assault(agency)
    arrest(target, arrest_type=arrest_type, transaction_number="A-100", armed_with=["12A"])
    content, _ = export.build_export(agency, MONTH, "xml", clerk, final=False)
    [tree] = xml_reports(content)
    assert xml.validate(tree) == []
    assert text(tree, "nibrs:Report/j:Arrest/j:ArrestCategoryCode") == [arrest_type]
    assert text(tree, "nibrs:Report/j:Arrest/j:ArrestCharge/nibrs:ChargeUCRCode") == ["13B"]
    assert text(tree, "nibrs:Report/j:Arrestee/j:ArresteeArmedWithCode") == ["12A"]
    assert text(tree, "nibrs:Report/j:Arrestee/j:ArresteeJuvenileDispositionCode") == ["H"]


@pytest.mark.parametrize("arrest_type", ["O", "S", "T"])
def test_group_b_arrest_xml_validates_for_each_arrest_type(agency: Agency, clerk: Any, arrest_type: str) -> None:
    group_b(agency, arrest_type=arrest_type, transaction_number="B-7")
    content, submission = export.build_export(agency, MONTH, "xml", clerk, final=False)
    [tree] = xml_reports(content)
    assert xml.validate(tree) == []
    assert header(tree) == ("GROUP B ARREST REPORT", "A")
    assert text(tree, "nibrs:Report/j:Arrest/nc:ActivityIdentification/nc:IdentificationID") == ["B-7"]
    assert text(tree, "nibrs:Report/j:Arrest/j:ArrestCategoryCode") == [arrest_type]
    assert text(tree, "nibrs:Report/j:Arrest/j:ArrestCharge/nibrs:ChargeUCRCode") == ["90C"]
    assert text(tree, "nibrs:Report/nc:Person/nc:PersonAgeMeasure/nc:MeasureIntegerValue") == ["16"]
    assert submission.summary["counts"] == {"Group B arrest reports": 1}


def test_incident_with_group_a_and_group_b_arrests_makes_two_reports(agency: Agency, clerk: Any) -> None:
    target = assault(agency)
    offense(target, "90C")
    arrest(target, offense_code="13B", transaction_number="A-1")
    arrest(target, offense_code="90C", transaction_number="B-1")
    content, submission = export.build_export(agency, MONTH, "xml", clerk, final=False)
    trees = xml_reports(content)
    assert [header(t) for t in trees] == [("GROUP A INCIDENT REPORT", "I"), ("GROUP B ARREST REPORT", "A")]
    # The Group B offense is not an offense segment of the Group A report.
    assert text(trees[0], "nibrs:Report/j:Offense/nibrs:OffenseUCRCode") == ["13B"]
    assert text(trees[0], "nibrs:Report/j:Arrest/nc:ActivityIdentification/nc:IdentificationID") == ["A-1"]
    assert all(xml.validate(t) == [] for t in trees)
    assert submission.report_count == 2


def test_infant_range_and_unknown_ages_validate(agency: Agency, clerk: Any) -> None:
    target = incident(agency)
    crime = offense(target, "13B")
    victim(target, crime, age_code="BB")
    victim(target, crime, seq=2, age_code="1517")
    offender(target, age_code="")
    content, _ = export.build_export(agency, MONTH, "xml", clerk, final=False)
    [tree] = xml_reports(content)
    assert xml.validate(tree) == []
    ages = "nibrs:Report/nc:Person/nc:PersonAgeMeasure/"
    assert text(tree, ages + "nc:MeasureValueText") == ["BABY", "UNKNOWN"]
    assert text(tree, ages + "nc:MeasureIntegerRange/nc:RangeMinimumIntegerValue") == ["15"]


def test_zero_report_validates_when_the_month_has_nothing(agency: Agency, clerk: Any) -> None:
    assault(agency, occurred_at=dt.datetime(2026, 9, 30, 12, tzinfo=dt.UTC))  # another month
    incident(agency, status="draft")  # not approved
    content, submission = export.build_export(agency, MONTH, "xml", clerk, final=False)
    [tree] = xml_reports(content)
    assert xml.validate(tree) == []
    assert header(tree) == ("ZERO REPORT", "A")
    assert submission.summary["counts"] == {"Zero report": 1}


def test_schema_is_built_once() -> None:
    assert xml.schema() is xml.schema()


# --- I, R and D across exports ------------------------------------------------------------------


def test_actions_i_r_d_across_two_final_exports(agency: Agency, clerk: Any) -> None:
    changed = assault(agency)
    voided = theft(agency)
    unchanged = drugs(agency)
    arrested = group_b(agency, transaction_number="B-9")
    content, first = export.build_export(agency, MONTH, "xml", clerk, final=True)
    assert [header(t) for t in xml_reports(content)] == [("GROUP A INCIDENT REPORT", "I")] * 3 + [
        ("GROUP B ARREST REPORT", "A")
    ]
    states = {s.incident_id: (s.version_sent, s.action_sent, s.submission_id) for s in NibrsReportState.objects.all()}
    assert states == {i.pk: (1, "I", first.pk) for i in (changed, voided, unchanged, arrested)}

    Incident.objects.filter(pk=changed.pk).update(version=2)
    Incident.objects.filter(pk__in=[voided.pk, arrested.pk]).update(voided_at=timezone.now())
    content, second = export.build_export(agency, MONTH, "xml", clerk, final=True)
    trees = xml_reports(content)
    assert [header(t) for t in trees] == [
        ("GROUP A INCIDENT REPORT", "R"),
        ("GROUP A INCIDENT REPORT", "D"),
        ("GROUP B ARREST REPORT", "D"),
    ]
    assert all(xml.validate(t) == [] for t in trees)
    numbers = [
        t.findtext("nibrs:Report/nc:Incident/nc:ActivityIdentification/nc:IdentificationID", namespaces=NS)
        for t in trees
    ]
    assert numbers[:2] == [changed.number, voided.number]
    states = {s.incident_id: (s.version_sent, s.action_sent, s.submission_id) for s in NibrsReportState.objects.all()}
    assert states[changed.pk] == (2, "R", second.pk)
    assert states[voided.pk] == (1, "D", second.pk)
    assert states[arrested.pk] == (1, "D", second.pk)
    assert states[unchanged.pk] == (1, "I", first.pk)

    with pytest.raises(export.ExportError, match="already sent"):
        export.build_export(agency, MONTH, "xml", clerk, final=True)


def test_changes_after_a_final_export_in_a_later_month_are_sent_then(agency: Agency, clerk: Any) -> None:
    target = assault(agency)
    export.build_export(agency, MONTH, "flat", clerk, final=True)
    Incident.objects.filter(pk=target.pk).update(version=3)
    content, _ = export.build_export(agency, "2026-11", "flat", clerk, final=True)
    levels_actions = [(line[4], line[5]) for line in content.decode().split("\r\n") if line]
    # Replace in the flat file: delete, then the whole incident again.
    assert levels_actions[:2] == [("1", "D"), ("1", "I")]
    assert NibrsReportState.objects.get(incident=target).version_sent == 3


def test_preview_records_nothing_as_sent(agency: Agency, clerk: Any) -> None:
    assault(agency)
    export.build_export(agency, MONTH, "xml", clerk, final=False)
    export.build_export(agency, MONTH, "xml", clerk, final=False)
    assert not NibrsReportState.objects.exists()
    assert list(NibrsSubmission.objects.values_list("final", flat=True)) == [False, False]


def test_final_export_leaves_out_incidents_with_edit_errors(agency: Agency, clerk: Any) -> None:
    good = assault(agency)
    bad = theft(agency)
    bad.property_set.all().delete()  # 074: a theft needs its property
    _, preview = export.build_export(agency, MONTH, "xml", clerk, final=False)
    assert preview.report_count == 2  # a preview shows everything
    content, submission = export.build_export(agency, MONTH, "xml", clerk, final=True)
    trees = xml_reports(content)
    numbers = [
        t.findtext("nibrs:Report/nc:Incident/nc:ActivityIdentification/nc:IdentificationID", namespaces=NS)
        for t in trees
    ]
    assert numbers == [good.number]
    assert submission.summary["excluded"] == [bad.pk]
    assert [e["number"] for e in submission.summary["errors"]] == ["074"]
    assert list(NibrsReportState.objects.values_list("incident_id", flat=True)) == [good.pk]
    # The incident left out is still to be sent.
    _, later = export.build_export(agency, MONTH, "xml", clerk, final=False)
    assert later.summary["incidents"] == 1
    assert later.summary["error_count"] == 1


def test_final_export_with_only_erroneous_incidents_is_refused(agency: Agency, clerk: Any) -> None:
    target = theft(agency)
    target.property_set.all().delete()
    with pytest.raises(export.ExportError, match="edit errors"):
        export.build_export(agency, MONTH, "flat", clerk, final=True)
    assert not NibrsSubmission.objects.exists()
    assert not NibrsReportState.objects.exists()


def test_other_agencies_and_months_are_left_out(agency: Agency, clerk: Any) -> None:
    mine = assault(agency)
    assault(AgencyFactory())
    assault(agency, occurred_at=dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC))
    assault(agency, occurred_at=None, reported_at=dt.datetime(2026, 9, 3, tzinfo=dt.UTC))
    reported = assault(agency, occurred_at=None, reported_at=dt.datetime(2026, 10, 3, 12, tzinfo=dt.UTC))
    assault(agency, status="submitted")
    content, submission = export.build_export(agency, MONTH, "flat", clerk, final=False)
    numbers = {line[25:37].strip() for line in content.decode().split("\r\n") if line}
    assert numbers == {mine.number, reported.number}
    assert submission.summary["incidents"] == 2


# --- Flat file ----------------------------------------------------------------------------------


def records(content: bytes) -> list[str]:
    raw = content.decode("ascii")
    assert raw.endswith("\r\n")
    lines = raw.split("\r\n")[:-1]
    assert all("\n" not in line and "\r" not in line for line in lines)
    return lines


def test_flat_records_have_the_listed_lengths_and_header_positions(agency: Agency, clerk: Any) -> None:
    target = theft(agency)
    arrest(target, offense_code="23D", transaction_number="A-55", age_code="17", arrest_type="S")
    group_b(agency, transaction_number="B-42", age_code="19", juvenile_disposition="")
    created = timezone.localdate()
    content, _ = export.build_export(agency, MONTH, "flat", clerk, final=False)
    lines = records(content)
    levels = [line[4] for line in lines]
    assert levels == ["1", "2", "3", "4", "5", "6", "7"]
    expected = {"0": 43, "1": 87, "2": 63, "3": 307, "4": 129, "5": 46, "6": 110, "7": 66}
    for line in lines:
        assert len(line) == expected[line[4]] == int(line[0:4])
        assert line[6:8] == f"{created:%m}"
        assert line[8:12] == f"{created:%Y}"
        assert line[12:16] == "    "
        assert line[16:25] == "MI1234500"
    admin, off, prop, vic, offd, arr, grp_b = lines
    for line in lines[:6]:
        assert line[5] == "I"
        assert line[25:37] == target.number.ljust(12)
    # Administrative: date 38–45, report-date indicator 46, hour 47–48, cleared exceptionally 49.
    local = timezone.localtime(target.occurred_at)
    assert admin[37:45] == f"{local:%Y%m%d}"
    assert admin[45] == " "
    assert admin[46:48] == f"{local:%H}"
    assert admin[48] == "N"
    # Offense: code 38–40, completed 41, using 42, location 45–46, bias 62–63 (flat code 88 = none).
    assert off[37:40] == "23D"
    assert off[40] == "C"
    assert off[41] == "N"
    assert off[44:46] == "53"
    assert off[61:63] == "88"
    # Property: loss 38 (flat 7 = stolen), description 39–40, value 41–49.
    assert prop[37] == "7"
    assert prop[38:40] == "13"
    assert prop[40:49] == "000000600"
    # Victim: sequence 38–40, offense 41–43, type 71, age 72–75, sex 76.
    assert vic[37:40] == "001"
    assert vic[40:43] == "23D"
    assert vic[70] == "I"
    assert vic[71:75] == "15  "
    assert vic[75] == "M"
    # Offender: sequence 38–39, age 40–43, sex 44, race 45, ethnicity 46.
    assert offd[37:39] == "01"
    assert offd[39:43] == "16  "
    assert offd[43:46] == "MWN"
    # Arrestee: sequence 38–39, transaction 40–51, date 52–59, type 60, offense 62–64, age 71–74, disposition 79.
    assert arr[37:39] == "01"
    assert arr[39:51] == "A-55".ljust(12)
    assert arr[51:59] == "20261014"
    assert arr[59] == "S"
    assert arr[61:64] == "23D"
    assert arr[64:67] == "01 "
    assert arr[70:74] == "17  "
    assert arr[78] == "H"
    # Group B: transaction 26–37, sequence 38–39, date 40–47, type 48, offense 49–51, age 58–61, disposition 66.
    assert grp_b[5] == "A"
    assert grp_b[25:37] == "B-42".ljust(12)
    assert grp_b[37:39] == "01"
    assert grp_b[39:47] == "20261014"
    assert grp_b[47] == "O"
    assert grp_b[48:51] == "90C"
    assert grp_b[57:61] == "19  "
    assert grp_b[65] == " "


def test_flat_drug_quantity_and_relationship_codes(agency: Agency, clerk: Any) -> None:
    drugs(agency)
    assault(agency, occurred_at=dt.datetime(2026, 10, 15, 8, tzinfo=dt.UTC))
    content, _ = export.build_export(agency, MONTH, "flat", clerk, final=False)
    lines = records(content)
    prop = next(line for line in lines if line[4] == "3")
    assert prop[37] == "6"
    assert prop[38:40] == "10"
    assert prop[40:49] == " " * 9
    assert prop[232] == "E"
    assert prop[233:245] == "000000012500"
    assert prop[245:247] == "GM"
    victims = [line for line in lines if line[4] == "4"]
    assert victims[0][70] == "S"
    assert victims[0][71:79] == " " * 8
    # Relationship: offender 01, AQ = acquaintance (positions 90–93).
    assert victims[1][89:93] == "01AQ"


def test_flat_zero_report(agency: Agency, clerk: Any) -> None:
    content, _ = export.build_export(agency, "2026-02", "flat", clerk, final=False)
    [line] = records(content)
    assert len(line) == 43
    assert line[:6] == "00430A"
    assert line[16:25] == "MI1234500"
    assert line[25:37] == "0" * 12
    assert line[37:43] == "022026"


def test_flat_delete_and_group_b_delete(agency: Agency, clerk: Any) -> None:
    target = assault(agency)
    arrested = group_b(agency, transaction_number="B-3")
    export.build_export(agency, MONTH, "flat", clerk, final=True)
    Incident.objects.filter(pk__in=[target.pk, arrested.pk]).update(voided_at=timezone.now())
    content, _ = export.build_export(agency, MONTH, "flat", clerk, final=True)
    admin, grp_b = records(content)
    assert admin[:6] == "00871D"
    assert admin[25:37] == target.number.ljust(12)
    assert admin[48] == " "
    assert grp_b[:6] == "00667D"
    assert grp_b[25:37] == "B-3".ljust(12)
    assert grp_b[47:] == " " * 19


def test_record_rejects_a_wrong_length() -> None:
    record = flat.Record("2", "I", dt.date(2026, 10, 1), "MI1234500", "X")
    record.chars.append("!")
    with pytest.raises(ValueError, match="level 2 record is 63 characters, not 64"):
        str(record)


# --- Audit, permissions, the command ------------------------------------------------------------


def test_each_export_writes_an_access_row(agency: Agency, clerk: Any) -> None:
    target = assault(agency)
    before = AuditEvent.objects.filter(kind="access", action="export").count()
    _, submission = export.build_export(agency, MONTH, "xml", clerk, final=False)
    event = AuditEvent.objects.filter(kind="access", action="export").order_by("-seq").first()
    assert AuditEvent.objects.filter(kind="access", action="export").count() == before + 1
    assert event is not None
    assert event.actor_id == clerk.pk
    assert event.agency_id == agency.pk
    assert event.detail["nibrs_submission"] == submission.pk
    assert event.detail["object_ids"] == [target.pk]
    assert event.detail["sha256"] == submission.sha256


@pytest.mark.parametrize(
    ("role", "final"), [("school_admin", False), ("staff", False), ("sro", True), ("counselor", True)]
)
def test_roles_without_submit_or_export_are_denied_and_nothing_recorded(agency: Agency, role: str, final: bool) -> None:
    target = assault(agency)
    user = make_user("someone", role, None, school=target.school)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        export.build_export(agency, MONTH, "xml", user, final=final)
    assert not NibrsSubmission.objects.exists()
    assert not NibrsReportState.objects.exists()
    assert AuditEvent.objects.count() == events


def test_clerk_of_another_agency_is_denied(agency: Agency) -> None:
    assault(agency)
    other = make_user("other-clerk", "records_clerk", AgencyFactory())
    with pytest.raises(PermissionDenied):
        export.build_export(agency, MONTH, "flat", other, final=True)
    assert not NibrsSubmission.objects.exists()


def test_supervisor_may_preview_but_not_submit(agency: Agency) -> None:
    assault(agency)
    supervisor = make_user("supervisor", "sro_supervisor", agency)
    export.build_export(agency, MONTH, "flat", supervisor, final=False)
    with pytest.raises(PermissionDenied):
        export.build_export(agency, MONTH, "flat", supervisor, final=True)
    assert list(NibrsSubmission.objects.values_list("final", flat=True)) == [False]


def test_command_writes_the_file(agency: Agency, clerk: Any, tmp_path: Path) -> None:
    assault(agency)
    target = tmp_path / "october.txt"
    out = io.StringIO()
    call_command(
        "export_nibrs", "--agency", "MI1234500", "--month", MONTH, "--format", "flat", "-o", str(target),
        "--user", "clerk", "--final", stdout=out,
    )  # fmt: skip
    content = target.read_bytes()
    submission = NibrsSubmission.objects.get()
    assert submission.final
    assert submission.sha256 == hashlib.sha256(content).hexdigest()
    assert [line[4] for line in records(content)] == ["1", "2", "4", "5"]
    assert "1 report" in out.getvalue()
    assert submission.sha256 in out.getvalue()


def test_command_without_a_user_makes_a_system_export(agency: Agency, tmp_path: Path) -> None:
    target = tmp_path / "nov.zip"
    call_command("export_nibrs", "--agency", "MI1234500", "--month", "2026-11", "--format", "xml", "-o", str(target))
    [tree] = xml_reports(target.read_bytes())
    assert header(tree) == ("ZERO REPORT", "A")
    event = AuditEvent.objects.filter(kind="access", action="export").get()
    assert event.actor_id is None
    assert event.agency_id == agency.pk


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agency", "XX0000000", "--month", MONTH], "No agency with ORI XX0000000"),
        (["--agency", "MI1234500", "--month", "2026-13"], "is not a month"),
        (["--agency", "MI1234500", "--month", MONTH, "--user", "nobody"], "No active user nobody"),
    ],
)
def test_command_bad_input_is_a_clear_error(agency: Agency, tmp_path: Path, args: list[str], message: str) -> None:
    target = tmp_path / "x.txt"
    with pytest.raises(CommandError, match=message):
        call_command("export_nibrs", *args, "--format", "flat", "-o", str(target))
    assert not target.exists()
    assert not NibrsSubmission.objects.exists()


def test_command_denied_user_writes_nothing(agency: Agency, tmp_path: Path) -> None:
    assault(agency)
    user = make_user("supervisor", "sro_supervisor", agency)
    target = tmp_path / "x.txt"
    with pytest.raises(CommandError, match="may not"):
        call_command(
            "export_nibrs",
            "--agency",
            "MI1234500",
            "--month",
            MONTH,
            "-o",
            str(target),
            "--user",
            user.username,
            "--final",
        )
    assert not target.exists()
    assert not NibrsSubmission.objects.exists()


def test_suspects_are_offenders_and_sequence_numbers_are_unique(agency: Agency, clerk: Any) -> None:
    target = incident(agency)
    crime = offense(target, "13B", bias_motivations=[])
    first, second = victim(target, crime, seq=1), victim(target, crime, seq=1)
    known, suspected = offender(target, seq=1), offender(target, seq=1, role="suspect")
    for who in (first, second):
        relate(target, who, known, "Acquaintance")
        relate(target, who, suspected, "Friend")
    assert edits.errors_for(target) == []
    content, _ = export.build_export(agency, MONTH, "flat", clerk, final=False)
    lines = records(content)
    offense_line = next(line for line in lines if line[4] == "2")
    assert offense_line[61:63] == "88"  # no bias recorded: sent as 88 = none
    assert [line[37:40] for line in lines if line[4] == "4"] == ["001", "002"]
    assert [line[89:97] for line in lines if line[4] == "4"] == ["01AQ02FR"] * 2
    assert [line[37:39] for line in lines if line[4] == "5"] == ["01", "02"]
    content, _ = export.build_export(agency, MONTH, "xml", clerk, final=False)
    [tree] = xml_reports(content)
    assert xml.validate(tree) == []
    assert text(tree, "nibrs:Report/j:Subject/j:SubjectSequenceNumberText") == ["1", "2"]
    assert text(tree, "nibrs:Report/j:Offense/j:OffenseFactorBiasMotivationCode") == ["NONE"]
    assert len(text(tree, "nibrs:Report/j:SubjectVictimAssociation/nibrs:VictimToSubjectRelationshipCode")) == 4
