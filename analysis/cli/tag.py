"""`python -m analysis tag`: themes of UTF-8 lines from standard input, one JSON object each."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

from analysis.cli.output import EXIT_BAD_INPUT, EXIT_OK, fail
from analysis.themes import Lexicon, LexiconError, load_lexicon, match_text


def tag_line(text: str, lexicon: Lexicon) -> dict[str, Any]:
    """The JSON object `python -m analysis tag` writes for one line."""
    matches = match_text(text, lexicon)
    themes = [t for t in lexicon.theme_ids if any(m.theme == t for m in matches)]
    return {
        "text": text,
        "themes": themes,
        "matches": [
            {"theme": m.theme, "entry": m.entry, "text": m.text, "start": m.start, "end": m.end}
            for m in matches
        ],
    }


def _stdin_lines() -> Iterator[str]:
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


def run(args: Any) -> int:
    """`python -m analysis tag`: one JSON object per UTF-8 line of standard input."""
    lexicon = _cli_lexicon(args)
    if lexicon is None:
        return EXIT_BAD_INPUT
    out = sys.stdout
    for line in _stdin_lines():
        out.write(json.dumps(tag_line(line, lexicon), ensure_ascii=False) + "\n")
    out.flush()
    return EXIT_OK


def _cli_lexicon(args: Any) -> Lexicon | None:
    try:
        return load_lexicon(getattr(args, "lexicon", None))
    except LexiconError as exc:
        fail(exc)
        return None
