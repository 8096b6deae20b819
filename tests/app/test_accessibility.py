"""axe-core in headless Chromium: no serious or critical accessibility violation on the site's page types.

axe-core (npm, pinned in ``.ci/run``, installed into ``.ci/node``; elsewhere point
``$TRANSFERKG_NODE`` or ``$TRANSFERKG_COMUNICA`` at the folder holding its ``node_modules``)
runs inside a copy of each page: the copy drops the page's Content-Security-Policy (which
rightly refuses any script but the page's own) and loads ``axe.min.js`` from beside it, then
writes axe's violations into the page, which Chromium's ``--dump-dom`` returns. Checked:
the home page (with the map), an agreement, a state, a source, the queries index and a
query page — each at desktop and phone width.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO
from transferkg.app.kg import KnowledgeGraph
from transferkg.app.site import build_site

pytestmark = [pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
RUNNER = """<script src="{up}axe.min.js"></script><script>
axe.run(document, {{resultTypes: ["violations"]}}).then(function (r) {{
  var out = document.createElement("pre"); out.id = "axe-result";
  out.textContent = JSON.stringify(r.violations.map(function (v) {{
    return {{id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) {{ return n.target; }})}};
  }}));
  document.body.appendChild(out);
}});
</script>"""


def axe_script() -> Path | None:
    for folder in (os.environ.get("TRANSFERKG_NODE"), os.environ.get("TRANSFERKG_COMUNICA"), str(REPO / ".ci" / "node")):
        if folder and (Path(folder) / "node_modules" / "axe-core" / "axe.min.js").is_file():
            return Path(folder) / "node_modules" / "axe-core" / "axe.min.js"
    return None


@pytest.fixture(scope="module")
def site(kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if CHROMIUM is None or axe_script() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium or axe-core is missing: .ci/run installs both")
        pytest.skip("needs Debian's chromium and axe-core (npm install --prefix .ci/node axe-core)")
    out = tmp_path_factory.mktemp("a11y") / "site"
    build_site(kg, out)
    shutil.copy(axe_script(), out / "axe.min.js")  # type: ignore[arg-type]
    return out


def pages(site: Path) -> list[str]:
    first = {folder: sorted((site / folder).glob("*.html"))[0].relative_to(site).as_posix()
             for folder in ("agreements", "states", "sources", "queries")}
    return ["index.html", "agreements/agreement-US-XK-2025-06.html", "states/state-XK.html", "states/state-US.html",
            first["sources"],
            "queries.html", first["queries"]]


def violations(site: Path, name: str, width: int) -> list[dict]:
    page = site / name
    text = page.read_text(encoding="utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    up = "../" * name.count("/")
    copy = page.with_name(f"axe-{width}-{page.name}")
    copy.write_text(text.replace("</body>", RUNNER.format(up=up) + "</body>"), encoding="utf-8")
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--window-size={width},900",
                           "--virtual-time-budget=20000", "--dump-dom", copy.as_uri()],
                          capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="axe-result">(.*?)</pre>', done.stdout, re.S)
    assert found, f"axe did not run on {name}: {done.stderr[-500:]}"
    return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]


@pytest.mark.parametrize("width", [1280, 390])
def test_no_serious_or_critical_violation(site: Path, width: int) -> None:
    problems = []
    for name in pages(site):
        for v in violations(site, name, width):
            if v["impact"] in ("serious", "critical"):
                problems.append(f"{name} @{width}px: {v['id']} ({v['impact']}): {v['help']} {v['nodes']}")
    assert not problems, "\n".join(problems)
