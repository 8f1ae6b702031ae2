"""Engine work skipped where its result is known in advance (the plugin's ``shortcuts``).

A test builds the sample with and without them and finds the same bytes.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc


class HeldPage(Page):
    """A generated page whose HTML ``on_page_context`` puts in: nothing for MkDocs to convert.

    ``Page.render`` would build a Python-Markdown parser with every configured
    extension only to convert the empty text the plugin leaves: a large share
    of the engine's time per page. ``on_page_markdown`` makes a held page
    this class, whose ``render`` sets what converting nothing would set.
    """

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        self.content = ""
        self.toc = get_toc([])
        self.present_anchor_ids = set()
        self.links_to_anchors = {}


class RenderedOnce:
    """Parts of Material's page that come out the same for many pages: rendered once each.

    * The sidebar. Material renders the whole navigation for every page, a large
      share of its time per page. For a generated page outside the
      navigation (a case, a platform, a listing page) nothing in it is active,
      and its links depend only on where the page sits: its first folder and
      its depth. Pages in the navigation, hand-written pages and pages with
      ``hide`` are always rendered in full.
    * The page configuration script (``__config``: the base address, the
      theme's features and translations), the style sheets and the scripts,
      which depend only on the base address; the footer too, on a page with
      no previous or next page to link to.

    ``main.html`` asks for a key; with one, it takes the part kept under it or
    renders and keeps it. Off (no keys) when the plugin's ``shortcuts`` are.
    """

    def __init__(self, nav_urls: set[str] | None = None, enabled: bool = False) -> None:
        self.nav_urls = nav_urls or set()
        self.enabled = enabled
        self.html: dict[tuple[str, str, int], str] = {}

    def nav_key(self, page: Page | None) -> tuple[str, str, int] | None:
        """The sidebar's key: None for a page whose sidebar is rendered in full."""
        if not self.enabled or page is None or page.url in self.nav_urls:
            return None
        meta = page.meta or {}
        if not meta.get("xieshang") or meta.get("hide"):
            return None
        parts = page.url.split("/")
        return "nav", parts[0], len(parts)

    def place_key(self, part: str, page: Page | None) -> tuple[str, str, int] | None:
        """The key of a part whose links depend only on where the page sits (its first
        folder and depth, as for the sidebar), for any page."""
        if not self.enabled or page is None:
            return None
        parts = page.url.split("/")
        return part, parts[0], len(parts)

    def base_key(self, part: str, base_url: str) -> tuple[str, str, int] | None:
        """The key of a part that depends only on the base address."""
        return (part, base_url, 0) if self.enabled else None

    def footer_key(self, page: Page | None, base_url: str) -> tuple[str, str, int] | None:
        if page is None or page.previous_page or page.next_page or page.url in self.nav_urls:
            return None
        return self.base_key("footer", base_url)

    def names_commit(self, page: Page | None) -> bool:
        """Whether the page's footer names the commit the site was built from: only pages
        in the navigation, which every build renders, so that a new commit leaves the
        other pages' bytes as they were (``kept_pages``)."""
        return page is not None and page.url in self.nav_urls

    def get(self, key: tuple[str, str, int]) -> str | None:
        return self.html.get(key)

    def keep(self, key: tuple[str, str, int], html: str) -> str:
        self.html[key] = html
        return html
