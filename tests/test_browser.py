"""Every exported page opened in headless Chromium: offline, error-free, readable, inert."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from report_support import hostile_report, reader_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # needed as root (CI containers)
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# itables embeds its library as base64 and imports it through a blob: URL; data: and blob:
# never leave the page, file: is the report itself. Anything else is a network request.
LOCAL_SCHEMES = ("file:", "data:", "blob:")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists() or shutil.which("chromium") is None,
        reason="Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class OpenedPage:
    """A page loaded in Chromium, with everything it logged and requested."""

    def __init__(self, browser, path: Path) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(path.as_uri(), wait_until="load")
        # the searchable tables initialise asynchronously (module import from a blob)
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_timeout(300)

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text}")


PAGES = ["index", "01_corpus", "02_themes", "03_context", "04_trends"]
ARABIC_BLOCKS = """() => [...document.querySelectorAll('p, h1, h2, h3, li, td, th')]
    .filter(e => e.offsetParent !== null && e.children.length === 0)
    .filter(e => {
        const ar = (e.textContent.match(/[\\u0600-\\u06FF]/g) || []).length;
        const latin = (e.textContent.match(/[A-Za-z]/g) || []).length;
        return ar > 3 * latin;
    })
    .map(e => {
        const style = getComputedStyle(e), align = style.textAlign, dir = style.direction;
        const right = ['right', '-webkit-right'].includes(align)
            || (align === 'start' && dir === 'rtl') || (align === 'end' && dir === 'ltr');
        return [e.tagName, dir, style.unicodeBidi, right, e.textContent.slice(0, 40)];
    })"""


def arabic_block_problems(blocks: list) -> tuple[list, list]:
    """(blocks not right to left, prose blocks not right-aligned) of `ARABIC_BLOCKS`' result.

    Table cells may be `plaintext` (each takes its own direction); every Arabic prose block
    (paragraph, heading, list item) must be right to left and right-aligned.
    """
    wrong = [
        (tag, direction)
        for tag, direction, bidi, _, _ in blocks
        if direction != "rtl" and not (tag in ("TD", "TH") and bidi == "plaintext")
    ]
    flush_left = [
        (tag, text)
        for tag, direction, _, right, text in blocks
        if tag not in ("TD", "TH") and not (direction == "rtl" and right)
    ]
    return wrong, flush_left


@pytest.fixture(scope="module")
def reader():
    return reader_report()


@pytest.mark.parametrize("name", PAGES)
def test_page_is_offline_error_free_and_readable(browser, reader, name):
    opened = OpenedPage(browser, reader / f"{name}.html")
    page = opened.page
    assert opened.errors == []
    outside = [url for url in opened.requests if not url.startswith(LOCAL_SCHEMES)]
    assert outside == [], f"requests outside the file: {outside}"

    broken = page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt)"
    )
    assert broken == []

    # Blocks of mostly Arabic text: paragraphs and headings must compute to rtl; table
    # cells may instead take their direction from their text (unicode-bidi: plaintext).
    arabic_blocks = page.evaluate(ARABIC_BLOCKS)
    assert any(tag == "P" for tag, *_ in arabic_blocks), "no Arabic paragraph found"
    wrong, flush_left = arabic_block_problems(arabic_blocks)
    assert wrong == [], f"Arabic blocks not right to left: {wrong}"
    assert flush_left == [], f"Arabic prose not right-aligned: {flush_left}"

    assert page.locator(".jp-InputArea-editor:visible, .jp-CodeMirrorEditor:visible").count() == 0
    header = page.locator(".report-header").inner_text()
    assert "seeds" in header and "5 documents analysed" in header and "sha256" in header
    page.close()


def test_concordance_tables_are_searchable_offline(browser, reader):
    opened = OpenedPage(browser, reader / "03_context.html")
    page = opened.page
    tables = page.locator("table.dataTable")
    assert tables.count() >= 5, "one initialised DataTable per theme"
    search = page.locator("input[type=search]").first
    rows_before = page.locator("table.dataTable").first.locator("tbody tr").count()
    search.fill("zzzz-not-in-corpus")
    assert "No matching records" in page.locator("table.dataTable").first.inner_text()
    search.fill("")
    assert page.locator("table.dataTable").first.locator("tbody tr").count() == rows_before
    page.close()


@pytest.mark.parametrize("name", ["01_corpus", "02_themes", "03_context", "04_trends"])
def test_hostile_document_text_shows_literally_and_runs_nothing(browser, name):
    out = hostile_report()
    opened = OpenedPage(browser, out / f"{name}.html")
    page = opened.page
    assert page.evaluate("() => window.__pwned") is None, "document text was executed"
    assert opened.errors == []
    assert [u for u in opened.requests if not u.startswith(LOCAL_SCHEMES)] == []
    # no element was created from the document's markup
    assert (
        page.locator("img[src=x], a[href^='https://example.com'], a[href^=javascript]").count() == 0
    )
    page.close()


def test_hostile_title_is_visible_as_text(browser):
    out = hostile_report()
    opened = OpenedPage(browser, out / "01_corpus.html")
    text = opened.page.locator("body").inner_text()
    assert '<script>window.__pwned = "title"</script>' in text
    assert "[انقر هنا](https://example.com/phish)" in text
    opened.page.close()


def test_hostile_concordance_lines_are_visible_as_text(browser):
    out = hostile_report()
    opened = OpenedPage(browser, out / "03_context.html")
    text = opened.page.locator("body").inner_text()
    assert "<img src=x onerror=" in text
    opened.page.close()


def test_report_measures_the_lexicon_on_the_labels_given(browser):
    out = hostile_report()  # built with --labels tests/data/report/hostile_labels.tsv
    opened = OpenedPage(browser, out / "02_themes.html")
    text = opened.page.locator("body").inner_text()
    assert "Held out: 2 sentences from hostile_corpus" in text
    assert "hostile_labels.tsv" in text
    assert "is not the one the sentences come from" not in text  # same corpus name
    opened.page.close()


def test_hostile_titles_show_literally_in_short_cells(browser):
    """A 1 MB title is one short cell; `$…$` titles read as written (issue 17)."""
    from report_support import titles_report

    out = titles_report()
    for name in ("01_corpus", "02_themes"):
        opened = OpenedPage(browser, out / f"{name}.html")
        assert opened.errors == [], opened.errors
        tallest = opened.page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('td')]"
            ".map(e => e.getBoundingClientRect().height))"
        )
        assert tallest < 200, f"{name}: a table cell is {tallest}px tall"
        cells = opened.page.evaluate(
            "() => [...document.querySelectorAll('td')].map(e => e.innerText)"
        )
        assert any("$\\undefinedmacro$" in cell for cell in cells), name
        assert any("$5 … $10" in cell for cell in cells), name
        assert opened.page.evaluate("() => window.__pwned") is None
        opened.page.close()
