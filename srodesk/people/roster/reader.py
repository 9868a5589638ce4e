"""Reading a OneRoster CSV exchange: a folder or a ZIP, its manifest, and each CSV file by header name.

Tolerant of what real exporters write: a byte-order mark, CRLF line ends, quoted cells with commas or
line breaks, blank lines, trailing empty cells left out, header names in another case, and the OneRoster
1.0 demographics headers. Every file read is fingerprinted (SHA-256 of its bytes).
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST = "manifest.csv"
#: The companion file for IDEA / Section 504 / EL flags (not part of OneRoster).
PROGRAMS = "programs.csv"
#: The OneRoster files this importer reads (others are ignored), in the order they are processed.
ROSTER_FILES = ("orgs.csv", "academicSessions.csv", "users.csv", "roles.csv", "demographics.csv", "enrollments.csv")
MODES = ("bulk", "delta", "absent")

COMMON = ("sourcedId", "status", "dateLastModified")
#: Known columns per file (OneRoster 1.1 and 1.2, REFERENCE.md §5). Matching ignores case.
COLUMNS: dict[str, tuple[str, ...]] = {
    "orgs.csv": (*COMMON, "name", "type", "identifier", "parentSourcedId", "metadata.classification"),
    "academicSessions.csv": (*COMMON, "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
    "users.csv": (
        *COMMON,
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "userMasterIdentifier",
        "resourceSourcedIds",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
    ),
    "roles.csv": (
        *COMMON,
        "userSourcedId",
        "roleType",
        "role",
        "beginDate",
        "endDate",
        "orgSourcedId",
        "userProfileSourcedId",
    ),
    "demographics.csv": (
        *COMMON,
        "userSourcedId",
        "birthDate",
        "sex",
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
        "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity",
        "countryOfBirthCode",
        "stateOfBirthAbbreviation",
        "cityOfBirth",
        "publicSchoolResidenceStatus",
    ),
    "enrollments.csv": (
        *COMMON,
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ),
    PROGRAMS: ("sourcedId", "program", "beginDate", "endDate"),
}
EXTRA_PREFIXES = ("metadata.", "ext_")


@dataclass(frozen=True)
class RosterError:
    """One problem found in the files: where (file, 1-based line, column), the value, and why."""

    file: str
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "value": self.value, "reason": self.reason}

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.value} — {self.reason}"


@dataclass
class CsvFile:
    """One CSV file: its columns by (canonical) name and its data rows with their line numbers."""

    name: str
    mode: str
    header: list[str]
    index: dict[str, int]
    rows: list[tuple[int, list[str]]]
    #: ``metadata.*`` and ``ext_*`` columns: (name as written, position).
    extras: list[tuple[str, int]] = field(default_factory=list)

    def has(self, column: str) -> bool:
        return column in self.index

    def getter(self, column: str) -> Callable[[list[str]], str]:
        """A fast accessor for one column's (stripped) cell; "" for every row when the column is absent.

        Rows are stored stripped, padded to the header's width plus one always-empty cell.
        """
        return itemgetter(self.index.get(column, len(self.header)))

    def label(self, column: str) -> str:
        """The column's name as the file spells it."""
        pos = self.index.get(column)
        return self.header[pos] if pos is not None else column


@dataclass
class RosterFiles:
    """What was read: the manifest, the CSV files present, their checksums and any reading errors."""

    version: str = ""
    manifest: dict[str, str] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)
    files: dict[str, CsvFile] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    errors: list[RosterError] = field(default_factory=list)

    @property
    def mode(self) -> str:
        """bulk, delta or mixed: the modes of the files present."""
        modes = {f.mode for f in self.files.values()}
        if len(modes) == 1:
            return modes.pop()
        return "mixed" if modes else ""

    @property
    def row_count(self) -> int:
        return sum(len(f.rows) for f in self.files.values())


class Source:
    """A folder or a ZIP archive of CSV files; names are matched ignoring case and sub-folders."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._names: dict[str, str] = {}
        if path.is_dir():
            candidates = [str(p.relative_to(path)) for p in path.rglob("*.csv") if p.is_file()]
        elif zipfile.is_zipfile(path):
            self._zip = zipfile.ZipFile(path)
            candidates = [n for n in self._zip.namelist() if n.lower().endswith(".csv") and not n.endswith("/")]
        else:
            raise FileNotFoundError(f"{path} is neither a folder nor a ZIP file")
        # The folder holding manifest.csv is the exchange's root (ZIPs often wrap everything in one folder).
        manifests = sorted((n for n in candidates if PurePosixPath(n).name.lower() == MANIFEST), key=len)
        root = str(PurePosixPath(manifests[0]).parent) if manifests else "."
        for name in candidates:
            parent = str(PurePosixPath(name).parent)
            if parent == root:
                self._names.setdefault(PurePosixPath(name).name.lower(), name)

    def read(self, name: str) -> bytes | None:
        stored = self._names.get(name.lower())
        if stored is None:
            return None
        if self._zip is not None:
            return self._zip.read(stored)
        return (self.path / stored).read_bytes()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells) for each non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    prev = 0
    for cells in reader:
        start, prev = prev + 1, reader.line_num
        if not cells or not any(c.strip() for c in cells):
            continue
        yield start, cells


def _decode(name: str, data: bytes, errors: list[RosterError]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(RosterError(name, 0, "", "", f"the file is not UTF-8 text (byte {exc.start})"))
        return None


def parse_csv(name: str, data: bytes, mode: str, errors: list[RosterError]) -> CsvFile | None:
    """Parse one CSV file. Column names are mapped to OneRoster's spelling; unknown columns are kept
    only when they are extensions (``metadata.*``, ``ext_*``)."""
    text = _decode(name, data, errors)
    if text is None:
        return None
    records = _records(text)
    first = next(records, None)
    if first is None:
        return CsvFile(name, mode, [], {}, [])
    header_line, raw_header = first
    known = {c.lower(): c for c in COLUMNS.get(name, ())}
    header: list[str] = []
    index: dict[str, int] = {}
    extras: list[tuple[str, int]] = []
    for pos, cell in enumerate(raw_header):
        label = cell.replace("\ufeff", "").strip()
        canonical = known.get(label.lower())
        header.append(canonical or label)
        if canonical is not None:
            if canonical in index:
                errors.append(RosterError(name, header_line, label, label, "duplicate column"))
            index[canonical] = pos
        elif label.lower().startswith(EXTRA_PREFIXES):
            extras.append((label, pos))
    rows: list[tuple[int, list[str]]] = []
    width = len(raw_header)
    for line, cells in records:
        count = len(cells)
        if count > width and any(c.strip() for c in cells[width:]):
            extra = ",".join(cells[width:])[:200]
            errors.append(RosterError(name, line, "", extra, f"the row has {count} cells, the header {width}"))
            continue
        row = [c.strip() for c in cells[:width]]
        if count < width:
            row += [""] * (width - count)
        row.append("")
        rows.append((line, row))
    # OneRoster 1.0 demographics: userSourcedId is the user; birthdate (any case) is already matched.
    if name == "demographics.csv" and "userSourcedId" in index:
        index["sourcedId"] = index["userSourcedId"]
    return CsvFile(name, mode, header, index, rows, extras)


def read_files(path: Path) -> RosterFiles:
    """Read the manifest and every file it lists (plus ``programs.csv`` when present)."""
    result = RosterFiles()
    source = Source(path)
    try:
        manifest_bytes = source.read(MANIFEST)
        if manifest_bytes is None:
            result.errors.append(RosterError(MANIFEST, 0, "", "", "manifest.csv is missing"))
            return result
        result.checksums[MANIFEST] = hashlib.sha256(manifest_bytes).hexdigest()
        _read_manifest(manifest_bytes, result)
        for name in (*ROSTER_FILES, PROGRAMS):
            mode = result.modes.get(name, "absent")
            if name == PROGRAMS:
                # The companion file follows users.csv (bulk replaces, delta changes).
                mode = result.modes.get("users.csv", "absent")
            if mode == "absent":
                continue
            data = source.read(name)
            if data is None:
                if name != PROGRAMS:
                    result.errors.append(RosterError(MANIFEST, 0, f"file.{name[:-4]}", mode, f"{name} is missing"))
                continue
            result.checksums[name] = hashlib.sha256(data).hexdigest()
            parsed = parse_csv(name, data, mode, result.errors)
            if parsed is not None:
                result.files[name] = parsed
    finally:
        source.close()
    return result


def _read_manifest(data: bytes, result: RosterFiles) -> None:
    errors = result.errors
    text = _decode(MANIFEST, data, errors)
    if text is None:
        return
    records = list(_records(text))
    if not records:
        errors.append(RosterError(MANIFEST, 0, "", "", "manifest.csv is empty"))
        return
    header_line, header = records[0]
    labels = [c.replace("\ufeff", "").strip().lower() for c in header]
    if labels[:2] != ["propertyname", "value"]:
        errors.append(
            RosterError(MANIFEST, header_line, "propertyName", ",".join(header), "expected propertyName,value")
        )
        return
    lines: dict[str, int] = {}
    for line, cells in records[1:]:
        key = cells[0].strip()
        value = cells[1].strip() if len(cells) > 1 else ""
        result.manifest[key] = value
        lines[key] = line
    version = result.manifest.get("oneroster.version", "")
    if version not in ("1.1", "1.2"):
        errors.append(
            RosterError(
                MANIFEST, lines.get("oneroster.version", 0), "oneroster.version", version, "expected 1.1 or 1.2"
            )
        )
    result.version = version
    by_lower = {f"file.{name[:-4].lower()}": name for name in ROSTER_FILES}
    for key, value in result.manifest.items():
        if not key.lower().startswith("file."):
            continue
        mode = value.lower()
        if mode not in MODES:
            errors.append(RosterError(MANIFEST, lines[key], key, value, "expected bulk, delta or absent"))
            continue
        name = by_lower.get(key.lower())
        if name is not None:
            result.modes[name] = mode
    if all(result.modes.get(name, "absent") == "absent" for name in ROSTER_FILES):
        errors.append(RosterError(MANIFEST, header_line, "file.users", "", "the manifest lists no file to import"))
    if version == "1.1" and result.modes.get("roles.csv", "absent") != "absent":
        result.modes["roles.csv"] = "absent"
