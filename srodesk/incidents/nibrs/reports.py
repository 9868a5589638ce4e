"""Which reports go into an agency's NIBRS submission for a month, and the incident data they are written from.

A month holds the approved or closed incidents of the agency that occurred in it (the report date when the
time of occurrence is unknown), plus every incident already sent to the state program that changed since
(a higher ``version`` than was sent: action R) or was voided (action D), whatever its month.

- An incident with a Group A offense is a **Group A incident report**: I when new, R when changed, D when
  voided. Its arrests for Group A offenses are its arrestee segments.
- Each arrest for a **Group B** offense is a Group B arrest report: A when new, D when voided; a changed one
  is deleted and added again (D then A), as the FBI specification prescribes for a Group B correction.
- A month with nothing at all is a **zero report**.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from srodesk.incidents.choices import IncidentStatus, PersonRole
from srodesk.incidents.models import (
    Arrest,
    Incident,
    InvolvedPerson,
    NibrsReportState,
    Offense,
    Property,
    VictimOffenderRelationship,
)

from . import offenses

if TYPE_CHECKING:
    from srodesk.organizations.models import Agency

GROUP_A = "GROUP A INCIDENT REPORT"
GROUP_B = "GROUP B ARREST REPORT"
ZERO = "ZERO REPORT"
CATEGORY_LABELS = {GROUP_A: "Group A incident reports", GROUP_B: "Group B arrest reports", ZERO: "Zero report"}
EXPORTED_STATUSES = (IncidentStatus.APPROVED, IncidentStatus.CLOSED)
OFFENDER_ROLES = (PersonRole.OFFENDER, PersonRole.SUSPECT)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
T = TypeVar("T")


class MonthError(ValueError):
    pass


def parse_month(value: str | dt.date) -> dt.date:
    """``"2026-10"`` → 2026-10-01."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = _MONTH.match((value or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise MonthError(f"{value!r} is not a month: write it as YYYY-MM, e.g. 2026-10.")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as [start, end) in the current time zone."""
    tz = timezone.get_current_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    following = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return start, dt.datetime(following.year, following.month, 1, tzinfo=tz)


def _alive(rows: Iterable[T]) -> list[T]:
    return [row for row in rows if getattr(row, "deleted_at", None) is None]


class IncidentData:
    """An incident with its parts (loaded once, prefetched), as the writers and the edits read them."""

    def __init__(self, incident: Incident, links: dict[int, set[int]] | None = None) -> None:
        self.incident = incident
        if links is not None:
            self.links = links

    def _parts(self, name: str) -> list[Any]:
        """A prefetched part list (``incident_queryset`` stores them as ``nibrs_<name>``)."""
        rows = getattr(self.incident, f"nibrs_{name}", None)
        if rows is None:
            rows = getattr(self.incident, f"{name}_set").all()
        return _alive(rows)

    @cached_property
    def links(self) -> dict[int, set[int]]:
        """Person id → ids of the offenses the person is a victim of (data element 24)."""
        return victim_links([self.incident.pk])

    @cached_property
    def offenses(self) -> list[Offense]:
        return self._parts("offense")

    @cached_property
    def group_a_offenses(self) -> list[Offense]:
        return [o for o in self.offenses if offenses.is_group_a(o.ucr_code)]

    @cached_property
    def persons(self) -> list[InvolvedPerson]:
        return self._parts("involvedperson")

    @cached_property
    def victims(self) -> list[InvolvedPerson]:
        return sorted((p for p in self.persons if p.role == PersonRole.VICTIM), key=lambda p: (p.sequence_number, p.pk))

    @cached_property
    def offenders(self) -> list[InvolvedPerson]:
        """Offenders and suspects: NIBRS's offender is anyone suspected of committing the offense."""
        found = (p for p in self.persons if p.role in OFFENDER_ROLES)
        return sorted(found, key=lambda p: (p.sequence_number, p.role != PersonRole.OFFENDER, p.pk))

    @cached_property
    def victim_numbers(self) -> dict[int, int]:
        """Victim sequence numbers as exported: 1, 2, … in the recorded order (unique, as NIBRS needs)."""
        return {p.pk: n for n, p in enumerate(self.victims, start=1)}

    @cached_property
    def offender_numbers(self) -> dict[int, int]:
        return {p.pk: n for n, p in enumerate(self.offenders, start=1)}

    @cached_property
    def relationships(self) -> list[VictimOffenderRelationship]:
        return self._parts("victimoffenderrelationship")

    @cached_property
    def properties(self) -> list[Property]:
        return self._parts("property")

    @cached_property
    def arrests(self) -> list[Arrest]:
        return self._parts("arrest")

    @cached_property
    def group_a_arrests(self) -> list[Arrest]:
        return [a for a in self.arrests if offenses.is_group_a(a.arrest_offense)]

    @cached_property
    def group_b_arrests(self) -> list[Arrest]:
        return [a for a in self.arrests if offenses.is_group_b(a.arrest_offense)]

    def victim_offenses(self, victim: InvolvedPerson) -> list[Offense]:
        """The incident's offenses the victim is connected to (data element 24)."""
        ids = self.links.get(victim.pk, set())
        return [o for o in self.offenses if o.pk in ids]

    def relationships_of(self, victim: InvolvedPerson) -> list[VictimOffenderRelationship]:
        return [r for r in self.relationships if r.victim_id == victim.pk]

    @cached_property
    def _persons_by_pk(self) -> dict[int, InvolvedPerson]:
        return {p.pk: p for p in self.persons}

    def person(self, pk: int) -> InvolvedPerson | None:
        return self._persons_by_pk.get(pk)

    def arrestee(self, arrest: Arrest) -> InvolvedPerson:
        return self.person(arrest.arrestee_id) or arrest.arrestee

    @property
    def is_group_a(self) -> bool:
        return bool(self.group_a_offenses)


@dataclass
class Report:
    """One report of the submission: a Group A incident, a Group B arrest or the zero report."""

    category: str
    action: str
    data: IncidentData | None = None
    arrest: Arrest | None = None

    @property
    def incident(self) -> Incident | None:
        return self.data.incident if self.data else None

    def incident_data(self) -> IncidentData:
        if self.data is None:
            raise ValueError(f"A {self.category} needs its incident.")
        return self.data

    def arrest_row(self) -> Arrest:
        if self.arrest is None:
            raise ValueError(f"A {self.category} needs its arrest.")
        return self.arrest

    @property
    def key(self) -> str:
        if self.category == ZERO:
            return "zero"
        number = self.incident_data().incident.number
        if self.arrest is not None:
            return f"{number}-{self.arrest.transaction_number or self.arrest.pk}-{self.action}"
        return f"{number}-{self.action}"


@dataclass
class Selection:
    """The reports of a month, grouped by incident (the incident is what the edits and the final mark act on)."""

    month: dt.date
    reports: list[Report] = field(default_factory=list)
    incidents: dict[int, IncidentData] = field(default_factory=dict)
    #: The action each incident is sent with (I, R or D), for NibrsReportState.
    actions: dict[int, str] = field(default_factory=dict)


#: Long texts the export never reads, left unloaded.
_UNUSED_TEXT = {
    "incident": ("narrative", "review_comment", "void_reason", "referred_by", "location_detail"),
    "person": ("statement", "contact_phone", "contact_address", "name"),
}


def incident_queryset() -> QuerySet[Incident]:
    """Incidents with their live parts as lists ``nibrs_offense``, ``nibrs_involvedperson`` … (one query each)."""
    alive = Q(deleted_at__isnull=True)

    def part(name: str, queryset: QuerySet[Any]) -> Prefetch[Any]:
        return Prefetch(f"{name}_set", queryset=queryset.filter(alive), to_attr=f"nibrs_{name}")

    queryset: QuerySet[Incident] = (
        Incident.objects.select_related("agency")
        .defer(*_UNUSED_TEXT["incident"])
        .prefetch_related(
            part("offense", Offense.objects.order_by("pk")),
            part("involvedperson", InvolvedPerson.objects.defer(*_UNUSED_TEXT["person"]).order_by("pk")),
            part("victimoffenderrelationship", VictimOffenderRelationship.objects.order_by("pk")),
            part("property", Property.objects.order_by("pk")),
            part("arrest", Arrest.objects.order_by("arrest_date", "pk")),
        )
    )
    return queryset


def victim_links(incident_ids: list[int], chunk: int = 500) -> dict[int, set[int]]:
    """Person id → offense ids (the victim–offense links of these incidents), without loading model rows."""
    through = InvolvedPerson.offenses.through
    links: dict[int, set[int]] = {}
    for i in range(0, len(incident_ids), chunk):
        rows = through.objects.filter(involvedperson__incident_id__in=incident_ids[i : i + chunk]).values_list(
            "involvedperson_id", "offense_id"
        )
        for person_id, offense_id in rows:
            links.setdefault(person_id, set()).add(offense_id)
    return links


def load(incident: Incident) -> IncidentData:
    """One incident with its parts, loaded for the edits or a writer."""
    return IncidentData(incident_queryset().get(pk=incident.pk))


def select(agency: Agency, month: dt.date) -> Selection:
    """The reports of ``agency``'s submission for ``month`` (first day of the month)."""
    start, end = month_bounds(month)
    in_month = Q(occurred_at__gte=start, occurred_at__lt=end) | Q(
        occurred_at__isnull=True, reported_at__gte=start, reported_at__lt=end
    )
    exported = Q(status__in=EXPORTED_STATUSES)
    new = in_month & exported & Q(nibrs_state__isnull=True, voided_at__isnull=True)
    changed = (
        Q(nibrs_state__isnull=False)
        & ~Q(nibrs_state__action_sent="D")
        & (Q(voided_at__isnull=False) | (exported & Q(version__gt=F("nibrs_state__version_sent"))))
    )
    queryset = (
        incident_queryset()
        .select_related("nibrs_state")
        .filter(agency=agency, deleted_at__isnull=True)
        .filter(new | changed)
        .order_by("occurred_at", "reported_at", "number", "pk")
    )
    selection = Selection(month=month)
    rows = [(incident, _state(incident)) for incident in queryset]
    links = victim_links([incident.pk for incident, _ in rows])
    for incident, state in rows:
        action = _action(incident, state)
        if action is None:
            continue
        data = IncidentData(incident, links)
        reports = _reports(data, action, state)
        if not reports:
            continue
        selection.incidents[incident.pk] = data
        selection.actions[incident.pk] = action
        selection.reports.extend(reports)
    selection.reports.sort(key=lambda r: (r.category != GROUP_A, r.category))
    if not selection.reports and not _anything_on_file(agency, start, end):
        selection.reports.append(Report(ZERO, "A"))
    return selection


def _state(incident: Incident) -> NibrsReportState | None:
    try:
        return incident.nibrs_state
    except NibrsReportState.DoesNotExist:
        return None


def _action(incident: Incident, state: NibrsReportState | None) -> str | None:
    if state is None:
        if incident.voided_at is not None or incident.status not in EXPORTED_STATUSES:
            return None
        return "I"
    if state.action_sent == "D":
        return None
    if incident.voided_at is not None:
        return "D"
    if incident.version > state.version_sent and incident.status in EXPORTED_STATUSES:
        return "R"
    return None


def _reports(data: IncidentData, action: str, state: NibrsReportState | None) -> list[Report]:
    reports: list[Report] = []
    if data.is_group_a:
        reports.append(Report(GROUP_A, action, data))
    for arrest in data.group_b_arrests:
        if action == "I":
            reports.append(Report(GROUP_B, "A", data, arrest))
        elif action == "D":
            reports.append(Report(GROUP_B, "D", data, arrest))
        else:
            reports.append(Report(GROUP_B, "D", data, arrest))
            reports.append(Report(GROUP_B, "A", data, arrest))
    return reports


def _anything_on_file(agency: Agency, start: dt.datetime, end: dt.datetime) -> bool:
    """Reports of the month already sent: the month is then not a zero month (FBI error 028/029)."""
    in_month = Q(incident__occurred_at__gte=start, incident__occurred_at__lt=end) | Q(
        incident__occurred_at__isnull=True, incident__reported_at__gte=start, incident__reported_at__lt=end
    )
    return NibrsReportState.objects.filter(in_month, incident__agency=agency).exists()


def counts(reports: Iterable[Report]) -> dict[str, int]:
    """Reports per category and action, e.g. ``{"GROUP A INCIDENT REPORT": {"I": 3}}`` flattened to labels."""
    result: dict[str, int] = {}
    for report in reports:
        name = f"{report.category} {report.action}"
        result[name] = result.get(name, 0) + 1
    return result
