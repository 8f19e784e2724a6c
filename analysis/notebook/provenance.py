"""Provenance: what a report was built from, written beside it for the page headers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis import config
from analysis.files import atomic_writer

PROVENANCE_FILE = config.PROVENANCE_FILENAME  # read back by analysis.report for the headers


def provenance(corpus: Any, lexicon: Any) -> dict[str, Any]:
    """What produced the numbers: corpus identity and size, lexicon file, version and hash."""
    documents = corpus.documents
    return {
        "corpus_name": str(corpus.name),
        "corpus_hash": str(corpus.content_hash),
        "documents": len(corpus.analysed()),
        "documents_total": len(documents),
        "lexicon_version": str(lexicon.version),
        "lexicon_hash": str(lexicon.content_hash),
        # the file's name, and whether it is the package's own (a user's path stays private)
        "lexicon_file": lexicon.path.name if lexicon.path is not None else "",
        "lexicon_packaged": lexicon.path is not None
        and Path(lexicon.path).resolve() == config.LEXICON_PATH.resolve(),
        "themes": [
            {"id": t.id, "name_ar": t.name_ar, "name_en": t.name_en} for t in lexicon.themes
        ],
    }


def record_provenance(record: Mapping[str, Any], out_dir: Path | str) -> Path:
    """Write ``record`` to ``<out_dir>/provenance.json`` atomically (the page headers read it)."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / PROVENANCE_FILE
    with atomic_writer(target, "w", encoding="utf-8") as stream:
        json.dump(record, stream, ensure_ascii=False, indent=2, sort_keys=True)
    return target
