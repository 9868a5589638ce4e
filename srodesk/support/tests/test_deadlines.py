"""Mandated-report deadlines: exact times per state rule (REFERENCE.md §8), clock start, thresholds."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from srodesk.support.deadlines import ReportTimes, deadlines, initial_deadline, thresholds_crossed, written_deadline
from srodesk.support.rules import pack_for

UTC = dt.UTC
LA = ZoneInfo("America/Los_Angeles")
NYC = ZoneInfo("America/New_York")
CHI = ZoneInfo("America/Chicago")
DAY = dt.date(2026, 3, 2)


def at(y: int, m: int, d: int, h: int, mi: int = 0, tz: dt.tzinfo = UTC) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=tz)


def pack(state: str):  # type: ignore[no-untyped-def]
    found = pack_for(state, DAY)
    assert found is not None
    return found


def test_california_written_report_is_due_36_hours_after_the_information_was_received() -> None:
    times = ReportTimes(
        suspected_at=at(2026, 3, 2, 10, 0, LA),
        information_received_at=at(2026, 3, 2, 9, 15, LA),
        oral_reported_at=at(2026, 3, 2, 11, 0, LA),
        oral_report_channel="phone",
    )
    written = written_deadline(pack("CA"), times)
    assert written is not None
    assert written.clock_start == "information_received"
    assert written.started_at == at(2026, 3, 2, 9, 15, LA)
    assert written.due_at == at(2026, 3, 3, 21, 15, LA)
    # The written clock does not wait for (or move with) the oral report.
    later_oral = ReportTimes(suspected_at=times.suspected_at, information_received_at=times.information_received_at)
    assert written_deadline(pack("CA"), later_oral).due_at == at(2026, 3, 3, 21, 15, LA)  # type: ignore[union-attr]


def test_california_initial_report_is_immediate_tracked_as_a_two_hour_service_level() -> None:
    times = ReportTimes(suspected_at=at(2026, 3, 2, 10, 0, LA), information_received_at=at(2026, 3, 2, 9, 15, LA))
    initial = initial_deadline(pack("CA"), times)
    assert initial is not None
    assert initial.immediate is True
    assert initial.due_at == at(2026, 3, 2, 11, 15, LA)
    assert initial.met_at is None


def test_new_york_written_report_is_due_48_hours_after_the_oral_report() -> None:
    before_oral = ReportTimes(suspected_at=at(2026, 3, 2, 8, 0, NYC), information_received_at=None)
    assert written_deadline(pack("NY"), before_oral) is None  # the clock starts with the oral report
    times = ReportTimes(
        suspected_at=at(2026, 3, 2, 8, 0, NYC),
        information_received_at=None,
        oral_reported_at=at(2026, 3, 2, 10, 40, NYC),
        oral_report_channel="phone",
    )
    written = written_deadline(pack("NY"), times)
    assert written is not None
    assert written.clock_start == "oral_report"
    assert written.due_at == at(2026, 3, 4, 10, 40, NYC)
    initial = initial_deadline(pack("NY"), times)
    assert initial is not None
    assert initial.clock_start == "suspicion"
    assert initial.due_at == at(2026, 3, 2, 10, 0, NYC)
    assert initial.met_late is True  # reported 40 minutes after the "immediately" service level


def test_forty_eight_hours_are_real_hours_across_the_daylight_saving_change() -> None:
    # 2026-03-08 02:00 is the spring-forward in New York: 48 hours after noon on the 7th is 13:00 on the 9th.
    times = ReportTimes(
        suspected_at=at(2026, 3, 7, 9, 0, NYC),
        information_received_at=None,
        oral_reported_at=at(2026, 3, 7, 12, 0, NYC),
        oral_report_channel="phone",
    )
    written = written_deadline(pack("NY"), times)
    assert written is not None
    assert written.due_at == at(2026, 3, 9, 13, 0, NYC)
    assert written.due_at.astimezone(UTC) - written.started_at.astimezone(UTC) == dt.timedelta(hours=48)
    assert written.window == dt.timedelta(hours=48)


@pytest.mark.parametrize(
    ("channel", "due"),
    [("phone", at(2026, 3, 4, 13, 5, NYC)), ("electronic", None)],
)
def test_pennsylvania_written_report_only_after_a_telephone_report(channel: str, due: dt.datetime | None) -> None:
    times = ReportTimes(
        suspected_at=at(2026, 3, 2, 12, 30, NYC),
        information_received_at=None,
        oral_reported_at=at(2026, 3, 2, 13, 5, NYC),
        oral_report_channel=channel,
    )
    written = written_deadline(pack("PA"), times)
    assert (written.due_at if written else None) == due


def test_texas_initial_report_is_due_48_hours_after_first_suspicion_and_is_non_delegable() -> None:
    tx = pack("TX")
    assert tx.non_delegable is True
    for oral in (None, at(2026, 3, 3, 9, 0, CHI), at(2026, 3, 5, 9, 0, CHI)):
        times = ReportTimes(
            suspected_at=at(2026, 3, 2, 16, 30, CHI),
            information_received_at=at(2026, 3, 2, 16, 0, CHI),
            oral_reported_at=oral,
            oral_report_channel="phone" if oral else "",
        )
        found = deadlines(tx, times)
        assert [d.kind for d in found] == ["initial"]  # no written follow-up in Texas
        assert found[0].clock_start == "suspicion"
        assert found[0].immediate is False
        assert found[0].due_at == at(2026, 3, 4, 16, 30, CHI)
    late = deadlines(tx, times)[0]
    assert late.met_late is True


def test_clock_from_the_oral_report_versus_from_suspicion() -> None:
    """The same report: New York's written clock follows the oral report, Texas's clock the suspicion."""
    suspected = at(2026, 3, 2, 8, 0)
    for oral, ny_due in ((at(2026, 3, 2, 9, 0), at(2026, 3, 4, 9, 0)), (at(2026, 3, 3, 7, 30), at(2026, 3, 5, 7, 30))):
        times = ReportTimes(suspected_at=suspected, information_received_at=None, oral_reported_at=oral,
                            oral_report_channel="phone")  # fmt: skip
        assert written_deadline(pack("NY"), times).due_at == ny_due  # type: ignore[union-attr]
        assert initial_deadline(pack("TX"), times).due_at == at(2026, 3, 4, 8, 0)  # type: ignore[union-attr]


def test_michigan_and_illinois_ship_written_deadlines_from_the_oral_report() -> None:
    times = ReportTimes(
        suspected_at=at(2026, 3, 2, 8, 0), information_received_at=None, oral_reported_at=at(2026, 3, 2, 9, 0),
        oral_report_channel="phone",
    )  # fmt: skip
    assert written_deadline(pack("MI"), times).due_at == at(2026, 3, 5, 9, 0)  # type: ignore[union-attr]
    assert written_deadline(pack("IL"), times).due_at == at(2026, 3, 4, 9, 0)  # type: ignore[union-attr]


def test_packs_apply_from_their_effective_date() -> None:
    assert pack_for("PA", dt.date(2014, 12, 30)) is None
    assert pack_for("PA", dt.date(2014, 12, 31)) is not None
    assert pack_for("ZZ", DAY) is None
    assert pack_for("ca", DAY) is pack("CA")


def test_thresholds_crossed_by_share_of_the_window() -> None:
    times = ReportTimes(suspected_at=at(2026, 3, 2, 8, 0), information_received_at=None)
    initial = initial_deadline(pack("TX"), times)
    assert initial is not None
    assert thresholds_crossed(initial, at(2026, 3, 3, 7, 59), (50, 90, 100)) == []
    assert thresholds_crossed(initial, at(2026, 3, 3, 8, 0), (50, 90, 100)) == [50]
    assert thresholds_crossed(initial, at(2026, 3, 4, 3, 12), (50, 90, 100)) == [50, 90]
    assert thresholds_crossed(initial, at(2026, 3, 4, 8, 0), (50, 90, 100)) == [50, 90]  # due, not yet overdue
    assert thresholds_crossed(initial, at(2026, 3, 4, 8, 1), (50, 90, 100)) == [50, 90, 100]
