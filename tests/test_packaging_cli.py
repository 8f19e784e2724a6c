"""The user-side options of issue 18, in the checkout: --lexicon, --notebooks, `notebooks`,
packaged resources and their absence, the kernel of an installation that registered none.

The installed wheel itself is exercised by tests/test_packaging_wheel.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from report_support import one_line, one_page_notebooks, report_parameters
from report_support import run_analysis as run

from analysis import cli, config, notebook, themes
from analysis.cli import main, output, program_name
from analysis.cli import notebooks as cli_notebooks
from analysis.notebook.provenance import provenance
from analysis.pipeline import run_pipeline
from analysis.report import ReportError, build_report, kernel
from analysis.report import build as report

PACKAGE_DATA = Path(__file__).parent / "data" / "package"
USER_CORPUS = PACKAGE_DATA / "corpus"
USER_LEXICON = PACKAGE_DATA / "lexicon.yaml"


@pytest.fixture
def fine_notebooks(tmp_path):
    """A notebooks folder holding only a page that builds in seconds."""
    return one_page_notebooks(tmp_path / "my-notebooks")


# --- the distribution ---------------------------------------------------------------------


def test_the_console_script_is_the_command_line():
    project = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["scripts"] == {"arabic-themes": "analysis.cli:console_main"}
    assert project["project"]["name"] == "arabic-themes"


def test_the_entry_point_returns_mains_code_with_the_heap_frozen(monkeypatch):
    """The process's entry point runs `main` and leaves its objects out of the shutdown's
    cycle search (`gc.freeze`), after the command has run."""
    events = []
    monkeypatch.setattr(cli, "main", lambda: events.append("main") or 3)
    monkeypatch.setattr(cli.gc, "freeze", lambda: events.append("freeze"))
    assert cli.console_main() == 3
    assert events == ["main", "freeze"]


def test_python_m_analysis_runs_the_entry_point():
    source = (config.PROJECT_ROOT / "analysis" / "__main__.py").read_text("utf-8")
    assert "sys.exit(console_main())" in source


def test_version_is_the_installed_distributions_and_read_only_when_asked(capsys):
    from importlib.metadata import version

    import analysis

    assert analysis.__version__ == version(analysis.DISTRIBUTION)
    with pytest.raises(SystemExit) as leaving:
        main(["--version"])
    assert leaving.value.code == 0
    assert capsys.readouterr().out == f"python -m analysis {analysis.__version__}\n"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        analysis.nothing  # noqa: B018
    # A fresh interpreter starting the command line does not import importlib.metadata.
    code = "import sys, analysis.cli; print('importlib.metadata' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_program_is_named_as_it_was_called():
    assert program_name("/venv/bin/arabic-themes") == "arabic-themes"
    assert program_name("/repo/analysis/__main__.py") == "python -m analysis"


def test_help_documents_every_command(capsys):
    """`--help` of the tool and of each command (a stray % in a help text broke it)."""
    from analysis.cli import build_parser

    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    for argv in (["--help"], *([c, "--help"] for c in commands)):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 0, argv
        assert capsys.readouterr().out.startswith("usage: "), argv


def test_the_checkout_keeps_one_copy_of_the_notebooks_and_seeds():
    """The wheel's copy is made at build time (setup.py); the checkout uses its own folders."""
    assert config.IN_CHECKOUT
    assert config.NOTEBOOKS_DIR == config.PROJECT_ROOT / "notebooks"
    assert config.SEEDS_DIR == config.PROJECT_ROOT / "seeds"
    assert not (config.PACKAGE_DIR / config.RESOURCES_DIRNAME).exists()
    assert config.REPORTS_DIR == config.PROJECT_ROOT / "reports"


# --- missing resources: one line --------------------------------------------------------------


@pytest.fixture
def nothing_packaged(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "SEEDS_DIR", tmp_path / "_resources" / "seeds")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", tmp_path / "_resources" / "notebooks")


def test_missing_seeds_are_one_line_for_commands_that_default_to_them(nothing_packaged, capsys):
    for command in (["themes"], ["trends"], ["forms"], ["sample"]):
        assert main(command) == output.EXIT_BAD_INPUT, command
        line = one_line(capsys.readouterr().err)
        assert line.startswith("error: the seed corpus is missing from this installation"), line
        assert "reinstall" in line and "name a corpus" in line


def test_missing_notebooks_are_one_line_for_report_and_notebooks(
    nothing_packaged, tmp_path, capsys
):
    corpus = ["--corpus", str(USER_CORPUS)]
    assert main(["report", *corpus, "--out", str(tmp_path / "r")]) == output.EXIT_FAILED
    line = one_line(capsys.readouterr().err)
    assert "the report's notebooks are missing from this installation" in line
    assert "--notebooks DIR" in line
    assert main(["report", "--out", str(tmp_path / "r")]) == output.EXIT_FAILED
    assert "the seed corpus is missing" in one_line(capsys.readouterr().err)
    assert main(["notebooks"]) == output.EXIT_BAD_INPUT
    assert "the report's notebooks are missing" in one_line(capsys.readouterr().err)
    assert not (tmp_path / "r").exists()


# --- report --lexicon ---------------------------------------------------------------------------


def test_report_passes_the_lexicon_to_every_notebook(tmp_path, monkeypatch):
    code, seen = report_parameters(
        monkeypatch, "--out", str(tmp_path / "r"), "--lexicon", str(USER_LEXICON)
    )
    assert code == output.EXIT_INTERRUPTED
    assert seen["LEXICON"] == str(USER_LEXICON.resolve())
    for path in sorted(config.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        source = path.read_text(encoding="utf-8")
        assert "LEXICON = None" in source and "lexicon=LEXICON" in source, path.name


def test_report_refuses_a_missing_or_broken_lexicon_in_one_line(tmp_path):
    result = run("report", "--lexicon", "nowhere.yaml", "--out", "r", cwd=tmp_path)
    assert result.returncode == output.EXIT_FAILED
    assert one_line(result.stderr) == (
        "report failed: nowhere.yaml: no such lexicon file (--lexicon)"
    )
    broken = config.PROJECT_ROOT / "tests" / "data" / "themes" / "bad" / "bad_window.yaml"
    result = run("report", "--lexicon", str(broken), "--out", "r", cwd=tmp_path)
    assert result.returncode == output.EXIT_FAILED
    assert one_line(result.stderr).startswith(f"report failed: {broken}:")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("command", ["themes", "tag", "validate", "report"])
def test_every_user_facing_command_takes_a_lexicon(command):
    from analysis.cli import build_parser

    parser = build_parser()
    extra = {"themes": [], "tag": [], "report": [], "validate": ["labels.tsv"]}[command]
    args = parser.parse_args([command, *extra, "--lexicon", "mine.yaml"])
    assert args.lexicon == Path("mine.yaml")


def test_themes_and_tag_count_the_users_themes(tmp_path):
    result = run("themes", str(USER_CORPUS), "--lexicon", str(USER_LEXICON), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "| water | schools |" in result.stdout.splitlines()[0]
    tagged = subprocess.run(
        [sys.executable, "-m", "analysis", "tag", "--lexicon", str(USER_LEXICON)],
        input="تراجع مخزون السدود بسبب الجفاف\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        check=True,
    )
    assert json.loads(tagged.stdout)["themes"] == ["water"]


def test_the_provenance_names_the_lexicon_file_and_hash():
    mine = themes.load_lexicon(USER_LEXICON)
    result = run_pipeline(USER_CORPUS, lexicon=mine)
    record = provenance(result.corpus, mine)
    assert record["lexicon_file"] == "lexicon.yaml" and record["lexicon_packaged"] is False
    assert record["lexicon_hash"] == mine.content_hash
    assert [t["id"] for t in record["themes"]] == ["water", "schools"]
    package = provenance(result.corpus, themes.load_lexicon())
    assert package["lexicon_file"] == "lexicon.yaml" and package["lexicon_packaged"] is True


def test_the_page_header_shows_the_lexicon_file():
    context = report.report_context(
        {
            "corpus_name": "corpus",
            "corpus_hash": "a" * 64,
            "documents": 6,
            "documents_total": 6,
            "lexicon_version": "0.3-user",
            "lexicon_hash": "b" * 64,
            "lexicon_file": "<my>lexicon.yaml",
            "lexicon_packaged": False,
            "themes": [],
        },
        [],
        build_time="2026-01-01 00:00 UTC",
        show_code=False,
    )
    html = report.render_index([], context)
    assert "&lt;my&gt;lexicon.yaml" in html and "bbbbbbbbbbbb" in html
    assert "(the package&#39;s)" not in html


def test_the_packages_labelled_sentences_measure_only_its_own_themes(tmp_path):
    assert notebook.fits_package_labels(themes.load_lexicon())
    mine = themes.load_lexicon(USER_LEXICON)
    assert not notebook.fits_package_labels(mine)
    assert notebook.held_out_validity(mine) is None
    sentence = notebook.validation_absence(mine)
    assert "lexicon.yaml" in sentence and "--labels" in sentence
    labels = tmp_path / "labels.tsv"
    labels.write_text("id\tthemes\ttext\nx1\twater\tتراجع مخزون السدود\n", encoding="utf-8")
    held_out = notebook.held_out_validity(mine, labels)
    assert held_out is not None and set(held_out.scores["theme"]) == {"water", "schools"}


# --- report --notebooks and the `notebooks` command ------------------------------------------


def test_report_runs_the_users_own_notebooks(tmp_path, fine_notebooks, capsys):
    out = tmp_path / "r"
    code = main(["report", "--notebooks", str(fine_notebooks), "--out", str(out)])
    assert code == output.EXIT_OK, capsys.readouterr().err
    assert sorted(p.name for p in out.glob("*.html")) == ["01_fine.html", "index.html"]


def test_report_refuses_a_missing_notebooks_folder_in_one_line(tmp_path):
    result = run("report", "--notebooks", "nowhere", "--out", "r", cwd=tmp_path)
    assert result.returncode == output.EXIT_FAILED
    assert one_line(result.stderr) == (
        "report failed: nowhere: no such notebooks folder (--notebooks)"
    )


def test_notebooks_lists_the_packaged_ones(capsys):
    assert main(["notebooks"]) == output.EXIT_OK
    printed = capsys.readouterr().out
    assert str(config.NOTEBOOKS_DIR) in printed
    for path in config.NOTEBOOKS_DIR.glob("*.ipynb"):
        assert path.name in printed


def test_notebooks_copy_to_copies_them_and_never_overwrites_unasked(tmp_path, capsys):
    target = tmp_path / "mine"
    assert main(["notebooks", "--copy-to", str(target)]) == output.EXIT_OK
    packaged = sorted(p.name for p in config.NOTEBOOKS_DIR.glob("*.ipynb"))
    assert sorted(p.name for p in target.iterdir()) == packaged
    for name in packaged:
        assert (target / name).read_bytes() == (config.NOTEBOOKS_DIR / name).read_bytes()
    assert f"report --notebooks {target}" in capsys.readouterr().out

    edited = target / packaged[0]
    edited.write_text("my edits", encoding="utf-8")
    assert main(["notebooks", "--copy-to", str(target)]) == output.EXIT_BAD_INPUT
    line = one_line(capsys.readouterr().err)
    assert line == f"error: {edited} exists; nothing was copied (--force overwrites)"
    assert edited.read_text(encoding="utf-8") == "my edits"
    assert main(["notebooks", "--copy-to", str(target), "--force"]) == output.EXIT_OK
    assert edited.read_bytes() == (config.NOTEBOOKS_DIR / packaged[0]).read_bytes()

    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert main(["notebooks", "--copy-to", str(a_file)]) == output.EXIT_BAD_INPUT
    assert "is a file, not a folder" in one_line(capsys.readouterr().err)


def test_copy_notebooks_is_the_function_behind_the_command(tmp_path):
    copied = cli_notebooks.copy_notebooks(tmp_path / "nb")
    assert [p.name for p in copied] == [p.name for p in cli_notebooks.packaged_notebooks()]


# --- the kernel of an installation that registered none --------------------------------------


def test_the_registered_kernel_is_used_when_there_is_one():
    assert kernel.kernel_choice(config.KERNEL_NAME) == (
        config.KERNEL_NAME,
        kernel.AsyncKernelManager,
    )


def test_without_a_registered_kernel_the_notebooks_run_on_this_interpreter(tmp_path):
    name, manager = kernel.kernel_choice("no-such-kernel-here")
    assert (name, manager) == (kernel.THIS_INTERPRETER, kernel.ThisInterpreterKernelManager)
    parameters = nbformat.v4.new_code_cell("CORPUS = None")
    parameters.metadata["tags"] = ["parameters"]
    probe = nbformat.v4.new_code_cell("import sys\nprint(sys.executable)")
    path = tmp_path / "01_probe.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[parameters, probe]), path)
    nb = report.execute_notebook(path, {}, timeout=60, kernel_name="no-such-kernel-here")
    assert nb.cells[-1].outputs[0]["text"].strip() == sys.executable


def test_build_report_checks_its_inputs_before_any_work(tmp_path):
    with pytest.raises(ReportError, match="no such lexicon file"):
        build_report(out=tmp_path / "r", lexicon=tmp_path / "none.yaml")
    with pytest.raises(ReportError, match="no such notebooks folder"):
        build_report(out=tmp_path / "r", notebooks_dir=tmp_path / "none")
    assert list(tmp_path.iterdir()) == []
