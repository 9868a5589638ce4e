"""Read queries of the drills pages: which schools a user sees drills of, and their compliance."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet

from srodesk.core.permissions import grants, restrict
from srodesk.organizations.models import Partnership, School

from .choices import DrillStatus
from .compliance import SchoolCompliance, evaluate, year_of
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
    """Compliance of each school, from one query for the partnerships and one for the drills of the school
    years evaluated (a district's ten years of drills are not read to judge one)."""
    ids = [s.pk for s in schools]
    partnerships: dict[int, Partnership] = {}
    rows = Partnership.objects.alive().filter(district_id__in={s.district_id for s in schools}).order_by("pk")
    for partnership in rows:
        current = partnerships.get(partnership.district_id)
        if current is None or (current.drill_rule_set == "OTHER" and partnership.drill_rule_set != "OTHER"):
            partnerships[partnership.district_id] = partnership
    by_school: dict[int, list[Drill]] = defaultdict(list)
    if schools:
        years = [
            year_of(partnerships.get(s.district_id), as_of=as_of or today_at(s), start_year=start_year) for s in schools
        ]
        # A drill counts on its day in the school's time zone: a day's margin either side in UTC.
        start = dt.datetime.combine(min(y.first_day for y in years), dt.time(), dt.UTC) - dt.timedelta(days=1)
        end = dt.datetime.combine(max(y.last_day for y in years), dt.time(), dt.UTC) + dt.timedelta(days=2)
        conducted = Q(status=DrillStatus.CONDUCTED)
        in_years = (conducted & Q(conducted_at__range=(start, end))) | (
            ~conducted & Q(scheduled_for__range=(start, end))
        )
        drills = restrict(Drill.objects.alive(), user, "view").filter(in_years, school_id__in=ids)
        for drill in drills:
            by_school[drill.school_id].append(drill)
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
