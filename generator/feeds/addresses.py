"""Where the feeds are, what they are called, and whether a build has them.

The site stage announces the feeds on its pages from these names; the feeds
stage writes them. A feed's entries and its own id are absolute addresses
below ``site_url``, so a preview without one (``mkdocs serve`` of a
configuration without ``site_url``) has no feeds and announces none.
"""

from __future__ import annotations

from typing import Final

from generator.options import Options
from generator.records import model

CASES: Final = "feeds/cases.xml"
FOLLOW_UP: Final = "feeds/follow-up.xml"
PLATFORM_FILE: Final = "feed.xml"
MEDIA_TYPE: Final = "application/atom+xml"


def enabled(options: Options) -> bool:
    """Whether a build with these options writes feeds: only with a public address."""
    return bool(options.site_url and options.site_url.strip())


def platform_feed(platform_id: str) -> str:
    """The docs-tree path of a platform's feed, beside its page."""
    return f"platforms/{platform_id}/{PLATFORM_FILE}"


def cases_title(site_name: str) -> str:
    return f"{site_name}：新发布和修订的协商案例"


def follow_up_title(site_name: str) -> str:
    return f"{site_name}：共识事项的办理进展和逾期"


def platform_title(platform: model.Platform) -> str:
    return f"{platform.name}（{platform.region}）及下级平台的协商案例"


# How a platform page names its feed in its head. Record text is never put in an
# attribute (tests/test_site_escaping.py), so the page says "this platform".
PLATFORM_LINK_TITLE: Final = "本平台及全部下级平台新发布和修订的协商案例"
