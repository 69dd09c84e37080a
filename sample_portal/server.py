"""HTTP server for the sample portal (stdlib ``http.server``).

    make_server(host="127.0.0.1", port=0, verbose=False) -> ThreadingHTTPServer
    serve_in_thread(host="127.0.0.1", port=0)  # context manager -> "http://127.0.0.1:PORT/"
    serve_forever(host="127.0.0.1", port=8800, verbose=True)  # blocking, for the CLI

The server does the HTTP plumbing shared by all CMS families: GET and HEAD,
Content-Length, ``Last-Modified`` and ``ETag`` with ``If-None-Match`` /
``If-Modified-Since`` answered by 304, a 404 page for unknown paths, 301 from
``/dir`` to ``/dir/``, 405 for methods a route does not take, 500 instead of
a crash.  Every request is recorded in ``server.request_log`` so tests can
check what a crawler fetched.
"""

from __future__ import annotations

import contextlib
import hashlib
import posixpath
import re
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import unquote, urlsplit

from .families import build_routes
from .manifest import Manifest, load_manifest
from .routing import Request, Response, RouteTable

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

    def __init__(self, address, routes: RouteTable, manifest: Manifest, verbose: bool = False):
        self.routes = routes
        self.manifest = manifest
        self.verbose = verbose
        self.request_log: deque[LoggedRequest] = deque(maxlen=100_000)
        super().__init__(address, PortalRequestHandler)

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
        routes = self.server.routes
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
        return self._send(resp, conditional=req.method in ("GET", "HEAD"))

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
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and status != 304 and body:
            self.wfile.write(body)
        return status

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


def http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(timezone.utc), usegmt=True)


# -------------------------------------------------------------------- API


def make_server(host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False,
                manifest: Manifest | None = None) -> PortalHTTPServer:
    """A ready (bound, not yet serving) threaded server for the portal.

    ``port=0`` picks a free ephemeral port (see ``server.base_url``).
    Request logging to stderr only with ``verbose=True``.
    """
    manifest = manifest or load_manifest()
    routes = build_routes(manifest)
    return PortalHTTPServer((host, port), routes, manifest, verbose=verbose)


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


@contextlib.contextmanager
def serve_in_thread(host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False,
                    manifest: Manifest | None = None) -> Iterator[PortalURL]:
    """Run the portal in a daemon thread; yields its base URL; shuts it down on exit."""
    server = make_server(host, port, verbose=verbose, manifest=manifest)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="sample-portal", daemon=True)
    thread.start()
    try:
        yield PortalURL(server.base_url, server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


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
