"""A local sample portal imitating Chinese county government portals, one
site per CMS family (TRS, Hanweb, JSON-API, ?page=N, 信息公开 platform, a
large generated TRS portal), plus a site serving the real reports of
tests/gold/real as they are (``realdocs``), for tests and the demo crawl.
See README.md.

    from sample_portal.server import serve_in_thread, serve_sites_in_thread
    from sample_portal.manifest import load_manifest

    with serve_in_thread() as base:          # the TRS site: "http://127.0.0.1:PORT/"
        ...
    with serve_sites_in_thread() as urls:    # {"trs": "http://127.0.0.1:P1/", "hanweb": "http://127.0.0.2:P2/", ...}
        ...
"""

from .manifest import load_manifest
from .server import make_server, serve_all_forever, serve_forever, serve_in_thread, serve_sites_in_thread

__all__ = ["load_manifest", "make_server", "serve_all_forever", "serve_forever", "serve_in_thread",
           "serve_sites_in_thread"]
