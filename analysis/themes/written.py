"""The written false-friend regression set: development figures, tuned with the lexicon."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from analysis import config
from analysis.files import SAFE_YAML_LOADER
from analysis.themes.lexicon import Lexicon, YamlParser, default_lexicon
from analysis.themes.matcher import match_text

if TYPE_CHECKING:
    import pandas as pd

# --- validation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledSentence:
    text: str
    themes: frozenset[str]  # must receive
    may: frozenset[str]  # not judged
    source: str
    line: int


def load_validation_set(
    path: str | Path | None = None, theme_ids: Iterable[str] = ()
) -> list[LabelledSentence]:
    """Read the labelled sentences; unknown theme ids (when `theme_ids` given) are errors."""
    path = Path(path) if path is not None else config.VALIDATION_SET_PATH
    parser = YamlParser(str(path))
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=SAFE_YAML_LOADER)
    if root is None:
        raise parser.fail(None, "the validation set is empty")
    top = parser.mapping(root, {"version", "sentences"}, "the validation set")
    if "sentences" not in top:
        raise parser.fail(root, "the validation set has no 'sentences'")
    known = set(theme_ids)
    sentences = []
    for node in parser.sequence(top["sentences"], "'sentences'"):
        items = parser.mapping(node, {"text", "themes", "may", "source"}, "a sentence")
        if "text" not in items or "themes" not in items:
            raise parser.fail(node, "a sentence needs 'text' and 'themes'")
        text = parser.string(items["text"], "'text'")
        labels = {}
        for key in ("themes", "may"):
            values = (
                [parser.string(n, key) for n in parser.sequence(items[key], key)]
                if key in items
                else []
            )
            unknown = set(values) - known if known else set()
            if unknown:
                raise parser.fail(
                    items[key], f"sentence {text[:40]!r}: unknown theme(s) {sorted(unknown)}"
                )
            labels[key] = frozenset(values)
        source = parser.string(items["source"], "'source'") if "source" in items else ""
        sentences.append(
            LabelledSentence(
                text, labels["themes"], labels["may"], source, node.start_mark.line + 1
            )
        )
    return sentences


def validation_details(
    lexicon: Lexicon | None = None, path: str | Path | None = None
) -> pd.DataFrame:
    """Per labelled sentence: `text`, `source`, `line`, `expected`, `may`, `received`,
    `missing` (expected, not received) and `unexpected` (received, neither expected nor may)."""
    import pandas as pd

    lexicon = lexicon or default_lexicon()
    rows = []
    for s in load_validation_set(path, lexicon.theme_ids):
        received = {m.theme for m in match_text(s.text, lexicon)}
        rows.append(
            {
                "text": s.text,
                "source": s.source,
                "line": s.line,
                "expected": sorted(s.themes),
                "may": sorted(s.may),
                "received": sorted(received),
                "missing": sorted(s.themes - received),
                "unexpected": sorted(received - s.themes - s.may),
            }
        )
    return pd.DataFrame(rows)


def validate(lexicon: Lexicon | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """Per theme precision and recall on the labelled sentences.

    Columns: `theme`, `tp`, `fp`, `fn`, `precision`, `recall`, `sentences` (labelled
    positive). A theme listed under `may` for a sentence is not judged there.
    """
    import pandas as pd

    lexicon = lexicon or default_lexicon()
    details = validation_details(lexicon, path)
    rows = []
    for theme_id in lexicon.theme_ids:
        tp = fp = fn = positives = 0
        for expected, may, received in zip(
            details["expected"], details["may"], details["received"], strict=True
        ):
            if theme_id in may:
                continue
            positives += theme_id in expected
            tp += theme_id in expected and theme_id in received
            fn += theme_id in expected and theme_id not in received
            fp += theme_id not in expected and theme_id in received
        rows.append(
            {
                "theme": theme_id,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": tp / (tp + fp) if tp + fp else math.nan,
                "recall": tp / (tp + fn) if tp + fn else math.nan,
                "sentences": positives,
            }
        )
    return pd.DataFrame(rows)
