"""Schools in a state with a partnership, and drills on given days, for the compliance tests."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from srodesk.drills.models import Drill
from srodesk.organizations.models import School
from srodesk.organizations.tests.factories import AgencyFactory, DistrictFactory, PartnershipFactory, SchoolFactory

ZONES = {"MI": "America/Detroit", "NY": "America/New_York", "IL": "America/Chicago", "CA": "America/Los_Angeles"}


def school_in(state: str, *, level: str = "high", first_day: tuple[int, int] = (8, 25), rule_set: str = "") -> School:
    district = DistrictFactory(state=state)
    PartnershipFactory(
        district=district,
        agency=AgencyFactory(state=state),
        state=state,
        drill_rule_set=rule_set or state,
        school_year_start_month=first_day[0],
        school_year_start_day=first_day[1],
    )
    school: School = SchoolFactory(district=district, level=level, timezone=ZONES.get(state, "America/New_York"))
    return school


def at(school: School, day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=zoneinfo.ZoneInfo(school.timezone))


def conducted(school: School, day: dt.date, drill_type: str = "fire", **fields: Any) -> Drill:
    return Drill.objects.create(
        school=school,
        district=school.district,
        drill_type=drill_type,
        status="conducted",
        conducted_at=at(school, day),
        **fields,
    )


def scheduled(school: School, day: dt.date, drill_type: str = "fire", **fields: Any) -> Drill:
    return Drill.objects.create(
        school=school,
        district=school.district,
        drill_type=drill_type,
        status="scheduled",
        scheduled_for=at(school, day),
        **fields,
    )
