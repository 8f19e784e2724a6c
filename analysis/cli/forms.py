"""`python -m analysis forms CORPUS [--theme T]`: the surface forms each entry matched."""

from __future__ import annotations

from typing import Any

from analysis.cli.output import EXIT_OK, corpus_run, fail, write_table
from analysis.corpus import CorpusError
from analysis.themes import LexiconError, load_lexicon
from analysis.themes.validation import surface_forms


def run(args: Any) -> int:
    """`python -m analysis forms CORPUS [--theme T]`: the surface forms each entry matched."""
    try:
        lexicon = load_lexicon(args.lexicon)
        if args.theme is not None and args.theme not in lexicon.theme_ids:
            return fail(f"unknown theme {args.theme!r} (known: {', '.join(lexicon.theme_ids)})")
        result = corpus_run(args, lexicon)
    except (CorpusError, FileNotFoundError, LexiconError, ValueError) as exc:
        return fail(exc)
    forms = surface_forms(result.analysis, lexicon, theme=args.theme)
    if args.proclitic_only:
        forms = forms[forms["via"] == "proclitic"]
    if args.top:
        forms = forms.groupby("theme", sort=False).head(args.top)
    write_table(forms, None, args.format)
    return EXIT_OK
