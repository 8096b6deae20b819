"""axe-core in headless Chromium: no serious or critical accessibility violation on the site's page types.

axe-core (npm, pinned in ``.ci/run``, installed into ``.ci/node``; elsewhere point
``$TRANSFERKG_NODE`` or ``$TRANSFERKG_COMUNICA`` at the folder holding its ``node_modules``)
is evaluated in each page by one Chromium over the DevTools pipe (``tests/browser.py``):
the page itself is opened from disk, its Content-Security-Policy (which rightly refuses
any script but the page's own) bypassed for the tab only. Checked: the home page (with
the map), an agreement, two states, a source, the queries index and a query page — each
at desktop width and at a phone's (390 px, mobile viewport).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.browser import Browser, new_page, open_page
from tests.helpers import REPO
from transferkg.app.kg import KnowledgeGraph
from transferkg.app.site import build_site

pytestmark = [pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
RUN_AXE = """axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
  return r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) { return n.target; })};
  });
})"""


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
    return out


def pages(site: Path) -> list[str]:
    first = {folder: sorted((site / folder).glob("*.html"))[0].relative_to(site).as_posix()
             for folder in ("agreements", "states", "sources", "queries")}
    return ["index.html", "agreements/agreement-US-XK-2025-06.html", "states/state-XK.html", "states/state-US.html",
            first["sources"], "queries.html", first["queries"]]


def violations(browser: Browser, session: str, page: Path, axe: str) -> list[dict[str, Any]]:
    """axe-core's violations on ``page``, evaluated in the page (its policy bypassed for this tab)."""
    open_page(browser, session, page)
    browser.send("Runtime.evaluate", {"expression": axe}, session=session)
    reply = browser.send("Runtime.evaluate", {"expression": RUN_AXE, "awaitPromise": True, "returnByValue": True},
                         session=session)
    assert "exceptionDetails" not in reply, f"axe did not run on {page}: {reply['exceptionDetails']}"
    return reply["result"]["value"]  # type: ignore[no-any-return]


def test_no_serious_or_critical_violation_at_desktop_and_phone_width(site: Path) -> None:
    assert CHROMIUM is not None
    axe = axe_script().read_text(encoding="utf-8")  # type: ignore[union-attr]
    browser = Browser(CHROMIUM)
    problems = []
    checked = 0
    try:
        session = new_page(browser)
        browser.send("Page.setBypassCSP", {"enabled": True}, session=session)
        for width in (1280, 390):
            browser.send("Emulation.setDeviceMetricsOverride",
                         {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
                         session=session)
            for name in pages(site):
                found = violations(browser, session, site / name, axe)
                checked += 1
                shown = browser.send("Runtime.evaluate", {"expression": "window.innerWidth"}, session=session)
                assert shown["result"]["value"] == width, (name, shown)  # laid out at the width checked
                for v in found:
                    if v["impact"] in ("serious", "critical"):
                        problems.append(f"{name} @{width}px: {v['id']} ({v['impact']}): {v['help']} {v['nodes']}")
    finally:
        browser.close()
    assert checked == 14
    assert not problems, "\n".join(problems)
