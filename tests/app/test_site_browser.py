"""Every page of the site in one headless Chromium, driven over the DevTools protocol (a pipe, no port).

Each of the ~500 pages is opened from disk with the network cut off (every host resolves
to nothing, and a dead proxy); the page must load with no failed request, no console message
(a policy refusal, a script error, a warning) and no exception. One browser navigates them all,
so the whole site takes well under a minute.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.browser import Browser, new_page, open_page, problems_of
from transferkg.app.kg import KnowledgeGraph
from transferkg.app.site import build_site

pytestmark = [pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def site(kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it")
        pytest.skip("needs Debian's chromium")
    out = tmp_path_factory.mktemp("browser") / "site"
    build_site(kg, out)
    return out


def test_every_page_loads_offline_without_a_console_message_or_a_failed_request(site: Path) -> None:
    assert CHROMIUM is not None
    browser = Browser(CHROMIUM)
    try:
        session = new_page(browser)
        pages = sorted(site.rglob("*.html"))
        assert len(pages) > 450
        failures = []
        for page in pages:
            open_page(browser, session, page)
            title = browser.send("Runtime.evaluate", {"expression": "document.title + '|' + "
                                                      "document.querySelectorAll('main').length"},
                                 session=session)["result"]["value"]
            problems = problems_of(browser.events)
            if problems or not title.endswith("|1"):
                failures.append(f"{page.relative_to(site)}: {title!r} {problems[:2]}")
        assert not failures, "\n".join(failures[:10])
        # the map is drawn on the home page: its shapes and arrows are in the live document
        open_page(browser, session, site / "index.html")
        drawn = browser.send("Runtime.evaluate", {"expression": "[document.querySelectorAll('figure.map path').length,"
                                                  " document.querySelectorAll('figure.map [marker-end]').length]",
                                                  "returnByValue": True}, session=session)["result"]["value"]
        assert drawn[0] > 150 and drawn[1] > 20
    finally:
        browser.close()
