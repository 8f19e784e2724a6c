"""analysis.pipeline: the streaming run equals load_corpus + analyse_corpus, on every engine."""

from __future__ import annotations

import functools
import json
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis import arabic_batch, config, parallel, pipeline
from analysis.cli import themes as cli_themes
from analysis.corpus import (
    CorpusError,
    boilerplate,
    clean_text,
    dates,
    fingerprint,
    iter_documents,
    load_corpus,
)
from analysis.corpus.table import EMPTY_AFTER_CLEANING, TEXT_COLUMNS, WORD_COLUMNS
from analysis.pipeline import DocumentProcessor, run_pipeline
from analysis.themes import analyse_corpus, default_lexicon, document_theme_table

DATA = Path(__file__).parent / "data" / "pipeline"


def assert_same_result(got: pipeline.PipelineResult, want: pipeline.PipelineResult) -> None:
    pd.testing.assert_frame_equal(got.documents, want.documents)
    pd.testing.assert_frame_equal(got.audit, want.audit)
    pd.testing.assert_frame_equal(got.problems, want.problems)
    pd.testing.assert_frame_equal(got.hits, want.hits)
    pd.testing.assert_frame_equal(got.doc_tokens, want.doc_tokens)
    assert got.corpus.content_hash == want.corpus.content_hash


@pytest.fixture(scope="module")
def single() -> pipeline.PipelineResult:
    return run_pipeline(DATA)


@pytest.fixture
def small_chunks(monkeypatch):
    """Two documents per task, so a handful of documents still spans several chunks."""
    monkeypatch.setattr(
        pipeline, "map_ordered", functools.partial(parallel.map_ordered, chunk_size=2)
    )


def assert_same_as_one_loop(got, corpus, want) -> None:
    """`got` (run_pipeline) holds exactly what load_corpus (`corpus`) + analyse_corpus give."""
    pd.testing.assert_frame_equal(got.documents, corpus.documents)
    pd.testing.assert_frame_equal(got.audit, corpus.audit)
    pd.testing.assert_frame_equal(got.problems, corpus.problems)
    pd.testing.assert_frame_equal(got.hits, want.hits)
    pd.testing.assert_frame_equal(got.doc_tokens, want.doc_tokens)
    assert got.corpus.content_hash == corpus.content_hash
    assert got.corpus.summary == corpus.summary


@pytest.mark.parametrize("path", [DATA, config.SEEDS_DIR], ids=["fixture", "seeds"])
@pytest.mark.parametrize("keep_duplicates", [False, True])
def test_equals_load_corpus_then_analyse_corpus(path, keep_duplicates):
    got = run_pipeline(path, keep_duplicates=keep_duplicates)
    corpus = load_corpus(path, keep_duplicates=keep_duplicates)
    want = analyse_corpus(corpus.analysed())
    # One path per document: content warnings follow the loader's problems in both, in order.
    assert_same_as_one_loop(got, corpus, want)


def test_fixture_exercises_duplicates_problems_and_audit(single):
    docs = single.documents.set_index("doc_id")
    assert docs.loc["articles:2", "duplicate_of"] == "articles:0"  # exact copy
    assert docs.loc["articles:5", "duplicate_of"] == "articles:0"  # copy plus a follow prompt
    assert set(single.doc_tokens["doc_id"]) == set(docs.index[~docs["is_duplicate"]])
    assert set(single.problems["severity"]) == {"error", "warning"}
    assert EMPTY_AFTER_CLEANING in set(single.problems["message"])
    assert len(single.audit) >= 2
    assert single.hits["doc_id"].nunique() >= 3


def test_keep_duplicates_analyses_every_document():
    result = run_pipeline(DATA, keep_duplicates=True)
    assert list(result.doc_tokens["doc_id"]) == list(result.documents["doc_id"])


def test_without_text_only_the_text_columns_differ(single):
    light = run_pipeline(DATA, keep_text=False)
    assert not set(TEXT_COLUMNS) & set(light.documents.columns)
    pd.testing.assert_frame_equal(
        light.documents, single.documents.drop(columns=list(TEXT_COLUMNS))
    )
    pd.testing.assert_frame_equal(light.hits, single.hits)


@pytest.mark.parametrize("workers", [1, 2])
def test_without_word_counts_only_the_word_columns_differ(single, workers):
    """`count_words=False` (what `themes` and `trends` ask for) leaves out the two columns,
    in process and from workers, and changes nothing else."""
    lean = run_pipeline(DATA, keep_text=False, count_words=False, workers=workers)
    assert not set(WORD_COLUMNS) & set(lean.documents.columns)
    pd.testing.assert_frame_equal(
        lean.documents, single.documents.drop(columns=[*TEXT_COLUMNS, *WORD_COLUMNS])
    )
    for table in ("audit", "problems", "hits", "doc_tokens"):
        pd.testing.assert_frame_equal(getattr(lean, table), getattr(single, table))


def test_lexicon_may_be_given_as_a_path(single):
    result = run_pipeline(DATA, lexicon=config.LEXICON_PATH)
    pd.testing.assert_frame_equal(result.hits, single.hits)


def test_processor_survives_pickling_and_returns_no_token_lists():
    processor = pickle.loads(pickle.dumps(DocumentProcessor(default_lexicon(), keep_text=False)))
    document = next(iter_documents(DATA / "articles.json"))
    result = processor(document)
    assert "text" not in result.row
    assert result.analysis.n_tokens > 0
    assert result.fingerprint == fingerprint(clean_text(document.raw_text).text)
    assert pickle.loads(pickle.dumps(result)) == result


def test_two_local_workers_give_identical_results(single, small_chunks):
    assert_same_result(run_pipeline(DATA, workers=2), single)


@pytest.fixture(scope="module")
def dask_scheduler():
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    # Started as the README says a cluster is: workers preload the package.
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        preload=["analysis.dask_worker"],
    ) as cluster:
        yield cluster.scheduler_address


def test_dask_local_cluster_gives_identical_results(single, small_chunks, dask_scheduler):
    result = run_pipeline(DATA, engine="dask", scheduler=dask_scheduler)
    assert_same_result(result, single)


def test_a_dask_scheduler_never_imports_the_pipeline(single, tmp_path):
    """A real `dask scheduler` process (a LocalCluster's runs in this one, which has the
    package imported) runs a corpus without importing the pipeline: tasks reach it as
    bytes (`parallel.apply_to_sealed_chunk`)."""
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    bindir = Path(sys.executable).parent
    address_file = tmp_path / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [
            bindir / "dask",
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            address_file,
        ],
        **quiet,
    )
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not (address_file.exists() and address_file.stat().st_size):  # not yet listening
            assert scheduler.poll() is None, "the dask scheduler exited"
            assert time.monotonic() < deadline, "no scheduler address after 60 s"
            time.sleep(0.1)
        address = json.loads(address_file.read_text())["address"]
        worker = subprocess.Popen(
            [
                bindir / "dask",
                "worker",
                address,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--preload",
                "analysis.dask_worker",
            ],
            **quiet,
        )
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=120)
            result = run_pipeline(DATA, engine="dask", scheduler=address)
            imported = client.run_on_scheduler(
                eval,
                "[m in __import__('sys').modules for m in ('analysis.parallel', "
                "'analysis.pipeline', 'analysis.corpus', 'analysis.themes')]",
            )
    finally:
        # The worker gone before the scheduler is stopped: stopped after it, a worker
        # sometimes spent 20 s trying to reach it.
        for process in (worker, scheduler):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    assert_same_result(result, single)
    assert imported == [True, False, False, False]


_COMPILED_ON_FIRST_USE = (
    arabic_batch.character_table,
    arabic_batch.classes,
    boilerplate.line_rules_regex,
    boilerplate.phrase_patterns,
    dates.patterns,
)


@pytest.mark.parametrize("preload", [[], ["analysis.dask_worker"]])
def test_dask_workers_preload_what_a_shard_task_runs(preload):
    """`--preload analysis.dask_worker` imports the stages and makes the tokenizer's and
    the cleaning rules' patterns before the first task arrives, runs a document through the
    batch path on the thread that runs the tasks, and turns Dask's statistical profiler off
    (a worker without it has none of these: the check can tell)."""
    distributed = pytest.importorskip("distributed")
    names = ("analysis.pipeline", "analysis.themes.batch", "polars")
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            preload=preload,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        # A builtin, pickled by name: a function of this module would import it, and with it
        # the package, into the worker.
        answers = client.run(eval, f"[n in __import__('sys').modules for n in {names!r}]")
        profiling = client.run(
            eval, "__import__('dask').config.get('distributed.worker.profile.enabled')"
        )
        # The tokenizer's patterns, the classes they are written from and the cleaning
        # rules' patterns, already made.
        made = client.run(
            eval,
            "[f.cache_info().currsize for f in fs]",
            {"fs": _COMPILED_ON_FIRST_USE},
        )
        # A task, on the worker's one task thread: the one the preload warmed.
        warmed = client.submit(
            eval,
            "(lambda m: m is not None and __import__('threading').get_ident() in "
            "m.WARMED_THREADS)(__import__('sys').modules.get('analysis.dask_worker'))",
            pure=False,
        ).result()
    assert len(answers) == 1
    assert warmed is bool(preload)
    assert next(iter(answers.values())) == [bool(preload)] * len(names)
    assert list(profiling.values()) == [not preload]
    assert list(made.values()) == [[int(bool(preload))] * len(_COMPILED_ON_FIRST_USE)]


def test_a_worker_runs_a_shard_without_pandas():
    """What a shard task imports, and the task itself, leave pandas (and pyarrow) out:
    about 67 MB less in every worker process; only the client builds tables."""
    code = (
        "import sys, os\n"
        "import analysis.dask_worker\n"
        "from analysis.corpus import LoadReport\n"
        "from analysis.corpus.readers import list_sources\n"
        "from analysis.pipeline import Shard, ShardProcessor\n"
        "from analysis.themes import default_lexicon\n"
        f"sources, options = list_sources(__import__('pathlib').Path({str(DATA)!r}),"
        " report=LoadReport(), text_field=None, encoding=None, max_document_mb=None)\n"
        "processor = ShardProcessor(default_lexicon(), keep_text=False, columnar=True,"
        " second_thread=False)\n"
        "results = [processor(Shard(n, os.path.abspath(f), options)) for n, f in sources]\n"
        "assert sum(len(r.events) for r in results) > 0\n"
        "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert done.stdout.strip() == "[]", done.stderr


def test_scheduler_without_dask_engine_is_refused():
    with pytest.raises(ValueError, match="engine='dask'"):
        run_pipeline(DATA, scheduler="tcp://127.0.0.1:1")


def themes_args(**overrides):
    from analysis.cli import build_parser

    args = build_parser().parse_args(["themes", str(DATA), "--format", "csv"])
    for name, value in overrides.items():
        setattr(args, name, value)
    return args


def test_cli_table_equals_the_reference_path(capsys):
    """`python -m analysis themes` streams; its table is the one load + analyse would give."""
    corpus = load_corpus(DATA)
    documents = corpus.analysed()
    want = document_theme_table(analyse_corpus(documents, default_lexicon()), documents).to_csv(
        index=False
    )
    assert cli_themes.run(themes_args()) == 0
    got = capsys.readouterr().out
    assert got == want
    assert got.count("\n") == 1 + 5  # header + the five analysed documents


def test_cli_reports_a_missing_corpus(capsys):
    assert cli_themes.run(themes_args(corpus=DATA / "missing")) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(
    not config.SAUDINEWSNET_DIR.exists(),
    reason=f"SaudiNewsNet not found at {config.SAUDINEWSNET_DIR} (set SAUDINEWSNET_DIR)",
)
def test_equals_reference_path_on_one_saudinewsnet_archive():
    archive = min(config.SAUDINEWSNET_DIR.glob("*.zip"), key=lambda p: p.stat().st_size)
    got = run_pipeline(archive, workers=2)
    corpus = load_corpus(archive)
    want = analyse_corpus(corpus.analysed())
    pd.testing.assert_frame_equal(got.documents, corpus.documents)
    pd.testing.assert_frame_equal(got.hits, want.hits)
    pd.testing.assert_frame_equal(got.doc_tokens, want.doc_tokens)


def _mixed_corpus(root: Path) -> Path:
    """Several files, so several shards: a repeated id across files, problems in several."""
    import zipfile

    seeds = sorted(config.SEEDS_DIR.glob("*.txt"))[:3]
    (root / "sub").mkdir()
    for seed in seeds:
        (root / "sub" / seed.name).write_bytes(seed.read_bytes())
    (root / "2015.txt").write_bytes(seeds[0].read_bytes())
    with zipfile.ZipFile(root / "2015.zip", "w") as archive:  # 2015.zip!2015.txt is also 2015
        archive.writestr("2015.txt", seeds[1].read_text(encoding="utf-8"))
        archive.writestr("notes.bin", b"\x00")
    (root / "bad.json").write_text('{"content": "x", ', encoding="utf-8")
    (root / "empty.txt").write_text("", encoding="utf-8")
    record = {"content": seeds[2].read_text(encoding="utf-8"), "date": "not a date"}
    (root / "records.jsonl").write_text(
        '{"content": ""}\n' + json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return root


@pytest.mark.parametrize("workers", [1, 2])
def test_shards_replay_problems_ids_and_hash_as_one_loop(tmp_path, workers):
    """Each file is read by a worker; the client replays what one iter_documents loop gives."""
    root = _mixed_corpus(tmp_path)
    corpus = load_corpus(root)
    want = analyse_corpus(corpus.analysed())
    got = run_pipeline(root, workers=workers)
    assert_same_as_one_loop(got, corpus, want)
    assert "2015.zip!2015.txt" in set(got.documents["doc_id"])  # the repeated id, renamed
    assert got.problems["file"].nunique() >= 4  # problems from several shards, in order


def test_shards_are_files_read_by_the_worker():
    result = pipeline.ShardProcessor(default_lexicon(), keep_text=False)(
        pipeline.Shard("articles.json", str(DATA / "articles.json"), pipeline.ReadOptions())
    )
    want = list(iter_documents(DATA / "articles.json"))
    assert result.events.count(None) == len(want)  # a place for each document
    assert result.documents.prepared.rows["doc_id"] == [d.doc_id for d in want]
    assert len(result.documents.n_tokens) == len(want)
    assert [name for name, _ in result.digests] == ["articles.json"]
    assert pickle.loads(pickle.dumps(result)) == result


def test_an_empty_corpus_is_refused_after_the_shards(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(CorpusError, match="no readable document"):
        run_pipeline(tmp_path, workers=2)


@pytest.mark.slow
@pytest.mark.skipif(
    not config.SAUDINEWSNET_DIR.exists(),
    reason=f"SaudiNewsNet not found at {config.SAUDINEWSNET_DIR} (set SAUDINEWSNET_DIR)",
)
def test_equals_reference_path_on_two_saudinewsnet_archives(tmp_path):
    """Two real archives, two shards on two workers: the CLI table byte for byte."""
    for archive in sorted(config.SAUDINEWSNET_DIR.glob("*.zip"), key=lambda p: p.stat().st_size)[
        :2
    ]:
        (tmp_path / archive.name).symlink_to(archive)
    got = run_pipeline(tmp_path, workers=2, keep_text=False)
    corpus = load_corpus(tmp_path)
    want = analyse_corpus(corpus.analysed())
    assert document_theme_table(got.analysis, got.corpus.analysed()).to_csv(
        index=False
    ) == document_theme_table(want, corpus.analysed()).to_csv(index=False)
    pd.testing.assert_frame_equal(got.problems, corpus.problems)
    assert got.corpus.content_hash == corpus.content_hash
