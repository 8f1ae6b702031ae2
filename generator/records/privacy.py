"""Detectors for personal data that must never reach a public record.

Three kinds: mainland mobile numbers, 18-character resident ID numbers with a
valid check digit, and e-mail addresses. The detectors favour precision over
recall where a false alarm would block an honest record: an 11-digit run
inside a longer number is not a mobile number, and an 18-character number is
an ID only when its check digit and birth date are valid.

Matches are masked (``138****5678``) before they appear in a message,
because check output ends up in public CI logs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final, Literal

Kind = Literal["mobile", "resident_id", "email"]

KIND_NAMES: Final[dict[Kind, str]] = {
    "mobile": "手机号码",
    "resident_id": "身份证号码",
    "email": "电子邮箱地址",
}

# An optional +86 / 86 prefix, then 1[3-9]x xxxx xxxx with optional single spaces
# or hyphens between the groups; never part of a longer run of digits.
_MOBILE: Final = r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"
MOBILE_REGEX: Final = _MOBILE  # also valid in JavaScript: the editors' form uses it
_RESIDENT_ID: Final = r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])"
_EMAIL: Final = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_DETECTOR: Final = re.compile(
    f"(?P<resident_id>{_RESIDENT_ID})|(?P<mobile>{_MOBILE})|(?P<email>{_EMAIL})"
)

# A cheap first pass over a whole file (see may_contain_personal_data).
_SEPARATORS: Final = b" \t\r\n-"
_ONLY_DIGITS: Final = bytes(
    ord("0") if ord("0") <= code <= ord("9") else ord("x") for code in range(256)
)
_DIGIT_RUN: Final = b"0" * 11
_FULLWIDTH_DIGIT_OR_SIGN: Final = re.compile(rb"\xef\xbc[\x8b\x8d\x90-\x99]")  # ＋ － ０-９

_ID_WEIGHTS: Final = tuple(2 ** (17 - i) % 11 for i in range(17))
_ID_CHECK_CHARS: Final = "10X98765432"


@dataclass(frozen=True)
class Finding:
    kind: Kind
    start: int
    end: int
    text: str

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def masked(self) -> str:
        return mask(self.kind, self.text)


# Full-width digits and signs (０-９, ＋, －) as typed with a Chinese input method; same length.
_HALF_WIDTH: Final = {
    **{0xFF10 + n: ord("0") + n for n in range(10)}, 0xFF0B: ord("+"), 0xFF0D: ord("-"),
}


def find_personal_data(text: str) -> list[Finding]:
    """Every mobile number, resident ID number and e-mail address in ``text``."""
    findings = []
    for match in _DETECTOR.finditer(text.translate(_HALF_WIDTH)):
        kind: Kind = match.lastgroup  # type: ignore[assignment]
        found = text[match.start():match.end()]
        if kind == "resident_id" and not is_resident_id(found.translate(_HALF_WIDTH)):
            continue  # some other 18-digit number; too long to hold a mobile number
        findings.append(Finding(kind, match.start(), match.end(), found))
    return findings


def may_contain_personal_data(source: bytes) -> bool:
    """False when a file's bytes cannot hold a finding, so its values need no scan.

    Every finding has an '@' or at least 11 digits separated only by spaces,
    hyphens or line breaks. Byte-level operations answer that in microseconds,
    where a regular expression over Chinese text takes a hundred. Escapes
    (a backslash) and full-width digits or signs send the file to the full scan.
    """
    if b"@" in source or b"\\" in source:
        return True
    if _DIGIT_RUN in source.translate(_ONLY_DIGITS, _SEPARATORS):
        return True
    return _FULLWIDTH_DIGIT_OR_SIGN.search(source) is not None


def is_resident_id(text: str) -> bool:
    """18 characters, a valid ISO 7064 MOD 11-2 check digit and a plausible birth date."""
    if len(text) != 18 or not text[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(text[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK_CHARS[total % 11] != text[17].upper():
        return False
    return _plausible_birth_date(text[6:14])


def _plausible_birth_date(digits: str) -> bool:
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if not 1900 <= year <= 2099:
        return False
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def mask(kind: Kind, text: str) -> str:
    """Hide the middle of a finding so that messages and CI logs do not repeat it."""
    if kind == "email":
        local, _, domain = text.partition("@")
        return f"{local[:1]}***@{domain}"
    if kind == "resident_id":
        return f"{text[:6]}********{text[-4:]}"
    digits = re.sub(r"\D", "", text)  # \D: full-width digits are digits too
    return f"{digits[-11:-8]}****{digits[-4:]}"
