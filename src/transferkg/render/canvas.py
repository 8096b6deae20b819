"""matplotlib without its global state: a figure to draw on, literal text, an atomic save.

Static figures use matplotlib's object API (``Figure`` + Agg/SVG canvases), so they
never touch pyplot's global state or need a display. Text from the data is drawn
literally: ``$x^2$``, ``\\``, ``_`` and ``^`` are never read as mathtext or TeX.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from transferkg.render.encoding import drawn

__all__ = ["literal_text", "new_figure", "plain", "save"]

_F = TypeVar("_F", bound=Callable[..., Any])


def literal_text(func: _F) -> _F:
    """Run ``func`` with matplotlib reading every text literally (no mathtext, no TeX).

    Each Text object keeps the setting it was made with, so a label like ``$x^$``
    from the data is drawn as typed instead of failing to parse when drawn.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def plain(value: Any) -> str:
    """A label for a figure: control characters shown (``\\u001b``), at most 80 characters (as in the HTML)."""
    return drawn(str(value))


def new_figure(figsize: tuple[float, float], dpi: int) -> Any:
    """An empty Figure with an Agg canvas: a renderer to measure labels with, no GUI backend."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


@literal_text
def save(fig: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``fig`` as PNG or SVG (by the suffix of ``path``), atomically, without a date in it."""
    target = Path(path)
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in ("png", "svg"):
        from transferkg.core.errors import BadParameter

        raise BadParameter(f"a figure is written as .png or .svg, not {target.name!r}")
    from transferkg.core.outputs import atomic_path

    metadata = {"Date": None} if suffix == "svg" else {"Software": "transferkg"}
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format=suffix, dpi=fig.dpi, metadata=metadata)
    return target
