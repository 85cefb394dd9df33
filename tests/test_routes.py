"""Every URL and output file, and relative links that work under any base path."""

import datetime as dt
from types import SimpleNamespace
from urllib.parse import urljoin

from hypothesis import given, strategies as st

from newsarchive import routes


def test_page_urls():
    article = SimpleNamespace(day=dt.date(2023, 1, 5), slug="rally")
    assert routes.article_url(article) == "2023/01/05/rally/"
    assert routes.year_url(2023) == "2023/"
    assert routes.month_url(2023, 1) == "2023/01/"
    assert routes.day_url(dt.date(2023, 1, 5)) == "2023/01/05/"
    assert routes.day_url(dt.date(987, 6, 5)) == "0987/06/05/"  # as year_url and month_url write it
    assert routes.year_url(987) + "06/05/" == routes.month_url(987, 6) + "05/" == routes.day_url(dt.date(987, 6, 5))
    assert routes.terms_url("locations") == "locations/"
    assert routes.term_url("topics", "strike") == "topics/strike/"
    assert routes.term_feed_url("locations", "samara") == "locations/samara/feed.xml"
    assert (routes.TIMELINE, routes.SEARCH) == ("timeline/", "search/")
    # The search indexes are scripts, a year in parts; the timeline starts with the archive's first year.
    assert (routes.search_index_url(2023, 1), routes.search_index_url(2024, 3)) == ("search/2023-1.js", "search/2024-3.js")
    assert (routes.timeline_url(2023, 2023), routes.timeline_url(2024, 2023)) == ("timeline/", "timeline/2024/")
    assert (routes.ROBOTS, routes.NOT_FOUND, routes.FAVICON) == ("robots.txt", "404.html", "static/favicon.svg")


def test_pagination_urls():
    # Numbered pages are counted from the oldest; page 1 is not the listing's own page.
    assert routes.paged_url("2023/", 1) == "2023/page/1/"
    assert routes.paged_url("2023/", 2) == "2023/page/2/"
    assert routes.paged_url("locations/samara/", 3) == "locations/samara/page/3/"


def test_output_paths():
    assert routes.output_path("") == "index.html"
    assert routes.output_path("2023/01/05/rally/") == "2023/01/05/rally/index.html"
    assert routes.output_path("feed.xml") == "feed.xml"


def test_relative_urls():
    assert routes.relative_url("", "") == "./"
    assert routes.relative_url("", "archive/") == "archive/"
    assert routes.relative_url("2023/01/05/rally/", "") == "../../../../"
    assert routes.relative_url("2023/01/05/rally/", "static/style.css") == "../../../../static/style.css"
    assert routes.relative_url("2023/page/2/", "2023/") == "../../../2023/"
    assert routes.relative_url("feed.xml", "2023/") == "2023/"


def test_links_are_relative_except_on_the_404_page():
    base = "https://example.org/archive/"
    assert routes.link_url(base, "2023/01/05/rally/", "static/style.css") == "../../../../static/style.css"
    assert routes.link_url(base, "search/", "2023/") == "../2023/"
    # The 404 page is shown at any missing address, so its links start at the site's path.
    assert routes.link_url(base, "404.html", "static/style.css") == "/archive/static/style.css"
    assert routes.link_url(base, "404.html", "") == "/archive/"
    assert routes.link_url("https://example.org/", "404.html", "search/") == "/search/"


def test_absolute_url():
    assert routes.absolute_url("https://example.org/archive/", "2023/") == "https://example.org/archive/2023/"
    assert routes.absolute_url("https://example.org/archive/", "") == "https://example.org/archive/"


segment = st.from_regex(r"[a-z0-9]+(-[a-z0-9]+)*", fullmatch=True)
page_url = st.one_of(st.just(""), st.lists(segment, min_size=1, max_size=6).map(lambda parts: "/".join(parts) + "/"))
any_url = st.one_of(page_url, st.sampled_from(["feed.xml", "sitemap.xml", "static/style.css", "search/2023-1.js",
                                              "locations/samara/feed.xml"]))
base = st.sampled_from(["https://example.org/", "https://example.org/archive/", "http://localhost:8000/a/b/"])


@given(base=base, source=st.one_of(page_url, st.sampled_from(["feed.xml", "sitemap.xml"])), target=any_url)
def test_relative_url_always_resolves_to_the_target(base, source, target):
    link = routes.relative_url(source, target)
    assert urljoin(base + source, link) == base + target
    assert not link.startswith("/")  # no absolute path: the site works under any sub-path


@given(base=base, missing=page_url, target=any_url)
def test_404_page_links_resolve_from_any_missing_address(base, missing, target):
    assert urljoin(base + missing, routes.link_url(base, routes.NOT_FOUND, target)) == base + target
