import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from srodesk.audit.models import AuditEvent
from srodesk.core.tests.sample.models import SampleCase
from srodesk.organizations.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def make_cases() -> dict[str, SampleCase]:
    school = SchoolFactory()
    today = timezone.now().date()
    old = timezone.now() - dt.timedelta(days=45)
    recent = timezone.now() - dt.timedelta(days=5)
    make = lambda title, **kw: SampleCase.objects.create(district=school.district, school=school, title=title, **kw)  # noqa: E731
    return {
        "expired": make("expired", retain_until=today - dt.timedelta(days=1)),
        "expired_on_hold": make("expired on hold", retain_until=today - dt.timedelta(days=1), legal_hold=True),
        "current": make("current", retain_until=today + dt.timedelta(days=1)),
        "deleted_long_ago": make("deleted long ago", deleted_at=old),
        "deleted_recently": make("deleted recently", deleted_at=recent),
    }


def test_purge_removes_due_rows_only_and_leaves_pii_free_tombstones() -> None:
    cases = make_cases()
    out = StringIO()
    call_command("purge", stdout=out)
    left = set(SampleCase.objects.values_list("title", flat=True))
    assert left == {"expired on hold", "current", "deleted recently"}
    tombstones = AuditEvent.objects.filter(action="purge").order_by("seq")
    assert [(t.object_id, t.detail["why"]) for t in tombstones] == [
        (str(cases["expired"].pk), "retention period ended"),
        (str(cases["deleted_long_ago"].pk), "deleted"),
    ]
    assert all(t.object_repr == "" and t.before is None and t.after is None for t in tombstones)
    assert "sample.SampleCase: purged 2" in out.getvalue()
    call_command("verify_audit", stdout=StringIO())


def test_purge_is_idempotent_and_dry_run_changes_nothing() -> None:
    make_cases()
    out = StringIO()
    call_command("purge", "--dry-run", stdout=out)
    assert "sample.SampleCase: would purge 2" in out.getvalue()
    assert SampleCase.objects.count() == 5
    call_command("purge", stdout=StringIO())
    rows = AuditEvent.objects.count()
    out = StringIO()
    call_command("purge", stdout=out)
    assert "purged 0 record(s) in total" in out.getvalue()
    assert AuditEvent.objects.count() == rows


def test_referenced_rows_are_kept() -> None:
    school = SchoolFactory()
    school.retain_until = timezone.now().date() - dt.timedelta(days=1)
    school.save()
    SampleCase.objects.create(district=school.district, school=school, title="points at the school")
    out = StringIO()
    call_command("purge", stdout=out)
    assert "organizations.School: kept 1 still referenced by other records" in out.getvalue()
    assert type(school).objects.filter(pk=school.pk).exists()
