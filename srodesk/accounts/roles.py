"""The role catalogue of DESIGN.md, declared here and mirrored into the Role table after each migrate.

Permission strings (see core/permissions.py): ``<app>.<action>_<model>`` for one model,
``<action>:<record_class>`` for every model of a record class, ``*`` for everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LE, EDU, HR, OPS = "law_enforcement", "education", "hr", "operational"
#: IDEA, Section 504 and English-learner status: only roles that decide supports and discipline.
PROGRAMS = "people.view_programs_student"
VEHICLES = ("people.view_vehicle", "people.add_vehicle", "people.change_vehicle", "people.export_vehicle")
#: Reunification (docs/reunification.md): student names at a reunification only through these named grants.
REUNIFICATION_SEE = (
    "reunification.view_eventstudent",
    "reunification.view_reunificationcard",
    "reunification.view_reunificationexception",
)
REUNIFICATION_WORK = (
    *REUNIFICATION_SEE,
    "reunification.add_reunificationcard",
    "reunification.check_reunificationcard",
    "reunification.run_reunificationcard",
    "reunification.release_reunificationcard",
    "reunification.add_reunificationexception",
)
REUNIFICATION_LEAD = (
    *REUNIFICATION_WORK,
    "reunification.add_reunificationevent",
    "reunification.close_reunificationevent",
    "reunification.resolve_reunificationexception",
    "reunification.export_eventstudent",
    "reunification.export_reunificationcard",
    "reunification.export_reunificationexception",
)
#: Start, cancel and end alerts (in the scope of every school they name); staff report their room.
ALERTS = ("alerts.add_alert", "alerts.change_alert")
ACCOUNTABILITY = "alerts.add_accountabilityreport"
#: Keeping the community-agency directory (an operational record) up to date.
AGENCY_DIRECTORY = ("support.add_communityagency", "support.change_communityagency")


def crud(record_class: str, *actions: str) -> tuple[str, ...]:
    return tuple(f"{a}:{record_class}" for a in actions)


@dataclass(frozen=True)
class RoleSpec:
    slug: str
    name: str
    description: str
    permissions: tuple[str, ...]
    scope_kinds: tuple[str, ...]
    personal_data: bool = True


CATALOGUE: tuple[RoleSpec, ...] = (
    RoleSpec(
        "sro",
        "School Resource Officer",
        "Sworn officer assigned to one or more schools: law-enforcement records, contacts, drills, alerts.",
        (
            *crud(LE, "view", "add", "change", "export"),
            *crud(EDU, "view", "add"),
            # Threat cases are need-to-know: this only reaches the cases of the teams the officer is on.
            "threats.change_threatcase",
            # A mandated reporter records their own report to the agency (need-to-know: only their reports).
            "support.change_mandatedreport",
            "view:operational",
            "drills.add_drill",
            "drills.change_drill",
            "people.view_staffmember",
            *VEHICLES,
            *ALERTS,
            *REUNIFICATION_LEAD,
        ),
        ("school", "district"),
    ),
    RoleSpec(
        "sro_supervisor",
        "SRO supervisor",
        "Reviews and approves SRO reports; sees every SRO record of the agency.",
        (
            *crud(LE, "view", "add", "change", "delete", "export", "approve"),
            "view:operational",
            "people.view_vehicle",
            *ALERTS,
        ),
        ("agency",),
    ),
    RoleSpec(
        "records_clerk",
        "Agency records clerk",
        "Prepares and submits NIBRS data for the agency.",
        (*crud(LE, "view", "export", "submit"), "view:operational"),
        ("agency",),
    ),
    RoleSpec(
        "school_admin",
        "School administrator",
        "Principal or assistant principal: discipline, approvals, alerts, BIT; police records only when shared.",
        (
            *crud(EDU, "view", "add", "change", "delete", "export", "override_need_to_know"),
            "view:operational",
            "organizations.change_school",
            "drills.add_drill",
            "drills.change_drill",
            "drills.export_drill",
            "drills.add_emergencyplan",
            "drills.change_emergencyplan",
            "view_shared:law_enforcement",
            PROGRAMS,
            "people.view_staffmember",
            "people.view_vehicle",
            *AGENCY_DIRECTORY,
            "support.delete_communityagency",
            *ALERTS,
            *REUNIFICATION_LEAD,
        ),
        ("school", "district"),
    ),
    RoleSpec(
        "bit_member",
        "BIT / threat-assessment team member",
        "Sees the threat-assessment cases of the teams they belong to.",
        (*crud(EDU, "view", "add", "change"), "view:operational", PROGRAMS),
        ("school", "district"),
    ),
    RoleSpec(
        "counselor",
        "Counselor / social worker",
        "Referrals, counselling contacts and truancy for their schools.",
        (*crud(EDU, "view", "add", "change", "export"), "view:operational", PROGRAMS, *AGENCY_DIRECTORY),
        ("school", "district"),
    ),
    RoleSpec(
        "safety_director",
        "District safety director",
        "District-wide drills, facility security, permits and analytics.",
        (
            *crud(OPS, "view", "add", "change", "delete", "export"),
            *VEHICLES,
            "people.delete_vehicle",
            "people.view_rosterimport",
            "people.add_rosterimport",
            *REUNIFICATION_LEAD,
        ),
        ("district",),
    ),
    RoleSpec(
        "hr_clerk",
        "HR clerk",
        "Employee fingerprinting and background checks.",
        (*crud(HR, "view", "add", "change", "export"), "view:operational"),
        ("district",),
    ),
    RoleSpec(
        "staff",
        "Staff member",
        "Receives and acknowledges alerts, accounts for students in an emergency, submits concerns.",
        ("view:operational", ACCOUNTABILITY, *REUNIFICATION_WORK),
        ("school",),
    ),
    RoleSpec(
        "analyst",
        "Oversight / analyst",
        "Aggregate, privacy-suppressed reports only: never a name.",
        ("view:operational",),
        ("district", "platform"),
        personal_data=False,
    ),
    RoleSpec(
        "platform_admin",
        "Platform administrator",
        "Configures the platform: organisations, users and roles.",
        ("*",),
        ("platform",),
    ),
)

BY_SLUG = {spec.slug: spec for spec in CATALOGUE}


def sync_roles(using: str = "default", **_: Any) -> None:
    from .models import Role

    for spec in CATALOGUE:
        Role.objects.using(using).update_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "description": spec.description,
                "permissions": sorted(spec.permissions),
                "personal_data": spec.personal_data,
                "scope_kinds": list(spec.scope_kinds),
            },
        )
