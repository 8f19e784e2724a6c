"""Spelling-tolerant phrase matching for the rules: fold variants, build tolerant regexes.

One phrase written as readers see it (اقرأ أيضاً) covers its spellings (إقرأ ايضا, with
harakat or tatweel) without folding every line first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from analysis.charsets import (
    ARABIC_INDIC_DIGITS,
    CAMEL_DIACRITICS,
    PERSIAN_DIGITS,
    TATWEEL,
    CodeRanges,
    any_run_of,
    chars,
    trie_body,
)
from analysis.files import SAFE_YAML_LOADER

_FOLD = str.maketrans(
    {
        "\u0622": "\u0627",  # alef madda -> alef
        "\u0623": "\u0627",  # alef hamza above
        "\u0625": "\u0627",  # alef hamza below
        "\u0671": "\u0627",  # alef wasla
        "\u0649": "\u064a",  # alef maqsura -> yeh
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u00a0": " ",
        **dict.fromkeys(TATWEEL + chars(CAMEL_DIACRITICS)),  # tatweel, harakat, dagger alef
    }
)
# Arabic-Indic and Persian (Eastern Arabic-Indic) digits both read as ASCII digits in rules.
_DIGITS = str.maketrans(ARABIC_INDIC_DIGITS + PERSIAN_DIGITS, "0123456789" * 2)


def fold(text: str) -> str:
    """Matching key for rules: spelling variants folded, lowercased, single spaces."""
    return " ".join(text.translate(_FOLD).translate(_DIGITS).lower().split())


# Letters that `fold` merges into each one, written as classes, so a phrase matches every
# spelling without folding each line first (folding every line with str.translate dominated
# the profile).
_SPELLINGS = {
    "\u0627": "\u0627\u0622\u0623\u0625\u0671",
    "\u064a": "\u064a\u0649",
    "\u0647": "\u0647\u0629",
}
# What may follow any Arabic letter of a phrase: tatweel, harakat, the superscript alef.
TOLERATED_MARKS: CodeRanges = tuple(sorted([(ord(TATWEEL), ord(TATWEEL)), *CAMEL_DIACRITICS]))
# A class of three ranges, written for a quick compile (`any_run_of`).
_MARKS = any_run_of(TOLERATED_MARKS)


def variants(char: str) -> str:
    """A folded phrase's character and the letters `fold` merges into it."""
    return _SPELLINGS.get(char, char)


def spellings(char: str) -> str:
    """Regex of one character: a folded phrase's character in each spelling `fold` merges into
    it (a space: any blank, the no-break space too)."""
    if char == " ":
        return "[\\s\u00a0]"
    spelled = variants(char)
    return f"[{spelled}]" if len(spelled) > 1 else re.escape(char)


def takes_marks(char: str) -> bool:
    """Whether harakat and tatweel may follow the character in a phrase (an Arabic letter)."""
    return "\u0621" <= char <= "\u064a"


def _tolerant_char(char: str) -> str:
    """Regex for one folded character: its spellings (a space: a run of blanks), then harakat
    and tatweel after a letter."""
    pattern = spellings(char) + ("+" if char == " " else "")
    return pattern + _MARKS if takes_marks(char) else pattern


def phrases(words: Iterable[str]) -> str:
    """A regex matching any of the phrases, in any spelling; where several match at one
    place, the longest.

    The phrases are written as a trie (`charsets.trie_body`): a third shorter than the plain
    longest-first alternation it replaces, it compiles in three quarters of the time, and a
    line that starts like no phrase is rejected at its first letter, not once per phrase
    (matching SaudiNewsNet's lines against the line rules took 0.21 s against 0.43 s). It
    matches what that alternation matched, since two letters' patterns never match one
    character.
    """
    return trie_body({fold(w) for w in words}, _tolerant_char)


def word_count(text: str) -> int:
    """Whitespace-delimited words (this package's `n_words_*`; `arabic` tokenizes later)."""
    return len(text.split())


def load_phrase_lists(path: Path) -> dict[str, Any]:
    """A YAML file of phrase lists: each list as a tuple, a mapping of lists kept in order."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_YAML_LOADER)
    return {
        key: {name: tuple(words) for name, words in value.items()}
        if isinstance(value, dict)
        else tuple(value)
        for key, value in data.items()
    }
