"""The on-disk store at scale: load, every library query, peak memory — next to the in-memory store.

For each size, a synthetic graph of ``generate.py`` (and its derived layer, computed once
in memory as ``run.py`` does) is bulk-loaded into a fresh on-disk store
(``transferkg --store PATH``) in a child process: load time and the child's peak RSS.
Then every library query runs in a child that opens that store, as a command does, and
the in-memory store (``--backend oxigraph``) in another child that loads the same files;
each child prints one line per query as it finishes, so a query that runs past
``--timeout`` is recorded as such and the others still run (the child is restarted
without it). Parameterised queries are bound like ``run.py`` does (the first agreement).

Example::

    python benchmarks/disk_bench.py --sizes 5000000 --memory-sizes 5000000
    python benchmarks/disk_bench.py --sizes 20000000 --memory-sizes ""

Targets (issue "Fast answers"): on disk at 20M triples peak memory ≤ 1 GiB, and every
library query within 2× of the in-memory store at 5M.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _emit(**record: object) -> None:
    print(json.dumps(record), flush=True)


def load_worker(store_path: str, data: str, derived: str) -> None:
    from transferkg.core.graphs import GRAPH_DERIVED
    from transferkg.store.oxigraph import OxigraphStore

    start = time.perf_counter()
    store = OxigraphStore(store_path)
    store.bulk_load(data, format="nt")
    store.bulk_load(derived, format="nt", graph=GRAPH_DERIVED)
    triples = store.triple_count()
    store.close()
    _emit(step="load", seconds=time.perf_counter() - start, rows=triples, rss_mib=_rss_mib())


def query_worker(backend: str, store_path: str, data: str, derived: str, names: list[str], params: dict[str, str],
                 repeat: int) -> None:
    from transferkg.core.graphs import GRAPH_DERIVED
    from transferkg.query.library import QueryLibrary
    from transferkg.store.oxigraph import OxigraphStore

    if backend == "disk":
        store = OxigraphStore(store_path)
    else:
        store = OxigraphStore(None)
        store.bulk_load(data, format="nt")
        store.bulk_load(derived, format="nt", graph=GRAPH_DERIVED)
    _emit(step="ready", rss_mib=_rss_mib())
    library = QueryLibrary(ROOT / "queries")
    for name in names:
        query = library.get(name)
        bindings = query.bind({k: v for k, v in params.items() if k in query.params and query.params[k].type == "iri"})
        times = []
        rows = 0
        for _ in range(repeat):
            start = time.perf_counter()
            rows = len(store.select(query.text, bindings).rows)
            times.append(time.perf_counter() - start)
        _emit(step=name, seconds=sorted(times)[len(times) // 2], rows=rows, rss_mib=_rss_mib())


def _child(args: list[str], timeout: float, names: list[str]) -> dict[str, dict[str, object]]:
    """Run a worker; its records by step. A query past ``timeout`` is recorded as such; the rest run again."""
    found: dict[str, dict[str, object]] = {}
    pending = list(names)
    while True:
        proc = subprocess.Popen([sys.executable, __file__, *args, "--names", ",".join(pending)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout * 4  # loading (in memory) before the first query
        stuck = None
        while True:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                stuck = pending[0] if pending else "load"
                proc.kill()
                break
            line = proc.stdout.readline()
            if not line:
                break
            record = json.loads(line)
            found[str(record["step"])] = record
            if record["step"] in pending:
                pending.remove(str(record["step"]))
            deadline = time.monotonic() + timeout
        proc.wait()
        if stuck is None and pending and proc.returncode:
            stuck = pending[0]  # the child failed on this query: record it, run the others
            found[stuck] = {"error": f"failed (exit {proc.returncode})"}
            pending.remove(stuck)
            if pending:
                continue
            return found
        if stuck is None or stuck == "load":
            if stuck == "load":
                found["ready"] = {"error": f"did not load within {timeout * 4:.0f} s"}
            return found
        found[stuck] = {"error": f"timeout {timeout:.0f} s"}
        pending.remove(stuck)
        if not pending:
            return found


def _prepare(size: int, timeout: float) -> tuple[Path, Path]:
    from generate import default_path, generate  # type: ignore[import-not-found]

    data = default_path(size, 1)
    if not data.is_file():
        print(f"generating {data} …", file=sys.stderr, flush=True)
        generate(size, 1, data)
    derived = data.with_suffix(".derived.nt")
    if not derived.is_file():
        print(f"deriving {derived} (run.py --reference, in memory) …", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(HERE / "run.py"), "--reference", str(data), str(derived)], check=True,
                       timeout=timeout * 20)
    return data, derived


def _cell(record: dict[str, object] | None) -> str:
    if not record:
        return "–"
    if "error" in record:
        return str(record["error"])
    return f"{float(record['seconds']):.3f} s"  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="5000000")
    ap.add_argument("--memory-sizes", default="5000000", help="sizes also measured in memory (comma-separated)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300, help="seconds per query")
    ap.add_argument("--out", default=None)
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--store", default="", help=argparse.SUPPRESS)
    ap.add_argument("--data", default="", help=argparse.SUPPRESS)
    ap.add_argument("--derived", default="", help=argparse.SUPPRESS)
    ap.add_argument("--names", default="", help=argparse.SUPPRESS)
    ap.add_argument("--params", default="{}", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker == "load":
        load_worker(args.store, args.data, args.derived)
        return 0
    if args.worker:
        query_worker(args.worker, args.store, args.data, args.derived, [n for n in args.names.split(",") if n],
                     json.loads(args.params), args.repeat)
        return 0

    import pyoxigraph as ox

    from transferkg.query.library import QueryLibrary

    names = QueryLibrary(ROOT / "queries").names()
    memory_sizes = {int(s) for s in args.memory_sizes.split(",") if s.strip()}
    lines = [f"- machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, pyoxigraph {ox.__version__}",
             f"- command: `python benchmarks/disk_bench.py {' '.join(argv if argv is not None else sys.argv[1:])}`",
             f"- median of {args.repeat} runs per query; peak RSS is each child's own `ru_maxrss`", ""]
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        data, derived = _prepare(size, args.timeout)
        from run import _first_agreement  # type: ignore[import-not-found]

        agreement = _first_agreement(data) or ""
        params = json.dumps({"subject": agreement, "agreement": agreement})
        tmp = Path(tempfile.mkdtemp(prefix="disk-bench-"))
        try:
            store = tmp / "store"
            common = ["--store", str(store), "--data", str(data), "--derived", str(derived), "--params", params,
                      "--repeat", str(args.repeat)]
            print(f"{size:,}: loading into {store} …", file=sys.stderr, flush=True)
            load = _child(["--worker", "load", *common], args.timeout * 10, [])["load"]
            disk_bytes = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
            print(f"{size:,}: queries on disk …", file=sys.stderr, flush=True)
            disk = _child(["--worker", "disk", *common], args.timeout, names)
            memory: dict[str, dict[str, object]] = {}
            if size in memory_sizes:
                print(f"{size:,}: queries in memory …", file=sys.stderr, flush=True)
                memory = _child(["--worker", "memory", *common], args.timeout, names)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        lines += [f"### {int(load.get('rows', 0)):,} triples (`generate.py --triples {size}` + its derived layer)", "",
                  f"- bulk load into a new on-disk store: {_cell(load)}, peak RSS {float(load.get('rss_mib', 0)):,.0f} MiB, "
                  f"{disk_bytes / 2**30:.2f} GiB on disk",
                  f"- peak RSS of the child running every query on disk: "
                  f"{max(float(r.get('rss_mib', 0)) for r in disk.values()):,.0f} MiB"
                  + (f"; in memory: {max(float(r.get('rss_mib', 0)) for r in memory.values()):,.0f} MiB" if memory else ""),
                  "", "| query | rows | on disk | in memory | disk / memory |", "|---|---:|---:|---:|---:|"]
        for name in names:
            d, m = disk.get(name), memory.get(name)
            ratio = (f"{float(d['seconds']) / max(float(m['seconds']), 1e-4):.2f}"  # type: ignore[index, arg-type]
                     if d and m and "error" not in d and "error" not in m else "–")
            rows = d.get("rows", "–") if d else "–"
            lines.append(f"| {name} | {rows:,} | {_cell(d)} | {_cell(m)} | {ratio} |" if isinstance(rows, int)
                         else f"| {name} | – | {_cell(d)} | {_cell(m)} | {ratio} |")
        lines.append("")
    text = "\n".join(lines)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
