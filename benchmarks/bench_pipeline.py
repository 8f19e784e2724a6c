"""Throughput, memory and scaling of the pipeline on a real corpus, beside the CAMeL Tools peer.

    python benchmarks/bench_pipeline.py [CORPUS] [--fractions 1/8,1/4,1/2,1] [--repeat N]

CORPUS defaults to SaudiNewsNet (`analysis.config.SAUDINEWSNET_DIR`); when it is absent the
script says so and exits 0. Every measurement runs in a fresh subprocess, so each peak RSS
belongs to that measurement alone; timings are the best of `--repeat` runs. A fraction f
means the first f of the corpus's documents in file order (sorted paths, record order).

Three kinds of rows are printed, per fraction:
- `peer` (CAMeL Tools normalize + dediac + alef/maqsura/taa + simple_word_tokenize + Counter)
  and `floor` (one compiled-regex tokenizer pass + Counter), on texts already in memory;
- the pipeline stages one at a time (load, clean, normalize+tokenize, themes, tables), each
  on its own input prepared outside the timer, and `pipeline` (`run_pipeline` in process);
- `cli w=N`: the whole command as an analyst runs it, process start included, with the peak
  RSS summed over the process tree (sampled) so that worker processes count.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple

import psutil

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))  # runnable from a clean checkout without installing

from analysis.config import SAUDINEWSNET_DIR  # noqa: E402

MB = 1_000_000
_FLOOR_TOKEN = re.compile(r"\w+")
_RSS_SAMPLE_SECONDS = 0.02
_TREE_REFRESH_SECONDS = 0.5  # a pool starts its workers at once; they live to the end


@dataclass
class Measure:
    """One timed run: what was processed, how long it took, how much memory it held."""

    stage: str
    fraction: str
    seconds: float
    docs: int
    bytes: int
    tokens: int
    peak_rss: int  # bytes, the whole process (or process tree for `cli`)
    note: str = ""


# --------------------------------------------------------------------------- corpus input


def corpus_texts(corpus: Path, fraction: Fraction) -> list[str]:
    """The article texts of the first `fraction` of the corpus, read without the package.

    Reading stops at the fraction's last document, so a small fraction's peak RSS does not
    include the whole corpus; the total is counted once by the parent (`BENCH_TOTAL_DOCS`).
    """
    from itertools import islice

    return list(islice(_iter_record_texts(corpus), fraction_size(corpus, fraction)))


def fraction_size(corpus: Path, fraction: Fraction) -> int:
    """How many documents the fraction holds."""
    total = int(os.environ.get("BENCH_TOTAL_DOCS", 0)) or count_documents(corpus)
    return documents_in(total, fraction)


def count_documents(corpus: Path) -> int:
    return sum(1 for _ in _iter_record_texts(corpus))


def documents_in(total: int, fraction: Fraction) -> int:
    return max(1, round(total * fraction))


def _iter_record_texts(corpus: Path) -> Iterator[str]:
    # Independent of analysis.corpus on purpose: the peer and the floor must be measurable
    # before, and regardless of, the project's own loader.
    for record in _iter_records(corpus):
        text = record.get("content") or ""
        if text.strip():
            yield text


def _iter_records(corpus: Path) -> Iterator[dict]:
    files = sorted(corpus.rglob("*")) if corpus.is_dir() else [corpus]
    for path in files:
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in sorted(archive.namelist()):
                    if name.endswith(".json"):
                        yield from json.loads(archive.read(name))
        elif path.suffix == ".json":
            yield from json.loads(path.read_bytes())
        elif path.suffix == ".jsonl":
            with path.open(encoding="utf-8") as lines:
                yield from (json.loads(line) for line in lines if line.strip())


def count_floor_tokens(texts: list[str]) -> int:
    """The common token denominator for every row's tokens/s: `\\w+` runs in the raw texts."""
    return sum(len(_FLOOR_TOKEN.findall(text)) for text in texts)


# --------------------------------------------------------------------------- jobs


def job_peer(corpus: Path, fraction: Fraction) -> tuple[Callable[[], object], list[str]]:
    """CAMeL Tools' normalization and tokenizer over in-memory texts, counted per document."""
    from camel_tools.tokenizers.word import simple_word_tokenize
    from camel_tools.utils.dediac import dediac_ar
    from camel_tools.utils.normalize import (
        normalize_alef_ar,
        normalize_alef_maksura_ar,
        normalize_teh_marbuta_ar,
        normalize_unicode,
    )

    texts = corpus_texts(corpus, fraction)

    def run() -> int:
        types = 0
        for text in texts:
            text = normalize_unicode(text)
            text = dediac_ar(text)
            text = normalize_alef_ar(text)
            text = normalize_alef_maksura_ar(text)
            text = normalize_teh_marbuta_ar(text)
            types += len(Counter(simple_word_tokenize(text)))
        return types

    return run, texts


def job_floor(corpus: Path, fraction: Fraction) -> tuple[Callable[[], object], list[str]]:
    """What any tokenizer costs at least: one compiled-regex pass and a Counter per document."""
    texts = corpus_texts(corpus, fraction)

    def run() -> int:
        return sum(len(Counter(_FLOOR_TOKEN.findall(text))) for text in texts)

    return run, texts


def job_load(corpus: Path, fraction: Fraction) -> tuple[Callable[[], object], list[str] | None]:
    """Files to raw records (`corpus.iter_documents`), stopping after the fraction's documents."""
    from itertools import islice

    from analysis.corpus import iter_documents

    wanted = fraction_size(corpus, fraction)

    def run() -> int:
        return sum(1 for _ in islice(iter_documents(corpus), wanted))

    return run, None


def job_clean(corpus: Path, fraction: Fraction) -> tuple[Callable[[], object], list[str]]:
    """Boilerplate removal and hygiene (`corpus.clean_text`) on raw texts in memory."""
    from analysis.corpus import clean_text

    texts = corpus_texts(corpus, fraction)

    def run() -> int:
        return sum(len(clean_text(text).text) for text in texts)

    return run, texts


def _cleaned(corpus: Path, fraction: Fraction) -> tuple[list[str], list[str]]:
    from analysis.corpus import clean_text

    texts = corpus_texts(corpus, fraction)
    return texts, [clean_text(text).text for text in texts]


def job_tokenize(corpus: Path, fraction: Fraction) -> tuple[Callable[[], object], list[str]]:
    """Normalized token type counts per document (`arabic.count_tokens`) on cleaned texts."""
    from analysis.arabic import count_tokens

    texts, cleaned = _cleaned(corpus, fraction)

    def run() -> int:
        return sum(len(count_tokens(text)) for text in cleaned)

    return run, texts


def job_themes(corpus: Path, fraction: Fraction) -> tuple[Callable[[], object], list[str]]:
    """Theme matching per document (`themes.analyse_text`) on cleaned texts."""
    from analysis.themes import analyse_text, load_lexicon

    lexicon = load_lexicon()
    texts, cleaned = _cleaned(corpus, fraction)

    def run() -> int:
        return sum(1 for text in cleaned if analyse_text(text, lexicon) is not None)

    return run, texts


def job_themes_batch(corpus: Path, fraction: Fraction) -> tuple[Callable[[], object], list[str]]:
    """Theme matching as the pipeline runs it by default: `themes.analyse_texts` on batches of
    `pipeline.BATCH_DOCUMENTS` cleaned texts."""
    from analysis.pipeline import BATCH_DOCUMENTS
    from analysis.themes import analyse_texts, load_lexicon

    lexicon = load_lexicon()
    texts, cleaned = _cleaned(corpus, fraction)

    def run() -> int:
        return sum(
            len(analyse_texts(cleaned[i : i + BATCH_DOCUMENTS], lexicon))
            for i in range(0, len(cleaned), BATCH_DOCUMENTS)
        )

    return run, texts


def job_tables(corpus: Path, fraction: Fraction) -> tuple[Callable[[], object], list[str] | None]:
    """The document x theme table and the theme summary from the pipeline's result."""
    from analysis import themes
    from analysis.pipeline import run_pipeline

    result = run_pipeline(_fraction_corpus(corpus, fraction), keep_text=False)

    def run() -> int:
        table = themes.document_theme_table(result.analysis, result.corpus.analysed())
        themes.theme_summary(result.analysis)
        return len(table.to_csv(index=False))

    return run, None


def job_pipeline(corpus: Path, fraction: Fraction) -> tuple[Callable[[], object], list[str] | None]:
    """`run_pipeline` in process (texts not kept, as the CLI runs it): files to DataFrames."""
    from analysis.pipeline import run_pipeline

    path = _fraction_corpus(corpus, fraction)

    def run() -> int:
        return len(run_pipeline(path, keep_text=False).documents)

    return run, None


JOBS: dict[str, Callable[[Path, Fraction], tuple[Callable[[], object], list[str] | None]]] = {
    "peer": job_peer,
    "floor": job_floor,
    "load": job_load,
    "clean": job_clean,
    "tokenize": job_tokenize,
    "themes": job_themes,
    "batch": job_themes_batch,
    "tables": job_tables,
    "pipeline": job_pipeline,
}


def run_job(name: str, corpus: Path, fraction: Fraction) -> Measure:
    """Prepare the job's input, then time its body alone; called inside a fresh subprocess.

    Jobs that read the corpus themselves return no texts, so that the texts do not count in
    their peak RSS; their docs, bytes and tokens are the peer's (same fraction, same texts).
    """
    run, texts = JOBS[name](corpus, fraction)
    texts = texts or []
    gc.collect()
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    return Measure(
        stage=name,
        fraction=str(fraction),
        seconds=seconds,
        docs=len(texts),
        bytes=sum(len(text.encode("utf-8")) for text in texts),
        tokens=count_floor_tokens(texts),
        peak_rss=peak_rss(),
    )


def peak_rss() -> int:
    """This process's peak RSS in bytes.

    Linux's VmHWM belongs to the current address space; ru_maxrss survives execve, so a
    child started from a large parent would report the parent's size as its own peak.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure_job(name: str, corpus: Path, fraction: Fraction, repeat: int) -> Measure:
    """Best of `repeat` fresh-process runs of one job (fastest time, its own peak RSS)."""
    runs = []
    for _ in range(repeat):
        command = [sys.executable, __file__, str(corpus), "--job", name]
        command += ["--fractions", str(fraction)]
        out = subprocess.run(command, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            reason = (out.stderr.strip().splitlines() or ["failed"])[-1]
            return Measure(name, str(fraction), float("nan"), 0, 0, 0, 0, note=reason[:90])
        runs.append(Measure(**json.loads(out.stdout.strip().splitlines()[-1])))
    return min(runs, key=lambda m: m.seconds)


# --------------------------------------------------------------------------- whole command


def measure_command(
    corpus: Path, fraction: Fraction, workers: int, repeat: int, reference: Measure, entry: str
) -> Measure:
    """Wall time and process-tree peak RSS of the `themes` command, process start included."""
    path = _fraction_corpus(corpus, fraction)
    runs = []
    for _ in range(repeat):
        command = [sys.executable, *COMMANDS[entry], str(path), "--format", "csv"]
        command += ["--workers", str(workers)]
        seconds, _, peak, code, err = run_sampled(command)
        if code != 0:
            note = (err.strip().splitlines() or ["failed"])[-1][:90]
            return Measure(f"cli w={workers}", str(fraction), float("nan"), 0, 0, 0, 0, note)
        runs.append((seconds, peak))
    seconds, peak = min(runs)
    return Measure(
        f"cli w={workers}",
        str(fraction),
        seconds,
        reference.docs,
        reference.bytes,
        reference.tokens,
        peak,
        note=" ".join(COMMANDS[entry][1:]),
    )


COMMANDS = {
    "analysis": ["-m", "analysis", "themes"],  # what analysts run
}


class CommandRun(NamedTuple):
    seconds: float
    cpu: float  # user + system seconds of the command's tree and of `extra` while it ran
    peak: int  # peak RSS of the command's tree plus `extra` trees
    code: int
    stderr: str


def run_sampled(
    command: list[str], *, stdout: Any = subprocess.DEVNULL, extra: Sequence[psutil.Process] = ()
) -> CommandRun:
    """Run a command to the end, sampling the RSS of its tree and of the `extra` trees."""
    extra_before = [_cpu(p) for p in extra]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, stdout=stdout, stderr=err, cwd=PROJECT_ROOT)
        trees = TreeRss([psutil.Process(proc.pid), *extra])
        peak = 0
        # Reaped by `wait4`, the command reports its own CPU and that of the processes it
        # waited for (its workers): no other child of this process is counted, as one
        # reaped meanwhile would be in `getrusage(RUSAGE_CHILDREN)`.
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, trees.sample())
            time.sleep(_RSS_SAMPLE_SECONDS)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        cpu = usage.ru_utime + usage.ru_stime
        # A Dask cluster's processes are still running: their CPU while the command ran.
        cpu += sum(_cpu(p) - before for p, before in zip(extra, extra_before, strict=True))
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        return CommandRun(seconds, cpu, peak, proc.returncode, stderr)


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


class TreeRss:
    """The summed RSS of process trees (each root and its descendants), for sampling often.

    Who is in a tree is looked up every `_TREE_REFRESH_SECONDS` only: a lookup scans every
    process on the machine (about 1 ms). Done at every 20 ms sample, for the four trees of
    a Dask run (client, scheduler, two workers), it took a fifth of a core from the command
    being timed, a twentieth from a one-process command, and nothing from the peer's job,
    which measures itself.
    """

    def __init__(self, roots: Sequence[psutil.Process]) -> None:
        self.roots = list(roots)
        self.members: list[psutil.Process] = []
        self.looked_up = -math.inf

    def sample(self) -> int:
        now = time.monotonic()
        if now - self.looked_up >= _TREE_REFRESH_SECONDS:
            self.members = [proc for root in self.roots for proc in _tree(root)]
            self.looked_up = now
        total = 0
        for proc in self.members:
            with contextlib.suppress(psutil.NoSuchProcess):  # a worker may exit between calls
                total += proc.memory_info().rss
        return total


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


_SUBSETS: dict[Fraction, Path] = {}


def _fraction_corpus(corpus: Path, fraction: Fraction) -> Path:
    """The corpus itself for f = 1, else a temporary copy of its first documents.

    The copy keeps the original layout (one zip per source file, each a JSON array) so that
    loading costs the same per byte; it lives in the system temp folder, never in the repo.
    """
    if fraction == 1:
        return corpus
    if fraction in _SUBSETS:
        return _SUBSETS[fraction]
    # Made once by the parent: reading the whole corpus here would inflate the job's RSS.
    if made := json.loads(os.environ.get("BENCH_SUBSETS", "{}")).get(str(fraction)):
        return Path(made)
    records = [r for r in _iter_records_with_file(corpus)]
    kept = documents_in(sum(1 for _, r in records if (r.get("content") or "").strip()), fraction)
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{fraction.numerator}-{fraction.denominator}-"))
    by_file: dict[str, list[dict]] = {}
    seen = 0
    for name, record in records:
        if seen >= kept:
            break
        seen += bool((record.get("content") or "").strip())
        by_file.setdefault(name, []).append(record)
    for name, group in by_file.items():
        with zipfile.ZipFile(folder / f"{name}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{name}.json", json.dumps(group, ensure_ascii=False))
    _SUBSETS[fraction] = folder
    return folder


def _iter_records_with_file(corpus: Path) -> Iterator[tuple[str, dict]]:
    for path in sorted(corpus.rglob("*.zip")) if corpus.is_dir() else [corpus]:
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                if name.endswith(".json"):
                    for record in json.loads(archive.read(name)):
                        yield path.stem, record


# --------------------------------------------------------------------------- report


HEADER = (
    f"{'fraction':>8} {'stage':<10} {'seconds':>8} {'MB/s':>7} {'docs/s':>8} "
    f"{'Mtok/s':>7} {'peakRSS MB':>10} {'vs CAMeL':>8}  note"
)


def print_row(m: Measure, peer: Measure) -> None:
    """One measurement, printed as soon as it is taken (a full run takes many minutes)."""
    ratio = peer.seconds / m.seconds if m.seconds == m.seconds else float("nan")
    print(
        f"{m.fraction:>8} {m.stage:<10} {m.seconds:8.2f} {m.bytes / MB / m.seconds:7.2f} "
        f"{m.docs / m.seconds:8.0f} {m.tokens / 1e6 / m.seconds:7.3f} "
        f"{m.peak_rss / MB:10.0f} {ratio:7.2f}x  {m.note}",
        flush=True,
    )


def print_scaling(rows: list[Measure]) -> None:
    """Seconds per MB at each fraction relative to the whole corpus: 1.00 means linear."""
    print("\nscaling (seconds per MB, relative to the whole corpus; 1.00 = linear)")
    stages = list(dict.fromkeys(m.stage for m in rows))
    fractions = list(dict.fromkeys(m.fraction for m in rows))
    print(f"{'stage':<10} " + " ".join(f"{f:>7}" for f in fractions))
    for stage in stages:
        by_fraction = {m.fraction: m for m in rows if m.stage == stage}
        whole = by_fraction.get(fractions[-1])
        if not whole or whole.seconds != whole.seconds:
            continue
        base = whole.seconds / whole.bytes
        cells = []
        for f in fractions:
            m = by_fraction.get(f)
            ok = m and m.seconds == m.seconds and m.bytes
            cells.append(f"{m.seconds / m.bytes / base:7.2f}" if ok else f"{'-':>7}")
        print(f"{stage:<10} " + " ".join(cells))


def parse_fractions(text: str) -> list[Fraction]:
    return [Fraction(part) for part in text.split(",")]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("corpus", nargs="?", type=Path, default=SAUDINEWSNET_DIR)
    p.add_argument("--fractions", type=parse_fractions, default=parse_fractions("1/8,1/4,1/2,1"))
    p.add_argument("--repeat", type=int, default=1, help="runs per measurement, best kept")
    p.add_argument("--stages", default=",".join(JOBS), help="comma-separated subset of stages")
    p.add_argument("--workers", default="1,2", help="worker counts for the whole command")
    p.add_argument("--no-cli", action="store_true", help="skip the whole-command measurement")
    p.add_argument(
        "--command",
        choices=list(COMMANDS),
        default="analysis",
        help="whole command measured: `python -m analysis themes`",
    )
    p.add_argument("--job", choices=list(JOBS), help=argparse.SUPPRESS)  # internal: one run
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.corpus.exists():
        print(f"benchmark skipped: corpus not found at {args.corpus} (set SAUDINEWSNET_DIR)")
        return 0
    if args.job:
        print(json.dumps(asdict(run_job(args.job, args.corpus, args.fractions[0]))))
        return 0

    stages = [s for s in args.stages.split(",") if s]
    os.environ["BENCH_TOTAL_DOCS"] = str(count_documents(args.corpus))
    load = os.getloadavg()
    print(f"corpus {args.corpus}  cpus {os.cpu_count()}  load {load[0]:.2f} {load[1]:.2f}")
    print(f"python {sys.version.split()[0]}  repeat {args.repeat} (best kept)\n")
    rows: list[Measure] = []
    print(HEADER)
    print("-" * len(HEADER))
    try:
        for fraction in args.fractions:
            _fraction_corpus(args.corpus, fraction)
            subsets = {str(f): str(path) for f, path in _SUBSETS.items()}
            os.environ["BENCH_SUBSETS"] = json.dumps(subsets)
            peer = measure_job("peer", args.corpus, fraction, args.repeat)
            print_row(peer, peer)
            rows.append(peer)
            for stage in (s for s in stages if s != "peer"):
                m = measure_job(stage, args.corpus, fraction, args.repeat)
                if not m.bytes:
                    m = replace(m, docs=peer.docs, bytes=peer.bytes, tokens=peer.tokens)
                rows.append(m)
                print_row(m, peer)
            for workers in [] if args.no_cli else [int(w) for w in args.workers.split(",")]:
                rows.append(
                    measure_command(args.corpus, fraction, workers, args.repeat, peer, args.command)
                )
                print_row(rows[-1], peer)
    finally:
        _remove_subsets()
    print_scaling(rows)
    print(f"\nload at the end {os.getloadavg()[0]:.2f}")
    return 0


def _remove_subsets() -> None:
    import shutil

    for folder in _SUBSETS.values():
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
