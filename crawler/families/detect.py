"""Which CMS family a 年报 column page is served by, from its markup.

The names are the registry's (``crawler.sites.FAMILIES``): ``hanweb`` (大汉
JCMS: a ``<datastore>``, a jpage proxy, ``/col/colN/`` columns), ``trs`` (TRS
WCM: a ``createPageHTML``/``createPage``/``countPage`` pager, or the
``list2.trsapi`` search list), ``jsonapi`` (a list filled from a JSON API),
``pager`` (a static pager: 下一页/?page=N links), else ``auto`` (the spider
recognises what it meets). The crawl itself reads every list by what each
page serves; the family recorded is what discovery saw, for the registry.
"""

from __future__ import annotations

import re

from crawler.families import hanweb, jsonapi, pager, trs

_HANWEB_MARKS = re.compile(r"/col/col\d+/|jpage\(|/module/web/jpage/", re.IGNORECASE)
_TRS_MARKS = re.compile(r"createPageHTML|createPage\(|var\s+countPage|list2\.trsapi")


def detect_family(html: str, url: str, links=()) -> str:
    """The family of the page ``html`` at ``url`` (``links``: its links, for a static pager)."""
    if hanweb.find_datastore(html, url) is not None or _HANWEB_MARKS.search(html):
        return "hanweb"
    if trs.find_pager(html) is not None or _TRS_MARKS.search(html) or jsonapi.find_trsapi(html, url) is not None:
        return "trs"
    if jsonapi.find_endpoint(html, url) is not None:
        return "jsonapi"
    if pager.pager_links(url, list(links)):
        return "pager"
    return "auto"
