"""Theme lexicon, matcher, tables, concordance, validation and the `tag`/`themes` commands.

Dictionary-based content analysis: the lexicon (`analysis/data/lexicon.yaml`) is data an
analyst edits; this module loads and validates it, finds its entries in cleaned article text
and turns the matches into tidy tables.

How matching works (and why it is fast):

* Every token of a text is mapped to its analysis key (`analysis.arabic.analysis_key`:
  normalized, clitics and light affixes stripped), once per distinct word type (cached).
  A word in which no lexicon key occurs cannot match, so it is not stemmed at all: it gets
  the inert key `UNMATCHABLE` (246k of the 278k word types of SaudiNewsNet).
* Lexicon entries are compiled the same way into key sequences. All of them (words, phrases,
  exclusions, context terms and cues) go into one Aho-Corasick automaton, searched over the
  document's keys joined by spaces, so one C-speed pass finds every entry; a trailing `*`
  (word family) is a pattern that may end inside the last token.
* Per theme, a match overlapping one of the theme's exclusions is dropped, then overlapping
  matches count once: the longest (in tokens, then characters) wins.
* `analyse_text` is the pure, picklable per-document function; `analyse_corpus` maps it over
  a DataFrame of documents (serially, with local processes, or with the Dask engine of
  `analysis.parallel`) and returns the tidy `hits` and `doc_tokens` tables.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import ahocorasick
import numpy as np
import pandas as pd
import yaml

from analysis import arabic, config

__all__ = [
    "Analysis",
    "DocAnalysis",
    "Hit",
    "Lexicon",
    "LexiconError",
    "Match",
    "Theme",
    "analyse_corpus",
    "analyse_text",
    "cooccurrence",
    "counts_by_document",
    "document_keyness",
    "keyness",
    "kwic",
    "load_lexicon",
    "match_text",
    "rates_by_document",
    "term_counts",
    "theme_summary",
    "top_terms",
    "validate",
    "validation_details",
]

WILDCARD = "*"
MIN_PREFIX_LETTERS = 3
MAX_WINDOW = 50

_THEME_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# The key of a word no entry can match (and of one that normalizes to nothing): a symbol no
# token contains, so the joined key string keeps one slot, between spaces, per token.
UNMATCHABLE = "\u2400"
_SPACE_RUN = re.compile(r"\s+")

_TOP_KEYS = {"version", "themes"}
_THEME_KEYS = {"id", "name_ar", "name_en", "description", "colour", "words", "phrases"}
_THEME_KEYS |= {"exclude", "exclude_forms", "context"}
_REQUIRED_THEME_KEYS = ("id", "name_ar", "name_en", "description")
_RULE_KEYS = {"terms", "cues", "also", "unless", "window"}

# Pattern roles inside the automaton.
WORD, PHRASE, EXCLUDE, TERM, CUE = "word", "phrase", "exclude", "term", "cue"
ALSO, UNLESS = "also", "unless"
_RULE_ROLES = (TERM, CUE, ALSO, UNLESS)


# --- the lexicon ---------------------------------------------------------------------------


class LexiconError(ValueError):
    """The lexicon file is malformed; the message names the file, line and entry."""


@dataclass(frozen=True)
class Theme:
    """One theme of the lexicon."""

    id: str
    name_ar: str
    name_en: str
    description: str
    colour: str | None = None


@dataclass(frozen=True)
class Pattern:
    """One compiled lexicon entry: a sequence of analysis keys, the last maybe a prefix."""

    theme: str
    entry: str  # as written in the file, shown in tables
    role: str  # WORD, PHRASE, EXCLUDE, TERM, CUE, ALSO or UNLESS
    keys: tuple[str, ...]
    wildcard: bool
    line: int  # 1-based line in the lexicon file (0 when built in memory)
    rule: int = -1  # index of the context rule for TERM, CUE, ALSO and UNLESS


@dataclass(frozen=True)
class ContextRule:
    theme: str
    window: int
    line: int
    needs_also: bool = False  # a second cue list (`also`) must be near the term as well


@dataclass
class Lexicon:
    """A validated lexicon: themes in file order and their compiled patterns."""

    version: str
    themes: list[Theme]
    patterns: list[Pattern]
    rules: list[ContextRule]
    path: Path | None = None
    content_hash: str = ""
    # theme -> spellings that never count for it, whatever they stem to (`exclude_forms`)
    excluded_forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # exclusions that cancel an entry
    redundant: list[str] = field(default_factory=list)  # entries equal to an earlier one
    _automaton: Any = field(default=None, init=False, repr=False, compare=False)
    _keys: Any = field(default=None, init=False, repr=False, compare=False)
    _vocab: Any = field(default=None, init=False, repr=False, compare=False)
    _finder: Any = field(default=None, init=False, repr=False, compare=False)
    _form_res: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def theme_ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def theme(self, theme_id: str) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)

    def entries(self) -> pd.DataFrame:
        """One row per entry: `theme`, `role`, `entry`, `keys` (what is matched), `line`."""
        return pd.DataFrame(
            [(p.theme, p.role, p.entry, _describe(p), p.line) for p in self.patterns],
            columns=["theme", "role", "entry", "keys", "line"],
        )

    def summary(self) -> pd.DataFrame:
        """Per theme: names and the number of entries by role (for the report)."""
        counts = self.entries().pivot_table(
            index="theme", columns="role", values="entry", aggfunc="count", fill_value=0
        )
        rows = []
        for t in self.themes:
            row = {"theme": t.id, "name_ar": t.name_ar, "name_en": t.name_en}
            for role in (WORD, PHRASE, EXCLUDE, TERM, CUE):
                row[role + "s"] = (
                    int(counts.at[t.id, role]) if role in counts and t.id in counts.index else 0
                )
            rows.append(row)
        return pd.DataFrame(rows)

    def __getstate__(self) -> dict[str, Any]:
        # The automaton and key cache are rebuilt where the lexicon lands (worker processes).
        state = self.__dict__.copy()
        state["_automaton"] = None
        state["_keys"] = None
        state["_vocab"] = None
        state["_finder"] = None
        state["_form_res"] = None
        return state

    def excluded_form(self, theme_id: str, word: str) -> bool:
        """Whether `word`, as spelled, is one of the theme's `exclude_forms` (clitics allowed).

        Answered once per theme and distinct word per process (cached), like the keys.
        """
        if self._form_res is None:
            self._form_res = (
                {t: _excluded_forms_re(forms) for t, forms in self.excluded_forms.items()},
                {},
            )
        patterns, answers = self._form_res
        answer = answers.get((theme_id, word))
        if answer is None:
            pattern = patterns.get(theme_id)
            answer = answers[theme_id, word] = bool(pattern and pattern.match(_spelling(word)))
        return answer

    # -- compiled matcher, built lazily -----------------------------------------------------

    def automaton(self) -> Any:
        if self._automaton is None:
            self._automaton = _build_automaton(self.patterns)
        return self._automaton

    def token_keys(self, words: list[str]) -> list[str]:
        """Matching keys of tokens, `UNMATCHABLE` for a word no entry can match.

        Each distinct type is keyed once per process, the first time it is seen (cached).
        """
        if self._keys is None:
            self._keys = _KeyCache(self._word_key)
        return list(map(self._keys.__getitem__, words))

    def matching_key(self, word: str) -> str:
        """The key one word is matched under (its stem, or its remainder's, see below)."""
        return _matching_key(word, self._vocabulary())

    def matches_after_proclitic(self, word: str) -> bool:
        """Whether `word` is matched only by cutting a lone ب ل ك ف (بنيامين -> نيامي)."""
        return _key(word) != self.matching_key(word)

    def _word_key(self, word: str) -> str:
        # A key is a stretch of the word's normalized, case-folded form (stemming only cuts
        # letters off its ends), so a word in which no lexicon key or wildcard prefix occurs
        # cannot match: most words of a corpus need no stemming at all.
        form = arabic.normalize(word).casefold()
        if next(self._vocabulary_finder().iter(form), None) is None:
            return UNMATCHABLE
        key = self.matching_key(word)
        return key if _known(key, self._vocabulary()) else UNMATCHABLE

    def _vocabulary(self) -> tuple[frozenset[str], frozenset[str]]:
        """Keys and wildcard prefixes that occur anywhere in the lexicon."""
        if self._vocab is None:
            exact = {k for p in self.patterns for k in (p.keys[:-1] if p.wildcard else p.keys)}
            prefixes = {p.keys[-1] for p in self.patterns if p.wildcard}
            self._vocab = (frozenset(exact), frozenset(prefixes))
        return self._vocab

    def _vocabulary_finder(self) -> Any:
        """An automaton finding any lexicon key or wildcard prefix inside a word."""
        if self._finder is None:
            exact, prefixes = self._vocabulary()
            self._finder = ahocorasick.Automaton()
            for string in exact | prefixes:
                self._finder.add_word(string, None)
            self._finder.make_automaton()
        return self._finder


class _KeyCache(dict):
    """word -> matching key, computed by `key_of` the first time a word is looked up."""

    def __init__(self, key_of: Callable[[str], str]) -> None:
        super().__init__()
        self.key_of = key_of

    def __missing__(self, word: str) -> str:
        key = self[word] = self.key_of(word)
        return key


def _key(word: str) -> str:
    """The analysis key of one word; Latin words are compared case-insensitively."""
    return arabic.analysis_key(word).casefold().replace(" ", "")


# A spelling rule compares the word as written (only diacritics, tatweel and case folded):
# آمن "safe" and أمن "security" differ there, though normalization makes them one key.
# The optional clitics in front: a conjunction, a preposition, the article (للأمن: ل + ل).
_CLITICS_BEFORE = "(?:[\u0648\u0641])?(?:[\u0628\u0643\u0644])?(?:\u0627\u0644|\u0644)?"


def _spelling(word: str) -> str:
    return arabic.remove_tatweel(arabic.remove_diacritics(word)).casefold()


def _excluded_forms_re(forms: Sequence[str]) -> re.Pattern[str]:
    """Words that are, after optional clitics, one of `forms`; `form*` is a word family."""
    alternatives = "|".join(
        re.escape(_spelling(f.removesuffix(WILDCARD))) + (r"\w*" if f.endswith(WILDCARD) else "")
        for f in sorted(forms, key=len, reverse=True)
    )
    return re.compile(f"{_CLITICS_BEFORE}(?:{alternatives})$")


# `arabic.stem` never strips a lone proclitic ب ل ك ف (بلد، لجنة، كبير، فريق would suffer),
# so لداعش، بتنسيق، كفرنسا، لمكافحة keep it. For matching, such a word takes the key of its
# remainder when, and only when, that remainder is a lexicon word: a guarded, per-type
# fallback that cannot touch words the lexicon does not know.
_PROCLITICS = ("\u0628", "\u0644", "\u0643", "\u0641")  # ب ل ك ف
_CONJUNCTIONS = ("\u0648", "\u0641")  # و ف
_MIN_REMAINDER = 3


def _matching_key(word: str, vocabulary: tuple[frozenset[str], frozenset[str]]) -> str:
    """`_key(word)`, or the key of the word without a lone proclitic if only that is known."""
    key = _key(word)
    if _known(key, vocabulary):
        return key
    normalized = arabic.normalize(word)
    for cut in _proclitic_cuts(normalized):
        candidate = arabic.stem(normalized[cut:])
        if _known(candidate, vocabulary):
            return candidate
    return key


def _proclitic_cuts(normalized: str) -> list[int]:
    cuts = []
    if normalized.startswith(_PROCLITICS):
        cuts.append(1)
    if normalized.startswith(_CONJUNCTIONS) and normalized[1:2] in _PROCLITICS:
        cuts.append(2)
    return [c for c in cuts if len(normalized) - c >= _MIN_REMAINDER]


def _known(key: str, vocabulary: tuple[frozenset[str], frozenset[str]]) -> bool:
    exact, prefixes = vocabulary
    if key in exact:
        return True
    return any(key[:n] in prefixes for n in range(MIN_PREFIX_LETTERS, len(key) + 1))


def _build_automaton(patterns: Sequence[Pattern]) -> Any:
    automaton = ahocorasick.Automaton()
    by_string: dict[str, list[int]] = {}
    for index, pattern in enumerate(patterns):
        by_string.setdefault(_pattern_string(pattern), []).append(index)
    for string, indexes in by_string.items():
        automaton.add_word(string, (len(string), tuple(indexes)))
    automaton.make_automaton()
    return automaton


def _pattern_string(pattern: Pattern) -> str:
    """The automaton string: keys between spaces, open-ended when the last is a prefix."""
    text = " " + " ".join(pattern.keys)
    return text if pattern.wildcard else text + " "


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read and validate a lexicon file (default: the package's); see the file's header."""
    path = Path(path) if path is not None else config.LEXICON_PATH
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read the lexicon: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LexiconError(f"{path}: the lexicon is not UTF-8 ({exc.reason})") from exc
    lexicon = parse_lexicon(text, source=str(path))
    lexicon.path = path
    return lexicon


def parse_lexicon(text: str, *, source: str = "<lexicon>") -> Lexicon:
    """Validate lexicon YAML text; errors name `source`, the line and the entry."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise LexiconError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    parser = _Parser(source)
    lexicon = parser.lexicon(root, hashlib.sha256(text.encode("utf-8")).hexdigest())
    lexicon.warnings, lexicon.redundant = parser.warnings, parser.redundant
    return lexicon


class _Parser:
    """Walks the YAML node tree, so that every error can give the line of its node."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[str] = []
        self.redundant: list[str] = []

    def fail(self, node: yaml.Node | None, message: str) -> LexiconError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        return LexiconError(f"{self.source}{line}: {message}")

    def mapping(self, node: yaml.Node, allowed: set[str], what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping of keys to values")
        items: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(key_node, f"{what}: unknown key {key!r} (known: {known})")
            if key in items:
                raise self.fail(key_node, f"{what}: key {key!r} given twice")
            items[key] = value_node
        return items

    def string(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise self.fail(node, f"{what} must be a non-empty text")
        return str(node.value).strip()

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        return list(node.value)

    def lexicon(self, root: yaml.Node | None, content_hash: str) -> Lexicon:
        if root is None:
            raise self.fail(None, "the lexicon is empty")
        top = self.mapping(root, _TOP_KEYS, "the lexicon")
        if "version" not in top:
            raise self.fail(root, "the lexicon has no 'version'")
        if "themes" not in top:
            raise self.fail(root, "the lexicon has no 'themes'")
        version = self.string(top["version"], "'version'")
        theme_nodes = self.sequence(top["themes"], "'themes'")
        if not theme_nodes:
            raise self.fail(top["themes"], "'themes' is empty")
        themes: list[Theme] = []
        patterns: list[Pattern] = []
        rules: list[ContextRule] = []
        seen_ids: dict[str, int] = {}
        excluded_forms: dict[str, tuple[str, ...]] = {}
        for node in theme_nodes:
            theme = self.theme(node)
            if theme.id in seen_ids:
                raise self.fail(
                    node, f"duplicate theme id {theme.id!r} (first at line {seen_ids[theme.id]})"
                )
            seen_ids[theme.id] = node.start_mark.line + 1
            themes.append(theme)
            patterns.extend(self.theme_patterns(node, theme.id, rules))
            forms = self.forms(node, theme.id)
            if forms:
                excluded_forms[theme.id] = forms
        return Lexicon(
            version,
            themes,
            patterns,
            rules,
            content_hash=content_hash,
            excluded_forms=excluded_forms,
        )

    def forms(self, node: yaml.Node, theme_id: str) -> tuple[str, ...]:
        items = self.mapping(node, _THEME_KEYS, "a theme")
        if "exclude_forms" not in items:
            return ()
        what = f"theme {theme_id!r}, exclude_forms"
        forms = []
        for form_node in self.sequence(items["exclude_forms"], what):
            form = self.string(form_node, what)
            words = arabic.surface_words(form.removesuffix(WILDCARD))
            if len(words) != 1 or words[0] != form.removesuffix(WILDCARD):
                raise self.fail(
                    form_node, f"{what}: {form!r} must be one word as written, or 'word*'"
                )
            forms.append(form)
        return tuple(forms)

    def theme(self, node: yaml.Node) -> Theme:
        items = self.mapping(node, _THEME_KEYS, "a theme")
        for key in _REQUIRED_THEME_KEYS:
            if key not in items:
                label = f"theme {items['id'].value!r}" if "id" in items else "a theme"
                raise self.fail(node, f"{label} has no {key!r}")
        theme_id = self.string(items["id"], "a theme 'id'")
        if not _THEME_ID.match(theme_id):
            raise self.fail(
                items["id"],
                f"theme id {theme_id!r} must be lower-case letters, digits and underscores",
            )
        fields = {
            k: self.string(items[k], f"theme {theme_id!r}: {k!r}") for k in _REQUIRED_THEME_KEYS
        }
        colour = None
        if "colour" in items:
            colour = self.string(items["colour"], f"theme {theme_id!r}: 'colour'")
            if not _COLOUR.match(colour):
                raise self.fail(
                    items["colour"], f"theme {theme_id!r}: colour {colour!r} is not #rrggbb"
                )
        return Theme(colour=colour, **fields)

    def theme_patterns(
        self, node: yaml.Node, theme_id: str, rules: list[ContextRule]
    ) -> list[Pattern]:
        items = self.mapping(node, _THEME_KEYS, "a theme")
        patterns: list[Pattern] = []
        for key, role in (("words", WORD), ("phrases", PHRASE), ("exclude", EXCLUDE)):
            if key in items:
                for entry_node in self.sequence(items[key], f"theme {theme_id!r}: {key!r}"):
                    patterns.append(self.entry(entry_node, theme_id, key, role))
        if "context" in items:
            for rule_node in self.sequence(items["context"], f"theme {theme_id!r}: 'context'"):
                patterns.extend(self.rule(rule_node, theme_id, rules))
        if not any(p.role in (WORD, PHRASE, TERM) for p in patterns):
            raise self.fail(node, f"theme {theme_id!r} has no words, phrases or context terms")
        return self.check_duplicates(patterns, theme_id)

    def rule(self, node: yaml.Node, theme_id: str, rules: list[ContextRule]) -> list[Pattern]:
        what = f"theme {theme_id!r}: a context rule"
        items = self.mapping(node, _RULE_KEYS, what)
        for key in ("terms", "cues"):
            if key not in items or not self.sequence(items[key], f"{what}: {key!r}"):
                raise self.fail(node, f"{what} needs a non-empty {key!r} list")
        window = 10
        if "window" in items:
            value = items["window"].value
            if not (isinstance(value, str) and value.isdigit() and 1 <= int(value) <= MAX_WINDOW):
                raise self.fail(items["window"], f"{what}: window must be 1..{MAX_WINDOW} tokens")
            window = int(value)
        index = len(rules)
        for key in ("also", "unless"):
            if key in items and not self.sequence(items[key], f"{what}: {key!r}"):
                raise self.fail(items[key], f"{what}: {key!r} must not be empty")
        rules.append(ContextRule(theme_id, window, node.start_mark.line + 1, "also" in items))
        patterns = [
            self.entry(n, theme_id, "context terms", TERM, rule=index) for n in items["terms"].value
        ]
        patterns += [
            self.entry(n, theme_id, "context cues", CUE, rule=index) for n in items["cues"].value
        ]
        for key, role in (("also", ALSO), ("unless", UNLESS)):
            if key in items:
                patterns += [
                    self.entry(n, theme_id, f"context {key}", role, rule=index)
                    for n in items[key].value
                ]
        return patterns

    def entry(self, node: yaml.Node, theme_id: str, key: str, role: str, rule: int = -1) -> Pattern:
        what = f"theme {theme_id!r}, {key}"
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise self.fail(node, f"{what}: empty entry")
        entry = " ".join(str(node.value).split())
        try:
            keys, wildcard = compile_entry(entry)
        except ValueError as exc:
            raise self.fail(node, f"{what}, entry {entry!r}: {exc}") from None
        if role == WORD and len(keys) != 1:
            raise self.fail(
                node, f"{what}, entry {entry!r}: a word entry must be one word (use 'phrases')"
            )
        if role == PHRASE and len(keys) < 2:
            raise self.fail(
                node, f"{what}, entry {entry!r}: a phrase needs two words or more (use 'words')"
            )
        return Pattern(theme_id, entry, role, keys, wildcard, node.start_mark.line + 1, rule)

    def check_duplicates(self, patterns: list[Pattern], theme_id: str) -> list[Pattern]:
        """Drop entries a theme already has: the same text twice is an error; entries written
        differently that reach the same keys (خلية/خلايا with some stemmers) are harmless and
        listed in `Lexicon.redundant`; an exclusion equal to an entry goes to `warnings`."""
        seen: dict[tuple[Any, ...], Pattern] = {}
        kept: list[Pattern] = []
        for p in patterns:
            group = (
                "exclude"
                if p.role == EXCLUDE
                else ("entry" if p.role in (WORD, PHRASE) else p.role)
            )
            slot = (group, p.keys, p.wildcard, p.rule if p.role in _RULE_ROLES else -1)
            first = seen.get(slot)
            if first is None:
                seen[slot] = p
                kept.append(p)
            elif first.entry == p.entry:
                raise LexiconError(
                    f"{self.source}:{p.line}: theme {theme_id!r}, entry {p.entry!r} is listed "
                    f"twice (first at line {first.line})"
                )
            else:
                self.redundant.append(
                    f"{self.source}:{p.line}: theme {theme_id!r}, entry {p.entry!r} matches the "
                    f"same as {first.entry!r} (line {first.line}): {_describe(p)}"
                )
        entries = {(p.keys, p.wildcard): p for p in kept if p.role in (WORD, PHRASE)}
        for p in kept:
            first = entries.get((p.keys, p.wildcard)) if p.role == EXCLUDE else None
            if first is not None:
                self.warnings.append(
                    f"{self.source}:{p.line}: theme {theme_id!r}, exclude {p.entry!r} cancels "
                    f"the entry {first.entry!r} (line {first.line}) everywhere: {_describe(p)}"
                )
        return kept


def _describe(pattern: Pattern) -> str:
    return " ".join(pattern.keys) + (WILDCARD if pattern.wildcard else "")


def compile_entry(entry: str) -> tuple[tuple[str, ...], bool]:
    """Analysis keys of an entry as written, and whether its last word is a prefix (`word*`)."""
    wildcard = entry.endswith(WILDCARD)
    body = entry[:-1] if wildcard else entry
    if WILDCARD in body:
        raise ValueError(f"'{WILDCARD}' may only end the last word (a word family: 'إرهاب*')")
    if wildcard and (not body or body[-1].isspace()):
        raise ValueError(f"'{WILDCARD}' must follow a word, without a space")
    tokens = arabic.tokenize(body)
    if not tokens:
        raise ValueError("no word in the entry")
    keys = tuple(_key(t.text) for t in tokens)
    if any(not k for k in keys):
        empty = [t.text for t, k in zip(tokens, keys, strict=True) if not k]
        raise ValueError(f"the word(s) {empty} normalize to nothing")
    if wildcard:
        if tokens[-1].end != len(body):
            raise ValueError(f"'{WILDCARD}' must follow a letter of the word")
        if len(keys[-1]) < MIN_PREFIX_LETTERS:
            raise ValueError(
                f"the prefix {keys[-1]!r} is shorter than {MIN_PREFIX_LETTERS} letters once "
                "normalized and would match too many words"
            )
    return keys, wildcard


# --- matching one text ----------------------------------------------------------------------


class Match(NamedTuple):
    """One counted match: `start`/`end` are character offsets into the text given."""

    theme: str
    entry: str
    start: int
    end: int
    text: str


class Hit(NamedTuple):
    """A match with the index of its sentence (0-based) in the document."""

    sentence: int
    theme: str
    entry: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DocAnalysis:
    """What `analyse_text` finds in one document (small and picklable)."""

    n_tokens: int
    n_sentences: int
    hits: tuple[Hit, ...]


class _Found(NamedTuple):
    """A raw automaton match in token indexes (inclusive `first`..`last`)."""

    pattern: Pattern
    first: int
    last: int
    sentence: int


def analyse_text(text: str, lexicon: Lexicon) -> DocAnalysis:
    """Tokens, sentences and counted theme hits of one cleaned text (pure, picklable)."""
    tokens = arabic.TokenIndex(text)
    sentence_starts = arabic.sentence_starts(text)
    if not len(tokens):
        return DocAnalysis(0, len(sentence_starts), ())
    found = _find(tokens, sentence_starts, lexicon)
    hits: list[Hit] = []
    for theme_id in lexicon.theme_ids:
        theme_found = found.get(theme_id, [])
        if theme_id in lexicon.excluded_forms:
            theme_found = _spelled_right(theme_found, theme_id, tokens.words, lexicon)
        for f in _resolve(theme_found, lexicon.rules):
            start, end = tokens.span(f.first)[0], tokens.span(f.last)[1]
            hits.append(Hit(f.sentence, theme_id, f.pattern.entry, start, end, text[start:end]))
    hits.sort(key=lambda h: (h.start, h.end, h.theme))
    return DocAnalysis(len(tokens), len(sentence_starts), tuple(hits))


def match_text(text: str, lexicon: Lexicon | None = None) -> list[Match]:
    """Counted theme matches in a text, in text order."""
    lexicon = lexicon or default_lexicon()
    return [
        Match(h.theme, h.entry, h.start, h.end, h.text) for h in analyse_text(text, lexicon).hits
    ]


def _find(
    tokens: arabic.TokenIndex, sentence_starts: Sequence[int], lexicon: Lexicon
) -> dict[str, list[_Found]]:
    """Every automaton match, grouped by theme, phrases crossing a sentence boundary dropped."""
    joined = " " + " ".join(lexicon.token_keys(tokens.words)) + " "
    patterns = lexicon.patterns
    found: dict[str, list[_Found]] = {}
    # A match starts at the space before its first key, so the spaces before that one number
    # the token; they are counted from the previous match on (matches come nearly in order).
    position = spaces = 0
    for end, (length, indexes) in lexicon.automaton().iter(joined):
        start = end - length + 1
        if start >= position:
            spaces += joined.count(" ", position, start)
        else:
            spaces -= joined.count(" ", start, position)
        position, first = start, spaces
        sentence = _sentence_of(tokens.span(first)[0], sentence_starts)
        for index in indexes:
            pattern = patterns[index]
            last = first + len(pattern.keys) - 1
            if last != first and _sentence_of(tokens.span(last)[0], sentence_starts) != sentence:
                continue
            found.setdefault(pattern.theme, []).append(_Found(pattern, first, last, sentence))
    return found


def _spelled_right(
    found: list[_Found], theme_id: str, words: Sequence[str], lexicon: Lexicon
) -> list[_Found]:
    """The matches none of whose words is one of the theme's excluded spellings."""
    return [
        f
        for f in found
        if not any(lexicon.excluded_form(theme_id, words[i]) for i in range(f.first, f.last + 1))
    ]


def _sentence_of(offset: int, sentence_starts: Sequence[int]) -> int:
    return max(bisect.bisect_right(sentence_starts, offset) - 1, 0)


def _resolve(found: list[_Found], rules: Sequence[ContextRule]) -> list[_Found]:
    """One theme's counted matches: context checked, exclusions applied, longest wins."""
    cues = [f for f in found if f.pattern.role == CUE]
    also = [f for f in found if f.pattern.role == ALSO]
    unless = [f for f in found if f.pattern.role == UNLESS]
    excluded = [f for f in found if f.pattern.role == EXCLUDE]
    candidates = [
        f
        for f in found
        if f.pattern.role in (WORD, PHRASE)
        or (f.pattern.role == TERM and _in_context(f, cues, also, unless, rules[f.pattern.rule]))
    ]
    candidates = [f for f in candidates if not any(_overlap(f, x) for x in excluded)]
    # Longest first (tokens, then a later first token loses), then keep non-overlapping ones.
    candidates.sort(key=lambda f: (f.first - f.last, f.first, -len(f.pattern.entry)))
    kept: list[_Found] = []
    taken: set[int] = set()
    for f in candidates:
        span = range(f.first, f.last + 1)
        if not taken.intersection(span):
            kept.append(f)
            taken.update(span)
    return kept


def _in_context(
    term: _Found,
    cues: Sequence[_Found],
    also: Sequence[_Found],
    unless: Sequence[_Found],
    rule: ContextRule,
) -> bool:
    """A cue (and an `also` cue, if the rule has them) near the term, and no `unless` word."""
    if not _has_cue(term, cues, rule.window):
        return False
    if rule.needs_also and not _has_cue(term, also, rule.window):
        return False
    return not _has_cue(term, unless, rule.window)


def _has_cue(term: _Found, cues: Sequence[_Found], window: int) -> bool:
    return any(
        c.pattern.rule == term.pattern.rule
        and c.sentence == term.sentence
        and not _overlap(c, term)
        and c.first <= term.last + window
        and c.last >= term.first - window
        for c in cues
    )


def _overlap(a: _Found, b: _Found) -> bool:
    return a.first <= b.last and b.first <= a.last


_DEFAULT: dict[str, Lexicon] = {}


def default_lexicon() -> Lexicon:
    """The package's lexicon, loaded once per process."""
    if "lexicon" not in _DEFAULT:
        _DEFAULT["lexicon"] = load_lexicon()
    return _DEFAULT["lexicon"]


# --- a corpus -------------------------------------------------------------------------------

HIT_COLUMNS = ["doc_id", "sentence", "theme", "entry", "match", "start", "end"]
DOC_TOKEN_COLUMNS = ["doc_id", "n_tokens", "n_sentences"]


@dataclass
class Analysis:
    """Theme analysis of a corpus.

    - `hits`: one row per counted match: `doc_id`, `sentence` (0-based index in the
      document), `theme`, `entry` (as written in the lexicon), `match` (original text),
      `start`, `end` (character offsets into the document's cleaned `text`).
    - `doc_tokens`: one row per document: `doc_id`, `n_tokens`, `n_sentences`.
    - `themes`: the lexicon's themes, in order (tables list every theme, even with no hit).
    """

    hits: pd.DataFrame
    doc_tokens: pd.DataFrame
    themes: list[Theme]
    lexicon_version: str = ""
    lexicon_hash: str = ""

    @property
    def theme_ids(self) -> list[str]:
        return [t.id for t in self.themes]


def analysis_from_results(
    doc_ids: Sequence[str], results: Iterable[DocAnalysis], lexicon: Lexicon
) -> Analysis:
    """Assemble per-document results (in `doc_ids` order) into the tidy tables."""
    hit_rows: list[tuple[Any, ...]] = []
    token_rows: list[tuple[str, int, int]] = []
    for doc_id, result in zip(doc_ids, results, strict=True):
        token_rows.append((doc_id, result.n_tokens, result.n_sentences))
        hit_rows.extend(
            (doc_id, h.sentence, h.theme, h.entry, h.text, h.start, h.end) for h in result.hits
        )
    hits = pd.DataFrame(hit_rows, columns=HIT_COLUMNS).astype(
        {"doc_id": "str", "sentence": "int64", "start": "int64", "end": "int64"}
    )
    doc_tokens = pd.DataFrame(token_rows, columns=DOC_TOKEN_COLUMNS).astype(
        {"doc_id": "str", "n_tokens": "int64", "n_sentences": "int64"}
    )
    return Analysis(hits, doc_tokens, list(lexicon.themes), lexicon.version, lexicon.content_hash)


class LexiconAnalyser:
    """`analyse_text` bound to a lexicon, as a picklable callable for process and Dask maps.

    In each process the first copy of a lexicon (by content hash) is kept and reused, so its
    automaton and per-type key cache are built once per process, not once per chunk.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def __call__(self, text: str) -> DocAnalysis:
        return analyse_text(text, process_lexicon(self.lexicon))


_PROCESS_LEXICONS: dict[str, Lexicon] = {}


def process_lexicon(lexicon: Lexicon) -> Lexicon:
    """This process's copy of `lexicon`: the first one received with its content hash.

    A lexicon pickled to a worker arrives as a fresh copy with every chunk; keeping the first
    builds its automaton and per-type key cache once per process, not once per chunk.
    """
    return _PROCESS_LEXICONS.setdefault(lexicon.content_hash, lexicon)


def analyse_corpus(
    documents: pd.DataFrame,
    lexicon: Lexicon | None = None,
    *,
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
) -> Analysis:
    """Analyse every row of `documents` (columns `doc_id`, `text`).

    One worker runs in this process; `workers > 1` uses local processes and
    `engine="dask"` a Dask cluster (`scheduler` address, else a local one), both through
    `analysis.parallel.map_ordered`. Every engine gives the same result.
    """
    lexicon = lexicon or default_lexicon()
    missing = {"doc_id", "text"} - set(documents.columns)
    if missing:
        raise ValueError(f"documents need the columns doc_id and text; missing {sorted(missing)}")
    doc_ids = documents["doc_id"].astype(str).tolist()
    texts = documents["text"].fillna("").astype(str).tolist()
    if engine == "local" and workers == 1 and not scheduler:
        return analysis_from_results(doc_ids, (analyse_text(t, lexicon) for t in texts), lexicon)
    try:
        from analysis.parallel import map_ordered
    except ImportError as exc:
        raise RuntimeError(
            f"engine {engine!r} with {workers} workers needs analysis.parallel: {exc}"
        ) from exc
    results = map_ordered(
        LexiconAnalyser(lexicon), texts, workers=workers, engine=engine, scheduler=scheduler
    )
    return analysis_from_results(doc_ids, results, lexicon)


# --- tables ---------------------------------------------------------------------------------


def counts_by_document(analysis: Analysis) -> pd.DataFrame:
    """Hits per document x theme: index `doc_id` (every document), one int column per theme."""
    table = pd.crosstab(analysis.hits["doc_id"], analysis.hits["theme"])
    table = table.reindex(index=analysis.doc_tokens["doc_id"], columns=analysis.theme_ids)
    table = table.fillna(0).astype("int64")
    table.index.name, table.columns.name = "doc_id", None
    return table


def rates_by_document(analysis: Analysis) -> pd.DataFrame:
    """Hits per 1,000 tokens, document x theme (0.0 for a document without tokens)."""
    counts = counts_by_document(analysis)
    tokens = analysis.doc_tokens.set_index("doc_id")["n_tokens"].reindex(counts.index)
    rates = counts.div(tokens.where(tokens > 0), axis=0) * 1000.0
    return rates.fillna(0.0)


def theme_summary(analysis: Analysis) -> pd.DataFrame:
    """Corpus level, one row per theme.

    Columns: `theme`, `name_ar`, `name_en`, `hits`, `rate_per_1000` (hits per 1,000 tokens of
    the corpus), `docs_with_theme`, `share_docs` (of all documents), `sentences_with_theme`,
    `share_sentences` (of all sentences).
    """
    hits = analysis.hits
    n_docs = len(analysis.doc_tokens)
    n_tokens = int(analysis.doc_tokens["n_tokens"].sum())
    n_sentences = int(analysis.doc_tokens["n_sentences"].sum())
    by_theme = hits.groupby("theme")
    counts = by_theme.size()
    docs = by_theme["doc_id"].nunique()
    sentences = hits.drop_duplicates(["doc_id", "sentence", "theme"]).groupby("theme").size()
    rows = []
    for t in analysis.themes:
        n_hits = int(counts.get(t.id, 0))
        n_doc = int(docs.get(t.id, 0))
        n_sent = int(sentences.get(t.id, 0))
        rows.append(
            {
                "theme": t.id,
                "name_ar": t.name_ar,
                "name_en": t.name_en,
                "hits": n_hits,
                "rate_per_1000": n_hits * 1000.0 / n_tokens if n_tokens else 0.0,
                "docs_with_theme": n_doc,
                "share_docs": n_doc / n_docs if n_docs else 0.0,
                "sentences_with_theme": n_sent,
                "share_sentences": n_sent / n_sentences if n_sentences else 0.0,
            }
        )
    return pd.DataFrame(rows)


def top_terms(analysis: Analysis, n: int = 10) -> pd.DataFrame:
    """The `n` most matched entries per theme.

    Columns: `theme`, `entry` (as in the lexicon), `hits`, `docs` (documents with it),
    `top_form` (its most frequent spelling in the texts), `rank` (1 = most hits; ties by entry).
    """
    columns = ["theme", "entry", "hits", "docs", "top_form", "rank"]
    hits = analysis.hits
    if hits.empty:
        return pd.DataFrame(columns=columns)
    grouped = hits.groupby(["theme", "entry"])
    table = pd.DataFrame(
        {
            "hits": grouped.size(),
            "docs": grouped["doc_id"].nunique(),
            "top_form": grouped["match"].agg(lambda s: s.value_counts().index[0]),
        }
    ).reset_index()
    order = {t: i for i, t in enumerate(analysis.theme_ids)}
    table = table.sort_values(
        ["theme", "hits", "entry"], ascending=[True, False, True], key=_theme_order_key(order)
    )
    table["rank"] = table.groupby("theme").cumcount() + 1
    return table[table["rank"] <= n].reset_index(drop=True)[columns]


def _theme_order_key(order: Mapping[str, int]) -> Any:
    def key(column: pd.Series) -> pd.Series:
        return column.map(order) if column.name == "theme" else column

    return key


def cooccurrence(analysis: Analysis) -> pd.DataFrame:
    """Theme x theme: number of sentences mentioning both (diagonal: mentioning the theme)."""
    ids = analysis.theme_ids
    present = analysis.hits.drop_duplicates(["doc_id", "sentence", "theme"])
    indicator = pd.crosstab([present["doc_id"], present["sentence"]], present["theme"])
    indicator = indicator.reindex(columns=ids, fill_value=0).clip(upper=1)
    matrix = indicator.T @ indicator
    matrix = matrix.reindex(index=ids, columns=ids, fill_value=0).astype("int64")
    matrix.index.name = matrix.columns.name = None
    return matrix


def kwic(
    analysis: Analysis,
    documents: pd.DataFrame,
    theme: str | None = None,
    entry: str | None = None,
    width: int = 60,
) -> pd.DataFrame:
    """Concordance: every hit (of `theme`/`entry` if given) with `width` characters of context.

    Columns: `doc_id`, `sentence`, `theme`, `entry`, `left`, `match`, `right`; context comes
    from the document's cleaned `text`, line breaks shown as spaces.
    """
    hits = analysis.hits
    if theme is not None:
        hits = hits[hits["theme"] == theme]
    if entry is not None:
        hits = hits[hits["entry"] == entry]
    texts = documents.assign(doc_id=documents["doc_id"].astype(str)).set_index("doc_id")["text"]
    rows = []
    for h in hits.itertuples(index=False):
        text = texts.get(h.doc_id, "")
        left = _one_line(text[max(0, h.start - width) : h.start])
        right = _one_line(text[h.end : h.end + width])
        rows.append((h.doc_id, h.sentence, h.theme, h.entry, left, text[h.start : h.end], right))
    return pd.DataFrame(
        rows, columns=["doc_id", "sentence", "theme", "entry", "left", "match", "right"]
    )


def _one_line(text: str) -> str:
    return _SPACE_RUN.sub(" ", text)


def term_counts(texts: Iterable[str], *, stopwords: bool = False) -> Counter[str]:
    """Counts of analysis keys over texts (stopwords dropped unless `stopwords`), for `keyness`.

    Tokens are counted first (`arabic.normalized_tokens`), then each distinct type is mapped
    to its key once (cached across calls).
    """
    types: Counter[str] = Counter()
    for text in texts:
        types.update(arabic.normalized_tokens(text))  # counting a list runs in C
    keyed: Counter[str] = Counter()
    for word, n in types.items():
        key = _term_key(word, stopwords)
        if key:
            keyed[key] += n
    return keyed


@lru_cache(maxsize=1 << 20)
def _term_key(word: str, keep_stopwords: bool) -> str:
    """The key a normalized type is counted under by `term_counts` ("" = not counted)."""
    if not keep_stopwords and word in arabic.stopwords():
        return ""
    return _key(word)


def keyness(
    target: Mapping[str, int],
    reference: Mapping[str, int],
    *,
    min_count: int = 3,
    top: int | None = 50,
) -> pd.DataFrame:
    """Log-likelihood keyness (Dunning 1993, as computed by Rayson and Garside 2000).

    For each term with at least `min_count` occurrences in the target: `term`,
    `count_target`, `count_reference`, `per_1000_target`, `per_1000_reference`,
    `log_likelihood` (G2; 3.84 is p < 0.05, 6.63 p < 0.01, 10.83 p < 0.001, 1 d.f.),
    `log_ratio` (binary log of the relative frequency ratio, 0.5 added to zero counts) and
    `key` (`over` when relatively more frequent in the target, else `under`). Sorted by
    log-likelihood, over-used terms first; `top` rows (all when None).
    """
    columns = [
        "term",
        "count_target",
        "count_reference",
        "per_1000_target",
        "per_1000_reference",
        "log_likelihood",
        "log_ratio",
        "key",
    ]
    total_t = float(sum(target.values()))
    total_r = float(sum(reference.values()))
    terms = [t for t, n in target.items() if n >= min_count]
    if not terms or total_t == 0 or total_r == 0:
        return pd.DataFrame(columns=columns)
    a = np.array([target[t] for t in terms], dtype=float)
    b = np.array([reference.get(t, 0) for t in terms], dtype=float)
    expected_a = total_t * (a + b) / (total_t + total_r)
    expected_b = total_r * (a + b) / (total_t + total_r)
    with np.errstate(divide="ignore", invalid="ignore"):
        part_a = np.where(a > 0, a * np.log(a / expected_a), 0.0)
        part_b = np.where(b > 0, b * np.log(b / expected_b), 0.0)
    g2 = 2.0 * (part_a + part_b)
    freq_a, freq_b = a / total_t, b / total_r
    log_ratio = np.log2(np.maximum(a, 0.5) / total_t) - np.log2(np.maximum(b, 0.5) / total_r)
    table = pd.DataFrame(
        {
            "term": terms,
            "count_target": a.astype("int64"),
            "count_reference": b.astype("int64"),
            "per_1000_target": freq_a * 1000.0,
            "per_1000_reference": freq_b * 1000.0,
            "log_likelihood": g2,
            "log_ratio": log_ratio,
            "key": np.where(freq_a >= freq_b, "over", "under"),
        }
    )
    table["_under"] = table["key"] == "under"
    table = table.sort_values(["_under", "log_likelihood", "term"], ascending=[True, False, True])
    table = table.drop(columns="_under").reset_index(drop=True)
    return table if top is None else table.head(top)


def document_keyness(
    documents: pd.DataFrame,
    target: Iterable[str] | pd.Series,
    reference: Mapping[str, int] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """`keyness` of a group of documents (doc_ids, or a boolean mask over `documents`) against
    the other documents, or against `reference` term counts (e.g. `term_counts` of a
    reference corpus). `options` go to `keyness`."""
    if isinstance(target, pd.Series) and target.dtype == bool:
        in_group = target.to_numpy()
    else:
        wanted = {str(d) for d in target}
        in_group = documents["doc_id"].astype(str).isin(wanted).to_numpy()
    texts = documents["text"].fillna("").astype(str)
    target_counts = term_counts(texts[in_group])
    reference_counts = reference if reference is not None else term_counts(texts[~in_group])
    return keyness(target_counts, reference_counts, **options)


# --- validation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledSentence:
    text: str
    themes: frozenset[str]  # must receive
    may: frozenset[str]  # not judged
    source: str
    line: int


def load_validation_set(
    path: str | Path | None = None, theme_ids: Iterable[str] = ()
) -> list[LabelledSentence]:
    """Read the labelled sentences; unknown theme ids (when `theme_ids` given) are errors."""
    path = Path(path) if path is not None else config.VALIDATION_SET_PATH
    parser = _Parser(str(path))
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    if root is None:
        raise parser.fail(None, "the validation set is empty")
    top = parser.mapping(root, {"version", "sentences"}, "the validation set")
    if "sentences" not in top:
        raise parser.fail(root, "the validation set has no 'sentences'")
    known = set(theme_ids)
    sentences = []
    for node in parser.sequence(top["sentences"], "'sentences'"):
        items = parser.mapping(node, {"text", "themes", "may", "source"}, "a sentence")
        if "text" not in items or "themes" not in items:
            raise parser.fail(node, "a sentence needs 'text' and 'themes'")
        text = parser.string(items["text"], "'text'")
        labels = {}
        for key in ("themes", "may"):
            values = (
                [parser.string(n, key) for n in parser.sequence(items[key], key)]
                if key in items
                else []
            )
            unknown = set(values) - known if known else set()
            if unknown:
                raise parser.fail(
                    items[key], f"sentence {text[:40]!r}: unknown theme(s) {sorted(unknown)}"
                )
            labels[key] = frozenset(values)
        source = parser.string(items["source"], "'source'") if "source" in items else ""
        sentences.append(
            LabelledSentence(
                text, labels["themes"], labels["may"], source, node.start_mark.line + 1
            )
        )
    return sentences


def validation_details(
    lexicon: Lexicon | None = None, path: str | Path | None = None
) -> pd.DataFrame:
    """Per labelled sentence: `text`, `source`, `line`, `expected`, `may`, `received`,
    `missing` (expected, not received) and `unexpected` (received, neither expected nor may)."""
    lexicon = lexicon or default_lexicon()
    rows = []
    for s in load_validation_set(path, lexicon.theme_ids):
        received = {m.theme for m in match_text(s.text, lexicon)}
        rows.append(
            {
                "text": s.text,
                "source": s.source,
                "line": s.line,
                "expected": sorted(s.themes),
                "may": sorted(s.may),
                "received": sorted(received),
                "missing": sorted(s.themes - received),
                "unexpected": sorted(received - s.themes - s.may),
            }
        )
    return pd.DataFrame(rows)


def validate(lexicon: Lexicon | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """Per theme precision and recall on the labelled sentences.

    Columns: `theme`, `tp`, `fp`, `fn`, `precision`, `recall`, `sentences` (labelled
    positive). A theme listed under `may` for a sentence is not judged there.
    """
    lexicon = lexicon or default_lexicon()
    details = validation_details(lexicon, path)
    rows = []
    for theme_id in lexicon.theme_ids:
        tp = fp = fn = positives = 0
        for expected, may, received in zip(
            details["expected"], details["may"], details["received"], strict=True
        ):
            if theme_id in may:
                continue
            positives += theme_id in expected
            tp += theme_id in expected and theme_id in received
            fn += theme_id in expected and theme_id not in received
            fp += theme_id not in expected and theme_id in received
        rows.append(
            {
                "theme": theme_id,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": tp / (tp + fp) if tp + fp else math.nan,
                "recall": tp / (tp + fn) if tp + fn else math.nan,
                "sentences": positives,
            }
        )
    return pd.DataFrame(rows)


def document_theme_table(analysis: Analysis, documents: pd.DataFrame) -> pd.DataFrame:
    """What `python -m analysis themes` prints: `doc_id`, `title`, `n_tokens`, a count per theme."""
    counts = counts_by_document(analysis).reset_index()
    meta = analysis.doc_tokens[["doc_id", "n_tokens"]]
    if "title" in documents.columns:
        titles = documents.assign(doc_id=documents["doc_id"].astype(str))[["doc_id", "title"]]
        meta = meta.merge(titles, on="doc_id", how="left")[["doc_id", "title", "n_tokens"]]
    return meta.merge(counts, on="doc_id", how="left")
