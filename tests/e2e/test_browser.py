"""The built website in a real browser: Debian's Chromium, driven by Playwright.

The site of the session's build (edition YEAR with PDF, edition OTHER_YEAR website only) is served
by a static HTTP server on 127.0.0.1 in a thread of the test. Playwright never downloads a browser:
it starts the Chromium at CHROMIUM (default /usr/bin/chromium; the Debian package `chromium`).
Every request of every page is recorded, and one to another host is aborted and fails the test.

Set SOZIALBERICHT_SCREENSHOTS to a folder to get screenshots of the pages the tests look at.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from support_e2e import OTHER_YEAR, YEAR

pytestmark = pytest.mark.e2e

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHAPTERS = ["bevoelkerung", "arbeit", "einkommen", "kinder", "wohnen", "bildung", "sicherheit", "zufriedenheit"]
CHAPTER = f"{YEAR}/book/edition/bevoelkerung.html"
PROFILE = f"{YEAR}/book/edition/steckbriefe/ot-20.html"  # Neustadt-Neuschönefeld
EARLY_WARNING = f"{YEAR}/book/edition/fruehwarnsystem.html"

# Console messages of type "error" and uncaught script errors that are known to be harmless, each with
# its reason. The theme's "Got invalid theme mode: . Resetting to auto." is gone since _config.yml sets
# html_context.default_mode, and the 404 of /favicon.ico since the pages name an icon (html.favicon;
# inline on the landing page); neither is accepted here any more.
HARMLESS_ERRORS: dict[str, str] = {
    # Jupyter Book 1.0.4 with sphinx-thebe 0.3.1 writes the inline script `const THEBE_JS_URL = ...`
    # twice into every page (a book with one Markdown page and no configuration shows it too); the
    # second copy stops at the redeclaration, the first has set the constants. Thebe is not used.
    "Identifier 'THEBE_JS_URL' has already been declared": "upstream: Jupyter Book / sphinx-thebe",
}

# axe-core rules checked: WCAG 2.0 and 2.1, levels A and AA. A violation of impact "serious" or
# "critical" fails the test, except for the rules below (problems inside the third-party theme that
# CSS and configuration cannot repair; each with the reason).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_EXCLUDED_RULES: dict[str, str] = {}


def _chromium_missing() -> str | None:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (install the Debian package chromium, or set CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


if _chromium_missing():
    pytestmark = [pytestmark, pytest.mark.skip(reason=_chromium_missing())]


# --------------------------------------------------------------------------- server and browser


def harmless(text: str) -> bool:
    return any(known in text for known in HARMLESS_ERRORS)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def site_url(two_editions):
    """Base URL of the built site (all editions and the landing page), served on 127.0.0.1."""
    root = two_editions / "html"
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Tab:
    """A browser page and everything it did: requests, console errors, failed responses."""

    page: object
    base: str
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def local(self, url: str) -> bool:
        return url.startswith(self.base) or url.startswith(("data:", "blob:", "about:"))

    def route(self, route) -> None:
        url = route.request.url
        if self.local(url):
            route.continue_()
        else:  # never let it out; the test that looks at requests fails on it
            self.foreign.append(url)
            route.abort()

    def console(self, message) -> None:
        if message.type == "error" and not harmless(message.text):
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def page_error(self, error) -> None:
        if not harmless(str(error)):
            self.errors.append(f"page error: {error}")

    def open(self, path: str, wait: str = "networkidle"):
        response = self.page.goto(self.base + path, wait_until=wait)
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        return response

    def problems(self) -> list[str]:
        return (
            self.errors + [f"HTTP {f}" for f in self.failed] + [f"request to another host: {u}" for u in self.foreign]
        )

    def screenshot(self, name: str, full_page: bool = False) -> None:
        folder = os.environ.get("SOZIALBERICHT_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


@pytest.fixture
def tab(browser, site_url):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="de-DE", accept_downloads=True, service_workers="block"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    tab = Tab(page, site_url)
    context.route("**/*", tab.route)
    context.on("request", lambda request: tab.requests.append(request.url))
    context.on(
        "response", lambda response: response.status >= 400 and tab.failed.append(f"{response.status} {response.url}")
    )
    page.on("console", tab.console)
    page.on("pageerror", tab.page_error)
    try:
        yield tab
    finally:
        context.close()


def wait_for_charts(page) -> int:
    """Wait until every chart of the page is drawn (an <svg> in each .sb-chart); their number."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.sb-chart')].every("
        "f => f.querySelector('.sb-chart-canvas svg') || /nicht/.test(f.querySelector('.sb-chart-canvas').textContent))"
    )
    return page.locator(".sb-chart").count()


def wait_for_year_switch(page) -> None:
    page.wait_for_selector("#sb-edition-select")


# --------------------------------------------------------------------------- pages and charts


def test_landing_page_links_to_the_editions(tab):
    page = tab.page
    tab.open("index.html")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").inner_text() == "Sozialbericht Leipzig"
    links = [page.locator("a", has_text=f"Sozialbericht {year}") for year in (YEAR, OTHER_YEAR)]
    assert [link.get_attribute("href") for link in links] == [f"{YEAR}/index.html", f"{OTHER_YEAR}/index.html"]
    assert page.get_by_role("link", name="Zur neuesten Ausgabe").get_attribute("href") == f"{YEAR}/index.html"
    tab.screenshot("landing")
    links[0].click()
    page.wait_for_url(f"**/{YEAR}/book/edition/einleitung.html")
    page.wait_for_load_state("networkidle")
    assert f"Sozialbericht Leipzig {YEAR}" in page.title()
    assert page.locator("article h1").first.is_visible()
    assert not tab.problems(), tab.problems()


def test_edition_start_page_loads(tab):
    page = tab.page
    tab.open(f"{YEAR}/index.html")  # a redirect to the introduction
    page.wait_for_url(f"**/{YEAR}/book/edition/einleitung.html")
    page.wait_for_load_state("networkidle")
    wait_for_year_switch(page)
    assert page.locator("html").get_attribute("lang") == "de"
    assert f"Sozialbericht Leipzig {YEAR}" in page.title()
    assert page.locator("article h1").first.is_visible()
    assert not tab.problems(), tab.problems()


def test_every_chart_renders(tab):
    """Each chart of the chapters, the early-warning page and an Ortsteil profile is drawn as SVG,
    fits the text column, is named by its alt text; no script error, no failed request on the way."""
    page = tab.page
    for name in [*CHAPTERS, "fruehwarnsystem", "steckbriefe/ot-20"]:
        tab.open(f"{YEAR}/book/edition/{name}.html")
        count = wait_for_charts(page)
        assert count >= (3 if name in CHAPTERS else 1), name
        text = page.locator("body").inner_text()
        for message in ("Error loading script", "konnte nicht gezeichnet werden", "Diagramm nicht verfügbar"):
            assert message not in text, f"{name}: {message}"
        charts = page.evaluate("""() => [...document.querySelectorAll('.sb-chart-canvas')].map(c => ({
            id: c.id, label: c.getAttribute('aria-label'), svg: c.querySelectorAll('svg').length,
            width: c.querySelector('svg') ? c.querySelector('svg').getBoundingClientRect().width : 0,
            client: c.clientWidth, scroll: c.scrollWidth}))""")
        for chart in charts:
            assert chart["svg"] >= 1 and chart["width"] > 100, f"{name}: {chart}"
            assert chart["label"] and chart["label"] != "Vega visualization", f"{name}: alt text lost: {chart}"
            assert chart["scroll"] <= chart["client"] + 1, f"{name}: chart cut off at the column's edge: {chart}"
        if name == "bevoelkerung":
            page.locator(".sb-chart").nth(1).scroll_into_view_if_needed()
            tab.screenshot("chapter-chart")
    assert not tab.problems(), tab.problems()


# --------------------------------------------------------------------------- year switch


def test_year_switch_opens_the_same_page_of_the_other_edition(tab):
    page = tab.page
    tab.open(CHAPTER)
    wait_for_year_switch(page)
    select = page.locator("#sb-edition-select")
    assert select.locator("option").all_inner_texts() == [str(YEAR), str(OTHER_YEAR)]
    assert select.input_value() == str(YEAR)
    assert page.get_by_role("combobox", name="Ausgabe", exact=True).count() == 1  # named by its visible label
    select.select_option(str(OTHER_YEAR))
    page.wait_for_url(f"**/{OTHER_YEAR}/book/edition/bevoelkerung.html")
    page.wait_for_load_state("networkidle")
    wait_for_year_switch(page)
    assert page.locator("#sb-edition-select").input_value() == str(OTHER_YEAR)
    assert f"Berichtsjahr {OTHER_YEAR}" in page.locator("main").inner_text()
    assert f"Sozialbericht Leipzig {OTHER_YEAR}" in page.title()
    assert not tab.problems(), tab.problems()


def test_year_switch_with_the_keyboard(tab):
    page = tab.page
    tab.open(PROFILE)
    wait_for_year_switch(page)
    for _ in range(60):  # Tab through the page from its start until the year switch has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "sb-edition-select":
            break
    else:
        pytest.fail("the year switch cannot be reached with the Tab key")
    page.keyboard.press("ArrowDown")  # selects the next year; must not leave the page yet (WCAG 3.2.2)
    page.wait_for_timeout(300)
    assert page.url.endswith(PROFILE)
    assert page.locator("#sb-edition-select").input_value() == str(OTHER_YEAR)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{OTHER_YEAR}/book/edition/steckbriefe/ot-20.html")
    page.wait_for_load_state("networkidle")
    assert "Neustadt-Neuschönefeld" in page.locator("article h1").first.inner_text()
    assert not tab.problems(), tab.problems()


# --------------------------------------------------------------------------- search and downloads


def test_search_finds_an_ortsteil(tab):
    page = tab.page
    tab.open(f"{YEAR}/search.html?q={quote('Grünau')}")
    # Sphinx sets the heading to "Suchergebnisse" when the search has finished (the summary line
    # "… Seite(n) gefunden" stays empty: Sphinx 7.4's German catalogue has no text for it)
    page.wait_for_function(
        "() => (document.querySelector('#search-results h2') || {}).textContent === 'Suchergebnisse'"
    )
    hits = page.locator("#search-results ul.search li a")
    targets = [hits.nth(i).get_attribute("href") for i in range(hits.count())]
    titles = hits.all_inner_texts()
    profiles = [t for t in targets if "steckbriefe/ot-" in t]
    assert profiles, f"no Ortsteil profile among the hits: {list(zip(titles, targets))}"
    assert any(t.startswith("Grünau") for t in titles), titles
    hits.filter(has_text="Grünau").first.click()
    page.wait_for_load_state("networkidle")
    assert "steckbriefe/ot-" in page.url and "Grünau" in page.locator("article h1").first.inner_text()
    assert not tab.problems(), tab.problems()


def _fetch_text(page, url: str) -> str:
    result = page.evaluate(
        """async url => { const r = await fetch(url);
        return {status: r.status, text: await r.text()}; }""",
        url,
    )
    assert result["status"] == 200, f"{url}: HTTP {result['status']}"
    return result["text"]


def test_downloads_exist_and_parse(tab, tmp_path):
    page = tab.page
    tab.open(f"{YEAR}/book/edition/einleitung.html")
    links = page.locator("a[href*='downloads/'], a[href$='.pdf']")
    hrefs = {
        Path(h).name: page.evaluate("h => new URL(h, location.href).href", h)
        for h in (links.nth(i).get_attribute("href") for i in range(links.count()))
    }
    assert {f"indikatoren-{YEAR}.csv", "datapackage.json", f"sozialbericht-{YEAR}.pdf"} <= set(hrefs), hrefs
    rows = list(csv.DictReader(io.StringIO(_fetch_text(page, hrefs[f"indikatoren-{YEAR}.csv"]))))
    assert len(rows) > 1000 and {"indicator", "level", "year", "value"} <= set(rows[0])
    package = json.loads(_fetch_text(page, hrefs["datapackage.json"]))
    assert [f["name"] for f in package["resources"][0]["schema"]["fields"]] == list(rows[0])
    pdf = page.evaluate(
        """async url => { const r = await fetch(url);
        const b = new Uint8Array(await r.arrayBuffer()); return [r.status, String.fromCharCode(...b.slice(0, 5))]; }""",
        hrefs[f"sozialbericht-{YEAR}.pdf"],
    )
    assert pdf == [200, "%PDF-"]
    # a chart's data, downloaded through its link as a person would
    tab.open(CHAPTER)
    link = page.locator(".sb-chart-csv a").first
    with page.expect_download() as info:
        link.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    with open(target, encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    assert target.suffix == ".csv" and len(table) > 1 and len(table[0]) >= 2
    assert all(len(row) == len(table[0]) for row in table)
    assert not tab.problems(), tab.problems()


def test_no_request_leaves_the_machine(tab):
    page = tab.page
    for path in [
        "index.html",
        f"{YEAR}/index.html",
        CHAPTER,
        EARLY_WARNING,
        PROFILE,
        f"{YEAR}/book/edition/daten.html",
        f"{YEAR}/search.html?q=Arbeit",
        f"{OTHER_YEAR}/index.html",
    ]:
        tab.open(path)
        page.wait_for_load_state("networkidle")
    assert len(tab.requests) > 50
    assert not tab.foreign, f"requests to other hosts: {sorted(set(tab.foreign))[:10]}"
    assert all(tab.local(url) for url in tab.requests), [u for u in tab.requests if not tab.local(u)][:10]


# the build stages static files as _assets: a folder named _static made Jupyter Book load every
# script in it a second time (the Vega module as a classic script, MathJax on every page)
def test_each_script_is_loaded_once(tab):
    page = tab.page
    for path, formulas in [(CHAPTER, False), (f"{YEAR}/book/edition/daten.html", True)]:
        tab.requests.clear()
        tab.open(path)
        scripts = [u.split("?")[0] for u in tab.requests if u.split("?")[0].endswith(".js")]
        twice = sorted({u for u in scripts if scripts.count(u) > 1})
        assert not twice, f"{path}: loaded more than once: {twice}"
        assert any(u.endswith("/mathjax/tex-svg.js") for u in scripts) == formulas, (
            f"{path}: MathJax must be loaded where there are formulas, and only there"
        )
    assert page.locator("mjx-container").count() > 0  # the formulas of the appendix are typeset


# --------------------------------------------------------------------------- accessibility


def _axe(page) -> list[dict]:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python not installed")
    results = axe.Axe().run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    )
    return results.response["violations"]


def _describe(violation: dict) -> str:
    nodes = "; ".join(f"{n['target']} {n['html'][:120]}" for n in violation["nodes"][:5])
    return f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}x): {violation['help']} -- {nodes}"


@pytest.mark.parametrize(
    "path, mode",
    [("index.html", None), (CHAPTER, None), (EARLY_WARNING, None), (PROFILE, None), (CHAPTER, "dark")],
    ids=["landing", "chapter", "fruehwarnsystem", "profile", "chapter-dark-mode"],
)
def test_accessibility_wcag21_aa(tab, path, mode):
    page = tab.page
    if mode:  # the colour mode a reader chose with the theme's switch (kept in localStorage)
        page.context.add_init_script(f"localStorage.setItem('mode', '{mode}')")
    tab.open(path)
    if mode:
        assert page.locator("html").get_attribute("data-theme") == mode
    if path != "index.html":
        wait_for_year_switch(page)
        wait_for_charts(page)
        page.wait_for_timeout(500)  # the theme's tab stops for scrolling boxes are set after 300 ms
    problems = tab.problems()  # before axe: its CSS preload asks for @import "../basic.css" at the wrong place
    violations = _axe(page)
    serious = [v for v in violations if v["impact"] in ("serious", "critical") and v["id"] not in AXE_EXCLUDED_RULES]
    assert not serious, "\n".join(_describe(v) for v in serious)
    tab.screenshot(Path(path).stem + (f"-{mode}" if mode else ""))
    assert not problems, problems
