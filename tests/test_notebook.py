"""Sentences the report generates from data: they must say exactly what the data says."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from analysis import config, themes
from analysis import notebook as nv
from analysis.pipeline import run_pipeline


def corpus(sources: list[str | None], dates: list[str | None], duplicates: int = 0):
    n = len(sources)
    documents = pd.DataFrame(
        {
            "source": pd.Series(sources, dtype="string"),
            "date": pd.to_datetime(pd.Series(dates)),
            "is_duplicate": [i < duplicates for i in range(n)],
        }
    )
    return SimpleNamespace(
        name="seeds",
        documents=documents,
        keep_duplicates=False,
        analysed=lambda: documents[~documents["is_duplicate"]],
    )


def test_a_single_date_is_not_written_as_a_range():
    english, arabic = nv.describe_corpus(
        corpus(["الدار", "النهار24", None, None, None], ["2020-12-17", None, None, None, None])
    )
    assert "1 of 5 carry a date, on 2020-12-17." in english
    assert "to 2020-12-17" not in english
    assert "بتاريخ 2020-12-17" in arabic


def test_outlets_and_dates_are_counted_among_all_documents():
    english, _ = nv.describe_corpus(
        corpus(["a", "b", "a", None], ["2015-07-21", "2015-08-11", None, "2015-07-30"], 1)
    )
    assert english.startswith("The corpus seeds holds 4 documents; 3 are analysed (1 duplicate")
    assert "3 of 4 name their outlet (2 outlets in all)." in english
    assert "3 of 4 carry a date, from 2015-07-21 to 2015-08-11." in english


def test_missing_metadata_is_not_mentioned():
    english, arabic = nv.describe_corpus(corpus([None, None], [None, None]))
    assert english == "The corpus seeds holds 2 documents; 2 are analysed."
    assert "منبر" not in arabic and "تاريخ" not in arabic


def test_held_out_validity_names_its_sample_and_warns_on_another_corpus() -> None:
    from analysis import themes

    lexicon = themes.default_lexicon()
    held_out = nv.held_out_validity(lexicon)
    assert list(held_out.scores["split"].unique()) == ["test", "dev"]
    assert held_out.corpora == ["saudinewsnet"]  # the seeds are all in dev
    names = {t.id: t.name_en for t in lexicon.themes}
    text = nv.describe_held_out(held_out, "seeds", names)
    n_test = int((held_out.labels["split"] == "test").sum())
    assert f"Held out: {n_test:,} sentences" in text
    assert "Cohen's kappa" in text
    assert "is not the one the sentences come from" in text
    assert "is not the one" not in nv.describe_held_out(held_out, "saudinewsnet", names)
    # The newest test round (least exposed to tuning) is scored on its own as well.
    rounds = held_out.labels.loc[held_out.labels["split"] == "test", "round"]
    newest = max(rounds, key=int)
    assert held_out.newest_round == newest
    n_newest = int((rounds == newest).sum())
    assert f"newest test round alone (round {newest}, {n_newest} sentences)" in text
    assert int(held_out.newest["sentences"].iloc[0]) == n_newest


def test_a_single_round_or_no_round_column_gets_no_newest_round(tmp_path) -> None:
    from analysis import themes

    path = tmp_path / "labels.tsv"
    path.write_text("id\tthemes\ttext\n1\tsecurity\tتفكيك خلية إرهابية\n", "utf-8")
    held_out = nv.held_out_validity(themes.default_lexicon(), path)
    assert held_out.newest is None and held_out.newest_round == ""
    assert "newest test round" not in nv.describe_held_out(held_out, "x", {})


def test_held_out_without_a_test_split_says_so(tmp_path) -> None:
    from analysis import themes

    path = tmp_path / "labels.tsv"
    path.write_text("id\tsplit\tthemes\ttext\n1\tdev\tsecurity\tتفكيك خلية إرهابية\n", "utf-8")
    held_out = nv.held_out_validity(themes.default_lexicon(), path)
    assert "has no test split" in nv.describe_held_out(held_out, "x", {})


# --- tables built on the themes stage's own ---------------------------------------------


def _seed_study():
    result = run_pipeline(config.SEEDS_DIR)
    return result.corpus.analysed(), result.analysis, themes


def scores(rows: list[tuple[str, int, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["theme", "positives", "precision", "recall"])


def test_themes_reaching_target_counts_only_themes_a_round_can_measure() -> None:
    """A round aimed at two themes says nothing about a theme it holds one sentence of."""
    names = {"a": "Alpha", "b": "Beta", "c": "Gamma", "d": "Delta"}
    text = nv.prose.themes_reaching_target(
        scores(
            [
                ("a", 40, 0.90, 0.88),
                ("b", 25, 0.83, 0.50),
                ("c", 1, float("nan"), 0.0),
                ("d", 0, float("nan"), float("nan")),
            ]
        ),
        names,
    )
    assert text.startswith("1 of 2 themes reach 0.85 in both precision and recall")
    assert "the weakest is Beta (precision 0.83, recall 0.50)" in text
    assert text.endswith(
        "Gamma and Delta have too few labelled or tagged sentences here to be measured"
    )


def test_themes_reaching_target_with_nothing_measurable_says_so() -> None:
    text = nv.prose.themes_reaching_target(scores([("a", 3, 1.0, 1.0)]), {})
    assert text == "no theme has the 10 labelled sentences needed to measure it"


def test_document_theme_table_adds_titles_and_totals_to_the_themes_table():
    documents, analysis, themes = _seed_study()
    table = nv.document_theme_table(analysis, documents)
    counts = themes.counts_by_document(analysis)
    assert list(table.columns) == ["doc_id", "title", *analysis.theme_ids, "total"]
    assert table["total"].tolist() == sorted(counts.sum(axis=1).tolist(), reverse=True)
    by_id = table.set_index("doc_id")[analysis.theme_ids]
    pd.testing.assert_frame_equal(by_id.loc[counts.index], counts, check_names=False)
    assert table["title"].map(len).gt(0).all()


def test_lexicon_table_counts_the_lexicon_s_entries_by_role():
    lexicon = themes.load_lexicon()
    table = nv.lexicon_table(lexicon)
    assert table["theme"].tolist() == [t.name_en for t in lexicon.themes]
    assert table["entries"].sum() == len(lexicon.patterns)
    summary = lexicon.summary()
    for role in ("word", "phrase", "exclude", "term", "cue"):
        assert table[role].tolist() == summary[role + "s"].tolist()


def test_distinctive_terms_show_written_words_with_their_keys():
    documents = run_pipeline(config.SEEDS_DIR).corpus.analysed()
    groups, _ = nv.keyness_groups(documents)
    table = nv.distinctive_terms(documents, groups)
    assert list(table.columns) == ["group", "word", "key", "count", "count_reference", "G2"]
    assert (table["word"].str.len() >= table["key"].str.len()).all()
    assert (table["word"] != table["key"]).any()  # stems such as تنم are shown as written


def test_interactive_tables_load_the_library_before_the_script_that_awaits_it():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()  # as in a kernel: displays go through the shell
    try:
        with capture_output() as captured:
            nv.init_interactive_tables()
    finally:
        InteractiveShell.clear_instance()
    (html,) = [o.data["text/html"] for o in captured.outputs]
    assert html.index("injectModule") < html.index("set_or_remove_dark_class")
    assert "unicode-bidi: plaintext" in html
