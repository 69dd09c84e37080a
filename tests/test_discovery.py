"""Discovery of every body (`xxgk sites discover`): the sample tree over
loopback (sample_portal/tree.py: 岳阳市, its departments and counties, 平江县
with 30 departments and 15 townships, bodies sharing a platform and bodies with
sites of their own), the registry it writes, a crawl of what it found, the
politeness slot that bodies of one host share, and a platform's list of bodies
read from a saved page."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml

from conftest import FAST, ROOT, query, run_xxgk

FIXTURE = ROOT / "tests" / "fixtures" / "discovery" / "county-platform-bodies.html"


@pytest.fixture(scope="module")
def tree():
    from sample_portal.tree import serve_tree_in_thread

    with serve_tree_in_thread() as urls:
        yield urls


def discover(tree_or_url, folder: Path, *options: str):
    url = tree_or_url if isinstance(tree_or_url, str) else tree_or_url.root
    result = run_xxgk("sites", "discover", url, "--sites", str(folder / "sites.yaml"), "--db", str(folder / "xxgk.db"),
                      "--archive", str(folder / "archive"), *FAST, *options)
    return result


def entries(folder: Path) -> list[dict]:
    return yaml.safe_load((folder / "sites.yaml").read_text(encoding="utf-8"))["sites"]


@pytest.fixture(scope="module")
def discovered(tree, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("discovered")
    result = discover(tree, folder)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


def test_discovery_finds_every_body_of_the_tree(tree, discovered):
    from parse.bodies import body_key

    found = {e["start_url"]: e for e in entries(discovered)}
    expected = {tree.url(b): b for b in tree.tree.bodies.values()}
    assert len(expected) == 57
    # every body, and nothing else: no navigation (首页, 新闻中心, 一网通办, 联系我们), no sibling
    # from a sidebar, no higher government from a footer (湖南省人民政府, 岳阳市人民政府)
    assert set(found) == set(expected)
    for url, body in expected.items():
        entry = found[url]
        assert body_key(entry["agency"]) == body_key(body.name), (entry["agency"], body.name)
        assert entry["level"] == body.level, entry["name"]
        assert entry["province"] == "湖南省" and entry["city"] == "岳阳市", entry["name"]
        assert entry.get("county") == body.county, entry["name"]
        assert entry["report_column"] == tree.url(body, body.column), entry["name"]
        assert entry["family"] == body.family, entry["name"]
        parent = tree.tree.bodies.get(body.parent) if body.parent else None
        if parent is None:
            assert entry["discover"] == 2 and "discovered_from" not in entry
        else:
            assert entry["discovered_from"].startswith(tree[parent.host])
        assert entry["discovery_root"] == tree.root and entry["verified"] is True
    # the tree's shape: shared hosts and sites of their own
    hosts = [e["report_column"].split("/")[2] for e in found.values()]
    assert hosts.count(tree["pingjiang"].split("/")[2]) == 44 and len(set(hosts)) == 5
    by_level = sorted(e["level"] for e in found.values())
    assert by_level.count("township") == 16 and by_level.count("department") == 34


def test_discovery_prints_the_tree(discovered, tree):
    result = discover(tree, discovered)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0] == f"[discovery] {tree.root}: 57 bodies (0 new, 0 updated, 0 gone, 0 registered by hand) -> " \
                       f"{discovered / 'sites.yaml'}"
    assert any(line.split()[:3] == ["township", "平江县安定镇人民政府", "trs"] for line in lines)
    assert any(line.split()[:3] == ["department", "平江县教育局", "hanweb"] for line in lines)


def test_rediscovery_updates_and_marks_what_left_the_tree(tmp_path):
    from sample_portal.tree import serve_tree_in_thread

    with serve_tree_in_thread() as tree:
        result = discover(tree, tmp_path)
        assert result.returncode == 0, result.stderr[-3000:]
        first = entries(tmp_path)
        again = discover(tree, tmp_path)
        assert again.returncode == 0 and "57 bodies (0 new, 0 updated, 0 gone" in again.stdout
        assert entries(tmp_path) == first  # idempotent: the same entries, none twice
        port = int(tree.root.split(":")[2].split("/")[0])
        gone_url = tree.url(tree.tree.bodies["pingjiang/slj"])
    # the platform stops listing 县水利局 (the same hosts and port, a smaller tree)
    with serve_tree_in_thread(port, without={"pingjiang/slj"}) as smaller:
        third = discover(smaller, tmp_path)
        crawl = run_xxgk("crawl", "--all", "--no-discover", "--no-parse", "--sites", str(tmp_path / "sites.yaml"),
                         "--db", str(tmp_path / "xxgk.db"), "--archive", str(tmp_path / "archive"), *FAST)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    crawled = [x for x in crawl.stdout.splitlines() if "crawl finished" in x]
    assert len(crawled) == 56 and not any(x.startswith("[平江县水利局]") for x in crawled)  # a gone body is left out
    assert "[discovery]" not in crawl.stdout  # --no-discover
    assert third.returncode == 0, third.stderr[-3000:]
    # 1 updated: the department after it moved from the list's second page to its first (discovered_from)
    assert "56 bodies (0 new, 1 updated, 1 gone" in third.stdout and "gone: 平江县水利局" in third.stdout
    after = {e["start_url"]: e for e in entries(tmp_path)}
    assert len(after) == 57 and after[gone_url]["gone_since"]  # marked, not deleted
    assert all(not e.get("gone_since") for url, e in after.items() if url != gone_url)
    listed = run_xxgk("sites", "--sites", str(tmp_path / "sites.yaml"), "--db", str(tmp_path / "xxgk.db"))
    line = next(x for x in listed.stdout.splitlines() if x.startswith("平江县水利局 "))
    assert line.endswith(f"(gone since {after[gone_url]['gone_since']}: no longer listed by {tree.root})")


def test_a_crawl_of_the_discovered_sites_archives_each_bodys_reports(tree, discovered, tmp_path):
    registry = tmp_path / "sites.yaml"
    registry.write_text((discovered / "sites.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    db, archive = tmp_path / "xxgk.db", tmp_path / "archive"
    result = run_xxgk("crawl", "--all", "--sites", str(registry), "--db", str(db), "--archive", str(archive),
                      "--no-parse", *FAST, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    # the scheduled crawl walked the tree again first (it keeps the registry current)
    assert f"[discovery] {tree.root}: 57 bodies (0 new" in result.stdout
    names = {e["start_url"]: e["name"] for e in entries(discovered)}
    rows = query(db, "SELECT site, url FROM reports")
    by_site: dict[str, set[str]] = {}
    for row in rows:
        by_site.setdefault(row["site"], set()).add(row["url"])
    # every body's reports, under its own site: none of another body's (the platform's
    # navigation links the county's 年报 from every department's page)
    for body in tree.tree.bodies.values():
        assert by_site.get(names[tree.url(body)]) == {tree.url(body, r.path) for r in body.reports}, body.name
    assert len(rows) == sum(len(b.reports) for b in tree.tree.bodies.values()) == 115
    # robots.txt once per host for the whole crawl, not once per site (44 sites on 127.0.2.2)
    robots = query(db, "SELECT f.url FROM fetches f JOIN crawl_runs r ON r.id = f.crawl_run_id "
                       "WHERE f.url LIKE '%/robots.txt' AND r.site NOT LIKE 'discovery %'")
    assert sorted(row["url"] for row in robots) == sorted(f"{url}robots.txt" for url in tree.values())


def test_bodies_on_one_host_share_one_politeness_slot(tree, discovered, tmp_path):
    import time

    shared = [e for e in entries(discovered) if e["report_column"].startswith(tree["pingjiang"] + "xxgk/bm/")][:6]
    assert len(shared) == 6
    bodies = {tree.url(b): b for b in tree.tree.bodies.values()}
    for entry in shared:  # pages rendered once before: the log's times (when answered) are when asked
        body = bodies[entry["start_url"]]
        for path in [body.column, *(r.path for r in body.reports)]:
            httpx.get(tree.url(body, path)).raise_for_status()
    since = time.time()
    delay = 0.25
    result = run_xxgk("crawl", *(a for e in shared for a in ("--site", e["name"])),
                      "--sites", str(discovered / "sites.yaml"), "--db", str(tmp_path / "xxgk.db"),
                      "--archive", str(tmp_path / "archive"), "--no-parse", "-s", f"DOWNLOAD_DELAY={delay}",
                      "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING", timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    log = sorted((r.time, r.target) for r in tree["pingjiang"].requests if r.time >= since)
    times = [t for t, _target in log]
    # six crawlers (one per site), each with its own Scrapy slot: together one request per delay
    assert len(times) == 1 + 6 * 4  # robots.txt once for the host; each site's soft-404 probe, column, two reports
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= delay * 0.8, [(round(t - since, 3), p) for t, p in log]  # when answered: a little jitter
    assert times[-1] - times[0] >= delay * (len(times) - 1) * 0.95


def test_discover_says_what_is_wrong_in_one_line(tmp_path):
    bad = run_xxgk("sites", "discover", "not-a-url", "--sites", str(tmp_path / "s.yaml"))
    assert bad.returncode == 2 and "not an http(s) URL: 'not-a-url'" in bad.stderr and "Traceback" not in bad.stderr
    url = "http://127.0.2.9:9/xxgk/"  # nothing listens there
    down = run_xxgk("sites", "discover", url, "--sites", str(tmp_path / "sites.yaml"), "--db", str(tmp_path / "x.db"),
                    "--archive", str(tmp_path / "archive"), "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_BACKOFF_BASE=0.1")
    assert down.returncode == 1 and "Traceback" not in down.stderr
    assert f"[discovery] {url} could not be read: {url}: " in down.stderr
    assert "1 of 1 discovery root(s) could not be read: " + url in down.stderr
    assert not (tmp_path / "sites.yaml").exists()


# -- a platform's list of bodies, from a page -------------------------------------------------------------------


def test_a_platforms_list_of_bodies_read_from_a_saved_page():
    from scrapy.http import HtmlResponse

    from crawler.discovery import body_links, column_link, is_body_list_text, page_body_name, qualify
    from crawler.links import page_links

    page = HtmlResponse(url="http://www.pingjiang.gov.cn/xxgk/", body=FIXTURE.read_bytes(), encoding="utf-8")
    links = page_links(page)
    root = qualify(page_body_name(page.xpath("//title/text()").get(),
                                  page.xpath("//meta[@name='SiteName']/@content").get()), None)
    assert (root.name, root.level, root.region["county"]) == ("平江县人民政府", "county", "平江县")
    found = [(link.text, placed.name, placed.level) for link, placed in body_links(links, root)]
    assert found == [
        ("县政府办", "平江县政府办", "department"),
        ("县发改局", "平江县发改局", "department"),
        ("县教育局", "平江县教育局", "department"),  # on a host of its own
        ("县公安局", "平江县公安局", "department"),
        ("县财政局", "平江县财政局", "department"),
        ("县人社局", "平江县人社局", "department"),
        ("县市场监督管理局", "平江县市场监督管理局", "department"),
        ("县卫健局", "平江县卫健局", "department"),
        ("县融媒体中心", "平江县融媒体中心", "department"),
        ("汉昌街道", "平江县汉昌街道办事处", "township"),
        ("安定镇", "平江县安定镇人民政府", "township"),
        ("三市镇", "平江县三市镇人民政府", "township"),
        ("木金乡", "平江县木金乡人民政府", "township"),
    ]  # not 中国政府网, 湖南省人民政府, 岳阳市人民政府, 新闻中心, 一网通办, 更多>>, 网站地图, 联系我们
    assert [link.text for link in links if is_body_list_text(link.text)] == ["政府部门", "乡镇（街道）"]
    assert column_link(links, page.url).url == "http://www.pingjiang.gov.cn/xxgk/zfxxgknb/"


def test_link_texts_of_bodies_and_of_lists():
    from crawler.discovery import body_link_name, is_body_list_text

    for text in ("部门信息公开", "乡镇（街道）信息公开", "政府部门", "镇街", "部门和镇（街）年报", "县（市、区）信息公开",
                 "区直部门", "县市区"):
        assert is_body_list_text(text), text
    for text in ("政府信息公开年报", "法定主动公开内容", "首页", "部门动态"):
        assert not is_body_list_text(text), text
    for text in ("首页", "新闻中心", "一网通办", "联系我们", "网站地图", "政府信息公开", "政府信息公开年报",
                 "中国政府网", "2023年", "更多>>", "办事服务"):
        assert body_link_name(text) is None, text
    assert body_link_name("县发展和改革局信息公开") == "县发展和改革局"
    assert body_link_name("安定镇") == "安定镇"


def test_coverage_shows_the_discovered_bodies_never_seen(tree, discovered, tmp_path):
    """/-/coverage of 平江县: the bodies crawled with their years, every other body the
    registry holds (discovered) as never seen, 缺 in each year."""
    import lxml.html

    from conftest import free_port, running
    from publish.datasette_app import serve_argv
    from publish.prepare import prepare

    registry = discovered / "sites.yaml"
    crawled = ["平江县发展和改革局", "平江县公安局", "平江县安定镇人民政府"]
    db, archive = tmp_path / "xxgk.db", tmp_path / "archive"
    result = run_xxgk("crawl", *(a for name in crawled for a in ("--site", name)), "--sites", str(registry),
                      "--db", str(db), "--archive", str(archive), *FAST, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    prepare(db, archive, sites_yaml=registry)
    port = free_port()
    with running(serve_argv(db, port=port, archive_dir=archive, prepare_db=False), port) as base:
        response = httpx.get(base + "/-/coverage", params={"province": "湖南省", "city": "岳阳市", "county": "平江县"},
                             timeout=60)
    assert response.status_code == 200, response.text[:500]
    grid = lxml.html.fromstring(response.text).xpath("//table[contains(@class, 'xxgk-coverage')]")[0]
    years = [int(th.text) for th in grid.xpath(".//thead//th")[1:-1]]
    assert years == [2022, 2023]
    rows = {row.xpath("string(td[1])"): row for row in grid.xpath(".//tbody/tr")}
    in_county = {e["agency"] for e in entries(discovered) if e.get("county") == "平江县"}
    assert len(in_county) == 46 and set(rows) == in_county
    for agency, row in rows.items():
        cells = row.xpath("td")[1:-1]
        if agency in crawled:
            assert [c.get("class") for c in cells] == ["seen", "seen"], agency
        else:  # registered by discovery, no report archived: 缺 in every year, never seen
            assert [c.text for c in cells] == ["缺", "缺"] and "never seen" in row.xpath("string(td[last()])"), agency
    assert "43 never seen" in response.text


def test_discovered_bodies_join_a_hand_written_registry_below_its_marker(tmp_path):
    from crawler.discovered import MARKER, write_registry
    from crawler.sites import load_sites

    registry = tmp_path / "sites.yaml"
    head = ("# my portals, by hand\nsites:\n  - name: 平江县教育局\n    start_url: http://jyj.example.gov.cn/\n"
            "    note: \"kept as I wrote it\"  # a comment\n")
    registry.write_text(head, encoding="utf-8")
    root = "http://www.example.gov.cn/xxgk/"
    found = [{"name": "平江县人民政府", "agency": "平江县人民政府", "level": "county", "start_url": root,
              "report_column": root + "nb/", "discovery_root": root, "discover": 2, "discovered": "2026-01-01"},
             {"name": "平江县教育局", "agency": "平江县教育局", "level": "department", "start_url": root + "bm/jyj/",
              "discovery_root": root, "discovered": "2026-01-01"},
             {"name": "平江县民政局", "agency": "平江县民政局", "level": "department", "start_url": root + "bm/mzj/",
              "report_column": root + "bm/mzj/nb/", "discovery_root": root, "discovered": "2026-01-01"}]
    merge = write_registry(registry, [dict(e) for e in found], root, "2026-01-01")
    assert merge.new == ["平江县人民政府", "平江县民政局"] and merge.by_hand == ["平江县教育局"]
    text = registry.read_text(encoding="utf-8")
    assert text.startswith(head) and text.count(MARKER) == 1  # what was written by hand stays, byte for byte
    assert [s.name for s in load_sites(registry)] == ["平江县教育局", "平江县人民政府", "平江县民政局"]
    again = write_registry(registry, [dict(e) for e in found], root, "2026-02-01")
    assert again.new == [] and again.gone == [] and registry.read_text(encoding="utf-8").startswith(head)
    gone = write_registry(registry, [dict(found[0])], root, "2026-03-01")
    assert gone.gone == ["平江县民政局"]
    sites = {s.name: s for s in load_sites(registry)}
    assert sites["平江县民政局"].gone_since == "2026-03-01" and sites["平江县人民政府"].discover == 2
    back = write_registry(registry, [dict(e) for e in found], root, "2026-04-01")
    assert back.gone == [] and load_sites(registry)[2].gone_since is None  # listed again: no longer gone


@pytest.mark.parametrize("host, bodies", [("pingjiang", 46), ("huarong", 4)])
def test_discovery_from_a_county_portals_home(tree, tmp_path, host, bodies):
    """From a portal's home page (its navigation links the platform's own 年报 column,
    its lists of bodies are one hop on, on the 政府信息公开 page): the county and its bodies."""
    result = discover(tree[host], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    found = entries(tmp_path)
    county = tree.tree.bodies[f"{host}/"]
    expected = {tree.url(county)} | {tree.url(tree.tree.bodies[k]) for k in county.children}
    assert len(found) == bodies and {e["start_url"] for e in found[1:]} | {tree.url(county)} == expected
    assert found[0]["start_url"] == tree[host] and found[0]["agency"] == county.name
    assert found[0]["report_column"] == tree.url(county, county.column)


def test_sigterm_stops_the_sites_waiting_for_one_hosts_slot_within_seconds(tree, discovered, tmp_path):
    """44 sites on one host at one request a second: most of their requests wait for the
    host's slot; SIGTERM drops them at once (a crawl stops within seconds)."""
    import signal
    import subprocess
    import sys
    import time

    argv = [sys.executable, "-m", "xxgk", "crawl", "--all", "--no-discover", "--sites", str(discovered / "sites.yaml"),
            "--db", str(tmp_path / "xxgk.db"), "--archive", str(tmp_path / "archive"),
            "-s", "DOWNLOAD_DELAY=1", "-s", "AUTOTHROTTLE_ENABLED=False"]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        since = time.time()
        while time.monotonic() < deadline and sum(r.time >= since for r in tree["pingjiang"].requests) < 3:
            time.sleep(0.2)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=60)
        stopped_after = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert stopped_after < 15, f"{stopped_after:.1f} s after SIGTERM"
    assert proc.returncode == 1 and "crawl stopped by a signal" in err and "Traceback" not in err


def test_bodies_listed_in_a_footers_drop_downs():
    from scrapy.http import HtmlResponse

    from crawler.discovery import body_links, qualify, select_links

    fixture = FIXTURE.with_name("prefecture-footer-selects.html")
    page = HtmlResponse(url="http://www.yueyang.example.gov.cn/zwgk/", body=fixture.read_bytes(), encoding="utf-8")
    links = select_links(page)  # only the drop-downs that name a list of bodies (not 国家部委, not 省内各市)
    assert [link.text for link in links] == ["岳阳楼区人民政府", "云溪区人民政府", "平江县人民政府", "汨罗市人民政府",
                                             "岳阳市发展和改革委员会", "岳阳市教育局"]
    root = qualify("岳阳市人民政府", None)
    found = [(placed.name, placed.level, placed.region.get("county")) for _link, placed in body_links(links, root)]
    assert found == [("岳阳市岳阳楼区人民政府", "county", "岳阳楼区"), ("岳阳市云溪区人民政府", "county", "云溪区"),
                     ("平江县人民政府", "county", "平江县"), ("汨罗市人民政府", "county", "汨罗市"),
                     ("岳阳市发展和改革委员会", "department", None), ("岳阳市教育局", "department", None)]
