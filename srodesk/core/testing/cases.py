from __future__ import annotations

import csv
import io
from typing import Any, ClassVar

from django.db import connection
from django.db.models import Model
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from srodesk.accounts.models import ApiToken, Role, RoleAssignment, User
from srodesk.audit.models import AuditEvent
from srodesk.core import registry
from srodesk.core.models import ACCESS_LOGGED_CLASSES, RecordModel
from srodesk.core.permissions import OVERRIDE_NEED_TO_KNOW, perm_name
from srodesk.organizations.models import Agency, District, Partnership, School

ACTIONS = ("view", "add", "change", "delete", "export", OVERRIDE_NEED_TO_KNOW)


class Scenario:
    """Two districts, each with its agency; the home district has two schools, the away district one."""

    district_home: District
    district_away: District
    school_home: School
    school_home2: School
    school_away: School
    agency_home: Agency
    agency_away: Agency
    partnership_home: Partnership
    partnership_away: Partnership

    @classmethod
    def build_scenario(cls) -> None:
        cls.district_home = District.objects.create(name="Home District", slug="home", state="MI")
        cls.district_away = District.objects.create(name="Away District", slug="away", state="OH")
        cls.school_home = School.objects.create(district=cls.district_home, name="Home High")
        cls.school_home2 = School.objects.create(district=cls.district_home, name="Home Middle", level="middle")
        cls.school_away = School.objects.create(district=cls.district_away, name="Away High")
        cls.agency_home = Agency.objects.create(name="Home Police", ori="MIHOME001", state="MI")
        cls.agency_away = Agency.objects.create(name="Away Police", ori="OHAWAY001", state="OH")
        cls.partnership_home = Partnership.objects.create(
            agency=cls.agency_home, district=cls.district_home, state="MI"
        )
        cls.partnership_away = Partnership.objects.create(
            agency=cls.agency_away, district=cls.district_away, state="OH"
        )

    @classmethod
    def scope_target(cls, scope: str, home: bool) -> dict[str, Any]:
        """RoleAssignment kwargs for the home or away side of a scope."""
        if scope == "platform":
            return {}
        side = "home" if home else "away"
        return {scope: getattr(cls, f"{scope}_{side}")}


class _RecordTestBase(Scenario, TestCase):
    model: ClassVar[type[Model]]
    factory: ClassVar[Any]
    #: The scope at which in-scope and out-of-scope users hold their role.
    scope: ClassVar[str] = "district"
    #: The scope of the user who creates a record (types that are themselves scopes need "platform").
    add_scope: ClassVar[str | None] = None
    #: A field and a new value for the edit tests.
    edit_field: ClassVar[tuple[str, Any]] = ("name", "Renamed by test")
    #: The maximum number of queries a list page may make (whatever its length).
    max_list_queries: ClassVar[int] = 20

    obj_home: Any
    obj_away: Any
    role: Role
    unrelated_role: Role
    user_in: User
    user_out: User
    user_noperm: User
    user_platform: User
    user_adder: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.build_scenario()
        label = f"{cls.model._meta.app_label}-{cls.model._meta.model_name}"
        cls.role = Role.objects.create(
            slug=f"test-{label}"[:40],
            name=f"Test {label}",
            # The model's own actions, and sight of the records its forms point at.
            permissions=[perm_name(cls.model, a) for a in ACTIONS]
            + [perm_name(m, "view") for m in cls.related_records()],
            personal_data=False,
        )
        cls.unrelated_role = Role.objects.create(
            slug=f"test-unrelated-{label}"[:40],
            name="Unrelated",
            permissions=["audit.view_nothing"],
            personal_data=False,
        )
        cls.user_in = cls.make_user("in", cls.role, cls.scope_target(cls.scope, True))
        cls.user_out = cls.make_user("out", cls.role, cls.scope_target(cls.scope, False))
        cls.user_noperm = cls.make_user("noperm", cls.unrelated_role, cls.scope_target(cls.scope, True))
        cls.user_platform = cls.make_user("platform", cls.role, {})
        add_scope = cls.add_scope or cls.scope
        cls.user_adder = cls.make_user("adder", cls.role, cls.scope_target(add_scope, True))
        cls.obj_home = cls.create_object(home=True)
        cls.obj_away = cls.create_object(home=False)

    @classmethod
    def related_records(cls) -> set[type[Model]]:
        related: set[type[Model]] = {District, School, Agency}
        for field in cls.model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if field.concrete and isinstance(target, type) and issubclass(target, RecordModel):
                related.add(target)
        return related

    @classmethod
    def make_user(cls, name: str, role: Role, scope: dict[str, Any]) -> User:
        user = User.objects.create_user(username=f"{name}-{cls.__name__}".lower()[:150], password="unused-password-123")
        RoleAssignment.objects.create(user=user, role=role, **scope)
        return user

    # --- data hooks -------------------------------------------------------------------------------
    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        """A record on the home or away side of ``scope``; override for types that are scopes themselves."""
        side = "home" if home else "away"
        school = getattr(cls, f"school_{side}")
        names = {f.name for f in cls.model._meta.get_fields()}
        kwargs: dict[str, Any] = {}
        if "school" in names:
            kwargs["school"] = school
        if "district" in names:
            kwargs["district"] = school.district
        if "agency" in names:
            kwargs["agency"] = getattr(cls, f"agency_{side}")
        return cls.factory(**kwargs)

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            cls.factory()

    def get_form_data(self) -> dict[str, Any]:
        raise NotImplementedError

    def get_api_data(self) -> dict[str, Any]:
        return self.get_form_data()

    # --- helpers ----------------------------------------------------------------------------------
    @property
    def entry(self) -> registry.RecordType:
        return registry.get(self.model)

    def url(self, action: str, obj: Any = None) -> str:
        return reverse(self.entry.url_name(action), args=[obj.pk] if obj is not None else [])

    def snapshot(self, obj: Any) -> dict[str, Any]:
        fresh = type(obj)._default_manager.get(pk=obj.pk)
        return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}

    def stored(self, obj: Any, field: str) -> Any:
        """The value in the database (by attname: a foreign key compares as its id)."""
        attname = self.model._meta.get_field(field).attname  # type: ignore[union-attr]
        return getattr(self.model._default_manager.get(pk=obj.pk), attname)

    def count(self) -> int:
        return self.model._default_manager.count()

    def alive_count(self) -> int:
        return self.model._default_manager.filter(deleted_at__isnull=True).count()

    def audit_rows(self, **filters: Any) -> int:
        return AuditEvent.objects.filter(**filters).count()

    @property
    def access_logged(self) -> bool:
        return getattr(self.model, "record_class", None) in ACCESS_LOGGED_CLASSES

    def edit_data_for(self, obj: Any) -> dict[str, Any]:
        form = self.entry.form(instance=obj, user=self.user_platform)
        data: dict[str, Any] = {}
        for name in form.fields:
            value = form[name].value()
            if value is None:
                value = ""
            elif isinstance(value, list | tuple):
                value = [str(v) for v in value]
            data[name] = value
        field, new_value = self.edit_field
        data[field] = new_value
        return data


class ViewTestCases:
    """Holder class: the base suites are never collected on their own."""

    class RecordViewTests(_RecordTestBase):
        # --- list ---------------------------------------------------------------------------------
        def test_list_anonymous_redirects_to_login(self) -> None:
            response = self.client.get(self.url("list"))
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("accounts:login"), response["Location"])

        def test_list_without_permission_is_forbidden(self) -> None:
            self.client.force_login(self.user_noperm)
            self.assertEqual(self.client.get(self.url("list")).status_code, 403)

        def test_list_shows_only_in_scope_rows(self) -> None:
            self.client.force_login(self.user_in)
            response = self.client.get(self.url("list"))
            self.assertEqual(response.status_code, 200)
            shown = {obj.pk for obj in response.context["page"].object_list}
            self.assertIn(self.obj_home.pk, shown)
            self.assertNotIn(self.obj_away.pk, shown)

        def test_list_query_count_does_not_grow_with_rows(self) -> None:
            self.client.force_login(self.user_platform)
            url = self.url("list")
            self.client.get(url)  # warm caches (content types, sessions)
            self.create_extra(2)
            with CaptureQueriesContext(connection) as few:
                self.assertEqual(self.client.get(url).status_code, 200)
            self.create_extra(6)
            with CaptureQueriesContext(connection) as many:
                self.assertEqual(self.client.get(url).status_code, 200)
            self.assertEqual(len(few), len(many), "the list page makes a query per row")
            self.assertLessEqual(len(many), self.max_list_queries)

        def test_list_filter_and_sort(self) -> None:
            self.client.force_login(self.user_platform)
            first = self.entry.table.fields[0]
            for sort in (first, f"-{first}"):
                self.assertEqual(self.client.get(self.url("list"), {"sort": sort}).status_code, 200)
            response = self.client.get(self.url("list"), {"q": "no-such-record-zzz"})
            self.assertEqual(response.status_code, 200)
            if self.model.search_fields:  # type: ignore[attr-defined]
                self.assertEqual(list(response.context["page"].object_list), [])

        def test_list_htmx_returns_table_partial(self) -> None:
            self.client.force_login(self.user_in)
            response = self.client.get(self.url("list"), headers={"HX-Request": "true"})
            self.assertEqual(response.status_code, 200)
            body = response.content.decode()
            self.assertTrue(body.lstrip().startswith('<div id="table"'))
            self.assertNotIn("<html", body)

        def test_list_access_is_logged_for_sensitive_classes(self) -> None:
            self.client.force_login(self.user_in)
            before = self.audit_rows(kind="access", action="list")
            self.client.get(self.url("list"))
            self.assertEqual(self.audit_rows(kind="access", action="list") - before, 1 if self.access_logged else 0)

        # --- export -------------------------------------------------------------------------------
        def test_export_contains_only_in_scope_rows(self) -> None:
            self.client.force_login(self.user_in)
            before = self.audit_rows(kind="access", action="export")
            response = self.client.get(self.url("list"), {"export": "csv"})
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
            rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
            table = self.entry.table([])
            self.assertEqual(rows[0], [c.header for c in table.columns])
            exported = rows[1:]
            self.assertIn(table.cells(self.obj_home), exported)
            self.assertNotIn(table.cells(self.obj_away), exported)
            self.assertEqual(self.audit_rows(kind="access", action="export") - before, 1)
            event = AuditEvent.objects.filter(kind="access", action="export").order_by("-seq").first()
            assert event is not None
            self.assertEqual(event.actor_id, self.user_in.pk)
            self.assertEqual(event.detail["count"], len(exported))

        def test_export_without_permission_is_forbidden(self) -> None:
            self.client.force_login(self.user_noperm)
            self.assertEqual(self.client.get(self.url("list"), {"export": "csv"}).status_code, 403)

        # --- detail -------------------------------------------------------------------------------
        def test_detail_anonymous_redirects(self) -> None:
            self.assertEqual(self.client.get(self.url("detail", self.obj_home)).status_code, 302)

        def test_detail_without_permission_is_forbidden(self) -> None:
            self.client.force_login(self.user_noperm)
            self.assertEqual(self.client.get(self.url("detail", self.obj_home)).status_code, 403)

        def test_detail_in_scope(self) -> None:
            self.client.force_login(self.user_in)
            before = self.audit_rows(kind="access", action="view")
            response = self.client.get(self.url("detail", self.obj_home))
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.context["object"].pk, self.obj_home.pk)
            self.assertEqual(self.audit_rows(kind="access", action="view") - before, 1 if self.access_logged else 0)

        def test_detail_out_of_scope_is_not_found(self) -> None:
            self.client.force_login(self.user_out)
            before = self.audit_rows()
            self.assertEqual(self.client.get(self.url("detail", self.obj_home)).status_code, 404)
            self.assertEqual(self.audit_rows(), before)

        def test_detail_of_deleted_record_is_not_found(self) -> None:
            self.model._default_manager.filter(pk=self.obj_home.pk).update(deleted_at="2020-01-01T00:00:00Z")
            self.client.force_login(self.user_in)
            self.assertEqual(self.client.get(self.url("detail", self.obj_home)).status_code, 404)

        # --- history ------------------------------------------------------------------------------
        def test_history_in_scope_and_out_of_scope(self) -> None:
            self.client.force_login(self.user_in)
            response = self.client.get(self.url("history", self.obj_home))
            self.assertEqual(response.status_code, 200)
            actions = [event.action for event, _ in response.context["changes"]]
            self.assertEqual(actions[0], "create")
            self.client.force_login(self.user_out)
            self.assertEqual(self.client.get(self.url("history", self.obj_home)).status_code, 404)

        # --- create -------------------------------------------------------------------------------
        def test_create_anonymous_changes_nothing(self) -> None:
            if not self.entry.editable:
                return
            before = self.count()
            response = self.client.post(self.url("add"), self.get_form_data())
            self.assertEqual(response.status_code, 302)
            self.assertEqual(self.count(), before)

        def test_create_without_permission_changes_nothing(self) -> None:
            if not self.entry.editable:
                return
            self.client.force_login(self.user_noperm)
            before = self.count()
            self.assertEqual(self.client.post(self.url("add"), self.get_form_data()).status_code, 403)
            self.assertEqual(self.count(), before)

        def test_create_in_scope(self) -> None:
            if not self.entry.editable:
                return
            self.client.force_login(self.user_adder)
            before, audits = self.count(), self.audit_rows(kind="change", action="create")
            response = self.client.post(self.url("add"), self.get_form_data())
            self.assertEqual(
                response.status_code,
                302,
                getattr(response, "context", {}) and response.context.get("form") and response.context["form"].errors,
            )
            self.assertEqual(self.count(), before + 1)
            created = self.model._default_manager.order_by("-pk").first()
            assert created is not None
            self.assertEqual(response["Location"], self.url("detail", created))
            self.assertEqual(created.created_by_id, self.user_adder.pk)  # type: ignore[attr-defined]
            self.assertEqual(self.audit_rows(kind="change", action="create") - audits, 1)
            event = AuditEvent.objects.for_object(created).get(action="create")
            self.assertEqual(event.actor_id, self.user_adder.pk)
            self.assertIsNone(event.before)

        def test_create_out_of_scope_changes_nothing(self) -> None:
            if not self.entry.editable:
                return
            self.client.force_login(self.user_out)
            before, audits = self.count(), self.audit_rows()
            response = self.client.post(self.url("add"), self.get_form_data())
            self.assertIn(response.status_code, (403, 422))
            self.assertEqual(self.count(), before)
            self.assertEqual(self.audit_rows(), audits)

        def test_invalid_form_keeps_what_was_typed(self) -> None:
            if not self.entry.editable:
                return
            self.client.force_login(self.user_adder)
            data = self.get_form_data()
            field, value = self.edit_field
            data[field] = value
            required = [n for n, f in self.entry.form(user=self.user_adder).fields.items() if f.required and n != field]
            if not required:
                return
            data.pop(required[0])
            before = self.count()
            response = self.client.post(self.url("add"), data)
            self.assertEqual(response.status_code, 422)
            self.assertEqual(self.count(), before)
            self.assertIn(required[0], response.context["form"].errors)
            self.assertEqual(str(response.context["form"][field].value()), str(value))

        # --- edit ---------------------------------------------------------------------------------
        def test_edit_in_scope(self) -> None:
            if not self.entry.editable:
                return
            self.client.force_login(self.user_in)
            field, value = self.edit_field
            self.assertEqual(self.client.get(self.url("edit", self.obj_home)).status_code, 200)
            response = self.client.post(self.url("edit", self.obj_home), self.edit_data_for(self.obj_home))
            self.assertEqual(response.status_code, 302, response.context["form"].errors if response.context else "")
            self.assertEqual(self.stored(self.obj_home, field), value)
            event = AuditEvent.objects.for_object(self.obj_home).filter(action="update").order_by("-seq").first()
            assert event is not None
            self.assertEqual(event.actor_id, self.user_in.pk)
            attname = self.model._meta.get_field(field).attname  # type: ignore[union-attr]
            assert event.after is not None
            assert event.before is not None
            self.assertEqual(event.after[attname], value)
            self.assertNotEqual(event.before[attname], value)

        def test_edit_out_of_scope_is_not_found_and_changes_nothing(self) -> None:
            if not self.entry.editable:
                return
            self.client.force_login(self.user_out)
            before = self.snapshot(self.obj_home)
            self.assertEqual(self.client.get(self.url("edit", self.obj_home)).status_code, 404)
            response = self.client.post(self.url("edit", self.obj_home), self.edit_data_for(self.obj_home))
            self.assertEqual(response.status_code, 404)
            self.assertEqual(self.snapshot(self.obj_home), before)

        def test_edit_without_permission_changes_nothing(self) -> None:
            if not self.entry.editable:
                return
            self.client.force_login(self.user_noperm)
            before = self.snapshot(self.obj_home)
            response = self.client.post(self.url("edit", self.obj_home), self.edit_data_for(self.obj_home))
            self.assertEqual(response.status_code, 403)
            self.assertEqual(self.snapshot(self.obj_home), before)

        # --- delete -------------------------------------------------------------------------------
        def test_delete_in_scope_is_soft_and_audited(self) -> None:
            if not self.entry.editable:
                return
            self.client.force_login(self.user_in)
            self.assertEqual(self.client.get(self.url("delete", self.obj_home)).status_code, 200)
            alive = self.alive_count()
            response = self.client.post(self.url("delete", self.obj_home), {"reason": "entered twice"})
            self.assertEqual(response.status_code, 302)
            self.assertEqual(self.alive_count(), alive - 1)
            self.assertTrue(self.model._default_manager.filter(pk=self.obj_home.pk).exists())
            event = AuditEvent.objects.for_object(self.obj_home).filter(action="delete").get()
            self.assertEqual(event.reason, "entered twice")
            self.assertEqual(event.actor_id, self.user_in.pk)

        def test_delete_needs_a_reason(self) -> None:
            if not self.entry.editable:
                return
            self.client.force_login(self.user_in)
            response = self.client.post(self.url("delete", self.obj_home), {"reason": ""})
            self.assertEqual(response.status_code, 422)
            self.assertIsNone(self.snapshot(self.obj_home)["deleted_at"])

        def test_delete_out_of_scope_changes_nothing(self) -> None:
            if not self.entry.editable:
                return
            self.client.force_login(self.user_out)
            before = self.snapshot(self.obj_home)
            self.assertEqual(self.client.post(self.url("delete", self.obj_home), {"reason": "x"}).status_code, 404)
            self.assertEqual(self.snapshot(self.obj_home), before)

        def test_delete_without_permission_changes_nothing(self) -> None:
            if not self.entry.editable:
                return
            self.client.force_login(self.user_noperm)
            before = self.snapshot(self.obj_home)
            self.assertEqual(self.client.post(self.url("delete", self.obj_home), {"reason": "x"}).status_code, 403)
            self.assertEqual(self.snapshot(self.obj_home), before)


class APITestCases:
    """Holder class: the base suites are never collected on their own."""

    class RecordAPITests(_RecordTestBase):
        def api(self, user: User | None) -> APIClient:
            client = APIClient()
            if user is not None:
                _, key = ApiToken.issue(user, name="test")
                client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            return client

        def api_url(self, action: str, obj: Any = None) -> str:
            name = f"api:{self.entry.api_basename}-{action}"
            return reverse(name, args=[obj.pk] if obj is not None else [])

        def test_read_only_types_refuse_writes(self) -> None:
            if self.entry.editable:
                return
            client = self.api(self.user_platform)
            before = self.snapshot(self.obj_home)
            count = self.count()
            # Some read-only types are still created through their service with POST.
            if "post" not in getattr(self.entry.viewset, "http_method_names", ()):
                self.assertEqual(client.post(self.api_url("list"), {}, format="json").status_code, 405)
            self.assertEqual(client.patch(self.api_url("detail", self.obj_home), {}, format="json").status_code, 405)
            self.assertEqual(client.delete(self.api_url("detail", self.obj_home)).status_code, 405)
            self.assertEqual(self.snapshot(self.obj_home), before)
            self.assertEqual(self.count(), count)

        def test_anonymous_is_unauthorized(self) -> None:
            response = self.api(None).get(self.api_url("list"))
            self.assertEqual(response.status_code, 401)
            self.assertEqual(response.json()["errors"][0]["code"], "not_authenticated")

        def test_list_without_permission_is_forbidden(self) -> None:
            self.assertEqual(self.api(self.user_noperm).get(self.api_url("list")).status_code, 403)

        def test_list_shows_only_in_scope_rows(self) -> None:
            response = self.api(self.user_in).get(self.api_url("list"))
            self.assertEqual(response.status_code, 200)
            ids = {row["id"] for row in response.json()["results"]}
            self.assertIn(self.obj_home.pk, ids)
            self.assertNotIn(self.obj_away.pk, ids)

        def test_list_query_count_does_not_grow_with_rows(self) -> None:
            client = self.api(self.user_platform)
            url = self.api_url("list")
            client.get(url)
            self.create_extra(2)
            with CaptureQueriesContext(connection) as few:
                self.assertEqual(client.get(url).status_code, 200)
            self.create_extra(6)
            with CaptureQueriesContext(connection) as many:
                self.assertEqual(client.get(url).status_code, 200)
            self.assertEqual(len(few), len(many), "the list endpoint makes a query per row")
            self.assertLessEqual(len(many), self.max_list_queries)

        def test_bad_filter_is_a_400_naming_the_field(self) -> None:
            filters = self.entry.filterset.base_filters
            if "created_after" not in filters:
                return
            response = self.api(self.user_in).get(self.api_url("list"), {"created_after": "not-a-date"})
            self.assertEqual(response.status_code, 400)
            self.assertEqual(response.json()["errors"][0]["field"], "created_after")

        def test_retrieve_in_scope_and_out_of_scope(self) -> None:
            response = self.api(self.user_in).get(self.api_url("detail", self.obj_home))
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json()["id"], self.obj_home.pk)
            self.assertEqual(response.json()["display"], str(self.obj_home))
            self.assertEqual(self.api(self.user_out).get(self.api_url("detail", self.obj_home)).status_code, 404)

        def test_create_in_scope(self) -> None:
            if not self.entry.editable:
                return
            before = self.count()
            response = self.api(self.user_adder).post(self.api_url("list"), self.get_api_data(), format="json")
            self.assertEqual(response.status_code, 201, response.content)
            self.assertEqual(self.count(), before + 1)
            created = self.model._default_manager.get(pk=response.json()["id"])
            self.assertEqual(created.created_by_id, self.user_adder.pk)  # type: ignore[attr-defined]
            self.assertEqual(AuditEvent.objects.for_object(created).get(action="create").actor_id, self.user_adder.pk)

        def test_create_invalid_is_a_400_and_changes_nothing(self) -> None:
            if not self.entry.editable:
                return
            data = self.get_api_data()
            field = next(iter(data))
            data[field] = ["not", "valid"] if not isinstance(data[field], list) else "not valid"
            before = self.count()
            response = self.api(self.user_adder).post(self.api_url("list"), data, format="json")
            self.assertEqual(response.status_code, 400)
            self.assertIn(field, {e["field"] for e in response.json()["errors"]})
            self.assertEqual(self.count(), before)

        def test_create_out_of_scope_changes_nothing(self) -> None:
            if not self.entry.editable:
                return
            before, audits = self.count(), self.audit_rows()
            response = self.api(self.user_out).post(self.api_url("list"), self.get_api_data(), format="json")
            self.assertIn(response.status_code, (400, 403))
            self.assertEqual(self.count(), before)
            self.assertEqual(self.audit_rows(), audits)

        def test_create_without_permission_changes_nothing(self) -> None:
            if not self.entry.editable:
                return
            before = self.count()
            response = self.api(self.user_noperm).post(self.api_url("list"), self.get_api_data(), format="json")
            self.assertEqual(response.status_code, 403)
            self.assertEqual(self.count(), before)

        def test_update_in_scope(self) -> None:
            if not self.entry.editable:
                return
            field, value = self.edit_field
            response = self.api(self.user_in).patch(
                self.api_url("detail", self.obj_home), {field: value}, format="json"
            )
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual(self.stored(self.obj_home, field), value)

        def test_update_out_of_scope_is_not_found_and_changes_nothing(self) -> None:
            if not self.entry.editable:
                return
            field, value = self.edit_field
            before = self.snapshot(self.obj_home)
            response = self.api(self.user_out).patch(
                self.api_url("detail", self.obj_home), {field: value}, format="json"
            )
            self.assertEqual(response.status_code, 404)
            self.assertEqual(self.snapshot(self.obj_home), before)

        def test_delete_in_scope_is_soft(self) -> None:
            if not self.entry.editable:
                return
            response = self.api(self.user_in).delete(self.api_url("detail", self.obj_home) + "?reason=duplicate")
            self.assertEqual(response.status_code, 204)
            self.assertIsNotNone(self.snapshot(self.obj_home)["deleted_at"])
            self.assertEqual(AuditEvent.objects.for_object(self.obj_home).get(action="delete").reason, "duplicate")
            self.assertEqual(self.api(self.user_in).get(self.api_url("detail", self.obj_home)).status_code, 404)

        def test_delete_out_of_scope_changes_nothing(self) -> None:
            if not self.entry.editable:
                return
            before = self.snapshot(self.obj_home)
            self.assertEqual(self.api(self.user_out).delete(self.api_url("detail", self.obj_home)).status_code, 404)
            self.assertEqual(self.snapshot(self.obj_home), before)

        def test_delete_without_permission_changes_nothing(self) -> None:
            if not self.entry.editable:
                return
            before = self.snapshot(self.obj_home)
            self.assertEqual(self.api(self.user_noperm).delete(self.api_url("detail", self.obj_home)).status_code, 403)
            self.assertEqual(self.snapshot(self.obj_home), before)
