"""`analyse_text` for a batch of texts: tokens as columns, keys per distinct type, a short
string per text for the automaton; the same `DocAnalysis` as the per-text function.

* Tokens, sentence starts and the runs of invisible characters come from one pass over the
  batch (`arabic_batch.scan_texts`): of the tokens, only those in which a lexicon key or
  wildcard prefix occurs (about a third of them on SaudiNewsNet).
* Keys: the batch's new word types are keyed once (`Lexicon.keys_of`); a join keeps only
  the tokens some entry can match, with their key, less those no match can cover and the
  cues of rules none of whose terms can match in the text
  (`_keyed_tokens`: on SaudiNewsNet 228,000 of the 8.8 million tokens reach the loop below).
* Matching: per text, the keyed tokens' keys are joined with `UNMATCHABLE` wherever two of
  them are not neighbours or a sentence ends between them. Entries are key sequences between
  spaces and never hold `UNMATCHABLE`, so the automaton finds exactly the matches it finds in
  the whole text's keys, minus the phrases crossing a sentence, which `_find` drops too;
  each slot maps back to its token index, so `_resolve`, the exclusions and the hits run
  unchanged (`matcher.counted_hits`).
* Each keyed token's sentence comes from an as-of join of its start on the sentence starts
  (`_with_sentences`); the offset maps of the texts with keyed tokens and invisible
  characters from the runs (`arabic_batch.offset_maps_later`).
* A text polars cannot hold (`token_frame`'s `refused`) takes `analyse_text`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from analysis import arabic, arabic_batch
from analysis.arabic_batch import scan_texts
from analysis.columns import Later, TextSeries, polars, split_by_text, text_series
from analysis.themes.lexicon import (
    CONTEXT_ROLES,
    COUNTED_ROLES,
    TERM,
    UNMATCHABLE,
    Lexicon,
    rule_bits,
)
from analysis.themes.matcher import (
    DocAnalysis,
    _Found,
    _sentence_of,
    analyse_text,
    automaton_matches,
    counted_hits,
)

if TYPE_CHECKING:
    import polars as pl


class _Rows(NamedTuple):
    """One text's keyed tokens, column by column, in text order."""

    token: list[int]  # the index of the token in the text
    word: list[str]
    key: list[str]
    start: list[int]  # offsets in the text with marks, tatweel and format controls removed
    end: list[int]
    terms: list[int]  # on every row, the `rule_bits` of the rules whose terms the text may hold
    sentence: list[int]  # the token's sentence, if the text has no invisible characters


class KeyedBatch(NamedTuple):
    """A batch's tokens, keyed: what the per-text loop of `analyse_texts` takes."""

    n_tokens: list[int]  # per text, every token
    refused: set[int]  # texts polars cannot hold: `analyse_text` takes them
    invisible: list[bool]  # per text, whether it needs an `OffsetMap`
    sentence_starts: list[list[int]]  # per text, `arabic.sentence_starts`
    offsets: dict[int, arabic.OffsetMap]  # per text with rows that needs one, its map
    rows: dict[int, _Rows]  # per text with a keyed token some match can cover, those tokens


def key_batch(
    texts: Sequence[str], lexicon: Lexicon, *, column: TextSeries | None = None
) -> KeyedBatch:
    """The columnar part of `analyse_texts`: tokens, keys, the rows each text's loop needs.

    Mostly polars, without the GIL, so another thread may run it ahead of the loop (the
    keys of new words are computed in Python, under the lexicon's cache). `column` is
    `columns.text_series(texts)` when the caller built it already.
    """
    return key_batch_later(texts, lexicon, column=column)()


def key_batch_later(
    texts: Sequence[str], lexicon: Lexicon, *, column: TextSeries | None = None
) -> Later[KeyedBatch]:
    """`key_batch`'s columns found now (and the new words keyed), its lists made when the
    result is called."""
    column = text_series(texts, column)
    scanned = scan_texts(texts, holding=lexicon.searched_strings(), column=column)
    frame, sentences = scanned.frame, scanned.sentences
    keyed = _with_sentences(_keyed_tokens(frame.tokens, lexicon), sentences)
    starts = arabic_batch.sentence_starts_later(texts, column=column, frame=sentences)
    with_rows = keyed["doc"].unique(maintain_order=True).to_list()
    gaps = [doc for doc in with_rows if frame.invisible[doc]]
    offsets = arabic_batch.offset_maps_later(texts, gaps, column=column, runs=scanned.runs)

    def made() -> KeyedBatch:
        rows = _rows_by_doc(keyed)
        return KeyedBatch(frame.n_tokens, frame.refused, frame.invisible, starts(), offsets(), rows)

    return made


def analyse_texts(
    texts: Sequence[str], lexicon: Lexicon, *, keyed: KeyedBatch | None = None
) -> list[DocAnalysis]:
    """`[analyse_text(text, lexicon) for text in texts]`, computed as columns; `keyed` is
    `key_batch(texts, lexicon)` when it was computed already."""
    if keyed is None:
        keyed = key_batch(texts, lexicon)
    results = []
    for i, text in enumerate(texts):
        if i in keyed.refused:
            results.append(analyse_text(text, lexicon))
            continue
        starts = keyed.sentence_starts[i]
        rows = keyed.rows.get(i)
        if rows is None:
            results.append(DocAnalysis(keyed.n_tokens[i], len(starts), ()))
            continue
        offsets = keyed.offsets.get(i, _NO_GAPS)
        results.append(_analyse(text, keyed.n_tokens[i], starts, rows, offsets, lexicon))
    return results


def _keyed_tokens(tokens: pl.DataFrame, lexicon: Lexicon) -> pl.DataFrame:
    """The tokens some match can cover, with their key, in text order.

    The batch's distinct words are keyed (the lexicon caches each word's key, so a word is
    keyed once per process) and joined back. A keyed token is kept when it and a neighbour
    are two consecutive keys of an entry (`_key_pairs`): every token of a match of two keys
    or more has such a neighbour inside the match, so a token with neither is in no match of
    two keys. A token that only a one-key entry matches is kept when that entry is no cue,
    `also` or `unless` word (`Lexicon.alone_roles`), or when it is one and a term of its
    rule can match in the text: a cue decides only whether a term of its rule counts.
    This leaves the per-text loop a fraction of the keyed tokens (the stop words of
    phrases, في من على, and cues of rules without a term in the text are most of them).
    """
    pl = polars()  # imported on first use: see `columns.polars`

    pairs, table = _key_table(tokens["word"], lexicon)
    doc, index, key_id = pl.col("doc"), pl.col("index"), pl.col("key_id")
    adjacent = (doc == doc.shift(-1)) & (index + 1 == index.shift(-1))
    tokens = tokens.join(table, on="word", how="inner", maintain_order="left").with_columns(
        pair=key_id * _PAIR_BASE + pl.when(adjacent).then(key_id.shift(-1))
    )
    # The rules of the terms that may match in the text: those matching a token alone, and
    # those whose first two keys (or first key, before a prefix) are a token's and the next.
    starts_term = _rule_bits_of(pl.col("pair"), pairs.term_codes) | _rule_bits_of(
        key_id, pairs.term_open_firsts
    )
    tokens = tokens.with_columns(
        terms=(pl.col("term_rules") | starts_term).bitwise_or().over("doc")
    )

    def starts_pair(codes: list[int], open_firsts: list[int]) -> pl.Expr:
        # A key followed by its neighbour's key makes a pair, or starts a pair whose second
        # key is a prefix (`word*`): checked by the automaton, kept here.
        pair = pl.col("pair")
        return ((pair.is_in(codes) | key_id.is_in(open_firsts)) & pair.is_not_null()).fill_null(
            False
        )

    in_pair = starts_pair(pairs.codes, pairs.open_firsts)
    alone = pl.col("needed") | ((pl.col("context_rules") & pl.col("terms")) != 0)
    keep = alone | in_pair | in_pair.shift(1, fill_value=False)
    # A text in which no counted match (a word, phrase or term, `_resolve`) can start has
    # no hits, and its tokens go too: on SaudiNewsNet, a third of the texts with keyed
    # tokens hold only cues and the like.
    counted = pl.col("counts") | starts_pair(pairs.counted_codes, pairs.counted_open_firsts)
    return (
        tokens.filter(keep)
        .filter(counted.any().over("doc"))
        .drop("key_id", "pair", "needed", "context_rules", "term_rules", "counts")
    )


def _rule_bits_of(column: pl.Expr, bits: dict[int, int]) -> pl.Expr:
    """`bits[value]` for each value of the column, 0 for the others (and for nulls)."""
    pl = polars()
    if not bits:
        return pl.lit(0, dtype=pl.UInt64)
    return column.replace_strict(
        list(bits), list(bits.values()), default=0, return_dtype=pl.UInt64
    ).fill_null(0)


def _with_sentences(keyed: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """The keyed tokens with the number of their sentence in the text (`matcher._sentence_of`
    of their start): the last sentence starting at or before the token. The starts are
    offsets in the text and the tokens' in the text without its invisible characters, which
    are the same offsets in a text without any; `_analyse` works the others out itself."""
    pl = polars()
    numbered = sentences.with_columns(sentence=pl.int_range(pl.len(), dtype=pl.Int64).over("doc"))
    return keyed.join_asof(
        numbered, left_on="start", right_on="begin", by="doc", check_sortedness=False
    ).with_columns(pl.col("sentence").fill_null(0))


def _key_table(words: pl.Series, lexicon: Lexicon) -> tuple[_KeyPairs, pl.DataFrame]:
    """The lexicon's key pairs, and the table of every word seen in this process that some
    entry can match: word, key, key_id, needed, context_rules, term_rules, counts. Only
    words not seen before are keyed (in Python, `Lexicon.keys_of`); the table lives in
    `Lexicon.batch_cache` (a batch of SaudiNewsNet has about 7,000 distinct words to look up,
    and fewer and fewer new ones)."""
    pl = polars()
    cache = lexicon.batch_cache()
    if "pairs" not in cache:
        cache["pairs"] = _key_pairs(lexicon)
        cache["seen"] = pl.Series("word", [], dtype=pl.String)
        cache["table"] = _keyed_words([], lexicon, cache["pairs"])
    pairs = cache["pairs"]
    distinct = words.unique()
    new = distinct.filter(~distinct.is_in(cache["seen"].implode()))
    if len(new):
        cache["seen"] = pl.concat([cache["seen"], new.rename("word")])
        cache["table"] = pl.concat([cache["table"], _keyed_words(new.to_list(), lexicon, pairs)])
    return pairs, cache["table"]


def _keyed_words(words: list[str], lexicon: Lexicon, pairs: _KeyPairs) -> pl.DataFrame:
    """The words some entry can match, with their keys and what the keys can do
    (`Lexicon.alone_roles`)."""
    pl = polars()
    keyed = [(w, k) for w, k in zip(words, lexicon.keys_of(words), strict=True) if k != UNMATCHABLE]
    roles = [lexicon.alone_roles(k) for _, k in keyed]
    return pl.DataFrame(
        {
            "word": [w for w, _ in keyed],
            "key": [k for _, k in keyed],
            "key_id": [pairs.ids.get(k, 0) for _, k in keyed],
            "needed": [r.needed for r in roles],
            "context_rules": [r.context_rules for r in roles],
            "term_rules": [r.term_rules for r in roles],
            "counts": [r.counts for r in roles],
        },
        schema={
            "word": pl.String,
            "key": pl.String,
            "key_id": pl.UInt64,
            "needed": pl.Boolean,
            "context_rules": pl.UInt64,
            "term_rules": pl.UInt64,
            "counts": pl.Boolean,
        },
    )


_PAIR_BASE = 1 << 32  # a pair of keys is first * base + second, by their numbers


class _KeyPairs(NamedTuple):
    """Consecutive keys of the entries, by number, for the columns to test as integers."""

    ids: dict[str, int]  # each key of an entry -> its number, from 1 (any other key: 0)
    codes: list[int]  # every two consecutive keys of an entry (first * base + second)
    open_firsts: list[int]  # the first keys of pairs whose second key is a wildcard prefix
    counted_codes: list[int]  # the first two keys of entries whose matches can count,
    counted_open_firsts: list[int]  # `lexicon.COUNTED_ROLES`
    term_codes: dict[int, int]  # the first two keys of terms -> `rule_bits` of their rules
    term_open_firsts: dict[int, int]  # the first key of terms `word word*` -> the same


def _key_pairs(lexicon: Lexicon) -> _KeyPairs:
    """The entries' keys numbered, and their consecutive keys as pairs of numbers."""
    ids = {key: n for n, key in enumerate(sorted({k for p in lexicon.patterns for k in p.keys}), 1)}
    codes, open_firsts, counted_codes, counted_open = set(), set(), set(), set()
    term_codes: dict[int, int] = {}
    term_open: dict[int, int] = {}
    for pattern in lexicon.patterns:
        last = len(pattern.keys) - 1
        for i, (first, second) in enumerate(itertools.pairwise(pattern.keys)):
            counted = i == 0 and pattern.role in COUNTED_ROLES
            term = i == 0 and pattern.role == TERM
            if pattern.wildcard and i + 1 == last:
                open_firsts.add(ids[first])
                if counted:
                    counted_open.add(ids[first])
                if term:
                    term_open[ids[first]] = term_open.get(ids[first], 0) | rule_bits([pattern.rule])
            else:
                code = ids[first] * _PAIR_BASE + ids[second]
                codes.add(code)
                if counted:
                    counted_codes.add(code)
                if term:
                    term_codes[code] = term_codes.get(code, 0) | rule_bits([pattern.rule])
    return _KeyPairs(
        ids,
        sorted(codes),
        sorted(open_firsts),
        sorted(counted_codes),
        sorted(counted_open),
        term_codes,
        term_open,
    )


def _rows_by_doc(keyed: pl.DataFrame) -> dict[int, _Rows]:
    """Each text's keyed tokens: the columns as lists, cut where the text changes."""
    columns = ["index", "word", "key", "start", "end", "terms", "sentence"]
    return {doc: _Rows(*lists) for doc, lists in split_by_text(keyed, columns)}


_NO_GAPS = arabic.OffsetMap("")  # the map of a text without invisible characters


def _analyse(
    text: str,
    n_tokens: int,
    starts: list[int],
    rows: _Rows,
    offsets: arabic.OffsetMap,
    lexicon: Lexicon,
) -> DocAnalysis:
    """One text's `DocAnalysis` from its keyed tokens (see the module docstring)."""
    sentences = rows.sentence
    if offsets.gap_at:
        stripped_starts = [offsets.stripped(s) for s in starts]
        sentences = [_sentence_of(start, stripped_starts) for start in rows.start]
    slots: list[str] = []  # keys and separators
    slot_rows: list[int] = []  # the row of each slot, -1 for a separator
    previous_index = previous_sentence = -2
    for r, (index, key, sentence) in enumerate(zip(rows.token, rows.key, sentences, strict=True)):
        if index != previous_index + 1 or sentence != previous_sentence:
            slots.append(UNMATCHABLE)
            slot_rows.append(-1)
        slots.append(key)
        slot_rows.append(r)
        previous_index, previous_sentence = index, sentence
    found = _find(slots, slot_rows, rows.token, sentences, rows.terms[0], lexicon)
    row_of = dict(zip(rows.token, range(len(rows.token)), strict=True))
    words = dict(zip(rows.token, rows.word, strict=True))

    def span(index: int) -> tuple[int, int]:
        r = row_of[index]
        return offsets.span(rows.start[r], rows.end[r], rows.word[r])

    hits = counted_hits(text, found, lexicon, words, span)
    return DocAnalysis(n_tokens, len(starts), tuple(hits))


def _find(
    slots: list[str],
    slot_rows: list[int],
    tokens: list[int],
    sentences: list[int],
    terms: int,
    lexicon: Lexicon,
) -> dict[str, list[_Found]]:
    """`matcher._find` on the short string of slots: every match, grouped by theme, but the
    cues, `also` and `unless` words of rules none of whose terms is in `terms`, the
    `rule_bits` of the rules whose terms the text may hold: they decide nothing."""
    patterns = lexicon.patterns
    context_bits = _context_bits(lexicon)
    found: dict[str, list[_Found]] = {}
    for slot, indexes in automaton_matches(slots, lexicon):
        row = slot_rows[slot]
        first, sentence = tokens[row], sentences[row]
        for index in indexes:
            bits = context_bits[index]
            if bits and not bits & terms:
                continue
            pattern = patterns[index]
            last = first + len(pattern.keys) - 1
            found.setdefault(pattern.theme, []).append(_Found(pattern, first, last, sentence))
    return found


def _context_bits(lexicon: Lexicon) -> list[int]:
    """Per pattern, the `rule_bits` of its rule if it is a cue, `also` or `unless` word,
    else 0."""
    cache = lexicon.batch_cache()
    if "context_bits" not in cache:
        cache["context_bits"] = [
            rule_bits([p.rule]) if p.role in CONTEXT_ROLES else 0 for p in lexicon.patterns
        ]
    return cache["context_bits"]
