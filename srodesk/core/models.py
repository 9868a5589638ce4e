"""Base classes for every record in SRO Desk: audit fields, soft delete, retention and scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .audit import to_json_value

if TYPE_CHECKING:
    from django.db.models import Q


class RecordClass(models.TextChoices):
    """The record classes of DESIGN.md. Access is granted per class, and sensitive classes are access-logged."""

    LAW_ENFORCEMENT = "law_enforcement", "Law-enforcement unit record"
    EDUCATION = "education", "Education record"
    HR = "hr", "Human-resources record"
    OPERATIONAL = "operational", "Operational record"


#: Record classes whose every view, export or print writes an access-log row.
ACCESS_LOGGED_CLASSES = frozenset({RecordClass.LAW_ENFORCEMENT, RecordClass.EDUCATION})


class RecordQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def alive(self) -> Self:
        return self.filter(deleted_at__isnull=True)

    def restrict(self, user: Any, action: str = "view") -> Self:
        from . import permissions

        return permissions.restrict(self, user, action)  # type: ignore[return-value]


class RecordManager(models.Manager.from_queryset(RecordQuerySet)):  # type: ignore[misc]
    pass


_UNSET = object()
_MUTABLE: dict[tuple[type, tuple[str, ...]], tuple[int, ...]] = {}


def _mutable_positions(model: type, field_names: Any) -> tuple[int, ...]:
    """Where, in a row loaded with these fields, values may be lists or dicts (JSON and array fields)."""
    key = (model, tuple(field_names))
    found = _MUTABLE.get(key)
    if found is None:
        kinds = {"JSONField", "ArrayField", "HStoreField"}
        by_attname = {f.attname: f for f in model._meta.concrete_fields}  # type: ignore[attr-defined]
        found = _MUTABLE[key] = tuple(
            i
            for i, name in enumerate(field_names)
            if name in by_attname
            and (by_attname[name].get_internal_type() in kinds or type(by_attname[name]).__name__ in kinds)
        )
    return found


class AuditedMixin:
    """Every save of a model with this mixin is written to the audit log by the one change hook.

    ``audit_exclude`` names fields never written there (secrets, bookkeeping).
    """

    audit_exclude: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Self:
        instance: Self = super().from_db(db, field_names, values)  # type: ignore[misc]
        # The "before" state is worked out only when the row is saved (most loaded rows are only read).
        # Lists and dicts (JSON, arrays) are taken in their audited form now, a copy, so that changing one
        # in place does not change "before".
        mutable = _mutable_positions(cls, field_names)
        if mutable:
            values = list(values)
            for i in mutable:
                if isinstance(values[i], list | dict):
                    values[i] = to_json_value(values[i])
        instance.__dict__["_audit_loaded"] = (field_names, values)
        return instance

    @property
    def _audit_before(self) -> dict[str, Any] | None:
        """The audited state as loaded from the database (or as last saved); ``None`` for a new row."""
        state = self.__dict__.get("_audit_state", _UNSET)
        if state is _UNSET:
            loaded = self.__dict__.get("_audit_loaded")
            if loaded is None:
                return None
            from .audit import snapshot

            state = snapshot(self, dict(zip(*loaded, strict=True)))  # type: ignore[arg-type]
            self.__dict__["_audit_state"] = state
        return state  # type: ignore[no-any-return]

    @_audit_before.setter
    def _audit_before(self, state: dict[str, Any] | None) -> None:
        self.__dict__["_audit_state"] = state


class RecordModel(AuditedMixin, models.Model):
    """A record: who made and changed it, soft delete, retention, and its place in the policy engine.

    Subclasses set:
    - ``record_class``: one of :class:`RecordClass`;
    - ``scope_paths``: lookups from the record to its district, school and agency (``None`` when the
      record has no such scope); the policy engine builds its queryset filter from them;
    - ``need_to_know``: when true, the model also defines ``member_filter(user)`` (a ``Q``) and only case
      members, or roles granted ``override_need_to_know``, see its rows.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    retain_until = models.DateField(null=True, blank=True, help_text="Set by the retention schedule on closure.")
    legal_hold = models.BooleanField(default=False, help_text="A record on legal hold is never purged.")

    objects = RecordManager()

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = {"district": None, "school": None, "agency": None}
    need_to_know: ClassVar[bool] = False
    #: Scope paths through explicit shares: a grant allowing ``view_shared`` on the model (e.g. a school
    #: administrator's ``view_shared:law_enforcement``) sees a row once it was shared into the grant's scope.
    shared_scope_paths: ClassVar[dict[str, str | None]] = {}
    #: The actions a record-class grant (``view:operational``) covers for this model; ``None`` = all.
    #: A model that must only be reachable by named grants (``accounts.add_roleassignment``) narrows it.
    class_grant_actions: ClassVar[frozenset[str] | None] = None
    #: Fields only some roles may see: custom action → fields, e.g. ``{"view_programs": ("idea", …)}``.
    #: A user sees them on a row only when granted ``<app>.<action>_<model>`` in that row's scope;
    #: everywhere else (tables, detail, API, exports, forms, filters) they are left out or masked.
    restricted_fields: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: Large fields (a campus boundary) that list pages and related columns never show: left out when the
    #: record is loaded as another record's foreign key (``RecordTable.with_related``).
    bulky_fields: ClassVar[tuple[str, ...]] = ()
    #: Fields a viewer's search box matches (``icontains``).
    search_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        from .audit import current

        actor = current().actor
        actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
        if actor_id is not None:
            if self._state.adding and self.created_by_id is None:
                self.created_by_id = actor_id
            self.updated_by_id = actor_id
            if "update_fields" in kwargs and kwargs["update_fields"] is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "updated_by", "updated_at"}
        super().save(*args, **kwargs)

    @classmethod
    def member_filter(cls, user: Any) -> Q:  # pragma: no cover - overridden by need-to-know models
        raise NotImplementedError(f"{cls.__name__} is need-to-know but defines no member_filter()")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ScopedRecordModel(RecordModel):
    """A record that belongs to a district and, usually, one of its schools."""

    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "organizations.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_paths: ClassVar[dict[str, str | None]] = {"district": "district", "school": "school", "agency": None}

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.school_id is not None:
            school_district = (
                type(self)
                ._meta.get_field("school")
                .related_model._default_manager.filter(  # type: ignore[union-attr]
                    pk=self.school_id
                )
                .values_list("district_id", flat=True)
                .first()
            )
            if self.district_id is None:
                self.district_id = school_district
            elif school_district != self.district_id:
                raise ValidationError({"school": "The school is not in the record's district."})
