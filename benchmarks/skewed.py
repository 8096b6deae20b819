"""The query library on skewed, real-shaped data: the curated graph copied N times, states shared.

Synthetic graphs (``generate.py``) spread agreements evenly over hosts. Real data is
skewed: a few hubs (the United States) have thousands of agreements, acts and counts.
This script builds the curated graph once (with its derived layer), writes it N times
into one N-Triples file — every ``id:`` IRI and blank node renamed per copy except the
``id:state-*`` IRIs, which all copies share — so at 50 copies (~1M triples) the
United States sends under ~1,800 agreements and every host's recognition acts and
counts are multiplied by 50. Then every library query runs in its own subprocess on
the default backend (``oxigraph``: transferkg's Oxigraph store) and on raw pyoxigraph
(the same query text), with the child's peak RSS.

Example::

    python benchmarks/skewed.py --copies 50 --out benchmarks/results/skewed.md

Parameterised queries are bound like ``run.py`` does (the first agreement; ``day``
2025-12-01). A query fails the target when it takes more than 2 s or 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ID = "https://w3id.org/tct/id/"
_IRI = re.compile(r"<https://w3id\.org/tct/id/(?!state-)([^>]*)>")
_BNODE = re.compile(r"(?<![\"\w])_:([A-Za-z0-9]+)")
FIRST_AGREEMENT = "agreement-US-XK-2025-06"
DAY = "2025-12-01"


def curated_lines() -> list[str]:
    """The built curated graph (ontology, claims, derived layer) as N-Triples lines."""
    import transferkg

    graph = transferkg.load(ROOT).graph
    text = graph.serialize(format="nt")
    return sorted({line for line in text.splitlines() if line.strip()})


def write_skewed(out: Path, copies: int) -> int:
    """Write ``copies`` renamed copies of the curated graph (states shared); the number of triples."""
    lines = curated_lines()
    seen: set[str] = set()
    with out.open("w", encoding="utf-8") as fh:
        for k in range(copies):
            suffix = "" if k == 0 else f"-c{k}"
            for line in lines:
                if k:
                    line = _IRI.sub(lambda m, sfx=suffix: f"<{ID}{m.group(1)}{sfx}>", line)
                    line = _BNODE.sub(lambda m, n=k: f"_:{m.group(1)}c{n}", line)
                    if "<https://w3id.org/tct/id/" not in line and "_:" not in line:
                        continue  # the ontology and code lists: once
                if line in seen:
                    continue  # a triple about shared states only: once
                if k == 0 or "id/state-" in line:
                    seen.add(line)
                fh.write(line + "\n")
    return sum(1 for _ in out.open(encoding="utf-8"))


def worker(backend: str, data: str, name: str, repeat: int) -> None:
    """One query on one backend: load, run ``repeat`` times, print JSON with times and peak RSS."""
    from transferkg.query.library import QueryLibrary

    query = QueryLibrary(ROOT / "queries").get(name)
    params = {"subject": FIRST_AGREEMENT, "agreement": FIRST_AGREEMENT, "day": DAY}
    bindings = query.bind({k: v for k, v in params.items() if k in query.params})
    if backend == "raw":
        import pyoxigraph as ox

        from transferkg.store.oxigraph import prepare

        store = ox.Store()
        store.bulk_load(path=data, format=ox.RdfFormat.N_TRIPLES)
        text, subs = prepare(query.text, bindings)

        def run() -> int:
            return sum(1 for _ in store.query(text, substitutions=subs or None))
    else:
        from transferkg.store.oxigraph import OxigraphStore

        ostore = OxigraphStore(None)
        ostore.bulk_load(data, format="nt")

        def run() -> int:
            return len(ostore.select(query.text, bindings).rows)
    times = []
    rows = 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - start)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": sorted(times)[len(times) // 2], "rows": rows, "rss_mib": rss}))


def measure(backend: str, data: Path, name: str, repeat: int, timeout: float, mem_gib: float) -> dict[str, object]:
    def limit() -> None:
        cap = int(mem_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    cmd = [sys.executable, __file__, "--worker", backend, "--data", str(data), "--query", name, "--repeat", str(repeat)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"failed: {tail[:80]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=50, help="copies of the curated graph (default 50, ~1M triples)")
    parser.add_argument("--data", default=None, help="the skewed N-Triples file (written unless --worker)")
    parser.add_argument("--queries", default="", help="comma-separated query names (default: the whole library)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--mem-gib", type=float, default=8, help="address-space cap per child (default 8 GiB)")
    parser.add_argument("--out", default=None, help="Markdown table (default: stdout)")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--query", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.data, args.query, args.repeat)
        return 0
    from transferkg.query.library import QueryLibrary

    data = Path(args.data or HERE / "data" / f"skewed-{args.copies}.nt")
    data.parent.mkdir(parents=True, exist_ok=True)
    if not data.exists():
        triples = write_skewed(data, args.copies)
    else:
        triples = sum(1 for _ in data.open(encoding="utf-8"))
    with data.open(encoding="utf-8") as fh:
        us = sum(1 for line in fh if line.endswith(f"<https://w3id.org/tct/ontology#sendingState> <{ID}state-US> .\n"))
    names = [n for n in args.queries.split(",") if n] or sorted(q.name for q in QueryLibrary(ROOT / "queries"))
    out = [f"{triples:,} triples ({args.copies} copies of the curated graph, states shared; "
           f"the United States sends under {us:,} agreements)", "",
           "| query | rows | oxigraph | raw | × time | peak RSS | raw RSS | × RSS | ≤ 2 s, ≤ 2 GiB |",
           "|---|---:|---:|---:|---:|---:|---:|---:|:---:|"]
    for name in names:
        ox = measure("oxigraph", data, name, args.repeat, args.timeout, args.mem_gib)
        raw = measure("raw", data, name, args.repeat, args.timeout, args.mem_gib)
        if "error" in ox or "error" in raw:
            row = f"| {name} | | {ox.get('error', '')} | {raw.get('error', '')} | | | | | no |"
        else:
            ok = float(ox["seconds"]) <= 2 and float(ox["rss_mib"]) <= 2048  # type: ignore[arg-type]
            row = (f"| {name} | {ox['rows']:,} | {ox['seconds']:.3f} s | {raw['seconds']:.3f} s | "
                   f"{float(ox['seconds']) / max(float(raw['seconds']), 1e-4):.2f} | "  # type: ignore[arg-type]
                   f"{ox['rss_mib']:.0f} MiB | {raw['rss_mib']:.0f} MiB | "
                   f"{float(ox['rss_mib']) / float(raw['rss_mib']):.2f} | {'yes' if ok else 'no'} |")  # type: ignore[arg-type]
        print(row, flush=True)
        out.append(row)
    text = "\n".join(out) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
