"""``SHA256SUMS``: the SHA-256 of every data file, in the format ``sha256sum -c`` reads.

One line per file, ``<64 hex digits>  <name>``, by name, LF line endings:
``sha256sum -c SHA256SUMS`` (GNU coreutils) and ``shasum -a 256 -c SHA256SUMS``
(macOS) check it as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256sums(digests: Mapping[str, str]) -> bytes:
    """The checksum file, given each file's SHA-256 (``sha256``) by its name (no folders)."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(digests.items())).encode()
