"""Execute the notebooks and export the HTML report, atomically.

`build_report` runs every ``notebooks/NN_*.ipynb`` in order, each on a fresh kernel named
``config.KERNEL_NAME`` (or on the running interpreter where no such kernel is registered, as
after a plain ``pip install``: `analysis.report.kernel`), with the run's parameters injected
after the cell tagged ``parameters`` (the papermill convention, without papermill). Each
executed notebook is exported to one self-contained HTML page with the project template
(``analysis/report/templates/report``), which drops every CDN script nbconvert's stock
templates reference, so a page opens offline with no network request. ``index.html`` introduces the
study and links the pages.

Everything is written into a staging folder beside ``out``; only when every notebook ran
and exported does the staging folder replace ``out`` (two renames). A failing cell raises
`NotebookError` naming the notebook, the cell and the exception, and leaves the previous
report untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from nbconvert import HTMLExporter
from nbformat import NotebookNode

from analysis import __version__, config
from analysis.notebook.provenance import PROVENANCE_FILE
from analysis.report import folder
from analysis.report.folder import FolderError
from analysis.report.kernel import kernel_choice, kernel_config, kernel_environment
from analysis.themes import LexiconError, load_lexicon

TEMPLATES_DIR = config.TEMPLATES_DIR
TEMPLATE_NAME = "report"

NOTEBOOK_PATTERN = re.compile(r"^\d\d_[\w-]+\.ipynb$")
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
HIDE_INPUT_TAG = "hide-input"

# The manifest every finished report holds (see `analysis.report.folder`).
MARKER_FILE = folder.MARKER_FILE
DEFAULT_TIMEOUT = 1800

_BLOCK_TAG = re.compile(r"<(p|h[1-6]|li|blockquote|td|th)(?=[\s>])(?![^>]*\bdir=)")


class ReportError(RuntimeError):
    """The report could not be built; the previous report (if any) is untouched."""


@dataclass
class NotebookError(ReportError):
    """A cell of a notebook raised while the report was being built."""

    notebook: str
    cell_index: int
    ename: str
    evalue: str
    source: str = ""
    traceback: str = ""

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        first_line = self.source.strip().splitlines()[0] if self.source.strip() else ""
        where = f"{self.notebook}, cell {self.cell_index}"
        if first_line:
            where += f" ({first_line[:80]})"
        return f"{where}: {self.ename}: {self.evalue}"


@dataclass(frozen=True)
class Page:
    """One exported notebook: where it lives in the report and how the index names it."""

    notebook: str
    filename: str
    title: str
    summary: str
    seconds: float


@dataclass
class BuildLog:
    """What a build did and how long each step took (for the CLI and benchmarks)."""

    pages: list[Page] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


# --- notebooks ----------------------------------------------------------------------------


def notebook_paths(notebooks_dir: Path | None = None) -> list[Path]:
    """The report's notebooks (``NN_name.ipynb``) in run order.

    A notebook whose metadata says ``"analysis": {"report": false}`` (the interactive
    explorer: widgets need a kernel) is for JupyterLab only and left out.
    """
    folder = Path(notebooks_dir or config.NOTEBOOKS_DIR)
    if notebooks_dir is not None and not folder.is_dir():
        raise ReportError(f"{folder}: no such notebooks folder (--notebooks)")
    try:
        config.require(folder, "the report's notebooks", "pass --notebooks DIR", plural=True)
    except config.MissingResource as error:
        raise ReportError(str(error)) from None
    paths = sorted(p for p in folder.iterdir() if NOTEBOOK_PATTERN.match(p.name) and in_report(p))
    if not paths:
        raise ReportError(f"no notebooks named NN_*.ipynb in {folder}")
    return paths


def in_report(path: Path) -> bool:
    """False for a notebook marked ``"metadata": {"analysis": {"report": false}}``."""
    try:
        metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata") or {}
    except (OSError, ValueError, AttributeError):
        return True  # unreadable here: the build reports it with the cell that fails
    return (metadata.get("analysis") or {}).get("report", True) is not False


def parameters_source(parameters: Mapping[str, Any]) -> str:
    """Python assignments for the injected-parameters cell (values as literals)."""
    lines = ["# Parameters injected by analysis.report.build_report"]
    lines += [f"{name} = {value!r}" for name, value in parameters.items()]
    return "\n".join(lines)


def inject_parameters(nb: NotebookNode, parameters: Mapping[str, Any], name: str) -> None:
    """Insert a cell assigning ``parameters`` right after the cell tagged ``parameters``."""
    tagged = [i for i, c in enumerate(nb.cells) if PARAMETERS_TAG in c.metadata.get("tags", [])]
    if not tagged:
        raise ReportError(f"{name}: no cell is tagged {PARAMETERS_TAG!r}")
    cell = nbformat.v4.new_code_cell(parameters_source(parameters))
    cell.metadata["tags"] = [INJECTED_TAG, HIDE_INPUT_TAG]
    nb.cells.insert(tagged[0] + 1, cell)


def execute_notebook(
    path: Path, parameters: Mapping[str, Any], *, timeout: int, kernel_name: str
) -> NotebookNode:
    """Run ``path`` on a fresh kernel, cwd = its folder; raise `NotebookError` on failure."""
    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, parameters, path.name)
    sockets = folder.kernel_folder()
    name, manager = kernel_choice(kernel_name)
    try:
        client = NotebookClient(
            nb,
            config=kernel_config(sockets),
            timeout=timeout,
            kernel_name=name,
            kernel_manager_class=manager,
            resources={"metadata": {"path": str(path.parent)}},
        )
        with (sockets / "kernel.log").open("wb") as kernel_log:
            _run(client, nb, path, kernel_log)
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return nb


def _run(client: NotebookClient, nb: NotebookNode, path: Path, kernel_log: Any) -> None:
    """Execute; the kernel's own standard error (not the cells') goes to ``kernel_log``."""
    try:
        client.execute(env=kernel_environment(), stderr=kernel_log)
    except CellTimeoutError as error:
        index = _running_cell(nb)
        raise NotebookError(
            path.name,
            _index_in_file(nb, index),
            "CellTimeoutError",
            str(error),
            nb.cells[index].source if index >= 0 else "",
        ) from None
    except CellExecutionError as error:
        index = _failed_cell(nb)
        raise NotebookError(
            path.name,
            _index_in_file(nb, index),
            error.ename,
            error.evalue,
            nb.cells[index].source if index >= 0 else "",
            error.traceback,
        ) from None
    except Exception as error:
        # DeadKernelError, or what nbclient's clean-up raises after it (a bare
        # AssertionError). While a notebook runs, nbclient answers SIGINT/SIGTERM by shutting
        # the kernel down, and says so only by this attribute: then it was Ctrl-C.
        if getattr(client, "_async_cleanup_kernel_future", None) is not None:
            raise KeyboardInterrupt from None
        index = _running_cell(nb)
        kernel_log.flush()
        said = Path(kernel_log.name).read_text(encoding="utf-8", errors="replace").strip()
        last = said.splitlines()[-1] if said else "no message"
        raise NotebookError(
            path.name,
            _index_in_file(nb, index),
            type(error).__name__,
            f"the kernel stopped ({last[:200]})",
            nb.cells[index].source if index >= 0 else "",
        ) from None


def _failed_cell(nb: NotebookNode) -> int:
    """Index of the cell whose output holds the error (-1 if none does)."""
    for index, cell in enumerate(nb.cells):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return index
    return -1


def _index_in_file(nb: NotebookNode, index: int) -> int:
    """``index`` as counted in the notebook file, i.e. without the injected cell."""
    injected = sum(INJECTED_TAG in c.metadata.get("tags", []) for c in nb.cells[:index])
    return index - injected


def _running_cell(nb: NotebookNode) -> int:
    """Index of the last code cell that started executing (the one that timed out)."""
    started = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and c.metadata.get("execution", {}).get("iopub.execute_input")
    ]
    return started[-1] if started else -1


# --- HTML ---------------------------------------------------------------------------------


def auto_dir(rendered_html: str) -> str:
    """Give every block of rendered Markdown ``dir="auto"``: Arabic runs right to left.

    Only applied to Markdown cells written in this repository (trusted HTML); corpus text
    enters pages through `analysis.notebook`, which escapes it and sets ``dir`` itself.
    """
    return _BLOCK_TAG.sub(r'<\1 dir="auto"', rendered_html)


def html_exporter(*, show_code: bool) -> HTMLExporter:
    """The project's exporter: offline template; code hidden unless ``show_code``."""
    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name=TEMPLATE_NAME,
        exclude_input=not show_code,
        exclude_input_prompt=not show_code,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_filter("auto_dir", auto_dir)
    return exporter


def report_context(
    provenance: Mapping[str, Any] | None,
    pages: Sequence[Page],
    *,
    build_time: str,
    show_code: bool,
) -> dict[str, Any]:
    """What every page header shows: provenance, package version, build time, navigation."""
    return {
        "provenance": dict(provenance or {}),
        "pages": list(pages),
        "version": __version__,
        "build_time": build_time,
        "show_code": show_code,
    }


def export_page(nb: NotebookNode, title: str, context: Mapping[str, Any]) -> str:
    """One notebook as a self-contained HTML page."""
    nb.metadata["title"] = title
    exporter = html_exporter(show_code=context["show_code"])
    body, _ = exporter.from_notebook_node(nb, resources={"report": context})
    return body


def notebook_title(nb: NotebookNode, fallback: str) -> str:
    """The text of the notebook's first Markdown heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#+\s+(.+)$", cell.source, flags=re.MULTILINE)
            if match:
                return match.group(1).strip()
    return fallback


def notebook_summary(nb: NotebookNode) -> str:
    """The first plain paragraph of the first Markdown cell (what the page is about)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for block in cell.source.split("\n\n"):
                block = block.strip()
                if block and not block.startswith(("#", "<")):
                    return " ".join(block.split())
            return ""
    return ""


def _template_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / TEMPLATE_NAME),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_index(pages: Sequence[Page], context: Mapping[str, Any]) -> str:
    """``index.html``: what the study is, what produced this report, links to the pages."""
    css = (TEMPLATES_DIR / TEMPLATE_NAME / "report.css").read_text(encoding="utf-8")
    template = _template_environment().get_template("home.html.j2")
    return template.render(pages=pages, resources={"report": context}, css=css)


# --- atomic output ------------------------------------------------------------------------


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def read_provenance(folder: Path) -> dict[str, Any] | None:
    """The provenance the notebooks recorded in ``folder`` (None if they recorded none)."""
    path = folder / PROVENANCE_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


# --- the build ----------------------------------------------------------------------------


def build_report(
    corpus: Path | str | None = None,
    out: Path | str | None = None,
    *,
    show_code: bool = False,
    workers: int = 1,
    timeout: int = DEFAULT_TIMEOUT,
    keep_duplicates: bool = False,
    text_field: str | None = None,
    labels: Path | str | None = None,
    lexicon: Path | str | None = None,
    notebooks_dir: Path | str | None = None,
    kernel_name: str = config.KERNEL_NAME,
    log: BuildLog | None = None,
) -> Path:
    """Execute the notebooks on ``corpus`` and write the HTML report to ``out``; return it.

    ``corpus`` None means the seeds; ``out`` None means ``reports/``; ``labels`` is a
    labelled TSV to measure the lexicon on (None: the package's set); ``lexicon`` a lexicon
    file (None: the package's); ``notebooks_dir`` a folder of ``NN_*.ipynb`` (None: the
    package's). ``kernel_name`` runs the notebooks when Jupyter knows it, else the running
    interpreter does (`analysis.report.kernel`). Raises `NotebookError`
    (or `ReportError`, one line, also for a full disk or a read-only folder) and leaves
    ``out`` as it was when anything fails. Files in ``out`` that the previous build did not
    write are kept (see `analysis.report.folder`).
    """
    if labels is not None and not Path(labels).is_file():
        raise ReportError(f"{labels}: no such labelled file (--labels)")
    lexicon = _checked_lexicon(lexicon)
    if corpus is None:
        try:
            config.default_corpus()
        except config.MissingResource as error:
            raise ReportError(str(error)) from None
    out = Path(out or config.REPORTS_DIR).resolve()
    _check_corpus(Path(corpus).resolve() if corpus is not None else None, out)
    try:
        folder.check_target(out)
        paths = notebook_paths(Path(notebooks_dir) if notebooks_dir else None)
        out.parent.mkdir(parents=True, exist_ok=True)
        folder.clean_stale(out)
        staging = Path(
            tempfile.mkdtemp(prefix=folder.temporary_prefix(out, "staging"), dir=out.parent)
        )
    except FolderError as error:
        raise ReportError(str(error)) from None
    except OSError as error:
        raise ReportError(f"{_os_error(error, out.parent)}; {KEPT}") from None
    staging.chmod(0o755)  # mkdtemp's 0700 would make the published report private
    log = log if log is not None else BuildLog()
    interrupt = _Interrupt()
    try:
        # The notebooks of one build share one analysis through this folder; it never
        # reaches the published report.
        cache = Path(tempfile.mkdtemp(prefix=folder.temporary_prefix(out, "cache"), dir=out.parent))
        try:
            _build(
                paths,
                staging,
                {
                    "CORPUS": str(Path(corpus).resolve()) if corpus is not None else None,
                    "OUT_DIR": str(staging),
                    "KEEP_DUPLICATES": keep_duplicates,
                    "TEXT_FIELD": text_field,
                    "WORKERS": workers,
                    "LABELS": str(Path(labels).resolve()) if labels is not None else None,
                    "LEXICON": str(lexicon) if lexicon is not None else None,
                    "CACHE_DIR": str(cache),
                    "BUILD_TIME": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                },
                show_code=show_code,
                timeout=timeout,
                kernel_name=kernel_name,
                log=log,
                interrupt=interrupt,
            )
            folder.write_manifest(staging)
            interrupt.check()  # the last moment a Ctrl-C still keeps the previous report
            folder.swap_in(staging, out)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    except FolderError as error:
        raise ReportError(f"{error}; {KEPT}") from None
    except OSError as error:
        raise ReportError(f"{_os_error(error, staging)}; {KEPT}") from None
    finally:
        interrupt.restore()
        shutil.rmtree(staging, ignore_errors=True)
    return out


class _Interrupt:
    """Ctrl-C between notebooks, noted and acted on at the next step.

    While a notebook runs, nbclient has its own SIGINT handler (it shuts the kernel down,
    and `_run` turns that into KeyboardInterrupt); outside, a KeyboardInterrupt raised in
    the middle of a kernel's clean-up is swallowed or turned into a bare AssertionError, so
    the first Ctrl-C only sets a flag that the build checks after each notebook and before
    the swap. A second Ctrl-C raises at once.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None
        self.install()

    def install(self) -> None:
        """(Re)install the handler: nbclient leaves the default one after each notebook."""
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGINT, self._handle)
            if self._previous is None:
                self._previous = previous

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt

    def restore(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


KEPT = "the previous report, if any, was kept"


def _os_error(error: OSError, where: Path) -> str:
    """``could not write PATH: reason`` from an OSError, on one line."""
    reason = error.strerror or str(error) or type(error).__name__
    path = error.filename or where
    return f"could not write {path}: {reason}"


def _checked_lexicon(lexicon: Path | str | None) -> Path | None:
    """The lexicon file, resolved, once it parsed (`ReportError` naming FILE:LINE if not)."""
    if lexicon is None:
        return None
    path = Path(lexicon)
    if not path.is_file():
        raise ReportError(f"{lexicon}: no such lexicon file (--lexicon)")
    try:
        load_lexicon(path)
    except LexiconError as error:
        raise ReportError(str(error)) from None
    return path.resolve()


def _check_corpus(corpus: Path | None, out: Path) -> None:
    """Refuse an ``out`` inside the corpus (the next build would read the report as corpus)."""
    if corpus is None:
        return
    if out == corpus or out.is_relative_to(corpus):
        raise ReportError(
            f"--out {out} is inside the corpus folder {corpus}; choose an --out outside it"
        )
    if corpus.is_relative_to(out):
        raise ReportError(f"the corpus {corpus} is inside --out {out}; choose another --out")


def _build(
    paths: Sequence[Path],
    staging: Path,
    parameters: Mapping[str, Any],
    *,
    show_code: bool,
    timeout: int,
    kernel_name: str,
    log: BuildLog,
    interrupt: _Interrupt,
) -> None:
    """Run and export every notebook into ``staging``."""
    executed = []
    for path in paths:
        started = time.perf_counter()
        try:
            nb = execute_notebook(path, parameters, timeout=timeout, kernel_name=kernel_name)
        except NotebookError as error:
            if interrupt.requested or error.ename == "KeyboardInterrupt":
                raise KeyboardInterrupt from None
            raise
        interrupt.install()
        interrupt.check()
        log.seconds[f"execute {path.name}"] = time.perf_counter() - started
        executed.append((path, nb))
    pages = [
        Page(
            notebook=path.name,
            filename=path.with_suffix(".html").name,
            title=notebook_title(nb, path.stem),
            summary=notebook_summary(nb),
            seconds=log.seconds[f"execute {path.name}"],
        )
        for path, nb in executed
    ]
    context = report_context(
        read_provenance(staging),
        pages,
        build_time=parameters["BUILD_TIME"],
        show_code=show_code,
    )
    for page, (path, nb) in zip(pages, executed, strict=True):
        started = time.perf_counter()
        _write_text(staging / page.filename, export_page(nb, page.title, context))
        log.seconds[f"export {path.name}"] = time.perf_counter() - started
    log.pages.extend(pages)
    _write_text(staging / "index.html", render_index(pages, context))
