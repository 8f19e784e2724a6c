"""`python -m analysis …` or `arabic-themes …`: the command line over the package's functions.

This file declares the arguments, so `--help` documents the whole tool in one place; each
sub-command runs in its own module (`analysis.cli.clean`, `analysis.cli.tag`, …), which
prints through `analysis.cli.output` and returns an exit code from there. The command line
is the last stage: no library module imports it.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import sys
from pathlib import Path
from typing import Any

from analysis.cli import output


def _add_corpus_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--text-field",
        help="name of the text field in JSON/CSV/Parquet records (found automatically if omitted)",
    )
    p.add_argument(
        "--keep-duplicates",
        action="store_true",
        help="count documents flagged as exact or near duplicates of another (excluded by default)",
    )
    p.add_argument(
        "--encoding",
        help="encoding of the corpus's text files (default: UTF-8), e.g. cp1256 or utf-16",
    )
    p.add_argument(
        "--max-document-mb",
        type=float,
        help="refuse a .txt file, archive member or record text over this size (default: 50)",
    )


CONSOLE_SCRIPT = "arabic-themes"  # pyproject.toml's [project.scripts]


def program_name(argv0: str | None = None) -> str:
    """How the tool was called: ``arabic-themes`` (the console script) or ``python -m analysis``."""
    name = Path(sys.argv[0] if argv0 is None and sys.argv else argv0 or "").name
    return CONSOLE_SCRIPT if name == CONSOLE_SCRIPT else "python -m analysis"


class _ShowVersion(argparse.Action):
    """`--version` as argparse's own, but the version is looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(
            option_strings,
            argparse.SUPPRESS,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show the program's version number and exit",
        )

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from analysis import __version__

        print(f"{parser.prog} {__version__}")
        parser.exit()


def build_parser(prog: str = "python -m analysis") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Theme analysis of Arabic news articles (defaults to the seed corpus).",
    )
    parser.add_argument("--version", action=_ShowVersion)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("clean", help="print the cleaned text of one document")
    p.add_argument("file", type=Path, help="a .txt file, or a file/archive holding records")
    p.add_argument("--doc", help="document id, when FILE holds more than one document")
    p.add_argument("--audit", action="store_true", help="print what was removed and why instead")
    _add_corpus_options(p)

    p = sub.add_parser("tag", help="tag UTF-8 lines from stdin with themes, one JSON object each")
    p.add_argument("--lexicon", type=Path, help="lexicon file (default: the package's)")

    p = sub.add_parser("themes", help="print the document x theme table for a corpus")
    p.add_argument("corpus", nargs="?", type=Path, help="corpus path (default: seeds/)")
    p.add_argument("--format", choices=["csv", "json", "markdown"], default="markdown")
    p.add_argument("--lexicon", type=Path, help="lexicon file (default: the package's)")
    p.add_argument("--workers", type=int, default=1, help="local worker processes")
    p.add_argument("--engine", choices=["local", "dask"], default="local")
    p.add_argument("--scheduler", help="Dask scheduler address (with --engine dask)")
    _add_corpus_options(p)

    p = sub.add_parser(
        "trends", help="theme rates per period or per outlet, with 95%% bootstrap intervals"
    )
    p.add_argument("corpus", nargs="?", type=Path, help="corpus path (default: seeds/)")
    p.add_argument("--table", choices=["rates", "peaks", "outlets"], default="rates")
    p.add_argument("--by", choices=["auto", "day", "week", "month"], default="auto")
    p.add_argument("--min-documents", type=int, default=10, help="documents a period needs")
    p.add_argument("--boot", type=int, default=1000, help="bootstrap resamples")
    p.add_argument("--seed", type=int, default=20150806, help="bootstrap seed")
    p.add_argument("--format", choices=["csv", "tsv", "markdown"], default="csv")
    p.add_argument("--out", type=Path, help="file to write (default: standard output)")
    p.add_argument("--lexicon", type=Path, help="lexicon file (default: the package's)")
    p.add_argument("--workers", type=int, default=1, help="local worker processes")
    _add_corpus_options(p)

    p = sub.add_parser("report", help="execute the notebooks and export the HTML report")
    p.add_argument("--corpus", type=Path, help="corpus path (default: seeds/)")
    p.add_argument("--out", type=Path, help="output folder (default: reports/)")
    p.add_argument("--show-code", action="store_true", help="reviewer's version, code visible")
    p.add_argument("--workers", type=int, default=1, help="local worker processes for analysis")
    p.add_argument("--timeout", type=int, default=1800, help="seconds a cell may run")
    p.add_argument(
        "--labels", type=Path, help="labelled TSV to measure the lexicon on (see 'validate')"
    )
    p.add_argument(
        "--lexicon", type=Path, help="lexicon file of the themes to count (default: the package's)"
    )
    p.add_argument(
        "--notebooks",
        type=Path,
        help="folder of your own NN_*.ipynb to run (default: the package's; see 'notebooks')",
    )
    _add_corpus_options(p)

    p = sub.add_parser(
        "notebooks", help="list the report's notebooks, or copy them to start your own"
    )
    p.add_argument("--copy-to", type=Path, help="folder to copy the notebooks into")
    p.add_argument("--force", action="store_true", help="overwrite notebooks already there")

    p = sub.add_parser(
        "sample", help="write a stratified random sample of sentences to annotate (TSV)"
    )
    p.add_argument("corpus", nargs="?", type=Path, help="corpus path (default: seeds/)")
    p.add_argument("--out", type=Path, help="TSV file to write (default: standard output)")
    p.add_argument("--per-theme", type=int, default=50, help="tagged sentences per theme")
    p.add_argument("--near", type=int, default=35, help="near-miss sentences per theme")
    p.add_argument("--random", type=int, default=100, help="sentences drawn from all")
    p.add_argument(
        "--theme",
        action="append",
        default=[],
        help="give tagged and near strata only to this theme (repeatable; default: all)",
    )
    p.add_argument("--seed", type=int, default=20261129, help="random seed (sample and split)")
    p.add_argument("--split-seed", type=int, help="seed of the dev/test split (default: --seed)")
    p.add_argument(
        "--only-split", choices=["dev", "test"], help="draw only from this split's documents"
    )
    p.add_argument("--test-share", type=float, default=0.5, help="share of documents in test")
    p.add_argument(
        "--exclude",
        type=Path,
        action="append",
        default=[],
        help="labelled or sample TSV of an earlier round: its sentences are not drawn again",
    )
    p.add_argument(
        "--split",
        choices=["auto", "dev", "test"],
        default="auto",
        help="auto: documents split at random; dev/test: every row in that split",
    )
    p.add_argument("--id-prefix", default="s", help="prefix of the sentence ids")
    p.add_argument("--cues", type=Path, help="near-miss cue file (default: the package's)")
    p.add_argument("--lexicon", type=Path, help="lexicon file (default: the package's)")
    p.add_argument("--workers", type=int, default=1, help="local worker processes")
    _add_corpus_options(p)

    p = sub.add_parser(
        "validate", help="precision and recall per theme on a labelled TSV, with 95%% intervals"
    )
    p.add_argument("labels", type=Path, help="labelled TSV (id, themes, text[, split, ...])")
    p.add_argument("--split", choices=["test", "dev", "all"], default="all")
    p.add_argument("--format", choices=["tsv", "csv", "markdown"], default="markdown")
    p.add_argument("--errors", action="store_true", help="also list wrong sentences (stderr)")
    p.add_argument(
        "--round",
        action="append",
        default=[],
        help="only the sentences of this annotation round (repeatable; column 'round')",
    )
    p.add_argument("--lexicon", type=Path, help="lexicon file (default: the package's)")

    p = sub.add_parser("forms", help="audit the surface forms each lexicon entry matches")
    p.add_argument("corpus", nargs="?", type=Path, help="corpus path (default: seeds/)")
    p.add_argument("--theme", help="one theme id only")
    p.add_argument("--top", type=int, default=0, help="at most this many forms per theme")
    p.add_argument(
        "--proclitic-only", action="store_true", help="only forms matched after a cut proclitic"
    )
    p.add_argument("--format", choices=["tsv", "csv", "markdown"], default="tsv")
    p.add_argument("--lexicon", type=Path, help="lexicon file (default: the package's)")
    p.add_argument("--workers", type=int, default=1, help="local worker processes")
    _add_corpus_options(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser(program_name()).parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    # Every command writes UTF-8, whatever the locale says (Arabic text on an ASCII console
    # would otherwise fail half-way through a table).
    output.utf8(sys.stdout)
    output.utf8(sys.stderr)
    if getattr(args, "workers", None) is not None:
        workers = output.checked_workers(args.workers)
        if workers is None:
            return output.EXIT_BAD_INPUT
        args.workers = workers
    try:
        # Imported lazily so that `--help` and light commands start fast.
        module = importlib.import_module(f"analysis.cli.{args.command}")
        return module.run(args)
    except KeyboardInterrupt:  # Ctrl-C: one line, not a traceback from wherever it landed
        print(f"{args.command} interrupted", file=sys.stderr)
        return output.EXIT_INTERRUPTED


def console_main() -> int:
    """`main` as a process's entry point: `python -m analysis` and the `arabic-themes` script."""
    code = main()
    # The process ends here, and the interpreter's shutdown would search its whole heap for
    # reference cycles: 0.1-0.3 s after a corpus run. Frozen, the objects are left out of
    # that search; stream flushing, atexit handlers and reference counting work as before.
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(console_main())
