"""`python -m analysis sample CORPUS --out FILE.tsv`: a stratified annotation sample."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from analysis.cli.output import EXIT_OK, corpus_run, fail, write_table
from analysis.corpus import CorpusError
from analysis.themes import LexiconError, load_lexicon
from analysis.themes.validation import (
    LabelsError,
    SampleDesign,
    draw_sample,
    load_cues,
    sentence_table,
    sentence_texts,
)


def run(args: Any) -> int:
    """`python -m analysis sample CORPUS --out FILE.tsv`: a stratified annotation sample."""
    try:
        lexicon = load_lexicon(args.lexicon)
        cues = load_cues(args.cues, lexicon)
        result = corpus_run(args, lexicon)
    except (CorpusError, FileNotFoundError, LexiconError, ValueError) as exc:
        return fail(exc)
    design = SampleDesign(
        per_theme=args.per_theme,
        near_per_theme=args.near,
        random=args.random,
        seed=args.seed,
        split_seed=args.split_seed,
        test_share=args.test_share,
        only_split=args.only_split,
        themes=tuple(args.theme) if args.theme else None,
    )
    try:
        earlier = set().union(*(sentence_texts(path) for path in args.exclude))
    except LabelsError as exc:
        return fail(exc)
    sentences = sentence_table(result.corpus.analysed(), result.analysis)
    try:
        sample = draw_sample(
            sentences,
            lexicon.theme_ids,
            cues,
            design,
            id_prefix=args.id_prefix,
            exclude_texts=earlier,
        )
    except ValueError as exc:
        return fail(exc)
    if args.split != "auto":
        sample["split"] = args.split
    write_table(sample, args.out)
    strata = Counter(sample["stratum"])
    print(
        f"{len(sample)} sentences from {sample['doc_id'].nunique()} documents "
        f"({len(sentences)} sentences in the corpus); "
        + ", ".join(f"{k} {v}" for k, v in sorted(strata.items()))
        + f"; split {dict(Counter(sample['split']))}",
        file=sys.stderr,
    )
    return EXIT_OK
