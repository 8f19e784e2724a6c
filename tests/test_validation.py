"""analysis.themes.validation: samples, labels, agreement, scores and the surface-form audit."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import config, themes
from analysis.pipeline import run_pipeline
from analysis.themes import validation

DATA = Path(__file__).parent / "data" / "validation"
THEME_IDS = themes.default_lexicon().theme_ids


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        input=stdin,
        timeout=300,
        cwd=config.PROJECT_ROOT,
    )


# --- intervals and agreement ------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Reference values: Wilson (1927) score interval, z = 1.96 (as statsmodels'
        # proportion_confint(method="wilson") gives them).
        (8, 10, 0.4902, 0.9433),
        (10, 10, 0.7225, 1.0),
        (0, 10, 0.0, 0.2775),
        (45, 50, 0.7864, 0.9565),
    ],
)
def test_wilson_interval_matches_reference_values(
    successes: int, trials: int, low: float, high: float
) -> None:
    got = validation.wilson_interval(successes, trials)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_wilson_interval_of_nothing_is_undefined() -> None:
    assert all(math.isnan(x) for x in validation.wilson_interval(0, 0))


def test_cohen_kappa_by_hand() -> None:
    # 10 items: both yes 4, both no 4, one each way 1. po = 0.8, pe = 0.5*0.5 + 0.5*0.5.
    a = [True] * 5 + [False] * 5
    b = [True] * 4 + [False] + [True] + [False] * 4
    assert validation.cohen_kappa(a, b) == pytest.approx((0.8 - 0.5) / 0.5)
    assert validation.cohen_kappa(a, a) == 1.0
    assert validation.cohen_kappa([False] * 3, [False] * 3) == 1.0  # no positives at all


def test_agreement_table_counts_each_side() -> None:
    first = pd.DataFrame({"id": ["1", "2", "3"], "themes": [{"security"}, set(), {"sahel"}]})
    second = pd.DataFrame({"id": ["1", "2", "3"], "themes": [{"security"}, {"security"}, set()]})
    table = validation.agreement(first, second, ["security", "sahel"]).set_index("theme")
    assert table.loc["security", ["both", "only_first", "only_second"]].tolist() == [1, 0, 1]
    assert table.loc["sahel", ["both", "only_first", "only_second"]].tolist() == [0, 1, 0]


# --- labelled files ---------------------------------------------------------------------


def test_read_labels_parses_themes_and_split() -> None:
    labels = validation.read_labels(DATA / "labels_ok.tsv", THEME_IDS)
    assert labels["themes"].tolist()[:2] == [frozenset({"security"}), frozenset()]
    assert labels["split"].tolist() == ["test", "test", "test", "dev"]
    assert labels["line"].tolist() == [2, 3, 4, 5]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("labels_unknown_theme.tsv", ":3: unknown theme(s) sport"),
        ("labels_extra_field.tsv", ":2: 4 fields, the header has 3"),
        ("labels_no_themes.tsv", ":1: missing column(s) themes"),
    ],
)
def test_malformed_labels_name_file_and_line(name: str, message: str) -> None:
    with pytest.raises(validation.LabelsError) as error:
        validation.read_labels(DATA / name, THEME_IDS)
    assert f"{DATA / name}{message}" in str(error.value)


def test_labels_that_are_not_utf8_or_empty_are_refused(tmp_path: Path) -> None:
    latin = tmp_path / "latin.tsv"
    latin.write_bytes("id\tthemes\ttext\n1\tnone\tcaf\xe9\n".encode("latin-1"))
    with pytest.raises(validation.LabelsError, match="not UTF-8"):
        validation.read_labels(latin, THEME_IDS)
    empty = tmp_path / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(validation.LabelsError, match=r"empty.tsv:1: empty file"):
        validation.read_labels(empty, THEME_IDS)
    twice = tmp_path / "twice.tsv"
    twice.write_text("id\tthemes\ttext\n1\tnone\tنص\n1\tnone\tنص آخر\n", encoding="utf-8")
    with pytest.raises(validation.LabelsError, match=r"twice.tsv:3: id '1' already on line 2"):
        validation.read_labels(twice, THEME_IDS)


def test_score_counts_and_intervals_on_a_tiny_set() -> None:
    labels = validation.read_labels(DATA / "labels_ok.tsv", THEME_IDS)
    scores = validation.score(labels, themes.default_lexicon()).set_index(["split", "theme"])
    security = scores.loc[("test", "security")]
    # a1 is found; a3's "الأمن الغذائي" is excluded but its last "للأمن" counts: tp 2.
    assert security[["tp", "fp", "fn", "positives", "sentences"]].tolist() == [2, 0, 0, 2, 3]
    assert security["recall_low"] == pytest.approx(validation.wilson_interval(2, 2)[0])
    assert scores.loc[("dev", "sahel"), "tp"] == 1


# --- the project's labelled set -----------------------------------------------------------


def test_project_labels_are_complete_and_split_by_document() -> None:
    labels = validation.read_labels(config.LABELS_PATH, THEME_IDS)
    assert len(labels) >= 400
    assert set(labels["split"]) == {"dev", "test"}
    per_document = labels.groupby("doc_id")["split"].nunique()
    assert (per_document == 1).all(), "a document's sentences must all be in one split"
    seeds = labels[labels["id"].str.startswith("seed")]
    assert (seeds["split"] == "dev").all(), "the lexicon was written on the seeds"
    for split in ("dev", "test"):
        positives = labels[labels["split"] == split]["themes"]
        for theme in THEME_IDS:
            assert sum(theme in t for t in positives) >= 15, (split, theme)


def test_project_passes_agree_well_and_every_dispute_is_adjudicated() -> None:
    folder = config.VALIDATION_DIR
    first = validation.read_annotations(folder / "annotator_a.tsv", THEME_IDS)
    second = validation.read_annotations(folder / "annotator_b.tsv", THEME_IDS)
    adjudicated = validation.read_annotations(folder / "adjudicated.tsv", THEME_IDS)
    table = validation.agreement(first, second, THEME_IDS)
    assert (table["kappa"] > 0.8).all(), table
    merged = first.merge(second, on="id")
    disputed = set(merged[merged["themes_x"] != merged["themes_y"]]["id"])
    assert disputed == set(adjudicated["id"])
    labels = validation.read_labels(config.LABELS_PATH, THEME_IDS).set_index("id")
    agreed = merged[merged["themes_x"] == merged["themes_y"]].set_index("id")["themes_x"]
    assert (labels.loc[agreed.index, "themes"] == agreed).all()
    decided = adjudicated.set_index("id")["themes"]
    assert (labels.loc[decided.index, "themes"] == decided).all()


# --- sampling -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_sentences() -> pd.DataFrame:
    result = run_pipeline(config.SEEDS_DIR)
    return validation.sentence_table(result.corpus.analysed(), result.analysis)


def test_sentence_table_marks_the_tagged_themes(seed_sentences: pd.DataFrame) -> None:
    tagged = seed_sentences[seed_sentences["tagged"].map(len) > 0]
    lexicon = themes.default_lexicon()
    for row in tagged.head(20).itertuples():
        # A sentence on its own gets the themes it got inside its document.
        assert set(row.tagged) == {m.theme for m in themes.match_text(row.text, lexicon)}


def test_sample_is_stratified_reproducible_and_split_by_document(
    seed_sentences: pd.DataFrame,
) -> None:
    lexicon = themes.default_lexicon()
    cues = validation.load_cues(None, lexicon)
    design = validation.SampleDesign(per_theme=3, near_per_theme=2, random=5, seed=7)
    sample = validation.draw_sample(seed_sentences, lexicon.theme_ids, cues, design)
    again = validation.draw_sample(seed_sentences, lexicon.theme_ids, cues, design)
    pd.testing.assert_frame_equal(sample, again)
    assert list(sample.columns) == validation.SAMPLE_COLUMNS
    assert sample["text"].is_unique and sample["id"].is_unique
    strata = sample["stratum"].value_counts()
    for theme in lexicon.theme_ids:
        assert strata.get(f"tagged:{theme}", 0) <= 3
    assert strata["random"] == 5
    for row in sample.itertuples():
        source = seed_sentences[
            (seed_sentences["doc_id"] == row.doc_id) & (seed_sentences["sentence"] == row.sentence)
        ].iloc[0]
        if row.stratum.startswith("tagged:"):
            assert row.stratum.split(":")[1] in source["tagged"]
        if row.stratum.startswith("near:"):
            assert row.stratum.split(":")[1] not in source["tagged"]
        assert row.split == validation.document_split(row.doc_id, seed=7)
    other = validation.draw_sample(
        seed_sentences, lexicon.theme_ids, cues, validation.SampleDesign(seed=8)
    )
    only_test = validation.draw_sample(
        seed_sentences,
        lexicon.theme_ids,
        cues,
        validation.SampleDesign(per_theme=3, near_per_theme=2, random=5, seed=7, only_split="test"),
    )
    assert len(only_test) and (only_test["split"] == "test").all()
    assert set(only_test["doc_id"]) < set(seed_sentences["doc_id"])
    again = validation.draw_sample(
        seed_sentences,
        lexicon.theme_ids,
        cues,
        design,
        exclude_texts=set(sample["text"]),
    )
    assert set(again["text"]).isdisjoint(sample["text"])
    assert not other["text"].head(10).equals(sample["text"].head(10))


def test_sample_can_aim_its_strata_at_some_themes(seed_sentences: pd.DataFrame) -> None:
    lexicon = themes.default_lexicon()
    cues = validation.load_cues(None, lexicon)
    design = validation.SampleDesign(
        per_theme=3, near_per_theme=2, random=0, seed=7, themes=("sahel", "security")
    )
    sample = validation.draw_sample(seed_sentences, lexicon.theme_ids, cues, design)
    assert len(sample)
    assert {s.split(":")[1] for s in sample["stratum"]} <= {"sahel", "security"}
    with pytest.raises(ValueError, match=r"unknown theme.*sport"):
        validation.draw_sample(
            seed_sentences, lexicon.theme_ids, cues, validation.SampleDesign(themes=("sport",))
        )


def test_cli_sample_validate_and_forms(tmp_path: Path) -> None:
    out = tmp_path / "sample.tsv"
    done = run_cli("sample", "--per-theme", "2", "--near", "1", "--random", "3", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "sentences from" in done.stderr
    sample = pd.read_csv(out, sep="\t", quoting=3, dtype=str)
    assert list(sample.columns) == validation.SAMPLE_COLUMNS
    labelled = sample.assign(themes="security")
    labels_path = tmp_path / "labels.tsv"
    validation.write_tsv(labelled, labels_path.open("w", encoding="utf-8"))
    done = run_cli("validate", str(labels_path), "--format", "tsv")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(pd.io.common.StringIO(done.stdout), sep="\t")
    assert set(table["theme"]) == set(THEME_IDS)
    done = run_cli("forms", "--theme", "sahel")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split("\t") == [
        "theme",
        "entry",
        "form",
        "count",
        "documents",
        "via",
    ]
    assert all(line.startswith("sahel\t") for line in done.stdout.splitlines()[1:])


def test_validate_can_keep_one_annotation_round() -> None:
    done = run_cli("validate", str(config.LABELS_PATH), "--round", "2", "--format", "tsv")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(pd.io.common.StringIO(done.stdout), sep="\t")
    labels = validation.read_labels(config.LABELS_PATH, THEME_IDS)
    round_two = labels[labels["round"] == "2"]
    for row in table.itertuples():
        in_split = round_two[round_two["split"] == row.split]
        assert row.sentences == len(in_split)
        assert row.positives == sum(row.theme in themes for themes in in_split["themes"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("forms", "--theme", "sport"), "unknown theme 'sport'"),
        (("validate", str(DATA / "labels_unknown_theme.tsv")), "labels_unknown_theme.tsv:3:"),
        (("validate", str(DATA / "absent.tsv")), "absent.tsv: cannot read"),
        (("sample", str(DATA / "absent")), "does not exist"),
        (("sample", "--theme", "sport"), "unknown theme(s) sport"),
        (("validate", str(config.LABELS_PATH), "--round", "99"), "no sentences of round 99"),
    ],
)
def test_cli_bad_input_gets_one_clear_error(args: tuple[str, ...], message: str) -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


# --- the surface-form audit and false friends --------------------------------------------

# Words that a clitic or the stemmer once turned into a lexicon entry: none may ever count
# for the theme beside it (found with `python -m analysis forms` on SaudiNewsNet).
FALSE_FRIENDS = [
    ("sahel", "قال رئيس الوزراء الإسرائيلي بنيامين نتنياهو إن الاتفاق سيئ"),
    ("sahel", "أضرمت النار في بيوت الفلسطينيين وهم نيام"),
    ("security", "نريد وطنا مستقرا وآمنا وبيئة آمنة للأطفال"),
    ("security", "لا تزال أيام الثورة تحرك في داخل العرب كوامن منسية"),
    ("security", "وتبقى الأسباب الكامنة وراء الأزمة غامضة"),
    ("security", "بشرط أن يوافق المجلس على الميزانية"),
    ("security", "زار الوفد غار حراء في مكة"),
    ("security", "اعتمد الرئيس قرار مجلس الأمن بشأن الاتفاق النووي"),
    ("international_cooperation", "استقبل الأمين العام لمجلس التعاون لدول الخليج العربية الوفد"),
    ("international_cooperation", "تمر المنطقة بظروف اقتصادية صعبة"),
    ("international_cooperation", "وقعت الجامعتان اتفاقية تعاون في البحث العلمي"),
    ("international_cooperation", "وأشار إلى التعامل مع المراجعين والتعايش بين الناس"),
    ("religious_reform", "أقيمت الولائم في حفل الزفاف"),
    ("religious_reform", "نشر التنظيم دعاية متطرفة على الإنترنت"),
    ("religious_reform", "وقال خطيب الجمعة إن متاع الدنيا زائل"),
    ("digital_extremism", "أدان الوزير على تويتر الهجوم الإرهابي وقدم التعازي"),
    ("security", "وقال المتحدث محمد الحربي إن المهرجان يبدأ غدا"),
    ("security", "أصدر مركز البحوث والدراسات تقريره السنوي عن بحوث الطلاب"),
    ("religious_reform", "ودعا الأمين العام الأطراف إلى التوافق ومواجهة الإرهاب في المساجد"),
    ("religious_reform", "سيطر المتشددون على مدينة سرت بوسط البلاد"),
    ("religious_reform", "الناس مفتونون بالكرة ويرفضون الغلو في التشجيع"),
    ("sahel", "ضربت العاصفة المدن الساحلية في الصحراء الإفريقية"),
    ("sahel", "حضر أمير المنطقة ورئيس ماليات الجنوب حفل الافتتاح"),
    ("international_cooperation", "قال لاعب الهلال والتعاون سابقا إن خط الدفاع يحتاج إلى تعزيز"),
    ("religious_reform", "وأظهرت بيانات جديدة بشأن الدين العام اليوناني أنه تراجع"),
    ("international_cooperation", "قال رئيس ائتلاف دولة القانون إن الحكومة ستواجه الإرهاب"),
    ("international_cooperation", "عقدت قيادات تحالف القوى العراقية اجتماعا مع قادة الجيش"),
    ("international_cooperation", "أقرت الوزارة آليات التعاون الدولي في مجال الدفاع المدني"),
    ("international_cooperation", "داهمت الشرطة بالتعاون مع الجهات الأمنية منزلا لعمالة مخالفة"),
    ("international_cooperation", "فجع حارس التعاون بوفاة والده وسيغادر معسكر الفريق"),
    ("religious_reform", "وقالت المحامية حنان الخطيب إن الأسرى المرضى بحاجة إلى علاج"),
]


@pytest.mark.parametrize(("theme", "text"), FALSE_FRIENDS)
def test_known_false_friends_never_match(theme: str, text: str) -> None:
    found = [m for m in themes.match_text(text) if m.theme == theme]
    assert not found, found


def test_surface_forms_flags_proclitic_readings() -> None:
    lexicon = themes.parse_lexicon(
        'version: "t"\nthemes:\n  - id: sahel\n    name_ar: س\n    name_en: S\n'
        "    description: d\n    words: [نيامي]\n"
    )
    documents = pd.DataFrame(
        {"doc_id": ["d1", "d2"], "text": ["قال بنيامين نتنياهو", "وصل الوفد إلى نيامي ثم نيامي"]}
    )
    analysis = themes.analyse_corpus(documents, lexicon)
    forms = validation.surface_forms(analysis, lexicon).set_index("form")
    assert forms.loc["نيامي", ["count", "documents", "via"]].tolist() == [2, 1, "stem"]
    assert forms.loc["بنيامين", ["count", "documents", "via"]].tolist() == [1, 1, "proclitic"]


@pytest.mark.slow
def test_no_proclitic_form_of_the_package_lexicon_on_saudinewsnet_is_a_known_false_friend() -> None:
    if not config.SAUDINEWSNET_DIR.exists():
        pytest.skip(f"SaudiNewsNet is not at {config.SAUDINEWSNET_DIR}")
    lexicon = themes.default_lexicon()
    result = run_pipeline(config.SAUDINEWSNET_DIR, lexicon=lexicon, workers=2)
    forms = validation.surface_forms(result.analysis, lexicon)
    matched = set(zip(forms["theme"], forms["form"], strict=True))
    for theme, word in [
        ("sahel", "بنيامين"),
        ("sahel", "نيام"),
        ("security", "كامن"),
        ("religious_reform", "ولائم"),
        ("international_cooperation", "لدول"),
    ]:
        assert (theme, word) not in matched
