"""The page plan, template rendering and its errors, escaping, the feed's dates."""

import datetime as dt
import gc
import html
import json
import re
import xml.etree.ElementTree as ET

import feedparser
import jinja2
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from helpers import BODY_DIGEST, BODY_HTML, CONFIG, article, md, plan_project, resolve_link
from newsarchive import fields, indexes, render, routes
from newsarchive.config import load_config
from newsarchive.errors import ContentError
from newsarchive.model import Article
from newsarchive.render import Page, Pagination, make_environment, render_page, render_pages, static_files

ATOM = "{http://www.w3.org/2005/Atom}"


def plan(make_project, articles: dict, name="project", **options):
    root = make_project(articles, name=name, **options)
    return (root, *plan_project(root))


def rendered(make_project, articles: dict, **options) -> dict[str, bytes]:
    _, _, _, pages, env = plan(make_project, articles, **options)
    return dict(render_pages(pages, env))


THREE = {
    "articles/2023/2023-01-03-a.md": md("title: A\ndate: 2023-01-03\nlocations: [Samara]\n"),
    "articles/2023/2023-01-03-b.md": md("title: B\ndate: 2023-01-03\nlocations: [Samara]\n"),
    "articles/2023/2023-01-04-c.md": md("title: C\ndate: 2023-01-04\nlocations: [Samara]\n"),
}


def test_plan_has_every_page_once_with_the_sitemap_last(make_project):
    _, _, _, pages, _ = plan(make_project, THREE)
    urls = [p.url for p in pages]
    assert len(urls) == len(set(urls))
    assert urls[-3:] == ["sitemaps/2023-1.xml", "sitemaps/pages-1.xml", "sitemap.xml"]  # the index last
    assert set(urls) == {
        "", "archive/", "timeline/", "claims/", "corrections/", "search/", "search/2023-1.js",
        "2023/01/03/a/", "2023/01/03/b/", "2023/01/04/c/",
        # Listings with a full page of 2 reports (counted from the oldest) also have page/1/.
        "2023/", "2023/page/1/", "2023/01/", "2023/01/page/1/", "2023/01/03/", "2023/01/03/page/1/", "2023/01/04/",
        "locations/", "locations/makiivka/", "locations/samara/", "locations/samara/page/1/", "locations/tolyatti/",
        "topics/", "topics/casualties/", "topics/commemoration/", "topics/strike/",
        "locations/makiivka/feed.xml", "locations/samara/feed.xml", "locations/tolyatti/feed.xml",
        "topics/casualties/feed.xml", "topics/commemoration/feed.xml", "topics/strike/feed.xml",
        "feed.xml", "404.html", "robots.txt", "sitemap.xml", "sitemaps/2023-1.xml", "sitemaps/pages-1.xml",
        # Redirects from the other spellings of places and topics.
        "locations/makeevka/", "locations/makiyivka/", "locations/togliatti/", "topics/death-toll/", "topics/memorials/"}
    dated, undated, index = pages[-3:]
    assert index.context["sitemaps"] == ("sitemaps/2023-1.xml", "sitemaps/pages-1.xml")
    # Every HTML page but those that ask search engines to leave them out: the 404 page and redirects;
    # those under a year's address in that year's sitemap.
    listed = [p.url for p in pages if p.template.endswith(".html") and p.template not in ("404.html", "redirect.html")]
    assert [e.url for e in dated.context["entries"]] == [url for url in listed if url.startswith("2023/")]
    assert [e.url for e in undated.context["entries"]] == [url for url in listed if not url.startswith("2023/")]


def test_the_timeline_and_the_search_index_are_split_by_year(make_project):
    articles = {**THREE, "articles/2024/2024-01-01-d.md": md("title: D\ndate: 2024-01-01\n"),
                "articles/2025/2025-03-01-e.md": md("title: E\ndate: 2025-03-01\n")}
    _, _, _, pages, _ = plan(make_project, articles)
    timeline = [p for p in pages if p.template == "timeline.html"]
    assert [(p.url, p.title, p.context["year"]) for p in timeline] == [
        ("timeline/", "Timeline of 2023", 2023), ("timeline/2024/", "Timeline of 2024", 2024),
        ("timeline/2025/", "Timeline of 2025", 2025)]
    assert [[day.key.isoformat() for day in p.context["days"]] for p in timeline] == [
        ["2023-01-03", "2023-01-04"], ["2024-01-01"], ["2025-03-01"]]
    years = (2023, "timeline/"), (2024, "timeline/2024/"), (2025, "timeline/2025/")
    assert all(p.context["years"] == years for p in timeline)
    assert [(p.context["earlier"], p.context["later"]) for p in timeline] == [
        (None, years[1]), (years[0], years[2]), (years[1], None)]
    # Search indexes a year, each declaring the bodies of its reports, whose words it holds.
    indexes = [p for p in pages if p.template == "search-index.js"]
    assert {p.url: [a.slug for a in p.bodies] for p in indexes} == {
        "search/2023-1.js": ["c", "b", "a"], "search/2024-1.js": ["d"], "search/2025-1.js": ["e"]}
    search = next(p for p in pages if p.url == "search/")
    assert search.context["indexes"] == ("search/2025-1.js", "search/2024-1.js", "search/2023-1.js")


def test_a_sitemap_longer_than_the_limit_is_split_in_parts(make_project, monkeypatch):
    monkeypatch.setattr(render, "SITEMAP_SIZE", 4)
    _, _, _, pages, _ = plan(make_project, THREE)
    parts = {p.url: [e.url for e in p.context["entries"]] for p in pages if p.template == "sitemap.xml"}
    assert all(0 < len(entries) <= 4 for entries in parts.values())
    assert [url for url in parts if url.startswith("sitemaps/2023-")] == ["sitemaps/2023-1.xml", "sitemaps/2023-2.xml",
                                                                          "sitemaps/2023-3.xml"]
    assert pages[-1].context["sitemaps"] == tuple(parts)
    listed = [url for entries in parts.values() for url in entries]
    assert len(listed) == len(set(listed)) and "2023/01/03/a/" in listed and "" in listed


def test_a_years_search_index_is_split_in_parts_counted_from_its_oldest(make_project, monkeypatch):
    monkeypatch.setattr(render, "SEARCH_INDEX_SIZE", 2)
    five = {f"articles/2023/2023-01-0{day}-r{day}.md": md(f"title: R{day}\ndate: 2023-01-0{day}\n") for day in range(1, 6)}
    _, _, _, pages, env = plan(make_project, five)
    indexes = {p.url: [a.slug for a in p.bodies] for p in pages if p.template == "search-index.js"}
    # Full parts keep their reports as newer ones come: a new report changes only the last part.
    assert indexes == {"search/2023-1.js": ["r2", "r1"], "search/2023-2.js": ["r4", "r3"], "search/2023-3.js": ["r5"]}
    search = next(p for p in pages if p.url == "search/")
    html = dict(render_pages([search], env))["search/index.html"].decode()
    assert [line.split('"')[1] for line in html.splitlines() if line.startswith("<script src=")] == [
        "../search/2023-3.js", "../search/2023-2.js", "../search/2023-1.js", "../static/search.js"]
    assert 'data-indexes="3"' in html


def test_an_empty_archive_has_one_timeline_page_and_no_search_index(make_project):
    pages = rendered(make_project, {})
    assert "search/2023-1.js" not in pages and not [path for path in pages if path.endswith(".js")]
    timeline = pages["timeline/index.html"].decode()
    assert "<h1>Timeline</h1>" in timeline and "No reports are filed yet." in timeline
    assert 'class="periods"' not in timeline and 'class="prev-next"' not in timeline
    search = pages["search/index.html"].decode()
    assert 'data-indexes="0"' in search and search.count("<script") == 1  # search.js alone


def test_pagination_splits_listings_by_page_size(make_project):
    _, _, _, pages, _ = plan(make_project, THREE)
    by_url = {p.url: p for p in pages}
    # 3 reports, 2 a page: one full page from the oldest (a, b); the listing's own page shows all 3.
    assert [p.url for p in pages if p.url.startswith("locations/samara/") and p.template == "listing.html"] == [
        "locations/samara/", "locations/samara/page/1/"]
    own, first = by_url["locations/samara/"], by_url["locations/samara/page/1/"]
    assert [a.slug for a in own.context["articles"]] == ["c", "b", "a"]
    assert [a.slug for a in first.context["articles"]] == ["b", "a"]
    assert (own.title, first.title) == ("Samara", "Samara (page 1)")
    # Page 1 is the newest full page: its reports are on the own page, which does not link to it.
    assert own.context["pagination"] == Pagination(None, None, None)
    assert first.context["pagination"] == Pagination(1, "locations/samara/", None)
    # A numbered page carries the listing's heading only, so that its bytes do not follow the listing.
    assert first.context["listing"].articles == () and first.context["listing"].url == "locations/samara/"
    assert (first.context["older"], first.context["newer"], first.context["children"]) == (None, None, ())
    # An empty listing still gets its one page, and no numbered page.
    assert by_url["locations/tolyatti/"].context["articles"] == ()
    assert by_url["locations/tolyatti/"].context["pagination"] == Pagination(None, None, None)
    assert not [url for url in by_url if url.startswith("locations/tolyatti/page/")]


def test_pagination_nav_names_only_the_neighbours(make_project):
    _, _, _, _, env = plan(make_project, {})
    template = env.get_template("_pagination.html")

    def nav(url, pagination):
        return re.sub(r"\s*\n\s*", "", template.render(page=Page(url, "listing.html", "T"), pagination=pagination))
    assert nav("x/", Pagination(None, None, None)) == ""
    # The listing's own page: no number, and only older reports to go to.
    assert nav("x/", Pagination(None, None, "x/page/2/")) == (
        '<nav class="pagination" aria-label="Pages"><a rel="next" href="../x/page/2/">Older reports →</a></nav>')
    assert nav("x/page/2/", Pagination(2, "x/page/3/", "x/page/1/")) == (
        '<nav class="pagination" aria-label="Pages"><a rel="prev" href="../../../x/page/3/">← Newer reports</a>'
        '<span>Page 2, counted from the oldest</span>'
        '<a rel="next" href="../../../x/page/1/">Older reports →</a></nav>')
    assert nav("x/page/1/", Pagination(1, "x/", None)) == (
        '<nav class="pagination" aria-label="Pages"><a rel="prev" href="../../../x/">← Newer reports</a>'
        '<span>Page 1, counted from the oldest</span></nav>')


def _reports(low: int, high: int) -> list[str]:
    """The slugs of reports ``low`` to ``high`` (1 is the oldest), newest first, as a listing shows them."""
    return [f"r{n:02d}" for n in range(high, low - 1, -1)]


SAMARA = "locations/samara/"
P1, P2, P3, P4 = (f"{SAMARA}page/{n}/" for n in range(1, 5))
# Reports in one listing, 3 a page -> {page: (its reports, newest first; the newer page; the older page)}.
# Numbered pages hold full chunks of 3 counted from the oldest; the listing's own page holds the newest
# full chunk and anything newer, and links on to the chunk before that one.
STABLE_SPLITS = {
    0: {SAMARA: ([], None, None)},
    1: {SAMARA: (_reports(1, 1), None, None)},
    2: {SAMARA: (_reports(1, 2), None, None)},  # fewer than a page: no numbered page
    3: {SAMARA: (_reports(1, 3), None, None),  # one full page: it is all on the own page too
        P1: (_reports(1, 3), SAMARA, None)},
    4: {SAMARA: (_reports(1, 4), None, None),
        P1: (_reports(1, 3), SAMARA, None)},
    5: {SAMARA: (_reports(1, 5), None, None),  # twice a page less one: the most the own page shows
        P1: (_reports(1, 3), SAMARA, None)},
    6: {SAMARA: (_reports(4, 6), None, P1),
        P1: (_reports(1, 3), P2, None),
        P2: (_reports(4, 6), SAMARA, P1)},
    7: {SAMARA: (_reports(4, 7), None, P1),
        P1: (_reports(1, 3), P2, None),
        P2: (_reports(4, 6), SAMARA, P1)},
    14: {SAMARA: (_reports(10, 14), None, P3),
         P1: (_reports(1, 3), P2, None),
         P2: (_reports(4, 6), P3, P1),
         P3: (_reports(7, 9), P4, P2),
         P4: (_reports(10, 12), SAMARA, P3)},
}


@pytest.mark.parametrize("count", sorted(STABLE_SPLITS))
def test_listing_pages_are_counted_from_the_oldest(make_project, count):
    articles = {f"articles/2023/2023-01-{n:02d}-r{n:02d}.md": md(f"title: Report {n}\ndate: 2023-01-{n:02d}\nlocations: [Samara]\n")
                for n in range(1, count + 1)}
    _, _, _, pages, env = plan(make_project, articles, config=CONFIG.replace("page_size: 2", "page_size: 3"))
    listing = {p.url: p for p in pages if p.url.startswith(SAMARA) and p.template == "listing.html"}
    expected = STABLE_SPLITS[count]
    assert list(listing) == sorted(expected, key=lambda url: (url != SAMARA, url))  # the own page, then 1, 2, ...
    for url, (slugs, newer, older) in expected.items():
        page = listing[url]
        number = None if url == SAMARA else int(url.split("/")[-2])
        assert [a.slug for a in page.context["articles"]] == slugs, url
        assert page.context["pagination"] == Pagination(number, newer, older), url
        assert page.title == ("Samara" if number is None else f"Samara (page {number})")
        # What a reader gets: the reports in order, a heading and a count, and links to the neighbours.
        out = render_page(page, env).decode()
        assert re.findall(r'class="report-title"><a href="[./]*2023/01/\d\d/(r\d\d)/"', out) == slugs, url
        links = dict(re.findall(r'<a rel="(prev|next)" href="([^"]+)"', out))
        assert {rel: resolve_link(url, href) for rel, href in links.items()} == {
            rel: target + "index.html" for rel, target in (("prev", newer), ("next", older)) if target}, url
        if number is None:
            assert f'<p class="count">{count} report{"s" * (count != 1)} · ' in out
            assert "<h1>Samara</h1>" in out and "counted from the oldest" not in out
        else:
            assert f"<h1>Samara <small>(page {number})</small></h1>" in out
            assert '<p class="count">3 reports on this page · ' in out
            assert f"<span>Page {number}, counted from the oldest</span>" in out


def test_drafts_are_not_planned(make_project):
    articles = dict(THREE)
    articles["articles/2023/2023-01-05-secret.md"] = md("title: Secret\ndate: 2023-01-05\ndraft: true\n")
    _, _, _, pages, _ = plan(make_project, articles)
    assert not [p for p in pages if "secret" in p.url or "2023/01/05" in p.url]


def test_feed_updated_is_never_before_its_newest_entry(make_project):
    # The newest report has a time: 18:00 in Kyiv on 5 January. The feed's <updated> must not
    # claim an earlier instant than an entry it contains (feed readers skip feeds that did not change).
    pages = rendered(make_project, {
        "articles/2023/2023-01-04-a.md": md("title: A\ndate: 2023-01-04\n"),
        "articles/2023/2023-01-05-b.md": md("title: B\ndate: 2023-01-05T18:00:00+02:00\n"),
    })
    feed = feedparser.parse(pages["feed.xml"])
    assert not feed.bozo
    newest = max(entry.updated_parsed for entry in feed.entries)
    assert feed.feed.updated_parsed >= newest


def test_a_place_or_topic_feed_holds_its_newest_reports_and_dates_itself_by_them(make_project):
    from helpers import CONFIG
    root = make_project({
        "articles/2023/2023-01-03-a.md": md("title: A\ndate: 2023-01-03\nlocations: [Samara]\nupdated: 2023-01-20\n"),
        "articles/2023/2023-01-04-b.md": md("title: B\ndate: 2023-01-04\nlocations: [Samara]\n"),
        "articles/2023/2023-01-05-c.md": md("title: C\ndate: 2023-01-05\nlocations: [Samara]\n"),
        "articles/2023/2023-01-30-d.md": md("title: D\ndate: 2023-01-30\nlocations: [Makiivka]\n"),
    }, config=CONFIG.replace("feed_size: 10", "feed_size: 2"))
    config, index, planned, env = plan_project(root)
    pages = {p.url: p for p in planned}
    samara = pages["locations/samara/feed.xml"]
    assert (samara.template, samara.title) == ("feed.xml", "Samara · Test archive")
    assert [a.slug for a in samara.context["entries"]] == ["c", "b"]  # feed_size 2, newest first
    assert samara.context["alternate"] == "locations/samara/"
    # A was updated later, but it is not in the feed: C, the newest entry, dates it.
    assert samara.context["updated"] == dt.datetime(2023, 1, 5, tzinfo=dt.timezone.utc)
    assert pages["feed.xml"].context["updated"] == dt.datetime(2023, 1, 30, tzinfo=dt.timezone.utc)
    # A place with no reports still has its feed (readers may follow it before its first report), undated.
    assert pages["locations/tolyatti/feed.xml"].context["entries"] == ()
    rendered_pages = dict(render_pages(pages.values(), env))
    empty = feedparser.parse(rendered_pages["locations/tolyatti/feed.xml"])
    assert not empty.bozo and empty.entries == [] and empty.feed.updated == "1970-01-01T00:00:00Z"


def test_feed_dates_of_updated_and_timed_reports(make_project):
    pages = rendered(make_project, {
        "articles/2023/2023-01-04-a.md": md("title: A\ndate: 2023-01-04\nupdated: 2023-01-09\n"),
        "articles/2023/2023-01-05-b.md": md("title: B\ndate: 2023-01-05T18:00:00+02:00\n"),
    })
    feed = ET.fromstring(pages["feed.xml"])
    entries = {e.find(ATOM + "title").text: e for e in feed.iter(ATOM + "entry")}
    assert entries["A"].find(ATOM + "published").text == "2023-01-04T00:00:00Z"
    assert entries["A"].find(ATOM + "updated").text == "2023-01-09T00:00:00Z"
    assert entries["B"].find(ATOM + "published").text == "2023-01-05T18:00:00+02:00"
    assert entries["B"].find(ATOM + "updated").text == "2023-01-05T18:00:00+02:00"


def test_control_characters_in_a_title_never_break_the_feed(make_project):
    # YAML's "\a" escape puts a BEL into the title; one bad title must not make the whole feed unreadable.
    root = make_project({"articles/2023/2023-01-05-x.md": md('title: "Bell\\a here"\ndate: 2023-01-05\n')})
    try:
        _, _, pages, env = plan_project(root)
    except ContentError:  # refusing the title with a problem line is a fine answer too
        return
    ET.fromstring(dict(render_pages(pages, env))["feed.xml"])


def test_static_files_are_copied_as_they_are(make_project):
    root = make_project()
    (root / "templates/static/.hidden").write_text("x")
    files = dict(static_files(root / "templates"))
    assert files == {f"static/{name}": (root / "templates/static" / name).read_bytes()
                     for name in ("favicon.svg", "search.js", "style.css")}


def test_pages_name_the_site_language(make_project):
    from helpers import CONFIG
    pages = rendered(make_project, THREE, config=CONFIG.replace("language: en", "language: en-GB"))
    assert b'<html lang="en-GB">' in pages["index.html"]
    assert b'xml:lang="en-GB"' in pages["feed.xml"]


# --- escaping: any title is text, whatever it contains ---------------------------------------

@pytest.fixture(scope="module")
def one_article_env(tmp_path_factory):
    from helpers import write_project
    root = write_project(tmp_path_factory.mktemp("render") / "project")
    config = load_config(root / "site_config.yaml")
    index = indexes.index_site([], config)
    return config, make_environment(config.paths.templates, config, index, {BODY_DIGEST: BODY_HTML}.__getitem__), index


def make_article(title: str) -> Article:
    return article("x", "2023-01-05", title, summary=title, byline=title)


def valid_title(text: str) -> bool:
    try:
        return fields.as_text(text) == text
    except fields.FieldError:
        return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(valid_title))
@example(title='<script>alert(1)</script> & "quotes"')
@example(title="&amp; &lt;b&gt; it's")
def test_any_title_renders_escaped_and_round_trips(one_article_env, title):
    config, env, index = one_article_env
    item = make_article(title)
    page = Page(routes.article_url(item), "article.html", title, title, bodies=(item,),
                context={"article": item, "before": None, "after": None, "related": ()})
    out = env.get_template("article.html").render(page=page, **page.context)
    [h1] = re.findall(r"<h1>(.*?)</h1>", out, re.S)
    [head_title] = re.findall(r"<title>(.*?)</title>", out, re.S)
    [og_title] = re.findall(r'<meta property="og:title" content="([^"]*)">', out)
    assert "<" not in h1 and "<" not in head_title
    assert html.unescape(h1) == title
    assert html.unescape(head_title) == html.unescape(og_title) == f"{title} · Test archive"
    # The one script is the JSON-LD data block, and the title cannot end it early.
    [data] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', out, re.S)
    assert out.count("<script") == 1 and "<" not in data
    assert json.loads(data)["headline"] == title


# --- template errors name the template file and line -----------------------------------------

def line_in(path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().split("\n"), 1) if needle in line)


def break_template(root, name: str, old: str, new: str):
    path = root / "templates" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


ONE = {"articles/2023/2023-01-05-x.md": md("title: X\ndate: 2023-01-05\n")}


def _cyclic_garbage_of(make_page) -> list:
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        page = make_page()
        gc.collect()
        return [page, list(gc.garbage)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_a_page_with_macros_is_rendered_as_jinja_would_leaving_no_cycles_behind():
    env = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader({
        "m.html": "{% macro shout(x) %}<b>{{ x }}</b>{{ tail }}{% endmacro %}",
        "page.html": '{% import "m.html" as m with context %}{% macro own(y) %}<i>{{ m.shout(y) }}</i>{% endmacro %}'
                     "{{ own(name) }} {{ m.shout(name) }}"}))
    template = env.get_template("page.html")
    variables = {"name": "<Makiivka>", "tail": "!"}
    expected, garbage = _cyclic_garbage_of(lambda: template.render(**variables))
    assert garbage  # what the builder avoids: Jinja's own render leaves rings of objects
    assert _cyclic_garbage_of(lambda: render.render_leaving_no_cycles(template, variables)) == [expected, []]
    assert expected == "<i><b>&lt;Makiivka&gt;</b>!</i> <b>&lt;Makiivka&gt;</b>!"


@pytest.mark.parametrize("page", [
    '{% import "m.html" as m %}{{ m.shout(name) }}',
    '{% from "m.html" import shout %}{{ shout(name) }}',
    '{% from "m.html" import shout as loud %}{% macro own() %}<i>{{ loud(name) }}</i>{% endmacro %}{{ own() }}',
], ids=["import", "from-import", "from-import-in-own-macro"])
def test_macros_imported_without_a_context_serve_every_page(page):
    """Jinja makes such a module once and every page shares it: its macros must outlive each page."""
    env = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader({
        "m.html": "{% macro shout(x) %}<b>{{ x }}</b>{{ tail|default('') }}{% endmacro %}", "page.html": page}))
    template = env.get_template("page.html")
    pages = [render.render_leaving_no_cycles(template, {"name": name}) for name in ("Samara", "Tolyatti", "Makiivka")]
    assert pages == [template.render(name=name) for name in ("Samara", "Tolyatti", "Makiivka")]
    assert "<b>Tolyatti</b>" in pages[1]


def test_undefined_name_in_a_template(make_project, run_cli):
    root = make_project(ONE)
    path = break_template(root, "article.html", "<h1>{{ article.title }}</h1>", "<h1>{{ article.headline }}</h1>")
    result = run_cli(root, "build")
    assert result.code == 1
    assert result.problems == [
        f"templates/article.html:{line_in(path, 'article.headline')}: 'newsarchive.model.Article object' "
        "has no attribute 'headline' (rendering /2023/01/05/x/)"]


def test_error_in_an_imported_macro_names_the_macro_file(make_project, run_cli):
    root = make_project(ONE)
    path = break_template(root, "_macros.html", "article.day|day", "article.dday|day")
    result = run_cli(root, "build")
    assert result.code == 1
    assert result.problems == [
        f"templates/_macros.html:{line_in(path, 'article.dday')}: 'newsarchive.model.Article object' "
        "has no attribute 'dday' (rendering /)"]


def test_template_syntax_error(make_project, run_cli):
    root = make_project(ONE)
    path = break_template(root, "listing.html", "{% endif %}", "{% endfi %}")
    result = run_cli(root, "build")
    assert result.code == 1
    [problem] = result.problems
    assert problem.startswith(f"templates/listing.html:{line_in(path, 'endfi')}: Encountered unknown tag 'endfi'.")
    assert problem.endswith("(rendering /2023/)")


def test_python_error_raised_inside_a_template(make_project, run_cli):
    # A filter given a value it cannot handle (here: no 'updated' date) is a template error too:
    # the editor gets the template's file and line, not a traceback.
    root = make_project(ONE)
    path = break_template(root, "article.html", "<h1>{{ article.title }}</h1>",
                          "<h1>{{ article.title }}</h1> <p>{{ article.updated|day }}</p>")
    result = run_cli(root, "build")
    assert result.code == 1
    [problem] = result.problems
    assert problem.startswith(f"templates/article.html:{line_in(path, 'article.updated|day')}: ")
    assert problem.endswith("(rendering /2023/01/05/x/)")


def test_a_page_shows_only_the_bodies_it_declares(make_project, run_cli):
    # Page fingerprints count only declared bodies, so showing another report's body must fail loudly.
    root = make_project({"articles/2023/2023-01-05-x.md": md("title: X\ndate: 2023-01-05\n"),
                         "articles/2023/2023-01-06-y.md": md("title: Y\ndate: 2023-01-06\n")})
    path = break_template(root, "article.html", "body(article)", "body(after or article)")
    result = run_cli(root, "build")
    assert result.code == 1
    assert result.problems == [
        f"templates/article.html:{line_in(path, 'body(after')}: ValueError: the page /2023/01/05/x/ shows the body of "
        "articles/2023/2023-01-06-y.md without declaring it in Page.bodies (rendering /2023/01/05/x/)"]
