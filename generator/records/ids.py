"""Record ids: the rule they follow and pinyin suggestions for new ones.

An id is a file name without ``.yml`` and the permanent address of a record,
so the build never computes one; these suggestions are only offered to
editors (in error hints and by ``generator new``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Final

ID_MAX_LENGTH: Final = 80
ID_PATTERN: Final = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ID_RULE: Final = "只能用小写英文字母、数字和单个连字符（-），不能以连字符开头或结尾，最长 80 个字符"

# Runs of Chinese characters, runs of ASCII letters and digits; anything else separates words.
_TOKEN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([A-Za-z0-9]+)")


def is_valid_id(text: str) -> bool:
    return len(text) <= ID_MAX_LENGTH and ID_PATTERN.match(text) is not None


def suggest_id(text: str, year: int | None = None) -> str:
    """A readable id for ``text``: pinyin words joined by hyphens, e.g. 社区食堂 -> shequ-shitang.

    With ``year`` the id starts with it (``2022-shequ-shitang``), as the spec
    recommends for cases. Returns "" when nothing in ``text`` can be spelled.
    """
    words: list[str] = []
    for chinese, ascii_run in _TOKEN.findall(text):
        words.extend(_pinyin_words(chinese) if chinese else [ascii_run.lower()])
    if year is not None and words[:1] != [str(year)]:
        words.insert(0, str(year))
    return _trim(words)


def _trim(words: list[str]) -> str:
    """Join words with hyphens, dropping whole words from the end to stay within the limit."""
    result = ""
    for word in words:
        candidate = f"{result}-{word}" if result else word
        if len(candidate) > ID_MAX_LENGTH:
            break
        result = candidate
    if not result and words:  # a single word longer than the limit
        result = words[0][:ID_MAX_LENGTH]
    return result


def _pinyin_words(chinese: str) -> list[str]:
    """Pinyin of a run of Chinese characters, one string per (guessed) word.

    pypinyin's phrase dictionary segments the words it knows (社区, 食堂), which
    also gets heteronyms right (长者 -> zhangzhe). Characters it leaves alone
    are paired up, since most Chinese words have two characters
    (工程 -> gongcheng); a suggestion only has to be a reasonable start.
    """
    lazy_pinyin, cut = _pinyin_tools()
    words: list[str] = []
    singles: list[str] = []
    for segment in cut(chinese):
        syllables = [
            s for s in lazy_pinyin(segment, errors="ignore") if s.isascii() and s.isalpha()
        ]
        if len(segment) == 1:
            singles.extend(syllables)
            continue
        words.extend(_pairs(singles))
        singles = []
        if syllables:
            words.append("".join(syllables))
    words.extend(_pairs(singles))
    return [word.lower() for word in words]


def _pairs(syllables: list[str]) -> list[str]:
    return ["".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2)]


@lru_cache(maxsize=1)
def _pinyin_tools() -> tuple[Callable[..., list[str]], Callable[[str], Iterable[str]]]:
    """Import pypinyin only when a suggestion is needed: it takes a while to load."""
    from pypinyin import lazy_pinyin
    from pypinyin.seg.mmseg import seg

    return lazy_pinyin, seg.cut
