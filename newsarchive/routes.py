"""The one place that knows every page's URL and output file.

URLs here are relative to the site root and end in "/" for pages ("2023/01/03/slug/"); the
file written for such a URL is its index.html. Pages link to each other with relative
addresses, so the site works under any sub-path of its base_url and from a local server.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

HOME = ""
ARCHIVE = "archive/"
TIMELINE = "timeline/"
CLAIMS = "claims/"
CORRECTIONS = "corrections/"
SEARCH = "search/"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NOT_FOUND = "404.html"
STATIC = "static/"
STYLESHEET = STATIC + "style.css"
SEARCH_SCRIPT = STATIC + "search.js"
FAVICON = STATIC + "favicon.svg"


def article_url(article) -> str:
    return f"{day_url(article.day)}{article.slug}/"


def year_url(year: int) -> str:
    return f"{year:04d}/"


def month_url(year: int, month: int) -> str:
    return f"{year:04d}/{month:02d}/"


def day_url(day: dt.date) -> str:
    # YYYY/MM/DD/ from the ISO date (always four digits for the year): a build asks for thousands.
    return day.isoformat().replace("-", "/") + "/"


def timeline_url(year: int, first_year: int) -> str:
    """The timeline starts at timeline/ with the archive's first year; each later year has its own page."""
    return TIMELINE if year == first_year else f"{TIMELINE}{year:04d}/"


def search_index_url(year: int, part: int) -> str:
    """A search index of a year's reports: part 1 holds its oldest (see render._search_index_pages)."""
    return f"{SEARCH}{year:04d}-{part}.js"


UNDATED_SITEMAP = "pages"


def sitemap_part_url(group: str, part: int) -> str:
    """A sitemap listed by sitemap.xml: a year's dated pages, or the UNDATED_SITEMAP group's."""
    return f"sitemaps/{group}-{part}.xml"


def terms_url(kind: str) -> str:
    """The index of all locations or all topics."""
    return f"{kind}/"


def term_url(kind: str, slug: str) -> str:
    return f"{kind}/{slug}/"


def term_feed_url(kind: str, slug: str) -> str:
    """The Atom feed of one place's or topic's reports, beside its listing."""
    return f"{term_url(kind, slug)}feed.xml"


def paged_url(url: str, number: int) -> str:
    """A listing's numbered page: page/1/ holds its oldest reports (see render._listing_pages)."""
    return f"{url}page/{number}/"


def url_of(output_path: str) -> str:
    """The URL served by an output file: the inverse of output_path."""
    if output_path == "index.html" or output_path.endswith("/index.html"):
        return output_path[: -len("index.html")]
    return output_path


def output_path(url: str) -> str:
    """The file, relative to the output folder, that serves ``url``."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def relative_url(from_url: str, to_url: str) -> str:
    """A link from the page at ``from_url`` to ``to_url`` that works under any base path."""
    return (_way_up(from_url) + to_url) or "./"


def _way_up(from_url: str) -> str:
    """From the page at ``from_url`` to the site's root: "../" for each folder it is in."""
    return "../" * from_url.count("/")


def link_url(base_url: str, from_url: str, to_url: str) -> str:
    """The link to ``to_url`` on the page at ``from_url``."""
    return (link_root(base_url, from_url) + to_url) or "./"


def link_root(base_url: str, from_url: str) -> str:
    """What every link on the page at ``from_url`` starts with: the way up to the site's root.

    Relative everywhere but on the 404 page: a server shows that one at whatever address was
    missing, at any depth, so its links start from the site's root path instead.
    """
    if from_url == NOT_FOUND:
        return urlsplit(base_url).path
    return _way_up(from_url)


def absolute_url(base_url: str, url: str) -> str:
    return base_url + url
