"""Benchmarks of the store backends on synthetic graphs of several sizes.

For each size (default 10k triples) a synthetic graph is generated (once,
cached in ``benchmarks/data/``) and measured on:

- ``memory`` — plain rdflib (:class:`transferkg.store.base.MemoryStore`);
- ``oxigraph`` — the embedded Oxigraph backend (:class:`transferkg.store.oxigraph.OxigraphStore`), in memory;
- ``oxigraph-disk`` (only when asked for with ``--backends``) — the same, persistent
  in a folder (``--store PATH``): RocksDB keeps the data out of the process's memory;
- ``raw`` — raw pyoxigraph running the same query texts, rows left as pyoxigraph terms;
- ``remote`` (only with ``--remote``) — ``oxigraph serve`` on 127.0.0.1 through
  :mod:`transferkg.store.remote`.

Steps: load the N-Triples file; derive (the project's rules, on a fresh copy);
each library query; the deal_network query turned into a NetworkX DiGraph; the
deal-network view and its HTML page, opened in headless Chromium for the
default backend (to show that the aggregated page is drawn);
validation at scale — every SPARQL check of ``queries/checks``, and pySHACL on
the whole graph up to ``--shacl-max`` triples. Each step is run ``--repeat``
times — in rounds that visit every backend once, so background load on the
machine falls on all of them alike; inside a round, steps faster than a second
run up to three times — and the median of all runs is reported, with its
ratio to raw pyoxigraph. Every
backend and size runs in its own subprocess, whose peak resident memory
(``getrusage`` maxrss; for the server, its VmHWM) is reported.

The queries run on the graph plus its derived layer, computed once per size
by the project's derive on the default (Oxigraph) backend and cached, so that a slow
derive on one backend does not keep its queries from being measured.

Results: a Markdown table with the machine, the library versions and the date,
printed and written to ``benchmarks/results/<date>.md`` (git-ignored).

Example::

    python benchmarks/run.py --sizes 10000,100000 --repeat 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

BACKENDS = ("memory", "oxigraph", "raw")
LABELS = {"memory": "rdflib (memory)", "oxigraph": "Oxigraph backend", "oxigraph-disk": "Oxigraph backend, on disk",
          "raw": "raw pyoxigraph",
          "remote": "Oxigraph server"}
GRAPH_DERIVED = "https://w3id.org/tct/graph/derived"


# ============================================================================ worker side
def _emit(step: str, times: list[float] | None = None, **extra: Any) -> None:
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    record = {"step": step, "times": times, "maxrss_mb": round(rss_kb / 1024, 1), **extra}
    print(json.dumps(record), flush=True)


def _timed(func: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Run ``func`` ``repeat`` times, and a fast one (under a second in all) up to three times.

    Inside one process the first run of a query also fills caches; repeating the
    fast steps keeps one cold run from deciding a millisecond-scale median, while
    slow steps (rdflib at 100k) are not repeated at great cost.
    """
    times, result = [], None
    while len(times) < repeat or (len(times) < 3 and sum(times) < 1.0):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return times, result


class _Backend:
    """One backend as the benchmark drives it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.store: Any = None
        self.server: Any = None
        self.tmp = tempfile.mkdtemp(prefix=f"transferkg-bench-{name}-")

    # loading
    def load(self, data: str) -> None:
        if self.name == "memory":
            from rdflib import Graph

            from transferkg.store.base import MemoryStore

            graph = Graph()
            graph.parse(data, format="nt")
            self.store = MemoryStore(graph)
        elif self.name in ("oxigraph", "oxigraph-disk"):
            import shutil

            from transferkg.store.oxigraph import OxigraphStore

            if self.name == "oxigraph-disk":
                if self.store is not None:
                    self.store.close()
                shutil.rmtree(Path(self.tmp) / "store", ignore_errors=True)
            self.store = OxigraphStore(Path(self.tmp) / "store" if self.name == "oxigraph-disk" else None)
            self.store.bulk_load(data, format="nt")
        elif self.name == "raw":
            import pyoxigraph as ox

            self.store = ox.Store()
            self.store.bulk_load(path=data, format=ox.RdfFormat.N_TRIPLES)
        elif self.name == "remote":
            import shutil

            from transferkg.app.server import load_store

            self.stop()
            shutil.rmtree(Path(self.tmp) / "db", ignore_errors=True)
            load_store(Path(self.tmp) / "db", [data], replace=True)
        else:
            raise SystemExit(f"unknown backend {self.name}")

    def add_derived(self, derived: str) -> None:
        if self.name == "memory":
            self.store.graph.parse(derived, format="nt")
        elif self.name in ("oxigraph", "oxigraph-disk"):
            self.store.bulk_load(derived, format="nt", graph=GRAPH_DERIVED)
        elif self.name == "raw":
            import pyoxigraph as ox

            self.store.bulk_load(path=derived, format=ox.RdfFormat.N_TRIPLES)
        elif self.name == "remote":
            from transferkg.app.server import load_store

            load_store(Path(self.tmp) / "db", [derived], replace=False)

    def start(self) -> None:
        """Make the store queryable (the server is started after loading)."""
        if self.name != "remote":
            return
        from transferkg.app.connect import connect
        from transferkg.app.server import OxigraphServer

        self.server = OxigraphServer(Path(self.tmp) / "db", read_only=False)
        self.server.start()
        self.store = connect(self.server.url, root=ROOT, timeout=3600).store

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def close(self) -> None:
        """Stop the server, close the store and delete the scratch folder."""
        import shutil

        self.stop()
        if self.name in ("oxigraph", "oxigraph-disk") and self.store is not None:
            self.store.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def server_peak_mb(self) -> float | None:
        if self.server is None or self.server.pid is None:
            return None
        try:
            for line in Path(f"/proc/{self.server.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            return None
        return None

    # querying
    def select(self, text: str, bindings: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        if self.name == "raw":
            from transferkg.store.oxigraph import prepare

            query, substitutions = prepare(text, bindings)
            return [tuple(solution) for solution in self.store.query(query, substitutions=substitutions or None)]
        return self.store.select(text, bindings).rows  # type: ignore[no-any-return]

    def derive(self) -> int:
        if self.name == "raw":
            return _raw_derive(self.store)
        from transferkg.rules.derive import derive

        if self.name in ("oxigraph", "oxigraph-disk"):
            with self.store.writing_to(GRAPH_DERIVED):
                return derive(self.store).total
        return derive(self.store).total

    def graph(self) -> Any:
        return self.store.to_graph()


def _raw_derive(store: Any) -> int:
    """The project's derive rules run directly on pyoxigraph (same query texts)."""
    import calendar
    import datetime as dt_

    import pyoxigraph as ox

    from transferkg.core.resources import internal_query
    from transferkg.rules import derive as rules

    xsd = "http://www.w3.org/2001/XMLSchema#"
    tct = "https://w3id.org/tct/ontology#"
    rule = {name: internal_query("transferkg.rules", name) for name in
            ("claim_values", "claim_dates", "event_dates", "inherited_kinds")}
    truthy = [ox.Quad(s, p, v) for s, p, v in
              rules.best_values(store.query(rule["claim_values"]), ox.NamedNode("https://w3id.org/tct/vocab/preferred"))]
    store.extend(truthy)

    def bounds(value: Any) -> tuple[dt_.date, dt_.date] | None:
        if not isinstance(value, ox.Literal):
            return None
        text, kind = value.value, value.datatype.value[len(xsd):]
        try:
            if kind == "date":
                day = dt_.date.fromisoformat(text[:10])
                return day, day
            if kind == "gYearMonth":
                y, m = int(text[:4]), int(text[5:7])
                return dt_.date(y, m, 1), dt_.date(y, m, calendar.monthrange(y, m)[1])
            if kind == "gYear":
                y = int(text[:4])
                return dt_.date(y, 1, 1), dt_.date(y, 12, 31)
        except ValueError:
            return None
        return None

    added = len(truthy)
    date_type = ox.NamedNode(xsd + "date")
    for query in (rule["claim_dates"], rule["event_dates"]):
        spans: dict[Any, list[tuple[dt_.date, dt_.date]]] = {}
        for node, value in store.query(query):
            span = bounds(value)
            if span is None or not isinstance(node, ox.NamedNode):
                continue
            spans.setdefault(node, []).append(span)
        quads = []
        for node, node_spans in spans.items():
            early, late = rules.merge_bounds(node_spans)
            quads.append(ox.Quad(node, ox.NamedNode(tct + "earliestDate"), ox.Literal(early.isoformat(), datatype=date_type)))
            quads.append(ox.Quad(node, ox.NamedNode(tct + "latestDate"), ox.Literal(late.isoformat(), datatype=date_type)))
        store.extend(quads)
        added += len(quads)
    kinds = [ox.Quad(e, ox.NamedNode(tct + "arrangementKind"), k) for e, k in store.query(rule["inherited_kinds"])]
    store.extend(kinds)
    # The status history: the same pure-Python sequencing, fed by the raw query (terms converted
    # to rdflib only for this one small query, whose rows are one per status change).
    from transferkg.store.base import SelectResult
    from transferkg.store.oxigraph import from_oxigraph, to_oxigraph

    class _Raw:
        def select(self, query: str, bindings: Any = None) -> SelectResult:
            solutions = store.query(query)
            names = [v.value for v in solutions.variables]
            return SelectResult(vars=names, rows=[tuple(from_oxigraph(t) for t in row) for row in solutions])

    status = rules._status_triples(_Raw())  # type: ignore[arg-type]
    store.extend(ox.Quad(to_oxigraph(s_), to_oxigraph(p_), to_oxigraph(o_)) for s_, p_, o_ in status)
    return added + len(kinds) + len(status)


def _deal_network_digraph(backend: _Backend, text: str) -> tuple[int, int]:
    """The deal_network query's rows as a NetworkX DiGraph (sender → host)."""
    import networkx as nx

    graph = nx.DiGraph()
    raw = backend.name == "raw"
    for item, item_label, target, target_label, edge, edge_label, status, sources in backend.select(text):
        s, t = (item.value, target.value) if raw else (str(item), str(target))
        graph.add_node(s, label=item_label.value if raw else str(item_label))
        graph.add_node(t, label=target_label.value if raw else str(target_label))
        graph.add_edge(s, t, agreement=edge.value if raw else str(edge),
                       label=edge_label.value if raw else str(edge_label),
                       status=None if status is None else (status.value if raw else str(status)),
                       sources=int(sources.value if raw else sources.toPython()))
    return graph.number_of_nodes(), graph.number_of_edges()


def worker(args: argparse.Namespace) -> None:
    import pyoxigraph  # noqa: F401  (imports are not part of any timing)
    import rdflib  # noqa: F401

    import transferkg.rules.derive  # noqa: F401
    import transferkg.store.base  # noqa: F401
    import transferkg.store.oxigraph  # noqa: F401
    from transferkg.query.library import QueryLibrary

    backend = _Backend(args.worker)
    repeat = args.repeat
    params = json.loads(args.params or "{}")
    try:
        if args.mode == "derive":
            times = []
            total = 0
            for _ in range(repeat):
                backend.load(args.data)
                backend.start()
                start = time.perf_counter()
                total = backend.derive()
                times.append(time.perf_counter() - start)
                backend.stop()
            _emit("derive", times, rows=total, server_mb=backend.server_peak_mb())
            return
        start = time.perf_counter()
        backend.load(args.data)
        times = [time.perf_counter() - start]
        _emit("load", times)
        backend.add_derived(args.derived)
        backend.start()
        backend.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")  # warm up the query path once
        library = QueryLibrary(ROOT / "queries")
        for query in library:
            bindings = query.bind({k: v for k, v in params.items() if k in query.params and query.params[k].type == "iri"})
            times, result = _timed(lambda q=query, b=bindings: backend.select(q.text, b), repeat)
            _emit(f"query {query.name}", times, rows=len(result), server_mb=backend.server_peak_mb())
        text = library.get("deal_network").text
        times, (nodes, edges) = _timed(lambda: _deal_network_digraph(backend, text), repeat)
        _emit("deal_network → DiGraph", times, rows=edges, nodes=nodes)
        if backend.name != "raw" and "views" not in args.skip:
            _views(backend, repeat)
        total_checks = []
        for query in QueryLibrary(ROOT / "queries" / "checks"):
            if query.name in args.skip_checks:
                _emit(f"check {query.name}", None, skipped="skipped (--skip-checks)")
                continue
            times, result = _timed(lambda q=query: backend.select(q.text), repeat)
            total_checks.append(statistics.median(times))
            _emit(f"check {query.name}", times, rows=len(result), server_mb=backend.server_peak_mb())
        _emit("checks (all, SPARQL)", [sum(total_checks)] if total_checks else None)
        if backend.name in ("memory", "oxigraph", "oxigraph-disk"):
            if args.triples <= args.shacl_max:
                from rdflib import Graph

                from transferkg.curation.loader import parse_turtle
                from transferkg.rules.validate import validate_graph

                shapes = Graph()
                for path in sorted((ROOT / "ontology" / "shapes").glob("*.ttl")):
                    parse_turtle(path, shapes)
                start = time.perf_counter()
                report = validate_graph(backend.graph(), shapes)
                _emit("SHACL (pySHACL, whole graph)", [time.perf_counter() - start],
                      rows=report.violation_count)
            else:
                _emit("SHACL (pySHACL, whole graph)", None, skipped=f"skipped above {args.shacl_max} triples")
        _emit("done", None, server_mb=backend.server_peak_mb())
    finally:
        backend.close()


def _views(backend: _Backend, repeat: int) -> None:
    from transferkg import views
    from transferkg.render.page import render_html

    times, graph = _timed(lambda: views.deal_network(backend.store), repeat)
    _emit("deal-network view (NetworkX)", times, rows=graph.number_of_edges(), nodes=graph.number_of_nodes())
    times, html = _timed(lambda: render_html(graph), repeat)
    _emit("deal-network view → HTML", times, html_mb=round(len(html.encode("utf-8")) / 1e6, 2))
    if backend.name == "oxigraph":
        _opens_in_chromium(html, Path(backend.tmp))


def _opens_in_chromium(page: str, tmp: Path) -> None:
    """Open the page in headless Chromium (network cut off) and report whether vis-network drew it.

    The page's own ``#tkg-status`` (JSON: stabilized, errors) is read from the DOM
    after a virtual-time budget of 60 s; the step's time is Chromium's wall time.
    """
    import html as html_
    import re
    import shutil

    browser = shutil.which("chromium")
    if browser is None:
        _emit("deal-network HTML opens (chromium)", None, skipped="chromium is not installed")
        return
    path = tmp / "deal-network.html"
    path.write_text(page, encoding="utf-8")
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions",
               f"--user-data-dir={tmp / 'chromium'}", "--proxy-server=http://127.0.0.1:9",
               "--proxy-bypass-list=<-loopback>", "--host-resolver-rules=MAP * ~NOTFOUND",
               "--virtual-time-budget=60000", "--dump-dom", path.as_uri()]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - start
    match = re.search(r'<pre id="tkg-status"[^>]*>(.*?)</pre>', proc.stdout, re.S)
    status = json.loads(html_.unescape(match.group(1))) if match and match.group(1).strip() else {}
    opened = proc.returncode == 0 and status.get("stabilized") is True and not status.get("errors")
    _emit("deal-network HTML opens (chromium)", [elapsed],
          opened="drawn, stabilized" if opened else f"NOT drawn: exit {proc.returncode}, status {status}")


def reference_derive(data: str, out: str) -> None:
    """The derived layer of ``data`` by the project's derive on the default (Oxigraph) backend, as N-Triples.

    The Oxigraph backend's derive is checked against the rdflib backend's by the
    parity tests; using it here keeps the reference affordable at 5M triples.
    """
    import pyoxigraph as ox

    from transferkg.app.layers import rederive
    from transferkg.store.oxigraph import OxigraphStore

    store = OxigraphStore()
    store.bulk_load(data, format="nt")
    rederive(store)
    store.raw().dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(GRAPH_DERIVED))


# ============================================================================ driver side
def _run_worker(argv: list[str], timeout: float) -> tuple[list[dict[str, Any]], str | None]:
    """Run a worker; its records, and a note if it failed or timed out."""
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    records: list[dict[str, Any]] = []
    note = None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        note = f"timed out after {timeout:.0f} s"
    for line in out.splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    if note is None and proc.returncode != 0:
        tail = " ".join(err.strip().splitlines()[-2:])
        note = f"failed (exit {proc.returncode}): {tail[:300]}"
    return records, note


def _merge(into: dict[str, dict[str, Any]], records: list[dict[str, Any]]) -> None:
    """Add one round's records: times are pooled, memory peaks kept at their maximum."""
    for record in records:
        step = record["step"]
        if step not in into:
            into[step] = dict(record)
            continue
        known = into[step]
        if record.get("times"):
            known["times"] = (known.get("times") or []) + record["times"]
        for key in ("maxrss_mb", "server_mb"):
            if record.get(key):
                known[key] = max(known.get(key) or 0, record[key])


def _first_agreement(data: Path) -> str | None:
    needle = "> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/tct/ontology#TransferAgreement> ."
    with data.open(encoding="utf-8") as fh:
        for line in fh:
            if line.rstrip().endswith(needle) and line.startswith("<https://w3id.org/tct/id/"):
                return line[1:line.index(">")].rsplit("/", 1)[-1]
    return None


def _machine() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    memory = "?"
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for package in ("rdflib", "pyoxigraph", "oxigraph", "pyshacl", "networkx", "pyvis", "SPARQLWrapper"):
        try:
            versions.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            pass
    return {"date": dt.date.today().isoformat(), "time": dt.datetime.now().strftime("%H:%M"),
            "cpus": str(os.cpu_count()), "memory": memory, "cpu": cpu,
            "python": platform.python_version(), "os": f"{platform.system()} {platform.release()}",
            "versions": ", ".join(versions)}


def _seconds(value: float) -> str:
    if value < 0.001:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def _cells(results: dict[str, dict[str, dict[str, Any]]], backends: list[str]) -> Iterator[list[str]]:
    steps: list[str] = []
    for backend in sorted(backends, key=lambda b: -len(results.get(b, {}))):
        for step in results.get(backend, {}):
            if step not in steps and step != "done":
                steps.append(step)
    for step in steps:
        raw = results.get("raw", {}).get(step, {})
        raw_time = statistics.median(raw["times"]) if raw.get("times") else None
        row = [step]
        counts = set()
        for backend in backends:
            record = results.get(backend, {}).get(step)
            if record is None:
                row.append("—")
                continue
            if not record.get("times"):
                row.append(record.get("skipped", "—"))
                continue
            median = statistics.median(record["times"])
            text = _seconds(median)
            if raw_time and backend != "raw":
                text += f" ({median / raw_time:.2f}×)"
            if "html_mb" in record:
                text += f", {record['html_mb']} MB"
            if "opened" in record:
                text += f", {record['opened']}"
            if step.startswith("SHACL") and "rows" in record:
                text += f", {record['rows']} violations"
            row.append(text)
            if "rows" in record and not step.startswith(("SHACL", "derive", "load")):
                counts.add(record["rows"])
        rows_text = "" if not counts else (str(counts.pop()) if len(counts) == 1 else "differ: " + "/".join(
            str(results.get(b, {}).get(step, {}).get("rows", "—")) for b in backends))
        row.insert(1, rows_text)
        yield row


def _markdown(machine: dict[str, str], sizes: list[dict[str, Any]], backends: list[str], args: argparse.Namespace,
              notes: list[str]) -> str:
    lines = [f"# transferkg benchmarks, {machine['date']}", "",
             f"- machine: {machine['cpus']} CPUs ({machine['cpu']}), {machine['memory']} memory, {machine['os']}",
             f"- Python {machine['python']}; {machine['versions']}",
             f"- medians over {args.repeat} round(s), each a fresh process per backend (steps under a second "
             f"run up to 3 times per round); ratios are to raw pyoxigraph measured in the same run; "
             f"synthetic graphs from `benchmarks/generate.py --seed {args.seed}`",
             f"- command: `python benchmarks/run.py {' '.join(args.argv)}`", ""]
    for size in sizes:
        lines += [f"## {size['triples']:,} triples ({size['file']})", ""]
        header = ["step", "rows", *(LABELS[b] for b in backends)]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        for row in _cells(size["results"], backends):
            lines.append("| " + " | ".join(row) + " |")
        peak = []
        for backend in backends:
            records = size["results"].get(backend, {})
            main = max((r.get("maxrss_mb", 0) for r in records.values()), default=0)
            server = max((r.get("server_mb") or 0 for r in records.values()), default=0)
            text = f"{main:.0f} MB" if main else "—"
            if server:
                text += f" (+ server {server:.0f} MB)"
            peak.append(text)
        lines.append("| peak memory (maxrss) |  | " + " | ".join(peak) + " |")
        lines.append("")
        for backend, note in size["notes"].items():
            lines.append(f"- {LABELS[backend]}: {note}")
        if size["notes"]:
            lines.append("")
    if notes:
        lines += ["## Notes", "", *(f"- {n}" for n in notes), ""]
    return "\n".join(lines)


def driver(args: argparse.Namespace) -> int:
    from generate import default_path, generate

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    notes: list[str] = []
    if args.remote and "remote" not in backends:
        try:
            import transferkg.app.server  # noqa: F401

            backends.append("remote")
        except ImportError:
            notes.append("remote skipped: transferkg.app.server (OxigraphServer) is not available")
    data_dir = Path(args.data_dir)
    sizes = []
    for size in [int(s) for s in str(args.sizes).split(",") if s.strip()]:
        data = data_dir / default_path(size, args.seed).name
        if not data.is_file():
            print(f"generating {data} …", file=sys.stderr, flush=True)
            generate(size, args.seed, data)
        with data.open("rb") as fh:
            triples = sum(1 for _ in fh)
        derived = data.with_suffix(".derived.nt")
        rules = ROOT / "src" / "transferkg" / "derive.py"
        if not derived.is_file() or derived.stat().st_mtime < max(data.stat().st_mtime, rules.stat().st_mtime):
            print(f"deriving {derived} (reference, Oxigraph backend) …", file=sys.stderr, flush=True)
            _records, note = _run_worker(["--reference", str(data), str(derived)], args.timeout)
            if note:
                raise SystemExit(f"reference derive of {data}: {note}")
        agreement = _first_agreement(data)
        params = json.dumps({"subject": agreement, "agreement": agreement} if agreement else {})
        results: dict[str, dict[str, dict[str, Any]]] = {b: {} for b in backends}
        size_notes: dict[str, str] = {}
        given_up: set[tuple[str, str]] = set()
        # Rounds: every backend once per round, so background load on the machine
        # falls on all backends alike; medians are taken over the rounds.
        for round_ in range(args.repeat):
            for backend in backends:
                print(f"{size} triples: {backend}, round {round_ + 1} of {args.repeat} …", file=sys.stderr,
                      flush=True)
                common = ["--data", str(data), "--derived", str(derived), "--repeat", "1",
                          "--params", params, "--triples", str(size), "--shacl-max", str(args.shacl_max),
                          "--skip-checks", ",".join(args.skip_checks), "--skip", ",".join(args.skip)]
                for mode, limit in (("main", args.timeout), ("derive", args.derive_timeout)):
                    if (backend, mode) in given_up or mode in args.skip:
                        continue
                    records, note = _run_worker(["--worker", backend, "--mode", mode, *common], limit)
                    _merge(results[backend], records)
                    if note:
                        given_up.add((backend, mode))
                        if mode == "derive":
                            results[backend].setdefault("derive", {"step": "derive", "times": None,
                                                                   "skipped": note})
                        else:
                            size_notes[backend] = note
        for backend in backends:
            by_step = results[backend]
            ordered = {k: by_step[k] for k in ["load", "derive"] if k in by_step}
            ordered.update({k: v for k, v in by_step.items() if k not in ordered})
            results[backend] = ordered
        sizes.append({"triples": triples, "file": data.name, "results": results, "notes": size_notes})
    notes.append("derive is measured on a fresh copy of the graph (its own subprocess, limit "
                 f"{args.derive_timeout:.0f} s); queries, views and checks run on the graph plus the derived "
                 "layer computed once by the default (Oxigraph) backend.")
    notes.append("rows: rows returned (the same on every backend unless marked 'differ'); "
                 "for SHACL the number of violations.")
    text = _markdown(_machine(), sizes, backends, args, notes)
    out = Path(args.out) if args.out else HERE / "results" / f"{dt.date.today().isoformat()}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"(written to {out})", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Example: python benchmarks/run.py --sizes 10000,100000 --repeat 3")
    parser.add_argument("--sizes", default="10000", help="comma-separated triple counts (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the median is reported (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated: memory,oxigraph,raw (and oxigraph-disk)")
    parser.add_argument("--remote", action="store_true", help="also measure the Oxigraph server on 127.0.0.1")
    parser.add_argument("--data-dir", default=str(HERE / "data"), help="where synthetic graphs are cached")
    parser.add_argument("--out", default=None, help="Markdown file (default benchmarks/results/<date>.md)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per backend and size")
    parser.add_argument("--derive-timeout", type=float, default=900, help="seconds for the derive step")
    parser.add_argument("--shacl-max", type=int, default=100_000,
                        help="run pySHACL on sizes up to this many triples (default 100000)")
    parser.add_argument("--skip", default="", help="comma-separated steps not to run: views, derive (at 20M triples)")
    parser.add_argument("--skip-checks", default="", help="comma-separated checks not to run")
    # worker mode (internal)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="main", help=argparse.SUPPRESS)
    parser.add_argument("--data", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--derived", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--params", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--triples", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--reference", nargs=2, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.argv = argv
    args.skip_checks = [c.strip() for c in str(args.skip_checks).split(",") if c.strip()]
    args.skip = [c.strip() for c in str(args.skip).split(",") if c.strip()]
    if args.reference:
        reference_derive(*args.reference)
        return 0
    if args.worker:
        worker(args)
        return 0
    return driver(args)


if __name__ == "__main__":
    sys.exit(main())
