"""The package as a user gets it: a wheel installed into a fresh venv outside the checkout.

One module-wide installation, made the way a user's CI makes it: the wheel is built from
this checkout (`python -m build`: source distribution, then the wheel from it), a venv is
created in a temporary folder, and the `run:` steps of docs/ci/theme-report.yml are
executed as they are written, in a copy of a user's repository (tests/data/package: a corpus
and a lexicon with its own themes), with ARABIC_THEMES pointing at the wheel. `pip install`
is a real one: every dependency comes from the package registries (pip's cache may serve
them), nothing from this checkout or its venv. Meanwhile the seed report is built with
`arabic-themes report --out DIR`, from a folder outside the checkout. Both reports are then
opened in Chromium as tests/test_browser.py opens the checkout's.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from analysis import config
from analysis.report.build import in_report

pytestmark = pytest.mark.slow

PACKAGE_DATA = Path(__file__).parent / "data" / "package"
WORKFLOW = config.PROJECT_ROOT / "docs" / "ci" / "theme-report.yml"
CONSOLE_SCRIPT = "arabic-themes"


class Installation:
    """What the module's fixture built: the wheel, the venv, the two reports, timings."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dist = root / "dist"
        self.venv = root / "venv"
        self.repo = root / "user-repo"  # a user's repository: corpus/, lexicon.yaml
        self.elsewhere = root / "elsewhere"  # a working folder that is neither
        self.seeds_report = root / "seeds-report"
        self.seconds: dict[str, float] = {}
        self.logs: dict[str, subprocess.CompletedProcess[str]] = {}

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def wheel(self) -> Path:
        (wheel,) = self.dist.glob("*.whl")
        return wheel

    def env(self) -> dict[str, str]:
        """A user's shell with the venv first on PATH; nothing of this checkout's."""
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")
        }
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        # Jupyter's user folders hold no kernel of ours: the build must find its own.
        env["JUPYTER_DATA_DIR"] = str(self.root / "jupyter-data")
        env["JUPYTER_CONFIG_DIR"] = str(self.root / "jupyter-config")
        env["MPLCONFIGDIR"] = str(self.root / "mpl")
        env.pop("MPLBACKEND", None)  # the tool sets what it needs
        return env

    def run(self, name: str, command: list[str] | str, cwd: Path, **options):
        started = time.perf_counter()
        result = subprocess.run(
            command,
            cwd=cwd,
            env=options.pop("env", None) or self.env(),
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            **options,
        )
        self.seconds[name] = time.perf_counter() - started
        self.logs[name] = result
        return result


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def workflow_steps() -> list[dict]:
    (job,) = workflow()["jobs"].values()
    return job["steps"]


def _start_seeds_report(inst: Installation) -> subprocess.Popen[str]:
    inst.elsewhere.mkdir()
    return subprocess.Popen(
        [CONSOLE_SCRIPT, "report", "--out", str(inst.seeds_report)],
        cwd=inst.elsewhere,
        env=inst.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory, request) -> Installation:
    inst = Installation(tmp_path_factory.mktemp("wheel"))
    assert not inst.root.is_relative_to(config.PROJECT_ROOT)

    built = inst.run(
        "build the wheel",
        [sys.executable, "-m", "build", "--outdir", str(inst.dist), str(config.PROJECT_ROOT)],
        cwd=inst.root,
        env={**os.environ},
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    made = inst.run(
        "create the venv",
        [sys.executable, "-m", "venv", str(inst.venv)],
        cwd=inst.root,
        env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
    )
    assert made.returncode == 0, made.stderr

    shutil.copytree(PACKAGE_DATA, inst.repo)
    env = inst.env()
    env.update({k: str(v) for k, v in workflow()["env"].items()})
    env["ARABIC_THEMES"] = str(inst.wheel)
    seeds = None
    for step in workflow_steps():
        if "run" not in step:
            continue
        # as GitHub runs a step: bash --noprofile --norc -eo pipefail {0}
        command = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]]
        result = inst.run(step["name"], command, inst.repo, env=env)
        assert result.returncode == 0, (
            f"step {step['name']!r} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        )
        if seeds is None:  # installed: the seed report runs beside the workflow's report
            seeds = _start_seeds_report(inst)
    assert seeds is not None
    started = time.perf_counter()
    stdout, stderr = seeds.communicate(timeout=900)
    inst.seconds["seed report (overlapping)"] = time.perf_counter() - started
    inst.logs["seed report"] = subprocess.CompletedProcess(
        seeds.args, seeds.returncode, stdout, stderr
    )
    assert seeds.returncode == 0, stdout[-3000:] + stderr[-5000:]
    # Shown in `make test`'s output (past pytest's capture): what the user's CI will wait for.
    timings = "; ".join(f"{name} {s:.0f} s" for name, s in inst.seconds.items())
    with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        print(f"\n[wheel] {timings}")
    return inst


# --- the wheel ----------------------------------------------------------------------------------


def test_the_wheel_carries_the_notebooks_seeds_templates_and_data(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    resources = "analysis/" + config.RESOURCES_DIRNAME
    for folder, pattern in (("notebooks", "*.ipynb"), ("seeds", "*")):
        for path in sorted((config.PROJECT_ROOT / folder).glob(pattern)):
            assert f"{resources}/{folder}/{path.name}" in names, path
    for path in (config.LEXICON_PATH, config.LABELS_PATH, config.BOILERPLATE_PATH):
        assert path.relative_to(config.PROJECT_ROOT).as_posix() in names, path
    for path in (config.TEMPLATES_DIR / "report").iterdir():
        assert path.relative_to(config.PROJECT_ROOT).as_posix() in names, path
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(installed.wheel).read(entry_points).decode()
    assert f"{CONSOLE_SCRIPT} = analysis.cli:console_main" in text


def test_the_installed_package_is_the_wheels_not_the_checkout(installed):
    probe = (
        "import json, analysis, analysis.config as c; print(json.dumps([analysis.__file__, "
        "str(c.NOTEBOOKS_DIR), str(c.SEEDS_DIR), c.IN_CHECKOUT, analysis.__version__]))"
    )
    result = installed.run("probe", [str(installed.bin / "python"), "-c", probe], installed.root)
    where, notebooks, seeds, in_checkout, version = json.loads(result.stdout)
    site = installed.venv / "lib"
    assert Path(where).is_relative_to(site) and not in_checkout
    assert Path(notebooks).is_relative_to(site) and Path(seeds).is_relative_to(site)
    assert version != "0.0.0+unknown"
    listed = installed.run("list", [CONSOLE_SCRIPT, "notebooks"], installed.root)
    assert listed.returncode == 0 and "01_corpus.ipynb" in listed.stdout


def test_the_console_script_has_every_subcommand(installed):
    from analysis.cli import build_parser

    result = installed.run("help", [CONSOLE_SCRIPT, "--help"], installed.root)
    assert result.returncode == 0 and result.stdout.startswith(f"usage: {CONSOLE_SCRIPT}")
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for command in commands:
        assert command in result.stdout


# --- the two reports -------------------------------------------------------------------------


def _provenance(folder: Path) -> dict:
    return json.loads((folder / config.PROVENANCE_FILENAME).read_text(encoding="utf-8"))


def test_the_seed_report_builds_from_the_wheel(installed):
    out = installed.seeds_report
    assert "report written to" in installed.logs["seed report"].stdout
    assert sorted(p.stem for p in out.glob("[0-9][0-9]_*.html")) == sorted(
        p.stem for p in config.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb") if in_report(p)
    )
    record = _provenance(out)
    assert record["corpus_name"] == "seeds" and record["documents"] == 5
    assert record["lexicon_packaged"] is True
    assert not (installed.elsewhere / "reports").exists()


def test_the_users_report_counts_the_users_themes(installed):
    out = installed.repo / "reports"  # where the workflow uploads it from
    (step,) = [s for s in workflow_steps() if s.get("uses", "").startswith("actions/upload")]
    assert step["with"]["path"].rstrip("/") == "reports"
    record = _provenance(out)
    lexicon = installed.repo / "lexicon.yaml"
    assert record["lexicon_file"] == "lexicon.yaml" and record["lexicon_packaged"] is False
    assert record["lexicon_hash"] == hashlib.sha256(lexicon.read_bytes()).hexdigest()
    assert [t["id"] for t in record["themes"]] == ["water", "schools"]
    assert record["corpus_name"] == "corpus" and record["documents"] == 6


def test_a_default_report_goes_to_reports_in_the_working_folder(installed):
    """Outside a checkout the default --out is ./reports (there the workflow finds it)."""
    out = installed.repo / "reports"
    assert (out / "index.html").is_file()
    (step,) = [s for s in workflow_steps() if s.get("name") == "Build the report"]
    assert "--out reports" in step["run"]


def test_the_workflow_is_a_complete_github_actions_job():
    flow = workflow()
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "push" in triggers and "workflow_dispatch" in triggers
    uses = [s.get("uses", "").split("@")[0] for s in workflow_steps()]
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    assert uses[-1] == "actions/upload-artifact"
    runs = " ".join(s["run"] for s in workflow_steps() if "run" in s)
    assert 'pip install "$ARABIC_THEMES"' in runs and "arabic-themes report" in runs


# --- missing resources in an installation: one line ---------------------------------------------


def _moved_aside(installed: Installation, name: str):
    class Aside:
        def __enter__(self):
            (site,) = installed.venv.glob("lib/python*/site-packages")
            self.path = site / "analysis" / config.RESOURCES_DIRNAME / name
            self.moved = self.path.with_name(name + "-moved")
            self.path.rename(self.moved)
            return self.path

        def __exit__(self, *exc):
            self.moved.rename(self.path)

    return Aside()


def test_a_missing_resource_is_one_line_not_a_traceback(installed):
    with _moved_aside(installed, "seeds") as seeds:
        result = installed.run("no seeds", [CONSOLE_SCRIPT, "themes"], installed.root)
        assert result.returncode == 2
        assert result.stderr.strip() == (
            f"error: the seed corpus is missing from this installation (no {seeds}): "
            "reinstall the package (pip install --force-reinstall arabic-themes) or name a "
            "corpus"
        )
    with _moved_aside(installed, "notebooks"):
        out = installed.root / "never"
        result = installed.run(
            "no notebooks", [CONSOLE_SCRIPT, "report", "--out", str(out)], installed.root
        )
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "the report's notebooks are missing" in lines[0]
        assert "Traceback" not in result.stderr and not out.exists()


# --- in Chromium --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    test_browser = importlib.import_module("test_browser")
    if not test_browser.CHROMIUM.exists() or shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(test_browser.CHROMIUM), args=test_browser.CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _check_page(browser, path: Path) -> str:
    """Open ``path`` as tests/test_browser.py does; return the header's text."""
    test_browser = importlib.import_module("test_browser")
    opened = test_browser.OpenedPage(browser, path)
    page = opened.page
    try:
        assert opened.errors == [], path.name
        outside = [u for u in opened.requests if not u.startswith(test_browser.LOCAL_SCHEMES)]
        assert outside == [], f"{path.name} requests outside the file: {outside}"
        broken = page.eval_on_selector_all(
            "img", "imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt)"
        )
        assert broken == [], path.name
        wrong, flush_left = test_browser.arabic_block_problems(
            page.evaluate(test_browser.ARABIC_BLOCKS)
        )
        assert wrong == [], f"{path.name}: Arabic blocks not right to left: {wrong}"
        assert flush_left == [], f"{path.name}: Arabic prose not right-aligned: {flush_left}"
        return page.locator(".report-header").inner_text()
    finally:
        page.close()


def test_the_seed_report_from_the_wheel_reads_in_chromium(installed, browser):
    out = installed.seeds_report
    record = _provenance(out)
    for path in sorted(out.glob("*.html")):
        header = _check_page(browser, path)
        assert "seeds" in header and "5 documents analysed" in header, path.name
        assert "lexicon.yaml (the package's)" in header, path.name
        assert record["lexicon_hash"][:12] in header, path.name


def test_the_users_report_from_the_wheel_reads_in_chromium(installed, browser):
    out = installed.repo / "reports"
    record = _provenance(out)
    for path in sorted(out.glob("*.html")):
        header = _check_page(browser, path)
        assert "6 documents analysed" in header, path.name
        assert "lexicon.yaml" in header and "the package's" not in header, path.name
        assert record["lexicon_hash"][:12] in header, path.name
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Water and drought" in index and "التعليم والمدارس" in index
