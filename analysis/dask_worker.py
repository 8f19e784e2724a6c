"""Imported by each Dask worker at its start: `dask worker ADDRESS --preload analysis.dask_worker`.

A worker otherwise imports the package (the corpus and theme stages, polars for the
columnar batch path) when its first task arrives, inside the first command's time, once per
worker. Preloaded, that cost is paid when the cluster starts, as with any long-lived
cluster; so is what every task computes once per process whatever its arguments: the
cleaning rules' regexes (`corpus.clean.compile_patterns`, 0.2 s), and the tokenizer's table
of character classes read off Python's regexes (`arabic_batch.prepare`). The lexicon travels
with each task (`themes.process_lexicon` keeps one copy per process).

Once the worker has started (`dask_setup`), one short document goes through the batch path
on the thread that will run the worker's tasks: polars keeps each thread's compiled regexes
apart, and the cleaning screen's took 50 ms more on a thread that had not used them. On
SaudiNewsNet with two workers a run took 3.86 s against 3.99 s without it (medians of five
alternating runs). The document is analysed with the default lexicon, which the process then
keeps (a run with another lexicon builds its own).

Dask's statistical profiler is turned off for the worker: it samples the worker's thread
every 10 ms, taking the GIL each time, and on SaudiNewsNet with two workers on two cores it
cost about 0.6 s a run (14.4 -> 13.8 s, medians of four alternating runs each). The worker
reads the setting after importing its preloads. To profile workers, start them without this
preload.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import dask

import analysis.pipeline  # noqa: F401  (what every shard task runs)
from analysis import arabic_batch
from analysis.columns import polars
from analysis.corpus import Document
from analysis.corpus.clean import compile_patterns
from analysis.pipeline import DocumentProcessor
from analysis.themes import batch, default_lexicon  # noqa: F401

dask.config.set({"distributed.worker.profile.enabled": False})
polars()
compile_patterns()  # compiled on first use, so that a client that never cleans skips them
arabic_batch.prepare()

# The threads `warm_up` ran on (a task can tell whether its thread was warmed).
WARMED_THREADS: set[int] = set()
_WARM_UP_TEXT = (
    "الرباط - قال الوزير إن الأمن أولوية. مكافحة الإرهاب مستمرة في المغرب.\n"
    "تابعونا على تويتر\nسطر ثان هنا"
)


def warm_up() -> None:
    """One short document through the batch path, on this thread."""
    document = Document("warm-up:0", "warm-up", 0, _WARM_UP_TEXT)
    DocumentProcessor(default_lexicon(), keep_text=False, count_words=False).batch([document])
    WARMED_THREADS.add(threading.get_ident())


async def dask_setup(worker: Any) -> None:
    """Called by Dask once the worker has started: `warm_up` on its tasks' thread."""
    executor = worker.executors.get("default")
    if executor is not None:
        await asyncio.wrap_future(executor.submit(warm_up))
