"""The tracker site (`transferkg site`): links resolve, nothing loads from the network, data is text, figures match."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from tests.helpers import REPO, invoke
from transferkg.app import site as site_module
from transferkg.app.site import build_site
from transferkg.cli import main
from transferkg.core.errors import OutputError


@pytest.fixture(scope="module")
def site(kg, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(kg, out)
    return out


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.loads: list[str] = []  # every attribute that would make the browser fetch something
        self.csp: str | None = None
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in: str | None = None
        self._type: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        for name in ("src", "srcset", "data", "poster", "action", "formaction", "background"):
            if a.get(name):
                self.loads.append(f"{tag} {name}={a[name]}")
        if tag == "link":
            self.loads.append(f"link href={a.get('href')}")
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = a.get("content")
        if tag in ("script", "style"):
            self._in, self._type = tag, a.get("type")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script" and self._type is None:
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)


def _parse(path: Path) -> _Page:
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def test_the_site_has_a_page_per_agreement_state_and_source(site: Path, kg) -> None:
    agreements = kg.result("agreements")
    assert len(list((site / "agreements").glob("*.html"))) == len(agreements)
    assert (site / "states" / "state-XK.html").is_file()
    assert len(list((site / "sources").glob("*.html"))) > 100
    for name in ("index.html", "states.html", "sources.html", "search.html", "queries.html", "downloads.html"):
        assert (site / name).is_file()
    assert (site / "index.html").stat().st_size < 1_000_000  # the page-weight budget, map included


def test_every_internal_link_resolves_to_a_file_of_the_site(site: Path) -> None:
    broken = []
    pages = sorted(site.rglob("*.html"))
    for path in pages:
        for href in _parse(path).links:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https"):
                continue
            assert not parts.scheme and not parts.netloc and not href.startswith("/"), f"{path.name}: {href}"
            if not parts.path and parts.fragment:  # a place on the same page: its id must be there
                if f'id="{parts.fragment}"' not in path.read_text(encoding="utf-8"):
                    broken.append(f"{path.relative_to(site)} → {href}")
                continue
            if not (path.parent / parts.path).resolve().is_file():
                broken.append(f"{path.relative_to(site)} → {href}")
    assert not broken, broken[:10]
    index = json.loads(re.search(r'<script type="application/json" id="search-index">(.*?)</script>',
                                 (site / "search.html").read_text(encoding="utf-8"), re.S).group(1))
    assert {i["kind"] for i in index} == {"agreement", "state", "source", "query"}
    assert all((site / i["href"]).is_file() for i in index)


def test_no_page_loads_anything_and_each_allows_only_its_own_inline_code(site: Path) -> None:
    for path in sorted(site.rglob("*.html")):
        page = _parse(path)
        assert not page.loads, f"{path.name}: {page.loads}"
        text = path.read_text(encoding="utf-8")
        # an address is a link, except in code (a query's SPARQL text, an ontology's namespace)
        prose = re.sub(r"<pre\b.*?</pre>|<code>.*?</code>", "", text, flags=re.S)
        outside = [u for u in re.findall(r"https?://[^\s\"'<>]+", prose)]
        hrefs = {h for h in page.links if h.startswith(("http://", "https://"))}
        assert all(html_unescape(u) in hrefs for u in outside), f"{path.name}: an address outside a link"
        assert page.csp and "default-src 'none'" in page.csp and "connect-src 'none'" in page.csp
        assert all(_sha(s) in page.csp for s in page.scripts + page.styles), path.name
        assert "unsafe-inline" not in page.csp and "url(" not in "".join(page.styles)


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_the_headline_figures_are_the_totals_by_kind_never_mixed(site: Path, kg) -> None:
    from transferkg.query.results import readable

    home = (site / "index.html").read_text(encoding="utf-8")
    per_kind: dict[str, dict[str, int]] = {}
    for row in kg.result("totals").dicts():
        k = per_kind.setdefault(str(readable(row["kindLabel"])), {"recorded": 0, "reported": 0})
        k["recorded"] += int(readable(row["recorded"]) or 0)
        k["reported"] += int(readable(row["reported"]) or 0)
    figures = site_module.headline(site_module._Data(kg))
    for kind in figures["kinds"].values():
        assert kind["recorded"] == per_kind[kind["label"]]["recorded"]
        assert kind["reported"] == per_kind[kind["label"]]["reported"]
    deportation = per_kind["third-country deportation"]
    assert f"{deportation['recorded']:,} people in" in home
    assert f"Latest reported totals: {deportation['reported']:,} over" in home
    assert f"{len(kg.result('agreements'))} agreements</h3>" in home
    assert home.count('<tr data-status=') == len(kg.result("agreements"))


def test_an_agreement_page_shows_status_transfers_disagreements_and_every_claim(site: Path, kg) -> None:
    page = (site / "agreements" / "agreement-US-XK-2025-06.html").read_text(encoding="utf-8")
    claims = kg.result("claims_about", {"subject": "agreement-US-XK-2025-06"})
    assert f"Every claim ({len(claims)})" in page and page.count('<div class="claim">') == len(claims)
    assert '<span class="nw">2025-06</span>' in page  # the signing month, at its precision
    assert "withheld" in page and "up to 50 people" in page and '<div class="pair">' in page
    assert 'href="../states/state-XK.html"' in page and 'href="../sources/' in page


HOSTILE = '<img src=x onerror="alert(1)"> __TITLE__ {body} </script><b>bold</b> & "q" \'s'


def test_a_hostile_label_is_text_on_every_page(tree: Path, tmp_path: Path) -> None:
    path = tree / "graph" / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'label: "Test agreement"' in text
    path.write_text(text.replace('label: "Test agreement"', f"label: {json.dumps(HOSTILE)}"), encoding="utf-8")
    if not (tree / "queries").exists():
        shutil.copytree(REPO / "queries", tree / "queries")
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["--root", str(tree), "site", "--out", str(out)])
    assert result.exit_code == 0, result.output + result.stderr
    seen = 0
    for page in out.rglob("*.html"):
        content = page.read_text(encoding="utf-8")
        assert "<img" not in content and "<b>bold" not in content and "onerror=\"" not in content
        seen += "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; __TITLE__ {body}" in content
    assert seen >= 2  # the home page and the agreement's own page at least
    index = (out / "search.html").read_text(encoding="utf-8")
    assert "\\u003cimg" in index and index.count("</script>") == 2


def test_a_failed_build_keeps_the_previous_site(kg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("previous", encoding="utf-8")
    # "a" is written as a file after a/ was made a folder for a/x.html: the write fails
    monkeypatch.setattr(site_module, "_pages", lambda kg: {"index.html": "new", "a/x.html": "x", "a": "y"})
    with pytest.raises(OutputError, match="previous site is unchanged"):
        build_site(kg, out)
    assert (out / "index.html").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary folder left behind


def test_a_missing_parent_folder_is_refused_before_the_graph_loads(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(REPO), "site", "--out", str(tmp_path / "no" / "site")])
    assert result.exit_code == 2 and "does not exist" in result.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium")
def test_the_scripts_run_under_the_policy_in_a_browser(site: Path, kg) -> None:
    def dom(url: str) -> str:
        return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url],
                              capture_output=True, text=True, timeout=90).stdout

    n = len(kg.result("agreements"))
    home = dom((site / "index.html").as_uri())
    assert f"{n} of {n} agreements shown" in home
    # the map is drawn: its shapes, and one arrow per pair of states its table lists
    drawn = home[home.index('<figure class="map">'):home.index("</figure>")]
    assert drawn.count("<path") > 150
    pairs = home[home.index("<summary>The same pairs as a table</summary>"):].split("</table>", 1)[0].count("<tr>") - 1
    assert pairs > 20 and drawn.count("marker-end=") == pairs
    found = dom((site / "search.html").as_uri() + "?q=kosovo")
    assert 'href="states/state-XK.html"' in found and " found" in found


def test_latest_changes_against_an_earlier_build_on_the_home_page(tmp_path: Path) -> None:
    """``site --since`` a build folder: the home page says what changed, status changes first, linked."""
    import transferkg
    from tests.helpers import DATA, make_tree
    from transferkg.app.diff import diff, open_snapshot, snapshot_of

    tree = make_tree(tmp_path / "tree", "mini.yaml", DATA / "mini" / "mini.yaml", queries=True)
    assert invoke("--root", tree, "build", "--out", tmp_path / "before").exit_code == 0
    mini = tree / "graph" / "mini.yaml"
    mini.write_text(mini.read_text(encoding="utf-8").replace('quote: "up to 50"', 'quote: "up to 50 people"'),
                    encoding="utf-8")
    kg = transferkg.load(tree)
    changes = diff(open_snapshot(str(tmp_path / "before"), tree), snapshot_of(kg))
    build_site(kg, tmp_path / "site", changes=changes)
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    section = home[home.index("<h2>Latest changes since "):home.index("<h2>Who sends people where</h2>")]
    assert "claims changed: <strong>1</strong>" in section
    assert '<a href="agreements/agreement-AA-BB-2025.html">Test agreement</a>' in section
    assert "1 claim changed" in section
    assert (tmp_path / "site" / "agreements" / "agreement-AA-BB-2025.html").is_file()
    result = invoke("--root", tree, "site", "--out", tmp_path / "site2", "--since", tmp_path / "nothing-here")
    assert result.exit_code == 2 and "neither a build folder nor a git revision" in result.output


@pytest.mark.slow
def test_the_same_graph_gives_the_same_bytes(kg, tmp_path: Path) -> None:
    """Deterministic output, so the site can live in git: a second load (new blank-node labels from
    every parse) gives byte-identical files, the RDF downloads included."""
    import transferkg

    build_site(kg, tmp_path / "one")
    build_site(transferkg.load(REPO), tmp_path / "two")
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("*") if p.is_file()}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two").rglob("*") if p.is_file()}
    assert sorted(one) == sorted(two)
    assert [str(name) for name in sorted(one) if one[name] != two[name]] == []


def test_every_page_is_valid_html(site: Path) -> None:
    """Parsed by html5lib, the HTML5 parsing algorithm: no parse error on any page (doctype, nesting,
    attributes, character references)."""
    import html5lib

    invalid = []
    pages = sorted(site.rglob("*.html"))
    for page in pages:
        parser = html5lib.HTMLParser(strict=False)
        parser.parse(page.read_text(encoding="utf-8"))
        if parser.errors:
            invalid.append(f"{page.relative_to(site)}: {parser.errors[:2]}")
    assert len(pages) > 450 and not invalid, invalid[:5]
