"""Reading a generated page of the docs tree back: its one raw HTML block.

``render.page`` writes each generated page as YAML front matter (with the
key ``xieshang``) and one raw HTML block. The MkDocs plugin hands that block
to the theme as it is, and ``generator.search.pages`` indexes it.
"""

from __future__ import annotations

from typing import Final

_MARK: Final = b"\nxieshang:"  # a front-matter key of every generated page
_END: Final = b"\n---\n"


def page_body(document: bytes) -> bytes | None:
    """The HTML block of a generated page; None for any other document."""
    if not document.startswith(b"---\n"):
        return None
    end = document.find(_END, 3)
    if end < 0 or _MARK not in document[3 : end + 1]:
        return None
    return document[end + len(_END) :].strip(b"\n")
