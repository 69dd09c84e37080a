"""A local sample portal imitating Chinese county government portals (TRS
CMS family), for tests and the demo crawl.  See README.md.

    from sample_portal.server import serve_in_thread
    from sample_portal.manifest import load_manifest

    with serve_in_thread() as base:          # "http://127.0.0.1:PORT/"
        ...
"""

from .manifest import load_manifest
from .server import make_server, serve_forever, serve_in_thread

__all__ = ["load_manifest", "make_server", "serve_forever", "serve_in_thread"]
