"""Who an alert is for: the people holding a role at its schools, at its district, or at its agency.

- A role held **at one of the alert's schools** (staff, school administrators, SROs, counsellors …).
- A role held **at the alert's district** (district safety director, district-wide SROs and administrators …).
- A role held **at the alert's agency** (SRO supervisor, records clerk); when the alert names no agency, at
  every agency serving the district.

The audience narrows this to roles (:data:`AUDIENCE_ROLES`). Platform-wide roles and oversight analysts are
never recipients: they are not on a campus and have nothing to act on.
"""

from __future__ import annotations

from django.db.models import Q

from srodesk.accounts.models import RoleAssignment
from srodesk.organizations.models import Partnership

from ..choices import Audience
from ..models import Alert

#: The role slugs an audience reaches (``None``: every role but :data:`NEVER`).
AUDIENCE_ROLES: dict[str, frozenset[str] | None] = {
    Audience.EVERYONE: None,
    Audience.ADMINISTRATORS: frozenset({"school_admin", "safety_director"}),
    Audience.SROS: frozenset({"sro", "sro_supervisor"}),
    Audience.AGENCY: frozenset({"sro", "sro_supervisor", "records_clerk"}),
}
#: Roles that never receive alerts.
NEVER = frozenset({"analyst", "platform_admin"})


def serving_agency_ids(district_id: int) -> list[int]:
    """Every agency serving the district (through a live partnership)."""
    rows = Partnership.objects.alive().filter(district_id=district_id, agency__deleted_at__isnull=True)
    return list(rows.values_list("agency_id", flat=True))


def agency_ids(alert: Alert) -> list[int]:
    """The alert's agency, or every agency serving its district when it names none."""
    return [alert.agency_id] if alert.agency_id is not None else serving_agency_ids(alert.district_id)


def resolve(alert: Alert) -> dict[int, int | None]:
    """User id → the school of the alert where they hold their role (``None`` for district and agency roles).

    A person with several roles in scope is one recipient, tied to a school when any of their roles is.
    """
    return resolve_for(
        district_id=alert.district_id,
        school_ids=sorted(alert.schools.values_list("pk", flat=True)),
        audience=alert.audience,
        agency_id=alert.agency_id,
    )


def resolve_for(
    *, district_id: int, school_ids: list[int] | tuple[int, ...], audience: str, agency_id: int | None
) -> dict[int, int | None]:
    """The same rule for an alert not stored yet (the confirmation screen's count)."""
    agencies = [agency_id] if agency_id is not None else serving_agency_ids(district_id)
    where = Q(school_id__in=list(school_ids)) | Q(district_id=district_id) | Q(agency_id__in=agencies)
    roles = AUDIENCE_ROLES.get(audience, frozenset())
    rows = (
        RoleAssignment.objects.alive()
        .filter(where, user__is_active=True)
        .exclude(role__slug__in=NEVER)
        .values_list("user_id", "school_id", "role__slug")
        .order_by("user_id", "school_id", "pk")
    )
    people: dict[int, int | None] = {}
    for user_id, school_id, slug in rows:
        if roles is not None and slug not in roles:
            continue
        if people.get(user_id) is None:
            people[user_id] = school_id
    return people
