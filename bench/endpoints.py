"""The pages and API endpoints the load harness drives, and who drives them.

Every record type in the registry gets, without listing it here: its list page, its detail page, its
API list and its API detail, requested by the first role in ``ROLE_PREFERENCE`` that may see its rows. A
new record type is therefore benchmarked as soon as it is registered; what it needs beyond that (a
filter worth measuring, a create through the API) is one more line in ``EXTRAS``.

Paths may name ``{district}``, ``{school}``, ``{agency}`` (the user's scope), ``{family}`` (a common
family name in the district) and ``{student}`` (a student the user may see); ``{n}`` in a body is a
counter, so every create is new. An extra about a record type names it (``model="incidents.Incident"``)
and uses ``{list}`` and ``{api}`` for its page and API paths and ``{pk}`` for the records the user may see:
the probe reads them from the registry at run time, and an extra whose record type is not registered is
listed as skipped in the results rather than failing the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Who signs in: role slug and how many users of it (16 clients in all).
SESSIONS: tuple[tuple[str, int], ...] = (
    ("sro", 4),
    ("school_admin", 3),
    ("counselor", 3),
    ("safety_director", 2),
    ("hr_clerk", 1),
    ("sro_supervisor", 1),
    ("platform_admin", 2),
)
#: The role that requests a record type's generic pages: the first that may see rows of it.
ROLE_PREFERENCE = ("school_admin", "sro", "hr_clerk", "safety_director", "sro_supervisor", "platform_admin")

#: Every lazy panel of the student profile (``people/profile.py``); the page shows those the viewer may see.
PANELS = "&".join(
    f"panel={name}"
    for name in ("guardians", "vehicles", "law-enforcement", "mandated_reports", "referrals", "student_contacts",
                 "truancy", "attendance", "agency_requests", "threat_cases")
)  # fmt: skip

#: The framework floor's page (``floor_urls.py``): empty, behind sign-in.
EMPTY_PATH = "/__bench__/empty"
GROUPS = ("pages", "lists", "filters", "details", "api-read", "api-write")


@dataclass(frozen=True)
class Extra:
    name: str
    group: str
    role: str
    path: str
    method: str = "GET"
    #: the table whose rows the page lists (for the database floor); "" when none.
    table: str = ""
    #: "ui" or "api": a list whose query count is compared at two page sizes.
    paged: str = ""
    body: dict[str, Any] = field(default_factory=dict)
    expect: int = 200
    #: a registered record type (``app_label.ModelName``) whose paths ``{list}``, ``{api}`` and ``{pk}`` name.
    model: str = ""


EXTRAS: tuple[Extra, ...] = (
    Extra("dashboard (school_admin)", "pages", "school_admin", "/"),
    Extra("dashboard (sro)", "pages", "sro", "/"),
    Extra("dashboard (platform_admin)", "pages", "platform_admin", "/"),
    # The dashboard's record counts, which the page requests after it has loaded.
    Extra("dashboard counts (school_admin)", "pages", "school_admin", "/dashboard/counts/"),
    Extra("dashboard counts (sro)", "pages", "sro", "/dashboard/counts/"),
    Extra("dashboard counts (platform_admin)", "pages", "platform_admin", "/dashboard/counts/"),
    Extra("search (sro)", "pages", "sro", "/search/?q={family}"),
    Extra("search (school_admin)", "pages", "school_admin", "/search/?q={family}"),
    Extra("students list, whole district (platform_admin)", "lists", "platform_admin", "/people/students/",
          table="people_student", paged="ui"),
    Extra("students ?grade&active (school_admin)", "filters", "school_admin",
          "/people/students/?grade=09&active=true", table="people_student", paged="ui"),
    Extra("students ?q= (sro)", "filters", "sro", "/people/students/?q={family}", table="people_student", paged="ui"),
    Extra("students ?sort=-birth_date&page=3 (school_admin)", "filters", "school_admin",
          "/people/students/?sort=-birth_date&page=3", table="people_student"),
    Extra("students ?q= whole district (platform_admin)", "filters", "platform_admin",
          "/people/students/?q={family}&active=true", table="people_student", paged="ui"),
    Extra("staff ?role=teacher (hr_clerk)", "filters", "hr_clerk", "/people/staff-members/?role=teacher",
          table="people_staffmember", paged="ui"),
    Extra("guardians ?q= (school_admin)", "filters", "school_admin", "/people/guardians/?q={family}",
          table="people_guardian", paged="ui"),
    Extra("other persons ?kind=suspect (sro)", "filters", "sro", "/people/other-persons/?kind=suspect",
          table="people_otherperson", paged="ui"),
    Extra("vehicles ?plate_state=OH (safety_director)", "filters", "safety_director",
          "/people/vehicles/?plate_state=OH", table="people_vehicle", paged="ui"),
    Extra("disclosures ?basis=transfer (school_admin)", "filters", "school_admin",
          "/people/disclosures/?basis=transfer", table="people_disclosure", paged="ui"),
    # The student profile's lazy panels, which the profile page requests in one go after it has loaded
    # (measured here as their page without script: the same panels, the shell and a view row of the student).
    Extra("student profile panels (school_admin)", "details", "school_admin",
          f"/people/students/{{student}}/panels/?{PANELS}"),
    Extra("student profile panels (sro)", "details", "sro", f"/people/students/{{student}}/panels/?{PANELS}"),
    Extra("student disclosure log (school_admin)", "details", "school_admin", "/people/students/{student}/disclosures/",
          table="people_disclosure"),
    Extra("API students ?grade (school_admin)", "api-read", "school_admin",
          "/api/v1/people/students/?grade=09&limit=50", table="people_student", paged="api"),
    Extra("API students whole district (platform_admin)", "api-read", "platform_admin",
          "/api/v1/people/students/?limit=50", table="people_student", paged="api"),
    Extra("API create other person (sro)", "api-write", "sro", "/api/v1/people/other-persons/", method="POST",
          body={"district": "{district}", "school": "{school}", "agency": "{agency}", "kind": "visitor",
                "given_name": "Bench", "family_name": "Visitor {n}", "phone": "(313) 555-0100"}, expect=201),
    Extra("API create vehicle (sro)", "api-write", "sro", "/api/v1/people/vehicles/", method="POST",
          body={"district": "{district}", "school": "{school}", "plate": "BN{n}", "plate_state": "MI",
                "make": "Ford", "model": "Escape", "colour": "Blue"}, expect=201),
    Extra("API create disclosure (school_admin)", "api-write", "school_admin", "/api/v1/people/disclosures/",
          method="POST", body={"student": "{student}", "recipient_name": "Bench Recipient {n}",
                               "recipient_organization": "County Circuit Court", "recipient_kind": "court",
                               "basis": "consent", "legitimate_interest": "Parent consented.",
                               "records_disclosed": "Attendance"}, expect=201),
    # Law-enforcement records, as officers and their supervisor use them.
    Extra("incidents ?status=approved (sro)", "filters", "sro", "{list}?status=approved", paged="ui",
          model="incidents.Incident"),
    Extra("incidents list (sro_supervisor)", "lists", "sro_supervisor", "{list}", paged="ui",
          model="incidents.Incident"),
    Extra("incidents ?status=closed (sro_supervisor)", "filters", "sro_supervisor", "{list}?status=closed",
          paged="ui", model="incidents.Incident"),
    Extra("incident detail (sro)", "details", "sro", "{list}{pk}/", model="incidents.Incident"),
    Extra("incident detail (sro_supervisor)", "details", "sro_supervisor", "{list}{pk}/", model="incidents.Incident"),
    Extra("searches list (sro)", "lists", "sro", "{list}", paged="ui", model="incidents.Search"),
    Extra("searches list (sro_supervisor)", "lists", "sro_supervisor", "{list}", paged="ui", model="incidents.Search"),
    Extra("evidence list (sro)", "lists", "sro", "{list}", paged="ui", model="incidents.EvidenceItem"),
    Extra("evidence list (sro_supervisor)", "lists", "sro_supervisor", "{list}", paged="ui",
          model="incidents.EvidenceItem"),
    Extra("API incidents list (sro)", "api-read", "sro", "{api}?limit=50", paged="api", model="incidents.Incident"),
    Extra("API incidents ?status=approved (sro_supervisor)", "api-read", "sro_supervisor",
          "{api}?status=approved&limit=50", paged="api", model="incidents.Incident"),
    Extra("API incident detail (sro)", "api-read", "sro", "{api}{pk}/", model="incidents.Incident"),
    Extra("API incident detail (sro_supervisor)", "api-read", "sro_supervisor", "{api}{pk}/",
          model="incidents.Incident"),
    Extra("API create incident (sro)", "api-write", "sro", "{api}", method="POST", model="incidents.Incident",
          body={"title": "Bench incident {n}", "school": "{school}", "agency": "{agency}", "source": "on_view",
                "occurred_at": "2026-11-13T09:30:00-05:00", "location_type": "53",
                "narrative": "Two students argued in the hallway; separated, no injuries."}, expect=201),
    # Drills, threat assessment, student support, alerts and reunification, as their users work them.
    Extra("drill compliance, district (safety_director)", "pages", "safety_director", "/drills/compliance/"),
    Extra("drill compliance, school (school_admin)", "pages", "school_admin", "/drills/compliance/schools/{school}/"),
    Extra("drills ?status=conducted (school_admin)", "filters", "school_admin", "{list}?status=conducted",
          paged="ui", model="drills.Drill"),
    Extra("threat cases ?status=closed (school_admin)", "filters", "school_admin", "{list}?status=closed",
          paged="ui", model="threats.ThreatCase"),
    Extra("overdue mandated reports (school_admin)", "pages", "school_admin", "/support/mandated-reports/overdue/"),
    Extra("student contacts list (counselor)", "lists", "counselor", "{list}", paged="ui",
          model="support.StudentContact"),
    Extra("alert detail and roll-up (safety_director)", "details", "safety_director", "/alerts/{pk}/",
          model="alerts.Alert"),
    Extra("reunification: not yet released (sro)", "details", "sro", "{list}{pk}/not-released/",
          model="reunification.ReunificationEvent"),
    Extra("reunification: reconciliation (sro)", "details", "sro", "{list}{pk}/reconciliation/",
          model="reunification.ReunificationEvent"),
)  # fmt: skip
