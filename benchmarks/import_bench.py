"""Time and peak memory of ``transferkg import`` at 10k, 100k and 1M CSV rows.

For each size a deterministic CSV of transfer records is generated (once, kept in
``--data-dir``: by default a temporary folder removed afterwards) and imported
into a fresh on-disk Oxigraph store in a subprocess, doing what ``transferkg
import FILE --store PATH`` does: open the store with the curated graph, then
:func:`transferkg.ingest.bulk.import_csv`. The peak resident memory is the child's own
``ru_maxrss`` (``os.wait4``), so one size never colours another. The derived
layer, which the command recomputes afterwards, is measured the same way in a
second subprocess, up to ``--derive-max`` rows (it holds the claim rows in memory
and grows with the store: see benchmarks/README.md).

Rows of the table: rows; CSV size; import time (inside the child) and rows per
second, with the throughput relative to the first size; peak memory and its ratio
to the first size (flat memory: ratios near 1); store size on disk; then derive
time and peak memory.

Example::

    python benchmarks/import_bench.py --sizes 10000,100000
    python benchmarks/import_bench.py --sizes 1000000 --derive-max 0
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

HOSTS = ["XK", "SV", "GH", "CR", "PA", "RW", "UG", "ES", "MX", "GT", "HN", "EG", "UZ", "SS", "ER"]
SENDERS = ["US", "US", "US", "GB", "DE", "IL"]
NATIONALITIES = ["VE", "HN", "NG", "GM", "CU", "HT", "CN", "IN", "AF", "SY", "IR", "ER", "SD", "VN", "LA"]
KINDS = ["", "", "", "readmission-return"]

_IMPORT = """
import json, sys, time
from transferkg.ingest.bulk import import_csv
from transferkg.app.kg import load
root, csv_path, store_path = sys.argv[1:4]
kg = load(root, backend="oxigraph", store=store_path, derive_layer=False)
start = time.perf_counter()
result = import_csv(csv_path, kg.store)
seconds = time.perf_counter() - start
kg.store.close()
print(json.dumps({"seconds": seconds, "rows": result.rows, "imported": result.imported,
                  "triples": result.triples_written, "added": result.added}))
"""

_DERIVE = """
import json, sys, time
from transferkg.app.layers import rederive
from transferkg.store.oxigraph import OxigraphStore
store = OxigraphStore(sys.argv[1])
start = time.perf_counter()
derived = rederive(store)
seconds = time.perf_counter() - start
store.close()
print(json.dumps({"seconds": seconds, "derived": derived.total}))
"""


def generate(rows: int, path: Path, seed: int = 1) -> Path:
    """Write ``rows`` valid transfer records to ``path`` (same rows and seed, same bytes)."""
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("date,from,to,count,nationality,source,id,kind\n")
        for i in range(rows):
            date = f"{2015 + i % 11}-{1 + (i // 11) % 12:02d}-{1 + (i // 7) % 28:02d}"
            if i % 13 == 0:
                date = date[:7]  # some records known to the month only
            host = HOSTS[i % len(HOSTS)]
            sender = SENDERS[i % len(SENDERS)]
            count = "" if i % 17 == 0 else str(1 + rnd.randrange(250))
            nationality = "withheld" if i % 19 == 0 else ";".join(rnd.sample(NATIONALITIES, 1 + i % 3))
            source = f"https://tracker.example.org/flights/{i % 97}"
            out.write(f"{date},{sender},{host},{count},{nationality},{source},r{i},{KINDS[i % len(KINDS)]}\n")
    return path


def _child(code: str, *args: str) -> tuple[dict[str, Any], float]:
    """Run ``code`` in a fresh Python; its JSON answer and its own peak RSS in MiB."""
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"child failed ({proc.returncode}):\n{err[-2000:]}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def measure(rows: int, data_dir: Path, work_dir: Path, derive_max: int) -> dict[str, Any]:
    """Import ``rows`` rows into a fresh store (and derive, up to ``derive_max``); the numbers."""
    csv_path = data_dir / f"transfers-{rows}.csv"
    if not csv_path.exists():
        generate(rows, csv_path)
    store = work_dir / f"store-{rows}"
    shutil.rmtree(store, ignore_errors=True)
    answer, rss = _child(_IMPORT, str(ROOT), str(csv_path), str(store))
    assert answer["imported"] == rows, answer
    numbers = {"rows": rows, "csv": csv_path.stat().st_size, "seconds": answer["seconds"], "rss": rss,
               "triples": answer["triples"], "store": _folder_size(store)}
    if rows <= derive_max:
        derived, derive_rss = _child(_DERIVE, str(store))
        numbers.update(derive_seconds=derived["seconds"], derive_rss=derive_rss, derived=derived["derived"])
    shutil.rmtree(store, ignore_errors=True)
    return numbers


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown table of :func:`measure` results (ratios to the first row)."""
    first = results[0]
    lines = ["| rows | CSV | triples | import | rows/s | × rows/s | peak RSS | × RSS | store on disk "
             "| derive | derive peak RSS |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    base_speed = first["rows"] / first["seconds"]
    for r in results:
        speed = r["rows"] / r["seconds"]
        derive = (_seconds(r["derive_seconds"]), f"{r['derive_rss']:.0f} MiB") if "derive_seconds" in r \
            else ("not run", "not run")
        lines.append(f"| {r['rows']:,} | {_human(r['csv'])} | {r['triples']:,} | {_seconds(r['seconds'])} "
                     f"| {speed:,.0f} | {speed / base_speed:.2f} | {r['rss']:.0f} MiB | {r['rss'] / first['rss']:.2f} "
                     f"| {_human(r['store'])} | {derive[0]} | {derive[1]} |")
    return "\n".join(lines)


def _machine() -> str:
    from importlib.metadata import version

    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs, {memory} memory, {platform.system()} {platform.release()}; Python "
            f"{platform.python_version()}, pyoxigraph {version('pyoxigraph')}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="comma-separated numbers of CSV rows (default 10000,100000,1000000)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where the CSVs are generated and kept (default: a temporary folder)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where the stores are built, one at a time (default: a temporary folder)")
    parser.add_argument("--derive-max", type=int, default=100_000,
                        help="measure the derived layer up to this many rows (default 100000; 0: never)")
    parser.add_argument("--out", type=Path, default=None, help="also write the table to this file")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="transferkg-import-bench-") as scratch:
        data_dir = args.data_dir or Path(scratch) / "data"
        work_dir = args.work_dir or Path(scratch) / "work"
        data_dir.mkdir(parents=True, exist_ok=True)
        work_dir.mkdir(parents=True, exist_ok=True)
        results = []
        for rows in sizes:
            results.append(measure(rows, data_dir, work_dir, args.derive_max))
            print(f"{rows:,} rows: {results[-1]['seconds']:.1f} s, {results[-1]['rss']:.0f} MiB", file=sys.stderr)
    text = (f"- machine: {_machine()}\n- command: `python benchmarks/import_bench.py --sizes {args.sizes} "
            f"--derive-max {args.derive_max}`\n\n{table(results)}\n")
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
