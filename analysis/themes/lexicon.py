"""The theme lexicon: YAML parsing and checks, `Lexicon`, proclitic morphology, keys.

Dictionary-based content analysis: the lexicon (`analysis/data/lexicon.yaml`) is data an
analyst edits; this module loads and validates it and compiles every entry into analysis-key
sequences (`analysis.arabic.analysis_key`) for the matcher. A word that is not a lexicon key
or wildcard prefix between letters stemming can remove cannot match, so it is not stemmed at
all: it gets the inert key `UNMATCHABLE`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import ahocorasick
import yaml

from analysis import arabic, config
from analysis.charsets import trie_body
from analysis.files import SAFE_YAML_LOADER

if TYPE_CHECKING:
    import pandas as pd

WILDCARD = "*"
MIN_PREFIX_LETTERS = 3
MAX_WINDOW = 50

_THEME_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# The key of a word no entry can match (and of one that normalizes to nothing): a symbol no
# token contains, so the joined key string keeps one slot, between spaces, per token.
UNMATCHABLE = "\u2400"
SPACE_RUN = re.compile(r"\s+")

_TOP_KEYS = {"version", "themes"}
_THEME_KEYS = {"id", "name_ar", "name_en", "description", "colour", "words", "phrases"}
_THEME_KEYS |= {"exclude", "exclude_forms", "context"}
_REQUIRED_THEME_KEYS = ("id", "name_ar", "name_en", "description")
_RULE_KEYS = {"terms", "cues", "also", "unless", "window"}

# Pattern roles inside the automaton.
WORD, PHRASE, EXCLUDE, TERM, CUE = "word", "phrase", "exclude", "term", "cue"
ALSO, UNLESS = "also", "unless"
COUNTED_ROLES = (WORD, PHRASE, TERM)  # the roles whose matches can become hits
_RULE_ROLES = (TERM, CUE, ALSO, UNLESS)
CONTEXT_ROLES = (CUE, ALSO, UNLESS)  # the roles whose matches only decide whether a term counts


class AloneRoles(NamedTuple):
    """What the entries matching a lone token of one key can do (`Lexicon.alone_roles`)."""

    counts: bool  # a word, phrase or term matches it (`COUNTED_ROLES`): its match may count
    needed: bool  # an entry that is not a cue, an `also` or an `unless` word matches it
    context_rules: int  # `rule_bits` of the rules of which it is a cue, `also` or `unless` word
    term_rules: int  # `rule_bits` of the rules of which a term matches it


RULE_BITS = 64


def rule_bits(rules: Iterable[int]) -> int:
    """The rules as bits of an unsigned 64-bit integer, rule r as bit r % 64: two rules may
    share a bit, so a test for shared rules can say yes wrongly, never no."""
    bits = 0
    for rule in rules:
        bits |= 1 << (rule % RULE_BITS)
    return bits


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
    _candidate_re: Any = field(default=None, init=False, repr=False, compare=False)
    _form_res: Any = field(default=None, init=False, repr=False, compare=False)
    _alone: Any = field(default=None, init=False, repr=False, compare=False)
    _batch: Any = field(default=None, init=False, repr=False, compare=False)

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
        import pandas as pd

        return pd.DataFrame(
            [(p.theme, p.role, p.entry, _describe(p), p.line) for p in self.patterns],
            columns=["theme", "role", "entry", "keys", "line"],
        )

    def role_counts(self) -> pd.DataFrame:
        """Entries per theme (rows, in lexicon order) and role (columns: the roles used)."""
        import pandas as pd

        rows = self.entries()
        table = pd.crosstab(rows["theme"], rows["role"]).reindex(self.theme_ids).fillna(0)
        return table.astype("int64")

    def summary(self) -> pd.DataFrame:
        """Per theme: names and the number of entries by role (for the report)."""
        import pandas as pd

        counts = self.role_counts()
        rows = []
        for t in self.themes:
            row = {"theme": t.id, "name_ar": t.name_ar, "name_en": t.name_en}
            for role in (WORD, PHRASE, EXCLUDE, TERM, CUE):
                row[role + "s"] = int(counts.at[t.id, role]) if role in counts else 0
            rows.append(row)
        return pd.DataFrame(rows)

    def __getstate__(self) -> dict[str, Any]:
        # The automaton and key cache are rebuilt where the lexicon lands (worker processes).
        state = self.__dict__.copy()
        state["_automaton"] = None
        state["_keys"] = None
        state["_vocab"] = None
        state["_candidate_re"] = None
        state["_form_res"] = None
        state["_alone"] = None
        state["_batch"] = None
        return state

    def batch_cache(self) -> dict[str, Any]:
        """A place for the batch path (`themes.batch`) to keep what it learns about this
        lexicon in this process (left behind when the lexicon is pickled)."""
        if self._batch is None:
            self._batch = {}
        return self._batch

    def excluded_spellings(self, theme_id: str) -> Mapping[str, bool]:
        """word -> whether `word`, as spelled, is one of the theme's `exclude_forms` (clitics
        allowed); answered once per distinct word and process (cached), like the keys."""
        if self._form_res is None:
            self._form_res = {}
        answers = self._form_res.get(theme_id)
        if answers is None:
            forms = self.excluded_forms.get(theme_id)
            if not forms:
                answers = _NO_WORD
            else:
                pattern = _excluded_forms_re(forms)
                answers = _KeyCache(lambda word: pattern.match(_spelling(word)) is not None)
            self._form_res[theme_id] = answers
        return answers

    # -- compiled matcher, built lazily -----------------------------------------------------

    def automaton(self) -> Any:
        if self._automaton is None:
            self._automaton = _build_automaton(self.patterns)
        return self._automaton

    def alone_roles(self, key: str) -> AloneRoles:
        """What the entries that match a token of this key with no keyed token beside it can
        do (cached)."""
        if self._alone is None:
            self._alone = {}
        roles = self._alone.get(key)
        if roles is None:
            roles = self._alone[key] = self._find_alone_roles(key)
        return roles

    def _find_alone_roles(self, key: str) -> AloneRoles:
        matches = self.automaton().iter(f" {key} ")
        patterns = [self.patterns[i] for _, (_, indexes) in matches for i in indexes]
        return AloneRoles(
            counts=any(p.role in COUNTED_ROLES for p in patterns),
            needed=any(p.role not in CONTEXT_ROLES for p in patterns),
            context_rules=rule_bits(p.rule for p in patterns if p.role in CONTEXT_ROLES),
            term_rules=rule_bits(p.rule for p in patterns if p.role == TERM),
        )

    def token_keys(self, words: list[str]) -> list[str]:
        """Matching keys of tokens, `UNMATCHABLE` for a word no entry can match.

        Each distinct type is keyed once per process, the first time it is seen (cached).
        """
        return list(map(self._key_cache().__getitem__, words))

    def keys_of(self, words: Sequence[str]) -> list[str]:
        """`token_keys` of distinct words: the words not keyed yet are normalized in one call,
        and only those that pass `_candidates` are stemmed (cached as well)."""
        cache = self._key_cache()
        new = [word for word in words if word not in cache]
        if new:
            # normalize and casefold map characters one by one and never make or take a
            # line break: joined, each word's form stays its own.
            forms = _candidate_form("\n".join(new)).split("\n")
            may_match = self._candidates().match
            for word, form in zip(new, forms, strict=True):
                cache[word] = self._known_key(word) if may_match(form) else UNMATCHABLE
        return [cache[word] for word in words]

    def matching_key(self, word: str) -> str:
        """The key one word is matched under (its stem, or its remainder's, see below)."""
        return _matching_key(word, self._vocabulary())

    def matches_after_proclitic(self, word: str) -> bool:
        """Whether `word` is matched only by cutting a lone ب ل ك ف (بنيامين -> نيامي)."""
        return word_key(word) != self.matching_key(word)

    def _word_key(self, word: str) -> str:
        # Most words of a corpus cannot match (`_candidates`) and need no stemming at all.
        if self._candidates().match(_candidate_form(word)) is None:
            return UNMATCHABLE
        return self._known_key(word)

    def _known_key(self, word: str) -> str:
        """The word's matching key if some entry holds it, else `UNMATCHABLE`."""
        key = self.matching_key(word)
        return key if _known(key, self._vocabulary()) else UNMATCHABLE

    def _key_cache(self) -> _KeyCache:
        if self._keys is None:
            self._keys = _KeyCache(self._word_key)
        return self._keys

    def searched_strings(self) -> frozenset[str]:
        """Every key and wildcard prefix: a word whose normalized, case-folded form holds none
        of them matches no entry (what the batch path searches tokens for)."""
        exact, prefixes = self._vocabulary()
        return exact | prefixes

    def _vocabulary(self) -> tuple[frozenset[str], frozenset[str]]:
        """Keys and wildcard prefixes that occur anywhere in the lexicon."""
        if self._vocab is None:
            exact = {k for p in self.patterns for k in (p.keys[:-1] if p.wildcard else p.keys)}
            prefixes = {p.keys[-1] for p in self.patterns if p.wildcard}
            self._vocab = (frozenset(exact), frozenset(prefixes))
        return self._vocab

    def _candidates(self) -> re.Pattern[str]:
        """Matches the `_candidate_form` of every word some entry can match, and of few
        others (a third of the words holding a key on SaudiNewsNet).

        A matching key is a stretch of that form: what `arabic.stem` cuts off is at most
        `STEM_PREFIX_MAX` letters of `STEM_PREFIX_LETTERS` in front, `_proclitic_cuts` one or
        two letters more, and `STEM_SUFFIX_LETTERS` at the end. So the form is a few such
        letters, then a key followed by suffix letters only, or a wildcard prefix."""
        if self._candidate_re is None:
            exact, prefixes = self._vocabulary()
            front = sorted(set(arabic.STEM_PREFIX_LETTERS + "".join(_PROCLITICS + _CONJUNCTIONS)))
            self._candidate_re = re.compile(
                f"[{''.join(front)}]{{0,{arabic.STEM_PREFIX_MAX + _LONGEST_CUT}}}"
                f"(?:(?:{trie_body(exact)})[{arabic.STEM_SUFFIX_LETTERS}]*\\Z"
                f"|{trie_body(prefixes)})"
            )
        return self._candidate_re


class _KeyCache(dict):
    """word -> matching key, computed by `key_of` the first time a word is looked up."""

    def __init__(self, key_of: Callable[[str], str]) -> None:
        super().__init__()
        self.key_of = key_of

    def __missing__(self, word: str) -> str:
        key = self[word] = self.key_of(word)
        return key


class _NoWord(dict):
    """word -> False for every word, storing none."""

    def __missing__(self, word: str) -> bool:
        return False


_NO_WORD = _NoWord()


def _candidate_form(text: str) -> str:
    """What `Lexicon._candidates` tests: the text normalized, case-folded, spaces removed (as
    `word_key` removes them from a key)."""
    return arabic.normalize(text).casefold().replace(" ", "")


def word_key(word: str) -> str:
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
_LONGEST_CUT = 2  # what `_proclitic_cuts` can take off: و or ف, then one of ب ل ك ف


def _matching_key(word: str, vocabulary: tuple[frozenset[str], frozenset[str]]) -> str:
    """`word_key(word)`, or the key of the word without a lone proclitic if only that is known."""
    key = word_key(word)
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
    # Only beginnings as long as a prefix can be: a huge word is not sliced at every length.
    longest = min(len(key), _longest(prefixes))
    return any(key[:n] in prefixes for n in range(MIN_PREFIX_LETTERS, longest + 1))


@lru_cache(maxsize=16)
def _longest(strings: frozenset[str]) -> int:
    return max(map(len, strings), default=0)


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
        root = yaml.compose(text, Loader=SAFE_YAML_LOADER)
    except yaml.reader.ReaderError as exc:  # a character YAML refuses, given with no line
        # Its first occurrence is where reading stopped (libyaml counts bytes, not characters).
        line = text.count("\n", 0, max(text.find(chr(exc.character)), 0)) + 1
        problem = f"character U+{exc.character:04X} is not allowed in YAML ({exc.reason})"
        raise LexiconError(f"{source}:{line}: not valid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise LexiconError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    parser = YamlParser(source)
    lexicon = parser.lexicon(root, hashlib.sha256(text.encode("utf-8")).hexdigest())
    lexicon.warnings, lexicon.redundant = parser.warnings, parser.redundant
    return lexicon


class YamlParser:
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
    keys = tuple(word_key(t.text) for t in tokens)
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


_DEFAULT: dict[str, Lexicon] = {}


def default_lexicon() -> Lexicon:
    """The package's lexicon, loaded once per process."""
    if "lexicon" not in _DEFAULT:
        _DEFAULT["lexicon"] = load_lexicon()
    return _DEFAULT["lexicon"]
