"""The simulation: generators write the district week by week, and every write leaves its audit row.

A generator owns some record types. Before the first week it plans the district's final state (who is
enrolled, in which school, since when); then, for every week, it inserts the records created that week
and queues the audit rows their creation (and their later changes) implies, stamped with the moment it
happened. At the end of each week the queued rows of every generator are put in time order and chained.

Writes go through :class:`Sink`, which makes a row look exactly as the services make it:

- the record's own derived fields are computed by the model's rules (``search_name``, ``crdc_race``,
  ``plate_normalized``), its ``created_by``/``updated_by`` name the actor;
- the audit row is the change hook's: ``after`` is ``core.audit.snapshot`` of the record (through the
  importer's :class:`~srodesk.people.roster.rows.Snapshotter`), ``object_repr`` is ``str()`` of it, the
  scope ids come from ``AuditEvent.scope_ids`` and the actor, request id, address and reason are those
  of the request, task or command that made it.

A new record type adds a generator module to ``generators/`` and registers it with :func:`register`.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from srodesk.audit.models import AuditEvent
from srodesk.core.audit import to_json_value
from srodesk.people.roster.rows import RowInserter, Snapshotter, allocate_ids, light_instance

from .chain import AT, COLUMN, ChainWriter, dumps, new_row
from .profiles import Profile
from .timeline import AS_OF, Period

INSERT_BATCH = 5000


@dataclass(frozen=True)
class Actor:
    """Who made a change: a user (id and username) or the system (no id)."""

    id: int | None = None
    username: str = ""
    ip: str = ""


SYSTEM = Actor()


class Sink:
    """Inserts records and queues their audit rows until the end of the week."""

    def __init__(self, chain: ChainWriter) -> None:
        self.chain = chain
        self.events: list[tuple[dt.datetime, int, list[Any]]] = []
        self.counts: dict[str, int] = defaultdict(int)
        self._snapshotters: dict[type[models.Model], Snapshotter] = {}
        self._attnames: dict[type[models.Model], list[str]] = {}
        self._types: dict[type[models.Model], int] = {}
        self._defaults: dict[type[models.Model], dict[str, Any]] = {}
        self._order = 0

    # --- records ----------------------------------------------------------------------------------
    def ids(self, model: type[models.Model], count: int) -> list[int]:
        return allocate_ids(model, count)

    def attnames(self, model: type[models.Model]) -> list[str]:
        names = self._attnames.get(model)
        if names is None:
            names = self._attnames[model] = [f.attname for f in model._meta.concrete_fields]
        return names

    def defaults(self, model: type[models.Model]) -> dict[str, Any]:
        """Every concrete field's default (a mutable default, such as a JSON ``{}``, is shared: never mutate it)."""
        base = self._defaults.get(model)
        if base is None:
            base = self._defaults[model] = {f.attname: f.get_default() for f in model._meta.concrete_fields}
        return dict(base)

    def insert(self, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
        """Insert full rows (every concrete attname, primary key included)."""
        if not rows:
            return
        names = self.attnames(model)
        inserter = RowInserter(model, names)
        for start in range(0, len(rows), INSERT_BATCH):
            inserter.insert([[row[name] for name in names] for row in rows[start : start + INSERT_BATCH]])
        self.counts[model._meta.label] += len(rows)

    def link(self, field: Any, pairs: Iterable[tuple[int, int]]) -> None:
        """Rows of a many-to-many field's table: (owner pk, related pk)."""
        through = field.remote_field.through
        pairs = list(pairs)
        if pairs:
            RowInserter(through, (f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id")).insert(pairs)
            self.counts[through._meta.label] += len(pairs)

    def snapshot(self, model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
        snap = self._snapshotters.get(model)
        if snap is None:
            snap = self._snapshotters[model] = Snapshotter(model)
        return snap(values)

    def content_type_id(self, model: type[models.Model]) -> int:
        pk = self._types.get(model)
        if pk is None:
            pk = self._types[model] = ContentType.objects.get_for_model(model).pk
        return pk

    # --- audit rows -------------------------------------------------------------------------------
    def change(
        self,
        model: type[models.Model],
        values: dict[str, Any],
        *,
        at: dt.datetime,
        action: str,
        after: dict[str, Any] | str,
        before: dict[str, Any] | str | None = None,
        actor: Actor = SYSTEM,
        request_id: str = "",
        reason: str = "",
        detail: dict[str, Any] | None = None,
        related: dict[str, Any] | None = None,
    ) -> str:
        """Queue the change hook's row for a save of the record ``values``; returns ``after`` as JSON text.

        ``related``: related objects ``str()`` reads (cached on the instance, as a loaded record has them).
        """
        instance = light_instance(model, values)
        for name, obj in (related or {}).items():
            instance._state.fields_cache[name] = obj
        after_text = after if isinstance(after, str) else dumps(after)
        before_text = before if before is None or isinstance(before, str) else dumps(before)
        row = self._row(at, AuditEvent.Kind.CHANGE, action, actor, request_id, reason, detail)
        row[COLUMN["content_type_id"]] = self.content_type_id(model)
        row[COLUMN["object_id"]] = str(values["id"])
        row[COLUMN["object_repr"]] = str(instance)[:200]
        for name, value in AuditEvent.scope_ids(instance).items():
            row[COLUMN[name]] = value
        row[COLUMN["before"]] = before_text
        row[COLUMN["after"]] = after_text
        self._queue(row)
        return after_text

    def saved(
        self,
        model: type[models.Model],
        values: dict[str, Any],
        *,
        at: dt.datetime,
        actor: Actor,
        request_id: str,
        before: dict[str, Any] | None = None,
        reason: str = "",
        detail: dict[str, Any] | None = None,
        related: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Queue the change hook's row of a save of ``values`` (``before`` given: an update, else a create);
        returns the snapshot, the ``before`` of the record's next save."""
        after = self.snapshot(model, values)
        self.change(
            model,
            values,
            at=at,
            action="update" if before is not None else "create",
            after=after,
            before=before,
            actor=actor,
            request_id=request_id,
            reason=reason,
            detail=detail,
            related=related,
        )
        return after

    def event(
        self,
        *,
        at: dt.datetime,
        kind: str,
        action: str,
        actor: Actor = SYSTEM,
        request_id: str = "",
        reason: str = "",
        detail: dict[str, Any] | None = None,
        model: type[models.Model] | None = None,
        object_id: Any = "",
        object_repr: str = "",
        district_id: int | None = None,
        school_id: int | None = None,
        agency_id: int | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Queue a row ``AuditEvent.append`` writes itself (a command run, a disclosure, a custody event …)."""
        row = self._row(at, kind, action, actor, request_id, reason, detail)
        row[COLUMN["after"]] = None if after is None else dumps(after)
        row[COLUMN["content_type_id"]] = self.content_type_id(model) if model is not None else None
        row[COLUMN["object_id"]] = str(object_id)
        row[COLUMN["object_repr"]] = object_repr[:200]
        row[COLUMN["district_id"]], row[COLUMN["school_id"]] = district_id, school_id
        row[COLUMN["agency_id"]] = agency_id
        self._queue(row)

    def _row(
        self,
        at: dt.datetime,
        kind: str,
        action: str,
        actor: Actor,
        request_id: str,
        reason: str,
        detail: dict[str, Any] | None,
    ) -> list[Any]:
        row = new_row()
        row[AT] = at.astimezone(dt.UTC)
        row[COLUMN["kind"]], row[COLUMN["action"]] = str(kind), str(action)
        row[COLUMN["actor_id"]] = actor.id
        row[COLUMN["actor_repr"]] = actor.username if actor.id is not None else ""
        row[COLUMN["request_id"]] = request_id
        row[COLUMN["ip"]] = actor.ip
        row[COLUMN["reason"]] = reason[:255]
        row[COLUMN["detail"]] = dumps(to_json_value(detail or {}))
        return row

    def _queue(self, row: list[Any]) -> None:
        self._order += 1
        self.events.append((row[AT], self._order, row))

    def flush(self) -> int:
        """Chain the week's rows in time order (rows at the same moment in the order they were queued)."""
        events, self.events = self.events, []
        events.sort(key=lambda e: (e[0], e[1]))
        self.chain.write([row for _, _, row in events])
        return len(events)


class Ids:
    """New primary keys of one model, taken in chunks (the rows are inserted later, at the end of the week)."""

    def __init__(self, sink: Sink, model: type[models.Model], chunk: int = 64) -> None:
        self.sink, self.model, self.chunk = sink, model, chunk
        self.free: deque[int] = deque()
        self.floor = 0

    def take(self) -> int:
        if not self.free:
            got = self.sink.ids(self.model, self.chunk)
            if connection.vendor != "postgresql" and got[0] < self.floor:
                # SQLite hands out the ids above the highest row: rows of this week are not inserted yet.
                got = list(range(self.floor, self.floor + self.chunk))
            self.free.extend(got)
        pk = self.free.popleft()
        self.floor = pk + 1
        return pk


class Rows:
    """New records of some models: each gets its id as it is made; all go in together, in the models' order
    (each model refers only to the ones before it)."""

    def __init__(self, sink: Sink, order: Sequence[type[models.Model]]) -> None:
        self.sink, self.order = sink, tuple(order)
        self.ids = {model: Ids(sink, model) for model in self.order}
        self.pending: dict[type[models.Model], list[dict[str, Any]]] = defaultdict(list)

    def new(self, model: type[models.Model], moment: dt.datetime, actor: Actor, **fields: Any) -> dict[str, Any]:
        """A record made at ``moment`` by ``actor``: its defaults, a new id, the stamps the model has, ``fields``
        (which may name a field ``at``)."""
        values = self.sink.defaults(model)
        values["id"] = self.ids[model].take()
        stamps = {"created_at": moment, "updated_at": moment, "created_by_id": actor.id, "updated_by_id": actor.id}
        values.update({name: value for name, value in stamps.items() if name in values})
        values.update(fields)
        self.pending[model].append(values)
        return values

    def add(self, model: type[models.Model], values: dict[str, Any]) -> None:
        """A row made without :meth:`new` (its id from ``ids``)."""
        self.pending[model].append(values)

    def insert(self) -> None:
        for model in self.order:
            rows = self.pending.pop(model, [])
            rows.sort(key=lambda row: row["id"])
            self.sink.insert(model, rows)


G = TypeVar("G", bound="Generator")


class LaterSteps:
    """The steps of records' lives that fall after the week being written (a review, a closure).

    A step runs in the week of its moment: at once if that is this week, else when ``run_due`` reaches
    its week, in time order (and in the order queued for the same moment). A step at or after ``AS_OF``
    never happens.
    """

    def __init__(self) -> None:
        self.period_end = AS_OF
        self._pending: list[tuple[dt.datetime, int, Callable[[], object]]] = []
        self._order = 0

    def add(self, at: dt.datetime, step: Callable[[], object]) -> bool:
        """Run or queue ``step``; ``False`` if ``at`` is after ``AS_OF`` (it never happens)."""
        if at >= AS_OF:
            return False
        if at < self.period_end:
            step()
        else:
            self._order += 1
            heapq.heappush(self._pending, (at, self._order, step))
        return True

    def start_week(self, period: Period) -> None:
        self.period_end = period.end

    def run_due(self) -> None:
        """Every queued step before the end of the current week."""
        while self._pending and self._pending[0][0] < self.period_end:
            heapq.heappop(self._pending)[2]()

    def run_all(self) -> None:
        while self._pending:
            heapq.heappop(self._pending)[2]()


class Saves:
    """Records made and changed through the services' steps, for a generator with ``records`` and ``steps``:
    each save changes the record's row now (rows go in in their final state) and queues the change hook's
    row for the week of its moment (4 ms after it, as the hook writes it after the save)."""

    sim: Simulation
    records: Rows
    steps: LaterSteps

    def later(self, at: dt.datetime, step: Callable[[], object]) -> bool:
        """Run ``step`` in the week of ``at``; ``False`` if that is after ``AS_OF`` (it never happens)."""
        return self.steps.add(at, step)

    def logged(
        self,
        model: type[models.Model],
        values: dict[str, Any],
        at: dt.datetime,
        actor: Actor,
        request: str,
        *,
        before: dict[str, Any] | None = None,
        reason: str = "",
        detail: dict[str, Any] | None = None,
        related: dict[str, Any] | None = None,
    ) -> None:
        """The change hook's row of a save of ``values`` at ``at`` (``before``: the state it changed from), queued
        for the week of its moment."""
        sink, state = self.sim.sink, dict(values)
        moment = at + dt.timedelta(milliseconds=4)
        self.steps.add(
            moment,
            lambda: sink.saved(
                model,
                state,
                at=moment,
                actor=actor,
                request_id=request,
                before=before,
                reason=reason,
                detail=detail,
                related=related,
            ),
        )

    def created(
        self,
        model: type[models.Model],
        at: dt.datetime,
        actor: Actor,
        request: str,
        related: dict[str, Any] | None = None,
        *,
        audit_reason: str = "",
        **fields: Any,
    ) -> dict[str, Any]:
        """A record saved at ``at`` by ``actor`` in ``request``, and its create row (``audit_reason``: the reason
        of the request's audit context, named so because a record may have a field called ``reason``)."""
        values = self.records.new(model, at, actor, **fields)
        self.logged(model, values, at, actor, request, reason=audit_reason, related=related)
        return values

    def updated(
        self,
        model: type[models.Model],
        values: dict[str, Any],
        at: dt.datetime,
        actor: Actor,
        request: str,
        changes: dict[str, Any],
        *,
        audit_reason: str = "",
        related: dict[str, Any] | None = None,
    ) -> None:
        """A save of the record at ``at`` with ``changes`` (and the stamps: ``updated_by`` names the actor when
        there is one, as ``RecordModel.save`` does), and its update row."""
        before = self.sim.sink.snapshot(model, values)
        values.update(changes, updated_at=at)
        if actor.id is not None:
            values["updated_by_id"] = actor.id
        self.logged(model, values, at, actor, request, before=before, reason=audit_reason, related=related)


class Generator:
    """One part of the district. Subclasses set ``name`` and implement :meth:`plan` and :meth:`week`."""

    name: ClassVar[str] = ""
    #: The record types it writes (``app_label.ModelName``), for the summary.
    writes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.rng = sim.rng(self.name)

    def plan(self) -> None:
        """Decide, before the first week, what the district looks like at the end."""

    def week(self, period: Period) -> None:
        """Insert the records of this week and queue their audit rows."""

    def finish(self) -> None:
        """After the last week."""


_registry: list[type[Generator]] = []


def register(cls: type[G]) -> type[G]:
    """Add a generator; generators run in the order they are registered (later ones may use earlier ones)."""
    if any(existing.name == cls.name for existing in _registry):
        raise ValueError(f"a generator named {cls.name!r} is already registered")
    _registry.append(cls)
    return cls


def registered() -> list[type[Generator]]:
    from . import generators  # noqa: F401 - registers the built-in generators

    return list(_registry)


@dataclass
class Simulation:
    profile: Profile
    seed: int
    periods: list[Period]
    sink: Sink
    generators: list[Generator] = field(default_factory=list)

    def rng(self, name: str) -> random.Random:
        """An independent, reproducible random stream for one part of the district."""
        return random.Random(f"srodesk-bench:{self.seed}:{self.profile.name}:{name}")  # noqa: S311 - synthetic data

    def get(self, cls: type[G]) -> G:
        for generator in self.generators:
            if isinstance(generator, cls):
                return generator
        raise LookupError(f"{cls.__name__} is not part of this simulation")

    @property
    def code(self) -> str:
        """Distinguishes this district's identifiers from another generated district's."""
        return f"{self.profile.name[0]}{self.seed}"

    def run(self, progress: Callable[[Period, int], None] | None = None) -> None:
        self.generators = [cls(self) for cls in registered()]
        for generator in self.generators:
            generator.plan()
        for period in self.periods:
            for generator in self.generators:
                generator.week(period)
            written = self.sink.flush()
            if progress is not None:
                progress(period, written)
        for generator in self.generators:
            generator.finish()
        self.sink.chain.close()


def request_id(rng: random.Random) -> str:
    """A request id as the middleware makes one (uuid4 hex), drawn from the seed."""
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex
