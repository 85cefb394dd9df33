"""End to end: a small archive built once, and what a reader, a feed reader and a crawler get from it.
Plus determinism across folders and environments, and golden files for a few pages."""

from __future__ import annotations

import calendar
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import html5lib
import pytest

from fixture_archive import ARTICLE_URLS, EVIL_TITLE, NEWEST_FIRST, build_fixture_archive
from helpers import (BASE_URL, BUILD_SCRIPT, SITEMAP_NS, md, page_url, resolve_link, sitemap_entries, tree_hashes,
                     write_project)
from newsarchive import routes
from newsarchive.build import build

@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return build_fixture_archive(tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="module")
def site(project) -> Path:
    return project / "_site"


@pytest.fixture(scope="module")
def html_pages(site) -> dict[str, ET.ElementTree]:
    """Every HTML page: site URL -> html5lib tree (parse errors collected in .errors)."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
        tree = ET.ElementTree(parser.parse(path.read_bytes()))
        tree.errors = parser.errors
        pages[page_url(path.relative_to(site).as_posix())] = tree
    return pages


def report_order(tree) -> list[str]:
    """The reports a listing page shows, by slug, in page order."""
    items = tree.findall(".//ol[@class='report-list']/li/*[@class='report-title']/a")
    return [a.attrib["href"].rstrip("/").rsplit("/", 1)[-1] for a in items]


def pagination_links(html_pages, url: str) -> dict[str, str]:
    """A listing page's links to its neighbouring pages: {"prev" (newer) / "next" (older): site URL}."""
    nav = html_pages[url].find(".//nav[@class='pagination']")
    return {} if nav is None else {a.attrib["rel"]: page_url(resolve_link(url, a.attrib["href"])) for a in nav.iter("a")}


def listing_walk(html_pages, url: str) -> list[str]:
    """The pages a reader visits from a listing's own page by following "Older reports" to the end."""
    visited = [url]
    while (older := pagination_links(html_pages, visited[-1]).get("next")) is not None:
        assert older not in visited, visited
        visited.append(older)
    return visited


def listing_order(html_pages, url: str) -> list[str]:
    """The reports of a listing across all its pages, read from its own page on through the older ones."""
    return [slug for page in listing_walk(html_pages, url) for slug in report_order(html_pages[page])]


# --- what exists ------------------------------------------------------------------------------

def test_every_page_kind_exists(site):
    expected = ["index.html", "archive/index.html", "timeline/index.html", "timeline/2024/index.html",
                "search/index.html", "search/2023-1.js", "search/2024-1.js",
                "claims/index.html", "corrections/index.html",
                "feed.xml", "locations/samara/feed.xml", "topics/strike/feed.xml", "sitemap.xml", "robots.txt",
                "404.html", "static/style.css", "static/search.js", "static/favicon.svg",
                "2023/index.html", "2023/page/1/index.html", "2023/page/3/index.html", "2023/01/index.html", "2023/01/02/index.html",
                "2024/index.html", "2024/01/index.html", "2024/01/01/index.html",
                "locations/index.html", "locations/makiivka/index.html", "locations/samara/index.html",
                "locations/tolyatti/index.html", "topics/index.html", "topics/strike/index.html",
                *(url + "index.html" for url in ARTICLE_URLS.values())]
    missing = [path for path in expected if not (site / path).is_file()]
    assert missing == []
    # The first year's timeline is the timeline itself; search has an index a year and no other.
    assert sorted(p.relative_to(site).as_posix() for p in (site / "timeline").rglob("*")) == [
        "timeline/2024", "timeline/2024/index.html", "timeline/index.html"]
    assert sorted(p.name for p in (site / "search").iterdir()) == ["2023-1.js", "2024-1.js", "index.html"]


def test_pagination_continues_on_numbered_pages(site, html_pages):
    # 6 reports in 2023, 2 a page: three full pages counted from the oldest.
    assert sorted(p for p in html_pages if p.startswith("2023/page/")) == ["2023/page/1/", "2023/page/2/", "2023/page/3/"]
    assert [report_order(html_pages[f"2023/page/{n}/"]) for n in (1, 2, 3)] == [
        ["moscow-admits-toll", "strike-on-school"], ["beta-farewells", "alpha-rally"], ["toll-revised", "escaped-title"]]
    # The own page shows the newest full page (3) and anything newer, and goes on to page 2.
    assert report_order(html_pages["2023/"]) == ["toll-revised", "escaped-title"]
    assert pagination_links(html_pages, "2023/") == {"next": "2023/page/2/"}
    assert pagination_links(html_pages, "2023/page/3/") == {"prev": "2023/", "next": "2023/page/2/"}
    assert pagination_links(html_pages, "2023/page/2/") == {"prev": "2023/page/3/", "next": "2023/page/1/"}
    assert pagination_links(html_pages, "2023/page/1/") == {"prev": "2023/page/2/"}
    tree = html_pages["2023/page/2/"]
    assert text_of(tree.find(".//h1")) == "2023 (page 2)"
    assert tree.find(".//title").text == "2023 (page 2) · Test archive"
    assert text_of(tree.find(".//nav[@class='pagination']/span")) == "Page 2, counted from the oldest"
    assert text_of(tree.find(".//p[@class='count']")) == "2 reports on this page"
    # A numbered page leaves out what changes as the listing grows: the months, the neighbouring years.
    assert tree.find(".//nav[@class='periods']") is None and tree.find(".//nav[@class='prev-next']") is None
    assert html_pages["2023/"].find(".//nav[@class='periods']") is not None
    assert text_of(html_pages["2023/"].find(".//p[@class='count']")) == "6 reports"


def test_following_older_pages_shows_every_report_once(html_pages):
    # From a listing's own page, "Older reports" skips the newest full page (its reports are on the
    # own page) and goes on to page 1: every report is seen exactly once, newest first.
    listings = {"2023/": [s for s in NEWEST_FIRST if s != "one-year-on"],
                "2023/01/": [s for s in NEWEST_FIRST if s != "one-year-on"],
                "locations/makiivka/": ["one-year-on", "toll-revised", "moscow-admits-toll", "strike-on-school"],
                "locations/samara/": ["one-year-on", "toll-revised", "escaped-title", "alpha-rally"],
                "topics/casualties/": ["toll-revised", "moscow-admits-toll", "strike-on-school"],
                "2023/01/03/": ["beta-farewells", "alpha-rally"],
                "2024/": ["one-year-on"]}
    for url, reports in listings.items():
        numbered = sorted((p for p in html_pages if p.startswith(url + "page/")), key=lambda p: int(p.split("/")[-2]))
        full = len(reports) // 2
        assert numbered == [f"{url}page/{n}/" for n in range(1, full + 1)], url
        walk = listing_walk(html_pages, url)
        assert walk == [url] + numbered[:-1][::-1], url  # own page, then pages full-1 .. 1
        assert listing_order(html_pages, url) == reports, url
        if numbered:  # the one page not on the walk repeats the newest full chunk, shown on the own page
            newest_full = report_order(html_pages[numbered[-1]])
            assert newest_full == reports[len(reports) - full * 2:][:2], url
            assert set(newest_full) <= set(report_order(html_pages[url])), url
            assert pagination_links(html_pages, numbered[-1])["prev"] == url


def test_every_internal_link_resolves(site, html_pages):
    broken = []
    for url, tree in html_pages.items():
        for element in tree.iter():
            for attribute in ("href", "src"):
                if attribute in element.attrib:
                    target = resolve_link(url, element.attrib[attribute])
                    if target is not None and not (site / target).is_file():
                        broken.append(f"/{url}: {element.attrib[attribute]}")
    assert broken == []


def test_in_page_fragments_have_targets(html_pages):
    tree = html_pages["2023/01/01/strike-on-school/"]
    ids = {el.attrib["id"] for el in tree.iter() if "id" in el.attrib}
    fragments = {el.attrib["href"][1:] for el in tree.iter("a") if el.attrib.get("href", "").startswith("#")}
    assert fragments and fragments <= ids


# --- what a reader sees -----------------------------------------------------------------------

def test_every_html_page_is_well_formed_with_one_h1_a_language_and_a_csp(html_pages):
    for url, tree in html_pages.items():
        assert tree.errors == [], url
        assert tree.getroot().attrib.get("lang") == "en", url
        assert len(list(tree.iter("h1"))) == 1, url
        csp = [m for m in tree.iter("meta") if m.attrib.get("http-equiv", "").lower() == "content-security-policy"]
        assert len(csp) == 1 and "default-src 'self'" in csp[0].attrib["content"], url
        assert tree.find(".//title").text.strip(), url


def test_alias_is_filed_under_the_canonical_place(site, html_pages):
    assert listing_order(html_pages, "locations/makiivka/") == [
        "one-year-on", "toll-revised", "moscow-admits-toll", "strike-on-school"]
    assert listing_order(html_pages, "locations/tolyatti/") == ["beta-farewells"]
    # Other spellings have no listing of their own: their addresses only redirect to the canonical page.
    for alias, target in (("locations/makeevka", "locations/makiivka/"), ("locations/togliatti", "locations/tolyatti/")):
        page = (site / alias / "index.html").read_text()
        assert f'url=../../{target}"' in page and 'class="report-list"' not in page
    kicker = html_pages["2023/01/01/strike-on-school/"].find(".//p[@class='kicker']/a")
    assert (kicker.text, kicker.attrib["href"]) == ("Makiivka", "../../../../locations/makiivka/")


def test_topics_by_alias(html_pages):
    assert listing_order(html_pages, "topics/casualties/") == ["toll-revised", "moscow-admits-toll", "strike-on-school"]
    assert listing_order(html_pages, "topics/commemoration/") == ["one-year-on", "beta-farewells", "alpha-rally"]


def test_listings_are_newest_first_with_same_day_reports_in_slug_order(html_pages):
    # alpha-rally and beta-farewells share 3 January and have no time: the listing is the exact reverse
    # of the chronological (day, time, slug) order that previous/next links follow.
    assert listing_order(html_pages, "2023/") == [s for s in NEWEST_FIRST if s != "one-year-on"]
    assert listing_order(html_pages, "2023/01/") == [s for s in NEWEST_FIRST if s != "one-year-on"]
    assert listing_order(html_pages, "2023/01/03/") == ["beta-farewells", "alpha-rally"]
    assert listing_order(html_pages, "locations/samara/") == ["one-year-on", "toll-revised", "escaped-title", "alpha-rally"]
    assert report_order(html_pages[""]) == NEWEST_FIRST[:2]  # page_size 2 on the home page


def test_previous_and_next_reports_follow_the_same_order(html_pages):
    chain = NEWEST_FIRST[::-1]
    for i, slug in enumerate(chain):
        nav = html_pages[ARTICLE_URLS[slug]].find(".//nav[@class='prev-next']")
        links = {a.attrib["rel"]: resolve_link(ARTICLE_URLS[slug], a.attrib["href"]) for a in nav.iter("a")}
        expected = {}
        if i > 0:
            expected["prev"] = ARTICLE_URLS[chain[i - 1]] + "index.html"
        if i + 1 < len(chain):
            expected["next"] = ARTICLE_URLS[chain[i + 1]] + "index.html"
        assert links == expected, slug


def test_datetime_report_is_filed_on_its_day_in_the_site_timezone(html_pages):
    assert listing_order(html_pages, "2023/01/02/") == ["moscow-admits-toll"]
    time = html_pages["2023/01/02/moscow-admits-toll/"].find(".//p[@class='meta']/time")
    assert time.attrib["datetime"] == "2023-01-01T23:30:00+00:00"


def test_updated_and_corrected_report(html_pages):
    tree = html_pages["2023/01/10/toll-revised/"]
    notice = tree.find(".//p[@class='notice']")
    assert notice.find("time").attrib["datetime"] == "2023-01-12"
    corrections = [" ".join("".join(li.itertext()).split()) for li in tree.findall(".//section[@id='corrections']//li")]
    assert corrections == ["12 January 2023: The first version gave the wrong unit."]
    # A serious correction is not left for the end: it stands above the report's text.
    report = tree.find(".//article[@class='report']")
    sections = [child.attrib.get("id") or child.attrib["class"] for child in report]
    assert sections[:3] == ["report-header", "serious-corrections", "report-body"]
    assert sections.index("corrections") > sections.index("report-body")
    serious = tree.find(".//section[@id='serious-corrections']")
    assert serious.find("h2").text == "Correction"
    assert [text_of(li) for li in serious.iter("li")] == ["11 January 2023: An earlier version gave the toll as Kyiv's."]
    # The body's "# What changed" is a second-level heading; the title is the only h1.
    assert [h.text for h in tree.iter("h1")] == ["The toll is revised"]
    assert "What changed" in [h.text for h in tree.iter("h2")]


def test_the_corrections_log_lists_every_correction_and_update_newest_first(html_pages):
    tree = html_pages["corrections/"]
    notes = tree.findall(".//ol[@class='change-log']/li")
    assert [(note.find("h2/time").attrib["datetime"], slug_of("corrections/", note.find("h2/a").attrib["href"]))
            for note in notes] == [
        ("2023-01-12", "toll-revised"), ("2023-01-12", "escaped-title"),  # one day: the newer report first
        ("2023-01-11", "toll-revised"), ("2023-01-04", "beta-farewells")]
    assert [[text_of(p) for p in note.findall("p[@class='change-text']")] for note in notes] == [
        ["Correction The first version gave the wrong unit.", "Update The report was updated that day, with the correction above."],
        ["Correction The title was <i>wrong</i>."],
        ["Serious correction An earlier version gave the toll as Kyiv's."],
        ["Update The report was updated."]]
    assert notes[0].find("h2/a").text == "The toll is revised" and notes[1].find("h2/a").text == EVIL_TITLE


def test_source_links_are_absolute_and_escaped(site):
    page = (site / "2023/01/01/strike-on-school/index.html").read_text()
    assert 'href="https://outlet.example/a?x=1&amp;y=2"' in page


def test_drafts_are_absent_everywhere(site):
    assert not (site / "2023/02").exists()
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"unpublished-leak" not in data and b"Unpublished leak" not in data, path


def test_untrusted_text_is_escaped_everywhere(site, html_pages):
    # The only scripts: JSON-LD data blocks, and the search page's own files (an index a year, and the script).
    own_scripts = {"search/2023-1.js", "search/2024-1.js", "static/search.js"}
    for url, tree in html_pages.items():
        scripts = list(tree.iter("script"))
        for script in scripts:
            if "src" in script.attrib:
                assert resolve_link(url, script.attrib["src"]) in own_scripts and not script.text, url
            else:
                assert script.attrib == {"type": "application/ld+json"} and "<" not in script.text, url
        raw = (site / routes.output_path(url)).read_bytes().lower()
        assert raw.count(b"<script") == len(scripts), url
        for element in tree.iter():
            assert not any(name.startswith("on") or name == "style" for name in element.attrib), url
    tree = html_pages["2023/01/05/escaped-title/"]
    assert tree.find(".//h1").text == EVIL_TITLE
    assert tree.find(".//title").text == EVIL_TITLE + " · Test archive"
    assert tree.find(".//meta[@name='description']").attrib["content"] == "Summary with <b>tags</b> & ampersands"
    # Samara's oldest page lists it, with alpha-rally: toll-revised and one-year-on are on the own page.
    assert report_order(html_pages["locations/samara/page/1/"]) == ["escaped-title", "alpha-rally"]
    link_texts = [a.text for a in html_pages["locations/samara/page/1/"].iter("a") if a.text == EVIL_TITLE]
    assert link_texts == [EVIL_TITLE]
    for path in site.rglob("*"):
        if path.is_file() and path.suffix != ".html":
            assert b"<script" not in path.read_bytes().lower(), path


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def slug_of(url: str, href: str) -> str:
    """The slug of the report a link on the page at ``url`` leads to."""
    return resolve_link(url, href).rsplit("/", 2)[-2]


def test_every_page_has_the_icon_the_site_feed_and_a_search_form_leading_to_search(html_pages):
    for url, tree in html_pages.items():
        links = {(link.attrib["rel"], link.attrib.get("type")): resolve_link(url, link.attrib["href"])
                 for link in tree.iter("link")}
        assert links[("icon", "image/svg+xml")] == "static/favicon.svg", url
        assert links[("stylesheet", None)] == "static/style.css", url
        assert tree.find(".//a[@class='skip-link']").attrib["href"] == "#main", url
        assert tree.find(".//main").attrib["id"] == "main", url
        forms = tree.findall(".//form[@role='search']")
        assert len(forms) == 1, url
        assert resolve_link(url, forms[0].attrib["action"]) == "search/index.html", url
        assert forms[0].attrib["method"] == "get" and forms[0].find(".//input[@name='q']") is not None, url
        nav = {a.text: resolve_link(url, a.attrib["href"]) for a in tree.findall(".//nav[@aria-label='Main']//a")}
        assert nav["Timeline"] == "timeline/index.html", url
        assert nav["Claims"] == "claims/index.html", url
        footer = {resolve_link(url, a.attrib["href"]) for a in tree.findall(".//footer//a")}
        assert footer == {"claims/index.html", "corrections/index.html"}, url


TIMELINE_PAGES = {2023: "timeline/", 2024: "timeline/2024/"}  # the first year at timeline/ itself


def test_the_timeline_tells_the_story_oldest_first_grouped_by_day(html_pages):
    days = {year: html_pages[url].findall(".//section[@class='timeline-day']") for year, url in TIMELINE_PAGES.items()}
    # Each year's page holds that year's days, and only those.
    assert {year: [d.find("h3/a/time").attrib["datetime"] for d in found] for year, found in days.items()} == {
        2023: ["2023-01-01", "2023-01-02", "2023-01-03", "2023-01-05", "2023-01-10"], 2024: ["2024-01-01"]}
    assert [resolve_link("timeline/", d.find("h3/a").attrib["href"]) for d in days[2023]][:2] == [
        "2023/01/01/index.html", "2023/01/02/index.html"]
    assert [resolve_link("timeline/2024/", d.find("h3/a").attrib["href"]) for d in days[2024]] == ["2024/01/01/index.html"]
    # Read one year after the other, the pages tell the whole story in order.
    order = [slug_of(url, a.attrib["href"]) for url in TIMELINE_PAGES.values()
             for a in html_pages[url].findall(".//a[@class='timeline-title']")]
    assert order == NEWEST_FIRST[::-1]
    assert {year: [h.text for h in html_pages[url].findall(".//h2[@class='timeline-month']")]
            for year, url in TIMELINE_PAGES.items()} == {2023: ["January 2023"], 2024: ["January 2024"]}
    timed = next(li for li in html_pages["timeline/"].iter("li") if "Moscow admits a toll" in text_of(li))
    assert timed.find(".//time").attrib["datetime"] == "2023-01-01T23:30:00+00:00"


def test_the_timeline_starts_with_the_first_year_and_links_every_year_and_its_neighbours(html_pages):
    for year, url in TIMELINE_PAGES.items():
        tree = html_pages[url]
        assert tree.find(".//h1").text == f"Timeline of {year}", url
        assert tree.find(".//title").text == f"Timeline of {year} · Test archive", url
        # Every year, oldest first, the one shown marked as the current page.
        years = tree.findall(".//nav[@class='periods']//a")
        assert [(a.text, resolve_link(url, a.attrib["href"]), a.attrib.get("aria-current")) for a in years] == [
            ("2023", "timeline/index.html", "page" if year == 2023 else None),
            ("2024", "timeline/2024/index.html", "page" if year == 2024 else None)], url
        # The main navigation's Timeline stays marked on every year's page: the current page only on the first.
        [main] = [a for a in tree.findall(".//nav[@aria-label='Main']//a") if a.text == "Timeline"]
        assert main.attrib["aria-current"] == ("page" if url == "timeline/" else "true"), url
    # Earlier and later years: from the first year on to the next, and back.
    neighbours = {url: {a.attrib["rel"]: (text_of(a), resolve_link(url, a.attrib["href"]))
                        for a in html_pages[url].findall(".//nav[@class='prev-next']/a")}
                  for url in TIMELINE_PAGES.values()}
    assert neighbours == {"timeline/": {"next": ("Later 2024", "timeline/2024/index.html")},
                          "timeline/2024/": {"prev": ("Earlier 2023", "timeline/index.html")}}


def test_related_reports_share_places_and_topics_nearest_in_time_first(html_pages):
    url = ARTICLE_URLS["toll-revised"]  # Makiivka and Samara; Casualties; 10 January 2023
    aside = html_pages[url].find(".//aside[@class='related']")
    related = [slug_of(url, a.attrib["href"]) for a in aside.findall(".//*[@class='report-title']/a")]
    # Two shared terms each, nearest first; then one shared term each; beta-farewells shares nothing.
    assert related == ["moscow-admits-toll", "strike-on-school", "one-year-on", "escaped-title", "alpha-rally"]
    assert html_pages[url].find(".//aside[@class='related']/h2").text == "Related reports"


def test_search_page_works_as_a_form_and_explains_itself_without_javascript(html_pages):
    tree = html_pages["search/"]
    form = tree.find(".//form[@id='search-form']")
    assert resolve_link("search/", form.attrib["action"]) == "search/index.html"
    options = {select.attrib["name"]: [o.attrib["value"] for o in select.iter("option")] for select in form.iter("select")}
    assert options == {"location": ["", "makiivka", "samara", "tolyatti"],
                       "topic": ["", "casualties", "commemoration", "strike"], "year": ["", "2023", "2024"]}
    labels = {label.attrib["for"] for label in form.iter("label")}
    assert labels == {"search-q", "search-location", "search-topic", "search-year"}
    status = tree.find(".//p[@id='search-status']")
    assert "needs JavaScript" in text_of(status)
    assert {resolve_link("search/", a.attrib["href"]) for a in status.iter("a")} == {
        "archive/index.html", "timeline/index.html", "locations/index.html", "topics/index.html"}
    # An index a year, newest first (results come out newest first), then the script that reads them all.
    scripts = [resolve_link("search/", script.attrib["src"]) for script in tree.iter("script")]
    assert scripts == ["search/2024-1.js", "search/2023-1.js", "static/search.js"]
    assert form.attrib["data-indexes"] == "2"  # how many the script must find, or it says the index did not load


SEARCH_INDEX_PREFIX = "(window.NEWSARCHIVE_SEARCH = window.NEWSARCHIVE_SEARCH || []).push("


def search_indexes(site) -> dict[int, dict]:
    """Every yearly search index, by year: the JSON object that search/YYYY-1.js adds to the list
    (the fixture's years are far below the 250 reports that would make a second part)."""
    indexes = {}
    for path in sorted((site / "search").glob("*.js")):
        text = path.read_text(encoding="ascii")  # every other character is escaped
        assert text.count(SEARCH_INDEX_PREFIX) == 1, path
        data = text[text.index(SEARCH_INDEX_PREFIX) + len(SEARCH_INDEX_PREFIX):].rstrip()
        assert data.endswith(");"), path
        year, part = path.stem.split("-")
        assert part == "1", path
        indexes[int(year)] = json.loads(data.removesuffix(");"))
    return indexes


def test_search_index_finds_reports_by_their_words(site):
    indexes = search_indexes(site)
    assert sorted(indexes) == [2023, 2024]
    # Read newest year first, as the search page loads them, the reports are newest first.
    newest_first = [indexes[year] for year in sorted(indexes, reverse=True)]
    reports = [report for index in newest_first for report in index["reports"]]
    assert [slug_of("search/", report[1]) for report in reports] == NEWEST_FIRST
    assert reports[NEWEST_FIRST.index("escaped-title")][0] == EVIL_TITLE
    for year, index in indexes.items():
        assert {report[2][:4] for report in index["reports"]} == {str(year)}  # each index holds its year's reports
        assert index["words"] == sorted(index["words"])
        assert all(p == sorted(set(p)) for p in index["postings"])
        assert len(index["postings"]) == len(index["words"])

    def found(word):
        return sorted(slug_of("search/", index["reports"][n][1]) for index in newest_first if word in index["words"]
                      for n in index["postings"][index["words"].index(word)])

    assert found("makiivka") == ["beta-farewells"]  # "Makiïvka" in its body
    assert found("midnight") == ["strike-on-school"]  # a body's word
    assert found("revised") == ["toll-revised"]  # a title's word
    assert found("ampersands") == ["escaped-title"]  # a summary's word
    assert found("year") == ["one-year-on", "strike-on-school"]  # a title's word in 2024, a summary's in 2023

    def filed_under(kind, slug):
        return [slug_of("search/", report[1]) for index in newest_first
                for report in index["reports"] if slug in [index[kind][n][0] for n in report[4 if kind == "locations" else 5]]]

    assert filed_under("locations", "samara") == ["one-year-on", "toll-revised", "escaped-title", "alpha-rally"]
    assert filed_under("topics", "commemoration") == ["one-year-on", "beta-farewells", "alpha-rally"]


def test_each_yearly_search_index_lists_only_the_places_and_topics_of_its_reports(site):
    indexes = search_indexes(site)
    # 2024's one report is filed under Makiivka, Samara and Commemoration; 2023's reports use every term.
    assert indexes[2024]["locations"] == [["makiivka", "Makiivka"], ["samara", "Samara"]]
    assert indexes[2024]["topics"] == [["commemoration", "Commemoration"]]
    assert indexes[2023]["locations"] == [["makiivka", "Makiivka"], ["samara", "Samara"], ["tolyatti", "Tolyatti"]]
    assert indexes[2023]["topics"] == [["casualties", "Casualties"], ["commemoration", "Commemoration"],
                                       ["strike", "Strike"]]
    for year, index in indexes.items():
        for kind, field in (("locations", 4), ("topics", 5)):
            used = sorted({n for report in index["reports"] for n in report[field]})
            assert used == list(range(len(index[kind]))), (year, kind)  # every entry of a table is used


def test_not_found_page_links_from_the_site_root_and_stays_out_of_search_engines(site, html_pages):
    tree = html_pages["404.html"]
    assert tree.find(".//meta[@name='robots']").attrib["content"] == "noindex"
    assert tree.find(".//link[@rel='canonical']") is None
    hrefs = [el.attrib["href"] for el in tree.iter() if "href" in el.attrib and not el.attrib["href"].startswith("#")]
    # Served in place of any missing address, at any depth: every link starts at the site's path.
    assert hrefs and all(href.startswith("/archive/") for href in hrefs)
    assert all((site / resolve_link("no/such/page/", href)).is_file() for href in hrefs)


def test_report_pages_describe_themselves_to_other_sites(html_pages):
    tree = html_pages[ARTICLE_URLS["strike-on-school"]]
    meta = {m.attrib.get("property") or m.attrib.get("name"): m.attrib["content"] for m in tree.iter("meta")
            if "content" in m.attrib}
    assert meta["og:type"] == "article"
    assert meta["og:title"] == "Rockets hit a school used as barracks · Test archive"
    assert meta["og:url"] == tree.find(".//link[@rel='canonical']").attrib["href"] == BASE_URL + ARTICLE_URLS["strike-on-school"]
    assert meta["og:description"] == meta["description"] == "A strike in the first minutes of the year."
    assert meta["og:site_name"] == "Test archive"
    assert meta["twitter:card"] == "summary"
    assert meta["article:published_time"] == "2023-01-01T00:00:00+00:00"
    assert html_pages[""].find(".//meta[@property='og:type']").attrib["content"] == "website"


def json_ld(tree) -> dict:
    [script] = tree.findall(".//script[@type='application/ld+json']")
    return json.loads(script.text)


def test_report_pages_carry_a_news_article_for_search_engines(html_pages):
    data = json_ld(html_pages[ARTICLE_URLS["strike-on-school"]])
    assert data == {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": "Rockets hit a school used as barracks",
        "description": "A strike in the first minutes of the year.",
        "url": BASE_URL + ARTICLE_URLS["strike-on-school"], "mainEntityOfPage": BASE_URL + ARTICLE_URLS["strike-on-school"],
        "inLanguage": "en", "datePublished": "2023-01-01", "dateModified": "2023-01-01",
        "author": {"@type": "Organization", "name": "Test archive"},
        "publisher": {"@type": "Organization", "name": "Test archive", "url": BASE_URL},
        "isAccessibleForFree": True,
        "contentLocation": [{"@type": "Place", "name": "Makiivka",
                             "geo": {"@type": "GeoCoordinates", "latitude": 48.05, "longitude": 37.93}}],
        "keywords": ["Strike", "Casualties"],
        "citation": [{"@type": "CreativeWork", "name": "Outlet", "url": "https://outlet.example/a?x=1&y=2"}],
    }
    timed = json_ld(html_pages[ARTICLE_URLS["moscow-admits-toll"]])
    assert (timed["datePublished"], timed["dateModified"]) == ("2023-01-01T23:30:00+00:00", "2023-01-01T23:30:00+00:00")
    revised = json_ld(html_pages[ARTICLE_URLS["toll-revised"]])
    assert (revised["datePublished"], revised["dateModified"]) == ("2023-01-10", "2023-01-12")
    # Samara has no coordinates in the gazetteer: a Place without geo.
    assert revised["contentLocation"][1] == {"@type": "Place", "name": "Samara"}
    assert json_ld(html_pages[ARTICLE_URLS["escaped-title"]])["headline"] == EVIL_TITLE
    assert "correction" not in data


def test_a_corrected_report_tells_search_engines_of_its_corrections(html_pages):
    assert json_ld(html_pages[ARTICLE_URLS["toll-revised"]])["correction"] == [
        {"@type": "CorrectionComment", "datePublished": "2023-01-11", "text": "An earlier version gave the toll as Kyiv's."},
        {"@type": "CorrectionComment", "datePublished": "2023-01-12", "text": "The first version gave the wrong unit."}]


# --- what a feed reader and a crawler get --------------------------------------------------------

def test_feed(site):
    data = (site / "feed.xml").read_bytes()
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    links = [entry.link for entry in feed.entries]
    assert links == [BASE_URL + ARTICLE_URLS[slug] for slug in NEWEST_FIRST]
    published = [calendar.timegm(entry.published_parsed) for entry in feed.entries]
    assert published == sorted(published, reverse=True)
    assert feed.feed.updated_parsed == max(entry.updated_parsed for entry in feed.entries)
    assert feed.feed.updated == "2024-01-01T00:00:00Z"
    updated_entry = feed.entries[NEWEST_FIRST.index("toll-revised")]
    assert (updated_entry.published, updated_entry.updated) == ("2023-01-10T00:00:00Z", "2023-01-12T00:00:00Z")
    timed = feed.entries[NEWEST_FIRST.index("moscow-admits-toll")]
    assert timed.published == "2023-01-01T23:30:00Z"
    # The raw XML keeps the hostile title as text.
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in ET.fromstring(data).iter("{http://www.w3.org/2005/Atom}entry")]
    assert EVIL_TITLE in titles


def test_relative_links_in_a_body_work_in_the_feed_too(site):
    # The body of toll-revised links to "../../01/strike-on-school/": right on the report's page.
    # A feed reader resolves it against the feed's address unless the entry says otherwise.
    feed = feedparser.parse((site / "feed.xml").read_bytes(),
                            response_headers={"content-location": BASE_URL + "feed.xml"})
    entry = feed.entries[NEWEST_FIRST.index("toll-revised")]
    hrefs = re.findall(r'href="([^"]+)"', entry.content[0].value)
    assert BASE_URL + ARTICLE_URLS["strike-on-school"] in hrefs


def test_sitemap_lists_every_html_page_and_only_those(site):
    # sitemap.xml is an index of a sitemap a year for dated pages and one for the rest.
    index = ET.fromstring((site / "sitemap.xml").read_bytes())
    assert [loc.text for loc in index.iter(SITEMAP_NS + "loc")] == [
        BASE_URL + "sitemaps/2023-1.xml", BASE_URL + "sitemaps/2024-1.xml", BASE_URL + "sitemaps/pages-1.xml"]
    lastmods = sitemap_entries(site, BASE_URL)  # each address once, in one part
    # Every page but those that ask search engines to leave them out: the 404 page and redirects.
    html_files = {BASE_URL + page_url(p.relative_to(site).as_posix()) for p in site.rglob("*.html")
                  if b'<meta name="robots" content="noindex">' not in p.read_bytes()}
    assert set(lastmods) == html_files
    assert BASE_URL + "404.html" not in lastmods and BASE_URL + "locations/makeevka/" not in lastmods
    assert lastmods[BASE_URL + ARTICLE_URLS["toll-revised"]] == "2023-01-12"
    assert lastmods[BASE_URL + ARTICLE_URLS["one-year-on"]] == "2024-01-01"
    part_2024 = (site / "sitemaps/2024-1.xml").read_text()
    assert BASE_URL + ARTICLE_URLS["one-year-on"] in part_2024 and "/2023/" not in part_2024


TERM_LISTINGS = {
    "locations/makiivka/": ["one-year-on", "toll-revised", "moscow-admits-toll", "strike-on-school"],
    "locations/samara/": ["one-year-on", "toll-revised", "escaped-title", "alpha-rally"],
    "locations/tolyatti/": ["beta-farewells"],
    "topics/strike/": ["strike-on-school"],
    "topics/casualties/": ["toll-revised", "moscow-admits-toll", "strike-on-school"],
    "topics/commemoration/": ["one-year-on", "beta-farewells", "alpha-rally"],
}


@pytest.mark.parametrize("listing", sorted(TERM_LISTINGS))
def test_each_place_and_topic_has_a_feed_of_its_own_reports(site, html_pages, listing):
    feed = feedparser.parse((site / listing / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert [entry.link for entry in feed.entries] == [BASE_URL + ARTICLE_URLS[s] for s in TERM_LISTINGS[listing]]
    # Updated when its newest entry was, whatever the day of the build.
    assert feed.feed.updated_parsed == max(entry.updated_parsed for entry in feed.entries)
    assert feed.feed.link == BASE_URL + listing
    assert feed.feed.title == html_pages[listing].find(".//h1").text + " · Test archive"
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link == BASE_URL + listing + "feed.xml"


def test_feeds_are_announced_on_the_pages_they_follow(html_pages):
    for url, tree in html_pages.items():
        feeds = {resolve_link(url, link.attrib["href"]) for link in tree.iter("link")
                 if link.attrib["rel"] == "alternate" and link.attrib["type"] == "application/atom+xml"}
        listing = next((listing for listing in TERM_LISTINGS if url.startswith(listing)), None)
        assert feeds == ({"feed.xml", listing + "feed.xml"} if listing else {"feed.xml"}), url


def test_robots_txt_points_to_the_sitemap(site):
    lines = (site / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE_URL}sitemap.xml" in lines


# --- determinism ----------------------------------------------------------------------------------

def test_two_builds_into_different_folders_are_identical(project, site, tmp_path):
    build(project / "site_config.yaml", {"output": str(tmp_path / "elsewhere")})
    assert tree_hashes(tmp_path / "elsewhere") == tree_hashes(site)


def test_build_is_independent_of_hash_seed_time_zone_and_locale(project, site, tmp_path):
    expected = tree_hashes(site)
    for number, (seed, tz, lc) in enumerate([("1", "UTC", "C.UTF-8"), ("4242", "Pacific/Kiritimati", "C"),
                                             ("random", "America/St_Johns", "POSIX")]):
        out = tmp_path / f"out{number}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHON"))}
        env.update(PYTHONHASHSEED=seed, TZ=tz, LC_ALL=lc, LANG=lc)
        proc = subprocess.run([sys.executable, str(BUILD_SCRIPT), "build", "--output", str(out)], cwd=project,
                              env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert tree_hashes(out) == expected, (seed, tz, lc)


# --- golden files ----------------------------------------------------------------------------------

GOLDEN_ARCHIVE = {
    "articles/2023/2023-01-03-samara-rally.md": md(
        "title: Mourners gather in Samara\ndate: 2023-01-03T14:05:00+03:00\n"
        "summary: A rally on Glory Square.\nbyline: Archive editors\nlocations: [Samara, Makeevka]\n"
        "topics: [Commemoration]\nupdated: 2023-01-04\n"
        "date_note: The time is the one the outlet printed.\n"
        "sources:\n  - name: The Outlet\n    url: https://outlet.example/rally\n    published: 2023-01-03\n"
        "    republished: true\n    note: A copy of the original\n"
        "corrections:\n  - date: 2023-01-04\n    text: The square was misnamed.\n",
        "Hundreds gathered on \"Glory Square\" -- the *main* square.\n\n## Who spoke\n\n"
        "| Speaker | Role |\n|---|---|\n| A. N. Other | Governor |\n"),
    "articles/2023/2023-01-03-tolyatti-park.md": md(
        "title: Tolyatti mourns in Victory Park\ndate: 2023-01-03\nlocations: [Togliatti]\ntopics: [memorials]\n",
        "A second gathering.\n"),
    "articles/2023/2023-01-02-toll.md": md(
        "title: A toll of 63\ndate: 2023-01-02\nlocations: [Samara]\ntopics: [Casualties]\n", "Officials spoke.\n"),
}
GOLDEN_PAGES = {
    "article.html": "2023/01/03/samara-rally/index.html",
    "day.html": "2023/01/03/index.html",
    "location.html": "locations/samara/index.html",
    "timeline.html": "timeline/index.html",
    "feed.xml": "feed.xml",
    "location-feed.xml": "locations/samara/feed.xml",
}


@pytest.fixture(scope="module")
def golden_site(tmp_path_factory) -> Path:
    root = write_project(tmp_path_factory.mktemp("golden") / "project", GOLDEN_ARCHIVE)
    build(root / "site_config.yaml")
    return root / "_site"


@pytest.mark.parametrize("name", sorted(GOLDEN_PAGES))
def test_golden_pages(golden_site, golden, name):
    golden(name, (golden_site / GOLDEN_PAGES[name]).read_bytes())
