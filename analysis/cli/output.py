"""What every command shares: UTF-8 streams, exit codes, one error line, tables out."""

from __future__ import annotations

import io
import math
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from analysis.files import atomic_writer

if TYPE_CHECKING:
    import pandas as pd

    from analysis.pipeline import PipelineResult
    from analysis.themes import Lexicon

EXIT_OK = 0
EXIT_FAILED = 1  # the work itself failed (a notebook cell raised)
EXIT_BAD_INPUT = 2  # a missing corpus, a bad lexicon or labels file, an unknown theme
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT


def utf8(stream: Any) -> Any:
    """The stream, writing UTF-8 whatever the locale says."""
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8")
    return stream


def fail(message: Any, *, stream: TextIO | None = None) -> int:
    """Print one `error:` line to standard error; the exit code for bad input."""
    print(f"error: {message}", file=stream or sys.stderr)
    return EXIT_BAD_INPUT


def checked_workers(workers: int) -> int | None:
    """``--workers`` made safe: None (after one error line) if below 1, else capped at the CPUs.

    Thousands of processes would not finish starting (the build looks hung), so a request
    above the machine's CPU count runs on that many, with a note on standard error.
    """
    if workers < 1:
        fail(f"--workers must be at least 1, got {workers}")
        return None
    cpus = os.cpu_count() or 1
    if workers > cpus:
        print(f"note: --workers {workers} capped at {cpus}, the CPU count", file=sys.stderr)
        return cpus
    return workers


# What in a cell could become markup: HTML tags and autolinks (`<`, `>`), a cell break
# (`|`), and a backslash that would undo an escape; each gets a backslash. Inline links and
# images need `](`, which becomes `]\(`. Other Markdown (`*`, `[95% CI]`) only formats or is
# plain text, and is left as it is, so tables without markup print as before.
_MARKDOWN_SYNTAX = re.compile(r"([\\<>|])")
# C0 and C1 control characters but tab and newline, and DEL: an ESC from a document would
# recolour or rewrite the user's terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def markdown_text(value: Any) -> str:
    """One Markdown table cell: whitespace collapsed, Markdown and HTML syntax escaped."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return _MARKDOWN_SYNTAX.sub(r"\\\1", " ".join(text.split())).replace("](", "]\\(")


def terminal_text(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` (tab and newline kept)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def to_markdown(table: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (no extra dependency); cells as `markdown_text`."""
    import pandas as pd

    cell = markdown_text

    header = "| " + " | ".join(cell(c) for c in table.columns) + " |"
    numeric = [pd.api.types.is_numeric_dtype(table[c]) for c in table.columns]
    rule = "|" + "|".join("---:" if n else "---" for n in numeric) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *body]) + "\n"


def write_table(frame: pd.DataFrame, out: Path | None = None, fmt: str = "tsv") -> None:
    """Write `frame` to `out` atomically (or standard output) as TSV, CSV or Markdown."""
    buffer = io.StringIO()
    if fmt == "csv":
        frame.to_csv(buffer, index=False, lineterminator="\n")
    elif fmt == "markdown":
        buffer.write(to_markdown(frame))
    else:
        # Imported here so that commands which print no table (`clean`) start without the
        # themes stage.
        from analysis.themes.validation import write_tsv

        write_tsv(frame, buffer)
    if out is None:
        sys.stdout.write(buffer.getvalue())
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(out, "w", encoding="utf-8") as stream:
        stream.write(buffer.getvalue())


def corpus_run(
    args: Any, lexicon: Lexicon | Path | None, *, keep_text: bool = True, count_words: bool = True
) -> PipelineResult:
    """`run_pipeline` on the command's corpus and engine options (one place for all commands);
    a command that shows neither texts nor word counts asks for neither."""
    from analysis.pipeline import run_pipeline

    return run_pipeline(
        getattr(args, "corpus", None),
        lexicon=lexicon,
        text_field=getattr(args, "text_field", None),
        keep_duplicates=bool(getattr(args, "keep_duplicates", False)),
        keep_text=keep_text,
        count_words=count_words,
        encoding=getattr(args, "encoding", None),
        max_document_mb=getattr(args, "max_document_mb", None),
        workers=getattr(args, "workers", 1) or 1,
        engine=getattr(args, "engine", "local") or "local",
        scheduler=getattr(args, "scheduler", None),
    )
