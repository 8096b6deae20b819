"""Every view in one table: its name, the function that builds it, the filters it takes, its help.

The CLI (``view``, ``export --view``, ``network --view``) reads its choices, its filter
options and their checks from here, so adding a view is one row of :data:`VIEWS` (and
its function); no list of names is written anywhere else. A view's function is named
(``module:function`` under :mod:`transferkg.views`) and imported when the view is
built, so reading the table costs nothing: ``transferkg --help`` stays fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from transferkg.core.errors import BadParameter

__all__ = ["FILTERS", "VIEWS", "View", "build_view", "check_view_options", "get_view", "view_names"]

#: The filters a view may take: name → (metavar, help), in the order of ``--help``.
FILTERS: dict[str, tuple[str, str]] = {
    "sender": ("STATE", "Only agreements (or transfers) of this sending state: a name or ISO code, e.g. US."),
    "status": ("CODE", "Only agreements whose current status is CODE, e.g. in-force, blocked-by-court."),
    "kind": ("KIND", "Only agreements of this kind, e.g. third-country-deportation (all: every kind)."),
    "since": ("DATE", "Only agreements (transfers) dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD)."),
    "until": ("DATE", "Only agreements (transfers) dated on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD)."),
}

_AGREEMENT_FILTERS = ("sender", "status", "kind", "since", "until")


@dataclass(frozen=True)
class View:
    """One view: ``function`` (``module:name`` in :mod:`transferkg.views`) builds it as
    ``function(kg, **filters)``, a NetworkX graph; ``None`` for a figure the drawing
    layer makes itself (the timeline). ``options`` are its keywords other than filters."""

    name: str
    function: str | None
    filters: tuple[str, ...]
    help: str
    options: tuple[str, ...] = ()

    @property
    def is_graph(self) -> bool:
        """Whether the view is a graph (exported, measured), not only a figure."""
        return self.function is not None

    @property
    def build(self) -> Callable[..., Any]:
        """The function that builds the graph (imported on first use)."""
        if self.function is None:
            raise BadParameter(f"the {self.name} is a figure, not a graph; draw it with `transferkg view {self.name}`")
        module, name = self.function.split(":")
        return getattr(importlib.import_module(f"transferkg.views.{module}"), name)  # type: ignore[no-any-return]


#: The views, in the order of the docs and of ``transferkg view --help``.
VIEWS: tuple[View, ...] = (
    View("deal-network", "deals:deal_network", _AGREEMENT_FILTERS,
         "states, one directed edge per agreement (sender → host)"),
    View("bipartite", "deals:state_agreement_bipartite", _AGREEMENT_FILTERS,
         "states and agreements: sender → agreement → host"),
    View("nationality-flows", "flows:nationality_flows", ("sender", "since", "until"),
         "nationality → host state, weighted by people transferred"),
    View("provenance", "provenance_graph:provenance", (), "publisher → source → claim → subject, and speaker → claim",
         options=("subject",)),
    View("recognition", "recognition_graph:recognition", (), "recognising state → recognised state, one edge per act"),
    View("timeline", None, ("sender", "status", "since", "until"),
         "agreements, status changes and transfers over time (PNG/SVG only)"),
)


def view_names(*, graphs_only: bool = False) -> tuple[str, ...]:
    """The views' names (only those that are graphs with ``graphs_only``)."""
    return tuple(v.name for v in VIEWS if v.is_graph or not graphs_only)


def get_view(name: str) -> View:
    """The view called ``name``; :class:`BadParameter` naming the views when there is none."""
    for view in VIEWS:
        if view.name == name:
            return view
    raise BadParameter(f"no view {name!r}; the views: {', '.join(view_names())}")


def check_view_options(name: str, filters: Mapping[str, str | None], subject: str | None = None) -> None:
    """Refuse, before any loading, filters (or ``--subject``) that view ``name`` does not take."""
    allowed = set(get_view(name).filters)
    given = {k for k, v in filters.items() if v}
    if given - allowed:
        raise BadParameter(f"view {name!r} does not take --{', --'.join(sorted(given - allowed))}"
                           + (f"; it takes --{', --'.join(sorted(allowed))}" if allowed else ""))
    if subject and "subject" not in get_view(name).options:
        takers = " or ".join(v.name for v in VIEWS if "subject" in v.options)
        raise BadParameter(f"--subject is for the {takers} view")


def build_view(kg: Any, name: str, filters: Mapping[str, str | None] | None = None,
               subject: str | None = None) -> Any:
    """Build graph view ``name`` (a NetworkX graph) with the filters given (empty ones left out), checked first."""
    filters = filters or {}
    check_view_options(name, filters, subject)
    view = get_view(name)
    kwargs: dict[str, Any] = {k: v for k, v in filters.items() if v}
    if "subject" in view.options:
        kwargs["subject"] = subject
    return view.build(kg, **kwargs)
