"""`python -m analysis themes [CORPUS]`: the document x theme table (csv, json, markdown)."""

from __future__ import annotations

import sys
from typing import Any

from analysis.cli.output import EXIT_OK, corpus_run, fail, to_markdown
from analysis.corpus import CorpusError
from analysis.themes import LexiconError, document_theme_table


def run(args: Any) -> int:
    """`python -m analysis themes [CORPUS]` through the streaming pipeline (csv, json, md)."""
    try:
        result = corpus_run(
            args, getattr(args, "lexicon", None), keep_text=False, count_words=False
        )
    except (CorpusError, FileNotFoundError, LexiconError, RuntimeError, ValueError) as exc:
        return fail(exc)
    table = document_theme_table(result.analysis, result.corpus.analysed())
    fmt = getattr(args, "format", "markdown")
    if fmt == "csv":
        sys.stdout.write(table.to_csv(index=False))
    elif fmt == "json":
        sys.stdout.write(table.to_json(orient="records", force_ascii=False) + "\n")
    else:
        sys.stdout.write(to_markdown(table))
    return EXIT_OK
