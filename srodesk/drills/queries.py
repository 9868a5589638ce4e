"""Read queries of the drills pages: which schools a user sees drills of, and their compliance."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet

from srodesk.core.permissions import grants, restrict
from srodesk.organizations.models import Partnership, School

from .compliance import SchoolCompliance, evaluate
from .models import Drill, school_zone


def drill_schools(user: Any, action: str = "view") -> QuerySet[School]:
    """The alive schools whose drills the user may ``action`` (the same scopes as ``Drill.scope_paths``)."""
    schools: QuerySet[School] = School.objects.alive().select_related("district")
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return schools.none()
    if user.is_superuser:
        return schools
    combined = Q(pk__in=[])
    for grant in grants(user):
        if not grant.allows(Drill, action):
            continue
        if grant.is_platform:
            return schools
        if grant.school_id is not None:
            combined |= Q(pk=grant.school_id)
        elif grant.district_id is not None:
            combined |= Q(district_id=grant.district_id)
        elif grant.agency_id is not None:
            served = School.objects.filter(
                district__partnerships__agency_id=grant.agency_id, district__partnerships__deleted_at__isnull=True
            )
            combined |= Q(pk__in=served.values("pk"))
    return schools.filter(combined)


def today_at(school: Any) -> dt.date:
    return dt.datetime.now(tz=school_zone(school)).date()


def compliance_for_schools(
    user: Any, schools: list[School], *, as_of: dt.date | None = None, start_year: int | None = None
) -> list[SchoolCompliance]:
    """Compliance of each school, from one query for the drills and one for the partnerships."""
    ids = [s.pk for s in schools]
    by_school: dict[int, list[Drill]] = defaultdict(list)
    drills = restrict(Drill.objects.alive(), user, "view").filter(school_id__in=ids)
    for drill in drills:
        by_school[drill.school_id].append(drill)
    partnerships: dict[int, Partnership] = {}
    rows = Partnership.objects.alive().filter(district_id__in={s.district_id for s in schools}).order_by("pk")
    for partnership in rows:
        current = partnerships.get(partnership.district_id)
        if current is None or (current.drill_rule_set == "OTHER" and partnership.drill_rule_set != "OTHER"):
            partnerships[partnership.district_id] = partnership
    return [
        evaluate(
            school,
            as_of=as_of or today_at(school),
            start_year=start_year,
            drills=by_school[school.pk],
            partnership=partnerships.get(school.district_id),
        )
        for school in schools
    ]
