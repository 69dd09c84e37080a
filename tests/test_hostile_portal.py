"""The hostile sample portal (issue 9): it really serves each fault, and a crawl survives them.

(a) Fast tests speak HTTP to the site directly -- ``http.client``, raw sockets
and ``ssl`` against ``serve_sites_in_thread(["hostile"])`` -- to show that
every fault of ``sample_portal.families.hostile.FAULTS`` is what its row says.

(b) One end-to-end test crawls the site with the real ``xxgk crawl`` in a child
process, watched for a hang (a time and a memory ceiling), and checks what
must hold: the crawl finishes, every good report is archived and parsed with
figures, and each fault is a queryable ``fetches`` row.
"""

from __future__ import annotations

import http.client
import io
import os
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from parsel import Selector

from conftest import ROOT
from sample_portal.families import ALL_FAMILIES, FAMILIES
from sample_portal.families import hostile
from sample_portal.families.hostile import FAULTS, FAULTS_BY_NAME
from sample_portal.manifest import load_manifest
from sample_portal.server import _family_names, serve_sites_in_thread


@pytest.fixture(scope="module")
def site():
    with serve_sites_in_thread(["hostile"]) as urls:
        yield urls["hostile"]


def hostport(base: str) -> tuple[str, int]:
    parts = urlsplit(base)
    return parts.hostname, parts.port


def get(base: str, target: str, method: str = "GET", timeout: float = 10):
    """(status, headers, body) of one request, redirects not followed."""
    conn = http.client.HTTPConnection(*hostport(base), timeout=timeout)
    try:
        conn.request(method, target)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def raw_exchange(base: str, target: str, read_for: float | None = None):
    """Send a GET on a raw socket; read until the server closes (or for ``read_for`` seconds).

    Returns (header bytes, body bytes, the exception that ended the read or None)."""
    sock = socket.create_connection(hostport(base), timeout=10)
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {urlsplit(base).netloc}\r\nConnection: close\r\n\r\n".encode())
    data, error = b"", None
    deadline = None if read_for is None else time.monotonic() + read_for
    try:
        while True:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                sock.settimeout(left)
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        error = exc
    finally:
        sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body, error


def content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise AssertionError(f"no Content-Length in {head!r}")


def links(base: str, target: str) -> set[str]:
    _, _, body = get(base, target)
    page = urljoin(base, target)
    return {urljoin(page, href.strip()) for href in Selector(text=body.decode("utf-8")).xpath("//a/@href").getall()}


# ---------------------------------------------------------------- (a) the table and the registry


def test_the_fault_table_is_complete_and_unambiguous():
    names = [f.name for f in FAULTS]
    assert len(names) == len(set(names)) and len({f.path for f in FAULTS}) == len(FAULTS)
    kinds = {f.kind for f in FAULTS}
    assert {"pager", "trap", "corrupt-file", "zip-bomb", "redirect", "soft-404", "http-status", "slow", "transport",
            "charset", "markup", "size", "empty", "anti-bot", "figures", "tls", "offsite"} <= kinds
    for f in FAULTS:
        assert f.yields in ("report", "no-figures", "list", "any") and f.statuses and f.expect, f
        assert f.placement in ("entry", "column", "calendar"), f
        assert (f.yields == "report") <= (f.statuses == (200,)), f


def test_hostile_is_opt_in_never_in_the_default_set():
    assert "hostile" in ALL_FAMILIES and "hostile" not in FAMILIES
    assert _family_names(None) == list(FAMILIES)  # --all, the demo, serve_sites_in_thread()
    assert _family_names(["hostile"]) == ["hostile"]


def test_every_fault_and_good_report_is_linked_where_a_crawl_meets_it(site):
    m = load_manifest("hostile")
    found = links(site, hostile.COLUMN_PATH)
    for f in FAULTS:
        assert f.url(site) in found, f.name
    for column in m.columns:
        for entry in column.entries:
            on_page = links(site, column.pages[entry.page])
            assert urljoin(site, entry.document.path) in on_page or entry.href is None, entry.document.path
    assert {r.path for r in m.reports} == {e.document.path for c in m.columns for e in c.entries if e.is_report}
    assert {e.page for c in m.columns[1:] for e in c.entries} == {0, 1}  # the trap lists have a real page 2


def test_good_reports_are_real_reports_served_as_they_are(site):
    m = load_manifest("hostile")
    assert len(m.reports) >= 5 and not any(r.test_data for r in m.reports)
    for rep in m.reports:
        status, headers, body = get(site, rep.path)
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        if rep.served == "page":
            assert body == rep.body  # the real portal page, byte for byte
        else:
            assert rep.title in body.decode("utf-8")
        if rep.attachment_path:
            assert get(site, rep.attachment_path)[2] == rep.body


# ---------------------------------------------------------------- (a) lists and traps


def test_trs_list_claims_a_hundred_million_pages_and_answers_them(site):
    _, _, body = get(site, FAULTS_BY_NAME["trs-pager-1e8"].path)
    assert b'createPageHTML(100000000, 0, "index", "htm");' in body
    assert b"function createPageHTML" in body
    status, _, last = get(site, hostile.TRS_COLUMN + "index_99999999.htm")
    assert status == 200 and b'createPageHTML(100000000, 99999999, "index", "htm");' in last
    assert get(site, hostile.TRS_COLUMN + "index_100000000.htm")[2] == hostile.SOFT_404
    assert "年度报告" in get(site, hostile.TRS_COLUMN + "index_1.htm")[2].decode("utf-8")
    assert "暂无信息" in get(site, hostile.TRS_COLUMN + "index_2.htm")[2].decode("utf-8")


def test_paged_list_has_a_last_page_link_to_page_99999_that_answers(site):
    base_path = FAULTS_BY_NAME["page-99999"].path
    found = links(site, base_path)
    assert urljoin(site, base_path + "?page=99999") in found
    assert "年度报告" in get(site, f"{base_path}?page=2")[2].decode("utf-8")
    for n in (3, 99_999, 123_456):
        status, _, body = get(site, f"{base_path}?page={n}")
        assert status == 200 and "暂无信息" in body.decode("utf-8")


def test_calendar_links_the_next_day_forever(site):
    target = FAULTS_BY_NAME["endless-calendar"].path
    seen = []
    for _ in range(40):
        _, _, body = get(site, target)
        nxt = Selector(text=body.decode("utf-8")).xpath('//a[text()="下一天"]/@href').get()
        target = urlsplit(urljoin(site + hostile.CALENDAR, nxt)).path + "?" + urlsplit(nxt).query
        seen.append(target)
    assert len(set(seen)) == 40 and seen[-1].endswith("date=2024-02-10")
    assert b"date=9999-12-31" in get(site, hostile.CALENDAR + "?date=9999-12-31")[2]  # the end of time holds


# ---------------------------------------------------------------- (a) files


def test_flipped_files_differ_from_their_source_only_in_the_middle(site):
    for name, source in (("flipped-pdf", hostile.FLIPPED_PDF_SOURCE), ("flipped-docx", hostile.FLIPPED_DOCX_SOURCE)):
        original = source.read_bytes()
        _, _, body = get(site, FAULTS_BY_NAME[name].path)
        assert len(body) == len(original) and body != original
        diff = [i for i, (a, b) in enumerate(zip(body, original)) if a != b]
        assert diff[0] >= len(body) // 2 - hostile.FLIP_WIDTH and diff[-1] <= len(body) // 2 + hostile.FLIP_WIDTH
        assert body == get(site, FAULTS_BY_NAME[name].path)[2]  # deterministic
    pdf = get(site, FAULTS_BY_NAME["flipped-pdf"].path)[2]
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    docx = zipfile.ZipFile(io.BytesIO(get(site, FAULTS_BY_NAME["flipped-docx"].path)[2]))
    assert "word/document.xml" in docx.namelist()  # the directory is intact ...
    try:
        bad = docx.testzip()  # ... a member is not: a CRC mismatch (its name) or undecodable deflate data
    except zlib.error as exc:
        bad = str(exc)
    assert bad is not None


def test_zip_bomb_is_a_tiny_download_declaring_a_gigabyte(site):
    status, headers, body = get(site, FAULTS_BY_NAME["zip-bomb"].path)
    assert status == 200 and len(body) < 2 * 1024 * 1024
    info = zipfile.ZipFile(io.BytesIO(body)).getinfo("word/document.xml")
    assert info.file_size >= 10**9 and info.file_size / info.compress_size > 500
    with zipfile.ZipFile(io.BytesIO(body)).open("word/document.xml") as member:
        start = member.read(8 << 20)  # it really inflates (the whole takes seconds: see the small bomb below)
    assert start.startswith(b"<?xml") and "测试县信访局".encode() in start and start.endswith(b" " * 1024)


def test_the_zip_bomb_construction_makes_a_valid_zip():
    small = hostile.zip_bomb_docx("标题", inflated=8 << 20, block_size=1 << 20)
    with zipfile.ZipFile(io.BytesIO(small)) as zf:
        assert zf.testzip() is None  # every CRC right
        xml = zf.read("word/document.xml")
    assert len(xml) > 8 << 20 and xml.endswith(b"</w:body></w:document>")
    assert small == hostile.zip_bomb_docx("标题", inflated=8 << 20, block_size=1 << 20)


# ---------------------------------------------------------------- (a) redirects and soft 404s


def test_redirect_loop_loops(site):
    target, seen = FAULTS_BY_NAME["redirect-loop"].path, []
    for _ in range(4):
        status, headers, _ = get(site, target)
        assert status == 302
        target = urlsplit(headers["location"]).path
        seen.append(target)
    assert seen[0] == seen[2] != seen[1] == seen[3] and seen[1] == FAULTS_BY_NAME["redirect-loop"].path


def test_redirect_chain_has_21_hops(site):
    target, hops = FAULTS_BY_NAME["redirect-chain-21"].path, 0
    while True:
        status, headers, _ = get(site, target)
        if status != 302:
            break
        hops += 1
        target = urlsplit(headers["location"]).path
    assert status == 200 and hops == 21


def test_offsite_redirect_leaves_the_host(site):
    status, headers, _ = get(site, FAULTS_BY_NAME["redirect-offsite"].path)
    assert status == 302 and urlsplit(headers["location"]).hostname == hostile.OFFSITE_HOST != hostport(site)[0]


def test_soft_404s_answer_200_with_page_not_found(site):
    for target in (FAULTS_BY_NAME["soft-404-listed"].path, FAULTS_BY_NAME["soft-404-any-url"].path,
                   "/no/such/page-7f3a.html", "/xxgk/ndbg/202401/t20240101_0000001.htm"):
        status, _, body = get(site, target)
        assert status == 200 and "页面不存在" in body.decode("utf-8"), target
    assert get(site, "/robots.txt")[0] == 200 and b"Disallow: /search/" in get(site, "/robots.txt")[2]


# ---------------------------------------------------------------- (a) statuses


def test_bursts_fail_then_succeed(site):
    for name, status, times in (("burst-503", 503, hostile.BURST_503), ("burst-500", 500, hostile.BURST_500)):
        answers = [get(site, FAULTS_BY_NAME[name].path) for _ in range(times + 2)]
        assert [a[0] for a in answers] == [status] * times + [200, 200], name
        if status == 503:
            assert answers[0][1]["retry-after"] == "1"
        assert "年度报告" in answers[-1][2].decode("utf-8")


def test_always_failing_resources_never_succeed(site):
    for name, status in (("always-503", 503), ("always-500", 500)):
        assert [get(site, FAULTS_BY_NAME[name].path)[0] for _ in range(6)] == [status] * 6


def test_anti_bot_wall_answers_412_with_a_javascript_challenge(site):
    status, headers, body = get(site, FAULTS_BY_NAME["anti-bot-412"].path)
    assert status == 412 and "set-cookie" in headers
    assert b"$_ts" in body and b"<script" in body and "年度报告".encode() not in body


def test_empty_200(site):
    status, headers, body = get(site, FAULTS_BY_NAME["empty-200"].path)
    assert status == 200 and headers["content-length"] == "0" and body == b""


# ---------------------------------------------------------------- (a) socket-level faults


def test_slow_drip_trickles_the_body(site):
    head, body, error = raw_exchange(site, FAULTS_BY_NAME["slow-drip"].path, read_for=1.5)
    assert error is None and b" 200 " in head.split(b"\r\n")[0]
    total = content_length(head)
    assert 0 < len(body) < total * 0.25  # after 1.5 s, most of it is still to come


def test_connection_reset_mid_body(site):
    head, body, error = raw_exchange(site, FAULTS_BY_NAME["reset-mid-body"].path)
    assert isinstance(error, ConnectionResetError)
    assert 0 < len(body) < content_length(head)


def test_truncated_body_ends_cleanly_short_of_its_content_length(site):
    head, body, error = raw_exchange(site, FAULTS_BY_NAME["truncated-body"].path)
    assert error is None  # an orderly close ...
    assert 0 < len(body) < content_length(head)  # ... with bytes missing


def test_tls_handshake_fails_on_the_plain_http_port(site):
    host, port = hostport(site)
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=5) as sock:
        with pytest.raises(ssl.SSLError):
            context.wrap_socket(sock, server_hostname=host)
    assert any(r.method == "TLS" for r in site.requests)
    assert get(site, "/")[0] == 200  # the same port still speaks HTTP


# ---------------------------------------------------------------- (a) content faults


def test_wrong_charsets_both_ways(site):
    gbk_fault, utf8_fault = FAULTS_BY_NAME["gbk-declared-utf8"], FAULTS_BY_NAME["utf8-declared-gbk"]
    real = load_manifest("hostile").config["real"]  # slug -> the real report
    _, headers, body = get(site, gbk_fault.path)
    assert headers["content-type"] == "text/html; charset=utf-8" and b'charset="utf-8"' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert real[gbk_fault.source].title in body.decode("gbk")
    _, headers, body = get(site, utf8_fault.path)
    assert headers["content-type"] == "text/html; charset=gbk" and b'<meta charset="gbk"' in body
    assert real[utf8_fault.source].title in body.decode("utf-8")
    assert real[utf8_fault.source].title not in body.decode("gbk", "replace")


def test_unclosed_tags(site):
    _, _, body = get(site, FAULTS_BY_NAME["unclosed-tags"].path)
    lower = body.lower()
    assert b"<td" in lower and b"</td>" not in lower and b"</tr>" not in lower and b"</p>" not in lower
    assert b"</body>" not in lower and b"</html>" not in lower
    assert "平潭综合实验区2020年度政府信息公开工作年度报告" in body.decode("utf-8")


def test_page_of_50_megabytes(site):
    status, headers, _ = get(site, FAULTS_BY_NAME["page-50mb"].path, method="HEAD")
    assert status == 200 and int(headers["content-length"]) == 50 * 1024 * 1024
    _, _, body = get(site, FAULTS_BY_NAME["page-50mb"].path, timeout=30)
    assert len(body) == 50 * 1024 * 1024 and body.rstrip().endswith(b"</html>")
    assert "平潭综合实验区2021年度政府信息公开工作年度报告" in body[:2 << 20].decode("utf-8", "replace")


def test_absurd_figures_in_the_table(site):
    _, _, body = get(site, FAULTS_BY_NAME["absurd-figures"].path)
    cells = Selector(text=body.decode("utf-8")).xpath(
        '//tr[td[contains(normalize-space(.), "2.兼职人员数")]]/td//text()').getall()
    assert "３０００００００００" in [c.strip() for c in cells]
    assert "TEST DATA" in body.decode("utf-8")


# ---------------------------------------------------------------- (b) a crawl of the hostile site

CRAWL_SECONDS = 240  # hang detectors, not speed targets
CRAWL_RSS_BYTES = 3 * 1024**3
PAGES_AHEAD = 5  # crawler.settings.XXGK_PAGES_AHEAD: list pages sent past the last that held a report
# A trap list costs a few pages: its pages with reports, PAGES_AHEAD empty ones past
# them along its plan, as many along the pager links it shows (尾页 and its neighbours)
TRAP_PAGES = 4 * PAGES_AHEAD
GOLD_RECALL = 0.9  # share of a real report's hand-read figures a surviving crawl must have stored


def gold_figures(real) -> dict[str, float]:
    """The figures a person read off a real report (its gold file), less those the
    rendering the site serves cannot give (that document's ``omitted``)."""
    doc = next(d for d in real.gold["documents"] if d["file"] == real.rendering)
    omitted = set(doc.get("omitted") or {})
    figures = real.gold.get("figures") or {}
    return {key: float(fig["value"]) for part in ("table", "prose") for key, fig in (figures.get(part) or {}).items()
            if key not in omitted and isinstance(fig, dict) and fig.get("value") is not None}


def group_rss(pgid: int) -> int:
    """Resident memory of every process in process group ``pgid`` (the crawl and its children)."""
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, ..., rss is the 22nd
            total += int(fields[21]) * page
    return total


def watched_crawl(base: str, folder: Path) -> dict:
    """``xxgk crawl --start-url`` in its own process group, killed at the time or memory ceiling."""
    out, err = (folder / "stdout.txt").open("w"), (folder / "stderr.txt").open("w")
    argv = [sys.executable, "-m", "xxgk", "crawl", "--start-url", base, "--db", str(folder / "xxgk.db"),
            "--archive", str(folder / "archive")]  # the shipped settings: delays, retries, timeouts
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=err, start_new_session=True)
    started, peak, killed = time.monotonic(), 0, None
    try:
        while proc.poll() is None:
            peak = max(peak, group_rss(proc.pid))
            if peak > CRAWL_RSS_BYTES:
                killed = f"resident memory above {CRAWL_RSS_BYTES >> 30} GiB"
            elif time.monotonic() - started > CRAWL_SECONDS:
                killed = f"still running after {CRAWL_SECONDS} s"
            if killed:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                break
            time.sleep(0.5)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        out.close()
        err.close()
    return {"returncode": proc.returncode, "killed": killed, "seconds": time.monotonic() - started,
            "peak_rss": peak, "stderr": (folder / "stderr.txt").read_text(errors="replace")}



def test_a_crawl_survives_the_hostile_portal(tmp_path):
    m = load_manifest("hostile")
    real = m.config["real"]
    with serve_sites_in_thread(["hostile"]) as urls:
        base = urls["hostile"]
        run = watched_crawl(base, tmp_path)
    assert run["killed"] is None and run["returncode"] == 0, (
        f"{run['killed'] or 'exit ' + str(run['returncode'])} after {run['seconds']:.0f} s, "
        f"peak RSS {run['peak_rss'] >> 20} MiB\n{run['stderr'][-3000:]}")

    # output for cron: progress and summary lines, warnings; no library's debug log, no traceback
    noise = [line for line in run["stderr"].splitlines()
             if line.startswith(("DEBUG", "Level ", "Traceback", "INFO")) or "[scrapy" in line]
    assert not noise, "\n".join(noise[:20])

    db = sqlite3.connect(tmp_path / "xxgk.db")
    db.row_factory = sqlite3.Row

    def report_at(url: str):
        return db.execute("SELECT * FROM reports WHERE url = ?", [url]).fetchone()

    def figures(report) -> int:
        return db.execute("SELECT count(*) FROM metrics WHERE report_id = ?", [report["id"]]).fetchone()[0]

    def gold_recall(report, real) -> float:
        gold = gold_figures(real)
        stored = {k: float(v) for k, v in db.execute("SELECT key, value FROM metrics WHERE report_id = ?",
                                                     [report["id"]])}
        return sum(stored.get(k) == v for k, v in gold.items()) / len(gold)

    problems = []
    for rep in m.reports:
        row = report_at(base.rstrip("/") + rep.path)
        if row is None or not row["complete"] or row["parse_status"] != "ok" or row["year"] != rep.year \
                or not figures(row):
            problems.append(f"good report {rep.path}: {dict(row) if row else 'not archived'}")
        elif gold_recall(row, rep) < GOLD_RECALL:
            problems.append(f"good report {rep.path}: {gold_recall(row, rep):.2f} of its gold figures")

    for fault in FAULTS:
        url = fault.url(base)
        rows = db.execute("SELECT * FROM fetches WHERE url = ? ORDER BY id", [url]).fetchall()
        if not rows:
            problems.append(f"{fault.name}: no fetches row for {url}")
            continue
        last = rows[-1]
        recorded = None if last["status"] is None and last["error"] else last["status"]
        if recorded not in fault.statuses or (last["status"] is None and not last["error"]):
            problems.append(f"{fault.name}: last row status={last['status']} error={last['error']!r}, "
                            f"expected one of {fault.statuses}")
        if fault.row_kind or fault.row_says or fault.attempts:
            witness = db.execute("SELECT * FROM fetches WHERE url = ? ORDER BY id DESC LIMIT 1",
                                 [fault.witness_url(base)]).fetchone()
            said = (witness["error"] or "") if witness else ""
            if witness is None or (fault.row_kind and witness["kind"] != fault.row_kind) \
                    or (fault.row_says and fault.row_says not in said) \
                    or (fault.attempts and witness["attempt"] != fault.attempts):
                problems.append(f"{fault.name}: the last row for {fault.witness_url(base)} is "
                                f"{dict(witness) if witness else None}, expected kind {fault.row_kind}, "
                                f"a message with {fault.row_says!r}, attempt {fault.attempts}")
        report = report_at(url)
        if fault.yields == "report" and (report is None or report["parse_status"] != "ok" or not figures(report)):
            problems.append(f"{fault.name}: no parsed report with figures ({dict(report) if report else None})")
        elif fault.yields == "report" and fault.source in real:  # read as the clean page would be
            recall = gold_recall(report, real[fault.source])
            if recall < GOLD_RECALL:
                problems.append(f"{fault.name}: {recall:.2f} of the gold figures of {fault.source}")
        if fault.yields == "no-figures" and report is not None and figures(report):
            problems.append(f"{fault.name}: taken for a report with {figures(report)} figures")
        if fault.yields == "list":
            prefix = urljoin(base, urlsplit(url).path)
            n = db.execute("SELECT count(DISTINCT url) FROM fetches WHERE url LIKE ?", [prefix + "%"]).fetchone()[0]
            if n > TRAP_PAGES:
                problems.append(f"{fault.name}: {n} pages fetched under {prefix} (more than {TRAP_PAGES})")
        if fault.name == "absurd-figures" and report is not None:
            huge = db.execute("SELECT key FROM metrics WHERE report_id = ? AND value >= 1000000000",
                              [report["id"]]).fetchall()
            warned = db.execute("SELECT count(*) FROM warnings WHERE report_id = ? AND (message || ' ' || "
                                "coalesce(detail, '') || ' ' || code) LIKE '%part_time%'",
                                [report["id"]]).fetchone()[0]
            if huge and not warned:
                problems.append(f"absurd-figures: {[r['key'] for r in huge]} stored as ≥ 10^9 without a warning")
    offsite = db.execute("SELECT count(*) FROM fetches WHERE url LIKE ? AND (status IS NOT NULL OR kind != 'offsite')",
                         [f"%://{hostile.OFFSITE_HOST}:%"]).fetchone()[0]
    if offsite:
        problems.append(f"redirect-offsite/offsite-link: {offsite} requests sent to {hostile.OFFSITE_HOST}")
    db.close()
    assert not problems, "\n".join(problems)
