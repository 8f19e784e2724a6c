"""`python -m analysis clean FILE [--doc ID] [--audit]`: one document's cleaned text or audit."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from analysis.cli.output import EXIT_BAD_INPUT, EXIT_OK, fail, terminal_text, utf8
from analysis.corpus import (
    Cleaned,
    CorpusError,
    Document,
    LoadReport,
    clean_text,
    iter_documents,
    word_count,
)


def run(args: Any) -> int:
    """`python -m analysis clean FILE [--doc ID] [--audit]`."""
    out = utf8(sys.stdout)
    err = utf8(sys.stderr)
    report = LoadReport()
    try:
        documents = list(
            iter_documents(
                args.file,
                text_field=args.text_field,
                report=report,
                encoding=getattr(args, "encoding", None),
                max_document_mb=getattr(args, "max_document_mb", None),
            )
        )
    except (FileNotFoundError, CorpusError) as error:
        return fail(error, stream=err)
    for problem in report.problems:
        location = f":{problem.location}" if problem.location else ""
        line = f"{problem.severity}: {problem.file}{location}: {problem.message}"
        print(terminal_text(line), file=err)
    document = _choose(documents, args.doc, err)
    if document is None:
        return EXIT_BAD_INPUT
    cleaned = clean_text(document.raw_text)
    # A document's escape sequences must not reach the terminal as escapes.
    if args.audit:
        print(terminal_text(_audit_text(document, cleaned)), file=out)
    else:
        print(terminal_text(cleaned.text), file=out)
    out.flush()
    return EXIT_OK


def _choose(documents: list[Document], wanted: str | None, err: Any) -> Document | None:
    if wanted is None:
        if len(documents) == 1:
            return documents[0]
        examples = ", ".join(d.doc_id for d in documents[:3])
        print(
            f"error: {len(documents)} documents in this file; pick one with --doc ID "
            f"(ids such as {examples})",
            file=err,
        )
        return None
    for document in documents:
        if wanted in (document.doc_id, str(document.record)):
            return document
    matches = [d for d in documents if d.doc_id.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    print(f"error: no single document with id {wanted!r} ({len(matches)} match)", file=err)
    return None


def _audit_text(document: Document, cleaned: Cleaned) -> str:
    lines = [f"# {document.doc_id} ({document.source_file})"]
    for removal in cleaned.removed:
        text = removal.text.strip()
        if len(text) > 120:
            text = f"{text[:117]}... [{len(removal.text)} chars]"
        lines.append(f"line {removal.line:>4}  {removal.rule:<20}  {text}")
    n_raw, n_clean = word_count(document.raw_text), word_count(cleaned.text)
    rules = Counter(r.rule for r in cleaned.removed)
    lines.append(
        f"# removed {len(cleaned.removed)} line(s)"
        + (f" ({', '.join(f'{n} {rule}' for rule, n in rules.most_common())})" if rules else "")
        + f"; words {n_raw} -> {n_clean}"
    )
    for label, value in (
        ("title", cleaned.title),
        ("source", cleaned.source),
        ("date", cleaned.date.date().isoformat() if cleaned.date else None),
    ):
        if value:
            lines.append(f"# {label}: {value}")
    return "\n".join(lines)
