"""HTTP server for the sample portal (stdlib ``http.server``).

    make_server(host="127.0.0.1", port=0, verbose=False, family="trs") -> ThreadingHTTPServer
    serve_in_thread(host="127.0.0.1", port=0)  # context manager -> "http://127.0.0.1:PORT/"
    serve_forever(host="127.0.0.1", port=8800, verbose=True)  # blocking, for the CLI
    serve_sites_in_thread(names=None)  # context manager -> {family: "http://127.0.0.N:PORT/"}
    serve_all_forever(port=8800)       # every family on its own loopback address, blocking

Each CMS family is its own site on its own loopback address (TRS on
127.0.0.1, Hanweb on 127.0.0.2, ...: ``families.ADDRESSES``), so "off-site"
really is another host.

The server does the HTTP plumbing shared by all CMS families: GET and HEAD,
Content-Length, ``Last-Modified`` and ``ETag`` with ``If-None-Match`` /
``If-Modified-Since`` answered by 304, a 404 page for unknown paths, 301 from
``/dir`` to ``/dir/``, 405 for methods a route does not take, 500 instead of
a crash.  Every request is recorded in ``server.request_log`` so tests can
check what a crawler fetched.  On top of that:

* ``delay`` -- seconds to wait before answering each request (a slow portal,
  so a test can kill a crawl half-way);
* flaky resources (``manifest.flaky``) -- the first request(s) answer 503
  with ``Retry-After: 1`` (or 500), later ones 200;
* ``server.bump_version(target)`` -- the resource at ``target`` changes: new
  bytes, new ETag, a later Last-Modified (HTML pages get a dated 更新说明
  note; built attachment files are rebuilt with it).  Out of process:
  ``POST /__sample_portal__/bump?path=<target>``.

For the ``hostile`` family only (nothing changes for the others): a
response may carry a :class:`~sample_portal.routing.Delivery` -- its body
dripped over seconds, cut short of its ``Content-Length``, or aborted by a
connection reset -- and a route table may set ``tls_answer``, the bytes a
connection opening with a TLS ClientHello gets instead of a handshake.

Which families run by default: ``families.FAMILIES`` (``--all``, the demo,
``serve_sites_in_thread()``); the opt-in ones (``families.OPT_IN_FAMILIES``:
``hostile``) only when named.
"""

from __future__ import annotations

import dataclasses
import contextlib
import hashlib
import posixpath
import re
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

from .families import ALL_ADDRESSES, ALL_FAMILIES, FAMILIES, build_routes
from .manifest import Manifest, load_manifest
from .routing import Delivery, Request, Response, RouteTable

MAX_BODY = 1 << 20
_HOST_OK = re.compile(r"^[A-Za-z0-9.\-:\[\]]+$")


@dataclass
class LoggedRequest:
    time: float
    method: str
    target: str  # request target as sent (path and query)
    path: str  # normalised path
    status: int
    headers: dict[str, str]


class PortalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, routes: RouteTable, manifest: Manifest, verbose: bool = False,
                 delay: float = 0.0):
        self.routes = routes
        self.manifest = manifest
        self.full_manifest = manifest
        self.verbose = verbose
        self.delay = delay
        self.request_log: deque[LoggedRequest] = deque(maxlen=100_000)
        self.versions: dict[str, int] = {}
        self.broken: frozenset[str] = frozenset()  # paths still listed that answer 404 (break_links)
        self.soft_broken = False  # ... that answer 200 with a "not found" notice instead
        self.moved: dict[str, str] = {}  # path -> the path it redirects to (301), as a reorganised site (move)
        self._flaky_hits: dict[int, int] = {}
        self._state_lock = threading.Lock()
        super().__init__(address, PortalRequestHandler)

    # ------------------------------------------------------------ changes

    def bump_version(self, target: str) -> int:
        """Make the resource at ``target`` (a path, with its query string when
        the resource is identified by one) change: the next responses have new
        bytes, a new ETag and a later Last-Modified.  Returns the new version."""
        key = version_key(target)
        for r in self.manifest.reports:
            if r.attachment_path and version_key(r.attachment_path) == key:
                from . import attachments

                if not attachments.can_revise(r):
                    raise ValueError(f"{target}: a pre-built .{r.attachment_format} file cannot change")
        with self._state_lock:
            self.versions[key] = self.versions.get(key, 0) + 1
            return self.versions[key]

    def hide(self, paths) -> None:
        """Serve the site without the reports at ``paths`` (none: every report)."""
        self.routes = build_routes(hidden_manifest(self.full_manifest, paths))
        self.manifest = hidden_manifest(self.full_manifest, paths)

    def break_links(self, paths, soft: bool = False) -> None:
        """Keep the reports at ``paths`` on their lists but answer their pages with
        404 (a dead link the list still shows), or with ``soft`` a 200 page saying
        the article is gone (as many CMS article scripts answer a deleted id);
        none: every page answers again."""
        self.broken = frozenset(paths)
        self.soft_broken = soft

    def version_of(self, path: str, query: str) -> int:
        if not self.versions:
            return 0
        with self._state_lock:
            if query:
                v = self.versions.get(version_key(path + "?" + query))
                if v:
                    return v
            return self.versions.get(path, 0)

    def flaky_status(self, req: Request) -> tuple[int, int] | None:
        """(status, Retry-After seconds) a flaky resource answers this time, if any."""
        flaky = self.manifest.flaky
        if not flaky:
            return None
        params = None
        for i, f in enumerate(flaky):
            if f["path"] != req.path:
                continue
            if f.get("query"):
                params = params if params is not None else req.params()
                if any(params.get(k) != str(v) for k, v in f["query"].items()):
                    continue
            with self._state_lock:
                n = self._flaky_hits.get(i, 0)
                self._flaky_hits[i] = n + 1
            statuses = f.get("statuses", [503])
            if n < len(statuses):
                return statuses[n], f.get("retry_after", 1)
            return None
        return None

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/"

    def handle_error(self, request, client_address) -> None:  # noqa: D401
        # Socket-level errors of one connection: never print unless verbose.
        if self.verbose:
            super().handle_error(request, client_address)


class PortalRequestHandler(BaseHTTPRequestHandler):
    server: PortalHTTPServer
    server_version = "nginx"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections are closed after this
    default_request_version = "HTTP/1.0"  # answer malformed requests with a status line

    def version_string(self) -> str:
        return self.server_version

    def handle(self) -> None:
        tls_answer = self.server.routes.tls_answer
        if tls_answer is not None and opens_with_tls_hello(self.connection):
            self._answer_tls_hello(tls_answer)
            return
        super().handle()

    def _answer_tls_hello(self, answer: bytes) -> None:
        """A TLS client on this plain-HTTP port: read its ClientHello, send
        ``answer`` (not TLS), close.  Logged as method ``TLS``."""
        self.close_connection = True
        self.server.request_log.append(LoggedRequest(time.time(), "TLS", "", "", 400, {}))  # before the client knows
        with contextlib.suppress(OSError):
            self.connection.recv(65536)
            self.connection.sendall(answer)

    # ---------------------------------------------------------------- methods

    def do_GET(self) -> None:
        self._dispatch()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    # ---------------------------------------------------------------- logging

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        if self.server.verbose:
            sys.stderr.write("%s - [%s] %s\n" % (self.address_string(), self.log_date_time_string(), format % args))

    # ---------------------------------------------------------------- core

    def _dispatch(self) -> None:
        status = 500
        path = ""
        try:
            req = self._request()
            path = req.path
            status = self._handle(req)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
            return
        except Exception:  # never let one request kill the server
            if self.server.verbose:
                traceback.print_exc()
            self.close_connection = True
            with contextlib.suppress(Exception):
                self._send(Response(status=500, body="<h1>500 服务器内部错误</h1>".encode("utf-8"),
                                    cacheable=False))
        finally:
            self.server.request_log.append(LoggedRequest(
                time.time(), self.command, self.path, path, status, dict(self.headers.items())))

    def _request(self) -> Request:
        target = self.path
        if target.startswith(("http://", "https://")):  # absolute-form (proxy style)
            parts = urlsplit(target)
            raw_path, query = parts.path or "/", parts.query
        else:
            raw_path, _, query = target.partition("?")
            raw_path = raw_path.partition("#")[0]
            query = query.partition("#")[0]
        path = unquote(raw_path, errors="replace")
        trailing = path.endswith("/")
        path = posixpath.normpath("/" + path.lstrip("/"))
        if path.startswith("//"):
            path = "/" + path.lstrip("/")
        if trailing and path != "/":
            path += "/"
        body = b""
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True  # chunked bodies are not supported; drop the connection after
        length = self.headers.get("Content-Length")
        if length:
            try:
                n = int(length)
            except ValueError:
                n = 0
                self.close_connection = True
            if n > MAX_BODY:
                self.close_connection = True
                n = 0
            body = self.rfile.read(n) if n > 0 else b""
        host = self.headers.get("Host", "")
        if not host or not _HOST_OK.match(host):
            host = self.server.base_url[len("http://"):].rstrip("/")
        return Request(method=self.command, path=path, raw_path=raw_path, query=query,
                       headers=self.headers, body=body, base_url="http://" + host)

    def _handle(self, req: Request) -> int:
        server = self.server
        if server.delay:
            time.sleep(server.delay)
        if req.path == ADMIN_BUMP:
            return self._send(self._admin_bump(req))
        flaky = server.flaky_status(req)
        if flaky is not None:
            failure, retry_after = flaky
            body = ("<html><head><title>%d</title></head><body><center><h1>%d %s</h1></center>"
                    "<hr><center>nginx</center></body></html>" % (
                        failure, failure, self.responses.get(failure, ("",))[0])).encode("ascii")
            headers = {"Retry-After": str(retry_after)} if failure == 503 else {}
            return self._send(Response(status=failure, body=body, headers=headers, cacheable=False))
        req.version = server.version_of(req.path, req.query)
        if req.path in server.moved:
            return self._send(Response(status=301, body=b"", cacheable=False,
                                       headers={"Location": req.base_url + server.moved[req.path]}))
        if server.broken and (req.path in server.broken or req.raw_path in server.broken):
            if server.soft_broken:
                return self._send(Response(status=200, body=SOFT_GONE), conditional=True)  # with an ETag: 304
            return self._send(self._not_found(req))
        routes = server.routes
        route = routes.resolve(req.path)
        if route is None:
            if not req.path.endswith("/") and (req.path + "/") in routes.exact:
                location = req.base_url + req.path + "/" + (("?" + req.query) if req.query else "")
                return self._send(Response(status=301, body=b"", headers={"Location": location},
                                           cacheable=False))
            return self._send(self._not_found(req))
        if req.method not in route.methods:
            allow = ", ".join(sorted(route.methods))
            return self._send(Response(status=405, body=b"<h1>405 Method Not Allowed</h1>",
                                       headers={"Allow": allow}, cacheable=False))
        resp = route.handler(req)
        if resp.status == 404:
            resp = resp if resp.body else self._not_found(req)
        if req.version and resp.status == 200 and not resp.versioned:
            resp = revise(resp, req.version, server.manifest.updated_at)
        return self._send(resp, conditional=req.method in ("GET", "HEAD"))

    def _admin_bump(self, req: Request) -> Response:
        if req.method != "POST":
            return Response(status=405, body=b"POST only", headers={"Allow": "POST"}, cacheable=False,
                            content_type="text/plain")
        target = req.params().get("path", "")
        if not target.startswith("/"):
            return Response(status=400, body=b"path=/... required", cacheable=False, content_type="text/plain")
        try:
            version = self.server.bump_version(target)
        except ValueError as exc:
            return Response(status=409, body=str(exc).encode("utf-8"), cacheable=False,
                            content_type="text/plain; charset=utf-8")
        return Response(body=f"{target} version {version}\n".encode("utf-8"), cacheable=False,
                        content_type="text/plain; charset=utf-8")

    def _not_found(self, req: Request) -> Response:
        nf = self.server.routes.not_found
        if nf is not None:
            return nf(req)
        return Response(status=404, body=b"<h1>404 Not Found</h1>", cacheable=False)

    # ---------------------------------------------------------------- output

    def _send(self, resp: Response, conditional: bool = False) -> int:
        headers = dict(resp.headers)
        status = resp.status
        body = resp.body
        if resp.cacheable and status == 200:
            etag = resp.etag or '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            headers["ETag"] = etag
            if resp.last_modified is not None:
                headers["Last-Modified"] = http_date(resp.last_modified)
            if conditional and self._not_modified(etag, resp.last_modified):
                status, body = 304, b""
        self.send_response(status)
        if status != 304:
            headers.setdefault("Content-Type", resp.content_type)
            headers["Content-Length"] = str(len(body))
        if status >= 400 and status != 404:
            headers.setdefault("Cache-Control", "no-cache")
        for k, v in headers.items():
            self.send_header(k, v)
        delivery = resp.delivery if self.command != "HEAD" and status != 304 and body else None
        if delivery is not None and delivery.kind != "drip":
            self.close_connection = True
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if delivery is not None:
            self._deliver(body, delivery)
        elif self.command != "HEAD" and status != 304 and body:
            self.wfile.write(body)
        return status

    def _deliver(self, body: bytes, delivery: Delivery) -> None:
        """Write ``body`` the faulty way ``delivery`` says (headers already sent)."""
        if delivery.kind == "drip":
            n = max(1, delivery.chunks)
            size = -(-len(body) // n)
            pause = delivery.seconds / max(1, n - 1) if n > 1 else 0.0
            for i in range(0, len(body), size):
                if i:
                    time.sleep(pause)
                self.wfile.write(body[i:i + size])
            return
        self.wfile.write(body[:int(len(body) * delivery.cut)])
        time.sleep(delivery.pause)
        if delivery.kind == "reset":
            abort_connection(self.connection, self.rfile)

    def _not_modified(self, etag: str, last_modified: datetime | None) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            weak = etag[2:] if etag.startswith("W/") else etag
            return any(t == "*" or (t[2:] if t.startswith("W/") else t) == weak for t in tags)
        ims = self.headers.get("If-Modified-Since")
        if ims and last_modified is not None:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError, IndexError):
                return False
            if since is None:
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=timezone.utc)
            return last_modified.replace(microsecond=0) <= since
        return False


def opens_with_tls_hello(sock: socket.socket) -> bool:
    """Whether the client's first bytes are a TLS handshake record (0x16 0x03 …),
    looked at without consuming them."""
    try:
        first = sock.recv(2, socket.MSG_PEEK)
    except OSError:
        return False
    return first[:1] == b"\x16" and first[1:2] in (b"", b"\x03")


def abort_connection(sock: socket.socket, rfile) -> None:
    """Close ``sock`` with a TCP reset (RST) instead of an orderly FIN.  The
    socket only really closes once its reader (``rfile``) is closed too."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    rfile.close()


def http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(timezone.utc), usegmt=True)


ADMIN_BUMP = "/__sample_portal__/bump"
# What a CMS article script answers for a deleted id, with status 200 (break_links(soft=True))
SOFT_GONE = ("<html><head><meta charset=\"utf-8\"><title>提示信息</title></head>"
             "<body><div class=\"tips\">信息不存在或已被删除</div><a href=\"/\">返回首页</a></body></html>").encode()


def _norm_path(raw_path: str) -> str:
    path = unquote(raw_path, errors="replace")
    trailing = path.endswith("/")
    path = posixpath.normpath("/" + path.lstrip("/"))
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    if trailing and path != "/":
        path += "/"
    return path


def version_key(target: str) -> str:
    """Canonical form of a request target for ``bump_version``: normalised
    path, query parameters sorted."""
    raw_path, _, query = target.partition("?")
    path = _norm_path(raw_path)
    if not query:
        return path
    return path + "?" + "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(query, keep_blank_values=True)))


def revision_note_html(version: int, when: datetime) -> bytes:
    """An ASCII-only HTML paragraph (numeric character references), valid in
    UTF-8 and GBK pages alike: 更新说明：本页于YYYY年M月D日作第N次更新。"""
    text = f"更新说明：本页于{when.year}年{when.month}月{when.day}日作第{version}次更新。"
    encoded = "".join(c if ord(c) < 128 else f"&#{ord(c)};" for c in text)
    return f'<p class="xxgk-revision">{encoded}</p>\n'.encode("ascii")


def revise(resp: Response, version: int, default_time: datetime) -> Response:
    """The ``version``-th revision of an HTML response (generic: a dated note
    before ``</body>``; Last-Modified moves ``version`` days later)."""
    if not resp.content_type.startswith("text/html"):
        return resp
    when = (resp.last_modified or default_time) + timedelta(days=version)
    note = revision_note_html(version, when.astimezone(timezone(timedelta(hours=8))))
    body = resp.body
    i = body.rfind(b"</body>")
    body = body[:i] + note + body[i:] if i >= 0 else body + note
    return Response(status=resp.status, body=body, content_type=resp.content_type, headers=dict(resp.headers),
                    last_modified=when, cacheable=resp.cacheable, versioned=True)


# -------------------------------------------------------------------- API


def hidden_manifest(manifest: Manifest, paths) -> Manifest:
    """``manifest`` without the reports at ``paths``: off their lists, their pages gone."""
    hidden = set(paths)
    if not hidden:
        return manifest
    return dataclasses.replace(
        manifest, reports=[r for r in manifest.reports if r.path not in hidden],
        list_entries=[e for e in manifest.list_entries if getattr(e.document, "path", None) not in hidden])


def make_server(host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False,
                manifest: Manifest | None = None, family: str = "trs", delay: float = 0.0,
                hide=()) -> PortalHTTPServer:
    """A ready (bound, not yet serving) threaded server for one family's site.

    ``port=0`` picks a free ephemeral port (see ``server.base_url``).
    Request logging to stderr only with ``verbose=True``.  ``delay``: seconds
    to wait before answering each request.  ``hide``: report paths served as
    removed (no list entry, 404), see ``PortalURL.hide``.
    """
    manifest = manifest or load_manifest(family)
    routes = build_routes(hidden_manifest(manifest, hide))
    server = PortalHTTPServer((host, port), routes, manifest, verbose=verbose, delay=delay)
    if hide:
        server.hide(hide)
    return server


class PortalURL(str):
    """The base URL (``"http://127.0.0.1:54321/"``) -- a ``str`` that also
    carries the running server, for tests that inspect ``.requests``."""

    server: PortalHTTPServer

    def __new__(cls, url: str, server: PortalHTTPServer):
        obj = super().__new__(cls, url)
        obj.server = server
        return obj

    @property
    def requests(self) -> list[LoggedRequest]:
        return list(self.server.request_log)


    def bump_version(self, target: str) -> int:
        return self.server.bump_version(target)

    def hide(self, *paths: str) -> None:
        """Take reports off the site (their list entries and pages: 404), as an agency
        that removes them; ``show()`` puts every report back."""
        self.server.hide(paths)

    def show(self) -> None:
        self.server.hide(())

    def move(self, path: str, to: str | None) -> None:
        """Answer ``path`` with a 301 to ``to`` (a path on the site); ``None``: not any more."""
        if to is None:
            self.server.moved.pop(path, None)
        else:
            self.server.moved[path] = to

    def break_links(self, *paths: str, soft: bool = False) -> None:
        """Leave reports on their lists with their pages answering 404 (a dead link),
        or with ``soft`` a 200 "信息不存在" page; ``break_links()`` mends them all."""
        self.server.break_links(paths, soft)


def start_serving(server: PortalHTTPServer, name: str) -> threading.Thread:
    """Serve ``server`` from a daemon thread of that name (started)."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True)
    thread.start()
    return thread


def stop_serving(servers: list[tuple[PortalHTTPServer, threading.Thread]]) -> None:
    """Shut every server down, close its socket, and wait for its thread."""
    for server, _thread in servers:
        server.shutdown()
        server.server_close()
    for _server, thread in servers:
        thread.join(timeout=5)


@contextlib.contextmanager
def serve_in_thread(host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False,
                    manifest: Manifest | None = None, family: str = "trs",
                    delay: float = 0.0, hide=()) -> Iterator[PortalURL]:
    """Run the portal in a daemon thread; yields its base URL; shuts it down on exit.
    ``hide``: report paths taken off the site (``PortalURL.hide``); none by default."""
    server = make_server(host, port, verbose=verbose, manifest=manifest, family=family, delay=delay, hide=hide)
    thread = start_serving(server, "sample-portal")
    try:
        yield PortalURL(server.base_url, server)
    finally:
        stop_serving([(server, thread)])


def _family_names(names) -> list[str]:
    """The families to serve: ``names``, or the default set ``FAMILIES`` when
    None -- never the opt-in ones (``hostile``), which run only when named."""
    if names is None:
        return list(FAMILIES)
    if isinstance(names, str):
        names = [names]
    unknown = [n for n in names if n not in ALL_FAMILIES]
    if unknown:
        raise ValueError(f"unknown families {unknown}; known: {list(ALL_FAMILIES)}")
    return list(names)


@contextlib.contextmanager
def serve_sites_in_thread(names=None, *, port: int = 0, delay: float | dict[str, float] = 0.0,
                          verbose: bool = False) -> Iterator[dict[str, PortalURL]]:
    """Run several family sites, each on its own loopback address
    (``families.ADDRESSES``) and its own thread.  Yields ``{family: base_url}``
    (every family of the default set ``FAMILIES`` when ``names`` is None: not
    the opt-in ``hostile`` site); shuts them all down on exit.
    ``delay``: seconds per response, one value or ``{family: seconds}``."""
    servers: list[tuple[PortalHTTPServer, threading.Thread]] = []
    urls: dict[str, PortalURL] = {}
    try:
        for name in _family_names(names):
            d = delay.get(name, 0.0) if isinstance(delay, dict) else delay
            server = make_server(ALL_ADDRESSES[name], port, verbose=verbose, family=name, delay=d)
            servers.append((server, start_serving(server, f"sample-portal-{name}")))
            urls[name] = PortalURL(server.base_url, server)
        yield urls
    finally:
        stop_serving(servers)


def serve_all_forever(port: int = 8800, verbose: bool = True, names=None, delay: float = 0.0) -> None:
    """Serve every family's site (of the default set when ``names`` is None),
    each on its own loopback address and the same ``port``, until
    interrupted; prints the URLs."""
    with serve_sites_in_thread(names, port=port, delay=delay, verbose=verbose) as urls:
        width = max(len(n) for n in urls)
        print("Sample portal sites (Ctrl-C to stop):", file=sys.stderr)
        for name, url in urls.items():
            print(f"  {name:<{width}}  {url}  {ALL_FAMILIES[name][1]}", file=sys.stderr, flush=True)
        stop = threading.Event()
        previous = signal.getsignal(signal.SIGTERM)
        with contextlib.suppress(ValueError):  # not in the main thread
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(signal.SIGTERM, previous)


def serve_forever(host: str = "127.0.0.1", port: int = 8800, verbose: bool = True) -> None:
    """Serve the portal until interrupted (the ``xxgk sample-portal`` command)."""
    server = make_server(host, port, verbose=verbose)
    print(f"Sample portal (TRS-style county portal) at {server.base_url}  -- Ctrl-C to stop",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
