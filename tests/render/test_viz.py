"""The interactive HTML (self-contained, escaped, drawn by a real headless Chromium) and the figures."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

import transferkg
from tests.helpers import dump_dom, pre
from transferkg import views
from transferkg.app.kg import KnowledgeGraph
from transferkg.render.figures import network_figure, plot_network
from transferkg.render.page import render_html, write_html
from transferkg.render.timeline import plot_timeline, timeline_figure, timeline_rows

PAYLOAD_LABEL = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
PAYLOAD_TITLE = '<img src=x onerror="window.__xss=3">'


@pytest.fixture()
def hostile(tree: Path) -> nx.MultiDiGraph:
    """The mini tree with markup in an agreement's label and a source's title."""
    path = tree / "graph" / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('label: "Test agreement"', f"label: '{PAYLOAD_LABEL}'")
    text = text.replace('title: "Test article"', f"title: '{PAYLOAD_TITLE}'")
    path.write_text(text, encoding="utf-8")
    graph = views.deal_network(transferkg.load(tree))
    assert graph.edges["id:state-US", "id:state-XK", "id:agreement-AA-BB-2025"]["label"] == PAYLOAD_LABEL
    return graph


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def _data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="tkg-data">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


# --------------------------------------------------------------------------- the page, statically


def test_page_is_self_contained(deals: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = write_html(deals, tmp_path / "deals.html")
    page = path.read_bytes().decode("utf-8")
    tags = _tags(page)
    for tag, attrs in tags:
        if tag in ("script", "link"):
            for name in ("src", "href"):
                assert not re.match(r"\s*(https?:)?//", attrs.get(name) or ""), (tag, attrs)
    assert not [t for t, a in tags if t == "script" and a.get("src")]
    assert not [t for t, a in tags if t in ("link", "iframe", "img", "object", "embed")]
    assert '<meta charset="utf-8">' in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "bootstrap" not in page.lower() and "sourceMappingURL" not in page
    assert "vis-network" in page and "window.network = network" in page
    assert "US–Kosovo third-country deportation arrangement (2025)" in page
    data = _data(page)
    assert len(data["nodes"]) == deals.number_of_nodes() and len(data["edges"]) == deals.number_of_edges()
    assert data["options"]["edges"]["arrows"]["to"]["enabled"] is True
    assert data["options"]["physics"]["stabilization"]["enabled"] is True
    legend = page[page.index("<h2>Legend</h2>"):]
    assert "host" in legend and "sender" in legend and "blocked-by-court" in legend
    edge = next(e for e in data["edges"] if e["tkg"]["key"] == "id:agreement-US-XK-2025-06")
    assert any("cbsnews.com" in url for url, _ in edge["tkg"]["links"])
    assert edge["tkg"]["f"]["status"] and edge["tkg"]["f"]["early"] == "2025-06-01"
    widths = {e["tkg"]["key"]: e["width"] for e in data["edges"]}
    assert widths["id:agreement-US-MX-2025-01"] > widths["id:agreement-US-XK-2025-06"] >= 1


def test_data_text_is_escaped_and_links_are_http_only(hostile: nx.MultiDiGraph) -> None:
    key = ("id:state-US", "id:state-XK", "id:agreement-AA-BB-2025")
    hostile.edges[key]["source_urls"] = ["javascript:alert(1)", "https://example.org/test-1"]
    hostile.edges[key]["source_titles"] = ["bad", PAYLOAD_TITLE]
    page = render_html(hostile, title="<b>title</b>")
    assert PAYLOAD_LABEL not in page and PAYLOAD_TITLE not in page and "<b>title</b>" not in page
    assert "<script>window.__xss" not in page and "<img src=x" not in page
    assert "\\u003cscript\\u003ewindow.__xss=1\\u003c/script\\u003e" in page
    assert html.escape(PAYLOAD_LABEL) in page  # in the table of edges
    assert "&lt;b&gt;title&lt;/b&gt;" in page
    assert "javascript:alert" not in page
    edge = _data(page)["edges"][0]
    assert edge["tkg"]["links"] == [["https://example.org/test-1", PAYLOAD_TITLE]]


def test_size_guard_merges_and_caps_and_says_so() -> None:
    graph = nx.MultiDiGraph(name="big")
    for i in range(40):
        graph.add_node(f"n{i}", label=f"node {i}", role="host" if i else "sender")
    for i in range(1, 40):
        for k in range(i % 5 + 1):
            graph.add_edge("n0", f"n{i}", key=f"e{i}-{k}", people=k, status="signed")
    page = render_html(graph, max_nodes=1000, max_edges=60)
    data = _data(page)
    assert len(data["edges"]) == 39 < graph.number_of_edges()
    assert "parallel edges between the same two nodes were merged" in page
    merged = next(e for e in data["edges"] if e["tkg"]["key"] == "n0→n4")
    assert dict(merged["tkg"]["info"])["merged edges"] == "5"
    page = render_html(graph, max_nodes=10, max_edges=60)
    data = _data(page)
    assert len(data["nodes"]) == 10 and len(data["edges"]) == 9
    assert "Showing the 10 most connected of 40 nodes" in page


# --------------------------------------------------------------------------- figures


def test_png_and_svg_have_the_expected_size(deals: nx.MultiDiGraph, tmp_path: Path) -> None:
    from matplotlib.image import imread

    png = plot_network(deals, tmp_path / "deals.png", figsize=(8, 5), dpi=100)
    assert png.stat().st_size > 10_000
    assert imread(png).shape[:2] == (500, 800)
    svg = plot_network(deals, tmp_path / "deals.svg", figsize=(8, 5))
    head = svg.read_text(encoding="utf-8")[:2000]
    assert re.search(r'<svg[^>]*width="576pt"[^>]*height="360pt"', head)
    assert "Kosovo" in svg.read_text(encoding="utf-8") or svg.stat().st_size > 50_000
    with pytest.raises(transferkg.BadParameter):
        plot_network(deals, tmp_path / "deals.pdf")


def test_timeline_draws_month_precise_dates_as_spans(kg: KnowledgeGraph, tmp_path: Path) -> None:
    from matplotlib.collections import PolyCollection
    from matplotlib.image import imread

    rows = timeline_rows(kg, sender="US", since="2025-06", until="2025-06")
    signed = [r for r in rows if r["row_key"] == "id:agreement-US-XK-2025-06" and r["status"] == "signed"]
    assert signed and signed[0]["precision"] == "month"
    assert (signed[0]["earliest"].isoformat(), signed[0]["latest"].isoformat()) == ("2025-06-01", "2025-06-30")
    announced = [r for r in rows if r["row_key"] == "id:agreement-US-XK-2025-06" and r["status"] == "announced"]
    assert announced and announced[0]["precision"] == "day"
    figure = timeline_figure(kg, sender="US", since="2025-06", until="2025-06")
    spans = [c for c in figure.axes[0].collections if isinstance(c, PolyCollection)]
    months = sum(1 for r in rows if r["precision"] != "day")
    assert len(spans) == months > 0
    width = spans[0].get_paths()[0].get_extents().width
    assert 27 <= width <= 31 or width >= 365  # a month (or a year) in days
    png = plot_timeline(kg, tmp_path / "timeline.png", figsize=(9, 6), dpi=80)
    assert imread(png).shape[:2] == (480, 720)
    svg = plot_timeline(kg, tmp_path / "timeline.svg", figsize=(9, 6))
    assert re.search(r'<svg[^>]*width="648pt"[^>]*height="432pt"', svg.read_text(encoding="utf-8")[:2000])


def _label_boxes(figure) -> list:  # type: ignore[no-untyped-def]
    renderer = figure.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer=renderer)) for t in figure.axes[0].texts if t.get_text()]


@pytest.mark.parametrize("view", ["deal-network", "bipartite", "nationality-flows", "provenance"])
def test_figures_label_every_node_and_no_label_covers_another(kg: KnowledgeGraph, view: str) -> None:
    graph = {"deal-network": lambda: views.deal_network(kg),
             "bipartite": lambda: views.state_agreement_bipartite(kg),
             "nationality-flows": lambda: views.nationality_flows(kg),
             "provenance": lambda: views.provenance(kg, subject="agreement-US-XK-2025-06")}[view]()
    figure = network_figure(graph)
    boxes = _label_boxes(figure)
    assert len(boxes) >= graph.number_of_nodes()  # every node has its name (a state in two roles twice)
    width, height = figure.bbox.width, figure.bbox.height
    for text, box in boxes:  # inside the picture
        assert box.x0 >= -1 and box.y0 >= -1 and box.x1 <= width + 1 and box.y1 <= height + 1, text
    overlapping = [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
                   if box_a.shrunk(0.98, 0.9).overlaps(box_b.shrunk(0.98, 0.9))]
    assert not overlapping, overlapping[:5]


def test_clicking_a_state_tells_its_agreements_and_people_by_kind(deals: nx.MultiDiGraph) -> None:
    kosovo = deals.nodes["id:state-XK"]
    assert kosovo["agreements_as_host"] == 4 and kosovo["agreements_as_sender"] == 0
    received = kosovo["people_received_by_kind"]
    assert "evacuation or resettlement: 1,900 people (1 agreement)" in received
    assert "third-country deportation: " in received and "3,000" not in received
    page = render_html(deals)
    info = next(n for n in _data(page)["nodes"] if n["tkg"]["key"] == "id:state-XK")["tkg"]["info"]
    assert ["people received by kind", received] in info


# --------------------------------------------------------------------------- in a real browser


_AFTER_STABILIZING = """
<script>
(function () {
  function stabilized() {
    var s = document.getElementById("tkg-status").textContent;
    return s && JSON.parse(s).stabilized;
  }
  function record(id) {
    var pre = document.createElement("pre");
    pre.id = id;
    pre.textContent = JSON.stringify({nodes: window.network.body.nodeIndices.length,
                                      edges: window.network.body.edgeIndices.length});
    document.body.appendChild(pre);
  }
  function run() {
    if (!stabilized()) { setTimeout(run, 50); return; }
    %s
  }
  setTimeout(run, 50);
})();
</script>
"""

_FILTER = _AFTER_STABILIZING % """
    record("initial");
    var form = document.getElementById("tkg-filters");
    var select = form.elements.sender;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].text.indexOf("(id:state-US)") >= 0) { select.value = select.options[i].value; }
    }
    form.dispatchEvent(new Event("change"));
    record("after-sender");
    select.value = "";
    form.elements.since.value = "2025-06-01";
    form.elements.until.value = "2025-06-30";
    form.elements.undated.checked = false;
    form.dispatchEvent(new Event("change"));
    record("after-dates");
"""

_PROBE = _AFTER_STABILIZING % """
    window.network.emit("click", {nodes: [], edges: ["e0"]});
    setTimeout(function () { document.body.setAttribute("data-xss", String(window.__xss)); }, 300);
"""


def _with(page: str, script: str) -> str:
    return page.replace("</body>", script + "</body>")


@pytest.mark.browser
def test_browser_draws_the_network_offline(kg: KnowledgeGraph, deals: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "deals.html"
    path.write_text(_with(render_html(deals), _FILTER), encoding="utf-8")
    dom = dump_dom(path, tmp_path / "profile")
    status = pre(dom, "tkg-status")
    assert status["errors"] == []
    assert status["stabilized"] is True
    assert pre(dom, "initial") == {"nodes": deals.number_of_nodes(), "edges": deals.number_of_edges()}
    us = views.deal_network(kg, sender="US")
    assert pre(dom, "after-sender") == {"nodes": us.number_of_nodes(), "edges": us.number_of_edges()}
    june = views.deal_network(kg, since="2025-06-01", until="2025-06-30")
    assert pre(dom, "after-dates") == {"nodes": june.number_of_nodes(), "edges": june.number_of_edges()}


@pytest.mark.browser
def test_browser_does_not_run_markup_from_the_data(hostile: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(_with(render_html(hostile), _PROBE), encoding="utf-8")
    dom = dump_dom(path, tmp_path / "profile")
    status = pre(dom, "tkg-status")
    assert status["errors"] == [] and (status["nodes"], status["edges"]) == (2, 1)
    assert 'data-xss="undefined"' in dom
    details = dom[dom.index('id="tkg-details"'):]
    assert html.escape(PAYLOAD_LABEL, quote=False) in details  # shown as text in the clicked edge's details
    assert html.escape(PAYLOAD_TITLE, quote=False) in details  # the source link's text
    assert '<a href="https://example.org/test-1"' in details


@pytest.mark.browser
def test_a_link_to_a_state_opens_its_details(deals: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "deals.html"
    path.write_text(render_html(deals), encoding="utf-8")
    command_page = Path(str(path))
    dom = dump_dom(command_page.resolve().as_uri() + "#Kosovo", tmp_path / "profile")
    details = dom[dom.index('id="tkg-details"'):]
    assert "Kosovo" in details and "people received by kind" in details
    assert "evacuation or resettlement: 1,900 people" in details
