"""Proof that generated records look as the services make them, on a sample of every record type.

For each sampled record: the model's own validation passes (``full_clean``); the fields the model derives
on save (``search_name``, ``crdc_race``, ``plate_normalized``) are what ``save()`` would compute, and a
drill's ``retain_until`` is ``drills.services.retain_until_for``'s; the record has a ``create`` change
row by the actor named in ``created_by``; its latest change row with a state (a service may log a row of
its own after the hook's, e.g. the students an accountability report names) has an ``after`` that is exactly
``core.audit.snapshot`` of the record as loaded (a timestamp may be written in another time zone: the
hook snapshots the value the service was given, e.g. a drill's ``scheduled_for`` in the school's zone,
and it must be the same moment), its ``object_repr`` is ``str()`` of it and its scope ids are
``AuditEvent.scope_ids``; membership lists logged with the changes end at
the record's current ``schools``/``students``. A disclosure also has its disclosure-log row;
an evidence item's chain of custody verifies (``incidents.custody.verify_item``). A closed threat case is
validated as it stood when it was closed (``ThreatCase.clean`` refuses any edit of a closed case), a support
record about a student with the school it was saved at (its validation would take the student's school today).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from srodesk.accounts.models import RoleAssignment, User
from srodesk.alerts.models import AccountabilityReport, Alert
from srodesk.audit.models import AuditEvent
from srodesk.core.audit import snapshot
from srodesk.drills.models import Drill, EmergencyPlan
from srodesk.drills.services import retain_until_for
from srodesk.incidents import custody
from srodesk.incidents.models import (
    Arrest,
    DisciplineReferral,
    EvidenceItem,
    Incident,
    IncidentShare,
    InvolvedPerson,
    Offense,
    Property,
    Pursuit,
    Search,
    Supplement,
    UseOfForce,
    VictimOffenderRelationship,
)
from srodesk.organizations.models import Agency, District, Partnership, School
from srodesk.people.models import (
    RACE_FLAGS,
    Disclosure,
    Guardian,
    OtherPerson,
    PersonNameMixin,
    StaffMember,
    Student,
    Vehicle,
    derive_crdc_race,
    fold,
)
from srodesk.reunification.models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException
from srodesk.support.models import (
    AgencyRequest,
    AttendanceImport,
    AttendanceRecord,
    CommunityAgency,
    Intervention,
    MandatedReport,
    Referral,
    StudentContact,
    StudentRecord,
    TruancyCase,
    TruancyThreshold,
)
from srodesk.threats.choices import CaseStatus
from srodesk.threats.models import (
    DisciplineRecord,
    Interview,
    MonitoringEntry,
    ProtectiveAction,
    SafetyPlanItem,
    Team,
    TeamMember,
    ThreatCase,
)

MEMBERSHIPS = {Student: "schools", StaffMember: "schools", Guardian: "students"}


def _in_district(model: type[models.Model], district: District, code: str) -> models.QuerySet[Any]:
    manager = model._default_manager
    if model is District:
        return manager.filter(pk=district.pk)
    if model is Agency:
        return manager.filter(partnerships__district=district)
    if model is User:
        return manager.filter(username__endswith=f".{code}")
    if model is RoleAssignment:
        return manager.filter(user__username__endswith=f".{code}")
    if model is TeamMember:
        return manager.filter(team__district=district)
    if model is TruancyThreshold:
        return manager.filter(partnership__district=district)
    if any(f.name == "case" for f in model._meta.concrete_fields):
        return manager.filter(case__district=district)
    if not any(f.name == "district" for f in model._meta.concrete_fields):
        return manager.filter(incident__district=district)
    return manager.filter(district=district)


def sample(queryset: models.QuerySet[Any], size: int) -> list[Any]:
    pks = list(queryset.order_by("pk").values_list("pk", flat=True).distinct())
    if len(pks) > size:
        step = len(pks) / size
        pks = [pks[int(i * step)] for i in range(size)]
    return list(queryset.model._default_manager.filter(pk__in=pks).order_by("pk"))


CHECKED: tuple[type[models.Model], ...] = (
    District,
    School,
    Agency,
    Partnership,
    User,
    RoleAssignment,
    Student,
    StaffMember,
    Guardian,
    OtherPerson,
    Vehicle,
    Disclosure,
    Incident,
    Offense,
    InvolvedPerson,
    VictimOffenderRelationship,
    Property,
    Arrest,
    UseOfForce,
    Search,
    Pursuit,
    EvidenceItem,
    Supplement,
    IncidentShare,
    DisciplineReferral,
    Drill,
    Team,
    TeamMember,
    ThreatCase,
    Interview,
    ProtectiveAction,
    SafetyPlanItem,
    MonitoringEntry,
    DisciplineRecord,
    Alert,
    AccountabilityReport,
    EmergencyPlan,
    ReunificationEvent,
    EventStudent,
    ReunificationCard,
    ReunificationException,
    CommunityAgency,
    TruancyThreshold,
    Referral,
    MandatedReport,
    StudentContact,
    AttendanceImport,
    AttendanceRecord,
    TruancyCase,
    Intervention,
    AgencyRequest,
)


def problems(
    district: District, code: str, *, size: int = 20, checked: tuple[type[models.Model], ...] = CHECKED
) -> Iterator[str]:
    """Every way a sampled record of the district differs from one the services made.

    ``code``: the suffix of the district's usernames (``Simulation.code``).
    """
    for model in checked:
        for obj in sample(_in_district(model, district, code), size):
            for message in _record(obj):
                yield f"{model._meta.label} #{obj.pk}: {message}"


def _record(obj: Any) -> Iterator[str]:
    try:
        _validated(obj).full_clean()
    except ValidationError as exc:
        yield f"fails validation: {exc.message_dict}"
    yield from _derived(obj)
    rows = list(AuditEvent.objects.for_object(obj).filter(kind=AuditEvent.Kind.CHANGE).order_by("seq"))
    if not rows or rows[0].action != AuditEvent.Action.CREATE:
        yield "has no create row"
        return
    created_by = getattr(obj, "created_by_id", rows[0].actor_id)
    if rows[0].actor_id != created_by:
        yield f"created by {created_by} but logged as {rows[0].actor_id}"
    last = next(row for row in reversed(rows) if row.after is not None)
    membership = MEMBERSHIPS.get(type(obj))
    logged = {k: v for k, v in (last.after or {}).items() if k != membership}
    current = snapshot(obj)
    keys = sorted(k for k in set(logged) | set(current) if not _same(logged.get(k), current.get(k)))
    if keys:
        yield f"the last change row differs from the record in {keys}"
    if last.object_repr != str(obj)[:200]:
        yield f"object_repr {last.object_repr!r} is not {str(obj)!r}"
    scope = AuditEvent.scope_ids(obj)
    if {name: getattr(last, name) for name in scope} != scope:
        yield "the change row's scope is not the record's"
    if membership is not None:
        lists = [row.after[membership] for row in rows if row.after and membership in row.after]
        now = sorted(getattr(obj, membership).values_list("pk", flat=True))
        if lists and lists[-1] != now:
            yield f"{membership} logged as {lists[-1]} but the record has {now}"
    if isinstance(obj, EvidenceItem):
        verified = custody.verify_item(obj)
        if not verified.ok:
            yield f"custody chain: {verified}"
    if isinstance(obj, Disclosure):
        log = AuditEvent.objects.for_object(obj).filter(kind=AuditEvent.Kind.DISCLOSURE).first()
        if log is None or log.request_id != rows[0].request_id or log.actor_id != obj.created_by_id:
            yield "has no disclosure-log row of the same request"


def _validated(obj: Any) -> Any:
    """The record to validate: a closed threat case as it stood before its closure (its status open); a copy of a
    support record about a student (its validation takes the school from the student's school today, while the
    record keeps the school the student was at when it was last saved)."""
    if isinstance(obj, ThreatCase) and obj.status == CaseStatus.CLOSED:
        obj = copy.copy(obj)
        obj.status = CaseStatus.OPEN
    elif isinstance(obj, StudentRecord):
        obj = copy.copy(obj)
    return obj


def _same(logged: Any, current: Any) -> bool:
    """Equal snapshot values, or two timestamps of the same moment written in different time zones."""
    if logged == current:
        return True
    if not isinstance(logged, str) or not isinstance(current, str):
        return False
    try:
        first, second = dt.datetime.fromisoformat(logged), dt.datetime.fromisoformat(current)
    except ValueError:
        return False
    return first.tzinfo is not None and second.tzinfo is not None and first == second


def _derived(obj: Any) -> Iterator[str]:
    if isinstance(obj, PersonNameMixin) and obj.search_name != fold(" ".join(p for p in obj.name_parts() if p)):
        yield "search_name is not the folded name"
    if isinstance(obj, Student):
        flags = {name: getattr(obj, name) for name in RACE_FLAGS}
        race = derive_crdc_race(hispanic=obj.hispanic_latino, two_or_more=obj.two_or_more_races, flags=flags)
        if obj.crdc_race != race:
            yield f"crdc_race {obj.crdc_race} should be {race}"
    if isinstance(obj, Vehicle) and obj.plate_normalized != Vehicle.normalize_plate(obj.plate):
        yield "plate_normalized is not the normalized plate"
    if isinstance(obj, Drill) and obj.retain_until != retain_until_for(obj):
        yield f"retain_until {obj.retain_until} should be {retain_until_for(obj)}"
