"""Full SHACL validation of the curated graph: plain pySHACL (the reference) against the fast path.

    python benchmarks/shacl_bench.py --repeat 3            # medians, in one process
    python benchmarks/shacl_bench.py --cli --repeat 3      # also `transferkg validate` / `build`, whole processes

Prints a Markdown table (seconds; wall and CPU) and checks the two reports are equal.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), result


def whole_process(args: list[str], repeat: int) -> float:
    walls = []
    for _ in range(repeat):
        w = time.perf_counter()
        subprocess.run([sys.executable, "-m", "transferkg", *args], capture_output=True, check=False)
        walls.append(time.perf_counter() - w)
    return statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=None, help="project tree (default: this one)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cli", action="store_true", help="also time the commands as whole processes")
    opts = parser.parse_args()

    import transferkg
    from transferkg.rules.validate import validate_graph

    kg = transferkg.load(opts.root)
    data, shapes = kg.graph, kg.loaded.shapes
    rows = [("triples", str(len(data)), "")]
    ref_wall, ref_cpu, ref = timed(lambda: validate_graph(data, shapes, reference=True), opts.repeat)
    fast_wall, fast_cpu, fast = timed(lambda: validate_graph(data, shapes), opts.repeat)
    store_wall, store_cpu, with_store = timed(lambda: validate_graph(data, shapes, store=kg.store), opts.repeat)
    assert ref.results == fast.results == with_store.results, "the fast report differs from pySHACL's"
    rows += [("pySHACL on the shapes as written (reference)", f"{ref_wall:.2f}", f"{ref_cpu:.2f}"),
             ("fast path, temporary Oxigraph store from the graph", f"{fast_wall:.2f}", f"{fast_cpu:.2f}"),
             ("fast path, the graph's own Oxigraph store", f"{store_wall:.2f}", f"{store_cpu:.2f}")]
    if opts.cli:
        root = ["--root", opts.root] if opts.root else []
        rows.append(("`transferkg validate` (whole process)", f"{whole_process([*root, 'validate'], opts.repeat):.2f}", ""))
        with tempfile.TemporaryDirectory() as tmp:
            out = str(Path(tmp) / "build")
            rows.append(("`transferkg build` (whole process)",
                         f"{whole_process([*root, 'build', '--out', out], opts.repeat):.2f}", ""))
    print(f"{len(ref.results)} results, identical on both paths; medians of {opts.repeat}\n")
    print("| step | wall s | CPU s |\n|---|---:|---:|")
    for name, wall, cpu in rows:
        print(f"| {name} | {wall} | {cpu} |")


if __name__ == "__main__":
    main()
