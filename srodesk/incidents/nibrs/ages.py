"""NIBRS age codes (data elements 26, 37, 47): ``01``–``98``, ``99`` over 98, ``00`` unknown, ``NN``/``NB``/``BB``
for infants (victims only), or a range of two ages written as four digits (``1517``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INFANT_CODES = {"NN": "NEONATAL", "NB": "NEWBORN", "BB": "BABY"}
UNKNOWN = "00"
_EXACT = re.compile(r"^\d{2}$")
_RANGE = re.compile(r"^\d{4}$")


class AgeFormatError(ValueError):
    """Not an age code at all (FBI edits 409, 509, 609, 709)."""


class AgeRangeOrderError(ValueError):
    """A range whose first age is not below the second (FBI edits 410, 510, 610, 710)."""


class AgeRangeZeroError(ValueError):
    """A range starting with 00 (FBI edits 422, 522, 622, 722)."""


@dataclass(frozen=True)
class Age:
    code: str
    low: int | None = None  # None: unknown or an infant code
    high: int | None = None

    @property
    def is_unknown(self) -> bool:
        return self.code == UNKNOWN

    @property
    def is_infant(self) -> bool:
        return self.code in INFANT_CODES

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.high is not None and self.low != self.high

    @property
    def is_juvenile(self) -> bool | None:
        """True under 18, False 18 and over, None when unknown or a range straddling 18."""
        if self.is_infant:
            return True
        if self.low is None or self.high is None:
            return None
        if self.high < 18:
            return True
        if self.low >= 18:
            return False
        return None


def parse(code: str, *, infants: bool = False) -> Age:
    """The age a code stands for; raises one of the errors above for an invalid code."""
    value = (code or "").strip().upper()
    if infants and value in INFANT_CODES:
        return Age(value)
    if _EXACT.match(value):
        if value == UNKNOWN:
            return Age(value)
        return Age(value, int(value), int(value))
    if _RANGE.match(value):
        low, high = int(value[:2]), int(value[2:])
        if low == 0:
            raise AgeRangeZeroError(value)
        if low >= high:
            raise AgeRangeOrderError(value)
        return Age(value, low, high)
    raise AgeFormatError(value)


def flat(code: str) -> str:
    """The four-character flat-file age: ``15␣␣``, ``1517``, ``NN␣␣``; blank when no age was recorded."""
    return (code or "").strip().upper().ljust(4)[:4]
