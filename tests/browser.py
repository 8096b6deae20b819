"""Headless Chromium driven over the DevTools protocol on a pipe (no port, no network).

Shared by the site tests: one browser opens many pages, so a test pays Chromium's start once.
Started with the network cut off (every host resolves to nothing, a dead proxy).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any


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


def problems_of(events: list[dict[str, Any]]) -> list[str]:
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


def open_page(browser: Browser, session: str, page: Path) -> None:
    """Navigate and wait for *this* page's load event (the events so far are forgotten first:
    a stale one from the previous page would not do)."""
    browser.events.clear()
    browser.send("Page.navigate", {"url": page.as_uri()}, session=session)
    browser.wait_for("Page.loadEventFired")
    href = browser.send("Runtime.evaluate", {"expression": "document.readyState + ' ' + location.href"},
                        session=session)["result"]["value"]
    assert href == f"complete {page.as_uri()}", href


def new_page(browser: Browser) -> str:
    """A new tab with the Page, Runtime, Log and Network events on; its session id."""
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session: str = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.send(f"{domain}.enable", session=session)
    return session
