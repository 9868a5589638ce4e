"""NIBRS code tables as versioned reference data, read from the FBI IEPD code-table CSVs.

Each table lives in ``data/<version>/codes/<Table>.csv`` (two description lines, then ``Code,Description``).
Values are stored as the IEPD XML code; where the flat file uses a different code the description carries
it as ``NIBRS CODE: X | …`` and :func:`flat_code` returns it.
"""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

#: The NIBRS specification version new incidents are recorded under.
CURRENT_VERSION = "2019.1"
DATA_DIR = Path(__file__).resolve().parent / "data"
_FLAT = re.compile(r"^NIBRS CODE:\s*([^|]+?)\s*\|\s*(.*)$")


def data_dir(version: str = CURRENT_VERSION) -> Path:
    return DATA_DIR / version


@functools.cache
def table(name: str, version: str = CURRENT_VERSION) -> dict[str, str]:
    """``{code: description}`` of one code table, in file order."""
    path = data_dir(version) / "codes" / f"{name}.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    result: dict[str, str] = {}
    for row in rows[3:]:
        if row and row[0].strip():
            result[row[0].strip()] = " ".join((row[1] if len(row) > 1 else "").split())
    return result


def label(name: str, code: str, version: str = CURRENT_VERSION) -> str:
    description = table(name, version).get(code, "")
    match = _FLAT.match(description)
    return match.group(2) if match else description


def flat_code(name: str, code: str, version: str = CURRENT_VERSION) -> str:
    """The flat-file code for an XML code (the same code unless the table says otherwise)."""
    match = _FLAT.match(table(name, version).get(code, ""))
    return match.group(1).strip() if match else code


def choices(name: str, *, with_code: bool = True) -> list[tuple[str, str]]:
    result = []
    for code in table(name):
        text = label(name, code)
        if len(text) > 90:
            text = text.split(":")[0].strip() if ":" in text[:40] else text[:87] + "…"
        result.append((code, f"{code} – {text}" if with_code else text))
    return result


# Callables for model field ``choices`` (Django stores the reference in migrations, not the list).
def offense_choices() -> list[tuple[str, str]]:
    return choices("OffenseCode")


def location_choices() -> list[tuple[str, str]]:
    return choices("LocationCategoryCode")


def clearance_choices() -> list[tuple[str, str]]:
    return choices("IncidentExceptionalClearanceCo")


def victim_type_choices() -> list[tuple[str, str]]:
    return choices("VictimCategoryCode")


def sex_choices() -> list[tuple[str, str]]:
    return choices("PersonSexCode")


def race_choices() -> list[tuple[str, str]]:
    return choices("PersonRaceNDEXCode")


def ethnicity_choices() -> list[tuple[str, str]]:
    return choices("PersonEthnicityCode")


def resident_choices() -> list[tuple[str, str]]:
    return choices("PersonResidentCode")


def relationship_choices() -> list[tuple[str, str]]:
    return choices("VictimToSubjectRelationshipCode")


def loss_type_choices() -> list[tuple[str, str]]:
    return choices("ItemStatusCode")


def property_description_choices() -> list[tuple[str, str]]:
    return choices("ItemCategoryNIBRSPropertyCat")


def drug_choices() -> list[tuple[str, str]]:
    return choices("DrugCategoryCode")


def drug_measure_choices() -> list[tuple[str, str]]:
    return choices("SubstanceUnitCode")


def arrest_type_choices() -> list[tuple[str, str]]:
    return choices("ArrestCategoryCode")


def multiple_arrestee_choices() -> list[tuple[str, str]]:
    return choices("ArresteeSubjectCountCode")


def juvenile_disposition_choices() -> list[tuple[str, str]]:
    return choices("ArresteeJuvenileDispositionCode")


def method_of_entry_choices() -> list[tuple[str, str]]:
    return choices("MethodOfEntryCode")
