"""A ``sitemap.xml`` beside every feed, listing the feeds of its folder.

Material for MkDocs (9.x) treats every ``<link rel="alternate">`` of a page as
another language of the site: on each page load its script requests
``sitemap.xml`` resolved against the link's address
(squidfunk/mkdocs-material#6582; the same code is in Zensical's UI). For a
feed at ``feeds/cases.xml`` that is ``feeds/sitemap.xml``, and for a
platform's ``platforms/<id>/sitemap.xml``: without a file there, every page
view would cost one or two failed requests, each answered with the site's
404 page, and an error in the browser's console.

So each folder holding a feed holds a small, valid sitemap of what is in it
(the feeds). The theme's script reads it, finds no page of another language
and does nothing more; nothing links to these files.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Final

SITEMAP_NAMESPACE: Final = "http://www.sitemaps.org/schemas/sitemap/0.9"
NAME: Final = "sitemap.xml"
_DECLARATION: Final = '<?xml version="1.0" encoding="utf-8"?>\n'


def folder_sitemaps(feed_paths: Iterable[str], base: str) -> dict[str, bytes]:
    """``<folder>/sitemap.xml`` for each folder of ``feed_paths`` (docs-tree paths);
    ``base`` is ``site_url``, ending in ``/``."""
    folders: dict[str, list[str]] = {}
    for path in sorted(feed_paths):
        folder = path.rpartition("/")[0]
        folders.setdefault(folder, []).append(path)
    return {f"{folder}/{NAME}": _sitemap(base, paths) for folder, paths in folders.items()}


def _sitemap(base: str, paths: list[str]) -> bytes:
    root = ET.Element("urlset", {"xmlns": SITEMAP_NAMESPACE})
    root.text = "\n"
    for path in paths:
        url = ET.SubElement(root, "url")
        url.tail = "\n"
        ET.SubElement(url, "loc").text = base + path
    return (_DECLARATION + ET.tostring(root, encoding="unicode") + "\n").encode()
