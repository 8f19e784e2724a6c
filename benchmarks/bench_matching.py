"""Matching time per MB on long synthetic documents: flat means matching is linear.

    python benchmarks/bench_matching.py [--sizes 100K,1M,10M] [--repeat N] [--timeout S]

Documents are real sentences (the seeds, the labelled validation samples of SaudiNewsNet and
the written validation set), those with a context-rule term or cue first, shuffled with a
fixed seed and repeated until the size is reached: dense in cues and context terms, which is
where a quadratic context check shows. Each size is built twice:

- `lines`: one sentence per line, as in ordinary articles;
- `oneline`: the same sentences on one line with every sentence end removed, so the whole
  document is one sentence (the worst case for a check within the sentence).

Each row times `themes.analyse_text` on one document in a fresh subprocess (the lexicon's
automaton and key cache warmed on a short text first, outside the timer), and prints seconds,
seconds per MB (UTF-8), hits and peak RSS. The `tag` row runs the whole
`python -m analysis tag` command on the largest `oneline` document (one 10 MB line).
A row that runs past `--timeout` seconds is printed as `>timeout`. The table and a JSON copy
are written to `benchmarks/results/` (ignored by git).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))  # runnable from a clean checkout without installing

MB = 1_000_000
RESULTS = PROJECT_ROOT / "benchmarks" / "results"
_SENTENCE_ENDS = re.compile(r"[.!?\u061f\u061b\u2026\u06d4\r\n\u2028\u2029\x85]+")
_SIZES = {"K": 1_000, "M": 1_000_000}


@dataclass
class Row:
    mode: str  # lines | oneline | tag
    size: str
    bytes: int
    seconds: float  # nan when it timed out or failed
    hits: int
    peak_rss: int
    note: str = ""


def parse_size(text: str) -> int:
    text = text.strip().upper()
    return int(float(text[:-1]) * _SIZES[text[-1]]) if text[-1] in _SIZES else int(text)


def sentence_pool() -> tuple[list[str], list[str]]:
    """Real sentences: (those with a context-rule term or cue, the others)."""
    import yaml

    from analysis import arabic, config
    from analysis.themes import load_lexicon

    texts = [
        s.text
        for path in sorted((PROJECT_ROOT / "seeds").glob("*.txt"))
        for s in arabic.split_sentences(path.read_text(encoding="utf-8"))
    ]
    for path in sorted((config.DATA_DIR / "validation").glob("sample*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            texts += [row["text"] for row in csv.DictReader(handle, delimiter="\t")]
    written = yaml.safe_load(config.VALIDATION_SET_PATH.read_text(encoding="utf-8"))
    texts += [item["text"] for item in written["sentences"]]
    lexicon = load_lexicon()
    rule_keys = {key for p in lexicon.patterns if p.rule >= 0 for key in p.keys}
    dense, other = [], []
    for text in dict.fromkeys(" ".join(t.split()) for t in texts if t.strip()):
        keys = lexicon.token_keys(arabic.TokenIndex(text).words)
        (dense if rule_keys.intersection(keys) else other).append(text)
    return dense, other


def build_document(size: int, mode: str, seed: int = 17) -> str:
    """About `size` UTF-8 bytes of shuffled real sentences (3 in 4 with a rule term or cue)."""
    dense, other = sentence_pool()
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size:
        sentence = rng.choice(dense if rng.random() < 0.75 else other)
        if mode == "oneline":
            sentence = _SENTENCE_ENDS.sub(" ", sentence).strip()
        parts.append(sentence)
        total += len(sentence.encode("utf-8")) + 1
    return ("\n" if mode == "lines" else " ").join(parts)


def run_one(mode: str, size: int) -> Row:
    """Inside a fresh subprocess: build the document, warm up, time `analyse_text`."""
    from analysis.themes import analyse_text, load_lexicon

    text = build_document(size, mode)
    lexicon = load_lexicon()
    analyse_text(text[:20_000], lexicon)  # automaton, key cache of most types
    start = time.perf_counter()
    result = analyse_text(text, lexicon)
    seconds = time.perf_counter() - start
    return Row(mode, "", len(text.encode("utf-8")), seconds, len(result.hits), _peak_rss())


def _peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def measure(mode: str, size: int, label: str, timeout: float, repeat: int) -> Row:
    """Best of `repeat` fresh-process runs of one document."""
    runs = []
    for _ in range(repeat):
        command = [sys.executable, __file__, "--job", f"{mode}:{size}"]
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return Row(mode, label, size, float("nan"), 0, 0, note=f">{timeout:.0f} s")
        if out.returncode != 0:
            reason = (out.stderr.strip().splitlines() or ["failed"])[-1][:80]
            return Row(mode, label, size, float("nan"), 0, 0, note=reason)
        row = Row(**json.loads(out.stdout.strip().splitlines()[-1]))
        row.size = label
        runs.append(row)
    return min(runs, key=lambda r: r.seconds)


def measure_tag(size: int, label: str, timeout: float) -> Row:
    """The whole `python -m analysis tag` command on one line of `size` bytes."""
    text = build_document(size, "oneline")
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        f.write(text + "\n")
    try:
        start = time.perf_counter()
        with open(f.name, "rb") as stdin:
            command = [sys.executable, "-m", "analysis", "tag"]
            out = subprocess.run(
                command, stdin=stdin, capture_output=True, timeout=timeout, cwd=PROJECT_ROOT
            )
        seconds = time.perf_counter() - start
    except subprocess.TimeoutExpired:
        return Row("tag", label, len(text.encode()), float("nan"), 0, 0, note=f">{timeout:.0f} s")
    finally:
        os.unlink(f.name)
    if out.returncode != 0:
        note = (out.stderr.decode("utf-8", "replace").strip().splitlines() or ["failed"])[-1]
        return Row("tag", label, len(text.encode()), float("nan"), 0, 0, note=note[:80])
    hits = len(json.loads(out.stdout.decode("utf-8"))["matches"])
    return Row("tag", label, len(text.encode()), seconds, hits, 0, note="process start included")


def format_row(row: Row) -> str:
    per_mb = row.seconds / (row.bytes / MB)
    rss = f"{row.peak_rss / MB:8.0f}" if row.peak_rss else f"{'-':>8}"
    return (
        f"{row.mode:<8} {row.size:>6} {row.bytes / MB:8.2f} {row.seconds:9.2f} {per_mb:8.2f} "
        f"{row.hits:>9} {rss}  {row.note}"
    )


HEADER = f"{'mode':<8} {'size':>6} {'MB':>8} {'seconds':>9} {'s/MB':>8} {'hits':>9} {'RSS MB':>8}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="100K,1M,10M", help="document sizes (K, M suffixes)")
    p.add_argument("--modes", default="lines,oneline,tag", help="subset of lines,oneline,tag")
    p.add_argument("--repeat", type=int, default=1, help="runs per document, best kept")
    p.add_argument("--timeout", type=float, default=600, help="seconds before a row gives up")
    p.add_argument("--out", default="matching", help="name of the files in benchmarks/results")
    p.add_argument("--job", help=argparse.SUPPRESS)  # internal: MODE:BYTES, one run
    args = p.parse_args(argv)
    if args.job:
        mode, size = args.job.split(":")
        print(json.dumps(asdict(run_one(mode, int(size)))))
        return 0
    labels = [s.strip() for s in args.sizes.split(",") if s.strip()]
    modes = [m for m in args.modes.split(",") if m]
    load = os.getloadavg()[0]
    lines = [
        f"matching per MB  {time.strftime('%Y-%m-%d %H:%M')}  cpus {os.cpu_count()}  "
        f"load {load:.2f}  python {sys.version.split()[0]}  repeat {args.repeat}",
        "",
        HEADER,
        "-" * len(HEADER),
    ]
    print("\n".join(lines), flush=True)
    rows = []
    for mode in (m for m in modes if m != "tag"):
        for label in labels:
            rows.append(measure(mode, parse_size(label), label, args.timeout, args.repeat))
            lines.append(format_row(rows[-1]))
            print(lines[-1], flush=True)
    if "tag" in modes:
        rows.append(measure_tag(parse_size(labels[-1]), labels[-1], args.timeout))
        lines.append(format_row(rows[-1]))
        print(lines[-1], flush=True)
    lines.append(f"\nload at the end {os.getloadavg()[0]:.2f}")
    print(lines[-1])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / f"{args.out}.json").write_text(
        json.dumps([asdict(r) for r in rows], indent=1), encoding="utf-8"
    )
    print(f"written to {RESULTS / args.out}.txt and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
