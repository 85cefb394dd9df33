"""A reader in a real browser: Debian's Chromium, driven by Playwright, on the fixture archive served
over HTTP from 127.0.0.1. One browser for the session, a fresh context (tab and settings) per test.

Every test ends by checking that nothing went wrong in its pages: no console error (a blocked
resource, a Content-Security-Policy violation, a script error), no failed request, no dialog.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from external_tools import require_program
from fixture_archive import ARTICLE_URLS, EVIL_TITLE, build_fixture_archive

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
TIMEOUT_MS = 10_000
# Installed before any page script runs, so that no violation goes unreported.
REPORT_CSP_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) =>
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`));"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # the test output is for failures, not for a request log
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_fixture_archive(tmp_path_factory.mktemp("browser")) / "_site"


@pytest.fixture(scope="module")
def base_url(site):
    """The site served on an ephemeral port of 127.0.0.1 while the module's tests run."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, name="fixture-site-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Browser:
    chromium = require_program("chromium", "chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Reader:
    """A browser tab and everything that went wrong in it."""

    def __init__(self, browser: Browser, base_url: str, **context_options):
        self.base_url = base_url
        self.context = browser.new_context(**context_options)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.add_init_script(REPORT_CSP_VIOLATIONS)
        self.page: Page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda message: message.type == "error" and self.problems.append(
            f"{self.page.url}: console error: {message.text}"))
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.page.url}: script error: {error}"))
        # A request cut short because the test moved on to the next page (the icon, often) is no fault.
        self.page.on("requestfailed", lambda request: request.failure != "net::ERR_ABORTED" and self.problems.append(
            f"request failed: {request.url} ({request.failure})"))
        self.page.on("response", lambda response: response.status >= 400 and self.problems.append(
            f"HTTP {response.status}: {response.url}"))
        self.page.on("dialog", lambda dialog: (self.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))

    def visit(self, url: str) -> Page:
        self.page.goto(self.base_url + url)
        return self.page

    def focused(self) -> dict:
        return self.page.evaluate("""() => { const e = document.activeElement;
            return {tag: e.tagName, id: e.id, cls: e.className, text: e.textContent.trim(),
                    outline: getComputedStyle(e).outlineStyle}; }""")


@pytest.fixture
def reader(browser, base_url):
    """reader(**context options) -> Reader; every tab opened is closed after the test."""
    readers = []

    def open_tab(**options) -> Reader:
        readers.append(Reader(browser, base_url, **options))
        return readers[-1]

    yield open_tab
    for opened in readers:
        opened.context.close()


def test_a_reader_clicks_from_the_home_page_to_a_place_and_one_of_its_reports(reader):
    tab = reader()
    page = tab.visit("")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Locations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Locations")
    page.locator(".term-group").get_by_role("link", name="Samara").click()  # the list, not the note under the map
    expect(page.get_by_role("heading", level=1)).to_have_text("Samara")
    page.get_by_role("link", name="The toll is revised").click()
    expect(page).to_have_url(tab.base_url + ARTICLE_URLS["toll-revised"])
    expect(page.get_by_role("heading", level=1)).to_have_text("The toll is revised")
    expect(page.get_by_role("complementary", name="Related reports").get_by_role("heading", level=3)).to_have_count(5)
    # On paper: no navigation, and the report still shows where it came from.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("search")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert tab.problems == []


def result_titles(page: Page) -> list[str]:
    return page.locator("#search-results .report-title").all_inner_texts()


def test_searching_finds_a_report_by_a_word_of_its_title_and_filters_narrow_the_results(reader):
    tab = reader()
    page = tab.visit("")
    page.get_by_role("search").get_by_role("searchbox").fill("toll")
    page.get_by_role("search").get_by_role("searchbox").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.locator("#search-q")).to_have_value("toll")
    expect(page.get_by_role("status")).to_have_text("2 reports found, newest first.")
    # Found in the 2023 index, read after 2024's: the page loads an index a year.
    assert page.evaluate("window.NEWSARCHIVE_SEARCH.length") == 2
    assert result_titles(page) == ["The toll is revised", "Moscow admits a toll"]
    first = page.locator("#search-results li").first
    expect(first.locator(".meta")).to_have_text("10 January 2023 · Makiivka, Samara")
    page.get_by_label("Place").select_option("samara")
    expect(page.get_by_role("status")).to_have_text("1 report found, newest first.")
    assert result_titles(page) == ["The toll is revised"]
    assert page.url.endswith("search/?q=toll&location=samara")  # the address keeps the search
    first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The toll is revised")
    assert tab.problems == []


def test_search_reads_the_index_of_every_year_and_lists_results_newest_first_across_them(reader):
    tab = reader()
    page = tab.visit("search/?topic=commemoration")  # a filter alone: reports of 2024 and of 2023
    expect(page.get_by_role("status")).to_have_text("3 reports found, newest first.")
    assert result_titles(page) == ["One year on", "Farewells in Tolyatti", "Rally in Samara"]
    # Each result's places come from its own year's index (Tolyatti is in 2023's alone).
    expect(page.locator("#search-results .meta")).to_have_text([
        "1 January 2024 · Makiivka, Samara", "3 January 2023 · Tolyatti", "3 January 2023 · Samara"])
    box = page.get_by_label("Words")
    box.fill("rally")  # a word of a 2023 report only, the filter still on
    expect(page.get_by_role("status")).to_have_text("1 report found, newest first.")
    assert result_titles(page) == ["Rally in Samara"]
    page.get_by_label("Topic").select_option("")
    box.fill("year")  # the title of a 2024 report and the summary of a 2023 one
    expect(page.get_by_role("status")).to_have_text("2 reports found, newest first.")
    assert result_titles(page) == ["One year on", "Rockets hit a school used as barracks"]
    page.get_by_label("Place").select_option("samara")
    expect(page.get_by_role("status")).to_have_text("1 report found, newest first.")
    assert result_titles(page) == ["One year on"]
    assert tab.problems == []


def test_search_says_so_when_a_years_index_did_not_load(reader):
    tab = reader()
    tab.page.route("**/search/2023-1.js", lambda route: route.abort())
    page = tab.visit("search/?q=toll")
    expect(page.get_by_role("status")).to_have_text("The search index did not load; reload the page to try again.")
    assert result_titles(page) == []
    # The blocked index is the only thing that went wrong: no script error.
    assert sorted(tab.problems) == [f"{tab.base_url}search/?q=toll: console error: Failed to load resource: net::ERR_FAILED",
                                    f"request failed: {tab.base_url}search/2023-1.js (net::ERR_FAILED)"]


def test_search_ignores_case_and_accents_matches_a_word_begun_and_shows_titles_as_text(reader):
    tab = reader()
    page = tab.visit("search/?q=MAKIIVKA")  # the body says "Makiïvka"
    expect(page.get_by_role("status")).to_have_text("1 report found, newest first.")
    assert result_titles(page) == ["Farewells in Tolyatti"]
    box = page.get_by_label("Words")
    box.fill("farew")  # still typing
    assert result_titles(page) == ["Farewells in Tolyatti"]
    box.fill("farewells samara")  # every word must match
    expect(page.get_by_role("status")).to_have_text("No report matches. Try fewer or other words, or fewer filters.")
    box.fill("quotes")
    assert result_titles(page) == [EVIL_TITLE]  # text, not markup: no script ran (a dialog would be a problem)
    box.fill("")
    page.get_by_label("Year").select_option("2024")
    assert result_titles(page) == ["One year on"]
    assert tab.problems == []


def test_search_works_from_a_file_without_a_server(reader, site):
    tab = reader()
    page = tab.page
    page.goto((site / "search/index.html").as_uri() + "?q=rally")
    expect(page.get_by_role("status")).to_have_text("1 report found, newest first.")
    assert result_titles(page) == ["Rally in Samara"]
    assert tab.problems == []


def test_without_javascript_the_search_page_says_what_to_do_instead(reader):
    tab = reader(java_script_enabled=False)
    page = tab.visit("search/?q=toll")
    expect(page.get_by_role("status")).to_contain_text("needs JavaScript")
    expect(page.get_by_role("status").get_by_role("link", name="timeline")).to_be_visible()
    assert tab.problems == []


def test_keyboard_focus_goes_from_the_skip_link_to_the_search_box_and_is_visible(reader):
    tab = reader()
    for url, box in (("", "site-search-q"), ("search/", "search-q")):
        tab.visit(url)
        tab.page.keyboard.press("Tab")
        assert tab.focused()["text"] == "Skip to content", url
        for _ in range(12):
            tab.page.keyboard.press("Tab")
            focused = tab.focused()
            assert focused["outline"] != "none", (url, focused)
            if focused["id"] == box:
                break
        else:
            pytest.fail(f"/{url}: twelve presses of Tab never reached #{box}")
    tab.page.keyboard.type("rally")
    tab.page.keyboard.press("Enter")
    assert result_titles(tab.page) == ["Rally in Samara"]
    assert tab.problems == []


@pytest.mark.parametrize("width, scheme", [(390, "light"), (390, "dark"), (320, "light")])
def test_no_page_scrolls_sideways_on_a_phone(reader, width, scheme):
    tab = reader(viewport={"width": width, "height": 844}, color_scheme=scheme)
    for url in ("", ARTICLE_URLS["toll-revised"], ARTICLE_URLS["escaped-title"], "2023/", "locations/",
                "search/?q=toll", "timeline/", "timeline/2024/", "claims/", "corrections/"):
        page = tab.visit(url)
        width, viewport = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width <= viewport, (url, width, viewport)
    assert tab.problems == []


def luminance(rgb: str) -> float:
    channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1: rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_has_sufficient_contrast_in_light_and_dark_mode(reader, scheme):
    tab = reader(color_scheme=scheme)
    page = tab.visit(ARTICLE_URLS["strike-on-school"])
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (luminance(background) < 0.1) == (scheme == "dark")
    for selector in ("h1", ".report-body p", ".meta", ".kicker a", ".source-url", ".site-nav a", ".standfirst"):
        color = page.locator(selector).first.evaluate("e => getComputedStyle(e).color")
        assert contrast(color, background) >= 4.5, (scheme, selector, color, background)
    button = page.get_by_role("button", name="Search").evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
    assert contrast(*button) >= 4.5, (scheme, "button", button)
    assert tab.problems == []


def test_a_reader_goes_from_a_dot_on_the_map_to_the_place(reader):
    tab = reader()
    page = tab.visit("locations/")
    figure = page.get_by_role("figure")
    expect(figure.locator("svg")).to_be_visible()
    figure.get_by_role("link", name="Tolyatti").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tolyatti")
    expect(page).to_have_url(tab.base_url + "locations/tolyatti/")
    assert tab.problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_claims_chart_is_drawn_in_colours_that_stand_out_in_light_and_dark_mode(reader, scheme):
    tab = reader(color_scheme=scheme)
    page = tab.visit("claims/")
    chart = page.get_by_role("img", name="Claims over time, by claimant")
    expect(chart).to_be_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    marks = chart.locator(".mark .symbol")
    assert marks.count() == 6
    for n in range(marks.count()):
        stroke = marks.nth(n).evaluate("e => getComputedStyle(e).stroke")
        assert contrast(stroke, background) >= 3, (scheme, n, stroke, background)  # non-text contrast (WCAG 1.4.11)
    for selector in (".chart-axis-labels text", ".legend text", ".mark-labels text"):
        fill = chart.locator(selector).first.evaluate("e => getComputedStyle(e).fill")
        assert contrast(fill, background) >= 4.5, (scheme, selector, fill, background)
    # On paper, in the light colours whatever the screen's mode.
    page.emulate_media(media="print")
    assert luminance(page.evaluate("getComputedStyle(document.body).backgroundColor")) > 0.9
    assert tab.problems == []
