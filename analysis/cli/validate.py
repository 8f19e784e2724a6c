"""`python -m analysis validate LABELS.tsv`: precision and recall with 95% intervals."""

from __future__ import annotations

import sys
from typing import Any

from analysis.cli.output import EXIT_OK, fail, write_table
from analysis.themes import LexiconError, load_lexicon, validation


def run(args: Any) -> int:
    """`python -m analysis validate LABELS.tsv`: precision and recall with 95% intervals."""
    try:
        lexicon = load_lexicon(args.lexicon)
        labels = validation.read_labels(args.labels, lexicon.theme_ids)
    except (LexiconError, validation.LabelsError) as exc:
        return fail(exc)
    if args.round:
        # A fresh round, labelled after the lexicon was frozen, is the cleanest test.
        labels = labels[labels["round"].isin(args.round)]
        if labels.empty:
            return fail(f"{args.labels}: no sentences of round {', '.join(args.round)}")
    splits = ("test", "dev") if args.split == "all" else (args.split,)
    predicted = validation.predictions(labels, lexicon)
    scores = validation.score(labels, lexicon, splits=splits, predicted=predicted)
    if scores.empty:
        return fail(f"{args.labels}: no sentences in split {args.split!r}")
    table = scores.round(3) if args.format != "markdown" else validation.summarise_scores(scores)
    write_table(table, None, args.format)
    if args.errors:
        for split in splits:
            wrong = validation.errors(labels, lexicon, split=split, predicted=predicted)
            print(f"\n# {len(wrong)} {split} sentences the tagger gets wrong", file=sys.stderr)
            validation.write_tsv(wrong, sys.stderr)
    return EXIT_OK
