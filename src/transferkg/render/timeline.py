"""The timeline figure: one row per agreement, its status changes and its transfers over time.

A date known to the day is a point; a date known only to the month (or year) is drawn as
a bar over the whole month (or year) — precision is never invented. The rows are read
with ``render/sparql/timeline_*.rq`` and filtered as the deal network is.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from rdflib import Literal
from rdflib.term import Node

from transferkg.core.resources import internal_query
from transferkg.render.canvas import literal_text, new_figure, plain, save
from transferkg.render.palette import EDGE_COLORS, legend_entries, palette
from transferkg.rules.derive import date_bounds
from transferkg.views.agreements import Agreement, AgreementFilter, agreements
from transferkg.views.filters import parse_date
from transferkg.views.rows import Row, as_number, date_precision, local_code, node_id, store_of

__all__ = ["plot_timeline", "timeline_figure", "timeline_rows"]

_Window = tuple[dt.date | None, dt.date | None]


def timeline_rows(kg: Any, *, sender: str | None = None, status: str | None = None,
                  since: str | dt.date | None = None, until: str | dt.date | None = None
                  ) -> list[dict[str, Any]]:
    """The events of the timeline: one dict per dated status change or transfer.

    Keys: ``row`` (the agreement's label, or "Transfers to X (no agreement)"),
    ``kind`` (``status`` or ``transfer``), ``status``, ``label``, ``date`` (as stated),
    ``precision`` (day, month, year), ``earliest`` and ``latest`` (``datetime.date``)
    and ``people`` for transfers. The filters are those of the deal network; a
    transfer without an agreement is kept unless ``sender`` or ``status`` is given.
    """
    window = (parse_date(since, end=False, name="since"), parse_date(until, end=True, name="until"))
    records = {aid: r for aid, r in agreements(kg).items() if AgreementFilter(sender=sender, status=status).keep(r)}
    events = list(_status_events(kg, records, window))
    events += _transfer_events(kg, records, window, any_agreement=not (sender or status))
    return sorted(events, key=lambda e: (e["earliest"], e["row"], e["kind"], e["label"]))


def _rows(kg: Any, name: str) -> list[Row]:
    return store_of(kg).select(internal_query(__package__, name)).dicts()


def _dated(value: Node | None, window: _Window) -> tuple[Literal, dt.date, dt.date] | None:
    """A date literal with its earliest and latest day, when it may fall in the window; else None."""
    if not isinstance(value, Literal) or not (bounds := date_bounds(value)):
        return None
    start, end = window
    if (start is not None and bounds[1] < start) or (end is not None and bounds[0] > end):
        return None
    return value, bounds[0], bounds[1]


def _status_events(kg: Any, records: Mapping[str, Agreement], window: _Window) -> Iterator[dict[str, Any]]:
    for row in _rows(kg, "timeline_status_changes"):
        aid = node_id(row["agreement"])
        if aid not in records or not (dated := _dated(row["date"], window)):
            continue
        value, earliest, latest = dated
        code = local_code(node_id(row["status"]))
        yield {"row": records[aid].label, "row_key": aid, "kind": "status", "status": code,
               "label": str(row["statusLabel"] or code), "date": str(value), "precision": date_precision(value),
               "earliest": earliest, "latest": latest, "people": None}


def _transfer_events(kg: Any, records: Mapping[str, Agreement], window: _Window, *,
                     any_agreement: bool) -> list[dict[str, Any]]:
    """One event per transfer (its most precise date, the earliest if two are as precise; its
    largest count); without an agreement only when ``any_agreement``."""
    transfers: dict[str, dict[str, Any]] = {}
    for row in _rows(kg, "timeline_transfers"):
        agreement = node_id(row["agreement"]) if row["agreement"] is not None else None
        if (agreement is None and not any_agreement) or (agreement is not None and agreement not in records):
            continue
        if not (dated := _dated(row["date"], window)):
            continue
        value, earliest, latest = dated
        host = str(row["hostLabel"] or node_id(row["host"]) or "an unrecorded destination")
        item = transfers.setdefault(node_id(row["transfer"]), {
            "row": records[agreement].label if agreement else f"Transfers to {host} (no agreement)",
            "row_key": agreement or f"~{host}", "kind": "transfer", "status": None, "label": node_id(row["transfer"]),
            "date": str(value), "precision": date_precision(value), "earliest": earliest, "latest": latest,
            "people": None})
        # the most precise date; of two as precise, the earlier (the store returns rows in any order)
        if (latest - earliest, earliest) < (item["latest"] - item["earliest"], item["earliest"]):
            item.update(date=str(value), precision=date_precision(value), earliest=earliest, latest=latest)
        number = as_number(row["n"])
        if number is not None and (item["people"] is None or number > item["people"]):
            item["people"] = number
    return [transfers[t] for t in sorted(transfers)]


def plot_timeline(kg: Any, path: str | os.PathLike[str], *, sender: str | None = None, status: str | None = None,
                  since: str | dt.date | None = None, until: str | dt.date | None = None,
                  figsize: tuple[float, float] | None = None, dpi: int = 100, title: str | None = None) -> Path:
    """Write :func:`timeline_figure` as a PNG or SVG (by the suffix of ``path``)."""
    return save(timeline_figure(kg, sender=sender, status=status, since=since, until=until, figsize=figsize,
                                dpi=dpi, title=title), path)


@literal_text
def timeline_figure(kg: Any, *, sender: str | None = None, status: str | None = None,
                    since: str | dt.date | None = None, until: str | dt.date | None = None,
                    figsize: tuple[float, float] | None = None, dpi: int = 100, title: str | None = None) -> Any:
    """A timeline of agreements (one row each), their status changes and transfers (a matplotlib Figure).

    A date known to the day is a point; a date known only to the month (or year) is
    drawn as a bar over the whole month (or year), from ``tct:earliestDate`` to
    ``tct:latestDate`` — precision is never invented. Status changes are coloured by
    status; transfers are black triangles sized by people. Without ``figsize`` the
    height grows with the number of rows.
    """
    events = timeline_rows(kg, sender=sender, status=status, since=since, until=until)
    first_seen: dict[str, tuple[dt.date, str]] = {}
    for event in events:
        first_seen.setdefault(event["row_key"], (event["earliest"], event["row"]))
    order = sorted(first_seen, key=lambda k: (first_seen[k][0], first_seen[k][1]))
    height = max(3.0, 0.34 * len(order) + 1.6)
    fig = new_figure(figsize or (12.0, min(height, 60.0)), dpi)
    inches = fig.get_size_inches()
    bottom = min(0.45, 1.4 / inches[1])
    top = max(0.55, 1 - 0.45 / inches[1])
    ax = fig.add_axes((0.36, bottom, 0.62, top - bottom))
    window = "".join(f" {word} {value}" for word, value in (("since", since), ("until", until)) if value)
    ax.set_title(title or f"Agreements, status changes and transfers{window}", fontsize=11)
    if not events:
        ax.text(0.5, 0.5, "no dated events", ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
        return fig
    statuses = sorted({e["status"] for e in events if e["kind"] == "status"})
    colours = palette(statuses, EDGE_COLORS)
    ypos = {key: i for i, key in enumerate(order)}
    for event in events:
        _draw_event(ax, event, ypos[event["row_key"]], colours)
    _axes(ax, [first_seen[k][1] for k in order])
    legend_y = -0.5 / max(inches[1] * (top - bottom), 0.5)
    ax.legend(handles=_legend(statuses, colours), loc="upper center", bbox_to_anchor=(0.3, legend_y), ncol=4,
              fontsize=7, frameon=False)
    return fig


def _draw_event(ax: Any, event: Mapping[str, Any], y: int, colours: Mapping[str, str]) -> None:
    """A point for a date known to the day (a triangle sized by people for a transfer), else a bar."""
    import matplotlib.dates as mdates

    start = mdates.date2num(event["earliest"])
    stop = mdates.date2num(event["latest"] + dt.timedelta(days=1))
    transfer = event["kind"] == "transfer"
    colour = "#111111" if transfer else colours[event["status"]]
    offset = -0.18 if transfer else 0.0
    if event["precision"] != "day":
        ax.broken_barh([(start, stop - start)], (y + offset - 0.22, 0.44), facecolors=colour, alpha=0.45,
                       edgecolor=colour, linewidth=0.8, hatch="//" if transfer else None)
    elif transfer:
        size = 4 + 2.2 * math.sqrt(event["people"] or 1)
        ax.plot([start + 0.5], [y + offset], marker="v", color=colour, markersize=min(size, 16),
                linestyle="", alpha=0.8)
    else:
        ax.plot([start + 0.5], [y], marker="o", color=colour, markersize=6, linestyle="",
                markeredgecolor="#222222", markeredgewidth=0.4)


def _axes(ax: Any, rows: list[str]) -> None:
    """Row labels (wrapped to two lines), dates along the bottom, a light grid."""
    import matplotlib.dates as mdates

    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([textwrap.fill(plain(row), 62, max_lines=2, placeholder=" …") for row in rows],
                       fontsize=7, linespacing=0.95)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.xaxis_date()
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)


def _legend(statuses: list[str], colours: Mapping[str, str]) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [Line2D([], [], marker="o", linestyle="", color=c, markeredgecolor="#222222",
                                 markeredgewidth=0.4, label=names) for names, c in legend_entries(statuses, colours)]
    handles.append(Line2D([], [], marker="v", linestyle="", color="#111111", label="transfer (size: people)"))
    handles.append(Patch(facecolor="#999999", alpha=0.45, label="bar: date known only to the month or year"))
    return handles
