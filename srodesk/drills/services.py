"""Drill workflows: schedule (one drill or a suggested schedule), record a drill as conducted, publish,
cancel. Each starts with ``require()``, runs in one transaction and is audited by the change hook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from srodesk.core import audit
from srodesk.core.permissions import require
from srodesk.organizations.models import School

from .choices import DrillStatus, DrillType, TimeOfDay
from .compliance import Suggestion, partnership_for, rule_state
from .models import Drill, school_zone
from .rules import pack_for

#: The time of day a suggested drill is scheduled at, in the school's time zone.
DEFAULT_DRILL_TIME = dt.time(10, 0)


def retain_until_for(drill: Drill) -> dt.date | None:
    """How long a conducted drill's record is kept: the longer of the state pack's duty and the
    partnership's retention for operational records, counted from the day it was conducted."""
    if drill.status != DrillStatus.CONDUCTED or drill.conducted_at is None:
        return drill.retain_until
    school = drill.school
    day = drill.conducted_at.astimezone(school_zone(school)).date()
    partnership = partnership_for(school)
    years = [int(partnership.retention_operational_years)] if partnership is not None else []
    pack = pack_for(rule_state(school, partnership), str(school.level), day)
    if pack is not None and pack.retain_years:
        years.append(pack.retain_years)
    if not years:
        return drill.retain_until
    keep = max(years)
    try:
        return day.replace(year=day.year + keep)
    except ValueError:  # 29 February
        return day.replace(year=day.year + keep, day=28)


def _locked(drill: Drill) -> Drill:
    locked: Drill = Drill.objects.select_for_update().select_related("school", "school__district").get(pk=drill.pk)
    return locked


def _save(drill: Drill) -> Drill:
    drill.full_clean()
    drill.save()
    return drill


def schedule(
    *,
    actor: Any,
    school: School,
    drill_type: str,
    scheduled_for: dt.datetime,
    time_of_day: str = TimeOfDay.INSTRUCTION,
    **details: Any,
) -> Drill:
    """Plan one drill at the school."""
    drill = Drill(
        school=school,
        district_id=school.district_id,
        drill_type=drill_type,
        status=DrillStatus.SCHEDULED,
        scheduled_for=scheduled_for,
        time_of_day=time_of_day,
        **details,
    )
    require(actor, "drills.add_drill", drill)
    with transaction.atomic(), audit.audit_context(actor=actor, reason="drill scheduled"):
        return _save(drill)


def schedule_suggestions(
    *, actor: Any, school: School, suggestions: Iterable[Suggestion], at: dt.time = DEFAULT_DRILL_TIME
) -> list[Drill]:
    """Schedule every suggestion of the compliance page at once (all or none). A suggestion that any
    drill type would satisfy is planned as a fire drill; its type can be changed on the drill's page."""
    zone = school_zone(school)
    created: list[Drill] = []
    with transaction.atomic(), audit.audit_context(actor=actor, reason="suggested drill schedule"):
        for suggestion in suggestions:
            drill = Drill(
                school=school,
                district_id=school.district_id,
                drill_type=suggestion.drill_type or DrillType.FIRE,
                status=DrillStatus.SCHEDULED,
                scheduled_for=dt.datetime.combine(suggestion.day, at, tzinfo=zone),
                time_of_day=TimeOfDay.UNSTRUCTURED if suggestion.unstructured else TimeOfDay.INSTRUCTION,
                law_enforcement_observed=suggestion.law_enforcement_observed,
                law_enforcement_agency="Local police (to be confirmed)" if suggestion.law_enforcement_observed else "",
                fire_department_participated=suggestion.fire_department,
                secondary_egress=suggestion.secondary_egress,
            )
            require(actor, "drills.add_drill", drill)
            created.append(_save(drill))
    return created


def conduct(*, actor: Any, drill: Drill, conducted_at: dt.datetime, **details: Any) -> Drill:
    """Record that a drill took place, with what was observed (counts, time to complete, issues)."""
    require(actor, "drills.change_drill", drill)
    with transaction.atomic(), audit.audit_context(actor=actor, reason="drill conducted"):
        locked = _locked(drill)
        if locked.status == DrillStatus.CANCELLED:
            raise ValidationError({"status": "A cancelled drill cannot be recorded as conducted."})
        locked.status = DrillStatus.CONDUCTED
        locked.conducted_at = conducted_at
        for name, value in details.items():
            setattr(locked, name, value)
        locked.retain_until = retain_until_for(locked)
        return _save(locked)


def publish(*, actor: Any, drill: Drill, published_at: dt.datetime | None = None) -> Drill:
    """Record that a conducted drill was posted where the state requires (the school website)."""
    require(actor, "drills.change_drill", drill)
    with transaction.atomic(), audit.audit_context(actor=actor, reason="drill published"):
        locked = _locked(drill)
        if locked.status != DrillStatus.CONDUCTED:
            raise ValidationError({"published_at": "Only a conducted drill can be published."})
        locked.published_at = published_at or timezone.now()
        return _save(locked)


def cancel(*, actor: Any, drill: Drill, reason: str) -> Drill:
    """Call off a scheduled drill; the reason goes into the after-action notes and the audit log."""
    require(actor, "drills.change_drill", drill)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason the drill was cancelled."})
    with transaction.atomic(), audit.audit_context(actor=actor, reason=reason):
        locked = _locked(drill)
        if locked.status != DrillStatus.SCHEDULED:
            raise ValidationError({"status": "Only a scheduled drill can be cancelled."})
        locked.status = DrillStatus.CANCELLED
        note = f"Cancelled: {reason.strip()}"
        locked.after_action_notes = f"{locked.after_action_notes}\n{note}".strip()
        return _save(locked)
