"""`python -m analysis trends CORPUS`: the tables behind the trend and outlet charts."""

from __future__ import annotations

from typing import Any

from analysis.cli.output import EXIT_OK, corpus_run, fail, write_table
from analysis.corpus import CorpusError
from analysis.themes import LexiconError
from analysis.trends import compare_outlets, find_peaks, theme_trends


def run(args: Any) -> int:
    """Rates per period (`--table rates`), the peaks, or the outlet comparison, as a table."""
    try:
        result = corpus_run(
            args, getattr(args, "lexicon", None), keep_text=False, count_words=False
        )
    except (CorpusError, FileNotFoundError, LexiconError, RuntimeError, ValueError) as exc:
        return fail(exc)
    documents = result.corpus.analysed()
    options = {"n_boot": args.boot, "seed": args.seed}
    if args.table == "outlets":
        table = compare_outlets(result.analysis, documents, **options).table
    else:
        trends = theme_trends(
            result.analysis, documents, args.by, min_documents=args.min_documents, **options
        )
        table = find_peaks(trends) if args.table == "peaks" else trends.table
        table = table.assign(by=trends.by)
    write_table(table, args.out, args.format)
    return EXIT_OK
