"""Walk a 政府信息公开 platform's tree of bodies (``xxgk sites discover URL``).

From the root page (a platform's home, or a portal's home: 政府信息公开 links
are followed for up to two hops) the spider reads, on every body's page:

* the body's **年报 column**: a link by its text (政府信息公开年报, 年度报告, 信息公开年报
  …) that is not part of the page's chrome -- a link the page that listed the
  body has too (a department page on its county's platform carries the
  county's own 政府信息公开年报 in its navigation); a page that itself lists
  annual reports is the column. The column page is fetched to tell its CMS
  family (:func:`crawler.families.detect.detect_family`);
* the **bodies it lists**, when it is at most ``depth - 1`` tiers below the
  root: links to lists of bodies (部门信息公开, 乡镇（街道）信息公开, 县市区 …,
  :func:`crawler.discovery.is_body_list_text`) are followed, and every link
  there (or on the page itself) whose text names a body below this one
  (:func:`crawler.discovery.body_link_name`, :func:`~crawler.discovery.is_below`)
  is a body, on this host or on a site of its own (a drop-down of links whose
  first option names such a list counts too: 各县（市、区）网站). A list of several pages is
  read to its end (a TRS ``createPageHTML`` pager, or 下一页/2/3 links; at most
  ``XXGK_DISCOVER_MAX_LIST_PAGES``).

Every page is fetched through the project's middlewares: archived like any
crawl (a ``crawl_runs`` row named ``discovery <host>``), robots.txt obeyed,
at the polite pace of the settings, one slot per host (``crawler.hostslots``).
What was found is :attr:`DiscoverBodiesSpider.found` after the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler.discovery import (Placed, body_links, column_link, is_body_list_text, list_pages, page_body_name,
                               qualify, select_links)
from crawler.failures import describe
from crawler.families.detect import detect_family
from crawler.links import page_links
from crawler.titles import is_annual_report_title, is_disclosure_nav_text

MAX_NAVIGATION_HOPS = 2  # portal home → 政府信息公开 → a body's 年报 column
MAX_LIST_HOPS = 2  # 部门信息公开 → 政府部门 (a tab of the list)


@dataclass(eq=False)
class Node:
    """One body of the tree, as the walk knows it."""

    url: str  # its page, as its parent listed it
    placed: Placed | None
    depth: int = 0
    parent: "Node | None" = None
    listed_on: str | None = None  # the page whose link named it
    text: str | None = None  # that link's text
    chrome: frozenset[str] = frozenset()  # links of the page that listed it
    column: str | None = None  # its 年报 column
    family: str = "auto"
    problem: str | None = None  # why its page could not be read
    children: list["Node"] = field(default_factory=list)


WALK_PREFIX = "discovery "  # the ``site`` of a discovery walk's crawl_runs rows: ``discovery <host>``


def is_discovery_walk(site: str) -> bool:
    """Whether a crawl run's ``site`` is a discovery walk (not a site's crawl)."""
    return site.startswith(WALK_PREFIX)


class DiscoverBodiesSpider(scrapy.Spider):
    name = "discover_bodies"

    def __init__(self, root_url: str | None = None, depth: int | str = 2, name_hint: str | None = None,
                 *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not root_url or urlsplit(root_url).scheme not in ("http", "https"):
            raise ValueError(f"discovery needs an http(s) root URL, got {root_url!r}")
        self.start_url = root_url
        self.site = WALK_PREFIX + (urlsplit(root_url).hostname or "")  # its crawl_runs rows
        self.max_depth = max(0, int(depth))
        self.name_hint = name_hint or None
        self.root = Node(url=root_url, placed=qualify(name_hint, None) if name_hint else None)
        self.nodes: dict[str, Node] = {root_url: self.root}
        self.lists_seen: set[str] = set()
        self.pages_seen: set[str] = set()

    def is_on_site(self, url: str) -> bool:  # the archive middleware asks about redirects: the tree goes where it links
        return True

    @property
    def found(self) -> list[Node]:
        """Every body of the tree, the root first, parents before their bodies."""
        out, queue = [], [self.root]
        while queue:
            node = queue.pop(0)
            out.append(node)
            queue.extend(node.children)
        return out

    async def start(self):
        yield self._page_request(self.root.url, self.root, 0)

    def _page_request(self, url: str, node: Node, hops: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_node, errback=self.node_failed,
                              cb_kwargs={"node": node, "hops": hops}, dont_filter=hops == 0)

    # -- a body's page --------------------------------------------------------------

    def parse_node(self, response: Response, node: Node, hops: int = 0):
        self.pages_seen.add(response.url)
        if not isinstance(response, TextResponse):
            node.problem = node.problem or f"{response.url} is not a web page"
            return
        links = page_links(response) + select_links(response)
        own = [link for link in links if link.url not in node.chrome]
        if node.placed is None:
            name = page_body_name(response.xpath("//title/text()").get(),
                                  response.xpath("//meta[@name='SiteName']/@content").get(),
                                  response.xpath("//h1//text()").get())
            node.placed = qualify(name, None) if name else None
        if node.column is None:
            chosen = column_link(own, response.url)
            if chosen is not None:
                node.column = chosen.url
                yield scrapy.Request(chosen.url, callback=self.parse_column, cb_kwargs={"node": node},
                                     errback=self.column_failed)
            elif any(is_annual_report_title(link.text) for link in own):
                node.column = response.url
                node.family = detect_family(response.text, response.url, links)
        found = 0
        if node.depth < self.max_depth and node.placed is not None:
            before = len(node.children)
            yield from self._children(response, node, own, 0)
            found = len(node.children) - before + sum(1 for link in own if is_body_list_text(link.text))
        # on towards the 政府信息公开 page: for the column, or for the lists of bodies (a portal's
        # home links its platform's 年报 in its navigation, its lists only on the platform)
        looking = node.column is None or (node.depth < self.max_depth and node.placed is not None)
        if looking and not found and hops < MAX_NAVIGATION_HOPS:
            for link in own:
                if is_disclosure_nav_text(link.text) and link.url not in self.pages_seen:
                    self.pages_seen.add(link.url)
                    yield self._page_request(link.url, node, hops + 1)

    def parse_list(self, response: Response, node: Node, list_hops: int, paged: bool = False):
        if not isinstance(response, TextResponse):
            return
        own = [link for link in page_links(response) + select_links(response) if link.url not in node.chrome]
        yield from self._children(response, node, own, list_hops)
        if paged:  # a page of the list: its pager was read on its first page
            return
        limit = self.settings.getint("XXGK_DISCOVER_MAX_LIST_PAGES", 20)
        for url in list_pages(response.text, response.url, own, limit):
            if url not in self.lists_seen:
                self.lists_seen.add(url)
                yield scrapy.Request(url, callback=self.parse_list, errback=self.list_failed,
                                     cb_kwargs={"node": node, "list_hops": list_hops, "paged": True})

    def _children(self, response: TextResponse, node: Node, own, list_hops: int):
        chrome = frozenset(link.url for link in page_links(response) + select_links(response))
        if list_hops < MAX_LIST_HOPS:
            for link in own:
                if is_body_list_text(link.text) and link.url not in self.lists_seen:
                    self.lists_seen.add(link.url)
                    yield scrapy.Request(link.url, callback=self.parse_list, errback=self.list_failed,
                                         cb_kwargs={"node": node, "list_hops": list_hops + 1})
        limit = self.settings.getint("XXGK_DISCOVER_MAX_BODIES", 2000)
        for link, placed in body_links(own, node.placed, skip={*self.nodes, response.url}):
            if len(self.nodes) >= limit:
                self.crawler.stats.inc_value("xxgk/discovery_bodies_capped")
                return
            child = Node(url=link.url, placed=placed, depth=node.depth + 1, parent=node, listed_on=response.url,
                         text=link.text, chrome=chrome)
            self.nodes[link.url] = child
            node.children.append(child)
            yield self._page_request(link.url, child, 0)

    # -- a body's 年报 column --------------------------------------------------------

    def parse_column(self, response: Response, node: Node):
        if isinstance(response, TextResponse):
            node.family = detect_family(response.text, response.url, page_links(response))

    # -- failures -----------------------------------------------------------------------

    def node_failed(self, failure):
        node = failure.request.cb_kwargs["node"]
        if node.problem is None and failure.request.cb_kwargs.get("hops", 0) == 0:
            node.problem = f"{failure.request.url}: {_message(failure)}"

    def column_failed(self, failure):
        self.logger.warning("年报 column %s could not be read: %s", failure.request.url, _message(failure))

    def list_failed(self, failure):
        self.logger.warning("list of bodies %s could not be read: %s", failure.request.url, _message(failure))


def _message(failure) -> str:
    from scrapy.spidermiddlewares.httperror import HttpError

    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    kind, message = describe(failure.value)
    return message or kind
