"""What the NIBRS export needs to know about each UCR offense code, as data.

Group A/B and "crime against" follow REFERENCE.md §1.2 (the FBI offense table). ``needs_property`` marks the offenses
that need a property segment (FBI edits 074/076: kidnapping, crimes against property, drug and gambling
offenses); ``cyberspace`` the offenses that may be located in 58 = Cyberspace (FBI edit 205).
"""

from __future__ import annotations

from dataclasses import dataclass

PERSON, PROPERTY, SOCIETY = "person", "property", "society"


@dataclass(frozen=True)
class OffenseInfo:
    code: str
    group: str  # "A" or "B"
    against: str  # person, property or society
    needs_property: bool = False
    cyberspace: bool = False

    @property
    def is_group_a(self) -> bool:
        return self.group == "A"


def _a(code: str, against: str, *, prop: bool = False, cyber: bool = False) -> OffenseInfo:
    return OffenseInfo(code, "A", against, prop or against == PROPERTY, cyber)


def _b(code: str, against: str) -> OffenseInfo:
    return OffenseInfo(code, "B", against)


_TABLE: tuple[OffenseInfo, ...] = (
    _a("09A", PERSON),
    _a("09B", PERSON),
    _a("09C", PERSON),
    _a("100", PERSON, prop=True),
    _a("101", SOCIETY),
    _a("103", SOCIETY),
    _a("11A", PERSON),
    _a("11B", PERSON),
    _a("11C", PERSON),
    _a("11D", PERSON),
    _a("120", PROPERTY),
    _a("13A", PERSON),
    _a("13B", PERSON),
    _a("13C", PERSON, cyber=True),
    _a("200", PROPERTY),
    _a("210", PROPERTY, cyber=True),
    _a("220", PROPERTY),
    *(_a(f"23{x}", PROPERTY) for x in "ABCDEFGH"),
    _a("240", PROPERTY),
    _a("250", PROPERTY, cyber=True),
    *(_a(f"26{x}", PROPERTY, cyber=True) for x in "ABCDEFG"),
    _a("26H", PROPERTY),
    _a("270", PROPERTY, cyber=True),
    _a("280", PROPERTY, cyber=True),
    _a("290", PROPERTY, cyber=True),
    *(_a(f"30{x}", SOCIETY) for x in "ABCD"),
    _a("35A", SOCIETY, prop=True, cyber=True),
    _a("35B", SOCIETY, prop=True, cyber=True),
    _a("36A", PERSON),
    _a("36B", PERSON),
    _a("370", SOCIETY, cyber=True),
    _a("39A", SOCIETY, prop=True, cyber=True),
    _a("39B", SOCIETY, prop=True, cyber=True),
    _a("39C", SOCIETY, prop=True),
    _a("39D", SOCIETY, prop=True, cyber=True),
    _a("40A", SOCIETY, cyber=True),
    _a("40B", SOCIETY, cyber=True),
    _a("40C", SOCIETY, cyber=True),
    *(_a(f"49{x}", SOCIETY) for x in "ABC"),
    _a("510", PROPERTY, cyber=True),
    _a("520", SOCIETY, cyber=True),
    _a("521", SOCIETY),
    _a("522", SOCIETY),
    _a("526", SOCIETY),
    _a("58A", SOCIETY),
    _a("58B", SOCIETY),
    _a("61A", SOCIETY),
    _a("61B", SOCIETY),
    _a("620", SOCIETY),
    _a("64A", PERSON, cyber=True),
    _a("64B", PERSON, cyber=True),
    _a("720", SOCIETY),
    _b("90A", PROPERTY),
    _b("90B", SOCIETY),
    _b("90C", SOCIETY),
    _b("90D", SOCIETY),
    _b("90E", SOCIETY),
    _b("90F", SOCIETY),
    _b("90G", SOCIETY),
    _b("90H", SOCIETY),
    _b("90I", SOCIETY),
    _b("90J", SOCIETY),
    _b("90K", SOCIETY),
    _b("90L", SOCIETY),
    _b("90M", SOCIETY),
    _b("90Z", SOCIETY),
)

OFFENSES: dict[str, OffenseInfo] = {info.code: info for info in _TABLE}

#: Assaults and homicides: always "completed" (FBI edit 256).
ALWAYS_COMPLETED = frozenset({"09A", "09B", "09C", "13A", "13B", "13C"})
#: Offenses whose victims are related to offenders (data elements 34/35): crimes against persons and robbery.
RELATIONSHIP_OFFENSES = frozenset({code for code, info in OFFENSES.items() if info.against == PERSON} | {"120"})
#: NIBRS location type 58.
CYBERSPACE = "58"


def info(code: str) -> OffenseInfo | None:
    return OFFENSES.get(code)


def is_group_a(code: str) -> bool:
    found = OFFENSES.get(code)
    return found is not None and found.is_group_a


def is_group_b(code: str) -> bool:
    found = OFFENSES.get(code)
    return found is not None and not found.is_group_a


def against(code: str) -> str:
    found = OFFENSES.get(code)
    return found.against if found else ""


def requires_property(code: str) -> bool:
    found = OFFENSES.get(code)
    return bool(found and found.needs_property)


def allows_cyberspace(code: str) -> bool:
    found = OFFENSES.get(code)
    return bool(found and found.cyberspace)
