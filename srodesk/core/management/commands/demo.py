"""`srodesk demo`: one district with five schools, one agency, and one demo account per role (idempotent)."""

from __future__ import annotations

import tempfile
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.accounts.roles import sync_roles
from srodesk.core.audit import audit_context
from srodesk.organizations.models import Agency, District, Partnership, School
from srodesk.people.models import Student
from srodesk.people.roster import run_import
from srodesk.people.roster.generate import generate

DEMO_PASSWORD = "sro-desk-demo-2026"
#: Modules with a ``load(ctx)`` adding each capability's demo records (idempotent; after the roster).
DEMO_MODULES = ("srodesk.incidents.demo", "srodesk.threats.demo", "srodesk.support.demo")
#: The synthetic roster: the generator's district NCES id for this seed (26 + 12345) is the demo district's,
#: so its schools are the demo schools.
ROSTER_SEED = 12345
ROSTER_STUDENTS = 400

BOUNDARY = {
    "type": "Polygon",
    "coordinates": [
        [[-83.7480, 42.2790], [-83.7430, 42.2790], [-83.7430, 42.2825], [-83.7480, 42.2825], [-83.7480, 42.2790]]
    ],
}

SCHOOLS = (
    ("Riverside High School", "261234500001", "high", "1200 River Rd"),
    ("Riverside Middle School", "261234500002", "middle", "800 Elm St"),
    ("Oak Park Elementary", "261234500003", "elementary", "45 Oak Ave"),
    ("Maple Grove Elementary", "261234500004", "elementary", "310 Maple Dr"),
    ("Riverside Alternative Academy", "261234500005", "high", "17 Mill St"),
)

# username, first, last, title, role slug, scope ("school:N", "district", "agency", "platform")
ACCOUNTS = (
    ("demo-sro", "Dana", "Reyes", "School Resource Officer", "sro", "school:0"),
    ("demo-supervisor", "Marcus", "Hale", "Sergeant, SRO Unit", "sro_supervisor", "agency"),
    ("demo-records", "Priya", "Shah", "Records Clerk", "records_clerk", "agency"),
    ("demo-principal", "Helen", "Okafor", "Principal", "school_admin", "school:0"),
    ("demo-bit", "Sam", "Lindqvist", "School Psychologist", "bit_member", "school:0"),
    ("demo-counselor", "Ana", "Morales", "School Counselor", "counselor", "school:0"),
    ("demo-safety", "Grace", "Whitfield", "District Safety Director", "safety_director", "district"),
    ("demo-hr", "Tom", "Becker", "HR Clerk", "hr_clerk", "district"),
    ("demo-staff", "Lee", "Park", "Teacher", "staff", "school:0"),
    ("demo-analyst", "Rosa", "Lin", "Oversight Analyst", "analyst", "district"),
    ("demo-admin", "Alex", "Kim", "Platform Administrator", "platform_admin", "platform"),
)


class Command(BaseCommand):
    help = "Load the demo district (idempotent) and print the demo accounts with their password."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="Do not print the accounts.")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic(), audit_context(reason="demo data"):
            sync_roles()
            district = self._upsert(
                District, {"slug": "riverside"}, name="Riverside Unified School District", state="MI", nces_id="2612345"
            )
            schools = [
                self._upsert(
                    School,
                    {"nces_id": nces},
                    district=district,
                    name=name,
                    level=level,
                    address=address,
                    city="Riverside",
                    state="MI",
                    postal_code="48100",
                    timezone="America/Detroit",
                    campus_boundary=BOUNDARY if i == 0 else None,
                )
                for i, (name, nces, level, address) in enumerate(SCHOOLS)
            ]
            agency = self._upsert(
                Agency, {"ori": "MI8123400"}, name="Riverside Police Department", state="MI", phone="555-0142"
            )
            self._upsert(
                Partnership,
                {"agency": agency, "district": district},
                state="MI",
                drill_rule_set="MI",
                mandated_report_rules="MI",
            )
            for username, first, last, title, role_slug, scope in ACCOUNTS:
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "title": title,
                        "email": f"{username}@example.org",
                    },
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                if role_slug == "platform_admin":
                    user.is_staff = user.is_superuser = True
                user.save()
                target: dict[str, Any] = {}
                if scope.startswith("school:"):
                    target["school"] = schools[int(scope.split(":")[1])]
                elif scope == "district":
                    target["district"] = district
                elif scope == "agency":
                    target["agency"] = agency
                role = Role.objects.get(slug=role_slug)
                if not RoleAssignment.objects.alive().filter(user=user, role=role, **target).exists():
                    RoleAssignment.objects.create(user=user, role=role, **target)
        students = self._load_roster(district)
        users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS])}
        with transaction.atomic():
            for module in DEMO_MODULES:
                import_module(module).load({"district": district, "schools": schools, "agency": agency, "users": users})
        if not options["quiet"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo district ready: {district.name}, {len(schools)} schools, {students} students, {agency}."
                )
            )
            self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
            for username, _first, _last, title, _role, _scope in ACCOUNTS:
                self.stdout.write(f"  {username:<18} {title}")
            if not settings.MFA_REQUIRED:
                self.stdout.write("MFA is relaxed (demo mode): accounts can sign in with the password alone.")

    @staticmethod
    def _load_roster(district: District) -> int:
        """Import a synthetic OneRoster set once (students, staff, guardians, demographics, programs)."""
        if not Student.objects.filter(district=district).exists():
            with tempfile.TemporaryDirectory(prefix="srodesk-demo-roster-") as folder:
                path = Path(folder) / "roster.zip"
                generate(path, students=ROSTER_STUDENTS, schools=len(SCHOOLS), version="1.2", seed=ROSTER_SEED)
                result = run_import(district=district, path=path, dry_run=False, actor=None)
                if result.errors:
                    raise CommandError(f"the demo roster did not import: {result.errors[:3]}")
        count: int = Student.objects.filter(district=district, active=True).count()
        return count

    @staticmethod
    def _upsert(model: Any, lookup: dict[str, Any], **values: Any) -> Any:
        obj = model.objects.alive().filter(**lookup).first()
        if obj is None:
            return model.objects.create(**lookup, **values)
        return obj
