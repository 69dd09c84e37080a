"""The published site in a real browser: headless Chromium driven over the
Chrome DevTools Protocol, against `xxgk serve` on a real crawl of the sample
portal.

Screenshots go to test-artifacts/browser/. Chromium comes from Debian
(`scripts/install-browser`); without it this test fails, unless
XXGK_SKIP_BROWSER=1.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from conftest import ROOT, serve
from test_publish_site import contains

CHROMIUM = Path(os.environ.get("XXGK_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts" / "browser"


# A results table's column names: each header's first text (its Chinese label follows in a span).
HEADER_NAMES = ("[...document.querySelectorAll('table.rows-and-columns thead th')]"
                ".map(th => th.childNodes[0].textContent.trim())")


class CDP:
    """A minimal Chrome DevTools Protocol client over one websocket (flat sessions)."""

    def __init__(self, ws_url: str):
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise TimeoutError(method)

    def wait_event(self, method: str, session: str, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, event in enumerate(self.events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self.events.pop(i)
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except Exception as error:  # websocket timeout
                if time.monotonic() >= deadline:
                    raise TimeoutError(method) from error
            finally:
                self.ws.settimeout(30)
        raise TimeoutError(method)

    def close(self):
        self.ws.close()


class Page:
    def __init__(self, cdp: CDP):
        self.cdp = cdp
        target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})

    def send(self, method, params=None):
        return self.cdp.send(method, params, session=self.session)

    def _drop_loads(self):
        self.cdp.events = [e for e in self.cdp.events if e.get("method") != "Page.loadEventFired"]

    def goto(self, url: str):
        self._drop_loads()
        result = self.send("Page.navigate", {"url": url})
        assert not result.get("errorText"), result
        self.cdp.wait_event("Page.loadEventFired", self.session)

    def js(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def type_and_submit(self, selector: str, text: str):
        """Focus a field, type into it as a user would (IME-free insertText), press Enter."""
        self.js(f"document.querySelector({json.dumps(selector)}).focus()")
        self.js(f"document.querySelector({json.dumps(selector)}).value = ''")
        self.send("Input.insertText", {"text": text})
        self._drop_loads()
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter",
                                                 "windowsVirtualKeyCode": 13, "text": "\r" if kind == "keyDown" else ""})
        self.cdp.wait_event("Page.loadEventFired", self.session)

    def screenshot(self, name: str, full_page: bool = False) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": full_page})["data"]
        path = ARTIFACTS / f"{name}.png"
        path.write_bytes(base64.b64decode(data))
        return path


@pytest.fixture(scope="module")
def chromium():
    if os.environ.get("XXGK_SKIP_BROWSER") == "1":
        pytest.skip("XXGK_SKIP_BROWSER=1")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: run scripts/install-browser (or set XXGK_SKIP_BROWSER=1 to skip)")
    profile = tempfile.mkdtemp(prefix="xxgk-chromium-")
    proc = subprocess.Popen(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", f"--user-data-dir={profile}",
         "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        active = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (active.exists() and len(active.read_text().split()) >= 2):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"chromium did not start: {proc.stderr.read() if proc.poll() is not None else ''}")
            time.sleep(0.1)
        port, path = active.read_text().split()[:2]
        cdp = CDP(f"ws://127.0.0.1:{port}{path}")
        yield cdp
        cdp.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def site(crawled, tmp_path_factory):
    """`xxgk serve` on a copy of the crawled catalogue, with its archive beside it."""
    db = crawled.copy_to(tmp_path_factory.mktemp("browser"))
    with serve(db) as base:
        yield base, db


def test_browse_query_search_and_charts(chromium, site):
    base, db = site
    page = Page(chromium)

    # Home page: the title and the way in.
    page.goto(base + "/")
    assert "政府信息公开工作年度报告" in page.js("document.querySelector('h1').innerText")
    assert page.js("[...document.querySelectorAll('a')].some(a => a.getAttribute('href') === '/-/charts')")
    page.screenshot("01-home")

    # A canned query with a parameter, filled in and submitted like a user.
    page.goto(base + "/xxgk/agency_time_series")
    page.type_and_submit("input[name=agency]", "文登区教育局")
    rows = page.js("[...document.querySelectorAll('table.rows-and-columns tbody tr')]"
                   ".map(tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim()))")
    headers = page.js(HEADER_NAMES)
    years = [int(r[headers.index("year")]) for r in rows]
    assert years == [2020, 2023]
    assert all("文登区教育局" in r[headers.index("agency")] for r in rows)
    page.screenshot("02-canned-query-agency")

    # Search in Chinese from the reports table's search box: 2 and 4 characters.
    for number, word in ((3, "复议"), (4, "信息公开")):
        page.goto(base + "/xxgk/reports")
        page.type_and_submit("#_search", word)
        assert page.js("document.querySelector('#_search').value") == word
        ids = page.js("[...document.querySelectorAll('table.rows-and-columns tbody td.col-id')].map(td => td.innerText.trim())")
        expected = contains(db, word)
        assert expected, f"the sample crawl has no report containing {word}"
        assert {int(i) for i in ids} == expected, word
        assert f'search matches "{word}"' in page.js("document.body.innerText")
        page.screenshot(f"0{number}-search-{'fuyi' if word == '复议' else 'xinxigongkai'}")

    # The chart page: SVG bars whose values are the catalogue's figures.
    page.goto(base + "/-/charts")
    bars = page.js("""[...document.querySelectorAll('#requests-per-year svg rect.bar')]
        .map(r => ({value: Number(r.dataset.value), h: r.getBBox().height}))""")
    assert bars and all(b["h"] > 0 for b in bars)
    conn = sqlite3.connect(db)
    total = conn.execute("SELECT sum(value) FROM metrics WHERE key = 'requests.new.total'").fetchone()[0]
    conn.close()
    assert sum(b["value"] for b in bars) == total
    shares = page.js("document.querySelectorAll('#outcome-shares svg rect.bar').length")
    assert shares > 0
    assert "Outcome shares per year" in page.js("document.body.innerText")
    page.screenshot("05-charts", full_page=True)


def test_the_new_views_are_readable(chromium, site):
    """The start page, Chinese column headers, readable widths, the cut text
    and its whole page, timeliness, gaps and highlighted search: each looked at
    in the browser, a screenshot kept of each."""
    base, db = site
    page = Page(chromium)
    conn = sqlite3.connect(db)
    report_id, text = conn.execute("SELECT id, text FROM reports WHERE length(text) > 3000 ORDER BY id LIMIT 1").fetchone()
    conn.close()

    # The start page leads with search and the headline figures; its search box works.
    page.goto(base + "/")
    start = page.js("document.querySelector('section.xxgk-start').innerText")
    assert "Search every report" in start and "Headline figures of every report" in start
    assert start.index("Headline figures") < start.index("Tables · 数据表")
    page.screenshot("06-start-page", full_page=True)
    page.type_and_submit("#xxgk-q", "商业企业")
    assert page.js("document.querySelectorAll('table.rows-and-columns tbody tr').length") > 0

    # report_figures: every header shows its Chinese label; the title is wide enough to read.
    page.goto(base + "/xxgk/report_figures?_size=20")
    labels = page.js("[...document.querySelectorAll('table.rows-and-columns thead th')]"
                     ".map(th => { const s = th.querySelector('.xxgk-zh'); return s && s.offsetHeight > 0 ? s.innerText : null; })")
    assert labels and all(labels), labels
    assert "本年新收政府信息公开申请数量（件）" in labels
    title_width = page.js("document.querySelector('td.col-title').getBoundingClientRect().width")
    font = page.js("parseFloat(getComputedStyle(document.querySelector('td.col-title')).fontSize)")
    assert title_width >= 12 * font, (title_width, font)  # not one character per line
    page.screenshot("07-report-figures-headers")

    # A report's row is no taller than the screen: its text is cut, with a link to the whole.
    page.goto(base + f"/xxgk/reports/{report_id}")
    cell = page.js("document.querySelector('td.col-text').getBoundingClientRect().height")
    assert cell < 900, cell
    page.screenshot("08-report-row")
    page.goto(base + page.js("document.querySelector('a.xxgk-whole-text').getAttribute('href')"))
    assert page.js("document.querySelector('.xxgk-whole-text-body').innerText") == text
    page.screenshot("09-whole-text")

    # Timeliness, late reports and the gaps: Chinese headers, the rule shown.
    page.goto(base + "/xxgk/timeliness?_facet=status")
    assert "截止日期" in page.js(HEADER_LABELS) and "按时" in page.js("document.querySelector('.facet-results').innerText")
    page.screenshot("10-timeliness")
    page.goto(base + "/xxgk/missing_years?province=")
    assert "缺失年度" in page.js(HEADER_LABELS)
    page.screenshot("11-missing-years")

    # Search with context: the words marked where they stand.
    page.goto(base + "/xxgk/search_text?q=" + "商业企业")
    marks = page.js("[...document.querySelectorAll('td.col-context mark')].map(m => m.innerText)")
    assert marks and all(m == "商业企业" for m in marks)
    page.screenshot("12-search-context")

    # A body's page: its years side by side; the coverage grid of its province, with the gaps.
    conn = sqlite3.connect(db)
    agency, province = conn.execute(
        "SELECT agency, province FROM reports WHERE parse_status = 'ok' AND body_key IS NOT NULL "
        "GROUP BY body_key ORDER BY count(*) DESC, agency LIMIT 1").fetchone()
    conn.close()
    page.goto(base + "/xxgk/report_figures?" + urlencode({"agency": agency}))
    page.goto(base + page.js("document.querySelector('td.col-agency a').getAttribute('href')"))
    assert agency in page.js("document.querySelector('h1').innerText")
    page.screenshot("14-body-page", full_page=True)
    page.goto(base + "/-/coverage?" + urlencode({"province": province}))
    assert page.js("document.querySelectorAll('table.xxgk-coverage td.seen').length") > 0
    assert page.js("document.querySelectorAll('table.xxgk-coverage td.gap').length") > 0
    page.screenshot("15-coverage", full_page=True)

    # The outcome shares: n= under each bar, the template changes marked.
    page.goto(base + "/-/charts")
    chart = page.js("document.querySelector('#outcome-shares').innerText")
    assert "2019" in chart and "n=" in chart
    page.screenshot("13-charts-marks", full_page=True)


HEADER_LABELS = ("[...document.querySelectorAll('table.rows-and-columns thead th .xxgk-zh')]"
                 ".map(s => s.innerText).join(' ')")
