"""Running a roster import: read, validate, then compare with the database and write only what changed.

A run with any error applies nothing. Otherwise, in one transaction: schools first (through ``save()``,
so the change hook audits them), then students, staff and guardians in bulk. Each created or changed
person gets the change row the hook would have written (through :class:`~.auditlog.ChangeBatch`), with
``schools`` / ``students`` memberships added to ``before``/``after`` when they changed. Unchanged rows
are not written at all, so running the same files again changes nothing and logs nothing but the run.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from srodesk.audit.models import AuditEvent
from srodesk.core.audit import audit_context, snapshot
from srodesk.core.models import RecordModel
from srodesk.core.permissions import require
from srodesk.organizations.choices import SchoolLevel
from srodesk.organizations.models import District, School
from srodesk.people.choices import ImportStatus
from srodesk.people.models import RACE_FLAGS, Guardian, RosterImport, StaffMember, Student, derive_crdc_race, fold

from . import values as v
from .auditlog import ChangeBatch
from .reader import PROGRAMS, RosterError, RosterFiles, read_files
from .rows import RowInserter, Snapshotter, allocate_ids, light_instance
from .validate import DEMOGRAPHIC_FIELDS, PERSON_FIELDS, Known, Person, Programs, RosterSet, validate

logger = logging.getLogger(__name__)

#: Rows per bulk statement and per progress update.
BATCH = 1000
OUTCOMES = ("created", "updated", "deactivated", "unchanged")
MODELS: dict[str, type[RecordModel]] = {v.STUDENT: Student, v.STAFF: StaffMember, v.GUARDIAN: Guardian}
#: The membership each kind keeps in a many-to-many field.
RELATED = {v.STUDENT: "schools", v.STAFF: "schools", v.GUARDIAN: "students"}
#: The fields compared with the files, per kind (derived fields last).
COMPARED: dict[str, tuple[str, ...]] = {
    v.STUDENT: (
        "active",
        "school_id",
        *sorted(PERSON_FIELDS[v.STUDENT]),
        *DEMOGRAPHIC_FIELDS,
        *v.PROGRAM_FIELDS,
        "search_name",
        "crdc_race",
    ),
    v.STAFF: ("active", "role", *sorted(PERSON_FIELDS[v.STAFF]), "search_name"),
    v.GUARDIAN: ("active", "relationship", *sorted(PERSON_FIELDS[v.GUARDIAN]), "search_name"),
}
_NAME_PARTS = {
    v.STUDENT: (
        "given_name",
        "preferred_given_name",
        "middle_name",
        "preferred_middle_name",
        "family_name",
        "preferred_family_name",
    ),
    v.STAFF: ("given_name", "middle_name", "family_name"),
    v.GUARDIAN: ("given_name", "middle_name", "family_name"),
}


_DEFAULTS: dict[str, dict[str, Any]] = {}


def _defaults(kind: str) -> dict[str, Any]:
    """A new person's compared fields before the files fill them: the model defaults, active."""
    base = _DEFAULTS.get(kind)
    if base is None:
        model = MODELS[kind]
        base = {name: model._meta.get_field(name).get_default() for name in COMPARED[kind] if name != "school_id"}  # type: ignore[union-attr]
        base["active"] = True
        if kind == v.STUDENT:
            base["school_id"] = None
        _DEFAULTS[kind] = base
    values = dict(base)
    if "roster_metadata" in values:
        values["roster_metadata"] = {}
    return values


class ImportFailed(Exception):
    def __init__(self, errors: list[RosterError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


# --- progress ---------------------------------------------------------------------------------------
class ProgressWriter:
    """Writes ``progress_done/total/stage`` at most every ~1,000 rows, where a UI polling it can see it.

    Outside the import's transaction it updates the row directly. Inside it, PostgreSQL writes go through
    a second connection in autocommit; SQLite allows one writer at a time, so there the figures
    are written again once the transaction ends.
    """

    def __init__(self, pk: int, total: int) -> None:
        self.pk, self.total, self.done, self.stage = pk, total, 0, ""
        self.last = 0
        self.side: BaseDatabaseWrapper | None = None
        self.in_transaction = False

    def set_stage(self, stage: str) -> None:
        self.stage = stage
        self.write()

    def advance(self, count: int) -> None:
        self.done = min(self.total, self.done + count)
        if self.done - self.last >= BATCH:
            self.write()

    def write(self) -> None:
        self.last = self.done
        if not self.in_transaction:
            RosterImport.objects.filter(pk=self.pk).update(
                progress_done=self.done, progress_total=self.total, progress_stage=self.stage
            )
        elif self.side is not None:
            table = RosterImport._meta.db_table
            qn = self.side.ops.quote_name
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {qn(table)} SET {qn('progress_done')} = %s, {qn('progress_total')} = %s, "  # noqa: S608 - names from the model
                    f"{qn('progress_stage')} = %s WHERE {qn('id')} = %s",
                    [self.done, self.total, self.stage, self.pk],
                )

    def enter_transaction(self) -> None:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        self.in_transaction = True

    def leave_transaction(self) -> None:
        self.in_transaction = False
        if self.side is not None:
            self.side.close()
            self.side = None


# --- the run ----------------------------------------------------------------------------------------
def run_import(
    *, district: District, path: Path | str, dry_run: bool, actor: Any, roster_import: RosterImport | None = None
) -> RosterImport:
    """Import a OneRoster CSV exchange (a folder or a ZIP) into the district.

    ``actor`` None is the system (a command run by an operator); otherwise the actor needs
    ``people.add_rosterimport`` in the district. Returns the run's :class:`RosterImport`, succeeded
    or failed; a failed run changed nothing and lists every error.
    """
    path = Path(path)
    if roster_import is not None and roster_import.district_id != district.pk:
        raise ValueError("The roster import belongs to another district.")
    if actor is not None:
        require(actor, "people.add_rosterimport", roster_import or RosterImport(district=district))
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    started = timezone.now()
    if roster_import is None:
        # The run's own record: its creation and every status change are covered by the import event.
        (roster_import,) = RosterImport.objects.bulk_create(
            [
                RosterImport(
                    district=district,
                    status=ImportStatus.RUNNING,
                    dry_run=dry_run,
                    source_name=path.name[:255],
                    source_path=str(path.resolve())[:500],
                    created_by_id=actor_id,
                    updated_by_id=actor_id,
                    started_at=started,
                )
            ]
        )
    else:
        RosterImport.objects.filter(pk=roster_import.pk).update(status=ImportStatus.RUNNING, started_at=started)
    with audit_context(actor=actor, reason=f"roster import #{roster_import.pk}"), _bulk_session():
        try:
            outcome = _run(district, path, dry_run, actor, roster_import.pk)
        except Exception as exc:
            logger.exception("roster import #%s failed", roster_import.pk)
            error = RosterError("", 0, "", "", f"internal error: {type(exc).__name__}: {exc}")
            outcome = Outcome(status=ImportStatus.FAILED, errors=[error])
            _finish(district, roster_import.pk, dry_run, outcome)
            raise
        _finish(district, roster_import.pk, dry_run, outcome)
    roster_import.refresh_from_db()
    return roster_import


@contextlib.contextmanager
def _bulk_session() -> Iterator[None]:
    """No cyclic garbage collection while a large import runs: its rows hold no reference cycles, and
    each collection would rescan every row read so far (the import slows down as it grows)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@dataclass
class Outcome:
    status: str
    files: RosterFiles | None = None
    summary: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[RosterError] = field(default_factory=list)
    logged: bool = False


def _run(district: District, path: Path, dry_run: bool, actor: Any, pk: int) -> Outcome:
    progress = ProgressWriter(pk, 0)
    progress.set_stage("reading")
    try:
        files = read_files(path)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        return Outcome(ImportStatus.FAILED, errors=[RosterError(path.name, 0, "", "", f"cannot read: {exc}")])
    progress.total = 2 * files.row_count
    progress.set_stage("validating")
    known = load_known(district)
    roster = validate(files, known, progress.advance)
    if roster.errors:
        return Outcome(ImportStatus.FAILED, files, errors=roster.errors)
    progress.done = files.row_count
    progress.set_stage("applying")
    if dry_run:
        importer = Importer(district, roster, actor, pk, progress, dry_run=True)
        try:
            importer.run()
        except ImportFailed as exc:
            return Outcome(ImportStatus.FAILED, files, errors=exc.errors)
        return Outcome(ImportStatus.SUCCEEDED, files, summary=importer.summary())
    progress.enter_transaction()
    try:
        with transaction.atomic():
            # One import per district at a time: the second waits for the first to commit.
            District.objects.select_for_update().filter(pk=district.pk).first()
            importer = Importer(district, roster, actor, pk, progress, dry_run=False)
            importer.run()
            outcome = Outcome(ImportStatus.SUCCEEDED, files, summary=importer.summary(), logged=True)
            _log(district, pk, False, outcome)
    except ImportFailed as exc:
        return Outcome(ImportStatus.FAILED, files, errors=exc.errors)
    finally:
        progress.leave_transaction()
    return outcome


def _log(district: District, pk: int, dry_run: bool, outcome: Outcome) -> None:
    files = outcome.files
    AuditEvent.append(
        kind=AuditEvent.Kind.SYSTEM,
        action=AuditEvent.Action.COMMAND,
        district_id=district.pk,
        detail={
            "command": "import-roster",
            "roster_import": pk,
            "district": district.slug,
            "dry_run": dry_run,
            "status": outcome.status,
            "version": files.version if files else "",
            "mode": files.mode if files else "",
            "checksums": files.checksums if files else {},
            "summary": outcome.summary,
            "errors": len(outcome.errors),
        },
    )


def _finish(district: District, pk: int, dry_run: bool, outcome: Outcome) -> None:
    files = outcome.files
    if not outcome.logged:
        _log(district, pk, dry_run, outcome)
    total = files.row_count if files else 0
    RosterImport.objects.filter(pk=pk).update(
        status=outcome.status,
        oneroster_version=files.version[:8] if files else "",
        mode=files.mode if files else "",
        checksums=files.checksums if files else {},
        summary=outcome.summary,
        errors=[e.as_dict() for e in outcome.errors],
        progress_done=2 * total,
        progress_total=2 * total,
        progress_stage="done" if outcome.status == ImportStatus.SUCCEEDED else "failed",
        finished_at=timezone.now(),
    )


def load_known(district: District) -> Known:
    people: dict[str, str] = {}
    for kind in (v.GUARDIAN, v.STAFF, v.STUDENT):
        rows = MODELS[kind].objects.filter(district=district, deleted_at__isnull=True).exclude(sourced_id="")
        people.update(dict.fromkeys(rows.values_list("sourced_id", flat=True), kind))
    schools = School.objects.filter(deleted_at__isnull=True).exclude(nces_id="")
    return Known(
        people=people,
        school_nces=frozenset(schools.filter(district=district).values_list("nces_id", flat=True)),
        foreign_nces=frozenset(schools.exclude(district=district).values_list("nces_id", flat=True)),
    )


# --- planning and applying --------------------------------------------------------------------------
@dataclass
class Change:
    """One person to create (``pk`` None) or update: the fields that change, the memberships when they do."""

    kind: str
    sourced_id: str
    pk: int | None
    values: dict[str, Any]
    #: file-attribution groups whose fields changed: user, membership, demographics, or a programs file.
    groups: set[str] = field(default_factory=set)
    related: set[Any] | None = None
    related_before: set[Any] | None = None


@dataclass
class Existing:
    """The district's people of one kind as the database holds them (compared fields only)."""

    kind: str
    index: dict[str, int]
    rows: dict[str, tuple[Any, ...]]
    pks: dict[str, int]
    related: dict[int, set[Any]]

    def value(self, sid: str, name: str) -> Any:
        return self.rows[sid][self.index[name]]


class Importer:
    def __init__(
        self, district: District, roster: RosterSet, actor: Any, pk: int, progress: ProgressWriter, *, dry_run: bool
    ) -> None:
        self.district = district
        self.roster = roster
        self.dry_run = dry_run
        self.pk = pk
        self.progress = progress
        self.actor_id: int | None = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.errors: list[RosterError] = []
        self.school_of: dict[str, Any] = {}
        self.org_outcome: dict[str, str] = {}
        self.changes: dict[str, dict[str, Change]] = {kind: {} for kind in MODELS}
        self.unchanged: dict[str, set[str]] = {kind: set() for kind in MODELS}
        self.deactivated: dict[str, set[str]] = {kind: set() for kind in MODELS}
        self.bulk_deactivated = 0
        self.student_pk_of: dict[str, int] = {}

    # --- orchestration -----------------------------------------------------------------------------
    def run(self) -> None:
        self.plan_schools()
        existing = {kind: self.load(kind) for kind in MODELS}
        self.student_pk_of = dict(existing[v.STUDENT].pks)
        for kind in (v.STUDENT, v.STAFF, v.GUARDIAN):
            self.plan_people(kind, existing[kind])
        self.plan_links(existing)
        if self.errors:
            raise ImportFailed(self.errors)
        if self.dry_run:
            return
        batch = ChangeBatch(detail={"roster_import": self.pk})
        for kind in (v.STUDENT, v.STAFF, v.GUARDIAN):
            self.write(kind, existing[kind], batch)
        batch.flush()

    # --- schools -----------------------------------------------------------------------------------
    def plan_schools(self) -> None:
        """Match orgs of type school to the district's schools (NCES id, then name); create the missing."""
        schools = list(School.objects.filter(district=self.district, deleted_at__isnull=True))
        by_nces = {s.nces_id: s for s in schools if s.nces_id}
        by_name = {s.name.strip().casefold(): s for s in schools}
        timezone_name = schools[0].timezone if schools else School._meta.get_field("timezone").get_default()
        for org in self.roster.orgs.values():
            if org.type != "school":
                self.school_of[org.sourced_id] = None
                self.org_outcome[org.sourced_id] = "unchanged"
                continue
            nces = org.identifier if len(org.identifier) == 12 and org.identifier.isdigit() else ""
            school = by_nces.get(nces) if nces else None
            school = school or by_name.get(org.name.strip().casefold())
            outcome = "unchanged"
            if school is None and org.status == "active":
                outcome = "created"
                if self.dry_run:
                    self.school_of[org.sourced_id] = f"new:{org.sourced_id}"
                    self.org_outcome[org.sourced_id] = outcome
                    continue
                school = School(
                    district=self.district,
                    name=org.name,
                    nces_id=nces,
                    level=_level(org.name),
                    state=self.district.state,
                    timezone=timezone_name,
                )
                school.save()
                by_name[org.name.strip().casefold()] = school
                if nces:
                    by_nces[nces] = school
            elif school is not None and nces and not school.nces_id and org.status == "active":
                outcome = "updated"
                if not self.dry_run:
                    school.nces_id = nces
                    school.save(update_fields=["nces_id"])
                by_nces[nces] = school
            self.school_of[org.sourced_id] = school.pk if school is not None else None
            self.org_outcome[org.sourced_id] = outcome
        for nces, pk in (
            School.objects.filter(district=self.district, deleted_at__isnull=True)
            .exclude(nces_id="")
            .values_list("nces_id", "pk")
        ):
            self.school_of.setdefault(nces, pk)

    # --- people ------------------------------------------------------------------------------------
    def load(self, kind: str) -> Existing:
        model = MODELS[kind]
        names = COMPARED[kind]
        rows: dict[str, tuple[Any, ...]] = {}
        pks: dict[str, int] = {}
        queryset = model.objects.filter(district=self.district, deleted_at__isnull=True).exclude(sourced_id="")
        for row in queryset.values_list("pk", "sourced_id", *names).iterator(chunk_size=5000):
            rows[row[1]] = row[2:]
            pks[row[1]] = row[0]
        related: dict[int, set[Any]] = defaultdict(set)
        through, source, target = _through(kind)
        links = through._default_manager.filter(**{f"{source}__district": self.district}).values_list(
            f"{source}_id", f"{target}_id"
        )
        for owner, other in links.iterator(chunk_size=5000):
            related[owner].add(other)
        return Existing(kind, {name: i for i, name in enumerate(names)}, rows, pks, related)

    def school_keys(self, orgs: Iterable[str]) -> list[Any]:
        keys: list[Any] = []
        for org in orgs:
            key = self.school_of.get(org)
            if key is not None and key not in keys:
                keys.append(key)
        return keys

    def plan_people(self, kind: str, existing: Existing) -> None:
        roster = self.roster
        users_bulk = roster.mode("users.csv") == "bulk"
        candidates: dict[str, Person | None] = {
            sid: p for sid, p in roster.people.items() if p.kind == kind or (p.kind is None and sid in existing.rows)
        }
        if kind == v.STUDENT:
            extra = set(roster.demographics)
            if roster.programs is not None:
                extra |= set(roster.programs) | (set(existing.rows) if users_bulk else set())
            for sid in extra:
                if sid in existing.rows and sid not in candidates:
                    candidates[sid] = None
        # In a bulk users.csv, the district's roster people it does not list are deactivated.
        in_file = {sid for sid, p in roster.people.items() if p.line and p.kind in (kind, None)} if users_bulk else None
        done = 0
        for sid, person in candidates.items():
            done += 1
            if done % BATCH == 0:
                self.progress.advance(BATCH)
            if person is not None and person.status == "tobedeleted":
                if sid in existing.rows and existing.value(sid, "active"):
                    self.changes[kind][sid] = Change(kind, sid, existing.pks[sid], {"active": False}, {"user"})
                    self.deactivated[kind].add(sid)
                else:
                    self.unchanged[kind].add(sid)
                continue
            self.plan_person(kind, sid, person, existing, missing=in_file is not None and sid not in in_file)
        self.progress.advance(done % BATCH)
        if in_file is not None:
            for sid in existing.rows:
                if sid not in in_file and sid not in candidates and existing.value(sid, "active"):
                    self.changes[kind][sid] = Change(kind, sid, existing.pks[sid], {"active": False}, {"missing"})
                    self.deactivated[kind].add(sid)
                    self.bulk_deactivated += 1

    def memberships(
        self, person: Person, current: tuple[Any, ...] | None, existing: Existing, related_now: set[Any]
    ) -> tuple[set[Any] | None, Any]:
        """The person's schools (None: unchanged) and primary school (``...``: unchanged)."""
        keys: list[Any] = []
        related: set[Any] | None = None
        if person.orgs is not None:
            keys = self.school_keys(person.orgs)
            related = set(keys)
        elif person.orgs_add or person.orgs_remove:
            removed = set(self.school_keys(person.orgs_remove))
            related = (related_now | set(self.school_keys(person.orgs_add))) - removed
        primary_keys = self.school_keys([person.primary_org]) if person.primary_org else []
        if primary_keys:
            if related is not None:
                related.add(primary_keys[0])
            return related, primary_keys[0]
        if related is None:
            return None, ...
        if keys:
            return related, keys[0]
        now = (
            existing.value(person.sourced_id, "school_id")
            if current is not None and "school_id" in existing.index
            else None
        )
        if now in related:
            return related, now
        return related, (min(related, key=str) if related else None)

    def plan_person(self, kind: str, sid: str, person: Person | None, existing: Existing, *, missing: bool) -> None:
        desired: dict[str, Any] = {}
        groups: dict[str, str] = {}
        allowed = PERSON_FIELDS[kind]
        membership_group = "membership" if person is not None and person.role_lines else "user"
        current = existing.rows.get(sid)
        pk = existing.pks.get(sid)
        related_now: set[Any] = existing.related.get(pk, set()) if pk is not None else set()
        related: set[Any] | None = None
        if person is not None and person.line:
            for name, value in person.fields.items():
                if name in allowed:
                    desired[name] = value
                    groups[name] = "user"
            desired["active"] = True
            groups["active"] = "user"
        if missing:
            desired["active"] = False
            groups["active"] = "missing"
        if person is not None and person.role and kind != v.STUDENT:
            name = "role" if kind == v.STAFF else "relationship"
            desired[name] = person.role
            groups[name] = membership_group
        if person is not None and kind != v.GUARDIAN:
            related, primary = self.memberships(person, current, existing, related_now)
            if kind == v.STUDENT and primary is not ...:
                desired["school_id"] = primary
                groups["school_id"] = membership_group
        if kind == v.STUDENT:
            self.student_extras(sid, desired, groups)
        if current is not None and (related is None or related == related_now):
            index = existing.index
            # A new dateLastModified alone is no change: exporters stamp every row with the export time.
            if all(current[index[n]] == value or n == "roster_modified_at" for n, value in desired.items()):
                self.unchanged[kind].add(sid)
                return
        values = _defaults(kind) if current is None else {n: current[i] for n, i in existing.index.items()}
        before = dict(values)
        values.update(desired)
        self.derive(kind, values)
        if kind == v.STUDENT:
            self.check_student(sid, values, person)
        if current is None:
            if person is None or not person.line:
                self.unchanged[kind].add(sid)
                return
            self.changes[kind][sid] = Change(kind, sid, None, values, {"created"}, related or set())
            return
        changed = {n: val for n, val in values.items() if val != before[n]}
        change_groups = {groups.get(n, "user") for n in changed if n not in ("search_name", "crdc_race")}
        if related is not None and related != related_now:
            change_groups.add(membership_group)
        else:
            related = None
        if related is None and all(n == "roster_modified_at" for n in changed):
            self.unchanged[kind].add(sid)
            return
        if changed.get("active") is False:
            self.deactivated[kind].add(sid)
            if missing:
                self.bulk_deactivated += 1
        change = Change(kind, sid, pk, changed, change_groups)
        if related is not None:
            change.related, change.related_before = related, related_now
        self.changes[kind][sid] = change

    def student_extras(self, sid: str, desired: dict[str, Any], groups: dict[str, str]) -> None:
        """Demographics and program flags of one student, each field tagged with the file it came from."""
        demographic = self.roster.demographics.get(sid)
        if demographic is not None:
            for name, value in demographic.fields.items():
                desired[name] = value
                groups[name] = "demographics"
        for source in self.program_sources(sid):
            for name, value in source.values.items():
                desired[name] = value
                groups[name] = f"programs:{source.file}"
        if self.roster.programs is not None and self.roster.mode("users.csv") == "bulk":
            for name in v.PROGRAM_FIELDS:
                if name not in desired:
                    desired[name] = False if name in v.PROGRAM_FLAGS else None
                    groups[name] = f"programs:{PROGRAMS}"

    def program_sources(self, sid: str) -> list[Programs]:
        if self.roster.programs is not None:
            return [self.roster.programs[sid]] if sid in self.roster.programs else []
        sources: list[Programs] = []
        person = self.roster.people.get(sid)
        if person is not None and person.programs is not None:
            sources.append(person.programs)
        demographic = self.roster.demographics.get(sid)
        if demographic is not None and demographic.programs is not None:
            sources.append(demographic.programs)
        return sources

    def check_student(self, sid: str, values: dict[str, Any], person: Person | None) -> None:
        """The model's single-row rules on the merged state (the files over what the database holds)."""
        sources = self.program_sources(sid)
        source = sources[-1] if sources else None
        where = (source.file, source.line) if source else ("users.csv", person.line if person else 0)

        def column(name: str) -> str:
            return source.columns.get(name, name) if source else name

        for flag in v.PROGRAM_FLAGS:
            start, end = values[f"{flag}_start"], values[f"{flag}_end"]
            if start and end and end < start:
                self.errors.append(
                    RosterError(*where, column(f"{flag}_end"), end.isoformat(), "the end date is before the start date")
                )
        if values["idea"] and values["section_504"]:
            self.errors.append(
                RosterError(*where, column("section_504"), "true", "IDEA and Section 504 only exclude each other")
            )

    def derive(self, kind: str, values: dict[str, Any]) -> None:
        """What the models' save() derives: the folded search name and the CRDC race category."""
        values["search_name"] = fold(" ".join(p for p in (values[n] for n in _NAME_PARTS[kind]) if p))
        if kind == v.STUDENT:
            values["crdc_race"] = str(
                derive_crdc_race(
                    hispanic=values["hispanic_latino"],
                    two_or_more=values["two_or_more_races"],
                    flags={name: values[name] for name in RACE_FLAGS},
                )
            )

    def plan_links(self, existing: dict[str, Existing]) -> None:
        """Guardian ↔ student links from agentSourcedIds (of students and of guardians).

        Bulk: the files' links replace the roster links (links to students not from the roster stay).
        Delta: a link goes only when a row in the files (student or guardian) lists agents without it.
        """
        users = self.roster.files.files.get("users.csv")
        if users is None or not users.has("agentSourcedIds"):
            return
        people = self.roster.people
        known = existing[v.GUARDIAN]
        students = existing[v.STUDENT]
        is_student = {sid for sid, p in people.items() if p.kind == v.STUDENT and p.status == "active"}
        is_student |= {sid for sid in students.rows if sid not in people}
        is_guardian = {sid for sid, p in people.items() if p.kind == v.GUARDIAN and p.status == "active"}
        is_guardian |= {sid for sid in known.rows if sid not in people}
        asserted: dict[str, set[str]] = defaultdict(set)
        listed: set[str] = set()
        for sid, person in people.items():
            if person.agents is None or person.status != "active":
                continue
            listed.add(sid)
            if person.kind == v.STUDENT:
                for agent in person.agents:
                    if agent in is_guardian:
                        asserted[agent].add(sid)
            elif person.kind == v.GUARDIAN:
                for agent in person.agents:
                    if agent in is_student:
                        asserted[sid].add(agent)
        sid_of_student = {pk: sid for sid, pk in students.pks.items()}
        active_students = {sid for sid, p in people.items() if p.kind == v.STUDENT and p.status == "active" and p.line}
        bulk = self.roster.mode("users.csv") == "bulk"
        guardians = set(asserted) | {sid for sid in known.rows if known.pks[sid] in known.related}
        for gid in guardians:
            change = self.changes[v.GUARDIAN].get(gid)
            if gid in self.deactivated[v.GUARDIAN]:
                continue
            if change is None and gid not in known.rows:
                continue
            pk = known.pks.get(gid)
            now_pks = known.related.get(pk, set()) if pk is not None else set()
            now = {sid_of_student.get(p, f"pk:{p}") for p in now_pks}
            if bulk:
                keep = {s for s in now if s not in active_students}
            else:
                keep = {s for s in now if s not in listed and gid not in listed}
            wanted = asserted.get(gid, set()) | keep
            if change is not None and change.pk is None:
                change.related = wanted
                continue
            if wanted == now:
                continue
            if change is None:
                change = Change(v.GUARDIAN, gid, pk, {}, set())
                self.changes[v.GUARDIAN][gid] = change
                self.unchanged[v.GUARDIAN].discard(gid)
            change.related, change.related_before = wanted, now
            change.groups.add("links")

    # --- writing -----------------------------------------------------------------------------------
    def write(self, kind: str, existing: Existing, batch: ChangeBatch) -> None:
        model = MODELS[kind]
        changes = self.changes[kind]
        creates = [c for c in changes.values() if c.pk is None]
        updates = [c for c in changes.values() if c.pk is not None]
        through, source, target = _through(kind)
        links = RowInserter(through, (f"{source}_id", f"{target}_id"))
        now = timezone.now()
        if creates:
            self.create(kind, creates, batch, links, now)
        for chunk in _chunks(updates, BATCH):
            by_pk = {c.pk: c for c in chunk}
            objs = list(model.objects.filter(pk__in=list(by_pk)))
            fields: dict[frozenset[str], list[Any]] = defaultdict(list)
            removed: list[tuple[int, Any]] = []
            added: list[tuple[int, int]] = []
            for obj in objs:
                change = by_pk[obj.pk]
                before = dict(obj._audit_before or snapshot(obj))
                for name, value in change.values.items():
                    setattr(obj, name, value)
                obj.updated_at = now
                if self.actor_id is not None:
                    obj.updated_by_id = self.actor_id
                if change.values:
                    fields[frozenset(change.values) | {"updated_at", "updated_by"}].append(obj)
                after = snapshot(obj)
                if change.related is not None:
                    new = self.resolve(kind, change.related)
                    old = self.resolve(kind, change.related_before or set())
                    removed += [(obj.pk, other) for other in old - new]
                    added += [(obj.pk, other) for other in new - old]
                    before[RELATED[kind]], after[RELATED[kind]] = sorted(old), sorted(new)
                    if not change.values:
                        model.objects.filter(pk=obj.pk).update(updated_at=now, updated_by_id=obj.updated_by_id)
                batch.change(obj, action=AuditEvent.Action.UPDATE, before=before, after=after)
            for names, group in fields.items():
                model.objects.bulk_update(group, sorted(names), batch_size=500)
            if removed:
                by_owner: dict[int, list[Any]] = defaultdict(list)
                for owner, other in removed:
                    by_owner[owner].append(other)
                for owner, others in by_owner.items():
                    through._default_manager.filter(**{f"{source}_id": owner, f"{target}_id__in": others}).delete()
            links.insert(added)
            self.progress.advance(len(chunk))

    def create(self, kind: str, creates: list[Change], batch: ChangeBatch, links: RowInserter, now: Any) -> None:
        """Insert new people with one prepared statement per batch; queue each one's audit row."""
        model = MODELS[kind]
        attnames = [f.attname for f in model._meta.concrete_fields]
        json_fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
        base = {f.attname: f.get_default() for f in model._meta.concrete_fields}
        base.update(
            district_id=self.district.pk,
            created_at=now,
            updated_at=now,
            created_by_id=self.actor_id,
            updated_by_id=self.actor_id,
        )
        inserter = RowInserter(model, attnames)
        snap = Snapshotter(model)
        related_name = RELATED[kind]
        ids = allocate_ids(model, len(creates))
        for start in range(0, len(creates), BATCH):
            rows: list[list[Any]] = []
            pairs: list[tuple[int, int]] = []
            for change, pk in zip(creates[start : start + BATCH], ids[start : start + BATCH], strict=True):
                values = dict(base)
                for name in json_fields:
                    values[name] = dict(values[name])
                values.update(change.values)
                values["id"] = pk
                values["sourced_id"] = change.sourced_id
                rows.append([values[name] for name in attnames])
                if kind == v.STUDENT:
                    self.student_pk_of[change.sourced_id] = pk
                related = self.resolve(kind, change.related or set())
                pairs += [(pk, other) for other in related]
                after = snap(values)
                if related:
                    after[related_name] = sorted(related)
                batch.change(light_instance(model, values), action=AuditEvent.Action.CREATE, before=None, after=after)
            inserter.insert(rows)
            links.insert(pairs)
            self.progress.advance(len(rows))

    def resolve(self, kind: str, related: set[Any]) -> set[int]:
        """Membership keys → primary keys (guardian links are kept by student sourcedId until written)."""
        if kind != v.GUARDIAN:
            return {k for k in related if isinstance(k, int)}
        pks: set[int] = set()
        for key in related:
            if key.startswith("pk:"):
                pks.add(int(key[3:]))
            elif key in self.student_pk_of:
                pks.add(self.student_pk_of[key])
        return pks

    # --- summary -----------------------------------------------------------------------------------
    def summary(self) -> dict[str, dict[str, int]]:
        roster = self.roster
        counts: dict[str, dict[str, int]] = {}
        for name, f in roster.files.files.items():
            counts[name] = {"rows": len(f.rows), **dict.fromkeys(OUTCOMES, 0)}
        if "orgs.csv" in counts:
            for org in roster.orgs.values():
                counts["orgs.csv"][self.org_outcome.get(org.sourced_id, "unchanged")] += 1
        for name in ("academicSessions.csv", "enrollments.csv"):
            if name in counts:
                counts[name]["unchanged"] = counts[name]["rows"]
        users = counts.get("users.csv")
        roles = counts.get("roles.csv")
        for sid, person in roster.people.items():
            kind = person.kind or self.kind_of(sid)
            change = self.changes[kind].get(sid) if kind else None
            groups = change.groups if change is not None else set()
            if users is not None and person.line:
                if person.status == "tobedeleted":
                    users["deactivated" if kind and sid in self.deactivated[kind] else "unchanged"] += 1
                elif "created" in groups:
                    users["created"] += 1
                elif groups & {"user", "links", "programs:users.csv"} or (
                    not person.role_lines and "membership" in groups
                ):
                    users["updated"] += 1
                else:
                    users["unchanged"] += 1
            if roles is not None:
                for _line, status in person.role_lines:
                    if "created" in groups:
                        roles["created"] += 1
                    elif "membership" in groups:
                        roles["deactivated" if status == "tobedeleted" else "updated"] += 1
                    else:
                        roles["unchanged"] += 1
        if users is not None:
            users["deactivated"] += self.bulk_deactivated
        if "demographics.csv" in counts:
            demographics = counts["demographics.csv"]
            for sid in roster.demographics:
                change = self.changes[v.STUDENT].get(sid)
                groups = change.groups if change is not None else set()
                if "created" in groups:
                    demographics["created"] += 1
                elif groups & {"demographics", "programs:demographics.csv"}:
                    demographics["updated"] += 1
                else:
                    demographics["unchanged"] += 1
        if PROGRAMS in counts and roster.programs is not None:
            programs = counts[PROGRAMS]
            for sid, entry in roster.programs.items():
                change = self.changes[v.STUDENT].get(sid)
                groups = change.groups if change is not None else set()
                outcome = (
                    "created" if "created" in groups else "updated" if f"programs:{PROGRAMS}" in groups else "unchanged"
                )
                programs[outcome] += sum(1 for name in entry.values if name in v.PROGRAM_FLAGS)
        return counts

    def kind_of(self, sid: str) -> str | None:
        for kind in MODELS:
            if sid in self.changes[kind] or sid in self.unchanged[kind]:
                return kind
        return None


def _through(kind: str) -> tuple[type[models.Model], str, str]:
    m2m = MODELS[kind]._meta.get_field(RELATED[kind])
    through: type[models.Model] = m2m.remote_field.through  # type: ignore[union-attr]
    return through, m2m.m2m_field_name(), m2m.m2m_reverse_field_name()  # type: ignore[union-attr]


def _chunks(items: list[Change], size: int) -> Iterator[list[Change]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _level(name: str) -> str:
    lowered = name.lower()
    for word, level in (
        ("elementary", SchoolLevel.ELEMENTARY),
        ("primary", SchoolLevel.ELEMENTARY),
        ("middle", SchoolLevel.MIDDLE),
        ("junior", SchoolLevel.MIDDLE),
        ("high", SchoolLevel.HIGH),
    ):
        if word in lowered:
            return str(level)
    return str(SchoolLevel.OTHER)
