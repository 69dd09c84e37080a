"""Pictures of the real reports beside this file, to judge an OCR reader on.

Every real report here whose gold lists an HTML rendering (layout
``html-table``) or a PDF (layout ``pdf``) is turned into pictures; a real
report rendered to a picture stays a real report, scored against the same
hand-read gold (``score_pictures.py``). Variants:

========== ===================================================================
``png``    the HTML page, full length, as headless Chromium draws it in a
           1200 px wide viewport (device scale 1, JavaScript off, every
           network request blocked: the saved pages' remote CSS and images are
           not fetched, so the page shows as an unstyled document would)
``jpeg60`` that PNG as a JPEG of quality 60 (Pillow)
``half``   that PNG scaled to half its width and height (Lanczos)
``rot1``   that PNG rotated by 1 degree counter-clockwise (bicubic, white
           fill, the canvas grown to hold the corners)
``scan``   a PDF's pages rendered by pypdfium2 at scale 2 (144 dpi: an A4 page
           is 1190 x 1684 px), stacked top to bottom in one tall PNG with a
           24 px white gap between pages: a scanned report as one picture
``scanpdf`` the same page images as a PDF of picture pages (Pillow
           ``save(..., save_all=True)``, 144 dpi, JPEG-coded as scanners do),
           no text layer: what a scanned PDF is
========== ===================================================================

``scan-p3``, ``scan-p2-4``, ``scanpdf-p3`` …: the same of some pages only
(1-based, inclusive), for a quick look (``render(name, "scan-p3")``).

A document is named by its file name less the extension
(``pingtan-syq-2023`` for ``pingtan-syq-2023.html``,
``pingtan-syq-2023.unruled`` for ``pingtan-syq-2023.unruled.pdf``). Pictures
go to a cache folder (``test-artifacts/pictures/`` of the project, or
``$XXGK_PICTURES``) as ``<doc>.<variant>.<ext>``, each with a
``<doc>.<variant>.json`` beside it that records the source's SHA-256, the
recipe, the picture's size and how long it took; a picture is made again only
when its source's SHA-256 (or the recipe) changed, or with ``--force``.

    .venv/bin/python tests/gold/real/render_pictures.py                        # everything
    .venv/bin/python tests/gold/real/render_pictures.py --only pingtan-syq-2023 --variants png jpeg60
    .venv/bin/python tests/gold/real/render_pictures.py --list

From Python::

    from render_pictures import render
    path = render("pingtan-syq-2023", "png")

Needs /usr/bin/chromium (``scripts/install-browser``; ``$XXGK_CHROMIUM`` for
another) for the HTML variants, websocket-client, Pillow and pypdfium2.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import functools
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = Path(os.environ.get("XXGK_CHROMIUM", "/usr/bin/chromium"))
CACHE = Path(os.environ.get("XXGK_PICTURES", ROOT / "test-artifacts" / "pictures"))

VIEWPORT_WIDTH = 1200
VIEWPORT_HEIGHT = 900  # the first screenful; the capture takes the whole page
JPEG_QUALITY = 60
SCAN_SCALE = 2.0  # pypdfium2 scale: 72 dpi x 2 = 144 dpi
SCAN_DPI = 72 * SCAN_SCALE
PAGE_GAP = 24  # white pixels between the pages of a stacked scan
LOAD_TIMEOUT = 20.0  # seconds; with the network blocked a page loads in well under one

HTML_VARIANTS = ("png", "jpeg60", "half", "rot1")
PDF_VARIANTS = ("scan", "scanpdf")
VARIANTS = HTML_VARIANTS + PDF_VARIANTS
EXTENSIONS = {"png": "png", "jpeg60": "jpg", "half": "png", "rot1": "png", "scan": "png", "scanpdf": "pdf"}
# What each variant is made by: a change here makes the cached pictures be made again.
RECIPES = {
    "png": f"chromium full page, viewport {VIEWPORT_WIDTH}x{VIEWPORT_HEIGHT} scale 1, js off, network blocked; v1",
    "jpeg60": f"png -> RGB JPEG quality {JPEG_QUALITY} (Pillow); v1",
    "half": "png -> half size, Lanczos (Pillow); v1",
    "rot1": "png -> rotate 1 deg ccw, bicubic, white fill, expand (Pillow); v1",
    "scan": f"pypdfium2 scale {SCAN_SCALE}, pages stacked, {PAGE_GAP}px white gap; v1",
    "scanpdf": f"pypdfium2 scale {SCAN_SCALE} pages -> Pillow PDF, {SCAN_DPI:g} dpi; v1",
}

# Requests a saved page may make that must not leave the machine.
BLOCKED_URLS = ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]


# ---------------------------------------------------------------------------
# Which documents


@dataclass(frozen=True)
class Source:
    name: str  # the document's name: its file name less the extension
    path: Path  # the rendering the pictures are made of (HTML page or PDF)
    kind: str  # 'html' | 'pdf'
    report: str  # the gold file's stem

    @property
    def variants(self) -> tuple[str, ...]:
        return HTML_VARIANTS if self.kind == "html" else PDF_VARIANTS


def _doc_name(file_name: str) -> str:
    return file_name.rsplit(".", 1)[0]


@functools.lru_cache(maxsize=1)
def sources() -> dict[str, Source]:
    """Every real gold document that is an HTML page or a PDF, by name (the
    gold files as ``parse.evaluation.load_report_gold`` reads them)."""
    from parse.evaluation import GOLD_SUFFIX, load_report_gold

    out: dict[str, Source] = {}
    for gold_path in sorted(HERE.glob("*" + GOLD_SUFFIX)):
        text = gold_path.read_text(encoding="utf-8")
        # Reading a gold file takes a while (pure-Python YAML): skip those that cannot list one.
        if not re.search(r"^documents:", text, re.M) or not re.search(r"layout: *(html-table|pdf) *$", text, re.M):
            continue
        for gold in load_report_gold(gold_path):
            suffix = gold.path.suffix.lower()
            if gold.layout == "html-table" and suffix in (".html", ".htm", ".shtml"):
                kind = "html"
            elif gold.layout == "pdf" and suffix == ".pdf":
                kind = "pdf"
            else:
                continue
            name = _doc_name(gold.path.name)
            out[name] = Source(name, gold.path, kind, gold.report or "")
    return out


def source(doc_name: str) -> Source:
    """The source of ``doc_name`` (its file name with or without the extension)."""
    all_sources = sources()
    name = doc_name if doc_name in all_sources else _doc_name(doc_name)
    if name not in all_sources:
        raise KeyError(f"{doc_name}: not an HTML or PDF rendering of a real gold report "
                       f"(one of {', '.join(sorted(all_sources))})")
    return all_sources[name]


def split_variant(variant: str) -> tuple[str, tuple[int, int] | None]:
    """``scan`` -> ('scan', None); ``scan-p3`` -> ('scan', (3, 3)); ``scanpdf-p2-4`` -> ('scanpdf', (2, 4)):
    a scan of some pages only (1-based, inclusive)."""
    m = re.fullmatch(r"(scan|scanpdf)-p(\d+)(?:-(\d+))?", variant)
    if not m:
        if variant not in VARIANTS:
            raise ValueError(f"{variant}: not one of {VARIANTS} (or scan-pN, scan-pN-M, scanpdf-pN …)")
        return variant, None
    first, last = int(m[2]), int(m[3] or m[2])
    if not 1 <= first <= last:
        raise ValueError(f"{variant}: pages {first}-{last}")
    return m[1], (first, last)


def picture_path(doc_name: str, variant: str, cache: Path | None = None) -> Path:
    return Path(cache or CACHE) / f"{doc_name}.{variant}.{EXTENSIONS[split_variant(variant)[0]]}"


def info_path(doc_name: str, variant: str, cache: Path | None = None) -> Path:
    return Path(cache or CACHE) / f"{doc_name}.{variant}.json"


def info(doc_name: str, variant: str, cache: Path | None = None) -> dict | None:
    """What the cache recorded of a picture (source, SHA-256, size, seconds), or None."""
    path = info_path(doc_name, variant, cache)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------
# Chromium over the DevTools protocol (the approach of tests/test_browser.py)


class _CDP:
    """A minimal DevTools-protocol client over one websocket (flat sessions)."""

    def __init__(self, ws_url: str):
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 120):
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

    def wait_event(self, method: str, session: str, timeout: float) -> dict | None:
        """The event, or None when it did not come in time."""
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.ws.settimeout(max(0.05, left))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except Exception:  # noqa: BLE001 -- a websocket timeout
                pass
            finally:
                self.ws.settimeout(60)

    def close(self):
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001
            pass


class Browser:
    """One headless Chromium, started on first use, for every HTML picture of a run."""

    def __init__(self, chromium: Path = CHROMIUM):
        if not chromium.exists():
            raise FileNotFoundError(f"{chromium} not found: run scripts/install-browser (or set XXGK_CHROMIUM)")
        self.chromium = chromium
        self.profile = tempfile.mkdtemp(prefix="xxgk-pictures-")
        self.proc = subprocess.Popen(
            [str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--disable-extensions",
             "--blink-settings=scriptEnabled=false",
             # No name resolves: nothing can reach the network even if a request slipped through.
             "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
             "--font-render-hinting=none", "--force-color-profile=srgb",
             f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        try:
            active = Path(self.profile) / "DevToolsActivePort"
            deadline = time.monotonic() + 30
            while not (active.exists() and len(active.read_text().split()) >= 2):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    err = self.proc.stderr.read() if self.proc.poll() is not None else "timeout"
                    raise RuntimeError(f"chromium did not start: {err}")
                time.sleep(0.05)
            port, path = active.read_text().split()[:2]
            self.cdp = _CDP(f"ws://127.0.0.1:{port}{path}")
            self.version = self.cdp.send("Browser.getVersion").get("product", "chromium")
        except BaseException:
            self.close()
            raise

    def screenshot(self, html: Path) -> tuple[bytes, dict]:
        """The full page of a local HTML file as PNG bytes, and what happened
        (page size, requests blocked or failed, whether the load event came)."""
        cdp = self.cdp
        target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

        def send(method, params=None):
            return cdp.send(method, params, session=session)

        try:
            send("Page.enable")
            send("Network.enable")
            try:
                send("Network.setBlockedURLs", {"urlPatterns": [{"urlPattern": u, "block": True} for u in BLOCKED_URLS]})
            except RuntimeError:  # an older protocol: plain patterns
                send("Network.setBlockedURLs", {"urls": BLOCKED_URLS})
            send("Emulation.setScriptExecutionDisabled", {"value": True})
            send("Emulation.setDeviceMetricsOverride",
                 {"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT, "deviceScaleFactor": 1, "mobile": False})
            cdp.events = [e for e in cdp.events if e.get("sessionId") != session]
            result = send("Page.navigate", {"url": html.resolve().as_uri()})
            if result.get("errorText"):
                raise RuntimeError(f"{html.name}: {result['errorText']}")
            loaded = cdp.wait_event("Page.loadEventFired", session, LOAD_TIMEOUT) is not None
            if not loaded:
                send("Page.stopLoading")
            requests = {}
            for e in cdp.events:
                if e.get("sessionId") != session:
                    continue
                p = e.get("params", {})
                if e.get("method") == "Network.requestWillBeSent":
                    requests[p["requestId"]] = {"url": p["request"]["url"], "outcome": "pending"}
                elif e.get("method") == "Network.loadingFailed" and p.get("requestId") in requests:
                    requests[p["requestId"]]["outcome"] = p.get("blockedReason") or p.get("errorText") or "failed"
                elif e.get("method") == "Network.loadingFinished" and p.get("requestId") in requests:
                    requests[p["requestId"]]["outcome"] = "loaded"
            fetched = [r["url"] for r in requests.values()
                       if r["outcome"] == "loaded" and not r["url"].startswith(("file:", "data:"))]
            if fetched:  # cannot happen with the rules above; a picture must never depend on the network
                raise RuntimeError(f"{html.name}: fetched from the network: {fetched[:3]}")
            metrics = send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            width = max(VIEWPORT_WIDTH, int(round(size["width"])))
            height = int(round(size["height"]))
            data = send("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True, "fromSurface": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            })["data"]
            details = {"load_event": loaded, "requests": len(requests),
                       "requests_not_loaded": sum(r["outcome"] != "loaded" for r in requests.values()),
                       "page_css_size": [width, height]}
            return base64.b64decode(data), details
        finally:
            try:
                cdp.send("Target.closeTarget", {"targetId": target})
            except Exception:  # noqa: BLE001
                pass
            cdp.events = [e for e in cdp.events if e.get("sessionId") != session]

    def close(self):
        cdp = getattr(self, "cdp", None)
        if cdp is not None:
            cdp.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


_browser: Browser | None = None


def browser() -> Browser:
    """The run's Chromium (started on first use, stopped at exit)."""
    global _browser
    if _browser is None or _browser.proc.poll() is not None:
        _browser = Browser()
        atexit.register(close_browser)
    return _browser


def close_browser() -> None:
    global _browser
    if _browser is not None:
        _browser.close()
        _browser = None


# ---------------------------------------------------------------------------
# Making the pictures


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _png_bytes(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def _scan_pages(pdf: Path, pages: tuple[int, int] | None = None):
    """The PDF's pages (all, or ``pages``: first and last, 1-based) as RGB pictures (pypdfium2, scale 2)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        first, last = pages or (1, len(document))
        if last > len(document):
            raise ValueError(f"{pdf.name} has {len(document)} pages, not {last}")
        return [document[i].render(scale=SCAN_SCALE).to_pil().convert("RGB") for i in range(first - 1, last)]
    finally:
        document.close()


def _make(src: Source, variant: str, cache: Path, force: bool) -> tuple[bytes, dict]:
    """The picture's bytes and what the info file records beyond the basics."""
    from PIL import Image

    variant, page_range = split_variant(variant)
    if variant == "png":
        b = browser()
        data, details = b.screenshot(src.path)
        details["chromium"] = b.version
        return data, details
    if variant in ("jpeg60", "half", "rot1"):
        png = render(src.name, "png", cache=cache, force=False)  # the base picture: made at most once per run
        base = Image.open(png)
        base.load()
        base = base.convert("RGB")
        if variant == "jpeg60":
            buf = io.BytesIO()
            base.save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False)
            return buf.getvalue(), {"from": png.name}
        if variant == "half":
            return _png_bytes(base.resize((base.width // 2, base.height // 2), Image.Resampling.LANCZOS)), {"from": png.name}
        rotated = base.rotate(1, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255))
        return _png_bytes(rotated), {"from": png.name}
    pages = _scan_pages(src.path, page_range)
    extra = {"pages": len(pages), "page_sizes": sorted({p.size for p in pages})}
    if page_range:
        extra["page_range"] = list(page_range)
    if variant == "scan":
        width = max(p.width for p in pages)
        height = sum(p.height for p in pages) + PAGE_GAP * (len(pages) - 1)
        sheet = Image.new("RGB", (width, height), (255, 255, 255))
        y = 0
        for p in pages:
            sheet.paste(p, (0, y))
            y += p.height + PAGE_GAP
        return _png_bytes(sheet), extra
    if variant == "scanpdf":
        buf = io.BytesIO()
        pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:], resolution=SCAN_DPI,
                      title=src.name, producer="render_pictures.py", creator="render_pictures.py",
                      creationDate=None, modDate=None)
        return buf.getvalue(), extra
    raise ValueError(variant)


def render(doc_name: str, variant: str, *, cache: str | Path | None = None, force: bool = False) -> Path:
    """The picture ``variant`` of real document ``doc_name``, made if the cache
    has none for the source's current SHA-256 (or ``force``); its path.
    ``scan-p3`` (``scan-pN-M``, ``scanpdf-pN`` …) is a scan of those pages of a PDF only."""
    base, _ = split_variant(variant)
    src = source(doc_name)
    if base not in src.variants:
        raise ValueError(f"{src.name} is {src.kind}: its variants are {src.variants}, not {variant}")
    cache = Path(cache or CACHE)
    out = picture_path(src.name, variant, cache)
    digest = sha256(src.path)
    known = info(src.name, variant, cache)
    if (not force and out.is_file() and known and known.get("source_sha256") == digest
            and known.get("recipe") == RECIPES[base] and known.get("bytes") == out.stat().st_size):
        return out
    from PIL import Image

    start = time.perf_counter()
    data, details = _make(src, variant, cache, force)
    seconds = time.perf_counter() - start
    _write(out, data)
    record = {"document": src.path.name, "report": src.report, "variant": variant,
              "source_sha256": digest, "recipe": RECIPES[base], "bytes": len(data), "seconds": round(seconds, 3)}
    if base != "scanpdf":
        with Image.open(out) as im:
            record["size"] = list(im.size)
    record.update(details)
    _write(info_path(src.name, variant, cache), (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode())
    return out


def render_all(names: list[str] | None = None, variants: list[str] | None = None, *,
               cache: str | Path | None = None, force: bool = False):
    """Render every (document, variant) asked for; yields (source, variant, path, made_now)."""
    all_sources = sources()
    chosen = [source(n) for n in names] if names else list(all_sources.values())
    for src in chosen:
        for variant in src.variants:
            if variants and variant not in variants:
                continue
            before = info(src.name, variant, cache)
            path = render(src.name, variant, cache=cache, force=force)
            after = info(src.name, variant, cache)
            yield src, variant, path, before != after or force


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="a document (e.g. pingtan-syq-2023, huaian-szf-2024); repeatable")
    ap.add_argument("--variants", nargs="+", choices=VARIANTS, help=f"default: all ({' '.join(VARIANTS)})")
    ap.add_argument("--cache", type=Path, default=None, help=f"picture folder (default {CACHE})")
    ap.add_argument("--force", action="store_true", help="make the pictures again even if cached")
    ap.add_argument("--list", action="store_true", help="list the documents and their variants")
    args = ap.parse_args(argv)
    if args.list:
        for src in sources().values():
            print(f"{src.name:<28} {src.kind:<5} {' '.join(src.variants):<24} {src.path.name}")
        return 0
    cache = args.cache or CACHE
    print(f"pictures in {cache}")
    print(f"{'document':<28} {'variant':<8} {'size':>12} {'KB':>7} {'seconds':>8}  made")
    try:
        for src, variant, path, made in render_all(args.only, args.variants, cache=cache, force=args.force):
            rec = info(src.name, variant, cache) or {}
            size = "x".join(map(str, rec.get("size", []))) or f"{rec.get('pages', '?')} pages"
            print(f"{src.name:<28} {variant:<8} {size:>12} {rec.get('bytes', 0) / 1024:>7.0f} "
                  f"{rec.get('seconds', 0):>8.2f}  {'now' if made else 'cached'}", flush=True)
    finally:
        close_browser()
    return 0


if __name__ == "__main__":
    sys.exit(main())
