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


# A line is reported as binary when it holds a NUL byte or when more than this share of
# its characters are U+FFFD (bytes that are not UTF-8) or control characters.
BINARY_SHARE = 0.1
MAX_WARNINGS = 20


def looks_binary(raw: bytes, text: str) -> bool:
    """True for a line that is not text: a NUL, or mostly undecodable or control bytes."""
    if b"\x00" in raw:
        return True
    if not text:
        return False
    odd = sum(1 for c in text if c == "\ufffd" or (c < " " and c != "\t"))
    return odd > BINARY_SHARE * len(text)


def _stdin_lines() -> Iterator[str]:
    warned = 0
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if looks_binary(raw, text):
            warned += 1
            if warned <= MAX_WARNINGS:
                print(
                    f"warning: stdin line {number} looks binary (NUL bytes or not UTF-8); "
                    "tagged as decoded, with U+FFFD for undecodable bytes",
                    file=sys.stderr,
                )
            elif warned == MAX_WARNINGS + 1:
                print("warning: more binary lines; not reported one by one", file=sys.stderr)
        yield text


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
