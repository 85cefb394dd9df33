"""Pages planned from the site index and rendered through Jinja templates, one at a time.

Every template gets ``site`` (the site settings), ``page`` (the Page being rendered) and the
helpers registered in ``make_environment``; each page kind adds its own context:

- index.html:    latest (reports), years, locations, topics (listings)
- article.html:  article, before, after (neighbouring reports)
- listing.html:  listing, articles (this page's share), pagination, older, newer, children
- terms.html:    kind, listings
- archive.html:  years, months_of(year)
- feed.xml:      entries, updated;  sitemap.xml: entries (url, lastmod)
"""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import jinja2

from . import dates, indexes, routes
from .config import SiteConfig
from .errors import BuildError, Problem, display_path
from .indexes import Listing, SiteIndex
from .model import LOCATIONS, TERM_KINDS, TOPICS

TERM_HEADINGS = {LOCATIONS: "Locations", TOPICS: "Topics"}


@dataclass(frozen=True)
class Pagination:
    number: int
    urls: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.urls)

    @property
    def previous_url(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.number] if self.number < self.count else None


@dataclass(frozen=True)
class Page:
    """One output file: where it goes, which template makes it, and what the template is given."""

    url: str
    template: str
    title: str
    description: str = ""
    lastmod: dt.date | None = None
    context: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_html(self) -> bool:
        return self.template.endswith(".html")


def make_environment(templates_dir: Path, config: SiteConfig, index: SiteIndex) -> jinja2.Environment:
    """A Jinja environment that escapes everything and fails on any undefined name."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,  # every template, whatever its file name: all values are untrusted text
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        site=config.site,
        routes=routes,
        term=lambda kind, slug: index.term_by_slug[(kind, slug)],
        term_headings=TERM_HEADINGS,
        months_of=lambda year: indexes.months_of(index, year),
    )
    env.filters.update(
        relative=_relative,
        absolute=lambda url: routes.absolute_url(config.site.base_url, url),
        day=dates.format_day,
        month=lambda key: dates.format_month(*key),
        moment=dates.format_moment,
        atom_time=dates.atom_timestamp,
    )
    return env


@jinja2.pass_context
def _relative(context: jinja2.runtime.Context, url: str) -> str:
    """The link to ``url`` from the page being rendered."""
    return routes.relative_url(context["page"].url, url)


def plan_pages(index: SiteIndex, config: SiteConfig) -> list[Page]:
    """Every page of the site, in a fixed order, with the sitemap (which lists the others) last."""
    site = config.site
    pages = [
        Page(routes.HOME, "index.html", site.title, site.description, context={
            "latest": index.articles[: site.page_size],
            "years": index.periods[indexes.YEAR],
            "term_listings": index.terms,
        }),
        Page(routes.ARCHIVE, "archive.html", "Archive by date", "Every year and month of the archive.",
             context={"years": index.periods[indexes.YEAR]}),
    ]
    for article in index.articles:
        before, after = index.article_neighbours(article)
        pages.append(Page(routes.article_url(article), "article.html", article.title, article.summary,
                          lastmod=article.updated or article.day,
                          context={"article": article, "before": before, "after": after}))
    for kind in (indexes.YEAR, indexes.MONTH, indexes.DAY):
        for listing in index.periods[kind]:
            older, newer = index.neighbours(listing)
            pages += _listing_pages(listing, site.page_size, {
                "older": older, "newer": newer, "children": _children(index, listing)})
    for kind in TERM_KINDS:
        listings = index.terms[kind]
        pages.append(Page(routes.terms_url(kind), "terms.html", TERM_HEADINGS[kind],
                          f"All {kind} in the archive, with the number of reports on each.",
                          context={"kind": kind, "listings": listings}))
        for listing in listings:
            pages += _listing_pages(listing, site.page_size, {"older": None, "newer": None, "children": ()})
    latest = index.articles[: site.feed_size]
    pages.append(Page(routes.FEED, "feed.xml", site.title,
                      context={"entries": latest, "updated": max((a.updated_at for a in latest), default=None)}))
    pages.append(Page(routes.SITEMAP, "sitemap.xml", "Sitemap",
                      context={"entries": [p for p in pages if p.is_html]}))
    return pages


def _listing_pages(listing: Listing, page_size: int, extra: dict) -> list[Page]:
    """A listing split into pages of ``page_size`` reports at url, url/page/2/, ..."""
    chunks = [listing.articles[i: i + page_size] for i in range(0, len(listing.articles), page_size)] or [()]
    urls = tuple(routes.paged_url(listing.url, n) for n in range(1, len(chunks) + 1))
    if listing.term:
        description = listing.term.description
    else:
        description = f"Reports filed {'on' if listing.kind == indexes.DAY else 'in'} {listing.title}."
    return [
        Page(url, "listing.html", listing.title if n == 1 else f"{listing.title} (page {n})", description,
             context={"listing": listing, "articles": chunk, "pagination": Pagination(n, urls), **extra})
        for n, (url, chunk) in enumerate(zip(urls, chunks), start=1)
    ]


def _children(index: SiteIndex, listing: Listing) -> tuple[Listing, ...]:
    if listing.kind == indexes.YEAR:
        return indexes.months_of(index, listing.key[0])
    if listing.kind == indexes.MONTH:
        return indexes.days_of(index, *listing.key)
    return ()


def render_pages(pages: Iterable[Page], env: jinja2.Environment) -> Iterator[tuple[str, bytes]]:
    """Render each page to (output path, bytes), one at a time so memory stays flat."""
    for page in pages:
        try:
            text = env.get_template(page.template).render(page=page, **page.context)
        except Exception as exc:  # templates are code: any error in one is reported at its line
            raise BuildError([_template_problem(exc, env, page)]) from None
        yield routes.output_path(page.url), text.encode("utf-8")


def _template_problem(exc: Exception, env: jinja2.Environment, page: Page) -> Problem:
    """Point at the template line that failed, as Jinja's rewritten traceback gives it."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if filename is None:
        templates = Path(env.loader.searchpath[0]).resolve()
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if Path(frame.filename).resolve().is_relative_to(templates):
                filename, line = frame.filename, frame.lineno
                break
    where = display_path(filename) if filename else page.template
    message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    return Problem(where, line, None, f"{message} (rendering /{page.url})")


def static_files(templates_dir: Path) -> Iterator[tuple[str, bytes]]:
    """The stylesheet and other assets shipped in templates/static/, copied as they are."""
    static = templates_dir / "static"
    if not static.is_dir():
        return
    for path in sorted(p for p in static.rglob("*") if p.is_file() and not p.name.startswith(".")):
        yield routes.STATIC + path.relative_to(static).as_posix(), path.read_bytes()
