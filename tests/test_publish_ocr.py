"""Figures read by OCR on the published site: their origin, and the crop of the
picture beside each doubtful one.

Real material: page 4 of 淮安市人民政府 2024's PDF rendered to a picture (as in
tests/test_ocr_evidence.py), read by OCR, one token's confidence lowered as a
poor scan would have it; its figures stored for a report of the crawled sample
portal and served by ``xxgk serve``.
"""

from __future__ import annotations

import io
import json
import shutil

import httpx
import pytest

from conftest import serve
from test_ocr_evidence import REAL, _with_token


@pytest.fixture(scope="module")
def site(crawled, tmp_path_factory):
    import pypdfium2 as pdfium

    from archive.blobs import BlobStore
    from archive.catalogue import open_db, save_parse_result
    from parse.formats import extract
    from parse.report import build_report

    folder = tmp_path_factory.mktemp("ocr-site")
    db_path, archive = folder / "xxgk.db", folder / "archive"
    shutil.copy(crawled.db, db_path)
    shutil.copytree(crawled.archive, archive)
    out = io.BytesIO()
    pdfium.PdfDocument(str(REAL / "huaian-szf-2024.pdf"))[3].render(scale=2.0).to_pil().save(out, format="PNG")
    picture = out.getvalue()
    digest, _ = BlobStore(archive).put(picture)
    doc = _with_token(extract(picture, name="p4.png"), "447", "447", confidence=0.6)
    report = build_report(doc)
    result = report.to_dict()
    for metric in result["metrics"]:
        if "origin" in metric:  # not the sums derived from them
            metric["origin"]["document"] = digest
    db = open_db(db_path)
    report_id = db.execute("SELECT min(id) FROM reports").fetchone()[0]
    db.execute("INSERT OR IGNORE INTO bodies (sha256, size, first_stored_at) VALUES (?, ?, '2025-01-01')",
               [digest, len(picture)])
    db.conn.commit()
    save_parse_result(db, report_id, result, report.text, parsed_sha256=digest)
    db.close()
    with serve(db_path) as base:
        yield {"base": base, "report": report_id, "picture": picture, "digest": digest}


def figures(site, **params) -> list[dict]:
    response = httpx.get(site["base"] + "/xxgk/figures.json",
                         params={"_shape": "array", "_size": "max", "report_id": site["report"], **params}, timeout=30)
    assert response.status_code == 200, response.text[:500]
    return response.json()


def test_ocr_figures_are_published_with_their_origin(site):
    rows = figures(site, source="ocr")
    assert len(rows) >= 80
    for row in rows:
        origin = json.loads(row["origin"])
        assert origin["document"] == site["digest"] and len(origin["box"]) == 4
    doubtful = figures(site, certain=0)
    assert [r["key"] for r in doubtful] == ["outcome.partially_disclosed.natural_person"]


def test_a_doubtful_figure_is_shown_beside_its_crop(site):
    from PIL import Image

    page = httpx.get(site["base"] + "/xxgk/figures", params={"report_id": site["report"], "certain": 0}, timeout=30)
    assert page.status_code == 200
    crops = [m for m in __import__("re").findall(r'<img class="xxgk-crop" src="([^"]+)"', page.text)]
    assert len(crops) == 1
    crop = httpx.get(site["base"] + crops[0].replace("&amp;", "&"), timeout=30)
    assert crop.status_code == 200 and crop.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(crop.content))
    box = json.loads(figures(site, certain=0)[0]["origin"])["box"]
    assert abs(image.width - (box[2] - box[0] + 48)) <= 2 and abs(image.height - (box[3] - box[1] + 48)) <= 2
    certain = httpx.get(site["base"] + "/xxgk/figures", params={"report_id": site["report"], "certain": 1}, timeout=30)
    assert 'class="xxgk-crop"' not in certain.text and "/-/crop/" in certain.text  # a link, no picture


@pytest.mark.parametrize("query, status", [
    ("page=1&scale=1&box=10,10,5,5", 400),
    ("page=1&scale=9&box=0,0,5,5", 400),
    ("box=a,b,c,d", 400),
])
def test_bad_crop_requests_are_refused(site, query, status):
    assert httpx.get(f"{site['base']}/-/crop/{site['digest']}?{query}", timeout=30).status_code == status


def test_a_crop_of_an_unknown_body_is_not_found(site):
    assert httpx.get(f"{site['base']}/-/crop/{'0' * 64}?box=0,0,5,5", timeout=30).status_code == 404
