"""Redirect pages at the former addresses of renamed cases.

A case renamed from ``old`` to ``new`` lists ``former_ids: [old]``; its old
address ``/cases/old/`` must keep working, since it may be printed on a QR
code. GitHub Pages has no server-side redirects, so each former address gets a
small static HTML page: ``<meta http-equiv="refresh">`` (no JavaScript), a
visible link for anyone whose browser does not follow it, and
``rel=canonical`` so that search engines index the new address only.

The pages are plain ``cases/<old>/index.html`` files in the docs tree, not
Markdown pages: MkDocs copies them to the site as they are, so they are never
in the navigation, the sitemap or the search index, and the ``<head>`` is
ours (the theme would add its own canonical link, pointing at the old address).
The refresh and the link are relative (``../new/``): the site also works below
a sub-path such as ``https://example.github.io/archive/``, and a downloaded
preview served on 127.0.0.1 stays there. The canonical link is absolute when
the site's address is known (search engines prefer it), else relative too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import jinja2

from generator.records import model

TEMPLATE = "redirect.html"
_TEMPLATES = Path(__file__).parent / "templates"


def targets(archive: model.Archive) -> dict[str, str]:
    """Former id -> current id, for every renamed case (the validator keeps them unique)."""
    return {
        old: case.id
        for case in sorted(archive.cases.values(), key=lambda c: c.id)
        for old in case.former_ids
    }


def pages(archive: model.Archive, site_name: str,
          site_url: str | None = None) -> Iterator[tuple[str, bytes]]:
    """``cases/<old>/index.html`` for every former id, as (path in the docs tree, bytes)."""
    template = _environment().get_template(TEMPLATE)
    for old, new in sorted(targets(archive).items()):
        case = archive.cases[new]
        withdrawn = case.withdrawn is not None
        html = template.render(
            site_name=site_name,
            heading="此记录已撤回" if withdrawn else "本案例的网址已更改",
            # A withdrawn record shows nothing but the withdrawal, its title included.
            link_text="查看撤回说明" if withdrawn else case.title,
            old_id=old,
            new_id=new,
            target=f"../{new}/",
            canonical=urljoin(site_url.rstrip("/") + "/", f"cases/{new}/") if site_url
            else f"../{new}/",
        )
        yield f"cases/{old}/index.html", html.encode("utf-8")


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
