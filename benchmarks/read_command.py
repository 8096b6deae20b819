"""Time a read command as a user waits for it: the whole process, median of N runs.

    python benchmarks/read_command.py                       # transferkg query agreements, 5 runs
    python benchmarks/read_command.py --runs 9 -- stats     # any command after --
    python benchmarks/read_command.py --pythonpath /tmp/before/src   # another copy of the package

The build store (``build/store/``) is brought up to date by one untimed run first,
so the timed runs measure a current store. Reports wall time and CPU time (user +
system of the child: on a busy machine wall time waits for the CPU; CPU time does not),
and which heavy libraries the command imported (``-X importtime``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("rdflib", "rdflib.plugins.sparql", "pyparsing", "pandas", "pyshacl", "networkx", "matplotlib", "yaml",
         "pycountry", "pyoxigraph")


def _env(pythonpath: str | None) -> dict[str, str]:
    path = pythonpath or str(REPO / "src")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (path, os.environ.get("PYTHONPATH")) if p)}


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one ``python -m transferkg ARGS`` (output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "transferkg", *args], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def imported(args: list[str], env: dict[str, str]) -> list[str]:
    """Which of :data:`HEAVY` the command imports."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "transferkg", *args], cwd=REPO, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    names = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    return [m for m in HEAVY if m in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pythonpath", default=None, help="Run this copy of the package (default: src/).")
    parser.add_argument("command", nargs="*", default=["query", "agreements"])
    opts = parser.parse_args()
    env = _env(opts.pythonpath)
    run_once(opts.command, env)  # brings build/store/ up to date (where the package has one)
    times = [run_once(opts.command, env) for _ in range(opts.runs)]
    walls, cpus = [w for w, _ in times], [c for _, c in times]
    print(f"transferkg {' '.join(opts.command)} ({opts.pythonpath or 'src/'}), {opts.runs} runs, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"  wall median {statistics.median(walls):.3f} s (min {min(walls):.3f}, max {max(walls):.3f})")
    print(f"  CPU  median {statistics.median(cpus):.3f} s (min {min(cpus):.3f}, max {max(cpus):.3f})")
    print(f"  heavy imports: {', '.join(imported(opts.command, env)) or 'none'}")


if __name__ == "__main__":
    main()
