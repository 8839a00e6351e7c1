"""Country outlines from the vendored ``world-atlas`` package (Natural Earth 1:50m, TopoJSON).

The TopoJSON is decoded to GeoJSON here (delta-encoded, quantised arcs), once
per process, so both matplotlib (brief) and Leaflet (dashboard) draw the same
shapes with no network.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

Ring = list[tuple[float, float]]


def _decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    transform = topology.get("transform")
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            ring: Ring = []
            for dx, dy in arc:
                x += dx
                y += dy
                ring.append((x * sx + tx, y * sy + ty))
        else:
            ring = [(float(px), float(py)) for px, py in arc]
        arcs.append(ring)
    return arcs


def _ring(arc_indexes: list[int], arcs: list[Ring]) -> Ring:
    points: Ring = []
    for index in arc_indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _geometry(geom: dict[str, Any], arcs: list[Ring]) -> dict[str, Any] | None:
    kind = geom.get("type")
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": [_ring(r, arcs) for r in geom["arcs"]]}
    if kind == "MultiPolygon":
        return {"type": "MultiPolygon",
                "coordinates": [[_ring(r, arcs) for r in poly] for poly in geom["arcs"]]}
    return None


@lru_cache(maxsize=1)
def countries_geojson() -> dict[str, Any]:
    """A GeoJSON FeatureCollection of country outlines (properties: name, id = ISO numeric)."""
    raw = files("missionwatch.geo").joinpath("data/countries-50m.json").read_text(encoding="utf-8")
    topology = json.loads(raw)
    arcs = _decode_arcs(topology)
    features = []
    for geom in topology["objects"]["countries"]["geometries"]:
        shape = _geometry(geom, arcs)
        if shape is None:
            continue
        features.append({"type": "Feature", "id": geom.get("id"),
                         "properties": {"name": geom.get("properties", {}).get("name")},
                         "geometry": shape})
    return {"type": "FeatureCollection", "features": features}


def polygons_in_box(west: float, south: float, east: float, north: float) -> list[Ring]:
    """Outer and inner rings that touch a lon/lat box (for drawing a regional map)."""
    rings: list[Ring] = []
    for feature in countries_geojson()["features"]:
        geometry = feature["geometry"]
        polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for poly in polys:
            for ring in poly:
                if any(west <= x <= east and south <= y <= north for x, y in ring):
                    rings.append(ring)
    return rings
