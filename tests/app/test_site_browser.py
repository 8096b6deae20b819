"""Every page of the site in one headless Chromium, driven over the DevTools protocol (a pipe, no port).

Each of the ~500 pages is opened from disk with the network cut off (every host resolves
to nothing, and a dead proxy); the page must load with no failed request, no console message
(a policy refusal, a script error, a warning) and no exception. One browser navigates them all,
so the whole site takes well under a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from transferkg.app.kg import KnowledgeGraph
from transferkg.app.site import build_site

pytestmark = [pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """Chromium with ``--remote-debugging-pipe``: we write to its fd 3 and read its fd 4, NUL-separated JSON."""

    def __init__(self, executable: str) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def fds() -> None:  # in the child: its fd 3 reads what we write, its fd 4 writes what we read
            reading, writing = os.dup(to_chrome_r), os.dup(from_chrome_w)  # out of the way of 3 and 4 first
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self.proc = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND", "--no-first-run",
             "about:blank"],
            pass_fds=(3, 4), preexec_fn=fds, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)  # type: ignore[no-any-return]

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})  # type: ignore[no-any-return]
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._read(deadline))

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        for fd in (self._to_chrome, self._from_chrome):
            os.close(fd)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


_PROBLEMS = {"Runtime.exceptionThrown", "Network.loadingFailed"}


def _problems(events: list[dict[str, Any]]) -> list[str]:
    found = []
    for e in events:
        method, params = e.get("method"), e.get("params", {})
        if method in _PROBLEMS:
            found.append(f"{method}: {json.dumps(params)[:200]}")
        elif method == "Runtime.consoleAPICalled":
            found.append(f"console.{params.get('type')}: {json.dumps(params.get('args'))[:200]}")
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            found.append(f"{entry.get('level')} ({entry.get('source')}): {entry.get('text', '')[:200]}")
    return found


@pytest.fixture(scope="module")
def site(kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it")
        pytest.skip("needs Debian's chromium")
    out = tmp_path_factory.mktemp("browser") / "site"
    build_site(kg, out)
    return out


def _open(browser: Browser, session: str, page: Path) -> None:
    """Navigate and wait for *this* page's load event (a stale one from the previous page would not do)."""
    browser.events.clear()
    browser.send("Page.navigate", {"url": page.as_uri()}, session=session)
    browser.wait_for("Page.loadEventFired")
    href = browser.send("Runtime.evaluate", {"expression": "document.readyState + ' ' + location.href"},
                        session=session)["result"]["value"]
    assert href == f"complete {page.as_uri()}", href


def test_every_page_loads_offline_without_a_console_message_or_a_failed_request(site: Path) -> None:
    assert CHROMIUM is not None
    browser = Browser(CHROMIUM)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable", session=session)
        pages = sorted(site.rglob("*.html"))
        assert len(pages) > 450
        failures = []
        for page in pages:
            _open(browser, session, page)
            title = browser.send("Runtime.evaluate", {"expression": "document.title + '|' + "
                                                      "document.querySelectorAll('main').length"},
                                 session=session)["result"]["value"]
            problems = _problems(browser.events)
            if problems or not title.endswith("|1"):
                failures.append(f"{page.relative_to(site)}: {title!r} {problems[:2]}")
        assert not failures, "\n".join(failures[:10])
        # the map is drawn on the home page: its shapes and arrows are in the live document
        _open(browser, session, site / "index.html")
        drawn = browser.send("Runtime.evaluate", {"expression": "[document.querySelectorAll('figure.map path').length,"
                                                  " document.querySelectorAll('figure.map [marker-end]').length]",
                                                  "returnByValue": True}, session=session)["result"]["value"]
        assert drawn[0] > 150 and drawn[1] > 20
    finally:
        browser.close()
