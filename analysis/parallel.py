"""Map one picklable function over a stream of items: in process, local processes, or Dask.

Every engine returns results in input order and holds only a bounded window of chunks in
flight, so a corpus streams through in constant memory whatever its size:

- `engine="local"`, `workers=1`: a plain loop in this process (no pickling at all);
- `engine="local"`, `workers>1`: a `ProcessPoolExecutor` of that many processes;
- `engine="dask"`: a `distributed.Client` executor, on the cluster at `scheduler` when given
  (`tcp://host:8786`), else on a `LocalCluster` of `workers` single-threaded processes that
  lives as long as the map.

Items travel in chunks (one task per chunk, not per item) because per-task overhead, tens
of microseconds locally and a millisecond or more on Dask, would otherwise dominate
per-document work that itself takes about a millisecond.
"""

from __future__ import annotations

import functools
import multiprocessing
import pickle
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from itertools import islice
from typing import Any, Literal, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Engine = Literal["local", "dask"]
ENGINES: tuple[str, ...] = ("local", "dask")

DEFAULT_CHUNK_SIZE = 200
# Chunks in flight per worker: enough that no worker waits for the next chunk while the
# parent collects results, few enough that memory stays flat.
IN_FLIGHT_PER_WORKER = 3


def map_ordered(
    func: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int = 1,
    engine: Engine = "local",
    scheduler: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[R]:
    """Yield `func(item)` for every item, in input order, on the chosen engine.

    `func` and the items must be picklable unless the map runs in process (local, one
    worker). An exception raised by `func` propagates to the caller.
    """
    check_engine(engine, workers, scheduler)
    if engine == "local" and workers <= 1:
        yield from map(func, items)
        return
    with _executor(engine, workers, scheduler) as (executor, parallelism):
        sealed = engine == "dask"
        yield from _windowed_map(executor, func, items, chunk_size, parallelism, sealed=sealed)


def check_engine(engine: str, workers: int, scheduler: str | None) -> None:
    """Reject impossible combinations before any work starts, with a message for the CLI."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if scheduler and engine != "dask":
        raise ValueError("a scheduler address needs engine='dask' (--engine dask)")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last may be shorter)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def apply_to_chunk(func: Callable[[T], R], chunk: list[T]) -> list[R]:
    """The unit of remote work: one task maps `func` over one chunk."""
    return [func(item) for item in chunk]


def apply_to_sealed_chunk(func: bytes, chunk: bytes) -> list[Any]:
    """`apply_to_chunk` of a function and a chunk that the caller pickled itself."""
    return apply_to_chunk(pickle.loads(func), pickle.loads(chunk))


def _windowed_map(
    executor: Executor,
    func: Callable[[T], R],
    items: Iterable[T],
    chunk_size: int,
    parallelism: int,
    *,
    sealed: bool = False,
) -> Iterator[R]:
    """`sealed`: each task's function and chunk are handed over pickled (by cloudpickle, as
    Dask would: a lambda goes too), as bytes.

    A Dask scheduler unpickles every task it is given: a task holding the pipeline's objects
    made it import the whole package, 0.2 s of its time on the first task while every worker
    waited. Handed bytes, it imports only this module.
    """
    # Executor.map would submit the whole input at once (all records in memory); a bounded
    # deque of futures keeps order and caps what is in flight.
    window: deque[Future[list[R]]] = deque()
    limit = max(1, parallelism * IN_FLIGHT_PER_WORKER)
    seal = _sealer() if sealed else None
    sealed_func = seal(func) if seal else b""
    try:
        for chunk in chunked(items, chunk_size):
            if seal:
                window.append(executor.submit(apply_to_sealed_chunk, sealed_func, seal(chunk)))
            else:
                window.append(executor.submit(apply_to_chunk, func, chunk))
            if len(window) >= limit:
                yield from window.popleft().result()
        while window:
            yield from window.popleft().result()
    finally:
        for future in window:  # the consumer stopped early or a chunk failed
            future.cancel()


def _sealer() -> Callable[[object], bytes]:
    """cloudpickle's `dumps` (installed with distributed); `pickle.loads` opens its bytes."""
    import cloudpickle

    return functools.partial(cloudpickle.dumps, protocol=pickle.HIGHEST_PROTOCOL)


@contextmanager
def _executor(engine: str, workers: int, scheduler: str | None) -> Iterator[tuple[Executor, int]]:
    """An executor and how many chunks it can work on at once."""
    if engine == "local":
        with ProcessPoolExecutor(max_workers=workers, mp_context=_process_context()) as pool:
            yield pool, workers
        return
    with _dask_client(workers, scheduler) as client:
        parallelism = sum(client.nthreads().values()) or workers
        yield client.get_executor(pure=False), parallelism


_NATIVE_THREAD_POOLS = ("polars",)


def _process_context() -> multiprocessing.context.BaseContext:
    """fork when it is safe (a single-threaded parent), else forkserver or spawn."""
    # fork starts a worker in milliseconds with the parent's modules already imported, but
    # forking a multi-threaded process (a notebook kernel, a Dask client) can deadlock.
    # polars runs a native thread pool that `threading` does not count: a fork after polars
    # was loaded can deadlock the child the same way (the batch path imports it lazily).
    methods = multiprocessing.get_all_start_methods()
    native_pools = any(name in sys.modules for name in _NATIVE_THREAD_POOLS)
    if "fork" in methods and threading.active_count() == 1 and not native_pools:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


@contextmanager
def _dask_client(workers: int, scheduler: str | None) -> Iterator[object]:
    """A client on the given scheduler, or on a private LocalCluster closed afterwards."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # the `dask` extra is optional
        raise RuntimeError(
            "engine 'dask' needs dask and distributed: pip install 'analysis[dask]'"
        ) from exc
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # no fixed port to collide on
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
