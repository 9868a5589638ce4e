"""The shipped state drill rule packs (REFERENCE.md §4.3).

``effective_from`` is the first day of the first school year SRO Desk judges by the pack. Add a pack with
a later date when a law changes; keep the old one so past years are judged by the old rule.
"""

from __future__ import annotations

import datetime as dt

from ..choices import DrillType
from . import ALL_LEVELS, BASELINE, ELEMENTARY, FIRE, HIGH, MIDDLE, Duty, Requirement, RulePack

LOCKDOWN = (DrillType.LOCKDOWN.value,)
SECURED_BUILDING = (DrillType.LOCKDOWN.value, DrillType.SECURE.value)
TORNADO = (DrillType.SHELTER_WEATHER.value,)
SHELTER_IN_PLACE = (DrillType.SHELTER_WEATHER.value, DrillType.SHELTER_HAZMAT.value)
BUS = (DrillType.BUS_EVACUATION.value,)
EARTHQUAKE = (DrillType.EARTHQUAKE.value,)
NY_DRILLS = (DrillType.FIRE.value, DrillType.LOCKDOWN.value)

MI_CITE = "MCL 29.19 (PA 12 of 2014)"
MICHIGAN = RulePack(
    state="MI",
    name="Michigan school drills",
    effective_from=dt.date(2014, 7, 1),
    levels=ALL_LEVELS,
    source=MI_CITE,
    requirements=(
        Requirement("fire", "fire drill", "fire drills", 5, FIRE, citation=MI_CITE),
        Requirement("fire-by-dec-1", "fire drill", "fire drills", 3, FIRE, by=(12, 1), citation=MI_CITE),
        Requirement("tornado", "tornado drill", "tornado drills", 2, TORNADO, citation=MI_CITE),
        Requirement("tornado-march", "tornado drill", "tornado drills", 1, TORNADO, month=3, citation=MI_CITE),
        Requirement(
            "lockdown",
            "lockdown or secured-building drill",
            "lockdown or secured-building drills",
            3,
            SECURED_BUILDING,
            citation=MI_CITE,
        ),
        Requirement(
            "lockdown-by-dec-1",
            "lockdown or secured-building drill",
            "lockdown or secured-building drills",
            1,
            SECURED_BUILDING,
            by=(12, 1),
            citation=MI_CITE,
        ),
        Requirement(
            "lockdown-after-jan-1",
            "lockdown or secured-building drill",
            "lockdown or secured-building drills",
            1,
            SECURED_BUILDING,
            after=(1, 1),
            citation=MI_CITE,
        ),
        Requirement(
            "unstructured",
            "drill during lunch or recess",
            "drills during lunch or recess",
            1,
            unstructured=True,
            citation=MI_CITE,
        ),
    ),
    duties=(
        Duty(
            "filing",
            "Send the list of the year's drill dates to the county emergency manager by September 15.",
            MI_CITE,
            due=(9, 15),
        ),
        Duty(
            "publication",
            "Post each drill on the school website within 30 school days: school, school year, date and "
            "time, type, the number of drills so far, the principal's signature and who conducted it.",
            MI_CITE,
        ),
        Duty("retention", "Keep the posted drill records for 3 years.", MI_CITE),
    ),
    publish_within_school_days=30,
    retain_years=3,
    notes=("Drills are to be spaced reasonably through the year: the suggested schedule spreads them.",),
)

NY_CITE = "Educ. Law §807; 8 NYCRR 155.17"
NEW_YORK = RulePack(
    state="NY",
    name="New York school drills",
    effective_from=dt.date(2016, 7, 1),
    levels=ALL_LEVELS,
    source=NY_CITE,
    requirements=(
        Requirement("drills", "drill", "drills", 12, NY_DRILLS, citation=NY_CITE),
        Requirement("drills-by-dec-31", "drill", "drills", 8, NY_DRILLS, by=(12, 31), citation=NY_CITE),
        Requirement("evacuation", "evacuation drill", "evacuation drills", 8, FIRE, citation=NY_CITE),
        Requirement(
            "secondary-egress",
            "evacuation drill using fire escapes or secondary exits",
            "evacuation drills using fire escapes or secondary exits",
            4,
            FIRE,
            secondary_egress=True,
            citation=NY_CITE,
        ),
        Requirement("lockdown", "lockdown drill", "lockdown drills", 4, LOCKDOWN, citation=NY_CITE),
    ),
    duties=(
        Duty("times-of-day", "Hold the drills at different times of the school day.", NY_CITE),
        Duty(
            "summer-school",
            "Summer school: 2 more drills, 1 of them in the first week (not counted here).",
            NY_CITE,
        ),
        Duty(
            "after-sunset",
            "Schools where students sleep: 4 more drills after sunset (not counted here).",
            NY_CITE,
        ),
        Duty("fire-code", "The Fire Code separately expects monthly evacuation drills.", "NY Fire Code"),
    ),
)

IL_CITE = "105 ILCS 128/20"
ILLINOIS = RulePack(
    state="IL",
    name="Illinois school safety drills",
    effective_from=dt.date(2014, 7, 1),
    levels=ALL_LEVELS,
    source=IL_CITE,
    requirements=(
        Requirement("fire", "fire evacuation drill", "fire evacuation drills", 3, FIRE, citation=IL_CITE),
        Requirement(
            "fire-department",
            "fire evacuation drill with the local fire department",
            "fire evacuation drills with the local fire department",
            1,
            FIRE,
            fire_department=True,
            citation=IL_CITE,
        ),
        Requirement("bus", "bus evacuation drill", "bus evacuation drills", 1, BUS, citation=IL_CITE),
        Requirement(
            "law-enforcement-lockdown",
            "lockdown drill observed by law enforcement",
            "lockdown drills observed by law enforcement",
            1,
            LOCKDOWN,
            within_days_of_start=90,
            law_enforcement_observed=True,
            citation=IL_CITE,
            note="An active-threat scenario, observed by the local police.",
        ),
        Requirement(
            "severe-weather",
            "severe-weather or shelter-in-place drill",
            "severe-weather or shelter-in-place drills",
            1,
            SHELTER_IN_PLACE,
            citation=IL_CITE,
        ),
    ),
    duties=(
        Duty(
            "fire-department-date",
            "Propose the date of the fire-department drill to the fire department in September or October.",
            IL_CITE,
        ),
        Duty("plan-review", "Review the emergency plans and the drill programme once a year.", "105 ILCS 128/25"),
    ),
)

CA_FIRE = "Ed Code 32001; 5 CCR 550"
CA_QUAKE = "Ed Code 32282"
_CA_DUTIES = (Duty("fire-alarm", "Sound the fire alarm at least once a month.", "5 CCR 550"),)
CA_MONTHLY_FIRE = Requirement("fire-monthly", "fire drill", "fire drills", 1, FIRE, each="month", citation=CA_FIRE)
CA_QUARTER_QUAKE = Requirement(
    "earthquake-quarter",
    "earthquake drop drill",
    "earthquake drop drills",
    1,
    EARTHQUAKE,
    each="quarter",
    citation=CA_QUAKE,
)
CA_ELEMENTARY = RulePack(
    state="CA",
    name="California drills (elementary)",
    effective_from=BASELINE,
    levels=frozenset({ELEMENTARY}),
    source=f"{CA_FIRE}; {CA_QUAKE}",
    requirements=(CA_MONTHLY_FIRE, CA_QUARTER_QUAKE),
    duties=_CA_DUTIES,
)
CA_INTERMEDIATE = RulePack(
    state="CA",
    name="California drills (intermediate)",
    effective_from=BASELINE,
    levels=frozenset({MIDDLE}),
    source=f"{CA_FIRE}; {CA_QUAKE}",
    # District policies say 4 a year, 5 CCR 550 monthly: the stricter applies. Ed Code 32282 names
    # elementary (quarterly) and secondary (semester) only: intermediate schools get the stricter too.
    requirements=(CA_MONTHLY_FIRE, CA_QUARTER_QUAKE),
    duties=_CA_DUTIES,
    notes=("Intermediate schools: the stricter of the sources applies (monthly fire drills, quarterly drop drills).",),
)
CA_SECONDARY = RulePack(
    state="CA",
    name="California drills (secondary)",
    effective_from=BASELINE,
    levels=frozenset({HIGH}),
    source=f"{CA_FIRE}; {CA_QUAKE}",
    requirements=(
        Requirement("fire", "fire drill", "fire drills", 2, FIRE, citation=CA_FIRE),
        Requirement(
            "earthquake-semester",
            "earthquake drop drill",
            "earthquake drop drills",
            1,
            EARTHQUAKE,
            each="semester",
            citation=CA_QUAKE,
        ),
    ),
    duties=_CA_DUTIES,
)

PACKS: dict[str, tuple[RulePack, ...]] = {
    "CA": (CA_ELEMENTARY, CA_INTERMEDIATE, CA_SECONDARY),
    "IL": (ILLINOIS,),
    "MI": (MICHIGAN,),
    "NY": (NEW_YORK,),
}
