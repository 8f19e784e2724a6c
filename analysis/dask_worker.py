"""Imported by each Dask worker at its start: `dask worker ADDRESS --preload analysis.dask_worker`.

A worker otherwise imports the package (pandas, the corpus and theme stages, polars for the
columnar batch path) when its first task arrives, inside the first command's time, once per
worker. Preloaded, that cost is paid when the cluster starts, as with any long-lived
cluster. Nothing else is done here: the lexicon travels with each task
(`themes.process_lexicon` keeps one copy per process).
"""

from __future__ import annotations

import analysis.pipeline  # noqa: F401  (what every shard task runs)
from analysis.columns import polars
from analysis.corpus.boilerplate import line_rules_regex
from analysis.themes import batch  # noqa: F401

polars()
line_rules_regex()  # compiled on first use, so that a client that never cleans skips it
