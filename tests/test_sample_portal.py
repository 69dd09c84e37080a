"""The sample portal behaves like a real TRS county portal, over real HTTP."""

from __future__ import annotations

import http.client
import re
import socket
import struct
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import lxml.html
import pytest

from sample_portal import national
from sample_portal.docs import README, apply, sections
from sample_portal.manifest import load_manifest
from sample_portal.server import make_server, serve_in_thread

PAGER = re.compile(r'createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*"index"\s*,\s*"htm"\s*\)')
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


@pytest.fixture(scope="module")
def manifest():
    return load_manifest()


@pytest.fixture(scope="module")
def base():
    with serve_in_thread() as url:
        yield url


def fetch(base: str, path: str, method: str = "GET", headers: dict | None = None):
    """(status, headers, body) -- no redirects followed, no exceptions on 4xx."""
    b = urlsplit(base)
    if path.startswith("/"):
        target = path  # sent as is, however odd
    else:
        u = urlsplit(urljoin(base, path))
        assert u.netloc == b.netloc, path
        target = u.path + (("?" + u.query) if u.query else "")
    conn = http.client.HTTPConnection(b.hostname, b.port, timeout=5)
    try:
        conn.request(method, target, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def decode(headers, body: bytes) -> str:
    m = META_CHARSET.search(body[:2048])
    assert m, "page declares no charset"
    return body.decode(m.group(1).decode())


def doc(base, path):
    status, headers, body = fetch(base, path)
    assert status == 200, path
    return lxml.html.document_fromstring(decode(headers, body)), headers, body


def links(tree, page_url: str) -> list[tuple[str, str]]:
    """(text, absolute url) of every <a href>, hrefs stripped as browsers do."""
    out = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        out.append((a.text_content().strip(), urljoin(page_url, href).split("#")[0]))
    return out


def path_of(url: str) -> str:
    return urlsplit(url).path


# --------------------------------------------------------------------- site


def test_home_links_to_xxgk_and_column(base, manifest):
    tree, headers, _ = doc(base, "/")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    xxgk = [u for t, u in links(tree, base) if t == "政府信息公开"]
    assert xxgk, "no 政府信息公开 link on the home page"
    for text in ("首页", "政务服务", "互动交流"):
        assert any(t == text for t, _ in links(tree, base))
    tree2, _, _ = doc(base, xxgk[0])
    column = [u for t, u in links(tree2, xxgk[0]) if t == "政府信息公开年报"]
    assert column and all(path_of(u) == manifest.column_path for u in column)
    assert fetch(base, "/index.html")[2] == fetch(base, "/")[2]


def test_home_offsite_and_disallowed_links(base, manifest):
    tree, _, _ = doc(base, "/")
    host = urlsplit(base).netloc
    offsite = {u for _, u in links(tree, base) if urlsplit(u).netloc != host}
    assert offsite <= set(manifest.offsite_links)
    gov = [(t, u) for t, u in links(tree, base) if "www.gov.cn" in u and "年度报告" in t]
    assert gov, "the off-site 国务院办公厅 annual-report link is missing"
    inside = [path_of(u) for _, u in links(tree, base) if urlsplit(u).netloc == host]
    assert any(p.startswith(tuple(manifest.disallowed_paths)) for p in inside)


def test_robots(base, manifest):
    status, headers, body = fetch(base, "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    rp = RobotFileParser()
    rp.parse(body.decode().splitlines())
    for p in manifest.disallowed_paths:
        assert not rp.can_fetch("xxgk-archive", urljoin(base, p + "index.jsp?q=1"))
    for p in [r.path for r in manifest.reports] + manifest.list_pages + ["/", "/xxgk/"]:
        assert rp.can_fetch("xxgk-archive", urljoin(base, p))


def test_list_pages_pager_only_in_script(base, manifest):
    assert manifest.page_count == 3
    seen = []
    for i, path in enumerate(manifest.list_pages):
        status, headers, body = fetch(base, path)
        assert status == 200
        html = decode(headers, body)
        assert PAGER.findall(html) == [(str(manifest.page_count), str(i))]
        assert "function createPageHTML(" in html
        assert not re.search(r"index_\d+\.htm", html), "static pager link in the HTML"
        tree = lxml.html.document_fromstring(html)
        for a in tree.iter("a"):
            assert not re.fullmatch(r"\s*(\./)?index(_\d+)?\.htm\s*", a.get("href") or "")
        items = tree.xpath('//ul[@class="list"]/li/a')
        assert 1 <= len(items) <= manifest.page_size
        for a in items:
            assert a.get("target") == "_blank" and a.get("title")
            assert a.getnext().tag == "span" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", a.getnext().text)
            seen.append((path_of(urljoin(base + path.lstrip("/"), a.get("href").strip())), a.get("title")))
    expected = [(e.document.path, e.document.title) for e in manifest.list_entries]
    assert seen == expected
    hrefs = " ".join(a for a in re.findall(r'<li><a href="([^"]+)"', fetch(base, manifest.list_pages[0])[2].decode()))
    assert "http://" in hrefs and "./" in hrefs  # absolute and relative entries side by side


def test_directory_urls(base, manifest):
    col = manifest.column_path
    assert fetch(base, col)[2] == fetch(base, col + "index.htm")[2]
    status, headers, _ = fetch(base, col.rstrip("/"))
    assert status == 301 and headers["Location"].endswith(col)


def test_every_report_page(base, manifest):
    for r in manifest.reports:
        status, headers, body = fetch(base, r.path)
        assert status == 200, r.path
        assert int(headers["Content-Length"]) == len(body)
        text = decode(headers, body)
        assert r.title in text
        tree = lxml.html.document_fromstring(text)
        meta = {m.get("name"): m.get("content") for m in tree.iter("meta") if m.get("name")}
        assert meta["ArticleTitle"] == r.title
        assert meta["PubDate"].startswith(r.published) and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", meta["PubDate"])
        assert meta["ContentSource"] == r.agency
        assert tree.xpath("//h1")[0].text_content().strip() == r.title
        meta_table = tree.xpath('//table[@class="xxgk_table"]')[0].text_content()
        for word in ("索", "发布机构", "发文日期", "主题分类", "文"):
            assert word in meta_table
        assert r.agency in meta_table and r.published in meta_table
        assert len(tree.xpath('//div[@class="TRS_Editor"]')) == 1
        if r.test_data:
            assert meta.get("xxgk-test-data") == "true"
            assert "本页为 xxgk-archive 测试数据" in meta_table
        else:
            assert "xxgk-test-data" not in meta and "测试数据" not in text
        ctype = headers["Content-Type"]
        assert ctype == ("text/html; charset=utf-8" if r.header_charset else "text/html")


def test_gbk_pages_are_gbk(base, manifest):
    gbk = [r for r in manifest.reports if r.encoding == "gbk"]
    assert any(r.test_data for r in gbk) and any(not r.test_data for r in gbk)
    for r in gbk:
        status, headers, body = fetch(base, r.path)
        assert headers["Content-Type"] == "text/html"
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        declared = META_CHARSET.search(body).group(1).decode().lower()
        assert declared == r.charset and declared in ("gbk", "gb2312")
        assert b'http-equiv="Content-Type" content="text/html; charset=' + declared.encode() in body
        assert r.title in body.decode(declared)


def test_utf8_page_without_header_charset(base, manifest):
    pages = [r for r in manifest.reports if r.encoding == "utf-8" and not r.header_charset]
    assert pages
    for r in pages:
        status, headers, body = fetch(base, r.path)
        assert headers["Content-Type"] == "text/html"
        assert b'<meta charset="utf-8">' in body
        body.decode("utf-8")


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\xa0", " ")).strip()


def test_seed_bodies_are_faithful(base, manifest):
    assert len(manifest.seed_reports) == 5
    for r in manifest.seed_reports:
        tree, _, _ = doc(base, r.path)
        paras = tree.xpath('//div[@class="TRS_Editor"]//p')
        assert [_norm(p.text_content()) for p in paras] == [_norm(line) for line in r.paragraphs()]
        assert not tree.xpath('//div[@class="TRS_Editor"]//table')


def test_seed_images(base, manifest):
    r = next(r for r in manifest.seed_reports if r.images)
    tree, _, _ = doc(base, r.path)
    imgs = tree.xpath('//div[@class="TRS_Editor"]//img')
    assert [i.get("alt") for i in imgs] == re.findall(r"\[image: ([^\]]+)\]", r.text())
    for img in imgs:
        status, headers, body = fetch(base, urljoin(base + r.path.lstrip("/"), img.get("src")))
        assert status == 200 and headers["Content-Type"] == "image/png"
        assert body[:8] == b"\x89PNG\r\n\x1a\n" and body[12:16] == b"IHDR"
        assert struct.unpack(">II", body[16:24]) > (0, 0)


def test_distractors(base, manifest):
    assert manifest.broken_paths and len(manifest.broken_paths) == 1
    report_paths = {r.path for r in manifest.reports}
    for d in manifest.distractors:
        assert d.path not in report_paths
        status, _, body = fetch(base, d.path)
        assert status == d.status
        if status == 200:
            assert d.title in body.decode("utf-8")


def test_http_conditional_and_head(base, manifest):
    path = manifest.reports[0].path
    status, headers, body = fetch(base, path)
    etag, lm = headers["ETag"], headers["Last-Modified"]
    assert etag and lm
    status, h304, b304 = fetch(base, path, headers={"If-None-Match": etag})
    assert status == 304 and b304 == b"" and h304["ETag"] == etag
    assert fetch(base, path, headers={"If-None-Match": f'"nope", W/{etag}'})[0] == 304
    assert fetch(base, path, headers={"If-None-Match": '"nope"'})[0] == 200
    assert fetch(base, path, headers={"If-Modified-Since": lm})[0] == 304
    assert fetch(base, path, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
    assert fetch(base, path, headers={"If-Modified-Since": "garbage"})[0] == 200
    assert fetch(base, manifest.list_pages[1], headers={"If-None-Match": "*"})[0] == 304
    status, hh, hb = fetch(base, path, method="HEAD")
    assert status == 200 and hb == b"" and int(hh["Content-Length"]) == len(body)


def test_errors_and_odd_requests(base, manifest):
    status, headers, body = fetch(base, "/no/such/page.htm")
    assert status == 404 and "页面不存在" in body.decode("utf-8")
    assert fetch(base, manifest.broken_paths[0])[0] == 404
    assert fetch(base, "/xxgk/xxgknb/", method="POST")[0] == 405
    assert fetch(base, "/%ff%fe/../../etc/passwd")[0] == 404
    assert fetch(base, "/xxgk/xxgknb/index.htm?foo=bar&x=%zz")[0] == 200
    assert fetch(base, "//xxgk//xxgknb/./index_1.htm")[0] == 200
    assert fetch(base, "/search/index.jsp?searchword=%E5%B9%B4%E6%8A%A5")[0] == 200
    host, port = urlsplit(base).hostname, urlsplit(base).port
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"\x16\x03\x01 garbage\r\n\r\n")
        assert re.match(rb"HTTP/1\.[01] 400 ", s.recv(100))
    assert fetch(base, "/")[0] == 200  # still alive


def test_document_bytes_do_not_depend_on_port(base, manifest):
    with serve_in_thread() as other:
        assert other != base
        for r in manifest.reports:
            assert fetch(base, r.path)[2] == fetch(other, r.path)[2]


def test_quiet_make_server(capsys):
    server = make_server()
    try:
        assert server.server_address[1] != 0 and server.daemon_threads
    finally:
        server.server_close()
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------- composed data


def grid(table) -> list[list[str]]:
    """Expand a table's rowspan/colspan into a rectangular grid of cell texts."""
    out: list[list[str | None]] = []
    for r, tr in enumerate(table.xpath("./tbody/tr | ./tr")):
        while len(out) <= r:
            out.append([])
        c = 0
        for td in tr.xpath("./td | ./th"):
            while c < len(out[r]) and out[r][c] is not None:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            for dr in range(rs):
                while len(out) <= r + dr:
                    out.append([])
                row = out[r + dr]
                while len(row) < c + cs:
                    row.append(None)
                for dc in range(cs):
                    assert row[c + dc] is None, "overlapping cells"
                    row[c + dc] = _norm(td.text_content())
            c += cs
    assert all(None not in row for row in out), "ragged table"
    return out


def spans(table) -> dict[str, tuple[int, int]]:
    return {_norm(td.text_content()): (int(td.get("rowspan", 1)), int(td.get("colspan", 1)))
            for td in table.iter("td")}


def report_tables(base, r):
    tree, _, _ = doc(base, r.path)
    return tree, tree.xpath('//div[@class="TRS_Editor"]//table')


def test_composed_reports_cover_templates(manifest):
    composed = manifest.composed_reports
    by_template = {}
    for r in composed:
        by_template.setdefault(r.template, []).append(r.year)
    assert sorted(by_template["2019"]) == [2019, 2020]
    assert sorted(by_template["2021"]) == [2021, 2022, 2023]
    assert by_template["legacy"]
    assert all(r.agency.startswith("威海市文登区") for r in composed)


def test_modern_tables_structure_and_values(base, manifest):
    for r in [r for r in manifest.composed_reports if r.template in ("2019", "2021")]:
        tree, tables = report_tables(base, r)
        assert len(tables) == 3, r.id
        t2, t3, t4 = tables
        # table 三
        s = spans(t3)
        assert s[national.T3_CHECK_NOTE] == (3, 3)
        assert s["申请人情况"] == (1, 7)
        assert s["自然人"] == (2, 1) and s["总计"] == (2, 1)
        assert s["法人或其他组织"] == (1, 5)
        assert s["三、本年度办理结果"] == ((20 if r.template == "2019" else 22), 1)
        assert s["（三）不予公开"] == (8, 1)
        assert s["（四）无法提供"] == (3, 1)
        assert s["（五）不予处理"] == (5, 1)
        assert s["（六）其他处理"] == ((1, 2) if r.template == "2019" else (3, 1))
        assert s["（七）总计"] == (1, 2)
        for label in ("一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "四、结转下年度继续办理"):
            assert s[label] == (1, 3)
        g = grid(t3)
        assert all(len(row) == 10 for row in g)
        assert g[2][3] == "自然人" and g[2][9] == "总计"
        assert g[2][4:9] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
        cells = national.table3_cells(r.template, r.data["tables"]["table3"])
        keys = national.t3_row_keys(r.template)
        assert len(g) == 3 + len(keys)
        for key, row in zip(keys, g[3:]):
            assert row[3:] == [_norm(c.show) for c in cells[key]], (r.id, key)
        if r.template == "2021":
            assert [row[1] for row in g[-5:-2]] == ["（六）其他处理"] * 3
            assert g[-5][2].startswith("1.申请人无正当理由逾期不补正")
        # table 四
        s4 = spans(t4)
        assert s4["行政复议"] == (1, 5) and s4["行政诉讼"] == (1, 10)
        assert s4["未经复议直接起诉"] == (1, 5) and s4["复议后起诉"] == (1, 5)
        g4 = grid(t4)
        assert len(g4) == 4 and all(len(row) == 15 for row in g4)
        assert g4[1][:5] == g4[2][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
        assert g4[2][5:10] == g4[2][10:15] == g4[1][:5]
        assert g4[3] == [_norm(c.show) for c in national.table4_cells(r.data["tables"]["table4"])]
        # table 二
        g2 = grid(t2)
        assert all(len(row) == 4 for row in g2)
        text2 = t2.text_content()
        if r.template == "2021":
            for w in ("第二十条第（一）项", "本年制发件数", "本年废止件数", "现行有效件数", "行政规范性文件",
                      "第二十条第（五）项", "本年处理决定数量", "行政许可", "第二十条第（六）项", "行政处罚",
                      "行政强制", "第二十条第（八）项", "本年收费金额（单位：万元）", "行政事业性收费"):
                assert w in text2
            assert spans(t2)["本年处理决定数量"] == (1, 3)
        else:
            for w in ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减",
                      "处理决定数量", "其他对外管理服务事项", "政府集中采购", "采购项目数量", "采购总金额"):
                assert w in text2
            assert spans(t2)["采购总金额"] == (1, 2)
        assert spans(t2)["第二十条第（一）项"] == (1, 4)
        # prose figures
        body = _norm(tree.xpath('//div[@class="TRS_Editor"]')[0].text_content())
        for p in r.prose:
            assert p["text"] in body
            assert int(re.sub(r"\D", "", p["text"])) == p["value"]


def test_legacy_table(base, manifest):
    legacy = [r for r in manifest.composed_reports if r.template == "legacy"]
    for r in legacy:
        _, tables = report_tables(base, r)
        assert len(tables) == 1
        g = grid(tables[0])
        assert g[0] == ["指标名称", "单位", "数量"]
        assert all(len(row) == 3 for row in g)
        rows = national.legacy_rows(r.data["tables"]["legacy"])
        assert [row[0] for row in g[1:]] == [x["label"] for x in rows]
        assert len(r.figures["table"]) > 50


def test_messiness_present(base, manifest):
    shows = set()
    for r in manifest.composed_reports:
        _, tables = report_tables(base, r)
        for t in tables:
            shows.update(td.text_content().strip() for td in t.iter("td"))
    assert {"", "—", "0.5万元", "251000元", "１２"} <= shows


def test_consistency_only_where_intended(manifest):
    bad = {r.id: r.consistency_problems() for r in manifest.composed_reports if r.consistency_problems()}
    assert list(bad) == ["composed_2022_wdqzfb"]
    r = manifest.report_by_id("composed_2022_wdqzfb")
    assert r.deliberate_inconsistency
    assert r.figures["table3"]["disclosed"]["total"] == 20
    assert len(bad["composed_2022_wdqzfb"]) == 2


def test_readme_generated_sections_up_to_date(manifest):
    text = README.read_text(encoding="utf-8")
    assert apply(text, sections(manifest)) == text, "run: python -m sample_portal.docs --write"


# ------------------------------------------------------------ whole-site crawl


def test_polite_crawl_finds_exactly_the_manifest(base, manifest):
    """A crawl that follows same-host links, obeys robots.txt and reads the
    createPageHTML pager reaches every report and list entry, and nothing
    off-site."""
    host = urlsplit(base).netloc
    rp = RobotFileParser()
    rp.parse(fetch(base, "/robots.txt")[2].decode().splitlines())
    todo, seen, statuses, offsite = [base], set(), {}, set()
    while todo:
        url = todo.pop()
        path = path_of(url)
        if path in seen:
            continue
        seen.add(path)
        status, headers, body = fetch(base, url)
        statuses[path] = status
        if status != 200 or not headers["Content-Type"].startswith("text/html"):
            continue
        html = decode(headers, body)
        tree = lxml.html.document_fromstring(html)
        found = links(tree, url)
        for n, _i in PAGER.findall(html):
            found += [("", urljoin(url, "index.htm" if k == 0 else f"index_{k}.htm")) for k in range(int(n))]
        for _t, u in found:
            if urlsplit(u).netloc != host:
                offsite.add(u)
            elif rp.can_fetch("*", u):
                todo.append(u)
    assert not any(p.startswith(tuple(manifest.disallowed_paths)) for p in seen)
    assert {r.path for r in manifest.reports} <= seen
    assert set(manifest.list_pages) <= seen
    assert {p for p, s in statuses.items() if s == 404} == set(manifest.broken_paths)
    assert offsite == set(manifest.offsite_links)
    reports_in_column = {p for p in seen if re.match(re.escape(manifest.column_path) + r"\d{6}/t\d{8}_\d+\.htm$", p)}
    listed = {d.path for d in manifest.distractors} | {r.path for r in manifest.reports}
    assert reports_in_column <= listed
