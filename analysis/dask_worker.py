"""Imported by each Dask worker at its start: `dask worker ADDRESS --preload analysis.dask_worker`.

A worker otherwise imports the package (the corpus and theme stages, polars for the
columnar batch path) when its first task arrives, inside the first command's time, once per
worker. Preloaded, that cost is paid when the cluster starts, as with any long-lived
cluster; so is what every task computes once per process whatever its arguments
(`warm_up`, which Dask runs once the worker has started, `dask_setup`): the cleaning rules'
regexes (`corpus.clean.compile_patterns`, 0.2 s), the tokenizer's table of character
classes read off Python's regexes, and one short document through the batch path, on the
thread that will run the worker's tasks: polars keeps each thread's compiled regexes apart,
and the cleaning screen's took 50 ms more on a thread that had not used them. On
SaudiNewsNet with two workers a run took 3.86 s against 3.99 s without that document
(medians of five alternating runs). It is analysed with the default lexicon, which the
process then keeps (a run with another lexicon builds its own); the lexicon travels with
each task (`themes.process_lexicon` keeps one copy per process).

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

from analysis.corpus import Document
from analysis.corpus.clean import compile_patterns
from analysis.pipeline import DocumentProcessor  # what every shard task runs
from analysis.themes import default_lexicon

dask.config.set({"distributed.worker.profile.enabled": False})

# The threads `warm_up` ran on (a task can tell whether its thread was warmed).
WARMED_THREADS: set[int] = set()
_WARM_UP_TEXT = (
    "الرباط - قال الوزير إن الأمن أولوية. مكافحة الإرهاب مستمرة في المغرب.\n"
    "تابعونا على تويتر\nسطر ثان هنا"
)


def warm_up() -> None:
    """The cleaning rules' regexes compiled (on first use elsewhere, so that a client that
    never cleans skips them), then one short document through the batch path, on this
    thread."""
    compile_patterns()
    document = Document("warm-up:0", "warm-up", 0, _WARM_UP_TEXT)
    DocumentProcessor(default_lexicon(), keep_text=False, count_words=False).batch([document])
    WARMED_THREADS.add(threading.get_ident())


async def dask_setup(worker: Any) -> None:
    """Called by Dask once the worker has started: `warm_up` on its tasks' thread."""
    executor = worker.executors.get("default")
    if executor is not None:
        await asyncio.wrap_future(executor.submit(warm_up))
