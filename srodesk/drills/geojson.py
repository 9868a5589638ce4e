"""Server-side validation of an emergency plan's features: a GeoJSON FeatureCollection.

Routes are LineStrings; assembly, waiting, shelter areas and reunification sites are Points or Polygons.
On a campus map positions are WGS84 ``[longitude, latitude]``; on a floor plan they are image pixels
``[x, y]`` measured from the bottom-left corner (Leaflet's ``L.CRS.Simple``), inside the image.
"""

from __future__ import annotations

from typing import Any

from .choices import FeatureKind, MapKind

MAX_FEATURES = 200
MAX_POSITIONS = 1000
MAX_NAME = 200
GEOMETRIES: dict[str, frozenset[str]] = {
    FeatureKind.ROUTE: frozenset({"LineString"}),
    FeatureKind.ASSEMBLY_AREA: frozenset({"Point", "Polygon"}),
    FeatureKind.WAITING_AREA: frozenset({"Point", "Polygon"}),
    FeatureKind.REUNIFICATION_SITE: frozenset({"Point", "Polygon"}),
    FeatureKind.SHELTER_AREA: frozenset({"Point", "Polygon"}),
}


def empty_collection() -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": []}


class _Checker:
    def __init__(self, map_kind: str, width: int | None, height: int | None) -> None:
        self.map_kind = map_kind
        self.width = width
        self.height = height

    def position(self, pos: Any, where: str) -> str | None:
        if (
            not isinstance(pos, list)
            or len(pos) not in (2, 3)
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in pos)
        ):
            return f"{where}: {pos!r} is not a position ([x, y])."
        x, y = pos[0], pos[1]
        if self.map_kind == MapKind.CAMPUS:
            if not (-180 <= x <= 180 and -90 <= y <= 90):
                return f"{where}: {pos!r} is not a longitude, latitude position."
            return None
        if self.width is None or self.height is None:
            return f"{where}: upload the floor-plan image before drawing on it."
        if not (0 <= x <= self.width and 0 <= y <= self.height):
            return f"{where}: {pos!r} lies outside the {self.width}×{self.height} floor plan."
        return None

    def positions(self, positions: Any, where: str, minimum: int) -> str | None:
        if not isinstance(positions, list) or len(positions) < minimum:
            return f"{where}: needs at least {minimum} positions."
        if len(positions) > MAX_POSITIONS:
            return f"{where}: has more than {MAX_POSITIONS} positions."
        for pos in positions:
            problem = self.position(pos, where)
            if problem:
                return problem
        return None

    def geometry(self, geometry: Any, allowed: frozenset[str], where: str) -> str | None:
        if not isinstance(geometry, dict) or geometry.get("type") not in allowed:
            kinds = " or ".join(sorted(allowed))
            return f"{where}: the geometry must be a {kinds}."
        coords = geometry.get("coordinates")
        kind = geometry["type"]
        if kind == "Point":
            return self.position(coords, where)
        if kind == "LineString":
            return self.positions(coords, where, 2)
        # Polygon: one outer ring (holes are allowed), each closed.
        if not isinstance(coords, list) or not coords:
            return f"{where}: a polygon needs a ring."
        for ring in coords:
            problem = self.positions(ring, where, 4)
            if problem:
                return problem
            if ring[0] != ring[-1]:
                return f"{where}: a polygon ring must be closed (first position = last)."
        return None


def validate_features(value: Any, *, map_kind: str, width: int | None = None, height: int | None = None) -> list[str]:
    """Every problem with the plan's features, as sentences naming the feature (empty when valid)."""
    if value in (None, ""):
        return []
    if not isinstance(value, dict) or value.get("type") != "FeatureCollection":
        return ['The plan must be a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]}).']
    features = value.get("features")
    if not isinstance(features, list):
        return ["The FeatureCollection has no list of features."]
    if len(features) > MAX_FEATURES:
        return [f"A plan holds at most {MAX_FEATURES} features."]
    checker = _Checker(map_kind, width, height)
    problems: list[str] = []
    for number, feature in enumerate(features, start=1):
        where = f"Feature {number}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"{where}: is not a GeoJSON Feature.")
            continue
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        name = props.get("name")
        if isinstance(name, str) and name.strip():
            where = f"{where} ({name.strip()[:40]})"
        else:
            problems.append(f"{where}: give it a name (properties.name).")
        if isinstance(name, str) and len(name) > MAX_NAME:
            problems.append(f"{where}: the name is longer than {MAX_NAME} characters.")
        kind = props.get("kind")
        if kind not in GEOMETRIES:
            choices = ", ".join(GEOMETRIES)
            problems.append(f"{where}: properties.kind must be one of {choices}.")
            continue
        problem = checker.geometry(feature.get("geometry"), GEOMETRIES[kind], where)
        if problem:
            problems.append(problem)
    return problems
