"""An interactive theme explorer for JupyterLab (ipywidgets), over a study indexed once.

- `index`: `ExplorerIndex` (arrays over the documents and hits), `Filters`, `Selection`, the
  search folding; pure and fast (a filter change is array arithmetic, no pipeline run).
- `view`: the HTML of the KWIC table and of a document (RTL, matches highlighted).
- `app`: `Explorer` (the widgets) and `explore(study_or_path)`.
- `workbench`: edit one theme's lexicon block, recount, compare, save on request.
"""

from analysis.explore.index import ALL, ExplorerIndex, Filters, Selection, fold, search_pattern

__all__ = [
    "ALL",
    "Explorer",
    "ExplorerIndex",
    "Filters",
    "Selection",
    "explore",
    "fold",
    "search_pattern",
]


def __getattr__(name: str) -> object:
    # The widgets import ipywidgets and matplotlib; the index alone needs neither.
    if name in ("Explorer", "explore"):
        from analysis.explore import app

        return getattr(app, name)
    raise AttributeError(name)
