"""`python -m analysis themes [CORPUS]`: the document x theme table (csv, json, markdown)."""

from __future__ import annotations

import sys
from typing import Any

from analysis.cli.output import EXIT_OK, fail, to_markdown
from analysis.corpus import CorpusError
from analysis.pipeline import run_pipeline
from analysis.themes import LexiconError, document_theme_table


def run(args: Any) -> int:
    """`python -m analysis themes [CORPUS]` through the streaming pipeline (csv, json, md)."""
    try:
        result = run_pipeline(
            getattr(args, "corpus", None),
            lexicon=getattr(args, "lexicon", None),
            text_field=getattr(args, "text_field", None),
            keep_duplicates=bool(getattr(args, "keep_duplicates", False)),
            keep_text=False,
            encoding=getattr(args, "encoding", None),
            max_document_mb=getattr(args, "max_document_mb", None),
            workers=getattr(args, "workers", 1) or 1,
            engine=getattr(args, "engine", "local") or "local",
            scheduler=getattr(args, "scheduler", None),
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
