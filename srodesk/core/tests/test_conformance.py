"""Every registered record type is fully wired; and the check notices when a piece is missing."""

import pytest
from django.contrib import admin

from srodesk.core import conformance, registry
from srodesk.core.tables import RecordTable
from srodesk.organizations.models import District, School


def test_the_registry_holds_every_record_type() -> None:
    names = {e.model.__name__ for e in registry.entries()}
    assert {"District", "School", "Agency", "Partnership", "RoleAssignment", "SampleCase"} <= names


@pytest.mark.parametrize("entry", registry.entries(), ids=lambda e: e.model.__name__)
def test_every_registered_type_is_fully_wired(entry: registry.RecordType) -> None:
    assert conformance.problems(entry) == []


def test_missing_admin_is_noticed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(admin.site._registry, School)
    assert conformance.problems(registry.get(School)) == ["School: not registered in the admin"]


def test_wrong_table_is_noticed(monkeypatch: pytest.MonkeyPatch) -> None:
    class SchoolTable(RecordTable):
        model = District

    monkeypatch.setattr(registry.get(School), "table", SchoolTable)
    found = conformance.problems(registry.get(School))
    assert len(found) == 1
    assert found[0].startswith("School: SchoolTable is for")


def test_missing_urls_and_api_routes_are_noticed(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = registry.get(School)
    monkeypatch.setattr(entry.model._meta, "model_name", "schoolx")
    found = conformance.problems(entry)
    assert "School: no URL organizations:schoolx_list" in found
    assert "School: no API route api:organizations-schoolx-list" in found


def test_missing_test_suite_is_noticed(monkeypatch: pytest.MonkeyPatch) -> None:
    from srodesk.organizations.tests import test_api

    monkeypatch.delattr(test_api, "SchoolAPITests")
    assert conformance.problems(registry.get(School)) == [
        "School: no APITestCases.RecordAPITests suite in srodesk.organizations.tests.test_api"
    ]
