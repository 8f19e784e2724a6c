"""The character classes of the project, defined once (code point ranges and regex bodies).

Every module that needs "an Arabic letter", "a harakah" or "an invisible control" builds its
regex from these ranges, so that cleaning, tokenizing, page direction and chart labels agree
on what Arabic is. This module imports nothing from the package: every stage may use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

CodeRanges = tuple[tuple[int, int], ...]

# Every non-spacing mark (Mn) of the Arabic blocks (Unicode 14, as Python 3.11 knows it).
ARABIC_MARKS: CodeRanges = (
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06DC),
    (0x06DF, 0x06E4),
    (0x06E7, 0x06E8),
    (0x06EA, 0x06ED),
    (0x0898, 0x089F),
    (0x08CA, 0x08E1),
    (0x08E3, 0x08FF),
)
# The harakat proper (fathatan .. sukun) and the superscript alef: what CAMeL Tools'
# dediac_ar removes (camel_tools.utils.charsets.AR_DIAC_CHARSET) and what boilerplate
# phrases tolerate after any letter.
CAMEL_DIACRITICS: CodeRanges = ((0x064B, 0x0652), (0x0670, 0x0670))
TATWEEL = "\u0640"
# Invisible format controls that scraped text leaves inside words: soft hyphen, Arabic letter
# mark, zero-width non-joiner/joiner, LRM/RLM, bidi embeddings and isolates, BOM. The zero
# width space U+200B is not among them: it separates words.
FORMAT_CONTROLS: CodeRanges = (
    (0x00AD, 0x00AD),
    (0x061C, 0x061C),
    (0x200C, 0x200F),
    (0x202A, 0x202E),
    (0x2066, 0x2069),
    (0xFEFF, 0xFEFF),
)
# What cleaning deletes from raw text: the format controls, plus the zero width space, the
# Mongolian vowel separator and the invisible operators (U+2060..2064). Cleaning deletes the
# zero width space too (scrapers put it inside words, not between them); tokenizing after
# cleaning never sees one, so `FORMAT_CONTROLS` keeping it only matters for uncleaned text.
INVISIBLE: CodeRanges = (
    *FORMAT_CONTROLS[:2],
    (0x180E, 0x180E),
    (0x200B, 0x200B),
    *FORMAT_CONTROLS[2:4],
    (0x2060, 0x2064),
    *FORMAT_CONTROLS[4:],
)
# Letters (Lo, Lm) of the Arabic blocks, tatweel excepted, presentation forms included.
ARABIC_LETTERS: CodeRanges = (
    (0x0620, 0x063F),
    (0x0641, 0x064A),
    (0x066E, 0x066F),
    (0x0671, 0x06D3),
    (0x06D5, 0x06D5),
    (0x06E5, 0x06E6),
    (0x06EE, 0x06EF),
    (0x06FA, 0x06FC),
    (0x06FF, 0x06FF),
    (0x0750, 0x077F),
    (0x0870, 0x0887),
    (0x0889, 0x088E),
    (0x08A0, 0x08C9),
    (0xFB50, 0xFBB1),
    (0xFBD3, 0xFD3D),
    (0xFD50, 0xFD8F),
    (0xFD92, 0xFDC7),
    (0xFDF0, 0xFDFB),
    (0xFE70, 0xFE74),
    (0xFE76, 0xFEFC),
)
# Arabic Presentation Forms-A and -B, which some scrapers and PDF exports emit.
PRESENTATION_FORMS: CodeRanges = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFE))
# The Arabic script's blocks: Arabic, Supplement, Extended-B and -A, Presentation Forms.
ARABIC_BLOCKS: CodeRanges = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x0870, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
# The Arabic blocks less their two digit ranges: excluded from "other letters and digits".
ARABIC_BLOCKS_EXCEPT_DIGITS: CodeRanges = (
    (0x0600, 0x065F),
    (0x066A, 0x06EF),
    (0x06FA, 0x06FF),
    (0x0750, 0x077F),
    (0x0870, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
# Latin letters, basic and extended (A: U+00C0..; B: ..U+024F), for a text's direction.
LATIN_LETTERS: CodeRanges = ((0x0041, 0x005A), (0x0061, 0x007A), (0x00C0, 0x024F))

ARABIC_INDIC_DIGITS = "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
PERSIAN_DIGITS = "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9"


def chars(ranges: CodeRanges) -> str:
    """Every character of the ranges, in order."""
    return "".join(chr(c) for first, last in ranges for c in range(first, last + 1))


def class_body(ranges: CodeRanges) -> str:
    """Regex character-class body (no brackets) for code point ranges, as \\uXXXX escapes."""
    return "".join(
        f"\\u{first:04x}" if first == last else f"\\u{first:04x}-\\u{last:04x}"
        for first, last in ranges
    )


def any_run_of(ranges: CodeRanges) -> str:
    """Regex matching any run of the ranges' characters, the empty one too, longest first
    (what `[...]*` matches), in classes of two ranges at most where it can.

    Python's regex compiler makes a class of three ranges or more past Latin-1 into a 64 KB
    table, about 0.1 ms each time. The boilerplate phrases tolerate marks after each of 1,354
    letters: written `A*(?:BA*)*` (the same runs, tried longest first), cleaning's patterns
    compile in 0.14 s instead of 0.22 s, at the start of every process that cleans."""
    ranges = tuple(ranges)
    if not 2 < len(ranges) <= 4:
        return f"[{class_body(ranges)}]*"
    first, rest = class_body(ranges[:2]), class_body(ranges[2:])
    return f"[{first}]*(?:[{rest}][{first}]*)*"


def trie_body(strings: Iterable[str], char: Callable[[str], str] = re.escape) -> str:
    """Regex body matching any of `strings`, each character written as `char(c)`; where
    several match at one place, the longest is tried first.

    Written as a trie (`اقرا ايضا|اقرا المزيد` as `اقرا (?:ايضا|المزيد)`): a text that starts
    like none of the strings is rejected at its first character, not once per string. When
    no two characters' patterns match one character (true of `re.escape`), a text follows one
    path down the trie; each string's end is optional and greedy, so the longest string on
    that path comes first and a shorter one is tried on backtracking, as in the
    longest-first alternation. Branches are in code-point order: the same pattern in every
    process. An empty collection gives `(?!)`, which matches nothing.
    """
    trie: dict[str, dict] = {}
    for string in strings:
        node = trie
        for c in string:
            node = node.setdefault(c, {})
        node[_END] = {}
    return _trie_pattern(trie, char) if trie else "(?!)"


_END = ""  # the trie key marking that a string ends at its node


def _trie_pattern(node: dict[str, dict], char: Callable[[str], str]) -> str:
    branches = [char(c) + _trie_pattern(node[c], char) for c in sorted(node) if c]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END not in node:
        return body
    return body + "?" if len(branches) > 1 else f"(?:{body})?"
