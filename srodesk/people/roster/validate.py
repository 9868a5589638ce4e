"""Checking every row of a OneRoster exchange and turning it into the people, schools and flags it describes.

Nothing here writes: the result (a :class:`RosterSet`) lists every error found, each with its file, line,
column, value and reason, and the desired state the services then compare with the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import values as v
from .reader import PROGRAMS, CsvFile, RosterError, RosterFiles

#: Longest values the database takes, per student/staff/guardian field.
MAX_LENGTH = {
    "given_name": 100,
    "middle_name": 100,
    "family_name": 100,
    "preferred_given_name": 100,
    "preferred_middle_name": 100,
    "preferred_family_name": 100,
    "identifier": 255,
    "username": 255,
    "email": 254,
    "phone": 40,
    "sms": 40,
}
#: users.csv column → field, for the plain text fields.
TEXT_COLUMNS = (
    ("givenName", "given_name"),
    ("middleName", "middle_name"),
    ("familyName", "family_name"),
    ("identifier", "identifier"),
    ("username", "username"),
    ("email", "email"),
    ("phone", "phone"),
    ("sms", "sms"),
    ("preferredGivenName", "preferred_given_name"),
    ("preferredMiddleName", "preferred_middle_name"),
    ("preferredFamilyName", "preferred_family_name"),
)
#: demographics.csv race/ethnicity column → student field.
RACE_COLUMNS = (
    ("americanIndianOrAlaskaNative", "american_indian"),
    ("asian", "asian"),
    ("blackOrAfricanAmerican", "black"),
    ("nativeHawaiianOrOtherPacificIslander", "pacific_islander"),
    ("white", "white"),
    ("demographicRaceTwoOrMoreRaces", "two_or_more_races"),
    ("hispanicOrLatinoEthnicity", "hispanic_latino"),
)
DEMOGRAPHIC_FIELDS = ("birth_date", "sex", *(f for _, f in RACE_COLUMNS))
#: The fields each kind of person takes from users.csv.
PERSON_FIELDS = {
    v.STUDENT: frozenset(
        {
            "given_name",
            "middle_name",
            "family_name",
            "preferred_given_name",
            "preferred_middle_name",
            "preferred_family_name",
            "identifier",
            "username",
            "email",
            "phone",
            "grade",
            "roster_modified_at",
            "roster_metadata",
        }
    ),
    v.STAFF: frozenset(
        {
            "given_name",
            "middle_name",
            "family_name",
            "identifier",
            "email",
            "phone",
            "roster_modified_at",
            "roster_metadata",
        }
    ),
    v.GUARDIAN: frozenset({"given_name", "middle_name", "family_name", "email", "phone", "sms", "roster_modified_at"}),
}
REQUIRED_COLUMNS = {
    "orgs.csv": ("sourcedId", "name", "type"),
    "academicSessions.csv": ("sourcedId",),
    "users.csv": ("sourcedId", "givenName", "familyName"),
    "roles.csv": ("sourcedId", "userSourcedId", "role", "orgSourcedId"),
    "demographics.csv": ("sourcedId",),
    "enrollments.csv": ("sourcedId", "userSourcedId", "schoolSourcedId"),
    PROGRAMS: ("sourcedId", "program"),
}


@dataclass(frozen=True)
class Known:
    """What the database already holds for the district (for delta files and school matching)."""

    #: sourcedId → kind (student, staff, guardian) of the district's people.
    people: dict[str, str] = field(default_factory=dict)
    #: NCES ids of the district's schools.
    school_nces: frozenset[str] = frozenset()
    #: NCES ids held by schools of other districts.
    foreign_nces: frozenset[str] = frozenset()


@dataclass
class Org:
    sourced_id: str
    line: int
    status: str
    type: str
    name: str
    identifier: str


@dataclass
class Programs:
    """Program flags and dates from one source (file, line); ``columns`` names each field's column."""

    file: str
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class Person:
    sourced_id: str
    #: users.csv line, 0 when the person appears only in roles.csv (a delta).
    line: int
    status: str = "active"
    kind: str | None = None
    role: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    #: School memberships: ``orgs`` replaces them; ``orgs_add``/``orgs_remove`` change them (1.2 delta roles).
    orgs: list[str] | None = None
    orgs_add: list[str] = field(default_factory=list)
    orgs_remove: list[str] = field(default_factory=list)
    primary_org: str | None = None
    agents: list[str] | None = None
    programs: Programs | None = None
    #: roles.csv rows of this person: (line, status).
    role_lines: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Demographic:
    sourced_id: str
    line: int
    status: str
    fields: dict[str, Any] = field(default_factory=dict)
    programs: Programs | None = None


@dataclass
class RosterSet:
    files: RosterFiles
    orgs: dict[str, Org] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    demographics: dict[str, Demographic] = field(default_factory=dict)
    #: programs.csv by student sourcedId (``None`` when there is no programs.csv).
    programs: dict[str, Programs] | None = None
    errors: list[RosterError] = field(default_factory=list)

    @property
    def version(self) -> str:
        return self.files.version

    def mode(self, name: str) -> str:
        return self.files.modes.get(name, "absent")


Progress = Callable[[int], None]
#: sourcedId, status and dateLastModified of a row.
Common = tuple[str, str, dt.datetime | None]
#: A roles.csv row: line, status, kind, role, orgSourcedId, roleType.
RoleRow = tuple[int, str, str, str, str, str]


class _Validator:
    def __init__(self, files: RosterFiles, known: Known, progress: Progress | None) -> None:
        self.files = files
        self.known = known
        self.result = RosterSet(files=files, errors=files.errors)
        self.errors = self.result.errors
        self.progress = progress or (lambda n: None)
        self.roles: dict[str, list[RoleRow]] = {}

    # --- helpers -----------------------------------------------------------------------------------
    def error(self, f: CsvFile, line: int, column: str, value: str, reason: str) -> None:
        self.errors.append(RosterError(f.name, line, f.label(column), value, reason))

    def columns_ok(self, f: CsvFile) -> bool:
        ok = True
        required = list(REQUIRED_COLUMNS.get(f.name, ()))
        if f.mode == "delta" and f.name != PROGRAMS:
            required += ["status", "dateLastModified"]
        if f.name == "users.csv" and "roles.csv" not in self.files.files:
            required.append("role")
        for column in required:
            if not f.has(column):
                self.errors.append(RosterError(f.name, 1, column, "", "missing required column"))
                ok = False
        return ok

    def common(self, f: CsvFile, seen: dict[str, int], line: int, cells: list[str]) -> Common | None:
        """sourcedId (required, unique in the file), status and dateLastModified; None when unusable."""
        sid = cells[f.index["sourcedId"]]
        if not sid:
            self.error(f, line, "sourcedId", "", "required")
            return None
        if sid in seen:
            self.error(f, line, "sourcedId", sid, f"duplicate sourcedId (first on line {seen[sid]})")
            return None
        seen[sid] = line
        status_text = cells[f.index.get("status", -1)]
        status = v.STATUSES.get(status_text.lower()) if status_text else "active"
        if status is None:
            self.error(f, line, "status", status_text, "expected active or tobedeleted")
            status = "active"
        elif not status_text and f.mode == "delta":
            self.error(f, line, "status", "", "required in a delta file")
        modified = cells[f.index.get("dateLastModified", -1)]
        if not modified and f.mode == "delta":
            self.error(f, line, "dateLastModified", "", "required in a delta file")
        return sid, status, self.parse(f, line, "dateLastModified", modified, v.parse_datetime)

    def parse(self, f: CsvFile, line: int, column: str, text: str, parser: Callable[[str], Any]) -> Any:
        try:
            return parser(text)
        except ValueError as exc:
            self.error(f, line, column, text, str(exc))
            return None

    def org_known(self, sid: str) -> bool:
        return sid in self.result.orgs or sid in self.known.school_nces

    def person_known(self, sid: str) -> bool:
        return sid in self.result.people or sid in self.known.people

    def tick(self, count: int) -> None:
        self.progress(count)

    # --- files -------------------------------------------------------------------------------------
    def run(self) -> RosterSet:
        files = self.files.files
        for name, method in (
            ("orgs.csv", self.orgs),
            ("academicSessions.csv", self.sessions),
            ("roles.csv", self.read_roles),
            ("users.csv", self.users),
            ("demographics.csv", self.demographics),
            ("enrollments.csv", self.enrollments),
            (PROGRAMS, self.programs),
        ):
            f = files.get(name)
            if f is not None and self.columns_ok(f):
                method(f)
            elif f is not None:
                self.tick(len(f.rows))
        if "roles.csv" in files:
            self.apply_roles(files["roles.csv"])
        self.check_people()
        return self.result

    def orgs(self, f: CsvFile) -> None:
        seen: dict[str, int] = {}
        name_of, type_of, ident_of = f.getter("name"), f.getter("type"), f.getter("identifier")
        for line, cells in f.rows:
            common = self.common(f, seen, line, cells)
            if common is None:
                continue
            sid, status, _ = common
            org_type = type_of(cells)
            if org_type not in v.ORG_TYPES:
                self.error(f, line, "type", org_type, "unknown org type" if org_type else "required")
                continue
            name, identifier = name_of(cells), ident_of(cells)
            if org_type == "school" and status == "active":
                if not name:
                    self.error(f, line, "name", "", "required")
                elif len(name) > 200:
                    self.error(f, line, "name", name, "longer than 200 characters")
                if identifier in self.known.foreign_nces:
                    self.error(f, line, "identifier", identifier, "the NCES id belongs to a school of another district")
            self.result.orgs[sid] = Org(sid, line, status, org_type, name, identifier)
        self.tick(len(f.rows))

    def sessions(self, f: CsvFile) -> None:
        seen: dict[str, int] = {}
        start, end = f.getter("startDate"), f.getter("endDate")
        for line, cells in f.rows:
            if self.common(f, seen, line, cells) is None:
                continue
            begins = self.parse(f, line, "startDate", start(cells), v.parse_date)
            ends = self.parse(f, line, "endDate", end(cells), v.parse_date)
            if begins and ends and ends < begins:
                self.error(f, line, "endDate", end(cells), "before startDate")
        self.tick(len(f.rows))

    def read_roles(self, f: CsvFile) -> None:
        """roles.csv (1.2): checked here, applied to the people once users.csv is read."""
        seen: dict[str, int] = {}
        user_of, role_of, org_of, type_of = (
            f.getter("userSourcedId"),
            f.getter("role"),
            f.getter("orgSourcedId"),
            f.getter("roleType"),
        )
        begin, end = f.getter("beginDate"), f.getter("endDate")
        for line, cells in f.rows:
            common = self.common(f, seen, line, cells)
            if common is None:
                continue
            _, status, _ = common
            user, org, role_type = user_of(cells), org_of(cells), type_of(cells)
            if not user:
                self.error(f, line, "userSourcedId", "", "required")
                continue
            kind_role = self.parse(f, line, "role", role_of(cells), v.parse_role)
            if not org:
                self.error(f, line, "orgSourcedId", "", "required")
                continue
            if not self.org_known(org):
                self.error(f, line, "orgSourcedId", org, "unknown org reference")
                continue
            if role_type and role_type.lower() not in ("primary", "secondary"):
                self.error(f, line, "roleType", role_type, "expected primary or secondary")
            begins = self.parse(f, line, "beginDate", begin(cells), v.parse_date)
            ends = self.parse(f, line, "endDate", end(cells), v.parse_date)
            if begins and ends and ends < begins:
                self.error(f, line, "endDate", end(cells), "before beginDate")
            if kind_role is None:
                continue
            kind, role = kind_role
            self.roles.setdefault(user, []).append((line, status, kind, role, org, role_type.lower()))
        self.tick(len(f.rows))

    def users(self, f: CsvFile) -> None:
        seen: dict[str, int] = {}
        people = self.result.people
        texts = [(f.getter(col), col, name) for col, name in TEXT_COLUMNS if f.has(col)]
        has_roles_file = "roles.csv" in self.files.files
        role_of = f.getter("role")
        role_column = f.has("role") and not has_roles_file
        orgs_of = f.getter("orgSourcedIds")
        orgs_column = f.has("orgSourcedIds") and not has_roles_file
        primary_of, agents_of, grades_of = (
            f.getter("primaryOrgSourcedId"),
            f.getter("agentSourcedIds"),
            f.getter("grades"),
        )
        has_primary, has_agents, has_grades = f.has("primaryOrgSourcedId"), f.has("agentSourcedIds"), f.has("grades")
        enabled_of, has_enabled = f.getter("enabledUser"), f.has("enabledUser")
        has_modified = f.has("dateLastModified")
        extras = [(name, pos) for name, pos in f.extras if name.lower() not in v.PROGRAM_COLUMNS]
        program_columns = [(name, pos) for name, pos in f.extras if name.lower() in v.PROGRAM_COLUMNS]
        done = 0
        for line, cells in f.rows:
            done += 1
            if done % 1000 == 0:
                self.tick(1000)
            common = self.common(f, seen, line, cells)
            if common is None:
                continue
            sid, status, modified = common
            person = Person(sid, line, status)
            people[sid] = person
            if has_modified:
                person.fields["roster_modified_at"] = modified
            if role_column and role_of(cells):
                kind_role = self.parse(f, line, "role", role_of(cells), v.parse_role)
                if kind_role is not None:
                    person.kind, person.role = kind_role
            elif has_roles_file and sid in self.roles:
                chosen = self.chosen_role(self.roles[sid])
                if chosen is not None:
                    person.kind, person.role = chosen[2], chosen[3]
            if person.kind is None:
                person.kind = self.known.people.get(sid)
            if status == "tobedeleted":
                continue
            if role_column and not role_of(cells):
                self.error(f, line, "role", "", "required")
            for get, column, name in texts:
                text = get(cells)
                if len(text) > MAX_LENGTH[name]:
                    self.error(f, line, column, text, f"longer than {MAX_LENGTH[name]} characters")
                    continue
                if not text and name in ("given_name", "family_name"):
                    self.error(f, line, column, "", "required")
                    continue
                if name == "email" and text and not v.is_email(text):
                    self.error(f, line, column, text, "not an email address")
                    continue
                person.fields[name] = text
            if has_enabled:
                self.parse(f, line, "enabledUser", enabled_of(cells), v.parse_bool)
            if has_grades and person.kind == v.STUDENT:
                grade = self.parse(f, line, "grades", grades_of(cells), v.parse_grade)
                if grade is not None:
                    person.fields["grade"] = grade
            if orgs_column:
                person.orgs = []
                for org in v.split_multi(orgs_of(cells)):
                    if self.org_known(org):
                        person.orgs.append(org)
                    else:
                        self.error(f, line, "orgSourcedIds", org, "unknown org reference")
            if has_primary:
                primary = primary_of(cells)
                if primary and not self.org_known(primary):
                    self.error(f, line, "primaryOrgSourcedId", primary, "unknown org reference")
                else:
                    person.primary_org = primary or None
            if has_agents:
                person.agents = v.split_multi(agents_of(cells))
            if extras:
                person.fields["roster_metadata"] = {name: cells[pos] for name, pos in extras if cells[pos]}
            if program_columns:
                person.programs = self.program_columns(f, line, cells, program_columns)
        self.tick(done % 1000)

    def program_columns(self, f: CsvFile, line: int, cells: list[str], columns: list[tuple[str, int]]) -> Programs:
        programs = Programs(f.name, line)
        for name, pos in columns:
            text = cells[pos]
            if not text:
                continue
            target = v.PROGRAM_COLUMNS[name.lower()]
            parser: Callable[[str], Any] = v.parse_date if target.endswith(("_start", "_end")) else v.parse_bool
            try:
                programs.values[target] = parser(text)
                programs.columns[target] = name
            except ValueError as exc:
                self.errors.append(RosterError(f.name, line, name, text, str(exc)))
        return programs

    @staticmethod
    def chosen_role(rows: list[RoleRow]) -> RoleRow | None:
        """The role that decides what a person is: the active primary one, else the first active one."""
        active = [r for r in rows if r[1] == "active"]
        return next((r for r in active if r[5] == "primary"), active[0] if active else None)

    def apply_roles(self, f: CsvFile) -> None:
        """Give each person of roles.csv their kind, role and school memberships."""
        people = self.result.people
        bulk = f.mode == "bulk"
        for user, rows in self.roles.items():
            person = people.get(user)
            if person is None:
                if user not in self.known.people:
                    for line, *_ in rows:
                        self.error(f, line, "userSourcedId", user, "unknown user reference")
                    continue
                person = Person(user, 0)
                people[user] = person
            person.role_lines = [(line, status) for line, status, *_ in rows]
            active = [r for r in rows if r[1] == "active"]
            chosen = self.chosen_role(rows)
            if chosen is not None:
                person.kind, person.role = chosen[2], chosen[3]
                orgs = [r[4] for r in active if r[2] == chosen[2]]
                if bulk:
                    person.orgs = orgs
                else:
                    person.orgs_add = orgs
                if person.primary_org is None:
                    person.primary_org = chosen[4]
            if not bulk:
                person.orgs_remove = [r[4] for r in rows if r[1] == "tobedeleted"]

    def demographics(self, f: CsvFile) -> None:
        seen: dict[str, int] = {}
        result = self.result.demographics
        birth_of, has_birth = f.getter("birthDate"), f.has("birthDate")
        sex_of, has_sex = f.getter("sex"), f.has("sex")
        races = [(f.getter(col), col, name) for col, name in RACE_COLUMNS if f.has(col)]
        program_columns = [(name, pos) for name, pos in f.extras if name.lower() in v.PROGRAM_COLUMNS]
        done = 0
        for line, cells in f.rows:
            done += 1
            if done % 1000 == 0:
                self.tick(1000)
            common = self.common(f, seen, line, cells)
            if common is None:
                continue
            sid, status, _ = common
            if not self.person_known(sid):
                self.error(f, line, "sourcedId", sid, "unknown user reference")
                continue
            row = Demographic(sid, line, status)
            result[sid] = row
            if status == "tobedeleted":
                row.fields = {name: ("" if name == "sex" else None) for name in DEMOGRAPHIC_FIELDS}
                continue
            if has_birth:
                row.fields["birth_date"] = self.parse(f, line, "birthDate", birth_of(cells), v.parse_date)
            if has_sex:
                sex = self.parse(f, line, "sex", sex_of(cells), v.parse_sex)
                row.fields["sex"] = sex or ""
            for get, column, name in races:
                row.fields[name] = self.parse(f, line, column, get(cells), v.parse_bool)
            if program_columns:
                row.programs = self.program_columns(f, line, cells, program_columns)
        self.tick(done % 1000)

    def enrollments(self, f: CsvFile) -> None:
        """Checked (references, dates, role), counted, not stored: SRO Desk keeps no class rosters."""
        seen: dict[str, int] = {}
        user_of, school_of, role_of = f.getter("userSourcedId"), f.getter("schoolSourcedId"), f.getter("role")
        begin, end, primary = f.getter("beginDate"), f.getter("endDate"), f.getter("primary")
        has_role = f.has("role")
        for line, cells in f.rows:
            common = self.common(f, seen, line, cells)
            if common is None or common[1] == "tobedeleted":
                continue
            user, school = user_of(cells), school_of(cells)
            if not self.person_known(user):
                self.error(f, line, "userSourcedId", user, "unknown user reference" if user else "required")
            if not self.org_known(school):
                self.error(f, line, "schoolSourcedId", school, "unknown org reference" if school else "required")
            if has_role:
                role = role_of(cells)
                if role.lower() not in ("student", "teacher", "administrator", "aide", "guardian", "proctor"):
                    self.error(f, line, "role", role, "unknown role" if role else "required")
            self.parse(f, line, "beginDate", begin(cells), v.parse_date)
            self.parse(f, line, "endDate", end(cells), v.parse_date)
            self.parse(f, line, "primary", primary(cells), v.parse_bool)
        self.tick(len(f.rows))

    def programs(self, f: CsvFile) -> None:
        result: dict[str, Programs] = {}
        self.result.programs = result
        seen: dict[tuple[str, str], int] = {}
        sid_of, program_of, begin, end = (
            f.getter("sourcedId"),
            f.getter("program"),
            f.getter("beginDate"),
            f.getter("endDate"),
        )
        for line, cells in f.rows:
            sid, program = sid_of(cells), program_of(cells)
            if not sid:
                self.error(f, line, "sourcedId", "", "required")
                continue
            if not self.person_known(sid):
                self.error(f, line, "sourcedId", sid, "unknown user reference")
                continue
            flag = v.PROGRAMS.get(program.lower())
            if flag is None:
                self.error(f, line, "program", program, "expected idea, section504 or ell" if program else "required")
                continue
            if (sid, flag) in seen:
                self.error(
                    f, line, "program", program, f"duplicate program for this student (first on line {seen[sid, flag]})"
                )
                continue
            seen[sid, flag] = line
            entry = result.setdefault(sid, Programs(f.name, line))
            entry.values[flag] = True
            entry.columns[flag] = "program"
            for suffix, get, column in (("_start", begin, "beginDate"), ("_end", end, "endDate")):
                entry.values[flag + suffix] = self.parse(f, line, column, get(cells), v.parse_date)
                entry.columns[flag + suffix] = column
        self.tick(len(f.rows))

    # --- cross-row checks --------------------------------------------------------------------------
    def check_people(self) -> None:
        users = self.files.files.get("users.csv")
        people = self.result.people
        known = self.known.people
        for person in people.values():
            if person.status == "tobedeleted":
                continue
            if person.kind is None and person.line and users is not None and "roles.csv" in self.files.files:
                self.error(users, person.line, "sourcedId", person.sourced_id, "the user has no role in roles.csv")
            if person.agents and users is not None:
                for agent in person.agents:
                    if agent not in people and agent not in known:
                        self.error(users, person.line, "agentSourcedIds", agent, "unknown user reference")
            if person.kind == v.STUDENT:
                self.check_programs(self.program_sources(person.sourced_id))

    def program_sources(self, sid: str) -> list[Programs]:
        """The sources of a student's program flags, lowest precedence first."""
        sources: list[Programs] = []
        person = self.result.people.get(sid)
        if person is not None and person.programs is not None:
            sources.append(person.programs)
        demographic = self.result.demographics.get(sid)
        if demographic is not None and demographic.programs is not None:
            sources.append(demographic.programs)
        if self.result.programs is not None:
            sources = [self.result.programs[sid]] if sid in self.result.programs else []
        return sources

    def check_programs(self, sources: list[Programs]) -> None:
        merged: dict[str, tuple[Any, Programs]] = {}
        for source in sources:
            for name, value in source.values.items():
                merged[name] = (value, source)
        for flag in v.PROGRAM_FLAGS:
            start, end = merged.get(f"{flag}_start"), merged.get(f"{flag}_end")
            if start and end and start[0] and end[0] and end[0] < start[0]:
                src = end[1]
                self.errors.append(
                    RosterError(
                        src.file,
                        src.line,
                        src.columns[f"{flag}_end"],
                        end[0].isoformat(),
                        "the end date is before the start date",
                    )
                )
        idea, section = merged.get("idea"), merged.get("section_504")
        if idea and section and idea[0] and section[0]:
            src = section[1]
            self.errors.append(
                RosterError(
                    src.file,
                    src.line,
                    src.columns["section_504"],
                    "true",
                    "IDEA and Section 504 only exclude each other",
                )
            )


def validate(files: RosterFiles, known: Known, progress: Progress | None = None) -> RosterSet:
    """Check every row; collect every error; describe the desired state."""
    return _Validator(files, known, progress).run()
