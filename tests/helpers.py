"""Paths and helpers the whole suite shares, defined once (fixtures live in ``conftest.py``).

Test modules sit in folders that mirror the package (``tests/store/``, ``tests/rules/``, ...),
so none of them computes a path from its own ``__file__``: they import these constants.
"""

from __future__ import annotations

import gc
import html
import json
import os
import re
import shutil
import subprocess
import sys
import traceback
import urllib.request
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from transferkg.store.base import SelectResult

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
DATA = TESTS / "data"
SHAPE_CASES = TESTS / "shapes" / "cases"
EXPECTED = TESTS / "queries" / "expected"
INTERNAL_EXPECTED = TESTS / "queries" / "internal"

# "today" is fixed for the whole suite, so answers that depend on it (status_on_date's default day,
# how old the latest report is) are reproducible; conftest exports it, subprocesses inherit it.
TODAY = "2026-12-02"


def make_tree(root: Path, name: str, source: Path | str, *, queries: bool = False) -> Path:
    """A project tree at ``root``: the real ontology (and query library), and ``graph/<name>`` from a file or text."""
    shutil.copytree(REPO / "ontology", root / "ontology")
    if queries:
        shutil.copytree(REPO / "queries", root / "queries")
    (root / "graph").mkdir()
    if isinstance(source, Path):
        shutil.copy(source, root / "graph" / name)
    else:
        (root / "graph" / name).write_text(source, encoding="utf-8")
    return root


def run_cli(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """Run ``python -m transferkg`` in a subprocess, as a user would (exit codes, streams, imports)."""
    proc = subprocess.run([sys.executable, "-m", "transferkg", *args], capture_output=True,
                          text=True, cwd=cwd, env=package_env(), timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


# Talks to 127.0.0.1 directly, whatever proxy the environment names.
LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def package_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: this very transferkg package (whatever the folder), plus ``extra``."""
    import transferkg

    package_root = str(Path(transferkg.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def invoke(*args: str | Path) -> Result:
    """Run the CLI in-process; an exception that escaped the error handler fails the test with its traceback."""
    from transferkg.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args])
    gc.collect()  # a store held by a reference cycle stays locked until collected; a real run has exited
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("".join(traceback.format_exception(result.exception)))
    assert "Traceback" not in result.output  # click >= 8.2: stdout and stderr, interleaved
    return result


def run_in_process(*args: str | Path) -> tuple[int, str, str]:
    """Like :func:`run_cli` (exit code, stdout, stderr), but in this process: no interpreter start-up."""
    result = invoke(*args)
    return result.exit_code, result.stdout, result.stderr


# --------------------------------------------------------------------------- headless chromium


def chromium() -> str:
    """Debian's chromium; skips the test where it is missing, fails it in CI (which installs it)."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    message = "Debian's chromium is not installed (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


_OFFLINE = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync", "--proxy-server=http://127.0.0.1:9"]


def dump_dom(page: str | Path, profile: Path, *, budget_ms: int = 8000, server: bool = False) -> str:
    """The DOM after ``page`` (a URL or a file) ran, from headless chromium with the network cut off.

    ``server``: the page comes from a server on 127.0.0.1, which stays reachable; otherwise only loopback.
    """
    url = page.resolve().as_uri() if isinstance(page, Path) else page
    if server:
        network = ["--disable-default-apps", "--proxy-bypass-list=127.0.0.1",
                   "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
    else:
        network = ["--disable-extensions", "--proxy-bypass-list=<-loopback>", "--host-resolver-rules=MAP * ~NOTFOUND"]
    command = [chromium(), *_OFFLINE, f"--user-data-dir={profile}", *network,
               f"--virtual-time-budget={budget_ms}", "--dump-dom", url]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def pre(dom: str, element_id: str) -> Any:
    """The JSON a test page wrote into ``<pre id=element_id>``."""
    match = re.search(rf'<pre id="{element_id}"[^>]*>(.*?)</pre>', dom, re.S)
    assert match, f"no #{element_id} in the page: {dom[-1500:]}"
    return json.loads(html.unescape(match.group(1)))


class QuietHandler(BaseHTTPRequestHandler):
    """A test endpoint's request handler: no request log, and one way to answer."""

    def log_message(self, *args: Any) -> None:
        pass

    def answer(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        """Send ``code`` with ``headers`` and ``body``; a client that hung up is no error here."""
        try:
            self.send_response(code)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass


# --- comparing rows from other engines (SPARQL JSON results) with the embedded backend's -----------


def norm(term: Node | None) -> tuple[str, str]:
    """A term as a comparable key: numbers by value, xsd:string as plain, blank nodes anonymous."""
    if term is None:
        return ("", "")
    if isinstance(term, BNode):
        return ("b", "")
    if isinstance(term, URIRef):
        return ("u", str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ("l", f"{term}@{term.language.lower()}")
    datatype = term.datatype or XSD.string
    if datatype in (XSD.integer, XSD.decimal, XSD.int, XSD.long, XSD.double, XSD.float):
        try:
            return ("n", str(Decimal(str(term)).normalize()))
        except ArithmeticError:
            pass
    if datatype == XSD.boolean:
        return ("t", str(str(term).strip() in ("true", "1")))
    return ("l", f"{term}^^{'' if datatype == XSD.string else datatype}")


def from_json(data: dict[str, Any]) -> SelectResult:
    names = list(data["head"]["vars"])
    rows = []
    for binding in data["results"]["bindings"]:
        row: list[Node | None] = []
        for name in names:
            cell = binding.get(name)
            if cell is None:
                row.append(None)
            elif cell["type"] == "uri":
                row.append(URIRef(cell["value"]))
            elif cell["type"] == "bnode":
                row.append(BNode(cell["value"]))
            else:
                row.append(Literal(cell["value"], lang=cell.get("xml:lang"),
                                   datatype=None if cell.get("xml:lang") else cell.get("datatype")))
        rows.append(tuple(row))
    return SelectResult(vars=names, rows=rows)


def multiset(result: SelectResult) -> tuple[list[str], list[tuple[tuple[str, str], ...]]]:
    return list(result.vars), sorted(tuple(norm(t) for t in row) for row in result.rows)


# Library queries run with explicit parameters by the tests of other engines (Comunica, Virtuoso);
# with their defaults every query runs there too.
PARAM_CASES: list[tuple[str, dict[str, str]]] = [
    ("agreements", {"host": "XK"}),
    ("agreements", {"sender": "US", "host": "XK,SV"}),
    ("claims_about", {"subject": "agreement-US-XK-2025-06", "property": "tct:capacity"}),
    ("current_status", {"status": "in-force"}),
    ("status_on_date", {"day": "2025-06-30"}),
    ("status_on_date", {"day": "2025-06-30", "operative": "true"}),
    ("status_timeline", {"agreement": "agreement-US-GH-2025"}),
    ("transfers", {"host": "SZ"}),
    ("transfers", {"host": "NG"}),
    ("totals", {"sender": "US"}),
    ("totals", {"host": "SV"}),
]
