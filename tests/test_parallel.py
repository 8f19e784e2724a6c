"""analysis.parallel: every engine returns what a plain loop returns, in order."""

from __future__ import annotations

import pickle
from concurrent.futures import Future

import pytest

from analysis.parallel import (
    _windowed_map,
    apply_to_chunk,
    apply_to_sealed_chunk,
    chunked,
    map_ordered,
)


def square(x: int) -> int:
    return x * x


def fail_on_seven(x: int) -> int:
    if x == 7:
        raise ValueError("seven")
    return x


def test_chunked_keeps_every_item_in_order():
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunked([], 3)) == []


def test_apply_to_chunk_maps_in_order():
    assert apply_to_chunk(square, [3, 1, 2]) == [9, 1, 4]


def test_apply_to_sealed_chunk_opens_what_the_caller_pickled():
    assert apply_to_sealed_chunk(pickle.dumps(square), pickle.dumps([3, 1, 2])) == [9, 1, 4]


class RecordingExecutor:
    """Runs each task at once, and keeps what it was handed."""

    def __init__(self) -> None:
        self.submitted: list[tuple] = []

    def submit(self, fn, *args):
        self.submitted.append((fn, *args))
        future: Future = Future()
        future.set_result(fn(*args))
        return future


@pytest.mark.parametrize("sealed", [False, True])
def test_sealed_tasks_hold_only_bytes_and_give_the_same_results(sealed):
    """What a Dask scheduler unpickles: a sealed task's arguments are bytes, so it never
    imports the modules of the function or of the items."""
    executor = RecordingExecutor()
    got = list(_windowed_map(executor, square, range(10), 3, 2, sealed=sealed))
    assert got == [square(i) for i in range(10)]
    assert len(executor.submitted) == 4
    for fn, *args in executor.submitted:
        if sealed:
            assert fn is apply_to_sealed_chunk
            assert all(isinstance(arg, bytes) for arg in args)
        else:
            assert fn is apply_to_chunk
            assert args[0] is square


def test_in_process_map_is_lazy():
    consumed = []

    def source():
        for i in range(10):
            consumed.append(i)
            yield i

    results = map_ordered(square, source())
    assert next(results) == 0
    assert consumed == [0]


@pytest.mark.parametrize("chunk_size", [1, 4, 1000])
def test_process_pool_matches_loop_in_order(chunk_size):
    items = range(103)
    got = list(map_ordered(square, items, workers=2, chunk_size=chunk_size))
    assert got == [square(i) for i in items]


def test_process_pool_propagates_worker_errors():
    with pytest.raises(ValueError, match="seven"):
        list(map_ordered(fail_on_seven, range(20), workers=2, chunk_size=3))


def test_process_pool_on_empty_input():
    assert list(map_ordered(square, [], workers=2)) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"engine": "spark"}, "unknown engine"),
        ({"workers": 0}, "at least 1"),
        ({"scheduler": "tcp://127.0.0.1:1"}, "engine='dask'"),
    ],
)
def test_impossible_settings_are_rejected_before_work(kwargs, message):
    with pytest.raises(ValueError, match=message):
        list(map_ordered(square, range(3), **kwargs))


@pytest.fixture(scope="module")
def dask_scheduler():
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        yield cluster.scheduler_address


def test_dask_on_existing_scheduler_matches_loop(dask_scheduler):
    items = range(57)
    got = map_ordered(square, items, engine="dask", scheduler=dask_scheduler, chunk_size=5)
    assert list(got) == [square(i) for i in items]


def test_dask_maps_a_lambda_as_dask_itself_would(dask_scheduler):
    """Sealed tasks are pickled by cloudpickle, as Dask pickles tasks: a lambda goes too."""
    got = map_ordered(lambda x: x + 1, range(9), engine="dask", scheduler=dask_scheduler)
    assert list(got) == list(range(1, 10))


def test_dask_propagates_worker_errors(dask_scheduler):
    with pytest.raises(ValueError, match="seven"):
        list(map_ordered(fail_on_seven, range(20), engine="dask", scheduler=dask_scheduler))


def test_dask_private_local_cluster_matches_loop():
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    got = map_ordered(square, range(30), engine="dask", workers=2, chunk_size=4)
    assert list(got) == [square(i) for i in range(30)]
