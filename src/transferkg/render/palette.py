"""Colours: one colour-blind-safe palette for every page and figure, and the legend groups.

Statuses are grouped by meaning, and the groups that must never be confused — signed,
operative (in force, implemented, resumed), blocked by a court — get Okabe & Ito hues
that stay apart under every common colour-vision deficiency. States are greys, so that
colour means status on edges.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

__all__ = [
    "EDGE_COLORS",
    "FALLBACK",
    "HEX",
    "NODE_COLORS",
    "NO_VALUE",
    "OKABE_ITO",
    "STATUS_COLORS",
    "legend_entries",
    "lifecycle_order",
    "palette",
]

#: Node colours by ``role`` (or ``kind``): greys for states, so that colour means status on edges.
NODE_COLORS: dict[str, str] = {
    "sender": "#333333",
    "host": "#BDBDBD",
    "both": "#7A7A7A",
    "agreement": "#F0E442",
    "state": "#BDBDBD",
    "nationality": "#56B4E9",
    "information-status": "#E69F00",
    "not-recorded": "#DDDDDD",
    "publisher": "#7F7F7F",
    "source": "#56B4E9",
    "claim": "#F0E442",
    "subject": "#0072B2",
    "speaker": "#CC79A7",
    "recognizer": "#333333",
    "recognized": "#BDBDBD",
    "item": "#0072B2",
    "target": "#E69F00",
}

#: The Okabe & Ito palette by name.
OKABE_ITO = {"sky": "#56B4E9", "blue": "#0072B2", "green": "#009E73", "orange": "#E69F00",
             "vermillion": "#D55E00", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000"}

#: Status colours, used by every view and figure (in lifecycle order: legends follow it).
STATUS_COLORS: dict[str, str] = {
    "proposed": "#A6A6A6",
    "announced": OKABE_ITO["sky"],
    "signed": OKABE_ITO["blue"],
    "ratified": OKABE_ITO["blue"],
    "in-force": OKABE_ITO["green"],
    "implemented": OKABE_ITO["green"],
    "resumed": OKABE_ITO["green"],
    "suspended": OKABE_ITO["orange"],
    "disputed": OKABE_ITO["orange"],
    "blocked-by-court": OKABE_ITO["vermillion"],
    "refused": OKABE_ITO["purple"],
    "terminated": "#4D4D4D",
    "expired": "#4D4D4D",
}

#: Edge colours by ``status`` (agreement status codes, recognition actions, provenance relations).
EDGE_COLORS: dict[str, str] = {
    **STATUS_COLORS,
    "recognises": OKABE_ITO["green"],
    "does-not-recognise": OKABE_ITO["vermillion"],
    "published": "#7F7F7F",
    "states": OKABE_ITO["sky"],
    "about": OKABE_ITO["blue"],
    "said": OKABE_ITO["purple"],
    "sendingState": OKABE_ITO["orange"],
    "receivingState": OKABE_ITO["blue"],
}

#: Colours for categories without a colour of their own, in the order they are handed out.
FALLBACK = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#7F7F7F",
            "#000000", "#A6A6A6"]
NO_VALUE = "#D9D9D9"
"""Lighter than "proposed": nothing recorded."""
HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
"""A colour that may go into a page's markup (``#rrggbb`` and nothing else)."""


def palette(categories: Iterable[str], known: Mapping[str, str]) -> dict[str, str]:
    """A colour per category: its own from ``known``, else the next spare (sorted, so stable)."""
    colours: dict[str, str] = {}
    spare = iter(c for c in FALLBACK * 4)
    for category in sorted(set(categories)):
        colours[category] = known.get(category) or next(spare, NO_VALUE)
    return colours


def lifecycle_order(value: str) -> tuple[int, str]:
    """Sort key: statuses in the order of :data:`EDGE_COLORS` (a lifecycle), the rest after, by name."""
    return (list(EDGE_COLORS).index(value) if value in EDGE_COLORS else 99, value)


def legend_entries(values: Iterable[str], colours: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, colour) for the values present, in lifecycle order, values of one colour on one
    line ("in force, implemented"); a missing value reads "no status recorded"."""
    by_colour: dict[str, list[str]] = defaultdict(list)
    for value in sorted(set(values), key=lifecycle_order):
        by_colour[colours[value]].append("no status recorded" if value == "(none)" else value.replace("-", " "))
    return [(", ".join(names), colour) for colour, names in by_colour.items()]
