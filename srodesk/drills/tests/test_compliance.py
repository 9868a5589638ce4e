"""Exact-date compliance of each shipped rule pack (REFERENCE.md §4.3)."""

from __future__ import annotations

import datetime as dt

import pytest

from srodesk.drills.compliance import (
    AT_RISK,
    NON_COMPLIANT,
    ON_TRACK,
    RequirementStatus,
    SchoolCompliance,
    add_school_days,
    evaluate,
    school_year,
)
from srodesk.drills.rules import pack_for

from .helpers import conducted, scheduled, school_in

D = dt.date
pytestmark = pytest.mark.django_db


def req(result: SchoolCompliance, key: str) -> RequirementStatus:
    (row,) = [r for r in result.requirements if r.key == key]
    return row


# --- the calendar ----------------------------------------------------------------------------------


def test_school_year_runs_from_the_first_day_to_mid_june() -> None:
    year = school_year((8, 25), start_year=2026)
    assert (year.first_day, year.last_day, year.label) == (D(2026, 8, 25), D(2027, 6, 15), "2026–2027")


def test_school_days_skip_weekends() -> None:
    assert add_school_days(D(2026, 9, 10), 30) == D(2026, 10, 22)
    assert add_school_days(D(2026, 11, 20), 1) == D(2026, 11, 23)  # Friday → Monday


# --- Michigan: MCL 29.19 ---------------------------------------------------------------------------


def test_michigan_three_fire_drills_by_december_1() -> None:
    school = school_in("MI")
    conducted(school, D(2026, 9, 10))
    conducted(school, D(2026, 10, 15))

    on_nov_20 = evaluate(school, as_of=D(2026, 11, 20))
    row = req(on_nov_20, "fire-by-dec-1")
    assert on_nov_20.pack is not None
    assert on_nov_20.pack.state == "MI"
    assert (row.status, row.done, row.missing) == (AT_RISK, 2, 1)
    assert row.message == "1 more fire drill by 2026-12-01."
    assert row.suggested == [D(2026, 11, 23)]  # the first school day after Friday 20 November

    on_dec_2 = evaluate(school, as_of=D(2026, 12, 2))
    row = req(on_dec_2, "fire-by-dec-1")
    assert row.status == NON_COMPLIANT
    assert row.message == "Missed: 2 of 3 fire drills by 2026-12-01."
    assert row.suggested == []
    assert on_dec_2.status == NON_COMPLIANT


def test_michigan_third_fire_drill_on_december_1_meets_the_rule() -> None:
    school = school_in("MI")
    for day in (D(2026, 9, 10), D(2026, 10, 15), D(2026, 12, 1)):
        conducted(school, day)
    conducted(school, D(2026, 12, 2))  # too late for the window, counts for the year
    result = evaluate(school, as_of=D(2026, 12, 2))
    assert (req(result, "fire-by-dec-1").status, req(result, "fire-by-dec-1").done) == (ON_TRACK, 3)
    assert req(result, "fire-by-dec-1").message == "Met: 3 of 3."
    assert (req(result, "fire").done, req(result, "fire").message) == (4, "1 more fire drill by 2027-06-15.")


def test_michigan_a_scheduled_drill_keeps_the_school_on_track() -> None:
    school = school_in("MI")
    conducted(school, D(2026, 9, 10))
    conducted(school, D(2026, 10, 15))
    scheduled(school, D(2026, 11, 25))
    row = req(evaluate(school, as_of=D(2026, 11, 20)), "fire-by-dec-1")
    assert (row.status, row.scheduled) == (ON_TRACK, 1)
    assert row.message == "1 more fire drill by 2026-12-01 (1 scheduled)."


def test_michigan_drills_after_the_as_of_date_do_not_count() -> None:
    school = school_in("MI")
    conducted(school, D(2026, 11, 21))
    assert req(evaluate(school, as_of=D(2026, 11, 20)), "fire-by-dec-1").done == 0
    assert req(evaluate(school, as_of=D(2026, 11, 21)), "fire-by-dec-1").done == 1


def test_michigan_tornado_drill_in_march() -> None:
    school = school_in("MI")
    conducted(school, D(2027, 2, 20), "shelter_weather")  # counts for the year, not for March

    row = req(evaluate(school, as_of=D(2027, 2, 15)), "tornado-march")
    assert (row.status, row.message) == (ON_TRACK, "1 more tornado drill between 2027-03-01 and 2027-03-31.")
    assert (row.window_start, row.window_end) == (D(2027, 3, 1), D(2027, 3, 31))

    on_mar_20 = evaluate(school, as_of=D(2027, 3, 20))
    assert (req(on_mar_20, "tornado-march").status, req(on_mar_20, "tornado-march").done) == (AT_RISK, 0)
    assert req(on_mar_20, "tornado-march").message == "1 more tornado drill by 2027-03-31."
    assert req(on_mar_20, "tornado-march").suggested == [D(2027, 3, 22)]
    assert req(on_mar_20, "tornado").done == 1

    row = req(evaluate(school, as_of=D(2027, 4, 1)), "tornado-march")
    assert (row.status, row.message) == (NON_COMPLIANT, "Missed: 0 of 1 tornado drills by 2027-03-31.")

    conducted(school, D(2027, 3, 10), "shelter_weather")
    assert req(evaluate(school, as_of=D(2027, 4, 1)), "tornado-march").status == ON_TRACK
    assert req(evaluate(school, as_of=D(2027, 4, 1)), "tornado").message == "Met: 2 of 2."


def test_michigan_lockdowns_before_december_and_after_january() -> None:
    school = school_in("MI")
    conducted(school, D(2026, 10, 1), "lockdown")
    conducted(school, D(2026, 12, 15), "secure")  # a secured-building drill counts as a lockdown
    result = evaluate(school, as_of=D(2027, 1, 4))
    assert req(result, "lockdown-by-dec-1").status == ON_TRACK
    assert req(result, "lockdown").done == 2
    after = req(result, "lockdown-after-jan-1")
    assert (after.done, after.window_start, after.window_end) == (0, D(2027, 1, 1), D(2027, 6, 15))
    assert after.message == "1 more lockdown or secured-building drill by 2027-06-15."


def test_michigan_one_drill_during_lunch_or_recess() -> None:
    school = school_in("MI")
    conducted(school, D(2026, 9, 10), "fire")
    assert req(evaluate(school, as_of=D(2026, 9, 30)), "unstructured").done == 0
    conducted(school, D(2026, 9, 17), "lockdown", time_of_day="unstructured")
    row = req(evaluate(school, as_of=D(2026, 9, 30)), "unstructured")
    assert (row.done, row.status, row.message) == (1, ON_TRACK, "Met: 1 of 1.")


def test_michigan_publication_within_30_school_days() -> None:
    school = school_in("MI")
    drill = conducted(school, D(2026, 9, 10))
    assert req(evaluate(school, as_of=D(2026, 10, 1)), "publication").status == ON_TRACK

    row = req(evaluate(school, as_of=D(2026, 10, 20)), "publication")
    assert row.status == AT_RISK
    assert row.items == ["Publish the 2026-09-10 fire / evacuation drill by 2026-10-22."]

    row = req(evaluate(school, as_of=D(2026, 10, 23)), "publication")
    assert row.status == NON_COMPLIANT
    assert row.items == ["Publish the 2026-09-10 fire / evacuation drill: it was due by 2026-10-22."]

    drill.published_at = dt.datetime(2026, 10, 21, 16, 0, tzinfo=dt.UTC)
    drill.save()
    row = req(evaluate(school, as_of=D(2026, 10, 23)), "publication")
    assert (row.status, row.message, row.items) == (ON_TRACK, "1 of 1 conducted drills published.", [])


def test_michigan_duties_name_the_september_15_filing() -> None:
    result = evaluate(school_in("MI"), as_of=D(2026, 9, 1))
    assert (
        "Send the list of the year's drill dates to the county emergency manager by September 15.",
        "MCL 29.19 (PA 12 of 2014)",
        D(2026, 9, 15),
    ) in result.duties


def test_michigan_suggested_schedule_spreads_the_year() -> None:
    result = evaluate(school_in("MI"), as_of=D(2026, 8, 25))
    assert result.status == ON_TRACK
    plan = [(s.day, s.drill_type, s.unstructured) for s in result.suggestions]
    assert plan == [
        (D(2026, 9, 18), "fire", True),
        (D(2026, 10, 13), "fire", False),
        (D(2026, 10, 14), "lockdown", False),
        (D(2026, 11, 6), "fire", False),
        (D(2026, 12, 4), "shelter_weather", False),
        (D(2026, 12, 31), "fire", False),
        (D(2027, 1, 1), "lockdown", False),
        (D(2027, 2, 25), "fire", False),
        (D(2027, 3, 16), "shelter_weather", False),
        (D(2027, 3, 24), "lockdown", False),
    ]
    # Every count is covered by the suggestions, and every date is a school day inside its window.
    assert sum(1 for s in result.suggestions if s.drill_type == "fire") == 5
    assert all(s.day.weekday() < 5 for s in result.suggestions)
    assert req(result, "tornado-march").suggested == [D(2027, 3, 16)]
    assert req(result, "fire-by-dec-1").suggested == [D(2026, 9, 18), D(2026, 10, 13), D(2026, 11, 6)]


def test_michigan_pack_starts_with_its_effective_date() -> None:
    assert evaluate(school_in("MI"), as_of=D(2013, 10, 1)).pack is None
    assert pack_for("MI", "high", D(2014, 8, 25)) is not None


# --- New York: Educ. Law §807 ----------------------------------------------------------------------


def test_new_york_eight_of_twelve_drills_by_december_31() -> None:
    school = school_in("NY", first_day=(9, 9))
    days = [D(2026, 9, 15), D(2026, 9, 29), D(2026, 10, 6), D(2026, 10, 20), D(2026, 11, 3), D(2026, 11, 17)]
    for day in days:
        conducted(school, day, "fire", secondary_egress=day.month == 9)
    conducted(school, D(2026, 12, 8), "lockdown")

    on_dec_20 = evaluate(school, as_of=D(2026, 12, 20))
    row = req(on_dec_20, "drills-by-dec-31")
    assert (row.status, row.done, row.message) == (AT_RISK, 7, "1 more drill by 2026-12-31.")
    assert row.suggested == [D(2026, 12, 21)]
    assert req(on_dec_20, "secondary-egress").done == 2
    assert req(on_dec_20, "lockdown").message == "3 more lockdown drills by 2027-06-15."
    assert req(on_dec_20, "drills").message == "5 more drills by 2027-06-15."

    row = req(evaluate(school, as_of=D(2027, 1, 2)), "drills-by-dec-31")
    assert (row.status, row.message) == (NON_COMPLIANT, "Missed: 7 of 8 drills by 2026-12-31.")

    conducted(school, D(2026, 12, 22), "lockdown")
    assert req(evaluate(school, as_of=D(2027, 1, 2)), "drills-by-dec-31").status == ON_TRACK


def test_new_york_applies_to_every_level() -> None:
    for level in ("elementary", "middle", "high", "k12"):
        result = evaluate(school_in("NY", level=level), as_of=D(2026, 10, 1))
        assert result.pack is not None
        assert result.pack.state == "NY"
        assert [r.key for r in result.requirements] == [
            "drills",
            "drills-by-dec-31",
            "evacuation",
            "secondary-egress",
            "lockdown",
        ]


# --- Illinois: 105 ILCS 128/20 ---------------------------------------------------------------------


def test_illinois_lockdown_within_90_days_observed_by_police() -> None:
    school = school_in("IL", first_day=(8, 19))
    conducted(school, D(2026, 9, 30), "lockdown")  # no police: does not count
    row = req(evaluate(school, as_of=D(2026, 11, 1)), "law-enforcement-lockdown")
    assert (row.window_start, row.window_end) == (D(2026, 8, 19), D(2026, 11, 17))
    assert (row.status, row.done) == (AT_RISK, 0)
    assert row.message == "1 more lockdown drill observed by law enforcement by 2026-11-17."
    assert row.suggested == [D(2026, 11, 2)]

    row = req(evaluate(school, as_of=D(2026, 11, 18)), "law-enforcement-lockdown")
    assert (row.status, row.message) == (
        NON_COMPLIANT,
        "Missed: 0 of 1 lockdown drills observed by law enforcement by 2026-11-17.",
    )

    conducted(
        school,
        D(2026, 11, 17),
        "lockdown",
        law_enforcement_observed=True,
        law_enforcement_agency="Springfield Police Department",
    )
    assert req(evaluate(school, as_of=D(2026, 11, 18)), "law-enforcement-lockdown").status == ON_TRACK


def test_illinois_one_fire_drill_with_the_fire_department_and_a_bus_drill() -> None:
    school = school_in("IL", first_day=(8, 19))
    conducted(school, D(2026, 9, 2))
    conducted(school, D(2026, 10, 7), fire_department_participated=True)
    conducted(school, D(2026, 9, 9), "bus_evacuation")
    conducted(school, D(2026, 10, 14), "shelter_hazmat")
    result = evaluate(school, as_of=D(2026, 10, 20))
    assert (req(result, "fire").done, req(result, "fire").message) == (2, "1 more fire evacuation drill by 2027-06-15.")
    assert req(result, "fire-department").message == "Met: 1 of 1."
    assert req(result, "bus").message == "Met: 1 of 1."
    assert req(result, "severe-weather").message == "Met: 1 of 1."


# --- California: Ed Code 32001, 5 CCR 550, Ed Code 32282 -------------------------------------------


def test_california_fire_drills_stricter_of_the_sources_per_level() -> None:
    elementary = evaluate(school_in("CA", level="elementary", first_day=(8, 12)), as_of=D(2026, 10, 5))
    middle = evaluate(school_in("CA", level="middle", first_day=(8, 12)), as_of=D(2026, 10, 5))
    high = evaluate(school_in("CA", level="high", first_day=(8, 12)), as_of=D(2026, 10, 5))
    k12 = evaluate(school_in("CA", level="k12", first_day=(8, 12)), as_of=D(2026, 10, 5))
    monthly = [f"fire-monthly-{m}" for m in ("2026-08", "2026-09", "2026-10", "2026-11", "2026-12")] + [
        f"fire-monthly-2027-0{m}" for m in range(1, 7)
    ]
    for result in (elementary, middle, k12):  # monthly: 5 CCR 550 is stricter than "4 a year"
        assert [r.key for r in result.requirements if r.key.startswith("fire")] == monthly
    assert [r.key for r in high.requirements if r.key.startswith("fire")] == ["fire"]
    assert req(high, "fire").required == 2
    assert req(elementary, "fire-monthly-2026-09").message == "Missed: 0 of 1 fire drills by 2026-09-30."
    row = req(elementary, "fire-monthly-2026-10")
    assert (row.status, row.message, row.window_end) == (ON_TRACK, "1 more fire drill by 2026-10-31.", D(2026, 10, 31))
    assert req(elementary, "fire-monthly-2027-06").window_end == D(2027, 6, 15)


def test_california_earthquake_drills_per_quarter_or_semester() -> None:
    school = school_in("CA", level="elementary", first_day=(8, 12))
    conducted(school, D(2026, 9, 16), "earthquake")
    result = evaluate(school, as_of=D(2026, 10, 5))
    quarters = [(r.window_start, r.window_end, r.done) for r in result.requirements if r.key.startswith("earthquake")]
    assert quarters == [
        (D(2026, 8, 12), D(2026, 10, 27), 1),
        (D(2026, 10, 28), D(2027, 1, 12), 0),
        (D(2027, 1, 13), D(2027, 3, 30), 0),
        (D(2027, 3, 31), D(2027, 6, 15), 0),
    ]
    high = evaluate(school_in("CA", level="high", first_day=(8, 12)), as_of=D(2026, 10, 5))
    semesters = [(r.window_start, r.window_end) for r in high.requirements if r.key.startswith("earthquake")]
    assert semesters == [(D(2026, 8, 12), D(2027, 1, 12)), (D(2027, 1, 13), D(2027, 6, 15))]


# --- look-up ---------------------------------------------------------------------------------------


def test_no_pack_for_a_state_without_one() -> None:
    result = evaluate(school_in("OH", rule_set="OTHER"), as_of=D(2026, 10, 1))
    assert (result.state, result.pack, result.requirements, result.status) == ("OH", None, [], ON_TRACK)


def test_the_partnership_rule_set_wins_over_its_state() -> None:
    school = school_in("MI", rule_set="NY")
    assert evaluate(school, as_of=D(2026, 10, 1)).state == "NY"


def test_cancelled_and_deleted_drills_do_not_count() -> None:
    school = school_in("MI")
    conducted(school, D(2026, 9, 10))
    gone = conducted(school, D(2026, 9, 11))
    gone.deleted_at = dt.datetime(2026, 9, 12, tzinfo=dt.UTC)
    gone.save()
    cancelled = scheduled(school, D(2026, 11, 25))
    cancelled.status = "cancelled"
    cancelled.save()
    row = req(evaluate(school, as_of=D(2026, 11, 20)), "fire-by-dec-1")
    assert (row.done, row.scheduled) == (1, 0)
