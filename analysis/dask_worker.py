"""Imported by each Dask worker at its start: `dask worker ADDRESS --preload analysis.dask_worker`.

A worker otherwise imports the package (the corpus and theme stages, polars for the
columnar batch path) when its first task arrives, inside the first command's time, once per
worker. Preloaded, that cost is paid when the cluster starts, as with any long-lived
cluster; so is what every task computes once per process whatever its arguments: the
cleaning rules' regexes (`corpus.clean.compile_patterns`, 0.2 s), and the tokenizer's pass,
loaded from numba's cache, with its table of character classes read off Python's regexes
(`arabic_batch.prepare`). The lexicon travels with each task
(`themes.process_lexicon` keeps one copy per process).

Dask's statistical profiler is turned off for the worker: it samples the worker's thread
every 10 ms, taking the GIL each time, and on SaudiNewsNet with two workers on two cores it
cost about 0.6 s a run (14.4 -> 13.8 s, medians of four alternating runs each). The worker
reads the setting after importing its preloads. To profile workers, start them without this
preload.
"""

from __future__ import annotations

import dask

import analysis.pipeline  # noqa: F401  (what every shard task runs)
from analysis import arabic_batch
from analysis.columns import polars
from analysis.corpus.clean import compile_patterns
from analysis.themes import batch  # noqa: F401

dask.config.set({"distributed.worker.profile.enabled": False})
polars()
compile_patterns()  # compiled on first use, so that a client that never cleans skips them
arabic_batch.prepare()
