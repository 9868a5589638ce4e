"""District sizes: ``small`` (seconds, for tests) and ``large`` (the benchmark district)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """How big the district is at the end of its history, and how busy each school year is.

    Rates are per 1,000 enrolled students per school year; a year in progress gets its share.
    """

    name: str
    #: elementary, middle and high schools.
    elementary: int
    middle: int
    high: int
    students: int
    staff: int
    agencies: int
    years: int = 10
    other_persons_rate: float = 25.0
    vehicles_rate: float = 15.0
    disclosures_rate: float = 30.0
    #: Per 1,000 students of the schools with an officer (middle and high) a school year: incident reports
    #: (5 per 100 secondary students, about 2.7 per 100 students of the district once its middle and high
    #: schools are full) and discipline referrals made without an incident.
    incidents_rate: float = 50.0
    referrals_rate: float = 12.0
    #: share of this year's students who left the district during the year (deactivated by the roster).
    withdrawn_share: float = 0.03
    #: share of the staff who left (deactivated by the roster), spread over the years.
    departed_share: float = 0.05

    @property
    def schools(self) -> int:
        return self.elementary + self.middle + self.high


PROFILES: dict[str, Profile] = {
    "small": Profile("small", elementary=3, middle=2, high=1, students=600, staff=75, agencies=2),
    "large": Profile("large", elementary=95, middle=30, high=25, students=120_000, staff=15_000, agencies=4),
}


def district_slug(profile: Profile, seed: int) -> str:
    return f"bench-{profile.name}-{seed}"
