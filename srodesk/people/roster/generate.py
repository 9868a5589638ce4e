"""Synthetic, deterministic OneRoster CSV exchanges (1.1 and 1.2, bulk and delta) for tests and benchmarks.

No public district-sized OneRoster set exists (REFERENCE.md §5.4), so this writes one: a district, its
schools (12-digit NCES ids), students, staff and guardians, with demographics, enrollments, academic
sessions, roles (1.2), ``metadata.*`` program flags and an ``ext_*`` column. Always present, as real
exporters write them: a byte-order mark, CRLF line ends, blank ``status`` / ``dateLastModified`` cells in
bulk files, quoted multi-valued cells and mixed timestamp formats. ``quirks=True`` adds the OneRoster 1.0
demographics headers, M/D/YYYY birth dates and leaves optional columns out.

The same seed gives the same bytes. A delta (``delta=True``) is written against the bulk set of the same
seed and size: some students updated (a few move school), some marked ``tobedeleted``, some new (linked
to existing guardians), some demographics changed, one teacher replaced and one guardian updated.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

GIVEN = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Mateo", "Isabella", "Lucas", "Mia", "Levi",
    "Amelia", "Ezra", "Harper", "Asher", "Evelyn", "James", "Camila", "Leo", "Zoë", "José", "Aaliyah", "Malik",
    "Chloé", "Andrés", "Nia", "Kai", "Priya", "Arjun", "Mei", "Hiroshi", "Fatima", "Omar", "Sofía", "Diego",
    "Ngozi", "Chinedu", "Anaïs", "Björn", "Leilani", "Keanu", "Ayasha", "Dakota", "Yusuf", "Layla", "Dmitri",
    "Anya", "Tomás", "Lucía",
)  # fmt: skip
FAMILY = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "García", "Miller", "Davis", "Rodríguez", "Martínez",
    "Hernández", "López", "González", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Pérez", "Thompson", "White", "Harris", "Sánchez", "Clark", "Ramírez", "Lewis", "Robinson", "Nguyễn",
    "O'Brien", "Müller", "Kowalski", "Begay", "Yazzie", "Kealoha", "Okafor", "Haddad", "Patel", "Kim", "Chen",
    "Tanaka", "Novak", "St. John", "Van der Berg", "Abebe", "Silva", "Rossi", "Dubois",
)  # fmt: skip
PLACES = (
    "Riverside", "Oak Grove", "Lincoln", "Maple Hill", "Cedar Park", "Lakeview", "Washington", "Pine Ridge",
    "Hillcrest", "Jefferson", "Meadowbrook", "Franklin", "Westwood", "Eastside", "Northgate", "Southfield",
)  # fmt: skip
LEVELS = (("Elementary School", ("KG", "01", "02", "03", "04", "05")), ("Middle School", ("06", "07", "08")),
          ("High School", ("09", "10", "11", "12")))  # fmt: skip
#: Grades as exporters write them: CEDS codes, plus some bare numbers and "K".
GRADE_SPELLING = {"KG": ("KG", "K"), "01": ("01", "1"), "02": ("02", "2"), "05": ("05", "5"), "09": ("09", "9")}

BASE_TIME = dt.datetime(2025, 8, 1, 12, 0, tzinfo=dt.UTC)
SCHOOL_YEAR = ("2025-08-25", "2026-06-12")

USERS_11 = (
    "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds",
    "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
    "password",
)  # fmt: skip
USERS_12 = (
    "sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName", "familyName",
    "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
    "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
    "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
)  # fmt: skip
PROGRAM_COLUMNS = (
    "metadata.idea", "metadata.idea_start", "metadata.idea_end", "metadata.section504", "metadata.section504_start",
    "metadata.section504_end", "metadata.ell", "metadata.ell_start", "metadata.ell_end",
)  # fmt: skip
DEMOGRAPHICS = (
    "sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative", "asian",
    "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces",
    "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth",
    "publicSchoolResidenceStatus",
)  # fmt: skip
ORGS = ("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId")
ENROLLMENTS = (
    "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role",
    "primary", "beginDate", "endDate",
)  # fmt: skip
SESSIONS = ("sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId",
            "schoolYear")  # fmt: skip
ROLES = ("sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate", "endDate",
         "orgSourcedId", "userProfileSourcedId")  # fmt: skip
FILES_11 = ("academicSessions", "categories", "classes", "classResources", "courses", "courseResources",
            "demographics", "enrollments", "lineItems", "orgs", "resources", "results", "users")  # fmt: skip
FILES_12 = (*FILES_11, "roles", "userProfiles", "userResources", "scoreScales", "lineItemLearningObjectiveIds",
            "lineItemScoreScales", "resultLearningObjectiveIds", "resultScoreScales")  # fmt: skip
RACES = (  # (weight, race flags set, hispanic)
    (40, ("white",), False), (14, ("white",), True), (8, ("asian",), False), (15, ("black",), False),
    (2, ("americanIndianOrAlaskaNative",), False), (1, ("nativeHawaiianOrOtherPacificIslander",), False),
    (4, ("white", "black"), False), (2, ("white", "asian"), False), (6, (), True), (3, ("black",), True),
    (5, (), False),
)  # fmt: skip
RACE_COLUMNS = ("americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
                "nativeHawaiianOrOtherPacificIslander", "white")  # fmt: skip


@dataclass
class GeneratedSet:
    """What was written, and the summary an import of it reports (into an empty district for a bulk
    set, after the bulk set of the same seed for a delta)."""

    path: Path
    version: str
    delta: bool
    schools: int
    students: int
    staff: int
    guardians: int
    #: guardian–student links and student–school enrolments in the district after a bulk import.
    links: int = 0
    enrolments: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    expected: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class _Person:
    sid: str
    kind: str
    role: str
    given: str
    family: str
    middle: str = ""
    preferred: str = ""
    identifier: str = ""
    email: str = ""
    phone: str = ""
    sms: str = ""
    grade: str = ""
    schools: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    birth: dt.date | None = None
    sex: str = ""
    races: tuple[str, ...] = ()
    hispanic: bool | None = None
    programs: dict[str, str] = field(default_factory=dict)
    homeroom: str = ""
    index: int = 0


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and c.isascii()).lower()


class _Population:
    """The district as the seed makes it: the same every time for the same seed and sizes."""

    def __init__(self, *, students: int, schools: int, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - synthetic test data, deterministic by design
        self.seed = seed
        self.district_nces = f"26{seed % 100000:05d}"
        self.schools: list[tuple[str, str, str, tuple[str, ...]]] = []
        for i in range(schools):
            suffix, grades = LEVELS[i % 3] if schools > 1 else ("School", ("KG", *(f"{g:02d}" for g in range(1, 13))))
            place = PLACES[i % len(PLACES)] + (f" {i // len(PLACES) + 1}" if i >= len(PLACES) else "")
            self.schools.append(
                (f"org-sch-{i + 1:03d}", f"{place} {suffix}", f"{self.district_nces}{i + 1:05d}", grades)
            )
        self.students = [self._student(i, rng) for i in range(students)]
        self.guardians: list[_Person] = []
        self._families(rng)
        self.staff = self._staff(rng, max(len(self.schools), students // 20))

    def name(self, rng: random.Random) -> tuple[str, str]:
        return rng.choice(GIVEN), rng.choice(FAMILY)

    def _student(self, i: int, rng: random.Random) -> _Person:
        given, family = self.name(rng)
        school = self.schools[i % len(self.schools)]
        grade = school[3][rng.randrange(len(school[3]))]
        person = _Person(f"stu-{i + 1:06d}", "student", "student", given, family, index=i)
        person.middle = rng.choice(GIVEN) if rng.random() < 0.4 else ""
        person.preferred = rng.choice(GIVEN) if rng.random() < 0.05 else ""
        person.identifier = f"S{100000 + i + 1}"
        person.email = f"{_ascii(given)}.{_ascii(family)}{i + 1}@students.example.org"
        person.grade = grade
        person.schools = [school[0]]
        if len(self.schools) > 1 and rng.random() < 0.05:
            person.schools.append(self.schools[(i + 1) % len(self.schools)][0])
        age = 5 + (0 if grade == "KG" else int(grade))
        person.birth = dt.date(2025 - age - 1, 9, 1) + dt.timedelta(days=rng.randrange(365))
        person.sex = "male" if rng.random() < 0.5 else "female"
        weights = [w for w, *_ in RACES]
        _, races, hispanic = rng.choices(RACES, weights=weights)[0]
        person.races, person.hispanic = races, hispanic
        if not races and not hispanic:
            person.hispanic = None
        draw = rng.random()
        if draw < 0.13:
            person.programs["idea"] = "2022-09-01"
        elif draw < 0.16:
            person.programs["section504"] = "2023-01-15"
        if rng.random() < 0.10:
            person.programs["ell"] = "2021-08-30"
        person.homeroom = f"{100 + rng.randrange(60)}"
        return person

    def _families(self, rng: random.Random) -> None:
        i = 0
        while i < len(self.students):
            size = min(rng.choice((1, 1, 1, 2, 2, 3)), len(self.students) - i)
            children = self.students[i : i + size]
            for _ in range(1 if rng.random() < 0.35 else 2):
                j = len(self.guardians) + 1
                given, _family = self.name(rng)
                draw = rng.random()
                role = "parent" if draw < 0.85 else "guardian" if draw < 0.95 else "relative"
                guardian = _Person(f"grd-{j:06d}", "guardian", role, given, children[0].family, index=j)
                guardian.phone = f"555-01{j % 100:02d}"
                guardian.sms = guardian.phone if rng.random() < 0.5 else ""
                guardian.email = (
                    f"{_ascii(given)}.{_ascii(guardian.family)}{j}@example.net" if rng.random() < 0.7 else ""
                )
                guardian.agents = [c.sid for c in children]
                guardian.schools = [children[0].schools[0]]
                self.guardians.append(guardian)
                for child in children:
                    child.agents.append(guardian.sid)
            i += size

    def _staff(self, rng: random.Random, teachers: int) -> list[_Person]:
        staff = []
        for i in range(teachers):
            given, family = self.name(rng)
            person = _Person(f"tch-{i + 1:05d}", "staff", "teacher", given, family, index=i)
            person.identifier = f"E{20000 + i + 1}"
            person.email = f"{_ascii(given)}.{_ascii(family)}{i + 1}@district.example.org"
            person.schools = [self.schools[i % len(self.schools)][0]]
            staff.append(person)
        for i, school in enumerate(self.schools):
            given, family = self.name(rng)
            person = _Person(f"adm-{i + 1:03d}", "staff", "principal", given, family, index=i)
            person.identifier = f"E{10000 + i + 1}"
            person.email = f"{_ascii(given)}.{_ascii(family)}@district.example.org"
            person.schools = [school[0]]
            staff.append(person)
        given, family = self.name(rng)
        head = _Person("adm-district", "staff", "districtAdministrator", given, family)
        head.identifier = "E10000"
        head.email = "superintendent@district.example.org"
        head.schools = ["org-district"]
        staff.append(head)
        return staff


class _Writer:
    def __init__(self, version: str, *, delta: bool, quirks: bool) -> None:
        self.version = version
        self.delta = delta
        self.quirks = quirks
        self.files: dict[str, bytes] = {}
        self.rows: dict[str, int] = {}

    def stamp(self, n: int) -> tuple[str, str]:
        """status and dateLastModified of the n-th row: blanks in bulk files, three ISO spellings."""
        when = BASE_TIME + dt.timedelta(days=30 if self.delta else 0, minutes=n % 1440)
        text = (
            when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{n % 1000:03d}Z",
        )[n % 3]
        if self.delta:
            return "active", text
        return ("" if n % 5 == 0 else "active"), ("" if n % 7 == 0 else text)

    def write(self, name: str, header: tuple[str, ...] | list[str], rows: list[dict[str, str]]) -> None:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
        self.files[f"{name}.csv"] = buffer.getvalue().encode("utf-8-sig")
        self.rows[f"{name}.csv"] = len(rows)

    def manifest(self, written: set[str]) -> None:
        names = FILES_12 if self.version == "1.2" else FILES_11
        mode = "delta" if self.delta else "bulk"
        rows = [
            ("manifest.version", "1.0"),
            ("oneroster.version", self.version),
            ("source.systemName", "SRO Desk synthetic roster"),
            ("source.systemCode", "srodesk-generate"),
            *((f"file.{name}", mode if name in written else "absent") for name in names),
        ]
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(("propertyName", "value"))
        writer.writerows(rows)
        self.files["manifest.csv"] = buffer.getvalue().encode("utf-8-sig")

    def save(self, out: Path) -> None:
        if out.suffix.lower() == ".zip":
            out.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name in sorted(self.files):
                    info = zipfile.ZipInfo(name, date_time=(2025, 8, 1, 12, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, self.files[name])
            return
        out.mkdir(parents=True, exist_ok=True)
        for name, data in self.files.items():
            (out / name).write_bytes(data)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _grade(person: _Person) -> str:
    spellings = GRADE_SPELLING.get(person.grade)
    return spellings[person.index % len(spellings)] if spellings else person.grade


class _Rows:
    """The CSV rows of a population for one OneRoster version."""

    def __init__(self, population: _Population, writer: _Writer) -> None:
        self.population = population
        self.writer = writer
        self.version = writer.version
        self.counter = 0

    def stamp(self) -> tuple[str, str]:
        self.counter += 1
        return self.writer.stamp(self.counter)

    def org(self, sid: str, name: str, kind: str, identifier: str, parent: str) -> dict[str, str]:
        status, modified = self.stamp()
        return {"sourcedId": sid, "status": status, "dateLastModified": modified, "name": name, "type": kind,
                "identifier": identifier, "parentSourcedId": parent}  # fmt: skip

    def orgs(self) -> list[dict[str, str]]:
        p = self.population
        rows = [self.org("org-district", f"Synthetic District {p.seed}", "district", p.district_nces, "")]
        rows += [self.org(sid, name, "school", nces, "org-district") for sid, name, nces, _ in p.schools]
        return rows

    def user(self, person: _Person) -> dict[str, str]:
        status, modified = self.stamp()
        row = {
            "sourcedId": person.sid,
            "status": status,
            "dateLastModified": modified,
            "enabledUser": "true" if person.kind != "guardian" else "false",
            "username": _ascii(person.given) + "." + _ascii(person.family) + str(person.index + 1),
            "userIds": f"{{SIS:{person.identifier}}}" if person.identifier else "",
            "givenName": person.given,
            "familyName": person.family,
            "middleName": person.middle,
            "identifier": person.identifier,
            "email": person.email,
            "sms": person.sms,
            "phone": person.phone,
            "agentSourcedIds": ",".join(person.agents),
            "grades": _grade(person),
            "ext_homeroom": person.homeroom,
        }
        if self.version == "1.1":
            row["orgSourcedIds"] = ",".join(person.schools)
            row["role"] = {"principal": "administrator", "districtAdministrator": "administrator"}.get(
                person.role, person.role
            )
            for program, begins in person.programs.items():
                row[f"metadata.{program}"] = "true"
                row[f"metadata.{program}_start"] = begins
            if person.kind == "student":
                for program in ("idea", "section504", "ell"):
                    row.setdefault(f"metadata.{program}", "false")
        else:
            row["preferredGivenName"] = person.preferred
            row["primaryOrgSourcedId"] = person.schools[0] if person.kind != "guardian" else ""
            row["userMasterIdentifier"] = person.identifier
        return row

    def users_header(self) -> list[str]:
        header = list(USERS_11 if self.version == "1.1" else USERS_12)
        if self.writer.quirks:
            header = [c for c in header if c not in ("password", "resourceSourcedIds", "pronouns")]
        if self.version == "1.1":
            header += PROGRAM_COLUMNS
        return [*header, "ext_homeroom"]

    def demographic(self, person: _Person) -> dict[str, str]:
        status, modified = self.stamp()
        birth = person.birth or dt.date(2010, 1, 1)
        birth_text = birth.isoformat()
        if self.writer.quirks and person.index % 4 == 1:
            birth_text = f"{birth.month}/{birth.day}/{birth.year}"
        row = {
            "sourcedId": person.sid,
            "status": status,
            "dateLastModified": modified,
            "birthDate": birth_text,
            "sex": person.sex,
            "countryOfBirthCode": "US",
            "stateOfBirthAbbreviation": "MI",
            "publicSchoolResidenceStatus": "01652",
        }
        if person.hispanic is not None:
            for column in RACE_COLUMNS:
                row[column] = _flag(column in person.races)
            row["demographicRaceTwoOrMoreRaces"] = _flag(len(person.races) > 1)
            row["hispanicOrLatinoEthnicity"] = _flag(person.hispanic)
        if self.version == "1.2":
            for program in ("idea", "section504", "ell"):
                begins = person.programs.get(program)
                row[f"metadata.{program}"] = "Y" if begins else "N"
                row[f"metadata.{program}_start"] = begins or ""
        return row

    def demographics_header(self) -> list[str]:
        header = list(DEMOGRAPHICS)
        if self.writer.quirks:
            header[header.index("sourcedId")] = "userSourcedId"
            header[header.index("birthDate")] = "birthdate"
        if self.version == "1.2":
            header += PROGRAM_COLUMNS
        return header

    def demographic_row(self, person: _Person) -> dict[str, str]:
        row = self.demographic(person)
        if self.writer.quirks:
            row["userSourcedId"] = row.pop("sourcedId")
            row["birthdate"] = row.pop("birthDate")
        return row

    def enrollment(self, person: _Person) -> dict[str, str]:
        status, modified = self.stamp()
        school = person.schools[0]
        return {
            "sourcedId": f"enr-{person.sid}",
            "status": status,
            "dateLastModified": modified,
            "classSourcedId": f"cls-{school}-{person.grade or 'staff'}",
            "schoolSourcedId": school,
            "userSourcedId": person.sid,
            "role": "student" if person.kind == "student" else "teacher",
            "primary": "false" if person.kind == "student" else "true",
            "beginDate": SCHOOL_YEAR[0],
            "endDate": SCHOOL_YEAR[1],
        }

    def roles(self, person: _Person, status_override: str = "") -> list[dict[str, str]]:
        rows = []
        for n, org in enumerate(person.schools):
            status, modified = self.stamp()
            rows.append(
                {
                    "sourcedId": f"role-{person.sid}-{org}",
                    "status": status_override or status,
                    "dateLastModified": modified,
                    "userSourcedId": person.sid,
                    "roleType": "primary" if n == 0 else "secondary",
                    "role": person.role,
                    "beginDate": SCHOOL_YEAR[0],
                    "endDate": "",
                    "orgSourcedId": org,
                }
            )
        return rows

    def sessions(self) -> list[dict[str, str]]:
        rows = []
        for sid, title, kind, begins, ends, parent in (
            ("as-2026", "2025-2026", "schoolYear", *SCHOOL_YEAR, ""),
            ("as-2026-s1", "Fall 2025", "semester", SCHOOL_YEAR[0], "2026-01-16", "as-2026"),
            ("as-2026-s2", "Spring 2026", "semester", "2026-01-20", SCHOOL_YEAR[1], "as-2026"),
        ):
            status, modified = self.stamp()
            rows.append({"sourcedId": sid, "status": status, "dateLastModified": modified, "title": title,
                         "type": kind, "startDate": begins, "endDate": ends, "parentSourcedId": parent,
                         "schoolYear": "2026"})  # fmt: skip
        return rows


def generate(
    out: Path | str,
    *,
    students: int,
    schools: int,
    version: str = "1.2",
    delta: bool = False,
    seed: int = 1,
    quirks: bool = False,
) -> GeneratedSet:
    """Write a synthetic exchange to ``out`` (a folder, or a ZIP when the name ends with .zip)."""
    if version not in ("1.1", "1.2"):
        raise ValueError("version must be 1.1 or 1.2")
    if students < 1 or schools < 1:
        raise ValueError("a roster needs at least one student and one school")
    out = Path(out)
    population = _Population(students=students, schools=schools, seed=seed)
    writer = _Writer(version, delta=delta, quirks=quirks)
    rows = _Rows(population, writer)
    if delta:
        expected = _write_delta(population, rows, writer)
    else:
        expected = _write_bulk(population, rows, writer)
    writer.save(out)
    return GeneratedSet(
        path=out,
        version=version,
        delta=delta,
        schools=schools,
        students=len(population.students),
        staff=len(population.staff),
        guardians=len(population.guardians),
        links=sum(len(g.agents) for g in population.guardians),
        enrolments=sum(len(s.schools) for s in population.students),
        rows=dict(writer.rows),
        expected=expected,
    )


def _counts(rows: int, **outcomes: int) -> dict[str, int]:
    counts = {"rows": rows, "created": 0, "updated": 0, "deactivated": 0, "unchanged": 0}
    counts.update(outcomes)
    return counts


def _write_bulk(p: _Population, rows: _Rows, writer: _Writer) -> dict[str, dict[str, int]]:
    people = [*p.students, *p.staff, *p.guardians]
    writer.write("orgs", ORGS, rows.orgs())
    writer.write("academicSessions", SESSIONS, rows.sessions())
    writer.write("users", rows.users_header(), [rows.user(person) for person in people])
    header = rows.demographics_header()
    writer.write("demographics", header, [rows.demographic_row(s) for s in p.students])
    members = [*p.students, *(s for s in p.staff if s.role == "teacher")]
    writer.write("enrollments", ENROLLMENTS, [rows.enrollment(person) for person in members])
    written = {"orgs", "academicSessions", "users", "demographics", "enrollments"}
    expected = {
        "orgs.csv": _counts(len(p.schools) + 1, created=len(p.schools), unchanged=1),
        "academicSessions.csv": _counts(3, unchanged=3),
        "users.csv": _counts(len(people), created=len(people)),
        "demographics.csv": _counts(len(p.students), created=len(p.students)),
        "enrollments.csv": _counts(len(members), unchanged=len(members)),
    }
    if writer.version == "1.2":
        role_rows = [row for person in people for row in rows.roles(person)]
        writer.write("roles", ROLES, role_rows)
        written.add("roles")
        expected["roles.csv"] = _counts(len(role_rows), created=len(role_rows))
    writer.manifest(written)
    return expected


def _write_delta(p: _Population, rows: _Rows, writer: _Writer) -> dict[str, dict[str, int]]:
    rng = random.Random(p.seed * 7919 + 17)  # noqa: S311 - synthetic test data
    n = len(p.students)
    order = list(range(n))
    rng.shuffle(order)
    k_update, k_delete, k_demographics = max(1, n // 20), max(1, n // 50), max(1, n // 25)
    updated = [p.students[i] for i in order[:k_update]]
    deleted = [p.students[i] for i in order[k_update : k_update + k_delete]]
    demo_changed = [p.students[i] for i in order[k_update + k_delete : k_update + k_delete + k_demographics]]
    touched_families = {g for s in (*updated, *deleted, *demo_changed) for g in s.agents}
    guardian = next((g for g in p.guardians if g.sid not in touched_families), p.guardians[0])
    # Movers: every fourth updated student changes school (when there is another school).
    movers: list[tuple[_Person, list[str]]] = []
    for i, student in enumerate(updated):
        student.phone = f"555-9{student.index % 10000:04d}"
        if i % 4 == 0 and len(p.schools) > 1 and len(student.schools) == 1:
            old = list(student.schools)
            current = [sid for sid, *_ in p.schools].index(student.schools[0])
            student.schools = [p.schools[(current + 1) % len(p.schools)][0]]
            movers.append((student, old))
    for student in demo_changed:
        student.hispanic = not student.hispanic
    guardian.phone = f"555-8{guardian.index % 10000:04d}"
    # New students join existing families (their guardians are not in this delta).
    k_new = max(1, n // 33)
    parents = [g for g in p.guardians if g.sid != guardian.sid]
    new_students = []
    for i in range(k_new):
        student = p._student(n + i, rng)
        student.agents = [parents[rng.randrange(len(parents))].sid]
        new_students.append(student)
    old_teacher = next(s for s in p.staff if s.role == "teacher")
    new_teacher = _Person("tch-new-0001", "staff", "teacher", "Quinn", "Okafor", identifier="E29999")
    new_teacher.email = "quinn.okafor@district.example.org"
    new_teacher.schools = list(old_teacher.schools)

    def gone(person: _Person) -> dict[str, str]:
        _, modified = rows.stamp()
        return {"sourcedId": person.sid, "status": "tobedeleted", "dateLastModified": modified}

    user_rows = [rows.user(s) for s in updated] + [gone(s) for s in deleted] + [rows.user(s) for s in new_students]
    user_rows += [gone(old_teacher), rows.user(new_teacher), rows.user(guardian)]
    writer.write("orgs", ORGS, rows.orgs())
    writer.write("users", rows.users_header(), user_rows)
    header = rows.demographics_header()
    demo_rows = [rows.demographic_row(s) for s in (*demo_changed, *new_students)]
    writer.write("demographics", header, demo_rows)
    members = [*new_students, new_teacher]
    writer.write("enrollments", ENROLLMENTS, [rows.enrollment(person) for person in members])
    written = {"orgs", "users", "demographics", "enrollments"}
    expected = {
        "orgs.csv": _counts(len(p.schools) + 1, unchanged=len(p.schools) + 1),
        "users.csv": _counts(len(user_rows), created=k_new + 1, updated=len(updated) + 1, deactivated=len(deleted) + 1),
        "demographics.csv": _counts(len(demo_rows), created=k_new, updated=len(demo_changed)),
        "enrollments.csv": _counts(len(members), unchanged=len(members)),
    }
    if writer.version == "1.2":
        role_rows = [r for s in (*new_students, new_teacher) for r in rows.roles(s)]
        created = len(role_rows)
        moved: list[dict[str, str]] = []
        for student, old in movers:
            moved += rows.roles(_Person(student.sid, "student", "student", "", "", schools=old), "tobedeleted")
            moved += rows.roles(student)
        role_rows += moved
        writer.write("roles", ROLES, role_rows)
        written.add("roles")
        expected["roles.csv"] = _counts(
            len(role_rows), created=created, updated=len(moved) - _removed(movers), deactivated=_removed(movers)
        )
    writer.manifest(written)
    return expected


def _removed(movers: list[tuple[_Person, list[str]]]) -> int:
    return sum(len(old) for _, old in movers)
