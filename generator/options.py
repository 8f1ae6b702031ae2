"""Every setting of a build, declared once.

The fields marked ``plugin_option`` are the options of the ``xieshang``
plugin in ``mkdocs.yml``: the engine adapter derives its configuration class
from them (``engine/config.py``), and a test fails when one of them is not
documented in the README. The others come from the engine's own
configuration (``site_name``, ``site_url``) or are set by the command line,
tests and benchmarks.

The pipeline's stages take the one ``Options`` object and read what they need.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

_PLUGIN = "plugin"


def plugin_option(default: Any) -> Any:
    """A field that is also an option of the plugin, with its default."""
    return field(default=default, metadata={_PLUGIN: True})


@dataclass(frozen=True)
class Options:
    # The plugin's options.
    content_dir: str = plugin_option("content")  # the archive: platforms/, cases/, pages/
    build_dir: str = plugin_option("build/docs")  # where the docs tree is written
    demo: bool = plugin_option(False)  # mark every page as demonstration data
    git_dates: bool = plugin_option(True)  # "last changed" dates from one `git log`
    search: bool = plugin_option(True)  # make the Pagefind index beside the engine
    # Pages per Pagefind run: Pagefind holds every page's words in memory until it
    # writes its index (about 0.3 MB a page), so a larger site is indexed in slices
    # and merged; two runs at once.
    search_slice_pages: int = plugin_option(500)
    # Dated pages per search bundle: the search page loads the newest bundle first,
    # so what a first search downloads stays the same at any size of archive.
    search_bundle_pages: int = plugin_option(6000)
    # Skip engine work whose result is known in advance (Python-Markdown for
    # generated pages, parts of the theme that come out the same for many pages).
    # Off only to prove, in a test, that the pages come out the same.
    shortcuts: bool = plugin_option(True)
    # The licence of the open data at /data/: an SPDX identifier that
    # generator/data/licences.py knows (its title and address come from there).
    data_license: str = plugin_option("CC-BY-4.0")
    # Warn when the built site is larger than this many MB (10^6 bytes): GitHub Pages
    # publishes at most 1 GB. 0 turns the warning off (a site published elsewhere).
    size_warning_mb: int = plugin_option(1000)
    # The editors' web form at /admin/ (Decap CMS, copied from node_modules; see
    # generator/site/cms.py). The repository is the one in the engine's repo_url.
    admin_form: bool = plugin_option(False)
    admin_backend: str = plugin_option("github")  # github, forgejo or gitea
    admin_branch: str = plugin_option("main")  # where pull requests go
    # GitHub: the sign-in relay's address (Decap's base_url); Forgejo/Gitea: the server's.
    admin_auth_url: str = plugin_option("")
    admin_app_id: str = plugin_option("")  # Forgejo/Gitea: the OAuth application's client id

    # From the engine's configuration.
    site_name: str = "协商档案"
    site_url: str | None = None  # the public address; None only for a preview (no QR codes)
    repo_url: str | None = None  # the archive's repository: revisions link to its commits

    # Set by the command line, tests and benchmarks.
    as_of: dt.date | None = None  # default: SOURCE_DATE_EPOCH's day, else today
    page_size: int = 100  # entries per page of any listing
    jobs: int | None = None  # processes that render pages; default: one per usable CPU


def plugin_fields() -> tuple[dataclasses.Field[Any], ...]:
    """The fields that are options of the plugin, in the order declared."""
    return tuple(f for f in dataclasses.fields(Options) if f.metadata.get(_PLUGIN))
