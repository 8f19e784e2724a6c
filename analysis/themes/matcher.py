"""Finding the lexicon in text: one Aho-Corasick pass per document, context, exclusions.

* Every token of a text is mapped to its analysis key, once per distinct word type (cached
  in the lexicon); the keys are joined by spaces.
* All entries (words, phrases, exclusions, context terms and cues) are in one Aho-Corasick
  automaton, so one C-speed pass finds every entry; a trailing `*` (word family) is a
  pattern that may end inside the last token.
* Per theme, a match overlapping one of the theme's exclusions is dropped, then overlapping
  matches count once: the longest (in tokens, then characters) wins.
* Linear in the document, even one sentence of megabytes: a term finds the cues of its rule
  and sentence inside its window by bisection in an index (`_Cues`), never by a scan.
* `analyse_text` is the pure, picklable per-document function; `analyse_corpus` maps it over
  a DataFrame of documents (serially, with local processes, or with the Dask engine of
  `analysis.parallel`) and returns the tidy `hits` and `doc_tokens` tables.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from analysis import arabic
from analysis.themes.lexicon import (
    ALSO,
    CUE,
    EXCLUDE,
    PHRASE,
    TERM,
    UNLESS,
    WORD,
    ContextRule,
    Lexicon,
    Pattern,
    Theme,
    default_lexicon,
)

if TYPE_CHECKING:
    import pandas as pd

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
    hits = counted_hits(text, found, lexicon, tokens.words, tokens.span)
    return DocAnalysis(len(tokens), len(sentence_starts), tuple(hits))


def counted_hits(
    text: str,
    found: dict[str, list[_Found]],
    lexicon: Lexicon,
    words: Sequence[str] | Mapping[int, str],
    span: Callable[[int], tuple[int, int]],
) -> list[Hit]:
    """The hits of a text from its automaton matches, in text order; `words[i]` and
    `span(i)` are token i's word and offsets (shared by `analyse_text` and the batch path)."""
    hits: list[Hit] = []
    for theme_id in lexicon.theme_ids:
        theme_found = found.get(theme_id)
        if not theme_found:
            continue
        if theme_id in lexicon.excluded_forms:
            theme_found = _spelled_right(theme_found, theme_id, words, lexicon)
        for f in _resolve(theme_found, lexicon.rules):
            start, end = span(f.first)
            if f.last != f.first:  # most hits are one token: its span is the hit's
                end = span(f.last)[1]
            hits.append(Hit(f.sentence, theme_id, f.pattern.entry, start, end, text[start:end]))
    hits.sort(key=lambda h: (h.start, h.end, h.theme))
    return hits


def match_text(text: str, lexicon: Lexicon | None = None) -> list[Match]:
    """Counted theme matches in a text, in text order."""
    lexicon = lexicon or default_lexicon()
    return [
        Match(h.theme, h.entry, h.start, h.end, h.text) for h in analyse_text(text, lexicon).hits
    ]


def automaton_matches(keys: Sequence[str], lexicon: Lexicon) -> Iterator[tuple[int, Any]]:
    """(index of the first key, pattern indexes) of every automaton match over `keys`."""
    joined = " " + " ".join(keys) + " "
    # A match starts at the space before its first key, so the spaces before that one number
    # the key; they are counted from the previous match on (matches come nearly in order).
    position = spaces = 0
    for end, (length, indexes) in lexicon.automaton().iter(joined):
        start = end - length + 1
        if start >= position:
            spaces += joined.count(" ", position, start)
        else:
            spaces -= joined.count(" ", start, position)
        position = start
        yield spaces, indexes


def _find(
    tokens: arabic.TokenIndex, sentence_starts: Sequence[int], lexicon: Lexicon
) -> dict[str, list[_Found]]:
    """Every automaton match, grouped by theme, phrases crossing a sentence boundary dropped."""
    patterns = lexicon.patterns
    found: dict[str, list[_Found]] = {}
    for first, indexes in automaton_matches(lexicon.token_keys(tokens.words), lexicon):
        sentence = _sentence_of(tokens.span(first)[0], sentence_starts)
        for index in indexes:
            pattern = patterns[index]
            last = first + len(pattern.keys) - 1
            if last != first and _sentence_of(tokens.span(last)[0], sentence_starts) != sentence:
                continue
            found.setdefault(pattern.theme, []).append(_Found(pattern, first, last, sentence))
    return found


def _spelled_right(
    found: list[_Found], theme_id: str, words: Sequence[str] | Mapping[int, str], lexicon: Lexicon
) -> list[_Found]:
    """The matches none of whose words is one of the theme's excluded spellings."""
    excluded = lexicon.excluded_spellings(theme_id)
    return [
        f
        for f in found
        if not (
            excluded[words[f.first]]
            if f.first == f.last  # most matches are one word: no generator for them
            else any(excluded[words[i]] for i in range(f.first, f.last + 1))
        )
    ]


def _sentence_of(offset: int, sentence_starts: Sequence[int]) -> int:
    return max(bisect.bisect_right(sentence_starts, offset) - 1, 0)


def _resolve(found: list[_Found], rules: Sequence[ContextRule]) -> list[_Found]:
    """One theme's counted matches: context checked, exclusions applied, longest wins.

    Linear in the matches: the cues are indexed (`_Cues`, built at the first term), so a
    term looks only at the cues inside its window; the tokens under exclusions are one set.
    """
    cues: _Cues | None = None
    candidates: list[_Found] = []
    excluded: set[int] = set()
    for f in found:
        role = f.pattern.role
        if role == TERM:
            cues = cues or _Cues(found)
            if cues.in_context(f, rules[f.pattern.rule]):
                candidates.append(f)
        elif role in (WORD, PHRASE):
            candidates.append(f)
        elif role == EXCLUDE:
            excluded.update(range(f.first, f.last + 1))
    if excluded:
        candidates = [f for f in candidates if excluded.isdisjoint(range(f.first, f.last + 1))]
    # Longest first (tokens, then a later first token loses), then keep non-overlapping ones.
    candidates.sort(key=lambda f: (f.first - f.last, f.first, -len(f.pattern.entry)))
    kept: list[_Found] = []
    taken: set[int] = set()
    for f in candidates:
        span = range(f.first, f.last + 1)
        if taken.isdisjoint(span):
            kept.append(f)
            taken.update(span)
    return kept


class _Cues:
    """A theme's cues, `also` and `unless` matches by role, rule and sentence, in order of
    their first token, so that the ones near a term are found by bisection, not by a scan."""

    def __init__(self, found: Iterable[_Found]) -> None:
        groups: dict[tuple[str, int, int], list[_Found]] = {}
        for f in found:
            if f.pattern.role in (CUE, ALSO, UNLESS):
                groups.setdefault((f.pattern.role, f.pattern.rule, f.sentence), []).append(f)
        # key -> (first tokens, matches, longest match in tokens - 1), by first token.
        self._groups: dict[tuple[str, int, int], tuple[list[int], list[_Found], int]] = {}
        for key, group in groups.items():
            group.sort(key=lambda f: f.first)
            extra = max(f.last - f.first for f in group)
            self._groups[key] = ([f.first for f in group], group, extra)

    def in_context(self, term: _Found, rule: ContextRule) -> bool:
        """A cue (and an `also` cue, if the rule has them) near the term, no `unless` word."""
        if not self.near(CUE, term, rule.window):
            return False
        if rule.needs_also and not self.near(ALSO, term, rule.window):
            return False
        return not self.near(UNLESS, term, rule.window)

    def near(self, role: str, term: _Found, window: int) -> bool:
        """A `role` match of the term's rule and sentence within `window` tokens of it, not
        overlapping it."""
        entry = self._groups.get((role, term.pattern.rule, term.sentence))
        if entry is None:
            return False
        firsts, group, extra = entry
        # c.last >= term.first - window needs c.first >= term.first - window - extra.
        low = bisect.bisect_left(firsts, term.first - window - extra)
        high = bisect.bisect_right(firsts, term.last + window, low)
        return any(
            group[i].last >= term.first - window and not _overlap(group[i], term)
            for i in range(low, high)
        )


def _overlap(a: _Found, b: _Found) -> bool:
    return a.first <= b.last and b.first <= a.last


# --- a corpus -------------------------------------------------------------------------------


class HitColumns(NamedTuple):
    """The hits of a batch of documents as columns (`Hit`'s fields after `doc`, the number of
    the hit's document in the batch), in document order, then text order."""

    doc: Sequence[int]
    sentence: Sequence[int]
    theme: Sequence[str]
    entry: Sequence[str]
    start: Sequence[int]
    end: Sequence[int]
    text: Sequence[str]


def hit_columns(analyses: Iterable[DocAnalysis]) -> HitColumns:
    """The hits of the documents' analyses, in order, as columns."""
    rows = [(doc, *hit) for doc, analysis in enumerate(analyses) for hit in analysis.hits]
    if not rows:
        return HitColumns((), (), (), (), (), (), ())
    return HitColumns(*zip(*rows, strict=True))


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
    rows = AnalysisRows()
    for doc_id, result in zip(doc_ids, results, strict=True):
        rows.add(doc_id, result)
    return rows.analysis(lexicon)


class AnalysisRows:
    """Per-document results turned into table chunks as they arrive: a pipeline's client
    builds the tables while its workers are still busy, not after the last document (the
    hits table of SaudiNewsNet took 0.25 s at the end of each run). The tables are those
    built at once from the same rows, dtypes included."""

    CHUNK = 8000  # documents: fewer, larger frames cost less in all (0.20 s against 0.24-0.30 s)

    def __init__(self) -> None:
        # The rows not in a chunk yet, column by column (`HIT_COLUMNS`, `DOC_TOKEN_COLUMNS`):
        # a frame is made from columns in half the time it takes from rows.
        self._hits: list[list[Any]] = [[] for _ in HIT_COLUMNS]
        self._tokens: list[list[Any]] = [[] for _ in DOC_TOKEN_COLUMNS]
        self._hit_chunks: list[pd.DataFrame] = []
        self._token_chunks: list[pd.DataFrame] = []

    def add(self, doc_id: str, result: DocAnalysis) -> None:
        self.add_columns([doc_id], [result.n_tokens], [result.n_sentences], hit_columns([result]))

    def add_columns(
        self,
        doc_ids: Sequence[str],
        n_tokens: Sequence[int],
        n_sentences: Sequence[int],
        hits: HitColumns,
    ) -> None:
        """`add` for a batch of documents given as columns (a pipeline's shard)."""
        for column, values in zip(self._tokens, (doc_ids, n_tokens, n_sentences), strict=True):
            column.extend(values)
        hit_ids = [doc_ids[i] for i in hits.doc]
        values = (hit_ids, hits.sentence, hits.theme, hits.entry, hits.text, hits.start, hits.end)
        for column, new in zip(self._hits, values, strict=True):
            column.extend(new)
        if len(self._tokens[0]) >= self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        # Only chunks with rows: an empty one has `object` text columns, which would make the
        # concatenation's `object` too.
        if self._hits[0]:
            self._hit_chunks.append(_frame(self._hits, HIT_COLUMNS, _HIT_TYPES))
        if self._tokens[0]:
            self._token_chunks.append(_frame(self._tokens, DOC_TOKEN_COLUMNS, _DOC_TOKEN_TYPES))
        self._hits = [[] for _ in HIT_COLUMNS]
        self._tokens = [[] for _ in DOC_TOKEN_COLUMNS]

    def analysis(self, lexicon: Lexicon, *, leaving_out: Collection[str] = ()) -> Analysis:
        """The tables of every document added but those in `leaving_out`; call it once."""
        self._flush()
        hits = _concat(self._hit_chunks, leaving_out, HIT_COLUMNS, _HIT_TYPES)
        doc_tokens = _concat(self._token_chunks, leaving_out, DOC_TOKEN_COLUMNS, _DOC_TOKEN_TYPES)
        self._hit_chunks, self._token_chunks = [], []
        return Analysis(
            hits, doc_tokens, list(lexicon.themes), lexicon.version, lexicon.content_hash
        )


_HIT_TYPES = {"doc_id": "str", "sentence": "int64", "start": "int64", "end": "int64"}
_DOC_TOKEN_TYPES = {"doc_id": "str", "n_tokens": "int64", "n_sentences": "int64"}


def _frame(columns: list[list[Any]], names: list[str], types: dict[str, str]) -> pd.DataFrame:
    """A table of the rows given column by column (`HIT_COLUMNS` or `DOC_TOKEN_COLUMNS`)."""
    import pandas as pd

    return pd.DataFrame(dict(zip(names, columns, strict=True))).astype(types)


def _concat(
    chunks: list[pd.DataFrame],
    leaving_out: Collection[str],
    names: list[str],
    types: dict[str, str],
) -> pd.DataFrame:
    """The chunks as one table without the rows of `leaving_out`'s documents; a table with
    no rows has the columns `names`, typed by `types` (the text columns `object`), whatever
    the chunks' dtypes."""
    import pandas as pd

    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=names)
    if leaving_out:
        frame = frame[~frame["doc_id"].isin(leaving_out)].reset_index(drop=True)
    # Not `_frame` of empty columns: a column without values or type would be float64.
    return frame if len(frame) else pd.DataFrame(columns=names).astype(types)


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
