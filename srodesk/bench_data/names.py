"""Names, places and other values people type, drawn from the roster generator's pools."""

from __future__ import annotations

import random
import unicodedata

from srodesk.people.roster.generate import FAMILY, GIVEN, PLACES

__all__ = ["FAMILY", "GIVEN", "PLACES", "ascii_name", "phone", "plate"]

STREETS = ("Main St", "Oak Ave", "Maple Dr", "Elm St", "Lake Rd", "Park Blvd", "Cedar Ln", "Hill St", "River Rd")
MAKES = (
    ("Ford", ("F-150", "Escape", "Focus", "Explorer")),
    ("Chevrolet", ("Malibu", "Equinox", "Silverado", "Cruze")),
    ("Toyota", ("Camry", "Corolla", "RAV4", "Tacoma")),
    ("Honda", ("Civic", "Accord", "CR-V")),
    ("Jeep", ("Wrangler", "Cherokee", "Liberty")),
    ("Dodge", ("Charger", "Caravan", "Ram 1500")),
    ("Nissan", ("Altima", "Sentra", "Rogue")),
    ("Hyundai", ("Elantra", "Sonata", "Tucson")),
)
COLOURS = ("Black", "White", "Silver", "Grey", "Red", "Blue", "Green", "Maroon", "Gold")
PLATE_STATES = ("MI",) * 17 + ("OH", "IN", "WI")


def ascii_name(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def phone(rng: random.Random) -> str:
    return f"({rng.choice((248, 313, 517, 586, 616, 734, 810))}) 555-{rng.randrange(100, 10000):04d}"


def plate(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
    return f"{letters} {rng.randrange(10000):04d}" if rng.random() < 0.8 else f"{letters}-{rng.randrange(1000):03d}"
