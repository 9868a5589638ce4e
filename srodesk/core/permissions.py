"""The one policy engine.

A permission is an action on a model, written ``<app>.<action>_<model>``. A role grants it either by name
or for a whole record class (``<action>:<record_class>``, e.g. ``view:law_enforcement``); ``*`` grants
everything. A role assignment gives the role within a scope: the platform, a district, a school or an
agency. Each record model says how it reaches each scope (``scope_paths``), and need-to-know models
also require case membership unless the role is granted ``override_need_to_know`` in that scope.

Enforced only in: the base views, the base viewset, the base form (foreign-key choices), exports and
services (through :func:`require`). Out-of-scope lookups therefore answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connections, models
from django.db.models import Q, QuerySet, signals

M = TypeVar("M", bound=models.Model)

OVERRIDE_NEED_TO_KNOW = "override_need_to_know"
VIEW_SHARED = "view_shared"
_CACHE_ATTR = "_srodesk_grants"
_SCOPE_CACHE_ATTR = "_srodesk_in_scope"


@dataclass(frozen=True)
class Grant:
    """One role assignment: the role's permission strings and where they apply."""

    permissions: frozenset[str]
    district_id: int | None = None
    school_id: int | None = None
    agency_id: int | None = None

    @property
    def is_platform(self) -> bool:
        return self.district_id is None and self.school_id is None and self.agency_id is None

    def allows(self, model: type[models.Model], action: str) -> bool:
        perms = self.permissions
        if "*" in perms:
            return True
        opts = model._meta
        if f"{opts.app_label}.{action}_{opts.model_name}" in perms:
            return True
        record_class = getattr(model, "record_class", None)
        class_actions: frozenset[str] | None = getattr(model, "class_grant_actions", None)
        if record_class is None or (class_actions is not None and action not in class_actions):
            return False
        return f"{action}:{record_class}" in perms or f"*:{record_class}" in perms


def split_perm(perm: str) -> tuple[type[models.Model], str]:
    """``"organizations.view_school"`` → (School, "view")."""
    try:
        app_label, codename = perm.split(".", 1)
        action, model_name = codename.rsplit("_", 1)
        return apps.get_model(app_label, model_name), action
    except (ValueError, LookupError) as exc:
        raise ValueError(f"{perm!r} is not a permission of the form <app>.<action>_<model>") from exc


def perm_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def grants(user: Any) -> list[Grant]:
    """The user's grants, loaded once per user object (i.e. once per request)."""
    cached: list[Grant] | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    result: list[Grant] = []
    if getattr(user, "is_authenticated", False) and getattr(user, "is_active", False):
        from srodesk.accounts.models import RoleAssignment

        rows = (
            RoleAssignment.objects.alive()
            .filter(user_id=user.pk)
            .values_list("role__permissions", "district_id", "school_id", "agency_id")
        )
        for perms, district_id, school_id, agency_id in rows:
            result.append(Grant(frozenset(perms or ()), district_id, school_id, agency_id))
    setattr(user, _CACHE_ATTR, result)
    return result


def forget(user: Any) -> None:
    """Drop the cached grants (after a role change in the same request)."""
    for attr in (_CACHE_ATTR, _SCOPE_CACHE_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def _alive_manager_qs(model: type[models.Model]) -> QuerySet[Any]:
    """Every row of a model the path walks through, restricted to live rows when it has ``deleted_at``."""
    qs: QuerySet[Any] = model._base_manager.all()
    if any(f.name == "deleted_at" for f in model._meta.concrete_fields):
        qs = qs.filter(deleted_at__isnull=True)
    return qs


def _link_q(model: type[models.Model], path: str, value: Any) -> Q | None:
    """The rows of ``model`` that reach ``value`` through ``path``, one relation at a time.

    Each hop is a subquery on the table that holds the link (a foreign key column, or a many-to-many
    link table), so the database reads only the rows of the scope instead of joining ``model`` back onto
    itself. ``value`` is an id, or a subquery of ids for the hops after the first. ``None`` when a hop is
    of a kind this does not handle (the caller then uses the general join).
    """
    head, _, rest = path.partition("__")
    field: Any = model._meta.get_field(head)
    related: Any = field.related_model
    if related is None:
        return None
    if rest:
        inner = _link_q(related, rest, value)
        if inner is None:
            return None
        # An intermediate record must be alive: a deleted partnership grants nothing.
        rows: QuerySet[Any] = _alive_manager_qs(related).filter(inner)
        lookup, targets = "in", rows.values("pk")
    else:
        rows = related._base_manager.filter(pk=value)
        lookup, targets = "exact", value
    if field.many_to_one and field.concrete and field.target_field.primary_key:
        return Q(**{f"{field.attname}__{lookup}": targets})
    if field.many_to_many and field.concrete:
        through: Any = field.remote_field.through
        links = through._base_manager.filter(**{f"{field.m2m_reverse_field_name()}__{lookup}": targets})
        return Q(pk__in=links.values(field.m2m_field_name()))
    if isinstance(field, models.ManyToOneRel) and field.one_to_many and field.field.target_field.primary_key:
        return Q(pk__in=rows.values(field.field.attname))
    if isinstance(field, models.ManyToManyRel):
        m2m: Any = field.field
        links = m2m.remote_field.through._base_manager.filter(**{f"{m2m.m2m_field_name()}__{lookup}": targets})
        return Q(pk__in=links.values(m2m.m2m_reverse_field_name()))
    return None


def _path_q(model: type[models.Model], path: str, value: int) -> Q:
    if path == "pk":
        return Q(pk=value)
    first = model._meta.get_field(path.split("__")[0])
    if "__" not in path and first.many_to_one and first.concrete:
        return Q(**{f"{path}_id": value})
    # A multi-valued path (a reverse relation): a subquery keeps the outer query free of duplicates.
    # Every record the path walks through must be alive: a deleted partnership grants nothing.
    if "pk" not in path.split("__"):
        linked = _link_q(model, path, value)
        if linked is not None:
            return linked
    conditions: dict[str, Any] = {path: value}
    current: Any = model
    parts = path.split("__")
    for i, part in enumerate(parts[:-1]):
        current = current._meta.get_field(part).related_model
        if current is not None and any(f.name == "deleted_at" for f in current._meta.concrete_fields):
            conditions["__".join(parts[: i + 1]) + "__deleted_at__isnull"] = True
    return Q(pk__in=model._default_manager.filter(**conditions).values("pk"))


_NOTHING = Q(pk__in=[])


def scope_q(model: type[models.Model], grant: Grant, *, attr: str = "scope_paths") -> Q | None:
    """The rows of ``model`` inside the grant's scope; ``None`` means every row.

    ``attr="shared_scope_paths"`` gives the rows shared into the grant's scope instead.
    """
    if grant.is_platform:
        return None
    paths: dict[str, str | None] = getattr(model, attr, {})
    for scope, value in (("school", grant.school_id), ("district", grant.district_id), ("agency", grant.agency_id)):
        if value is not None:
            path = paths.get(scope)
            return _path_q(model, path, value) if path else _NOTHING
    return _NOTHING


def _combined_q(model: type[models.Model], user: Any, action: str) -> Q | None:
    """OR of the scopes of every grant allowing the action; ``None`` = all rows, ``_NOTHING`` = none."""
    combined: Q | None = _NOTHING
    for grant in grants(user):
        if not grant.allows(model, action):
            continue
        q = scope_q(model, grant)
        if q is None:
            return None
        combined = q if combined is _NOTHING else (combined | q)  # type: ignore[operator]
    if action == "view" and getattr(model, "shared_scope_paths", None):
        for grant in grants(user):
            if grant.allows(model, VIEW_SHARED):
                q = scope_q(model, grant, attr="shared_scope_paths")
                if q is None:
                    return None
                if q is not _NOTHING:
                    combined = q if combined is _NOTHING else (combined | q)  # type: ignore[operator]
    return combined


def restrict(queryset: QuerySet[M], user: Any, action: str = "view") -> QuerySet[M]:
    """Only the rows the user may perform ``action`` on."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return queryset.none()
    if user.is_superuser:
        return queryset
    model = queryset.model
    allowed = _combined_q(model, user, action)
    if allowed is _NOTHING:
        return queryset.none()
    if allowed is not None:
        queryset = queryset.filter(allowed)
    if getattr(model, "need_to_know", False):
        override = _combined_q(model, user, OVERRIDE_NEED_TO_KNOW)
        if override is not None:
            member: Q = model.member_filter(user)  # type: ignore[attr-defined]
            queryset = queryset.filter(member if override is _NOTHING else (member | override))
    return queryset


def has_perm(user: Any, perm: str, obj: models.Model | None = None) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    model, action = split_perm(perm)
    if obj is None:
        shared = action == "view" and bool(getattr(model, "shared_scope_paths", None))
        return any(
            grant.allows(model, action) or (shared and grant.allows(model, VIEW_SHARED)) for grant in grants(user)
        )
    if obj.pk is None:
        return _unsaved_in_scope(model, user, action, obj)
    return exists_in_scope(user, restrict(model._default_manager.filter(pk=obj.pk), user, action))


def exists_in_scope(user: Any, queryset: QuerySet[Any]) -> bool:
    """Whether the one-record queryset has its row, asked once per request for the same SQL.

    A page checks several permissions on the same record (a profile: view, each panel's grant), which
    for most grants compile to the same scope query. The answer is remembered on the user object, like
    the grants, while nothing has been written since (any save, delete or many-to-many change in the
    process forgets it) and never inside a transaction, which could still be rolled back.
    """
    # The EXISTS form is compiled once: its SQL is both the key and what is sent.
    query = queryset.query.exists()
    try:
        sql, params = query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return False
    key = (queryset.db, sql, tuple(params))
    usable = _outside_transaction(queryset.db)
    cache: dict[Any, tuple[int, bool]] | None = getattr(user, _SCOPE_CACHE_ATTR, None)
    if usable and cache is not None:
        hit = cache.get(key)
        if hit is not None and hit[0] == _writes[0]:
            return hit[1]
    writes = _writes[0]
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        result = cursor.fetchone() is not None
    if usable:
        if cache is None:
            cache = {}
            setattr(user, _SCOPE_CACHE_ATTR, cache)
        cache[key] = (writes, result)
    return result


def _outside_transaction(alias: str) -> bool:
    """No transaction open on the connection (the test case's own wrapping transaction aside)."""
    conn = connections[alias]
    return all(getattr(block, "_from_testcase", False) for block in conn.atomic_blocks)


#: Writes seen by this process: a remembered scope answer is used only while this has not moved.
_writes = [0]


def _record_write(**kwargs: Any) -> None:
    _writes[0] += 1


for _signal in (signals.post_save, signals.post_delete, signals.m2m_changed):
    _signal.connect(_record_write, dispatch_uid="srodesk.core.permissions.record_write")


def _unsaved_in_scope(model: type[models.Model], user: Any, action: str, obj: models.Model) -> bool:
    """Scope check for a record not yet saved (simple foreign-key scope paths only)."""
    paths: dict[str, str | None] = getattr(model, "scope_paths", {})
    for grant in grants(user):
        if not grant.allows(model, action):
            continue
        if grant.is_platform:
            return True
        for scope, value in (("school", grant.school_id), ("district", grant.district_id), ("agency", grant.agency_id)):
            path = paths.get(scope)
            simple = path is not None and "__" not in path and path != "pk"
            if value is not None and simple and getattr(obj, f"{path}_id", None) == value:
                return True
    return False


def hidden_fields(user: Any, model: type[models.Model], obj: models.Model | None = None) -> frozenset[str]:
    """Restricted fields the user may not see at all (``obj=None``) or on this record."""
    hidden: set[str] = set()
    for action, fields in getattr(model, "restricted_fields", {}).items():
        if not has_perm(user, perm_name(model, action), obj):
            hidden.update(fields)
    return frozenset(hidden)


def masked_fields(user: Any, model: type[models.Model], pks: list[Any]) -> dict[Any, frozenset[str]]:
    """For a page of rows: the restricted fields to mask on each row (one query per restricted action)."""
    masks: dict[Any, set[str]] = {pk: set() for pk in pks}
    for action, fields in getattr(model, "restricted_fields", {}).items():
        if not has_perm(user, perm_name(model, action)):
            allowed: set[Any] = set()
        else:
            qs = restrict(model._default_manager.filter(pk__in=pks), user, action)
            allowed = set(qs.values_list("pk", flat=True))
        for pk in pks:
            if pk not in allowed:
                masks[pk].update(fields)
    return {pk: frozenset(fields) for pk, fields in masks.items()}


def require(user: Any, perm: str, obj: models.Model | None = None) -> None:
    """Raise PermissionDenied unless the user holds ``perm`` (on ``obj``, when given)."""
    if not has_perm(user, perm, obj):
        raise PermissionDenied(f"{getattr(user, 'username', 'anonymous')} may not {perm}")


class ScopedPermissionBackend(ModelBackend):
    """Password authentication plus the policy engine as Django's permission backend."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        try:
            return has_perm(user_obj, perm, obj)
        except ValueError:
            return bool(getattr(user_obj, "is_superuser", False) and user_obj.is_active)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return bool(getattr(user_obj, "is_superuser", False) and user_obj.is_active)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()
