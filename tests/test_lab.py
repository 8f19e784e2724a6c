"""The explorer in real JupyterLab: one Lab server, one notebook, headless Chromium.

Starts `jupyter lab` on a free local port with a token, opens a copy of
`notebooks/05_explore.ipynb` (its output folder set to a temporary one), runs all cells from
the Run menu, changes the theme and the search box, and checks what a reader sees: the KWIC
table updates, its Arabic cells are right to left, identifiers read in their logical order,
no page error, no request leaving localhost. With `EXPLORE_SCREENSHOTS=<folder>` it also
saves screenshots there (to look at; nothing compares them).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from analysis import config

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_SCHEMES = ("data:", "blob:")
SECURITY = "Security and counter-terrorism · security"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a folder with a copy of the explorer."""
    root = tmp_path_factory.mktemp("lab")
    nb = nbformat.read(config.NOTEBOOKS_DIR / "05_explore.ipynb", as_version=4)
    parameters = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    parameters.source += f"\nOUT_DIR = {str(root / 'out')!r}"
    nbformat.write(nb, root / "05_explore.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(root / ".config"),
        "JUPYTER_RUNTIME_DIR": str(root / ".runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / ".workspaces"),
        "MPLBACKEND": "Agg",
    }
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.port_retries=0",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers run as root
    log = (root / "lab.log").open("w")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("jupyter lab did not start:\n" + (root / "lab.log").read_text())
                time.sleep(0.5)
        yield base, token, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


KWIC_TEXT = "() => (document.querySelector('.explore-kwic-box table') || {}).innerText || ''"
# Each KWIC context cell and identifier: computed direction, alignment, and whether the
# identifier's first character is drawn left of its last one (its logical order).
LAYOUT = """() => {
    const contexts = [...document.querySelectorAll('.explore-kwic td.explore-context')]
        .map(td => [getComputedStyle(td).direction, getComputedStyle(td).textAlign]);
    const ids = [...document.querySelectorAll('.explore-kwic td:nth-child(2) bdi')].map(b => {
        const text = b.firstChild, range = document.createRange();
        range.setStart(text, 0); range.setEnd(text, 1);
        const first = range.getBoundingClientRect().left;
        range.setStart(text, text.length - 1); range.setEnd(text, text.length);
        const last = range.getBoundingClientRect().left;
        return [b.textContent, getComputedStyle(b).direction, first < last];
    });
    const documentDir = [...document.querySelectorAll('.explore-document')]
        .map(d => getComputedStyle(d).direction);
    return {contexts, ids, documentDir};
}"""


def test_explorer_in_jupyterlab(lab):
    base, token, root = lab
    shots = os.environ.get("EXPLORE_SCREENSHOTS")
    errors: list[str] = []
    outside: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda error: errors.append(str(error)))

        def request(req) -> None:
            if not (req.url.startswith(base) or req.url.startswith(LOCAL_SCHEMES)):
                outside.append(req.url)

        page.on("request", request)
        page.goto(f"{base}/lab/tree/05_explore.ipynb?token={token}")
        page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
        # Lab may ask which kernel to start: the notebook's own (the preselected one).
        select = page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
        try:
            select.wait_for(timeout=10_000)
            select.click()
        except playwright_api.TimeoutError:
            pass
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
            timeout=60_000
        )
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:
            page.locator(".explore-kwic-box table").wait_for(timeout=120_000)
        except playwright_api.TimeoutError:
            page.screenshot(path=str(root / "timeout.png"))
            print("screenshot of the page when it timed out:", root / "timeout.png")
            raise
        first = page.evaluate(KWIC_TEXT)
        assert "<mark>" not in first and first
        if shots:
            page.screenshot(path=f"{shots}/lab_start.png", full_page=False)

        root_widget = page.locator(".explore-root")
        root_widget.locator("select").first.select_option(label=SECURITY)
        page.wait_for_function(f"({KWIC_TEXT})() !== {first!r}", timeout=30_000)
        by_theme = page.evaluate(KWIC_TEXT)
        search = root_widget.locator(".explore-search-box input")
        search.fill("الارهاب")
        search.press("Enter")
        page.wait_for_function(f"({KWIC_TEXT})() !== {by_theme!r}", timeout=30_000)
        marks = page.locator(".explore-kwic mark").all_inner_texts()
        assert marks and set(marks) <= {"الإرهاب", "الارهاب"}, marks
        layout = page.evaluate(LAYOUT)
        if shots:
            root_widget.scroll_into_view_if_needed()
            page.screenshot(path=f"{shots}/lab_search.png", full_page=False)
            page.locator(".explore-document").first.scroll_into_view_if_needed()
            page.screenshot(path=f"{shots}/lab_document.png", full_page=False)
            page.get_by_role("tab", name="Lexicon · المعجم").click()
            box = page.locator(".explore-lexicon-box textarea")
            box.fill(box.input_value().replace("      - داعش\n", "", 1))
            page.get_by_role("button", name="Recount · أعد العد").click()
            page.get_by_text("Validation (labelled sentences)").wait_for(timeout=60_000)
            page.screenshot(path=f"{shots}/lab_workbench.png", full_page=False)
        browser.close()
    assert layout["contexts"] and all(c == ["rtl", "right"] for c in layout["contexts"]), layout
    assert layout["documentDir"] == ["rtl"]
    assert layout["ids"] and all(d == "ltr" and ordered for _, d, ordered in layout["ids"])
    assert errors == [], errors
    assert outside == [], f"requests leaving localhost: {outside}"
    # Lab may have saved the copy; the repository's notebook is untouched (no outputs).
    stored = nbformat.read(config.NOTEBOOKS_DIR / "05_explore.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in stored.cells if c.cell_type == "code")
    shutil.rmtree(root / "out", ignore_errors=True)
