"""Explorer response time on a real corpus: one filter change, after the study is loaded.

    python benchmarks/bench_explore.py [CORPUS] [--workers N] [--cache FILE]

Loads the corpus once with `pipeline.run_pipeline` (the study every notebook opens; with
`--cache` the result is pickled there and read back on the next run), builds the explorer's
index once (timed: `index`), then replays a fixed script of filter changes on an
`analysis.explore.Explorer` (widgets without a front end): every theme, an entry, every
outlet, a date range, new and repeated searches (`الارهاب` must find `الإرهاب`), and a reset.
For each change it prints the seconds of the whole update the user waits for (`update`:
query, counts, chart PNG, KWIC and document HTML, as the control's observer runs it; a new
search includes its one pass over the corpus) and of `ExplorerIndex.query` alone run again
(`query`, searches then cached). Nothing asserts the figures: read the load average printed
with them, and run the script twice before quoting one.
Exits 0 with `benchmark skipped: ...` when the corpus is absent.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))  # runnable from a clean checkout without installing

os.environ.setdefault("MPLBACKEND", "Agg")


def load(corpus: Path, workers: int, cache: Path | None) -> object:
    from analysis.pipeline import run_pipeline

    if cache is not None and cache.exists():
        with cache.open("rb") as stream:
            return pickle.load(stream)  # written by this script earlier: trusted
    result = run_pipeline(corpus, workers=workers)
    if cache is not None:
        with cache.open("wb") as stream:
            pickle.dump(result, stream, protocol=pickle.HIGHEST_PROTOCOL)
    return result


def main(argv: list[str] | None = None) -> int:
    from analysis import config

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=config.SAUDINEWSNET_DIR)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None)
    options = parser.parse_args(argv)
    if not options.corpus.exists():
        print(f"benchmark skipped: no corpus at {options.corpus}")
        return 0
    from analysis.explore import Explorer, ExplorerIndex

    print(f"load average {os.getloadavg()[0]:.2f}; corpus {options.corpus}")
    began = time.perf_counter()
    result = load(options.corpus, options.workers, options.cache)
    from analysis.themes import load_lexicon

    lexicon = load_lexicon()
    documents = result.corpus.analysed()
    print(f"study      {time.perf_counter() - began:8.2f} s  ({len(documents):,} documents)")
    began = time.perf_counter()
    index = ExplorerIndex.build(result.analysis, documents, lexicon)
    print(f"index      {time.perf_counter() - began:8.2f} s  ({len(index.hits):,} hits)")
    began = time.perf_counter()
    explorer = Explorer(index, lexicon)
    print(f"widgets    {time.perf_counter() - began:8.2f} s  (first render)")

    span = index.date_range()
    steps: list[tuple[str, dict[str, object]]] = [
        (f"theme={t}", {"theme": t}) for t in index.theme_ids
    ]
    first = index.theme_ids[0]
    entry = index.entries[first][0]
    steps.append((f"theme={first} entry={entry}", {"theme": first, "entry": entry}))
    steps.append(("entry=any", {"entry": ""}))
    steps += [(f"outlet={o}", {"outlet": o}) for o in index.outlet_names[:6]]
    steps.append(("outlet=all", {"outlet": ""}))
    if span is not None:
        middle = span[0] + (span[1] - span[0]) / 2
        steps.append(("from=middle", {"start": middle.date()}))
        steps.append(("from=first", {"start": span[0].date()}))
    steps += [
        ("search=الارهاب (new)", {"search": "الارهاب"}),
        ("search=داعش (new)", {"search": "داعش"}),
        ("search=الارهاب (again)", {"search": "الارهاب"}),
        ("search=مكافحة الارهاب", {"search": "مكافحة الارهاب"}),
        ("search=''", {"search": ""}),
        ("theme=all", {"theme": ""}),
    ]
    controls = {
        "theme": explorer.theme,
        "entry": explorer.entry,
        "outlet": explorer.outlet,
        "start": explorer.start,
        "search": explorer.search,
    }
    print(
        f"{'change':32s} {'query s':>8s} {'update s':>9s} {'docs':>7s} {'hits':>8s} {'lines':>7s}"
    )
    worst = 0.0
    for name, change in steps:
        for key, value in change.items():
            controls[key].value = value
        update = explorer.timings[-1]
        began = time.perf_counter()
        selection = index.query(explorer.current_filters())
        query = time.perf_counter() - began
        worst = max(worst, update)
        print(
            f"{name:32s} {query:8.3f} {update:9.3f} {selection.n_documents:7,d} "
            f"{selection.n_hits:8,d} {len(explorer.lines):7,d}"
        )
    print(f"slowest update {worst:.3f} s; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
