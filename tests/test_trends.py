"""analysis.trends: rates per period and outlet checked by hand, seeded bootstrap, peaks, G²."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from report_support import reader_report

from analysis import config, trends
from analysis.cli import main
from analysis.notebook import trends as reading
from analysis.themes import Analysis, Theme

THEMES = [Theme("security", "الأمن", "Security", ""), Theme("sahel", "الساحل", "The Sahel", "")]

# doc, date, source, tokens, security hits, sahel hits
DOCS = [
    ("a1", "2015-08-03", "sabq", 100, 2, 0),  # Monday: week of 2015-08-03
    ("a2", "2015-08-05", "sabq", 300, 1, 1),
    ("a3", "2015-08-09", "okaz", 100, 3, 0),  # Sunday: still the week of 2015-08-03
    ("b1", "2015-08-10", "okaz", 200, 0, 2),  # next week
    ("b2", "2015-08-12", "okaz", 200, 1, 0),
    ("c1", "2015-08-25", None, 400, 4, 0),  # two weeks later: the week between is empty
    ("n1", None, "sabq", 500, 0, 0),  # no date
]


def fixture() -> tuple[Analysis, pd.DataFrame]:
    hits = []
    for doc, _, _, _, security, sahel in DOCS:
        for theme, n in (("security", security), ("sahel", sahel)):
            hits += [(doc, i, theme, "x", "x", 0, 1) for i in range(n)]
    hits_table = pd.DataFrame(
        hits, columns=["doc_id", "sentence", "theme", "entry", "match", "start", "end"]
    )
    tokens = pd.DataFrame(
        [(d[0], d[3], 10) for d in DOCS], columns=["doc_id", "n_tokens", "n_sentences"]
    )
    documents = pd.DataFrame(
        {
            "doc_id": [d[0] for d in DOCS],
            "title": [f"title {d[0]}" for d in DOCS],
            "source": [d[2] for d in DOCS],
            "date": pd.to_datetime([d[1] for d in DOCS]),
            "text": ["x" * 10 for _ in DOCS],
        }
    )
    return Analysis(hits_table, tokens, THEMES), documents


def rows(table: pd.DataFrame, **where) -> pd.DataFrame:
    mask = np.ones(len(table), dtype=bool)
    for column, value in where.items():
        mask &= table[column] == value
    return table[mask]


def test_weekly_rates_match_hand_computed_values():
    analysis, documents = fixture()
    result = trends.theme_trends(analysis, documents, "week", min_documents=2, n_boot=50)
    table = result.table
    weeks = sorted(table["period"].unique())
    assert [pd.Timestamp(w).strftime("%Y-%m-%d") for w in weeks] == [
        "2015-08-03",
        "2015-08-10",
        "2015-08-17",
        "2015-08-24",
    ]
    first = rows(table, period=pd.Timestamp("2015-08-03"), theme="security").iloc[0]
    # (2 + 1 + 3) mentions in (100 + 300 + 100) tokens = 12 per 1,000
    assert (first.documents, first.tokens, first.hits) == (3, 500, 6)
    assert first.rate == pytest.approx(12.0)
    sahel = rows(table, period=pd.Timestamp("2015-08-10"), theme="sahel").iloc[0]
    assert sahel.rate == pytest.approx(2 * 1000 / 400)  # 5 per 1,000
    empty = rows(table, period=pd.Timestamp("2015-08-17"), theme="security").iloc[0]
    assert empty.documents == 0 and not empty.enough and math.isnan(empty.rate)
    lonely = rows(table, period=pd.Timestamp("2015-08-24"), theme="security").iloc[0]
    assert lonely.documents == 1 and not lonely.enough and math.isnan(lonely.rate)
    assert (result.dated, result.total) == (6, 7)


def test_daily_rates_and_the_automatic_period():
    analysis, documents = fixture()
    result = trends.theme_trends(analysis, documents, min_documents=1, n_boot=20)
    assert result.by == "day"  # 23 days of span
    monday = rows(result.table, period=pd.Timestamp("2015-08-03"), theme="security").iloc[0]
    assert monday.rate == pytest.approx(20.0)  # 2 in 100
    assert len(result.table["period"].unique()) == 23


def test_choose_period_follows_the_span():
    days = pd.Series(pd.to_datetime(["2015-07-21", "2015-08-20"]))
    assert trends.choose_period(days) == "day"
    assert trends.choose_period(pd.Series(pd.to_datetime(["2015-01-01", "2015-12-31"]))) == "week"
    assert trends.choose_period(pd.Series(pd.to_datetime(["2010-01-01", "2015-12-31"]))) == "month"


def test_bootstrap_is_reproducible_and_seeded():
    analysis, documents = fixture()
    a = trends.theme_trends(analysis, documents, "week", min_documents=2, n_boot=200, seed=7)
    b = trends.theme_trends(analysis, documents, "week", min_documents=2, n_boot=200, seed=7)
    pd.testing.assert_frame_equal(a.table, b.table)
    counts, tokens = np.arange(40.0).reshape(20, 2), np.full(20, 100.0)
    draws = [trends.bootstrap_sums(counts, tokens, 30, np.random.default_rng(s)) for s in (1, 1, 2)]
    np.testing.assert_array_equal(draws[0][0], draws[1][0])
    assert not np.array_equal(draws[0][0], draws[2][0])
    first = rows(a.table, period=pd.Timestamp("2015-08-03"), theme="security").iloc[0]
    # percentile interval of resampled ratios: within the range of single-document rates
    assert 1000 / 300 - 1e-9 <= first.low <= first.rate <= first.high <= 30.0 + 1e-9


def test_bootstrap_interval_of_a_group_does_not_depend_on_other_groups():
    analysis, documents = fixture()
    full = trends.theme_trends(analysis, documents, "week", min_documents=2, n_boot=100)
    later = documents[documents["doc_id"].str.startswith(("b", "c"))]
    part = trends.theme_trends(analysis, later, "week", min_documents=2, n_boot=100)
    week = pd.Timestamp("2015-08-10")
    pd.testing.assert_frame_equal(
        rows(full.table, period=week).reset_index(drop=True),
        rows(part.table, period=week).reset_index(drop=True),
    )


def test_no_dates_gives_an_empty_table():
    analysis, documents = fixture()
    result = trends.theme_trends(analysis, documents.assign(date=pd.NaT))
    assert result.table.empty and result.dated == 0
    assert list(result.table.columns) == trends.TREND_COLUMNS
    assert trends.find_peaks(result).empty
    assert reading.trend_absence(result) is not None
    assert reading.rate_table(result).empty


def test_robust_z_and_the_peak_rule():
    values = np.array([2.0, 2.1, 1.9, 2.0, 2.2, 1.8, 6.0])
    z = trends.robust_z(values)
    assert z[-1] == pytest.approx(0.6745 * 4.0 / 0.1)
    assert trends.robust_z(np.array([1.0, 1.0, 1.0, 4.0]))[-1] > 0  # MAD 0: mean deviation
    assert not trends.robust_z(np.ones(5)).any()


def synthetic_peak_trends() -> trends.Trends:
    periods = pd.date_range("2015-08-03", periods=8, freq="D")
    rate = [2.0, 2.1, 1.9, 2.0, 6.0, 2.2, 1.8, 2.0]
    table = pd.DataFrame(
        {
            "period": periods,
            "theme": "security",
            "documents": 50,
            "tokens": 10_000,
            "hits": [r * 10 for r in rate],
            "rate": rate,
            "low": [r - 0.5 for r in rate],
            "high": [r + 0.5 for r in rate],
            "enough": True,
        }
    )
    return trends.Trends(table, "day", 10, 100, 1, 400, 400)


def test_find_peaks_flags_the_outlying_period_with_its_ratio():
    peaks = trends.find_peaks(synthetic_peak_trends())
    assert len(peaks) == 1
    peak = peaks.iloc[0]
    assert peak.period == pd.Timestamp("2015-08-07")
    assert peak["median"] == pytest.approx(2.0)
    assert peak.ratio == pytest.approx(3.0)


def test_a_peak_needs_its_interval_above_the_median_and_enough_periods():
    wide = synthetic_peak_trends()
    wide.table.loc[4, "low"] = 1.5  # the interval reaches below the median
    assert trends.find_peaks(wide).empty
    short = synthetic_peak_trends()
    short.table = short.table.head(trends.MIN_PEAK_PERIODS - 1)
    assert trends.find_peaks(short).empty


def test_peak_documents_and_their_concordance():
    analysis, documents = fixture()
    top = trends.peak_documents(analysis, documents, "security", "2015-08-03", "week", n=2)
    assert list(top["doc_id"]) == ["a3", "a1"]
    assert list(top["hits"]) == [3, 2]
    assert top["share"].tolist() == pytest.approx([0.5, 1 / 3])
    lines = trends.peak_kwic(analysis, documents, "security", ["a3", "a1"], per_document=1)
    assert list(lines["doc_id"]) == ["a3", "a1"]


def test_g2_matches_a_hand_computed_value_and_holm_adjusts():
    # 10 hits in 1,000 tokens against 10 in 4,000: expected 4 and 16 hits
    g2 = trends.log_likelihood(10, 1000, 10, 4000)
    expected = 2 * (
        10 * math.log(10 / 4) + 990 * math.log(990 / 996) + 10 * math.log(10 / 16)
    ) + 2 * 3990 * math.log(3990 / 3984)
    assert g2 == pytest.approx(expected)
    assert trends.chi2_sf_1(3.841458820694124) == pytest.approx(0.05)
    np.testing.assert_allclose(trends.holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])


def test_outlets_are_compared_with_the_rest_and_small_ones_pooled():
    analysis, documents = fixture()
    result = trends.compare_outlets(
        analysis, documents, min_tokens=100, min_documents=3, n_boot=100
    )
    # sabq: a1, a2, n1 (3 documents, 900 tokens); okaz: a3, b1, b2 (3, 500); c1 names none
    assert result.unsourced == 1 and result.pooled == []
    sabq = rows(result.table, outlet="sabq", theme="security").iloc[0]
    assert (sabq.documents, sabq.tokens, sabq.hits) == (3, 900, 3)
    assert sabq.rate == pytest.approx(3 * 1000 / 900)
    assert sabq.rest_rate == pytest.approx(4 * 1000 / 500)
    assert sabq.g2 == pytest.approx(trends.log_likelihood(3, 900, 4, 500))
    assert result.n_tests == 4
    np.testing.assert_allclose(
        result.table["p_holm"], trends.holm(result.table["p"].to_numpy()), rtol=1e-12
    )
    pooled = trends.compare_outlets(analysis, documents, min_tokens=600, min_documents=1)
    assert pooled.pooled == ["okaz"]
    assert pooled.outlets == ["sabq", trends.OTHER] or pooled.outlets == [trends.OTHER, "sabq"]


def test_one_outlet_or_none_gives_nothing_to_compare():
    analysis, documents = fixture()
    assert trends.compare_outlets(analysis, documents.assign(source=None)).table.empty
    only = trends.compare_outlets(analysis, documents.assign(source="sabq"))
    assert only.table.empty


# --- the reading (analysis.notebook.trends) -------------------------------------------------


def test_a_corpus_without_dates_or_sources_gets_a_sentence_instead_of_a_chart():
    analysis, documents = fixture()
    bare = documents.assign(date=pd.NaT, source=None)
    over_time = trends.theme_trends(analysis, bare)
    assert reading.trend_absence(over_time) == (
        "None of the 7 analysed documents carries a date, so coverage over time is not charted."
    )
    assert reading.peaks_absence(over_time).startswith("No peak is looked for: 0 months")
    outlets = trends.compare_outlets(analysis, bare)
    assert reading.outlet_absence(bare, outlets) == (
        "None of the 7 analysed documents names its outlet, so outlets are not compared."
    )
    one = documents.assign(source="sabq")
    assert "names the same one (<bdi>sabq</bdi>)" in reading.outlet_absence(
        one, trends.compare_outlets(analysis, one)
    )


def test_few_dates_are_explained_with_their_counts():
    analysis, documents = fixture()
    over_time = trends.theme_trends(analysis, documents, "week")
    assert reading.trend_absence(over_time) == (
        "Only 6 of the 7 analysed documents carry a date, falling in 3 weeks; a rate needs at "
        "least 10 documents in a week and a trend at least two such weeks (0 here), so coverage "
        "over time is not charted."
    )
    assert (
        reading.trend_absence(trends.theme_trends(analysis, documents, "week", min_documents=2))
        is None
    )


def test_the_peak_sentence_and_its_documents_come_from_the_tables():
    result = synthetic_peak_trends()
    peaks = trends.find_peaks(result)
    names = {"security": "Security"}
    text = reading.describe_trend(result, peaks, "security", names)
    assert "median of 2.00 mentions per 1,000 tokens per day over 8 days" in text
    assert "It peaked on 2015-08-07 at 3.0× its median rate" in text
    highlight = next(reading.highlights(result, peaks, "security").itertuples(index=False))
    top = pd.DataFrame(
        {
            "doc_id": ["d1"],
            "title": ["<script>alert(1)</script> {braces}"],
            "source": ["هسبريس"],
            "date": [pd.Timestamp("2015-08-07")],
            "hits": [12],
            "n_tokens": [300],
            "share": [0.2],
        }
    )
    sentence = reading.describe_peak_documents(highlight, top, "security", names, "day")
    assert sentence.startswith("Behind the peak of Security on 2015-08-07 (6.00 per 1,000")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {braces}" in sentence
    assert "<bdi>هسبريس</bdi>, 12 mentions" in sentence and "together 20%" in sentence


def test_without_a_peak_the_highest_period_is_shown_and_called_so():
    result = synthetic_peak_trends()
    result.table.loc[4, ["rate", "low", "high"]] = [2.3, 2.2, 2.4]
    peaks = trends.find_peaks(result)
    assert peaks.empty
    text = reading.describe_trend(result, peaks, "security", {})
    assert "its highest day is 1.1× the median, not a peak by the rule" in text
    highlight = reading.highlights(result, peaks, "security")
    assert len(highlight) == 1 and not highlight["flagged"].iloc[0]


def test_the_outlet_sentence_says_what_the_intervals_support():
    analysis, documents = fixture()
    comparison = trends.compare_outlets(
        analysis, documents, min_tokens=100, min_documents=3, n_boot=100
    )
    text = reading.describe_outlets(comparison, "security", {"security": "Security"})
    assert text.startswith("Across 2 outlets, Security weighs most in <bdi>okaz</bdi> (8.00")
    assert "Holm" in reading.outlet_caption(comparison)
    assert "1 document naming no outlet is left out" in reading.outlet_caption(comparison)
    shown = reading.outlet_table(comparison)
    assert list(shown["outlet"][:2]) == ["okaz", "sabq"]
    assert set(shown["differs by"]) <= {"both tests", "one test", "neither"}
    rates = reading.rate_table(trends.theme_trends(analysis, documents, "week", n_boot=10))
    assert list(rates.columns)[:2] == ["week", "theme"]
    assert rates["95% interval"].eq("").all()  # no week has 10 documents


# --- the command line and the seeds report ------------------------------------------------


def test_cli_writes_the_weekly_table_as_csv(tmp_path, capsys):
    corpus = tmp_path / "corpus.csv"
    pd.DataFrame(
        {
            "text": ["تفكيك خلية إرهابية في الساحل", "الأمن والإرهاب", "نص عن الطقس"],
            "date": ["2015-08-03", "2015-08-04", "2015-08-11"],
            "source": ["سبق", "عكاظ", "سبق"],
        }
    ).to_csv(corpus, index=False)
    argv = ["trends", str(corpus), "--by", "week", "--min-documents", "1", "--boot", "20"]
    assert main(argv) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(table.columns) == [*trends.TREND_COLUMNS, "by"]
    assert sorted(table["period"].unique()) == ["2015-08-03", "2015-08-10"]
    np.testing.assert_allclose(
        table["rate"], table["hits"] * 1000 / table["tokens"], equal_nan=True
    )
    assert main([*argv, "--table", "outlets", "--format", "tsv"]) == 0
    assert capsys.readouterr().out.startswith("outlet\ttheme\tdocuments")


def test_seeds_report_explains_the_absent_views_and_draws_no_empty_chart():
    out = reader_report()
    page = (out / "04_trends.html").read_text(encoding="utf-8")
    assert "Only 1 of the 5 analysed documents carries a date" in page
    assert "so there are not two groups to compare" in page
    assert "<img" not in page
    figures = {p.stem for p in (out / config.FIGURES_DIRNAME).iterdir()}
    assert not {"theme_trends", "theme_outlets"} & figures
