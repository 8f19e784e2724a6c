"""Sentences from data: what the notebooks say about the corpus, the themes and their validity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.notebook.html import bdi, enumeration, escape, number, percent, plural
from analysis.notebook.study import HeldOut
from analysis.notebook.tables import strongest_pair, titles_by_id
from analysis.plotting.labels import shorten


def _date_range(dates: pd.Series) -> tuple[str, str] | None:
    known = pd.to_datetime(dates, errors="coerce").dropna()
    if known.empty:
        return None
    return known.min().strftime("%Y-%m-%d"), known.max().strftime("%Y-%m-%d")


def _dated_span(first: str, last: str) -> tuple[str, str]:
    """'on D' for a single day, 'from D1 to D2' otherwise, in English and Arabic."""
    if first == last:
        return f"on {first}", f"بتاريخ {first}"
    return f"from {first} to {last}", f"بين {first} و{last}"


def describe_corpus(corpus: Any) -> tuple[str, str]:
    """One English and one Arabic sentence saying what the corpus holds."""
    documents = corpus.documents
    total = len(documents)
    analysed = len(corpus.analysed())
    duplicates = int(documents["is_duplicate"].sum())
    english = (
        f"The corpus {escape(corpus.name)} holds {plural(total, 'document')}; "
        f"{number(analysed)} are analysed"
    )
    english += (
        f" ({plural(duplicates, 'duplicate')} set aside)."
        if duplicates and not corpus.keep_duplicates
        else "."
    )
    arabic = (
        f"تضم المدونة {escape(corpus.name)} {number(total)} مقالاً، حُلِّل منها {number(analysed)}."
    )
    with_outlet = int(documents["source"].notna().sum())
    if with_outlet:
        outlets = documents["source"].dropna().nunique()
        english += (
            f" {number(with_outlet)} of {number(total)} name their outlet "
            f"({plural(outlets, 'outlet')} in all)."
        )
        arabic += f" يُعرف منبر {number(with_outlet)} منها ({number(outlets)} منبراً)."
    dates = _date_range(documents["date"])
    if dates:
        with_date = int(pd.to_datetime(documents["date"], errors="coerce").notna().sum())
        span_en, span_ar = _dated_span(*dates)
        english += f" {number(with_date)} of {number(total)} carry a date, {span_en}."
        arabic += f" ويحمل {number(with_date)} منها تاريخاً {span_ar}."
    return english, arabic


def describe_cleaning(corpus: Any) -> str:
    """What cleaning removed, in one English sentence."""
    documents = corpus.documents
    raw, clean = int(documents["n_words_raw"].sum()), int(documents["n_words_clean"].sum())
    audit = corpus.audit
    if audit.empty:
        return f"Cleaning removed nothing from the {plural(len(documents), 'document')}."
    rules = audit["rule"].value_counts()
    top = enumeration(
        f"{escape(rule.replace('_', ' '))} ({n})" for rule, n in rules.head(3).items()
    )
    share = (raw - clean) / raw if raw else 0.0
    return (
        f"Cleaning removed {plural(len(audit), 'line')} from "
        f"{plural(audit['doc_id'].nunique(), 'document')}, {number(raw - clean)} of "
        f"{number(raw)} words ({percent(share)}); the most frequent rules were {top}."
    )


def _theme_name(summary_row: Any) -> str:
    return f"{escape(summary_row.name_en)} ({bdi(summary_row.name_ar)})"


def describe_themes(summary: pd.DataFrame, n_tokens: int) -> str:
    """Which theme is mentioned most and least, with rates and document shares."""
    total = int(summary["hits"].sum())
    if total == 0:
        return f"The lexicon matched nothing in {plural(n_tokens, 'token')}."
    ranked = summary.sort_values(["rate_per_1000", "theme"], ascending=[False, True])
    first, last = ranked.iloc[0], ranked.iloc[-1]
    return (
        f"Across {plural(n_tokens, 'token')} the lexicon counted {plural(total, 'mention')}. "
        f"The most frequent theme is {_theme_name(first)}: "
        f"{number(first.rate_per_1000, 2)} mentions per 1,000 tokens, in "
        f"{percent(first.share_docs)} of the documents; the least frequent is "
        f"{_theme_name(last)} ({number(last.rate_per_1000, 2)} per 1,000 tokens, "
        f"{percent(last.share_docs)} of the documents)."
    )


def describe_validation(
    scores: pd.DataFrame,
    names: Mapping[str, str],
    subject: str = "the labelled validation sentences",
) -> str:
    """The spread of precision and recall over themes on the labelled sentences."""
    parts = []
    for measure in ("precision", "recall"):
        known = scores.dropna(subset=[measure]).sort_values([measure, "theme"])
        if known.empty:
            continue
        low, high = known.iloc[0], known.iloc[-1]
        parts.append(
            f"{measure} ranges from {number(low[measure], 2)} "
            f"({escape(names.get(low.theme, low.theme))}) to {number(high[measure], 2)} "
            f"({escape(names.get(high.theme, high.theme))})"
        )
    if not parts:
        return "The validation set judged no theme."
    return f"On {subject}, {' and '.join(parts)}."


# Below this many labelled sentences a round says nothing about a theme: the 95% interval
# of 10 out of 10 already reaches down to 0.72.
MIN_POSITIVES = 10


def themes_reaching_target(
    scores: pd.DataFrame, names: Mapping[str, str], target: float = 0.85
) -> str:
    """'N of M themes reach 0.85 in both precision and recall; the weakest is ...'.

    Themes with fewer than `MIN_POSITIVES` labelled sentences, or none tagged, are named as
    not measured rather than counted (a round aimed at some themes holds few of the others).
    """
    is_measured = (scores["positives"] >= MIN_POSITIVES) & scores["precision"].notna()
    measured = scores[is_measured]
    unmeasured = [escape(names.get(t, t)) for t in scores.loc[~is_measured, "theme"]]
    if measured.empty:
        return f"no theme has the {MIN_POSITIVES} labelled sentences needed to measure it"
    both = measured[(measured["precision"] >= target) & (measured["recall"] >= target)]
    weakest = measured.assign(worst=measured[["precision", "recall"]].min(axis=1))
    low = weakest.sort_values("worst").iloc[0]
    text = (
        f"{len(both)} of {len(measured)} themes reach {number(target, 2)} in both precision and "
        f"recall; the weakest is {escape(names.get(low.theme, low.theme))} "
        f"(precision {number(low.precision, 2)}, recall {number(low.recall, 2)})"
    )
    if unmeasured:
        text += (
            f"; {enumeration(unmeasured)} {'has' if len(unmeasured) == 1 else 'have'} too few "
            "labelled or tagged sentences here to be measured"
        )
    return text


def describe_held_out(held_out: HeldOut, corpus_name: str, names: Mapping[str, str]) -> str:
    """Where the held-out figures come from, what they say, and whether they fit this corpus."""
    test = held_out.scores[held_out.scores["split"] == "test"]
    labels = held_out.labels[held_out.labels["split"] == "test"]
    if test.empty:
        return (
            f"The labelled file {escape(held_out.path.name)} has no test split, so no held-out "
            "figure can be given; the figures below are development figures."
        )
    sources = enumeration(escape(c) for c in held_out.corpora) or "an unnamed corpus"
    documents = labels["doc_id"][labels["doc_id"] != ""].nunique()
    of_documents = f" of {plural(documents, 'document')}" if documents else ""
    text = (
        f"Held out: {plural(len(labels), 'sentence')}{of_documents} from {sources} "
        f"({escape(held_out.path.name)}), in documents the lexicon was never tuned on. "
    )
    if held_out.kappa is not None:
        kappa = held_out.kappa["kappa"]
        text += (
            "Two annotators labelled every sentence independently by the annotation guide "
            f"(Cohen's kappa {number(kappa.min(), 2)} to {number(kappa.max(), 2)} per theme), "
            "and their disagreements were adjudicated. "
        )
    text += f"There, {themes_reaching_target(test, names)}. "
    if held_out.newest is not None and not held_out.newest.empty:
        newest = held_out.labels[
            (held_out.labels["split"] == "test")
            & (held_out.labels["round"] == held_out.newest_round)
        ]
        text += (
            f"On the newest test round alone (round {escape(held_out.newest_round)}, "
            f"{plural(len(newest), 'sentence')}), the one least exposed to tuning, "
            f"{themes_reaching_target(held_out.newest, names)}. "
        )
    text += (
        "The sentences were drawn by stratified sampling (sentences a tagger marked, near "
        "misses holding a theme's cue words, random ones), so these figures describe that "
        "sample, rich in sentences near each theme, not every sentence of the corpus. "
    )
    if held_out.corpora and corpus_name not in held_out.corpora:
        text += (
            f"The corpus analysed here ({escape(corpus_name)}) is not the one the sentences "
            "come from: these figures say how the lexicon does on that kind of text, not "
            "on this corpus. Label a sample of this corpus (python -m analysis sample) to "
            "measure it here."
        )
    return text


def describe_cooccurrence(matrix: pd.DataFrame, names: Mapping[str, str]) -> str:
    """Which two themes are mentioned together most often."""
    pair = strongest_pair(matrix)
    if pair is None:
        return "No sentence mentions two themes at once."
    a, b, n = pair
    base = min(int(matrix.loc[a, a]), int(matrix.loc[b, b]))
    return (
        f"The themes most often mentioned in the same sentence are "
        f"{escape(names.get(a, a))} and {escape(names.get(b, b))}: "
        f"{plural(n, 'sentence')}, {percent(n / base if base else 0)} of the sentences "
        f"mentioning the rarer of the two."
    )


def describe_vocabulary(counts: Mapping[str, int], n_variants: int) -> str:
    """How normalization and stemming shrink the vocabulary, in one sentence."""
    return (
        f"The analysed texts hold {plural(counts['tokens'], 'Arabic word token')} of "
        f"{plural(counts['surface_types'], 'distinct spelling')}. Spelling normalization "
        f"merges them into {plural(counts['normalized_types'], 'word')} "
        f"({plural(n_variants, 'word')} written in more than one way), and light stemming "
        f"into {plural(counts['analysis_keys'], 'analysis key')}, the unit the lexicon matches."
    )


def describe_duplicates(corpus: Any) -> str:
    documents = corpus.documents
    n = int(documents["is_duplicate"].sum())
    if not n:
        return f"No document duplicates another; all {plural(len(documents), 'document')} count."
    verb = "are counted" if corpus.keep_duplicates else "are left out of the counts"
    return (
        f"{plural(n, 'document')} duplicate an earlier one ({percent(n / len(documents), 1)} "
        f"of the corpus) and {verb}."
    )


def describe_lexicon(lexicon: Any) -> str:
    return (
        f"Lexicon version {escape(lexicon.version)} defines "
        f"{plural(len(lexicon.themes), 'theme')} with "
        f"{plural(len(lexicon.patterns), 'entry', 'entries')} and "
        f"{plural(len(lexicon.rules), 'context rule')}."
    )


def describe_concordance(lines: pd.DataFrame) -> str:
    if lines.empty:
        return "No match in the corpus."
    entries = lines["entry"].value_counts()
    top = enumeration(f"{bdi(e)} ({number(n)})" for e, n in entries[:3].items())
    return (
        f"{plural(len(lines), 'match', 'matches')} in "
        f"{plural(lines['document'].nunique(), 'document')}; most frequent entries: {top}."
    )


def describe_keyness_groups(groups: pd.Series, by: str) -> str:
    n = groups.dropna().nunique()
    if by == "document":
        return f"Distinctive terms of each of the {plural(n, 'document')}, against the others."
    return (
        f"The corpus is large, so terms are compared per outlet: the {plural(n, 'outlet')} "
        f"with the most documents, each against all other documents."
    )


def reading(analysis: Any, documents: pd.DataFrame, names: Mapping[str, str]) -> list[str]:
    """A few sentences that read the figures, each computed from the tables."""
    from analysis import themes

    summary = themes.theme_summary(analysis)
    n_tokens = int(analysis.doc_tokens["n_tokens"].sum())
    counts = themes.counts_by_document(analysis)
    present = (counts > 0).sum(axis=1)
    all_themes = int((present == counts.shape[1]).sum())
    none = int((present == 0).sum())
    lines = [describe_themes(summary, n_tokens)]
    lines.append(
        f"{plural(all_themes, 'document')} of {number(len(counts))} mention all "
        f"{plural(counts.shape[1], 'theme')}, and {plural(none, 'document')} mention none."
    )
    lines.append(describe_cooccurrence(themes.cooccurrence(analysis), names))
    if len(counts):
        best = counts.sum(axis=1).sort_values(ascending=False)
        title = titles_by_id(documents).get(best.index[0], best.index[0])
        lines.append(
            f"The document with the most mentions is “{bdi(shorten(title, 80))}” "
            f"({plural(int(best.iloc[0]), 'mention')})."
        )
    return lines
