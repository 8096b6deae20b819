"""Write the reviewed answers: ``tests/queries/expected/<query>.csv`` for every query of
``queries/`` and ``tests/queries/internal/<layer>/<name>.<csv|nt|txt>`` for every internal
query ``src/transferkg/<layer>/sparql/<name>.rq``.

Run by hand after a deliberate change to a query or to the curated data, then
review the diff row by row (see README.md next to this file)::

    PYTHONPATH=src python tests/queries/regenerate.py                      # every query
    PYTHONPATH=src python tests/queries/regenerate.py agreements rules/claim_dates  # only these

A full run also removes the answers of queries that no longer exist.

It is not a test module and pytest never runs it.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
EXPECTED = HERE / "expected"
INTERNAL = HERE / "internal"


def expected_csv(kg: object, name: str) -> str:
    """The CSV of library query ``name`` run with its defaults, as the tests compare it."""
    from transferkg.query.results import format_result

    return format_result(kg.run_result(name), "csv")  # type: ignore[attr-defined]


def write_internal(kg: object, keys: list[str] | None, failed: list[str]) -> list[str]:
    """(Re)write the answers of the internal queries ``keys`` (all when None); the keys unknown.

    A query that fails (a bad header, a syntax error) is named and added to ``failed``;
    the others are written, and stale answers are removed only when none failed.
    """
    from transferkg.query.internal import internal_queries, run_internal

    queries = {q.key: q for q in internal_queries()}
    unknown = sorted(set(keys or []) - set(queries))
    if unknown:
        return unknown
    known: set[str] = set()
    for key in keys if keys is not None else sorted(queries):
        query = queries[key]
        try:
            text = run_internal(kg.store, query)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - name the broken file, write the others
            print(f"{key}: FAILED, nothing written: {exc}", file=sys.stderr)
            failed.append(key)
            continue
        target = INTERNAL / f"{key}.{query.suffix}"
        known.add(f"{key}.{query.suffix}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="")
        print(f"{key}: {text.count(chr(10)) - (query.suffix == 'csv')} {'rows' if query.suffix == 'csv' else 'lines'}")
    if keys is None and not failed:
        for stale in sorted(p for p in INTERNAL.rglob("*") if p.is_file()):
            if stale.relative_to(INTERNAL).as_posix() not in known:
                stale.unlink()
                print(f"removed internal/{stale.relative_to(INTERNAL).as_posix()} (no such internal query)")
        for folder in sorted((p for p in INTERNAL.rglob("*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
    return []


def main(argv: list[str]) -> int:
    import os

    os.environ.setdefault("TRANSFERKG_TODAY", "2026-12-02")  # as tests/conftest.py: answers that depend on "today"
    sys.path.insert(0, str(REPO / "src"))
    import transferkg

    kg = transferkg.load(REPO)
    known = kg.queries.names()
    internal = [a for a in argv if "/" in a]
    names = [a for a in argv if "/" not in a] if argv else known
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
    if not argv or internal:
        failed: list[str] = []
        unknown = write_internal(kg, internal or None, failed)
        if unknown:
            print(f"unknown internal queries: {', '.join(unknown)} (give them as <layer>/<name>)", file=sys.stderr)
            return 2
        if failed:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
