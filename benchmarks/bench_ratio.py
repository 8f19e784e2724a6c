"""The ratio to the peer, measured side by side in one run, and the stage breakdown.

    python benchmarks/bench_ratio.py [CORPUS] [--repeat 3] [--no-stages]

What `make bench` runs. Every round runs, one after the other, the peer (CAMeL Tools' normalize
+ dediac + tokenize + Counter over texts already in memory, `bench_pipeline job_peer`), then
`python -m analysis themes CORPUS --format csv` with `--workers 1`, with `--workers 2`, and
with `--engine dask` on a real local scheduler (`dask scheduler` plus two `dask worker
--no-nanny --preload analysis.dask_worker` processes of one thread each, started fresh before
each Dask run so that no run inherits a warm worker's caches; their start-up, imports included,
is not timed, as a cluster exists before the command runs). Rounds alternate so that a change
of machine load affects every configuration alike; the table gives the median of the rounds,
the ratio of the peer's median to it, and the largest peak RSS (summed over the command's
process tree, plus the Dask workers and scheduler). Each configuration's CSV is compared byte
for byte with the first one's. Then the stages are measured once each (`bench_pipeline` jobs:
load, clean, normalize+tokenize, themes one text at a time and in batches, tables, pipeline in
process), and the load average is printed at the start and the end: on a machine with other
jobs the figures move with it.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_pipeline as bp

WHOLE = Fraction(1)
CONFIGS = ("peer", "cli w=1", "cli w=2", "cli dask 2w")
STAGES = ("load", "clean", "tokenize", "themes", "batch", "tables", "pipeline")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dask_cluster(workers: int = 2) -> Iterator[tuple[str, list[psutil.Process]]]:
    """A real local scheduler and `workers` worker processes; yields its address."""
    bindir = Path(sys.executable).parent
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = [str(bindir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port)]
    worker = [str(bindir / "dask"), "worker", address, "--nthreads", "1", "--no-nanny"]
    worker += ["--preload", "analysis.dask_worker"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen([*scheduler, "--dashboard-address", ":0"], **quiet)]
    try:
        for _ in range(workers):
            procs.append(
                subprocess.Popen(
                    [*worker, "--memory-limit", "0", "--dashboard-address", ":0"], **quiet
                )
            )
        _wait_for_workers(address, workers)
        yield address, [psutil.Process(p.pid) for p in procs]
    finally:
        # Workers first, each gone before the scheduler is stopped: a worker told to stop
        # after the scheduler was gone sometimes spent 20 s trying to say goodbye to it.
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()  # reaped here, not by a later Popen inside a timed run


def _wait_for_workers(address: str, workers: int) -> None:
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(workers, timeout=120)


def run_command(
    command: list[str], out: Path, extra: Sequence[psutil.Process] = ()
) -> bp.CommandRun:
    """Run `command` with its output to `out` (`bench_pipeline.run_sampled`)."""
    with out.open("wb") as stdout:
        return bp.run_sampled(command, stdout=stdout, extra=extra)


class Run(NamedTuple):
    seconds: float
    peak: int
    digest: str  # sha256 of the CSV, '' for the peer
    cpu: float  # NaN for the peer, whose job times only its own work on one thread


def one_run(config: str, corpus: Path, folder: Path, index: int) -> Run:
    """Seconds, peak RSS, CSV digest and CPU seconds of one configuration."""
    if config == "peer":
        m = bp.measure_job("peer", corpus, WHOLE, 1)
        return Run(m.seconds, m.peak_rss, "", float("nan"))
    command = [sys.executable, "-m", "analysis", "themes", str(corpus), "--format", "csv"]
    out = folder / f"{config.replace(' ', '_').replace('=', '')}-{index}.csv"
    if config == "cli dask 2w":
        with dask_cluster(2) as (address, procs):
            result = run_command([*command, "--engine", "dask", "--scheduler", address], out, procs)
    else:
        workers = config.split("=")[1]
        result = run_command([*command, "--workers", workers], out)
    if result.code != 0:
        raise RuntimeError(f"{config} failed: {result.stderr.strip().splitlines()[-1:]}")
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    return Run(result.seconds, result.peak, digest, result.cpu)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("corpus", nargs="?", type=Path, default=bp.SAUDINEWSNET_DIR)
    p.add_argument("--repeat", type=int, default=3, help="alternating rounds (median kept)")
    p.add_argument("--configs", default=",".join(CONFIGS))
    p.add_argument("--no-stages", action="store_true", help="skip the stage breakdown")
    args = p.parse_args(argv)
    if not args.corpus.exists():
        print(f"benchmark skipped: corpus not found at {args.corpus} (set SAUDINEWSNET_DIR)")
        return 0
    configs = [c for c in args.configs.split(",") if c]
    os.environ["BENCH_TOTAL_DOCS"] = str(bp.count_documents(args.corpus))
    load = os.getloadavg()
    print(f"corpus {args.corpus}  cpus {os.cpu_count()}  load {load[0]:.2f} {load[1]:.2f}")
    print(f"python {sys.version.split()[0]}  rounds {args.repeat} (alternating, median)\n")
    runs: dict[str, list[Run]] = {c: [] for c in configs}
    folder = Path(tempfile.mkdtemp(prefix="bench-ratio-"))
    try:
        for index in range(args.repeat):
            for config in configs:
                runs[config].append(one_run(config, args.corpus, folder, index))
                run = runs[config][-1]
                cpu = "" if math.isnan(run.cpu) else f"  cpu {run.cpu:6.2f} s"
                print(
                    f"  round {index + 1} {config:<12} {run.seconds:7.2f} s"
                    f" {run.peak / bp.MB:6.0f} MB{cpu}"
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print_ratios(runs, os.cpu_count() or 1)
    if not args.no_stages:
        print_stages(args.corpus)
    print(f"\nload at the end {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    return 0


def print_ratios(runs: dict[str, list[Run]], cpus: int) -> None:
    """The table of medians. `cpu s` is the CPU the command used (its processes, and a Dask
    cluster's while it ran); spread over `cpus` cores without a moment idle, it could not
    end sooner than `cpu s / cpus`, so `peer / that` bounds the ratio on this machine."""
    peer = statistics.median(r.seconds for r in runs["peer"]) if runs.get("peer") else float("nan")
    digests = {r.digest for config, rs in runs.items() if config != "peer" for r in rs}
    print(
        f"\n{'config':<12} {'median s':>9} {'runs':>22} {'peak MB':>8} {'vs peer':>8}"
        f" {'cpu s':>7} {f'cpu/{cpus}':>7} {'bound':>7}"
    )
    for config, rs in runs.items():
        median = statistics.median(r.seconds for r in rs)
        seconds = " ".join(f"{r.seconds:.1f}" for r in rs)
        peak = max(r.peak for r in rs) / bp.MB
        cpu = statistics.median(r.cpu for r in rs)
        bound = (
            "" if math.isnan(cpu) else f" {cpu:7.2f} {cpu / cpus:7.2f} {peer * cpus / cpu:6.2f}x"
        )
        print(f"{config:<12} {median:9.2f} {seconds:>22} {peak:8.0f} {peer / median:7.2f}x{bound}")
    same = "identical" if len(digests) <= 1 else f"DIFFERENT ({len(digests)} digests)"
    print(f"CSV output of every command run: {same} ({next(iter(digests), '')[:16]})")


def print_stages(corpus: Path) -> None:
    print("\nstages (one fresh process each, input prepared outside the timer)")
    print(bp.HEADER)
    peer = bp.measure_job("peer", corpus, WHOLE, 1)
    bp.print_row(peer, peer)
    for stage in STAGES:
        m = bp.measure_job(stage, corpus, WHOLE, 1)
        if not m.bytes:
            m = dataclasses.replace(m, docs=peer.docs, bytes=peer.bytes, tokens=peer.tokens)
        bp.print_row(m, peer)


if __name__ == "__main__":
    sys.exit(main())
