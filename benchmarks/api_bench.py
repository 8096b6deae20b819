"""What ``kg.run()`` adds to raw pyoxigraph: a library query's rows as a pandas DataFrame.

Both sides run the same query text on the same pyoxigraph store in one process:

- **raw**: ``store.query(text)`` and every solution read into a tuple of pyoxigraph
  terms — the least any caller pays to get the rows out;
- **raw + DataFrame**: the same, the terms' ``.value`` strings put into a DataFrame
  (what a caller doing it by hand would write, without types or CURIEs);
- **kg.run()**: transferkg's path — the library query parsed, its parameters
  checked and bound, values made readable (CURIEs, ints, dates at their precision)
  straight from Oxigraph's terms, a DataFrame;
- **via rdflib** (the path before): rdflib terms first, then readable values.

Result sizes 10 to 100,000 rows come from one-file query folders
(``SELECT ?s ?p ?o … LIMIT n`` over a graph of the given size from ``generate.py``);
the target is ``kg.run() ≤ 1.2 × raw + 2 ms``.

Example::

    python benchmarks/api_bench.py --triples 200000 --repeat 5
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

LIMITS = (10, 1_000, 10_000, 100_000)
TEXT = """#+ summary: The first {n} triples (benchmark).
SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {n}
"""


def _median(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)

    import pandas as pd
    import pyoxigraph as ox

    import transferkg
    from transferkg.app.kg import KnowledgeGraph
    from transferkg.core.resources import Layout
    from transferkg.query.results import to_dataframe
    from transferkg.store.oxigraph import OxigraphStore

    sys.path.insert(0, str(HERE))
    from generate import default_path, generate  # type: ignore[import-not-found]

    data = default_path(args.triples, 1)
    if not data.is_file():
        generate(args.triples, 1, data)
    store = OxigraphStore()
    store.bulk_load(data)
    raw_store = store._store  # the same pyoxigraph store: raw runs on exactly this data
    lines = [f"- machine: {platform.machine()}, Python {platform.python_version()}, "
             f"pyoxigraph {ox.__version__}, transferkg {transferkg.__version__}",
             f"- graph: `generate.py` at {store.triple_count():,} triples; median of {args.repeat} runs, one process",
             f"- command: `python benchmarks/api_bench.py --triples {args.triples} --repeat {args.repeat}`", "",
             "| rows | raw | raw + DataFrame | kg.run() | via rdflib | kg.run() / raw | target 1.2 × raw + 2 ms |",
             "|---:|---:|---:|---:|---:|---:|:---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        for n in LIMITS:
            folder = Path(tmp) / str(n)
            (folder / "queries").mkdir(parents=True)
            (folder / "queries" / "first.rq").write_text(TEXT.format(n=n), encoding="utf-8")
            kg = KnowledgeGraph(store=store, layout=Layout(root=folder))
            text = kg.queries.get("first").text

            def raw(text: str = text) -> list[tuple[object, ...]]:
                return [tuple(s) for s in raw_store.query(text, use_default_graph_as_union=True)]

            def raw_df(text: str = text) -> pd.DataFrame:
                result = raw_store.query(text, use_default_graph_as_union=True)
                names = [v.value for v in result.variables]
                return pd.DataFrame([[t.value if t is not None else None for t in s] for s in result],
                                    columns=names, dtype=object)

            rows = len(kg.run("first"))
            assert rows == len(raw()) == len(to_dataframe(kg.result("first")))
            t_raw = _median(raw, args.repeat)
            t_df = _median(raw_df, args.repeat)
            t_run = _median(lambda kg=kg: kg.run("first"), args.repeat)
            t_old = _median(lambda kg=kg: to_dataframe(kg.result("first")), args.repeat)
            ok = "yes" if t_run <= 1.2 * t_raw + 0.002 else "no"
            lines.append(f"| {rows:,} | {t_raw * 1000:.1f} ms | {t_df * 1000:.1f} ms | {t_run * 1000:.1f} ms | "
                         f"{t_old * 1000:.1f} ms | {t_run / t_raw:.2f} | {ok} |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
