"""The publishable tracker site: ``transferkg site [--out build/site/]``.

A static folder that opens from disk: a home page with the headline figures and a
sortable, filterable table of every agreement, a page per agreement, per state
and per source, a sources index, a states index and a client-side search. Every
figure comes from the query library (``agreements``, ``totals``, ``current_status``,
``status_timeline``, ``transfers``, ``transferred_vs_capacity``, ``disagreements``,
``withheld_information``, ``payments``, ``selection_criteria``, ``legal_challenges``,
``claims_about``) or from the views' internal rows (the sources and their claims);
the library queries that list every agreement run once, and each agreement's rows
are picked from them.

The site is written into a temporary folder next to the target and moved into
place only when every page is written: a failed build leaves the previous site as
it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from transferkg.app.site_data import SiteReport, _Data, _state_code, file_name, local, text
from transferkg.app.site_files import downloads, latest_changes, ontology_page, query_pages
from transferkg.app.site_pages import (
    _agreement_page,
    _home,
    _search_page,
    _source_page,
    _sources_index,
    _state_page,
    _states_index,
    headline,
)
from transferkg.core.errors import OutputError
from transferkg.render.site import (
    SEARCH_JS,
    SORT_JS,
    json_for_script,
    page,
)

if TYPE_CHECKING:
    from transferkg.app.diff import Diff
    from transferkg.app.kg import KnowledgeGraph

__all__ = ["SiteReport", "build_site", "check_site_target", "headline"]


# --------------------------------------------------------------------------- build


def _pages(kg: KnowledgeGraph, changes: Diff | None = None) -> dict[str, str]:
    """Every file of the site: relative path → its text."""
    data = _Data(kg)
    figures = headline(data)
    pages: dict[str, str] = {}
    index: list[dict[str, str]] = []
    pages["index.html"] = page("Agreements", _home(data, figures, latest_changes(changes)), depth=0,
                               scripts=(SORT_JS,))
    for row in data.agreements:
        name = f"agreements/{file_name(row['agreement'])}"
        label = text(row["agreementLabel"]) or local(row["agreement"])
        pages[name] = page(label, _agreement_page(data, row), depth=1)
        index.append({"title": label, "kind": "agreement", "href": name,
                      "text": " ".join(text(row.get(c)) for c in ("senderLabel", "hostLabel", "kindLabel",
                                                                   "statusLabel"))})
    states = sorted({str(r[c]) for rows in (data.agreements, data.totals) for r in rows for c in ("sender", "host")
                     if r.get(c) is not None and _state_code(r[c])})
    for iri in states:
        name = f"states/{file_name(iri)}"
        pages[name] = page(data.label(iri), _state_page(data, iri), depth=1)
        index.append({"title": data.label(iri), "kind": "state", "href": name, "text": _state_code(iri) or ""})
    pages["states.html"] = page("States", _states_index(data, states), depth=0, scripts=(SORT_JS,))
    for iri in sorted(data.sources):
        name = f"sources/{file_name(iri)}"
        row = data.sources[iri]
        title = text(row.get("title")) or local(iri)
        pages[name] = page(title, _source_page(data, iri), depth=1)
        index.append({"title": title, "kind": "source", "href": name,
                      "text": " ".join((text(row.get("publisherLabel")), text(row.get("issued"))))})
    pages["sources.html"] = page("Sources", _sources_index(data), depth=0, scripts=(SORT_JS,))
    bodies, results, queries_index = query_pages(kg)
    for name, body in bodies.items():
        pages[f"queries/{name}.html"] = page(f"Query {name}", body, depth=1, scripts=(SORT_JS,))
        index.append({"title": name, "kind": "query", "href": f"queries/{name}.html",
                      "text": kg.queries.get(name).summary})
    pages["queries.html"] = page("Queries", queries_index, depth=0, scripts=(SORT_JS,))
    files, downloads_body = downloads(kg, results)
    pages.update(files)
    pages["downloads.html"] = page("Downloads", downloads_body, depth=0, scripts=(SORT_JS,))
    pages["ontology.html"] = page("Ontology", ontology_page(kg), depth=0)
    pages["search.html"] = page("Search", _search_page(), depth=0, scripts=(SEARCH_JS,),
                                data=json_for_script(sorted(index, key=lambda i: (i["kind"], i["title"]))))
    return pages


def check_site_target(out: str | os.PathLike[str]) -> Path:
    """``out`` as a path, refused (before any work) when it cannot become the site's folder.

    Raises:
        OutputError: its parent folder does not exist or cannot be written, or ``out`` is a file.
    """
    target = Path(out)
    parent = target.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write {target}: the folder {parent} does not exist (create it first); "
                          "nothing was written")
    if target.exists() and not target.is_dir():
        raise OutputError(f"cannot write {target}: it is a file, not a folder; nothing was written")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {target}: no permission to write in {parent}; nothing was written")
    return target


def build_site(kg: KnowledgeGraph, out: str | os.PathLike[str], *, changes: Diff | None = None) -> SiteReport:
    """Write the site into ``out``: into a temporary folder first, then moved into place in one rename.

    ``changes`` (a :func:`transferkg.app.diff.diff` against an earlier release) are shown on the home page.

    Raises:
        OutputError: the folder holding ``out`` does not exist or cannot be written (nothing changes).
    """
    target = check_site_target(out)
    parent = target.parent
    pages = _pages(kg, changes) if changes is not None else _pages(kg)  # every query runs before any write
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}; nothing was written") from exc
    old: Path | None = None
    try:
        for name in pages:
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        for name, content in pages.items():
            (tmp / name).write_text(content, encoding="utf-8")
        os.chmod(tmp, 0o755)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            os.replace(target, old / "site")
        os.replace(tmp, target)
    except OSError as exc:
        if old is not None and (old / "site").exists() and not target.exists():
            os.replace(old / "site", target)  # put the previous site back
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}; the previous site is unchanged") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return SiteReport(target, sorted(pages))
