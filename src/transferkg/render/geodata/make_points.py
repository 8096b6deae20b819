"""Regenerate ``points.json`` (a point per country) from world-atlas's ``countries-50m.json``.

Not run by the package: a maintainer's script. ``npm pack world-atlas@2.0.2`` and
``python make_points.py package/countries-50m.json > points.json``. Each point is the
centre of the bounding box of the country's largest ring (by area), in degrees; the
110m shapes miss small states (Nauru, Palau, St Kitts …), which the map draws as points.
"""

from __future__ import annotations

import json
import sys

import pycountry

from transferkg.render.map import decode_arcs


def rings(topo: dict, geometry: dict) -> list[list[tuple[float, float]]]:
    decoded = decode_arcs(topo)
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    out = []
    for polygon in polygons:
        ring: list[tuple[float, float]] = []
        for index in polygon[0]:
            pts = decoded[index] if index >= 0 else list(reversed(decoded[~index]))
            ring.extend(pts)
        out.append(ring)
    return out


def area(ring: list[tuple[float, float]]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def main(path: str) -> None:
    topo = json.load(open(path, encoding="utf-8"))
    points = {}
    for g in topo["objects"]["countries"]["geometries"]:
        if g.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        name = g["properties"]["name"]
        country = pycountry.countries.get(numeric=g["id"]) if g.get("id") else None
        code = country.alpha_2 if country else ("XK" if name == "Kosovo" else None)
        if code is None:
            continue
        ring = max(rings(topo, g), key=area)
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        points[code] = [round((min(xs) + max(xs)) / 2, 2), round((min(ys) + max(ys)) / 2, 2)]
    json.dump(dict(sorted(points.items())), sys.stdout, separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1])
