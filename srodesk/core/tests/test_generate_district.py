"""`srodesk generate-district --profile small`: exact counts, the same names for the same seed, a valid chain."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from srodesk.audit.models import AuditEvent, verify_chain
from srodesk.bench_data import generate
from srodesk.bench_data.check import problems
from srodesk.organizations.models import District
from srodesk.people.models import Guardian, OtherPerson, StaffMember, Student

SEED = 7
EXPECTED = {
    "accounts.RoleAssignment": 67,
    "accounts.User": 67,
    "organizations.Agency": 2,
    "organizations.District": 1,
    "organizations.Partnership": 2,
    "organizations.School": 6,
    "people.Disclosure": 165,
    "people.Guardian": 644,
    "people.Guardian_students": 990,
    "people.OtherPerson": 132,
    "people.RosterImport": 391,
    "people.StaffMember": 75,
    "people.StaffMember_schools": 79,
    "people.Student": 600,
    "people.Student_schools": 600,
    "people.Vehicle": 80,
}
EXPECTED_AUDIT_ROWS = 5336


class Built(Exception):
    """Carries what a generation produced out of the transaction that is rolled back."""

    def __init__(self, facts: dict[str, Any]) -> None:
        super().__init__("rolled back")
        self.facts = facts


def build(*, command: bool) -> dict[str, Any]:
    """Generate the small district, collect facts about it, and roll it all back."""
    try:
        with transaction.atomic():
            out = io.StringIO()
            if command:
                call_command(
                    "generate_district", "--profile", "small", "--seed", str(SEED), "--no-progress", stdout=out
                )
                district = District.objects.get(slug=f"bench-small-{SEED}")
                code = f"s{SEED}"
                counts = None
            else:
                result = generate("small", SEED)
                district, code, counts = result.district, result.code, {**result.counts, "audit": result.audit_rows}
            facts = {
                "output": out.getvalue(),
                "counts": counts,
                "names": [
                    sorted(model.objects.filter(district=district).values_list("given_name", "family_name"))
                    for model in (Student, StaffMember, Guardian, OtherPerson)
                ],
                "audit_rows": AuditEvent.objects.count(),
                "chain": [str(p) for p in verify_chain()],
            }
            if not command:
                facts["problems"] = list(problems(district, code, size=25))
                student = Student.objects.filter(district=district).order_by("pk").first()
                assert student is not None
                with connection.cursor() as cursor:
                    cursor.execute("UPDATE people_student SET given_name = %s WHERE id = %s", ["Edited", student.pk])
                facts["after_edit"] = list(problems(district, code, size=5, checked=(Student,)))
            raise Built(facts)
    except Built as built:
        return built.facts


@pytest.mark.django_db
def test_small_profile_is_deterministic_and_audited() -> None:
    first = build(command=True)
    second = build(command=False)

    assert "Consistency check of a sample of every record type: ok" in first["output"]
    assert second["counts"] == {**EXPECTED, "audit": EXPECTED_AUDIT_ROWS}
    assert first["audit_rows"] == second["audit_rows"] == EXPECTED_AUDIT_ROWS
    assert first["names"] == second["names"]
    assert all(first["names"])
    assert first["chain"] == []
    assert second["chain"] == []
    assert second["problems"] == []
    assert any("people.Student" in p and "differs from the record" in p for p in second["after_edit"])
