"""Theme analysis of Arabic news discourse.

Data flows one way, one module or package per stage; a module imports only its own stage
and the stages to its left (DESIGN.md; `tests/test_layout.py` checks it):

    files -> corpus (read, clean, audit) -> arabic (normalize, tokenize, stem)
          -> themes (lexicon, matches, tables, keyness, validation) -> pipeline (one pass)
          -> plotting (figures) -> notebook (helpers of the narrative)
          -> report (execute, export HTML) -> cli (`python -m analysis`)
"""

import logging

# A library logs; the application decides where it goes (the CLI prints warnings to stderr,
# the report shows load problems in a table rather than as a wall of stderr in the page).
logging.getLogger(__name__).addHandler(logging.NullHandler())

DISTRIBUTION = "arabic-themes"  # the name pip knows the package by (pyproject.toml)


def __getattr__(name: str) -> str:
    """`__version__`, read from the installed distribution when first asked for: importing
    `importlib.metadata` took 0.03 s of every start, `python -m analysis` included."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version(DISTRIBUTION)
    except PackageNotFoundError:  # running from a source tree that was not installed
        value = "0.0.0+unknown"
    globals()["__version__"] = value
    return value
