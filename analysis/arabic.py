"""Arabic text processing: normalization, tokenization, light stemming, stopwords, sentences.

Normalization (`normalize`): every step either deletes characters or maps one character to
one other character, the steps touch disjoint sets of characters and no step produces a
character another step rewrites, so the result does not depend on their order and a second
pass changes nothing (idempotent). Steps and defaults:

- ``diacritics`` (on): delete every Arabic non-spacing mark: harakat, tanween, shadda, sukun
  (U+064B-U+0652, exactly what CAMeL Tools' ``dediac_ar`` removes, with superscript alef
  U+0670), and also the other marks CAMeL keeps: maddah/hamza above and below
  (U+0653-U+0655), the other extended marks up to U+065F, the honorific signs
  U+0610-U+061A and the Quranic annotation marks (U+06D6-U+06ED, U+0898-U+08FF). These are
  all the Mn characters of the Arabic blocks. `dediac` is the CAMeL-equivalent subset.
- ``tatweel`` (on): delete the kashida U+0640, a purely typographic stretch.
- ``alef`` (on): أ إ آ ٱ -> ا (same four letters as CAMeL's ``normalize_alef_ar``); the seeds
  spell the same words both ways (الارهاب / الإرهاب).
- ``alef_maqsura`` (on): ى -> ي (as CAMeL); writers confuse the two at word end (على / علي).
- ``taa_marbuta`` (on): ة -> ه (as CAMeL). On by default because news text writes the
  same word both ways (الامنية / الامنيه) and counting must not split them; it conflates a
  few pairs (e.g. feminine nouns with the 3rd person pronoun suffix), which matters less
  for counting than the split would.
- ``hamza_seats`` (off): ؤ ئ -> ء. Off because the seat is rarely miswritten in edited news
  and folding it merges distinct words; available for noisier text.
- ``digits`` (on): Arabic-Indic (U+0660-U+0669) and Persian (U+06F0-U+06F9) digits -> 0-9.
- ``format_controls`` (on): delete the invisible controls scraped text leaves inside words
  (RLM/LRM, ZWNJ/ZWJ, bidi embeddings, soft hyphen, BOM; SaudiNewsNet has about 1,700).

Presentation forms (U+FB50-U+FEFF) are letters for tokenization but are not folded: that
is Unicode compatibility normalization (NFKC), a hygiene step of the corpus loader.

Tokenization (`tokenize`): a token is a run of Arabic letters (kind ``arabic``) or a run of
other letters and digits (kind ``latin`` when it has a letter, ``number`` when it is all
digits) in which ``-`` and apostrophes join two runs (F-35, al-Qaeda) and ``. , : /`` and the
Arabic decimal/thousands separators join two digits (24,6 / 3.5 / 2015/07/21). Diacritics,
tatweel and format controls never split a word: tokens are found on the text with those
removed and their offsets are mapped back, so a token's span covers the word with its marks
(and those right after its last letter), and ``text[start:end]`` is the original spelling.
A change of script splits: ``بـF-16`` gives ``ب`` and ``F-16``; ``2025م`` gives ``2025`` and
``م``. Everything else (Arabic and Latin punctuation, symbols, spaces) separates tokens.
`count_tokens(text)` equals ``Counter(normalize(t.text) for t in tokenize(text))``.

Light stemming (`stem`, on a normalized word), after Larkey, Ballesteros and Connell's
"light10" stemmer, with stricter length guards and single-letter proclitics:

1. Prefix readings of the word, least stripped first: the word itself; without a leading
   و (at least 3 letters left) or ف ب ل ك (at least 4 left); without و/ف followed by ب ل ك
   (وبشكل; at least 4 left); without the longest article prefix of وبال وكال فبال فكال ولل
   فلل وال فال بال كال لل ال (at least 2 left).
2. Suffixes ها ان ات ون ين يه ية ه ة ي are tried in this order, each removed when at least
   3 letters remain; unlike light10 the passes repeat until nothing more comes off
   (فعالياته -> فعاليات -> فعالي -> فعال).
3. Exceptions (``analysis/data/stem_exceptions.txt``) are stems that are not cut further:
   the first listed form met, reading by reading and suffix by suffix, is the stem (مالي
   stays مالي, لمالي gives مالي, ليبيا and فرنسا keep their first letter, ايران keeps ان).
   Without one, the stem is the most stripped reading with its suffixes removed. The list
   is curated names plus stems derived from a corpus by `suggest_stem_exceptions`, where
   the article shows that a first letter belongs to the word (البرنامج: so برنامج keeps its
   ب and agrees with البرنامج).

So والإرهاب، للإرهاب، بالإرهاب، الإرهاب، إرهاب، الإرهابية، الإرهابيين، إرهابي all stem to
ارهاب; لداعش to داعش; المغرب to مغرب. Words that are not Arabic (Latin, numbers) are returned
unchanged.

Stopwords come from the maintained ``stopwordsiso`` list, normalized with `normalize` and
extended by ``analysis/data/stopwords_extra.txt``.

Sentences end at . ! ? ؟ ؛ … (a dot between two digits is a decimal point) and at line
breaks; paragraphs are the non-blank lines. Spans carry offsets into the text given.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from analysis.charsets import (
    ARABIC_BLOCKS_EXCEPT_DIGITS,
    ARABIC_INDIC_DIGITS,
    ARABIC_LETTERS,
    ARABIC_MARKS,
    CAMEL_DIACRITICS,
    FORMAT_CONTROLS,
    PERSIAN_DIGITS,
    TATWEEL,
    CodeRanges,
)
from analysis.charsets import class_body as _class_body
from analysis.config import STEM_EXCEPTIONS_PATH, STOPWORDS_EXTRA_PATH

ALEF_VARIANTS = "\u0622\u0623\u0625\u0671"  # آ أ إ ٱ
ALEF = "\u0627"
ALEF_MAQSURA = "\u0649"
YA = "\u064a"
TAA_MARBUTA = "\u0629"
HA = "\u0647"
HAMZA_SEATS = "\u0624\u0626"  # ؤ ئ
HAMZA = "\u0621"


# ---------------------------------------------------------------------------------------
# Normalization: deletions by one compiled regex, 1:1 letter maps by str.replace (both run
# at C speed; str.translate with a dict is 4-5 times slower on Arabic text).

Replacements = tuple[tuple[str, str], ...]

_DELETIONS: dict[str, CodeRanges] = {
    "diacritics": ARABIC_MARKS,
    "tatweel": ((ord(TATWEEL), ord(TATWEEL)),),
    "format_controls": FORMAT_CONTROLS,
}
_REPLACEMENTS: dict[str, Replacements] = {
    "alef": tuple((variant, ALEF) for variant in ALEF_VARIANTS),
    "alef_maqsura": ((ALEF_MAQSURA, YA),),
    "taa_marbuta": ((TAA_MARBUTA, HA),),
    "hamza_seats": tuple((seat, HAMZA) for seat in HAMZA_SEATS),
    "digits": tuple(
        (ch, str(value))
        for digits in (ARABIC_INDIC_DIGITS, PERSIAN_DIGITS)
        for value, ch in enumerate(digits)
    ),
}


def _deletion_re(ranges: CodeRanges) -> re.Pattern[str]:
    return re.compile(f"[{_class_body(ranges)}]+")


def _replace_all(text: str, replacements: Replacements) -> str:
    for old, new in replacements:
        if old in text:  # a scan is cheaper than building an unchanged copy
            text = text.replace(old, new)
    return text


_CAMEL_DIACRITICS_RE = _deletion_re(CAMEL_DIACRITICS)
_MARKS_RE = _deletion_re(ARABIC_MARKS)
_TATWEEL_RE = _deletion_re(_DELETIONS["tatweel"])
_FORMAT_CONTROLS_RE = _deletion_re(FORMAT_CONTROLS)


def dediac(text: str) -> str:
    """Remove harakat, tanween, shadda, sukun and superscript alef (= CAMeL ``dediac_ar``)."""
    return _CAMEL_DIACRITICS_RE.sub("", text)


def remove_diacritics(text: str) -> str:
    """Remove every Arabic non-spacing mark (a superset of `dediac`, see module docstring)."""
    return _MARKS_RE.sub("", text)


def remove_tatweel(text: str) -> str:
    return _TATWEEL_RE.sub("", text)


def remove_format_controls(text: str) -> str:
    """Remove zero-width joiners, direction marks and the like (see FORMAT_CONTROLS)."""
    return _FORMAT_CONTROLS_RE.sub("", text)


def normalize_alef(text: str) -> str:
    """أ إ آ ٱ -> ا (= CAMeL ``normalize_alef_ar``)."""
    return _replace_all(text, _REPLACEMENTS["alef"])


def normalize_alef_maqsura(text: str) -> str:
    """ى -> ي (= CAMeL ``normalize_alef_maksura_ar``)."""
    return _replace_all(text, _REPLACEMENTS["alef_maqsura"])


def normalize_taa_marbuta(text: str) -> str:
    """ة -> ه (= CAMeL ``normalize_teh_marbuta_ar``)."""
    return _replace_all(text, _REPLACEMENTS["taa_marbuta"])


def normalize_hamza_seats(text: str) -> str:
    """ؤ ئ -> ء."""
    return _replace_all(text, _REPLACEMENTS["hamza_seats"])


def normalize_digits(text: str) -> str:
    """Arabic-Indic and Persian digits -> ASCII digits."""
    return _replace_all(text, _REPLACEMENTS["digits"])


_STEPS = (
    "diacritics",
    "tatweel",
    "alef",
    "alef_maqsura",
    "taa_marbuta",
    "hamza_seats",
    "digits",
    "format_controls",
)


@cache
def _normalizer(chosen: tuple[bool, ...]) -> tuple[re.Pattern[str] | None, Replacements]:
    """The deletion regex and the replacements of the chosen steps (disjoint by design).

    ``chosen`` says, for each of `_STEPS` in order, whether it applies.
    """
    on = {step for step, wanted in zip(_STEPS, chosen, strict=True) if wanted}
    deleted = tuple(r for step, ranges in _DELETIONS.items() if step in on for r in ranges)
    replacements = tuple(
        pair for step, pairs in _REPLACEMENTS.items() if step in on for pair in pairs
    )
    return (_deletion_re(deleted) if deleted else None), replacements


def normalize(
    text: str,
    *,
    diacritics: bool = True,
    tatweel: bool = True,
    alef: bool = True,
    alef_maqsura: bool = True,
    taa_marbuta: bool = True,
    hamza_seats: bool = False,
    digits: bool = True,
    format_controls: bool = True,
) -> str:
    """Normalize Arabic text for counting (steps and defaults in the module docstring)."""
    # A tuple in `_STEPS` order: a cheap cache key, since this runs once per word type.
    deletions, replacements = _normalizer(
        (diacritics, tatweel, alef, alef_maqsura, taa_marbuta, hamza_seats, digits, format_controls)
    )
    if deletions is not None:
        text = deletions.sub("", text)
    return _replace_all(text, replacements)


# ---------------------------------------------------------------------------------------
# Tokenization.


class Token(NamedTuple):
    text: str  # the original spelling, == source[start:end]
    start: int
    end: int
    kind: str  # "arabic" | "latin" | "number"


_ARABIC_WORD = f"[{_class_body(ARABIC_LETTERS)}]+"
# A word character that is not Arabic (Arabic-Indic and Persian digits are allowed).
_OTHER_ALNUM = rf"[^\W_{_class_body(ARABIC_BLOCKS_EXCEPT_DIGITS)}]"
# Inside a word of other characters: a joiner before another character, a separator between
# two digits (a number's decimal point, thousands separator, time or date).
WORD_JOINERS = "-'\u2019"
DIGIT_SEPARATORS = ".,:/\u066b\u066c"
_JOINER = rf"[{re.escape(WORD_JOINERS)}]|(?<=\d)[{re.escape(DIGIT_SEPARATORS)}](?=\d)"
_OTHER_WORD = rf"{_OTHER_ALNUM}+(?:(?:{_JOINER}){_OTHER_ALNUM}+)*"
_TOKEN_RE = re.compile(f"{_ARABIC_WORD}|{_OTHER_WORD}")
_TOKEN_SPLIT_RE = re.compile(f"({_TOKEN_RE.pattern})")  # one group: split keeps the tokens
_KINDED_TOKEN_RE = re.compile(f"(?P<arabic>{_ARABIC_WORD})|(?P<other>{_OTHER_WORD})")
_INVISIBLE_IN_WORDS_RE = re.compile(
    f"[{_class_body(ARABIC_MARKS)}{TATWEEL}{_class_body(FORMAT_CONTROLS)}]+"
)
_ARABIC_LETTER_RE = re.compile(f"[{_class_body(ARABIC_LETTERS)}]")
_LETTER_RE = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1 << 16)
def _other_kind(word: str) -> str:
    return "latin" if _LETTER_RE.search(word) else "number"


def _kind(match: re.Match[str]) -> str:
    return "arabic" if match.lastgroup == "arabic" else _other_kind(match.group())


def tokenize(text: str) -> list[Token]:
    """Arabic words, other words and numbers of ``text``, with offsets into ``text``."""
    removed = list(_INVISIBLE_IN_WORDS_RE.finditer(text))
    if not removed:
        return [
            Token(m.group(), m.start(), m.end(), _kind(m)) for m in _KINDED_TOKEN_RE.finditer(text)
        ]
    # Find the tokens with the invisible characters removed, then walk the removed runs in
    # step with the (ordered) tokens to map positions back: one pass, no search.
    stripped = _INVISIBLE_IN_WORDS_RE.sub("", text)
    gaps = [(m.start(), m.end() - m.start()) for m in removed]  # original start, length
    tokens = []
    gap = shift = 0  # next gap to consider; characters removed before the current position
    for match in _KINDED_TOKEN_RE.finditer(stripped):
        first, last = match.start(), match.end() - 1
        while gap < len(gaps) and gaps[gap][0] - shift <= first:
            shift += gaps[gap][1]
            gap += 1
        start = first + shift
        while gap < len(gaps) and gaps[gap][0] - shift <= last:
            shift += gaps[gap][1]
            gap += 1
        end = last + shift + 1
        kind = _kind(match)
        if kind == "arabic" and gap < len(gaps) and gaps[gap][0] == end:
            end += gaps[gap][1]  # marks written right after the last letter
        tokens.append(Token(text[start:end], start, end, kind))
    return tokens


class TokenIndex:
    """The tokens of a text as plain strings, with original offsets computed on demand.

    `words[i]` is token i of `tokenize(text)` without the marks, tatweel and format
    controls inside it (so it has the same `normalize` form), and `span(i)` is
    `(tokenize(text)[i].start, tokenize(text)[i].end)`. Building a `Token` (or a match
    object) per word is most of `tokenize`'s cost; here one capturing split gives the words
    and the gaps between them, and offsets are running sums of their lengths (C speed),
    mapped back past the removed characters by an `OffsetMap`.
    """

    def __init__(self, text: str) -> None:
        self._offsets = OffsetMap(text)
        stripped = _INVISIBLE_IN_WORDS_RE.sub("", text) if self._offsets.gap_at else text
        # [gap, word, gap, word, ..., gap]: the pattern has one group, around the whole token.
        self._pieces = _TOKEN_SPLIT_RE.split(stripped)
        self.words: list[str] = self._pieces[1::2]
        self._ends: list[int] | None = None  # running ends of the pieces, built on first use

    def __len__(self) -> int:
        return len(self.words)

    def span(self, i: int) -> tuple[int, int]:
        """Offsets of token ``i`` in the original text, as `tokenize` gives them."""
        if self._ends is None:
            self._ends = list(itertools.accumulate(map(len, self._pieces)))
        return self._offsets.span(self._ends[2 * i], self._ends[2 * i + 1], self.words[i])


class OffsetMap:
    """Offsets in a text with its invisible characters removed -> offsets in the text.

    `TokenIndex.span` and the batch tokenizer (`arabic_batch`, whose offsets are in the
    stripped text) both map their tokens back through it.
    """

    def __init__(self, text: str) -> None:
        self.gap_at: list[int] = []  # each removed run's position in the stripped text
        self.removed_through: list[int] = []  # characters removed up to and including it
        self.gap_starts: list[int] = []  # its position in the text
        removed = 0
        for match in _INVISIBLE_IN_WORDS_RE.finditer(text):
            start, end = match.span()
            self.gap_starts.append(start)
            self.gap_at.append(start - removed)
            removed += end - start
            self.removed_through.append(removed)

    @classmethod
    def from_runs(
        cls, gap_at: list[int], removed_through: list[int], gap_starts: list[int]
    ) -> OffsetMap:
        """The map of a text whose invisible runs were found already (as columns,
        `arabic_batch.offset_maps`): the three lists `__init__` would make."""
        offsets = cls("")
        offsets.gap_at, offsets.removed_through, offsets.gap_starts = (
            gap_at,
            removed_through,
            gap_starts,
        )
        return offsets

    def _removed_before(self, position: int) -> tuple[int, int]:
        runs = bisect.bisect_right(self.gap_at, position)
        return runs, self.removed_through[runs - 1] if runs else 0

    def span(self, first: int, stop: int, word: str) -> tuple[int, int]:
        """Offsets in the text of the token `word` found at `first:stop` of the stripped text."""
        if not self.gap_at:
            return first, stop
        start = first + self._removed_before(first)[1]
        runs, removed = self._removed_before(stop - 1)
        end = stop + removed
        # Marks written right after an Arabic word's last letter belong to the word.
        if (
            runs < len(self.gap_at)
            and self.gap_starts[runs] == end
            and _ARABIC_LETTER_RE.match(word, len(word) - 1)
        ):
            end += self.removed_through[runs] - removed
        return start, end

    def stripped(self, position: int) -> int:
        """The stripped offset of text offset `position`: characters removed before it taken
        off (a sentence start, compared with tokens' stripped starts)."""
        runs = bisect.bisect_right(self.gap_starts, position)
        if not runs:
            return position
        removed = self.removed_through[runs - 1]
        # A run that `position` falls inside has removed only the characters before it.
        run_start = self.gap_starts[runs - 1]
        run_length = removed - (self.removed_through[runs - 2] if runs > 1 else 0)
        inside = position - run_start
        if inside < run_length:
            removed -= run_length - inside
        return position - removed


_ARABIC_SURFACE_WORD_RE = re.compile(
    f"[{_class_body(ARABIC_LETTERS)}]"
    f"[{_class_body(ARABIC_LETTERS)}{_class_body(ARABIC_MARKS)}{TATWEEL}"
    f"{_class_body(FORMAT_CONTROLS)}]*"
)


def surface_words(text: str) -> list[str]:
    """Arabic words as written (marks and tatweel kept): one regex pass, no offsets.

    The same words `tokenize` gives as kind "arabic", except that marks written before a
    word's first letter are not part of it; for spelling-variant overviews of large corpora.
    """
    return _ARABIC_SURFACE_WORD_RE.findall(text)


def count_surface_words(text: str) -> Counter[str]:
    """Counts of `surface_words`."""
    return Counter(surface_words(text))


def normalized_tokens(text: str) -> list[str]:
    """The normalized tokens of a text: normalize once, one regex pass, no offsets."""
    return _TOKEN_RE.findall(normalize(text))


def count_tokens(text: str) -> Counter[str]:
    """Counts of normalized token types (`normalized_tokens`, counted)."""
    return Counter(normalized_tokens(text))


# ---------------------------------------------------------------------------------------
# Light stemming.

_ARTICLE_PREFIXES = (
    "\u0648\u0628\u0627\u0644",  # وبال
    "\u0648\u0643\u0627\u0644",  # وكال
    "\u0641\u0628\u0627\u0644",  # فبال
    "\u0641\u0643\u0627\u0644",  # فكال
    "\u0648\u0644\u0644",  # ولل
    "\u0641\u0644\u0644",  # فلل
    "\u0648\u0627\u0644",  # وال
    "\u0641\u0627\u0644",  # فال
    "\u0628\u0627\u0644",  # بال
    "\u0643\u0627\u0644",  # كال
    "\u0644\u0644",  # لل
    "\u0627\u0644",  # ال
)
_ARTICLE = "\u0627\u0644"  # ال
_CONJUNCTION_WAW = "\u0648"  # و
_CONJUNCTIONS = "\u0648\u0641"  # و ف
_PREPOSITIONS = "\u0628\u0644\u0643"  # ب ل ك
_SUFFIXES = (
    "\u0647\u0627",  # ها
    "\u0627\u0646",  # ان
    "\u0627\u062a",  # ات
    "\u0648\u0646",  # ون
    "\u064a\u0646",  # ين
    "\u064a\u0647",  # يه
    "\u064a\u0629",  # ية
    "\u0647",  # ه
    "\u0629",  # ة
    "\u064a",  # ي
)
MIN_STEM_AFTER_ARTICLE = 2
MIN_STEM_AFTER_WAW = 3  # light10's guard for و
MIN_STEM_AFTER_LETTER = 4  # any other single proclitic letter (ف ب ل ك): more words start so
MIN_STEM_AFTER_PAIR = 4  # و or ف then ب ل ك: as for one letter, so وبشكل agrees with بشكل
MIN_STEM_AFTER_SUFFIX = 3
# What `stem` can take off a word: in front at most STEM_PREFIX_MAX letters, all of
# STEM_PREFIX_LETTERS; at the end only letters of STEM_SUFFIX_LETTERS. A stem is the stretch of
# its word between the two, which is what lets the lexicon reject most words unstemmed.
STEM_PREFIX_LETTERS = "".join(sorted(set(_CONJUNCTIONS + _PREPOSITIONS).union(*_ARTICLE_PREFIXES)))
STEM_PREFIX_MAX = max(2, *map(len, _ARTICLE_PREFIXES))
STEM_SUFFIX_LETTERS = "".join(sorted(set().union(*_SUFFIXES)))


def read_word_list(path: Path) -> list[str]:
    """Words of a UTF-8 list file: one per line, ``#`` starts a comment, blanks ignored."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(word)
    return words


@lru_cache(maxsize=1)
def stem_exceptions() -> frozenset[str]:
    """Normalized stems that are not cut further (``stem_exceptions.txt``)."""
    return frozenset(normalize(word) for word in read_word_list(STEM_EXCEPTIONS_PATH))


def _prefix_readings(word: str) -> list[str]:
    """What remains of ``word`` after each allowed prefix removal, least stripped first."""
    readings = [word]
    first, second = word[:1], word[1:2]  # "" for a short word, which no rule below accepts
    if first and first in _CONJUNCTIONS + _PREPOSITIONS:
        minimum = MIN_STEM_AFTER_WAW if first == _CONJUNCTION_WAW else MIN_STEM_AFTER_LETTER
        if len(word) - 1 >= minimum:
            readings.append(word[1:])
        pair = first in _CONJUNCTIONS and second and second in _PREPOSITIONS
        if pair and len(word) - 2 >= MIN_STEM_AFTER_PAIR:
            readings.append(word[2:])
    for prefix in _ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM_AFTER_ARTICLE:
            readings.append(word[len(prefix) :])
            break
    return readings


def _suffix_lengths(word: str) -> Iterator[int]:
    """Lengths of ``word`` and of each shorter form suffix removal passes through.

    light10 makes one pass over its suffix list; passes repeat here until nothing more comes
    off, so a pronoun after a plural also goes (فعالياته -> فعاليات -> فعالي -> فعال).
    Lengths, not copies: a run of suffixes a million letters long costs linear time.
    """
    end = len(word)
    yield end
    removed = True
    # `endswith` with the whole tuple settles in one call the pass most words end on.
    while removed and word.endswith(_SUFFIXES, 0, end):
        removed = False
        for suffix in _SUFFIXES:
            if word.endswith(suffix, 0, end) and end - len(suffix) >= MIN_STEM_AFTER_SUFFIX:
                end -= len(suffix)
                yield end
                removed = True


@lru_cache(maxsize=1)
def _longest_exception() -> int:
    return max(map(len, stem_exceptions()), default=0)


def _suffix_forms(word: str) -> tuple[list[str], str]:
    """The forms suffix removal passes through that could be an exception (none is longer
    than the longest listed), in order, and the last form."""
    longest = _longest_exception()
    forms, last = [], len(word)
    for last in _suffix_lengths(word):
        if last <= longest:
            forms.append(word[:last])
    return forms, word[:last]


def _stem_in_place(word: str) -> str:
    """Stem of ``word`` when no proclitic may be removed from it (suffixes only)."""
    exceptions = stem_exceptions()
    forms, last = _suffix_forms(word)
    return next((form for form in forms if form in exceptions), last)


@lru_cache(maxsize=1 << 20)
def stem(word: str) -> str:
    """Light stem of a normalized word (rules in the module docstring)."""
    if not _ARABIC_LETTER_RE.match(word):
        return word
    exceptions = stem_exceptions()
    readings = _prefix_readings(word)
    for remainder in readings:
        for form in _suffix_forms(remainder)[0]:
            if form in exceptions:
                return form
    return _suffix_forms(readings[-1])[1]


def suggest_stem_exceptions(
    counts: Counter[str],
    *,
    min_count: int = 30,
    min_share: float = 0.01,
    article_weight: float = 0.1,
) -> list[str]:
    """Stems to list in ``stem_exceptions.txt`` so that ``stem`` agrees with corpus evidence.

    ``counts`` are `count_tokens` counts of a corpus. For each word seen at least
    ``min_count`` times that could start with a proclitic letter (و ف ب ل ك), each way of
    reading it is weighed by how often the corpus attests it. The whole word wins when it
    occurs with the article (البرنامج shows that the ب of برنامج is a root letter) at least
    ``min_share`` times as often as alone and ``article_weight`` times as often as the best
    shorter reading (الوالي does not make والي, mostly وإلى, one word). Otherwise the most
    stripped reading whose remainder occurs, alone or with the article, at least ``min_share``
    times as often as the word wins (بلغت for وبلغت, not لغت), or the whole word when none
    does. Its stem is suggested when it differs from what `stem` gives today, unless today's
    stem is already listed.
    """
    suggestions = set()
    for word, count in counts.items():
        if count < min_count or not _ARABIC_LETTER_RE.match(word):
            continue
        readings = _prefix_readings(word)
        if len(readings) == 1 or (len(readings) == 2 and word.startswith(_ARTICLE)):
            continue  # nothing to doubt: a bare ال is (nearly) always the article
        if stem(word) in stem_exceptions():
            continue  # already settled by the list
        enough = max(1.0, min_share * count)
        evidence = {r: counts[r] + counts[_ARTICLE + r] for r in readings[1:]}
        attested = [r for r in readings[1:] if evidence[r] >= enough]
        with_article = counts[_ARTICLE + word]  # nobody writes the article after a proclitic
        if with_article >= enough and with_article >= article_weight * max(evidence.values()):
            best = word
        else:
            best = attested[-1] if attested else word
        suggestion = _stem_in_place(best)
        if suggestion != stem(word):
            suggestions.add(suggestion)
    return sorted(suggestions)


@lru_cache(maxsize=1 << 20)
def analysis_key(token_text: str) -> str:
    """The form tokens are counted and matched under: ``stem(normalize(token_text))``."""
    return stem(normalize(token_text))


def count_keys(text: str) -> Counter[str]:
    """Counts of analysis keys: `count_tokens`, then one `stem` per distinct type."""
    keys: Counter[str] = Counter()
    for word, count in count_tokens(text).items():
        keys[stem(word)] += count
    return keys


# ---------------------------------------------------------------------------------------
# Stopwords.


def _is_word(text: str) -> bool:
    return _TOKEN_RE.fullmatch(text) is not None


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Normalized Arabic stopwords: ``stopwordsiso``'s list plus ``stopwords_extra.txt``."""
    # Imported here so the rest of the module works where the package is not installed yet.
    import stopwordsiso

    listed: Iterable[str] = [*stopwordsiso.stopwords("ar"), *read_word_list(STOPWORDS_EXTRA_PATH)]
    return frozenset(word for word in map(normalize, listed) if _is_word(word))


def is_stopword(word: str) -> bool:
    """Whether ``word`` (normalized here, so any spelling) is a stopword."""
    return normalize(word) in stopwords()


# ---------------------------------------------------------------------------------------
# Sentences and paragraphs.


class Span(NamedTuple):
    start: int
    end: int
    text: str  # == source[start:end]


# What ends a sentence: a run of end marks (. ! ? ؟ ؛ … ۔) with the closing quotes and
# brackets after it, which stay with their sentence, or a line break (\r\n as one).
SENTENCE_END_MARKS = ".!?\u061f\u061b\u2026\u06d4"
SENTENCE_CLOSERS = "\"'\u00bb\u201d\u2019)]"
LINE_BREAKS = "\r\n\u2028\u2029\x85"
_LINE_BREAK = rf"\r\n|[{re.escape(LINE_BREAKS)}]"
# A dot between two digits is a decimal point, not a sentence end.
_SENTENCE_END = (
    rf"(?:\.(?<!\d\.)|\.(?!\d)|[{re.escape(SENTENCE_END_MARKS.replace('.', ''))}])+"
    rf"[{re.escape(SENTENCE_CLOSERS)}]*"
)
# The leading lookahead names every character a boundary can start with, so the regex
# engine skips straight to them (three times faster than trying each branch everywhere).
_BOUNDARY_FIRST = f"(?=[{re.escape(SENTENCE_END_MARKS + LINE_BREAKS)}])"
_SENTENCE_BOUNDARY_RE = re.compile(f"{_BOUNDARY_FIRST}(?:{_SENTENCE_END}|{_LINE_BREAK})")
_PARAGRAPH_BOUNDARY_RE = re.compile(_LINE_BREAK)
_HAS_WORD_CHARACTER_RE = re.compile(r"\w")


def _spans_between(text: str, boundary: re.Pattern[str]) -> list[Span]:
    """The stretches of ``text`` up to and including each boundary, whitespace trimmed."""
    spans = []
    start = 0
    for match in boundary.finditer(text):
        spans.append(_trimmed_span(text, start, match.end()))
        start = match.end()
    spans.append(_trimmed_span(text, start, len(text)))
    return [span for span in spans if _HAS_WORD_CHARACTER_RE.search(span.text)]


def _trimmed_span(text: str, start: int, end: int) -> Span:
    piece = text[start:end]
    start += len(piece) - len(piece.lstrip())
    end -= len(piece) - len(piece.rstrip())
    return Span(start, max(start, end), text[start : max(start, end)])


def split_sentences(text: str) -> list[Span]:
    """Sentences ending at . ! ? ؟ ؛ … or a line break; offsets into ``text``."""
    return _spans_between(text, _SENTENCE_BOUNDARY_RE)


_NON_SPACE_RE = re.compile(r"\S")


def sentence_starts(text: str) -> list[int]:
    """``[s.start for s in split_sentences(text)]`` without building the spans (fast path)."""
    starts = []
    start = 0
    ends = [m.end() for m in _SENTENCE_BOUNDARY_RE.finditer(text)]
    ends.append(len(text))
    for end in ends:
        if _HAS_WORD_CHARACTER_RE.search(text, start, end):
            starts.append(_NON_SPACE_RE.search(text, start, end).start())
        start = end
    return starts


def split_paragraphs(text: str) -> list[Span]:
    """Non-blank lines; offsets into ``text``."""
    return _spans_between(text, _PARAGRAPH_BOUNDARY_RE)
