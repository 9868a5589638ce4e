"""A deterministic synthetic district for benchmarks and tests (``srodesk generate-district``).

Not an app: generator modules only. :func:`generate` builds a district of a :mod:`profile <.profiles>`
in the configured database, inside one transaction: its organisations and accounts, ten school years of
roster imports (students with demographics and program flags, staff, guardians), the officers' other
persons and vehicles, the FERPA disclosures, and the law-enforcement records (incidents through their
review, with offenses, persons, arrests, uses of force, searches, evidence with chained custody events,
shares with the school, supplements, pursuits and discipline referrals), the schools' drills (scheduled
from the state rule pack, conducted, published or cancelled) and threat assessment (each school's team
and its CSTAG cases: intake, interviews, classification, protective actions, safety evaluation, safety
plan and monitoring, discipline, closure), student support (the community-agency directory, referrals
with their shares and answers, mandated reports with the oral and written reports and the deadline
escalations, student contacts, weekly attendance imports of the students a school follows, the truancy
cases its thresholds open with their interventions, and other agencies' requests with their decisions and
releases), the alerts (SRP actions at a school, district advisories and BOLOs: armed, cancelled or
activated, their recipients, live and email deliveries with every try, acknowledgements, the staff's room
reports, the all-clear), each school's emergency plans and their yearly review, and the reunifications that
follow some evacuations (the expected students, the cards from greeter to release, the exceptions), each
with the audit rows the services write for it, chained in time order so ``verify-audit`` and
``verify-custody`` pass. See :mod:`.simulation` for how a record type adds its generator.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from srodesk.organizations.models import District

from .chain import ChainWriter
from .profiles import PROFILES, Profile, district_slug
from .simulation import Simulation, Sink
from .timeline import Period, periods

__all__ = ["PROFILES", "GenerationError", "Profile", "Result", "generate"]


class GenerationError(Exception):
    pass


@dataclass
class Result:
    district: District
    code: str
    counts: dict[str, int]
    audit_rows: int
    seconds: float


Progress = Callable[[Period, int, int], None]


def generate(profile: Profile | str, seed: int, *, progress: Progress | None = None) -> Result:
    """Build the district; ``progress(period, done, total)`` is called after each week."""
    if isinstance(profile, str):
        try:
            profile = PROFILES[profile]
        except KeyError as exc:
            raise GenerationError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}") from exc
    slug = district_slug(profile, seed)
    if District.objects.filter(slug=slug).exists():
        raise GenerationError(f"the district {slug!r} exists already: generate into an empty database")
    started = time.monotonic()
    calendar = periods(profile.years)
    with transaction.atomic():
        sink = Sink(ChainWriter())
        sim = Simulation(profile=profile, seed=seed, periods=calendar, sink=sink)

        def step(period: Period, written: int) -> None:
            if progress is not None:
                progress(period, period.index + 1, len(calendar))

        sim.run(step)
        audit_rows = sink.chain.written
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Result(
        district=District.objects.get(slug=slug),
        code=sim.code,
        counts=dict(sink.counts),
        audit_rows=audit_rows,
        seconds=time.monotonic() - started,
    )
