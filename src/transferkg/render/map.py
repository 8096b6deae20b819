"""A world map of the deals as inline SVG: states as shapes, arrows from sending to receiving state.

Drawn from geographic data kept in the package (``geodata/``: Natural Earth country shapes at
1:110m through world-atlas, public domain and ISC; a point per country for the small states
the shapes leave out; see ``geodata/LICENSE.md``) — nothing is fetched. Equal Earth
projection. One arrow per pair of states, coloured and dashed by the status of the pair's
agreements (operative wins over agreed, agreed over stopped), so colour is never the only
cue; every state and arrow carries a ``<title>`` and the figure a text description, and
the same pairs are listed in a table next to it for readers who do not see the map.
No script, no style attribute: presentation attributes only, so the site's CSP holds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from transferkg.render.palette import OKABE_ITO

__all__ = ["STATUS_GROUPS", "Pair", "decode_arcs", "partner_network", "world_map"]

_GEODATA = Path(__file__).resolve().parent / "geodata"

STATUS_GROUPS = {  # group → (colour, dash pattern, legend text)
    "operative": (OKABE_ITO["green"], "", "operative (in force, implemented or resumed)"),
    "agreed": (OKABE_ITO["blue"], "6 3", "agreed, not (yet) operative (announced, signed, ratified …)"),
    "stopped": (OKABE_ITO["vermillion"], "2 3",
                "stopped (blocked by a court, suspended, terminated, expired, refused)"),
}
_STOPPED = {"blocked-by-court", "suspended", "terminated", "expired", "refused"}
_ORDER = ("operative", "agreed", "stopped")


@dataclass(frozen=True)
class Pair:
    """One sender → host pair of the map, with its agreements' labels and the group of their statuses."""

    sender: str  # ISO alpha-2 (XK for Kosovo)
    host: str
    sender_label: str
    host_label: str
    agreements: tuple[str, ...]
    group: str


def status_group(status: str, operative: bool) -> str:
    """The map's group of one agreement's current status (a ``tctv:`` local name)."""
    if operative:
        return "operative"
    return "stopped" if status in _STOPPED else "agreed"


def pairs_of(rows: Iterable[tuple[str, str, str, str, str, str, bool]]) -> list[Pair]:
    """Pairs from ``(sender, host, sender label, host label, agreement label, status, operative)`` rows."""
    found: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
    for sender, host, slabel, hlabel, agreement, status, operative in rows:
        if sender and host and sender != host:
            found.setdefault((sender, host), []).append((slabel, hlabel, agreement, status_group(status, operative)))
    out = []
    for (sender, host), items in sorted(found.items()):
        group = min((i[3] for i in items), key=_ORDER.index)
        out.append(Pair(sender, host, items[0][0], items[0][1], tuple(sorted(i[2] for i in items)), group))
    return out


# --------------------------------------------------------------------------- geometry


def _equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Equal Earth projection (Šavrič, Patterson, Jenny 2018), unit sphere; y grows southwards."""
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(math.sqrt(3) / 2 * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * lam * math.cos(theta) / (3 * (9 * a4 * t6 * t2 + 7 * a3 * t6 + 3 * a2 * t2 + a1))
    y = theta * (a4 * t6 * t2 + a3 * t6 + a2 * t2 + a1)
    return x, -y


_SCALE = 160.0  # units per radian-ish: the map is about 860 × 420


def _xy(lon: float, lat: float) -> tuple[float, float]:
    x, y = _equal_earth(lon, lat)
    return round(x * _SCALE + 440, 1), round(y * _SCALE + 215, 1)


@cache
def _topology() -> dict:  # type: ignore[type-arg]
    return json.loads((_GEODATA / "countries-110m.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@cache
def _points() -> dict[str, tuple[float, float]]:
    raw = json.loads((_GEODATA / "points.json").read_text(encoding="utf-8"))
    return {code: (float(lon), float(lat)) for code, (lon, lat) in raw.items()}


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:  # type: ignore[type-arg]
    """A TopoJSON topology's arcs as (longitude, latitude) points (delta-decoded, unquantised)."""
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


@cache
def _shapes() -> tuple[tuple[str, str, str], ...]:
    """(ISO alpha-2 or "", name, SVG path data) of every country shape, projected."""
    import pycountry

    topo = _topology()
    arcs = decode_arcs(topo)
    out = []
    for g in topo["objects"]["countries"]["geometries"]:
        if g.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        name = g["properties"]["name"]
        if name == "Antarctica":  # no deal touches it; it would take a sixth of the map
            continue
        country = pycountry.countries.get(numeric=g["id"]) if g.get("id") else None
        code = country.alpha_2 if country else ("XK" if name == "Kosovo" else "")
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        parts = []
        for polygon in polygons:
            for ring in polygon:
                pts: list[tuple[float, float]] = []
                for index in ring:
                    pts.extend(arcs[index] if index >= 0 else list(reversed(arcs[~index])))
                parts.append(_ring_path(pts))
        out.append((code, name, "".join(parts)))
    return tuple(out)


def _ring_path(points: list[tuple[float, float]]) -> str:
    """SVG path data of one ring; a step across the antimeridian starts a new subpath (no line across the map)."""
    out = []
    previous: float | None = None
    for lon, lat in points:
        x, y = _xy(lon, max(-85.0, min(85.0, lat)))
        jump = previous is None or abs(lon - previous) > 180
        out.append(f"{'M' if jump else 'L'}{x:g},{y:g}")
        previous = lon
    return "".join(out) + "Z"


def _point(code: str) -> tuple[float, float] | None:
    found = _points().get(code)
    return _xy(*found) if found else None


def _curve(a: tuple[float, float], b: tuple[float, float]) -> str:
    """A quadratic curve from a to b bowing to the left of the direction of travel."""
    (x1, y1), (x2, y2) = a, b
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    dx, dy = x2 - x1, y2 - y1
    bend = 0.18
    cx, cy = mx + dy * bend, my - dx * bend
    return f"M{x1:g},{y1:g}Q{cx:.1f},{cy:.1f} {x2:g},{y2:g}"


# --------------------------------------------------------------------------- SVG


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def world_map(pairs: Sequence[Pair], *, title: str = "Who sends people where") -> str:
    """The map as one ``<figure>`` of inline SVG with its legend; labels are escaped here."""
    involved = {p.sender for p in pairs} | {p.host for p in pairs}
    senders, hosts = {p.sender for p in pairs}, {p.host for p in pairs}
    parts = [f'<figure class="map"><svg viewBox="0 0 880 392" role="img" aria-labelledby="map-title map-desc" '
             'font-family="system-ui,sans-serif">'
             f'<title id="map-title">{_esc(title)}</title>'
             f'<desc id="map-desc">{len(pairs)} pairs of states: an arrow from each sending state to each '
             "receiving state of an agreement, coloured and dashed by status. The table below lists the same "
             "pairs.</desc><defs>"]
    for group, (colour, _dash, _text) in STATUS_GROUPS.items():
        parts.append(f'<marker id="arrow-{group}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                     f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="{colour}"/>'
                     "</marker>")
    parts.append('</defs><rect width="880" height="392" fill="#eef3f7"/><g stroke="#ffffff" stroke-width="0.4">')
    drawn = set()
    for code, name, path in _shapes():
        fill = "#b9c3cc" if code in senders else "#d4dbe1" if code in hosts else "#e9ecef"
        label = _esc(name)
        parts.append(f'<path d="{path}" fill="{fill}"><title>{label}</title></path>')
        drawn.add(code)
    parts.append("</g><g fill=\"none\" stroke-width=\"1.6\" stroke-linecap=\"round\">")
    for pair in sorted(pairs, key=lambda p: _ORDER.index(p.group), reverse=True):  # operative on top
        a, b = _point(pair.sender), _point(pair.host)
        if a is None or b is None:
            continue
        colour, dash, _text = STATUS_GROUPS[pair.group]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        names = "; ".join(pair.agreements)
        parts.append(f'<path d="{_curve(a, b)}" stroke="{colour}"{dashes} marker-end="url(#arrow-{pair.group})">'
                     f"<title>{_esc(pair.sender_label)} → {_esc(pair.host_label)}: {_esc(names)}</title></path>")
    parts.append('</g><g stroke="#1d2b36" stroke-width="0.6">')
    for code in sorted(involved):
        xy = _point(code)
        if xy is None:
            continue
        role = "sends and receives" if code in senders and code in hosts else "sends" if code in senders else "receives"
        label = next((p.sender_label for p in pairs if p.sender == code), None) or next(
            p.host_label for p in pairs if p.host == code)
        small = "" if code in drawn else " (too small for the map's shapes)"
        parts.append(f'<circle cx="{xy[0]:g}" cy="{xy[1]:g}" r="{3 if code in senders else 2.4}" '
                     f'fill="{"#1d2b36" if code in senders else "#ffffff"}"><title>{_esc(label)}: {role}{small}'
                     "</title></circle>")
    parts.append("</g></svg>")
    parts.append(f'<figcaption><ul class="legend">{_legend()}<li>● sending state, ○ receiving state; '
                 "boundaries: Natural Earth (public domain), de facto, saying nothing of recognition</li></ul>"
                 "</figcaption></figure>")
    return "".join(parts)


def _legend() -> str:
    """The status groups as list items: a line drawn in each group's colour and dash, and its meaning."""
    return "".join(
        f'<li><svg width="34" height="10" aria-hidden="true"><line x1="1" y1="5" x2="33" y2="5" stroke="{colour}" '
        f'stroke-width="2.5"{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}/></svg> {_esc(text)}</li>'
        for colour, dash, text in STATUS_GROUPS.values())


def partner_network(label: str, partners: Sequence[tuple[str, bool, str]]) -> str:
    """A small network of one state's partners as inline SVG: the state in the middle, each partner
    around it, an arrow from sender to host per pair, coloured and dashed by status group.

    ``partners``: (partner's label, True when the state sends to the partner, status group).
    """
    if not partners:
        return ""
    radius = min(200, 100 + 4 * len(partners))
    cx, cy = 300, radius + 50
    height = 2 * radius + 100
    parts = [f'<figure class="partners"><svg viewBox="0 0 600 {height}" role="img" aria-labelledby="net-title">'
             f'<title id="net-title">{_esc(label)} and its {len(partners)} partner state(s)</title><defs>']
    for group, (colour, _dash, _text) in STATUS_GROUPS.items():
        parts.append(f'<marker id="net-{group}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                     f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="{colour}"/>'
                     "</marker>")
    parts.append("</defs>")
    for i, (name, outgoing, group) in enumerate(sorted(partners)):
        angle = 2 * math.pi * i / len(partners) - math.pi / 2
        px, py = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        colour, dash, _text = STATUS_GROUPS[group]
        # from sender to host, stopping short of the nodes
        (x1, y1), (x2, y2) = ((cx, cy), (px, py)) if outgoing else ((px, py), (cx, cy))
        length = math.hypot(x2 - x1, y2 - y1) or 1
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        verb = "sends to" if outgoing else "receives from"
        parts.append(f'<line x1="{x1 + ux * 14:.1f}" y1="{y1 + uy * 14:.1f}" x2="{x2 - ux * 12:.1f}" '
                     f'y2="{y2 - uy * 12:.1f}" stroke="{colour}" stroke-width="2"{dashes} '
                     f'marker-end="url(#net-{group})"><title>{_esc(label)} {verb} {_esc(name)}</title></line>')
        anchor = "start" if math.cos(angle) > 0.3 else "end" if math.cos(angle) < -0.3 else "middle"
        tx = px + (12 if anchor == "start" else -12 if anchor == "end" else 0)
        ty = py + (18 if math.sin(angle) > 0.3 else -12 if math.sin(angle) < -0.3 else 4)
        if anchor == "middle" and i % 2:  # neighbours near the top and bottom: labels on two levels
            ty += 14 if math.sin(angle) > 0 else -14
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="9" fill="#ffffff" stroke="#1d2b36"/>'
                     f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" font-size="12" fill="#1d2b36">'
                     f"{_esc(name)}</text>")
    parts.append(f'<circle cx="{cx}" cy="{cy}" r="13" fill="#1d2b36"/>'
                 f'<text x="{cx}" y="{cy + 30}" text-anchor="middle" font-size="13" font-weight="600" '
                 f'fill="#1d2b36">{_esc(label)}</text></svg>'
                 f'<figcaption><ul class="legend">{_legend()}</ul></figcaption></figure>')
    return "".join(parts)
