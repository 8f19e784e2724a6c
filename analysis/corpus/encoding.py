"""Bytes to text: the encoding read, a hint when it is not UTF-8, binary content refused.

Pure functions of the bytes (no I/O), used by `readers` for every file and archive member:
`decode` returns the text or the reason it is refused, a reason that names the likely
encoding ("looks like Windows-1256: use --encoding cp1256") when the file is not UTF-8, and
calls a text binary when a tenth or more of its characters are NUL or other control
characters (tab, line feed, carriage return, form feed and vertical tab excepted).
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from typing import NamedTuple

from analysis.charsets import ARABIC_LETTERS

# C0 controls except \t \n \v \f \r, and DEL: what text never holds and binary data does.
CONTROLS = tuple(chr(c) for c in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F))
BINARY_SHARE = 0.1
_SAMPLE = 1 << 16  # bytes looked at to guess an encoding
_ARABIC = frozenset(chr(c) for low, high in ARABIC_LETTERS for c in range(low, high + 1))


class Decoded(NamedTuple):
    """The text, or None and the problem message (`"<reason>: <details>"`)."""

    text: str | None
    problem: str = ""
    controls: bool = False  # whether the text holds a control character (`control_share`)


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """The text of `data` (UTF-8 unless `encoding` says otherwise), or why not.

    A leading byte order mark is dropped (UTF-8 and, with an explicit UTF-16/32 encoding,
    theirs), so that the first header or key is never `\\ufefftext`.
    """
    codec = encoding or "utf-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        return Decoded(None, _undecodable(data, error, encoding))
    text = text.removeprefix("\ufeff")
    share = control_share(text)
    if share >= BINARY_SHARE:
        guess = guess_encoding(data) if encoding is None else None
        hint = f"; looks like {guess[0]}: use --encoding {guess[1]}" if guess else ""
        return Decoded(None, f"binary content: {share:.0%} NUL or control characters{hint}")
    return Decoded(text, controls=share > 0)


def control_share(text: str, possible: Sequence[str] = CONTROLS) -> float:
    """Share of the characters that are NUL or other control characters (not whitespace);
    `possible`: the only control characters the text can hold, when the caller knows."""
    # A substring test per control character: 27 scans of a clean text at C speed take half
    # the time of one regex search for the class (SaudiNewsNet: 0.11 against 0.22 s).
    if not text or not any(control in text for control in possible):
        return 0.0
    return sum(map(text.count, possible)) / len(text)


def _undecodable(data: bytes, error: UnicodeDecodeError, encoding: str | None) -> str:
    name = encoding or "UTF-8"
    where = f"byte 0x{data[error.start]:02x} at offset {error.start}"
    message = f"not valid {name}: {where}"
    if encoding is None and (guess := guess_encoding(data)):
        message += f"; looks like {guess[0]}: use --encoding {guess[1]}"
    return message


def guess_encoding(data: bytes) -> tuple[str, str] | None:
    """(name, codec) of the likely encoding of text that is not UTF-8, or None.

    A byte order mark says UTF-16/32; without one, UTF-16 shows as NUL bytes at every other
    offset or as Arabic letters when decoded so; Windows-1256 as mostly Arabic letters once
    decoded with it.
    """
    for bom, name, codec in (
        (codecs.BOM_UTF32_LE, "UTF-32", "utf-32"),
        (codecs.BOM_UTF32_BE, "UTF-32", "utf-32"),
        (codecs.BOM_UTF16_LE, "UTF-16", "utf-16"),
        (codecs.BOM_UTF16_BE, "UTF-16", "utf-16"),
    ):
        if data.startswith(bom):
            return name, codec
    sample = data[:_SAMPLE]
    for codec, name in (("utf-16-le", "UTF-16-LE"), ("utf-16-be", "UTF-16-BE")):
        text = sample[: len(sample) // 2 * 2].decode(codec, errors="replace")
        if _textual(text) >= 0.9:
            return name, codec
    lenient = sample.decode("utf-8", errors="replace")
    if lenient.count("\ufffd") < sum(1 for c in lenient if not c.isascii()) / 2:
        return None  # UTF-8 with a few bad bytes, not another encoding
    text = sample.decode("cp1256", errors="replace")
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c in _ARABIC for c in letters) / len(letters) >= 0.5:
        return "Windows-1256", "cp1256"
    return None


def _textual(text: str) -> float:
    """Share of letters, digits, whitespace and common punctuation (not CJK/private use)."""
    if not text:
        return 0.0
    good = sum(
        1
        for c in text
        if c in _ARABIC or c.isspace() or (c.isascii() and c.isprintable()) or c in "،؛؟"
    )
    return good / len(text)
