"""Theme analysis of Arabic news discourse.

Data flows one way, one module per stage:

    files -> corpus (load, clean, audit) -> arabic (normalize, tokenize, stem)
          -> themes (lexicon, matches, tables, KWIC) -> plotting (figures)
          -> notebooks (narrative) -> report (execute, export HTML)
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("analysis")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
