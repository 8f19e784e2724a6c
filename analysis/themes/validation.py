"""Validity on real text: annotation samples, labelled sets, scores with intervals, form audit.

A theme count means what it says only as far as its precision and recall, measured on real
sentences that nobody tuned on. This module gives the tools to measure them on any corpus:

* `sentence_table` lists a corpus's sentences with the themes the tagger gives each, and
  `draw_sample` draws a stratified random sample from it (fixed seed): sentences tagged with
  each theme, near misses (untagged, but holding one of the theme's broad cue words, see
  `analysis/data/sampling_cues.yaml`) and plain random ones. `document_split` assigns every
  document, not every sentence, to `dev` or `test`, so that no test sentence shares an article
  with a sentence the lexicon was tuned on.
* `read_labels` reads a labelled TSV (what `sample` writes, with a `themes` column filled in
  by annotators), and `score` gives per-theme precision and recall with 95% Wilson
  intervals; `cohen_kappa` measures two annotation passes against each other.
* `surface_forms` is the audit of what the stemmer lets an entry match: each matched surface
  word with its count, flagged when it matches only after a lone proclitic ب ل ك ف was cut
  (بنيامين -> نيامي).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import arabic, config
from analysis.themes.lexicon import Lexicon, load_lexicon
from analysis.themes.matcher import Analysis, match_text

__all__ = [
    "LABEL_COLUMNS",
    "SAMPLE_COLUMNS",
    "LabelsError",
    "agreement",
    "cohen_kappa",
    "document_split",
    "draw_sample",
    "read_annotations",
    "read_labels",
    "score",
    "sentence_table",
    "surface_forms",
    "wilson_interval",
]

NONE_LABEL = "none"
SAMPLE_COLUMNS = ["id", "doc_id", "sentence", "stratum", "split", "text"]
LABEL_COLUMNS = [*SAMPLE_COLUMNS[:5], "themes", "text"]
# Sentences shorter than this say too little to judge; longer ones are usually run-on
# paragraphs without punctuation, too long to judge reliably as one unit.
MIN_SENTENCE_TOKENS = 6
MAX_SENTENCE_TOKENS = 70
Z_95 = 1.959963984540054


class LabelsError(ValueError):
    """A labels or annotation file is malformed; the message names the file and line."""


# --- sentences and the sample ---------------------------------------------------------------


def sentence_table(documents: pd.DataFrame, analysis: Analysis) -> pd.DataFrame:
    """One row per sentence of the analysed documents.

    Columns: `doc_id`, `sentence` (0-based index, as in `analysis.hits`), `text` (the
    sentence, line breaks as spaces), `n_tokens`, `tagged` (tuple of theme ids, lexicon order).
    """
    tagged: dict[tuple[str, int], set[str]] = {}
    for doc_id, sentence, theme in analysis.hits[["doc_id", "sentence", "theme"]].itertuples(
        index=False
    ):
        tagged.setdefault((doc_id, int(sentence)), set()).add(theme)
    order = {t: i for i, t in enumerate(analysis.theme_ids)}
    texts = documents.assign(doc_id=documents["doc_id"].astype(str)).set_index("doc_id")["text"]
    rows = []
    for doc_id in analysis.doc_tokens["doc_id"]:
        text = texts.get(doc_id)
        if not isinstance(text, str):
            continue
        for index, span in enumerate(arabic.split_sentences(text)):
            themes = tagged.get((doc_id, index), ())
            rows.append(
                (
                    doc_id,
                    index,
                    " ".join(span.text.split()),
                    len(arabic.TokenIndex(span.text)),
                    tuple(sorted(themes, key=order.__getitem__)),
                )
            )
    return pd.DataFrame(rows, columns=["doc_id", "sentence", "text", "n_tokens", "tagged"])


def document_split(doc_id: str, *, seed: int, test_share: float = 0.5) -> str:
    """`dev` or `test` for a document, from a seeded hash of its id (stable across runs)."""
    digest = hashlib.sha256(f"{seed}:{doc_id}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return "test" if draw < test_share else "dev"


def cue_themes(texts: Iterable[str], cues: Lexicon) -> list[frozenset[str]]:
    """Per text, the themes whose near-miss cue words it holds."""
    return [frozenset(m.theme for m in match_text(text, cues)) for text in texts]


@dataclass(frozen=True)
class SampleDesign:
    """How many sentences each stratum gets; see `draw_sample`."""

    per_theme: int = 50
    near_per_theme: int = 35
    random: int = 100
    seed: int = 20261129
    split_seed: int | None = None  # seed of the document split; None = `seed`
    test_share: float = 0.5
    only_split: str | None = None  # draw only from the documents of this split
    themes: tuple[str, ...] | None = None  # themes that get strata; None = all
    min_tokens: int = MIN_SENTENCE_TOKENS
    max_tokens: int = MAX_SENTENCE_TOKENS


def draw_sample(
    sentences: pd.DataFrame,
    theme_ids: Sequence[str],
    cues: Lexicon | None,
    design: SampleDesign = SampleDesign(),
    *,
    dev_only: Iterable[str] = (),
    id_prefix: str = "s",
    exclude_texts: Iterable[str] = (),
) -> pd.DataFrame:
    """A stratified random sample of `sentences` (from `sentence_table`).

    Eligible: sentences of `min_tokens`..`max_tokens` tokens, each distinct text once (the
    first occurrence). Strata are drawn in this order, each without replacement from what the
    earlier ones left: `tagged:<theme>` (the tagger gives the theme), `near:<theme>` (it does
    not, but the sentence holds one of the theme's cue words; skipped when `cues` is None or
    has no cues for the theme), then `random` (any eligible sentence). A stratum with fewer
    eligible sentences than asked takes them all. The rows come out shuffled, so that
    annotators cannot tell the strata apart, with columns `SAMPLE_COLUMNS`; `split` is the
    document's (`document_split` with `split_seed`, so that a later round keeps every
    document in its split), `dev` for the documents in `dev_only`. Sentences whose text is in
    `exclude_texts` (an earlier round's) are not drawn again; with `only_split`, only the
    documents of that split are drawn from (a fresh test set needs no dev sentences). With
    `themes`, only those themes get tagged and near strata (a round aimed at weak themes).
    """
    if design.themes is not None:
        unknown = sorted(set(design.themes) - set(theme_ids))
        if unknown:
            known = ", ".join(theme_ids)
            raise ValueError(f"unknown theme(s) {', '.join(unknown)}; known: {known}")
        theme_ids = [theme for theme in theme_ids if theme in design.themes]
    rng = np.random.default_rng(design.seed)
    eligible = sentences[
        sentences["n_tokens"].between(design.min_tokens, design.max_tokens)
        & ~sentences["text"].isin(set(exclude_texts))
    ].drop_duplicates("text")
    split_seed = design.seed if design.split_seed is None else design.split_seed
    dev_docs = set(dev_only)

    def split_of(doc_id: str) -> str:
        if doc_id in dev_docs:
            return "dev"
        return document_split(doc_id, seed=split_seed, test_share=design.test_share)

    if design.only_split is not None:
        wanted = eligible["doc_id"].astype(str).map(split_of) == design.only_split
        eligible = eligible[wanted]
    eligible = eligible.sort_values(["doc_id", "sentence"]).reset_index(drop=True)
    cue_sets = (
        cue_themes(eligible["text"], cues) if cues is not None else [frozenset()] * len(eligible)
    )
    cue_ids = set(cues.theme_ids) if cues is not None else set()
    taken = np.zeros(len(eligible), dtype=bool)
    chosen: list[tuple[int, str]] = []

    def draw(mask: np.ndarray, n: int, stratum: str) -> None:
        pool = np.flatnonzero(mask & ~taken)
        picked = rng.choice(pool, size=min(n, len(pool)), replace=False) if n else []
        for index in sorted(int(i) for i in picked):
            taken[index] = True
            chosen.append((index, stratum))

    tagged = [set(t) for t in eligible["tagged"]]
    for theme in theme_ids:
        has_theme = np.array([theme in t for t in tagged], dtype=bool)
        draw(has_theme, design.per_theme, f"tagged:{theme}")
    for theme in theme_ids:
        if theme not in cue_ids:
            continue
        near = np.array(
            [theme not in t and theme in c for t, c in zip(tagged, cue_sets, strict=True)],
            dtype=bool,
        )
        draw(near, design.near_per_theme, f"near:{theme}")
    draw(np.ones(len(eligible), dtype=bool), design.random, "random")

    order = rng.permutation(len(chosen))
    rows = []
    for number, position in enumerate(order, start=1):
        index, stratum = chosen[position]
        row = eligible.iloc[index]
        doc_id = str(row["doc_id"])
        rows.append(
            (
                f"{id_prefix}{number:04d}",
                doc_id,
                int(row["sentence"]),
                stratum,
                split_of(doc_id),
                row["text"],
            )
        )
    return pd.DataFrame(rows, columns=SAMPLE_COLUMNS)


def load_cues(path: str | Path | None, lexicon: Lexicon) -> Lexicon:
    """The near-miss cue lists (default: the package's), restricted to the lexicon's themes."""
    cues = load_lexicon(path if path is not None else config.SAMPLING_CUES_PATH)
    known = set(lexicon.theme_ids)
    cues.themes = [t for t in cues.themes if t.id in known]
    cues.patterns = [p for p in cues.patterns if p.theme in known]
    return cues


# --- labelled files -------------------------------------------------------------------------


def write_tsv(frame: pd.DataFrame, out: io.TextIOBase | Any) -> None:
    """TSV with a header, no quoting (sentence texts never hold tabs or line breaks)."""
    frame.to_csv(out, sep="\t", index=False, quoting=csv.QUOTE_NONE, lineterminator="\n")


def _tsv_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, fields) of a UTF-8 TSV; errors name the file and line."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise LabelsError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise LabelsError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise LabelsError(f"{path}:1: empty file, expected a header line")
    header = lines[0].split("\t")
    rows = [
        (number, line.split("\t")) for number, line in enumerate(lines[1:], start=2) if line.strip()
    ]
    return header, rows


def _parse_themes(value: str, known: set[str] | None, where: str) -> frozenset[str]:
    value = value.strip()
    if not value:
        raise LabelsError(f"{where}: empty 'themes' (write '{NONE_LABEL}' for no theme)")
    if value.lower() == NONE_LABEL:
        return frozenset()
    themes = frozenset(t.strip() for t in value.split(",") if t.strip())
    unknown = sorted(themes - known) if known is not None else []
    if unknown:
        raise LabelsError(
            f"{where}: unknown theme(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return themes


def read_labels(path: str | Path, theme_ids: Iterable[str]) -> pd.DataFrame:
    """A labelled sentence file: TSV with at least `id`, `themes` and `text` columns.

    `themes` is a comma-separated list of theme ids or `none`; optional columns `doc_id`,
    `split` (`dev`/`test`; missing means every row is `test`), `stratum`, `corpus`, `round`
    (empty when absent). Returns those columns plus `line` (1-based line in the file), `themes` as
    frozensets.
    """
    path = Path(path)
    known = set(theme_ids)
    header, rows = _tsv_rows(path)
    missing = [c for c in ("id", "themes", "text") if c not in header]
    if missing:
        raise LabelsError(f"{path}:1: missing column(s) {', '.join(missing)} in the header")
    position = {name: i for i, name in enumerate(header)}
    records = []
    seen: dict[str, int] = {}
    for number, fields in rows:
        where = f"{path}:{number}"
        if len(fields) != len(header):
            raise LabelsError(
                f"{where}: {len(fields)} fields, the header has {len(header)} "
                "(a tab inside a sentence, or a missing column?)"
            )
        record = {name: fields[i] for name, i in position.items()}
        sentence_id = record["id"].strip()
        if not sentence_id:
            raise LabelsError(f"{where}: empty 'id'")
        if sentence_id in seen:
            raise LabelsError(f"{where}: id {sentence_id!r} already on line {seen[sentence_id]}")
        seen[sentence_id] = number
        if not record["text"].strip():
            raise LabelsError(f"{where}: empty 'text'")
        split = record.get("split", "test").strip() or "test"
        if split not in ("dev", "test"):
            raise LabelsError(f"{where}: split must be 'dev' or 'test', not {split!r}")
        records.append(
            {
                "id": sentence_id,
                "doc_id": record.get("doc_id", ""),
                "corpus": record.get("corpus", ""),
                "stratum": record.get("stratum", ""),
                "round": record.get("round", "").strip(),
                "split": split,
                "themes": _parse_themes(record["themes"], known, where),
                "text": record["text"],
                "line": number,
            }
        )
    if not records:
        raise LabelsError(f"{path}:2: no labelled sentences after the header")
    return pd.DataFrame(records)


def sentence_texts(path: str | Path) -> set[str]:
    """The `text` column of a sample or labels TSV (to leave its sentences out of a new one)."""
    path = Path(path)
    header, rows = _tsv_rows(path)
    if "text" not in header:
        raise LabelsError(f"{path}:1: no 'text' column in the header")
    column = header.index("text")
    texts = set()
    for number, fields in rows:
        if len(fields) != len(header):
            raise LabelsError(
                f"{path}:{number}: {len(fields)} fields, the header has {len(header)}"
            )
        texts.add(fields[column])
    return texts


def read_annotations(path: str | Path, theme_ids: Iterable[str]) -> pd.DataFrame:
    """One annotation pass: TSV `id`, `themes`[, `note`] (the guide's output format)."""
    path = Path(path)
    known = set(theme_ids)
    header, rows = _tsv_rows(path)
    if header[:2] != ["id", "themes"]:
        raise LabelsError(f"{path}:1: the header must start with id<TAB>themes")
    records = []
    for number, fields in rows:
        where = f"{path}:{number}"
        if len(fields) < 2:
            raise LabelsError(f"{where}: expected id<TAB>themes[<TAB>note]")
        note = "\t".join(fields[2:]).strip()
        records.append(
            {
                "id": fields[0].strip(),
                "themes": _parse_themes(fields[1], known, where),
                "note": note,
            }
        )
    frame = pd.DataFrame(records, columns=["id", "themes", "note"])
    repeated = frame["id"][frame["id"].duplicated()].tolist()
    if repeated:
        raise LabelsError(f"{path}: ids labelled twice: {', '.join(repeated[:5])}")
    return frame


# --- agreement and scores -------------------------------------------------------------------


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float:
    """Cohen's kappa of two binary judgements of the same items (nan when undefined)."""
    n = len(a)
    if n != len(b):
        raise ValueError("both passes must judge the same items")
    if n == 0:
        return math.nan
    both = sum(1 for x, y in zip(a, b, strict=True) if x and y)
    neither = sum(1 for x, y in zip(a, b, strict=True) if not x and not y)
    observed = (both + neither) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    if expected == 1:
        return 1.0 if observed == 1 else math.nan
    return (observed - expected) / (1 - expected)


def agreement(first: pd.DataFrame, second: pd.DataFrame, theme_ids: Sequence[str]) -> pd.DataFrame:
    """Per theme, two passes compared on the ids both judged.

    Columns: `theme`, `items`, `both` (both say yes), `only_first`, `only_second`,
    `agreement` (share of equal judgements), `kappa`.
    """
    merged = first.merge(second, on="id", suffixes=("_1", "_2"))
    rows = []
    for theme in theme_ids:
        a = [theme in s for s in merged["themes_1"]]
        b = [theme in s for s in merged["themes_2"]]
        same = sum(x == y for x, y in zip(a, b, strict=True))
        rows.append(
            {
                "theme": theme,
                "items": len(merged),
                "both": sum(x and y for x, y in zip(a, b, strict=True)),
                "only_first": sum(x and not y for x, y in zip(a, b, strict=True)),
                "only_second": sum(y and not x for x, y in zip(a, b, strict=True)),
                "agreement": same / len(merged) if len(merged) else math.nan,
                "kappa": cohen_kappa(a, b),
            }
        )
    return pd.DataFrame(rows)


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95% by default); (nan, nan) for 0 trials."""
    if trials == 0:
        return math.nan, math.nan
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


SCORE_COLUMNS = [
    "split",
    "theme",
    "sentences",
    "positives",
    "tp",
    "fp",
    "fn",
    "precision",
    "precision_low",
    "precision_high",
    "recall",
    "recall_low",
    "recall_high",
]


def predictions(labels: pd.DataFrame, lexicon: Lexicon) -> list[frozenset[str]]:
    """The themes the tagger gives each labelled sentence."""
    return [frozenset(m.theme for m in match_text(text, lexicon)) for text in labels["text"]]


def score(
    labels: pd.DataFrame,
    lexicon: Lexicon,
    *,
    splits: Sequence[str] = ("test", "dev"),
    predicted: Sequence[frozenset[str]] | None = None,
) -> pd.DataFrame:
    """Per split and theme: counts, precision and recall with 95% Wilson intervals.

    Columns `SCORE_COLUMNS`; `sentences` is the split's size, `positives` the sentences
    labelled with the theme. A split absent from `labels` is left out. `predicted` (from
    `predictions`) saves tagging the sentences again.
    """
    predicted = predictions(labels, lexicon) if predicted is None else predicted
    rows = []
    for split in splits:
        mask = (labels["split"] == split).to_numpy()
        if not mask.any():
            continue
        gold = [g for g, m in zip(labels["themes"], mask, strict=True) if m]
        got = [p for p, m in zip(predicted, mask, strict=True) if m]
        for theme in lexicon.theme_ids:
            tp = sum(theme in g and theme in p for g, p in zip(gold, got, strict=True))
            fp = sum(theme not in g and theme in p for g, p in zip(gold, got, strict=True))
            fn = sum(theme in g and theme not in p for g, p in zip(gold, got, strict=True))
            p_low, p_high = wilson_interval(tp, tp + fp)
            r_low, r_high = wilson_interval(tp, tp + fn)
            rows.append(
                {
                    "split": split,
                    "theme": theme,
                    "sentences": len(gold),
                    "positives": tp + fn,
                    "tp": tp,
                    "fp": fp,
                    "fn": fn,
                    "precision": tp / (tp + fp) if tp + fp else math.nan,
                    "precision_low": p_low,
                    "precision_high": p_high,
                    "recall": tp / (tp + fn) if tp + fn else math.nan,
                    "recall_low": r_low,
                    "recall_high": r_high,
                }
            )
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def errors(
    labels: pd.DataFrame,
    lexicon: Lexicon,
    *,
    split: str | None = None,
    predicted: Sequence[frozenset[str]] | None = None,
) -> pd.DataFrame:
    """The labelled sentences the tagger gets wrong: `id`, `split`, `missing`, `extra`, `text`."""
    predicted = predictions(labels, lexicon) if predicted is None else predicted
    rows = []
    for row, got in zip(labels.itertuples(index=False), predicted, strict=True):
        if split is not None and row.split != split:
            continue
        missing, extra = sorted(row.themes - got), sorted(got - row.themes)
        if missing or extra:
            rows.append((row.id, row.split, ",".join(missing), ",".join(extra), row.text))
    return pd.DataFrame(rows, columns=["id", "split", "missing", "extra", "text"])


# --- the surface-form audit -----------------------------------------------------------------


def surface_forms(
    analysis: Analysis, lexicon: Lexicon, *, theme: str | None = None
) -> pd.DataFrame:
    """Each matched surface word per theme and entry, with counts and how it matched.

    Columns: `theme`, `entry`, `form` (the word as written, diacritics and tatweel removed),
    `count` (hits), `documents`, `via` (`stem`, or `proclitic` when the word matches only
    after a lone ب ل ك ف was cut: the place where false friends such as بنيامين -> نيامي
    hide). Sorted by theme (lexicon order), then count, descending.
    """
    hits = analysis.hits
    if theme is not None:
        hits = hits[hits["theme"] == theme]
    counts: Counter[tuple[str, str, str]] = Counter()
    documents: dict[tuple[str, str, str], set[str]] = {}
    for doc_id, theme_id, entry, match in hits[["doc_id", "theme", "entry", "match"]].itertuples(
        index=False
    ):
        for word in arabic.surface_words(match):
            form = arabic.remove_tatweel(arabic.remove_diacritics(word))
            key = (theme_id, entry, form)
            counts[key] += 1
            documents.setdefault(key, set()).add(doc_id)
    order = {t: i for i, t in enumerate(lexicon.theme_ids)}
    rows = [
        (t, e, form, n, len(documents[(t, e, form)]), _how_matched(form, lexicon))
        for (t, e, form), n in counts.items()
    ]
    frame = pd.DataFrame(rows, columns=["theme", "entry", "form", "count", "documents", "via"])
    frame["_order"] = frame["theme"].map(order)
    frame = frame.sort_values(["_order", "count", "form"], ascending=[True, False, True])
    return frame.drop(columns="_order").reset_index(drop=True)


def _how_matched(word: str, lexicon: Lexicon) -> str:
    return "proclitic" if lexicon.matches_after_proclitic(word) else "stem"


def summarise_scores(scores: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Scores as a reader's table: theme, n, precision and recall each with its interval."""
    names = names or {}

    def with_interval(value: float, low: float, high: float) -> str:
        if math.isnan(value):
            return "–"
        return f"{value:.2f} [{low:.2f}, {high:.2f}]"

    return pd.DataFrame(
        {
            "split": scores["split"],
            "theme": [names.get(t, t) for t in scores["theme"]],
            "labelled positive": scores["positives"],
            "tagged": scores["tp"] + scores["fp"],
            "precision [95% CI]": [
                with_interval(*v)
                for v in zip(
                    scores["precision"],
                    scores["precision_low"],
                    scores["precision_high"],
                    strict=True,
                )
            ],
            "recall [95% CI]": [
                with_interval(*v)
                for v in zip(
                    scores["recall"], scores["recall_low"], scores["recall_high"], strict=True
                )
            ],
        }
    )
