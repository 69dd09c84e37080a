"""The sample portal's `realdocs` site: the real reports of tests/gold/real,
served as they are, crawled with `xxgk crawl` and parsed, and the figures a
person read off them found in the catalogue."""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import FAST, run_xxgk

REAL = Path(__file__).parent / "gold" / "real"
GOLD_FILES = sorted(REAL.glob("*.gold.yaml"))
SITE = "sample-realdocs"
# Reports whose served document the parser reads whole (the portal page, or the
# PDF behind the page), and figures of their gold to find in the catalogue.
CHECKED = {
    "pingtan-syq-2021": ["requests.new.total", "requests.carried_over.total", "proactive.licensing.decisions",
                         "proactive.total"],
    "x-shanghai-bgt-2019": ["requests.new.total", "requests.carried_over.total", "response.interpretations"],
    "huaian-szf-2024": ["requests.new.total", "requests.carried_over.total", "proactive.licensing.decisions"],
}


def slug_of(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[1].removesuffix(".html")


def gold(slug: str) -> dict:
    return yaml.safe_load((REAL / f"{slug}.gold.yaml").read_text(encoding="utf-8"))


def gold_value(slug: str, key: str):
    figures = gold(slug)["figures"]
    for tag in ("table", "prose"):
        raw = (figures.get(tag) or {}).get(key)
        if raw is not None:
            return raw["value"] if isinstance(raw, dict) else raw
    raise KeyError(f"{slug}: the gold has no {key}")


@pytest.fixture(scope="module")
def manifest():
    from sample_portal.manifest import load_manifest

    return load_manifest("realdocs")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One `xxgk crawl --all` of a registry listing the realdocs site."""
    from archive.blobs import BlobStore
    from sample_portal.server import serve_sites_in_thread

    folder = tmp_path_factory.mktemp("realdocs")
    with serve_sites_in_thread(["realdocs"]) as urls:
        registry = folder / "sites.yaml"
        registry.write_text(yaml.safe_dump({"sites": [
            {"name": SITE, "start_url": str(urls["realdocs"]), "family": "auto"}]}), encoding="utf-8")
        result = run_xxgk("crawl", "--all", "--sites", str(registry), "--db", str(folder / "xxgk.db"),
                          "--archive", str(folder / "archive"), *FAST)
        requests = urls["realdocs"].requests
    assert result.returncode == 0, result.stderr[-3000:]
    conn = sqlite3.connect(folder / "xxgk.db")
    conn.row_factory = sqlite3.Row
    yield {"db": conn, "blobs": BlobStore(folder / "archive"), "url": str(urls["realdocs"]),
           "requests": requests, "stdout": result.stdout, "stderr": result.stderr}
    conn.close()


def blob(crawled, sha256: str) -> bytes:
    return crawled["blobs"].get(sha256)


def reports(crawled) -> dict[str, dict]:
    rows = [dict(r) for r in crawled["db"].execute("SELECT * FROM reports WHERE site = ?", [SITE])]
    return {slug_of(r["url"]): r for r in rows}


# ------------------------------------------------------------------ the site


def test_manifest_lists_every_real_report_once(manifest):
    slugs = [r.slug for r in manifest.reports]
    assert len(GOLD_FILES) >= 30
    assert sorted(slugs) == sorted(p.name.removesuffix(".gold.yaml") for p in GOLD_FILES)
    assert len({r.path for r in manifest.reports}) == len(slugs)
    assert [e.document for e in manifest.list_entries] == manifest.reports  # one list entry per report
    assert manifest.address == "127.0.0.7" and manifest.family == "realdocs"
    for r in manifest.reports:
        g = gold(r.slug)
        assert not r.test_data and r.title == g["report"] and r.year == g["year"]
        assert g["agency_contains"] in r.agency
        files = [d["file"] for d in g["documents"]]
        assert r.rendering in files
        if any(f.endswith(".html") for f in files):
            assert r.served == "page" and r.rendering.endswith(".html")
        elif any(f.endswith(".pdf") for f in files):
            assert r.served == "attachment" and r.attachment_path.endswith(r.rendering)
        else:
            assert r.served == "text"
    assert {r.served for r in manifest.reports} == {"page", "attachment", "text"}


def test_registered_with_every_family():
    from sample_portal.families import ADDRESSES, FAMILIES

    assert "realdocs" in FAMILIES and ADDRESSES["realdocs"] == "127.0.0.7"
    assert len(set(ADDRESSES.values())) == len(ADDRESSES) == len(FAMILIES)


# ------------------------------------------------------------------ the crawl


def test_every_real_report_is_archived_exactly_once(crawled, manifest):
    rows = list(crawled["db"].execute("SELECT url FROM reports WHERE site = ?", [SITE]))
    slugs = [slug_of(r["url"]) for r in rows]
    assert sorted(slugs) == sorted(r.slug for r in manifest.reports)
    assert {urlsplit(r["url"]).path for r in rows} == {r.path for r in manifest.reports}
    run = crawled["db"].execute("SELECT * FROM crawl_runs WHERE site = ?", [SITE]).fetchone()
    assert run["status"] == "finished" and run["errors"] == 0
    assert run["new_reports"] == len(manifest.reports)
    assert f"[{SITE}] crawl finished:" in crawled["stdout"] + crawled["stderr"]


def test_portal_pages_are_archived_byte_for_byte(crawled, manifest):
    rows = reports(crawled)
    pages = [r for r in manifest.reports if r.served == "page"]
    assert len(pages) >= 5
    for r in pages:
        row = rows[r.slug]
        assert row["complete"] == 1
        assert blob(crawled, row["sha256"]) == (REAL / r.rendering).read_bytes(), r.slug


def test_pdf_reports_are_parsed_from_the_real_pdf(crawled, manifest):
    rows = reports(crawled)
    pdfs = [r for r in manifest.reports if r.served == "attachment"]
    assert pdfs
    for r in pdfs:
        row = rows[r.slug]
        attachment = crawled["db"].execute("SELECT * FROM attachments WHERE report_id = ? AND role = 'document'", [row["id"]]).fetchone()
        assert attachment is not None and urlsplit(attachment["url"]).path == r.attachment_path
        assert blob(crawled, attachment["sha256"]) == (REAL / r.rendering).read_bytes()
        assert row["parsed_sha256"] == attachment["sha256"], r.slug
        page = blob(crawled, row["sha256"]).decode("utf-8")
        assert f"附件：<a href=\"{r.attachment_path}\"" in page


def test_text_reports_hold_their_text_rendering_and_every_page_its_source(crawled, manifest):
    rows = reports(crawled)
    for r in manifest.reports:
        if r.served == "page":
            continue
        page = blob(crawled, rows[r.slug]["sha256"]).decode("utf-8")
        src = gold(r.slug)["source"]
        assert "原文来源：" in page and "并非测试数据" in page and "xxgk-test-data" not in page
        for part in ("repo", "path", "url"):
            if src.get(part):
                assert html.escape(str(src[part]), quote=False) in page, (r.slug, part)
        assert f"发布机构：</td><td>{r.agency}</td>" in page
        if r.served == "text":
            text = re.search(r'<pre class="real-text">(.*?)</pre>', page, re.S).group(1)
            assert html.unescape(text) == (REAL / r.rendering).read_text(encoding="utf-8"), r.slug


def test_the_list_states_each_source(crawled, manifest):
    fetched = {urlsplit(r["url"]).path: r["sha256"]
               for r in crawled["db"].execute("SELECT url, sha256 FROM fetches WHERE status = 200")}
    listed = "".join(blob(crawled, fetched[target]).decode("utf-8") for target in manifest.list_pages)
    assert listed.count("原文来源：") == len(manifest.reports)
    for r in manifest.reports:
        assert f'href="{r.slug}.html"' in listed


def test_only_the_site_itself_is_fetched(crawled):
    host = urlsplit(crawled["url"]).netloc
    sent = crawled["db"].execute("SELECT url FROM fetches WHERE kind IS NOT 'offsite'")  # refusals: not sent
    assert {urlsplit(r["url"]).netloc for r in sent} == {host}
    assert not [q for q in crawled["requests"] if q.path.startswith("/search/")]
    # every request finds a page, but the one the crawler makes on purpose to learn
    # the site's not-found answer (crawler/soft404.py)
    asked = [q for q in crawled["requests"] if not q.path.startswith("/xxgk-archive-no-such-page-")]
    assert len(asked) == len(crawled["requests"]) - 1
    assert all(q.status in (200, 304) for q in asked)


# ------------------------------------------------------------------ the parse


def test_every_real_report_is_parsed_with_its_year(crawled, manifest):
    rows = reports(crawled)
    for r in manifest.reports:
        row = rows[r.slug]
        assert row["parse_status"] == "ok", (r.slug, row["parse_error"])
        assert row["year"] == r.year, (r.slug, row["title"])


@pytest.mark.parametrize("slug", sorted(CHECKED))
def test_figures_read_by_hand_are_in_the_catalogue(crawled, manifest, slug):
    report = next(r for r in manifest.reports if r.slug == slug)
    assert report.served in ("page", "attachment")  # the parser reads these whole
    row = reports(crawled)[slug]
    metrics = {m["key"]: m["value"] for m in crawled["db"].execute(
        "SELECT key, value FROM metrics WHERE report_id = ?", [row["id"]])}
    for key in CHECKED[slug]:
        assert key in metrics, (slug, key)
        assert float(metrics[key]) == float(gold_value(slug, key)), (slug, key, metrics[key])
