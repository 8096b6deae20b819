"""Write ``tests/queries/expected/<query>.csv`` for every query of ``queries/``.

Run by hand after a deliberate change to a query or to the curated data, then
review the diff row by row (see README.md next to this file)::

    PYTHONPATH=src python tests/queries/regenerate.py            # every query
    PYTHONPATH=src python tests/queries/regenerate.py agreements  # only these

It is not a test module and pytest never runs it.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
EXPECTED = HERE / "expected"


def expected_csv(kg: object, name: str) -> str:
    """The CSV of library query ``name`` run with its defaults, as the tests compare it."""
    from transferkg.query.results import format_result

    return format_result(kg.run_result(name), "csv")  # type: ignore[attr-defined]


def main(argv: list[str]) -> int:
    import os

    os.environ.setdefault("TRANSFERKG_TODAY", "2026-12-02")  # as tests/conftest.py: answers that depend on "today"
    sys.path.insert(0, str(REPO / "src"))
    import transferkg

    kg = transferkg.load(REPO)
    known = kg.queries.names()
    names = argv or known
    unknown = sorted(set(names) - set(known))
    if unknown:
        print(f"unknown queries: {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    EXPECTED.mkdir(parents=True, exist_ok=True)
    for name in names:
        text = expected_csv(kg, name)
        (EXPECTED / f"{name}.csv").write_text(text, encoding="utf-8", newline="")
        print(f"{name}: {text.count(chr(10)) - 1} rows")
    if not argv:
        for stale in sorted(EXPECTED.glob("*.csv")):
            if stale.stem not in known:
                stale.unlink()
                print(f"removed {stale.name} (no such query)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
