"""Cell values of OneRoster files: dates, timestamps, booleans, grades, roles and multi-valued cells.

Each parser takes the stripped cell text and returns the value (``None`` for a blank cell) or raises
``ValueError`` with the reason shown to the user. Results are memoised: roster files repeat the same
dates and flags many thousands of times.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from django.core.validators import validate_email

from srodesk.people.choices import Grade, GuardianRelationship, Sex, StaffRole

_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}")

TRUE = frozenset({"true", "t", "yes", "y", "1"})
FALSE = frozenset({"false", "f", "no", "n", "0"})


@lru_cache(maxsize=65536)
def parse_date(text: str) -> dt.date | None:
    """YYYY-MM-DD, M/D/YYYY, or a timestamp (its UTC date)."""
    if not text:
        return None
    if len(text) == 10 and text[4] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError("not a date (YYYY-MM-DD)") from None
    match = _MDY.match(text)
    if match:
        month, day, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise ValueError("not a date (M/D/YYYY)") from None
    if _DATE_PREFIX.match(text):
        return parse_datetime(text).date()  # type: ignore[union-attr]
    raise ValueError("not a date (YYYY-MM-DD)")


@lru_cache(maxsize=65536)
def parse_datetime(text: str) -> dt.datetime | None:
    """ISO 8601 (``2024-08-15T10:30:00.000Z``, with or without fraction or offset; UTC when none),
    a plain date (midnight UTC) or M/D/YYYY."""
    if not text:
        return None
    if _DATE_PREFIX.match(text):
        try:
            value = dt.datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise ValueError("not a timestamp (YYYY-MM-DDTHH:MM:SS.sssZ)") from None
    else:
        match = _MDY.match(text)
        if not match:
            raise ValueError("not a timestamp (YYYY-MM-DDTHH:MM:SS.sssZ)")
        month, day, year = (int(g) for g in match.groups())
        try:
            value = dt.datetime(year, month, day)  # noqa: DTZ001 - made UTC below
        except ValueError:
            raise ValueError("not a date (M/D/YYYY)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


@lru_cache(maxsize=64)
def parse_bool(text: str) -> bool | None:
    if not text:
        return None
    lowered = text.lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ValueError("not a boolean (true/false, yes/no, 1/0, Y/N)")


_GRADES = {g.value.upper(): g.value for g in Grade}
_GRADES.update({"K": Grade.KG.value, "KINDERGARTEN": Grade.KG.value, "PREK": Grade.PK.value})


@lru_cache(maxsize=256)
def parse_grade(text: str) -> str:
    """The first grade of a (multi-valued) grades cell as a CEDS code: "K" → "KG", "1" → "01"."""
    first = split_multi(text)[0] if text else ""
    if not first:
        return ""
    if first.isdigit():
        number = int(first)
        if 1 <= number <= 13:
            return f"{number:02d}"
        if number == 0:
            return Grade.KG.value
        raise ValueError("not a CEDS grade code")
    code = _GRADES.get(first.upper())
    if code is None:
        raise ValueError("not a CEDS grade code (KG, 01 … 12, PK …)")
    return code


_SEX = {s.value: s.value for s in Sex} | {"m": Sex.MALE.value, "f": Sex.FEMALE.value}


@lru_cache(maxsize=64)
def parse_sex(text: str) -> str:
    if not text:
        return ""
    value = _SEX.get(text.lower())
    if value is None:
        raise ValueError("not a sex value (male, female, unspecified, other)")
    return value


@lru_cache(maxsize=4096)
def _email_domain_ok(domain: str) -> bool:
    return domain in validate_email.domain_allowlist or bool(validate_email.validate_domain_part(domain))


def is_email(text: str) -> bool:
    """Django's ``validate_email`` (what ``EmailField`` accepts), with the domain check memoised."""
    if not text or "@" not in text or len(text) > 320:
        return False
    user, domain = text.rsplit("@", 1)
    return bool(validate_email.user_regex.match(user)) and _email_domain_ok(domain)


def split_multi(text: str) -> list[str]:
    """A multi-valued cell: values separated by commas inside one (quoted) cell."""
    if not text:
        return []
    if "," not in text:
        return [text.strip()]
    return [part.strip() for part in text.split(",") if part.strip()]


STUDENT = "student"
STAFF = "staff"
GUARDIAN = "guardian"
_STAFF_ROLES = {r.value.lower(): r.value for r in StaffRole}
_GUARDIAN_ROLES = {r.value.lower(): r.value for r in GuardianRelationship}


@lru_cache(maxsize=64)
def parse_role(text: str) -> tuple[str, str]:
    """A OneRoster role → (kind of person, the role as SRO Desk stores it)."""
    lowered = text.lower()
    if lowered == "student":
        return STUDENT, "student"
    if lowered in _STAFF_ROLES:
        return STAFF, _STAFF_ROLES[lowered]
    if lowered in _GUARDIAN_ROLES:
        return GUARDIAN, _GUARDIAN_ROLES[lowered]
    if not text:
        raise ValueError("required")
    raise ValueError("unknown role")


STATUSES = {"active": "active", "tobedeleted": "tobedeleted", "inactive": "tobedeleted"}

ORG_TYPES = frozenset({"department", "school", "district", "local", "state", "national"})

#: programs.csv names (and accepted aliases) → the student field prefix.
PROGRAMS = {
    "idea": "idea",
    "iep": "idea",
    "section504": "section_504",
    "section_504": "section_504",
    "504": "section_504",
    "ell": "english_learner",
    "el": "english_learner",
    "english_learner": "english_learner",
}
#: metadata.* column (lower case) → student field.
PROGRAM_COLUMNS = {
    "metadata.idea": "idea",
    "metadata.idea_start": "idea_start",
    "metadata.idea_end": "idea_end",
    "metadata.section504": "section_504",
    "metadata.section504_start": "section_504_start",
    "metadata.section504_end": "section_504_end",
    "metadata.ell": "english_learner",
    "metadata.ell_start": "english_learner_start",
    "metadata.ell_end": "english_learner_end",
}
PROGRAM_FLAGS = ("idea", "section_504", "english_learner")
PROGRAM_FIELDS = tuple(f"{flag}{suffix}" for flag in PROGRAM_FLAGS for suffix in ("", "_start", "_end"))
