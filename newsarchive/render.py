"""Pages planned from the site index and rendered through Jinja templates, one at a time.

Every template gets ``site`` (the site settings), ``page`` (the Page being rendered) and the
helpers registered in ``make_environment``; each page kind adds its own context:

- index.html:    latest (reports), years, term_listings (listings)
- article.html:  article, before, after (neighbouring reports), related (reports)
- listing.html:  listing, articles (this page's share), pagination, older, newer, children
- terms.html:    kind, listings; for locations also place_map (a maps.PlaceMap, or None)
- archive.html:  years, months (by year)
- timeline.html: days (one year's day listings, oldest first), year, years ((year, url), oldest first),
                 earlier, later (the neighbouring (year, url), or None)
- claims.html:   ledger (claims about the archive's own event), other_events (subject -> claims),
                 chart (a claims.ClaimChart of the ledger, or None)
- corrections.html: changes (indexes.ChangeNote, newest first)
- search.html:   filters (places and topics with reports), years, indexes (search index URLs, newest first);
                 search-index.js: search_index (the data of part of a year's reports)
- 404.html, robots.txt: nothing more
- feed.xml:      alternate (the page the feed follows), entries, updated
- sitemap.xml:   entries (url, lastmod);  sitemap-index.xml: sitemaps (their URLs)
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import itertools
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

import jinja2
from markupsafe import Markup, escape

from . import claims, dates, indexes, maps, metadata, routes
from .cache import BuildCache, HashStore, digest
from .config import SiteConfig, alias_slugs
from .errors import BuildError, Problem, display_path
from .fingerprint import Deferred, Fingerprinter
from .indexes import Listing, SiteIndex
from .model import LOCATIONS, TERM_KINDS, TOPICS, Article
from .parallel import ProgressCallback, Workers
from .regions import Region, listing_region, report_region, year_region
from .reuse import EarlierPlan, PlanRecord, Reused
from .search import build_search_index, searchable_terms
from .writer import Output, Unchanged, written_twice

TERM_HEADINGS = {LOCATIONS: "Locations", TOPICS: "Topics"}
# Pages render in half a millisecond (a report) to tens (a year's timeline, a search index, the
# sitemap), and a rebuild's few are mostly the large ones; forking a worker costs about 20 ms.
PAGES_PER_WORKER = 16
# Reports in one search index: a new report rebuilds its year's newest part, so the size is what
# adding a report costs (at 500, that part was a quarter to a third of a rebuild's rendering);
# large enough that a year of thousands of reports is a dozen files.
SEARCH_INDEX_SIZE = 250
SITEMAP_SIZE = 10_000  # addresses in one sitemap file


class Pagination(NamedTuple):  # a tuple: a build makes one for every listing page
    """Where a listing page sits: its number (None for the listing's own page) and its neighbours."""

    number: int | None
    newer_url: str | None
    older_url: str | None


class SitemapEntry(NamedTuple):  # a tuple: there is one for every page, and fingerprints read them at once
    url: str
    lastmod: str | None


# Not frozen: a build makes one for every page, and a frozen dataclass takes three times as long
# to make. Nothing changes a Page once planned.
@dataclass(slots=True)
class Page:
    """One output file: where it goes, which template makes it, and what the template is given."""

    url: str
    template: str
    title: str
    description: str = ""
    lastmod: str | None = None  # the day it last changed, as YYYY-MM-DD: what the sitemap gives
    noindex: bool = False  # asks search engines to leave it out, and the sitemap does
    bodies: tuple[Article, ...] = ()  # the reports whose bodies it shows: no others may be shown
    region: Region | None = None  # the part of the index it is made from, if not the whole (see regions.py)
    group: str = ""  # if it has a region, its group's key (see reuse.py)
    context: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def source_path(self) -> str:
        """The report this is the own page of, or "" (the URL lock names it)."""
        article = self.context.get("article")
        return "" if article is None else article.source_path


def make_environment(templates_dir: Path, config: SiteConfig, index: SiteIndex,
                     load_body: Callable[[str], str], compiled_dir: Path | None = None) -> jinja2.Environment:
    """A Jinja environment that escapes everything and fails on any undefined name.

    ``load_body`` gives a report body's sanitised HTML from its digest (templates call ``body(article)``).
    Templates compiled once are kept in ``compiled_dir``, keyed by their source's hash: compiling
    them takes longer than a rebuild after adding one report should.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled_dir)) if compiled_dir else None,
        autoescape=True,  # every template, whatever its file name: all values are untrusted text
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # a build is short: not a check of every template's time on every page
    )
    env.globals.update(
        site=config.site,
        routes=routes,
        term=lambda kind, slug: index.term_by_slug[(kind, slug)],
        # A report's schema.org data: made from the report and the config alone, so the page's
        # fingerprint (which covers both) covers it.
        news_article=lambda article: metadata.news_article(article, index.term_by_slug, config.site),
        term_headings=TERM_HEADINGS,
        term_feed_title=term_feed_title,
        body=_body_of(load_body),
    )

    making_shared = False  # while a fragment shared by pages at every depth is made

    @jinja2.pass_context
    def relative(context: jinja2.runtime.Context, url: str) -> str:
        """The link to ``url`` from the page being rendered (in a shared fragment, from a mark)."""
        if making_shared:
            return _ROOT_MARK + url if url else _HOME_MARK
        return routes.link_url(config.site.base_url, context["page"].url, url)

    @jinja2.pass_context
    def term_links(context: jinja2.runtime.Context, kind: str, slugs: tuple[str, ...]) -> Markup:
        """Links to places or topics, comma-separated. A function, not a macro: a year's timeline
        holds a thousand of them, and a macro call costs more than the links."""
        return Markup(", ".join(f'<a href="{escape(relative(context, routes.term_url(kind, slug)))}">'
                                f'{escape(index.term_by_slug[(kind, slug)].name)}</a>' for slug in slugs))

    env.globals["term_links"] = term_links

    fragments: dict[tuple, tuple] = {}  # (macro, ids of arguments) -> (text with marks, arguments)
    placed: dict[tuple, str] = {}  # (link root, (macro, ids of arguments)) -> text

    @jinja2.pass_context
    def made_once(context: jinja2.runtime.Context, macro: jinja2.runtime.Macro, *args) -> str:
        """``macro(*args)``, made once for all pages.

        For a macro whose output depends on nothing but its arguments and the page's links, which
        are relative: a report's entry in a list is met on a dozen pages at four depths, and making
        it is half the work of rendering them. It is made with a mark where links start, replaced
        by the way to the site's root once for each depth. No user text holds the marks: control
        characters are refused in every field.
        """
        nonlocal making_shared
        key = (macro.name, *map(id, args))
        if making_shared:  # inside another shared fragment: its marks stay for that one's placing
            return Markup(_fragment(key, macro, args))
        root = routes.link_root(config.site.base_url, context["page"].url)
        found = placed.get((root, key))
        if found is None:
            making_shared = True
            try:
                text = _fragment(key, macro, args)
            finally:
                making_shared = False
            found = placed[(root, key)] = Markup(text.replace(_HOME_MARK, root or "./").replace(_ROOT_MARK, root))
        return found

    def _fragment(key: tuple, macro: jinja2.runtime.Macro, args: tuple) -> str:
        found = fragments.get(key)
        if found is None:  # the arguments are kept with the result, so no id in a key is reused
            found = fragments[key] = (str(macro(*args)), args)
        return found[0]

    env.globals["made_once"] = made_once

    env.filters.update(
        relative=relative,
        absolute=lambda url: routes.absolute_url(config.site.base_url, url),
        script_json=metadata.script_json,
        day=dates.format_day,
        figure=claims.figure_text,
        month=lambda key: dates.format_month(*key),
        moment=dates.format_moment,
        atom_time=dates.atom_timestamp,
    )
    return env


# Where links start in a fragment made for every depth ("" for the site's root itself); no user
# text holds a control character.
_ROOT_MARK, _HOME_MARK = "\x00root\x00", "\x00home\x00"


def _body_of(load_body: Callable[[str], str]):
    @jinja2.pass_context
    def body(context: jinja2.runtime.Context, article: Article) -> str:
        """A report's body HTML, for pages that declare they show it (their fingerprint depends on it)."""
        if article not in context["page"].bodies:
            raise ValueError(f"the page /{context['page'].url} shows the body of {article.source_path} "
                             "without declaring it in Page.bodies")
        return load_body(article.body_digest)
    return body


def plan_pages(index: SiteIndex, config: SiteConfig, words_by_source: dict[str, str],
               earlier: EarlierPlan | None = None) -> list[Page | Reused]:
    """Every page of the site, in a fixed order, with the sitemaps (which list the others) last.

    Templates read only their page's context, the config and themselves (see fingerprint.py).
    With ``earlier``, a region's group of pages that is what it was in the last build is taken
    from there as Reused pages, not made again (see reuse.py).
    """
    site = config.site
    pages = [
        Page(routes.HOME, "index.html", site.title, site.description, context={
            "latest": index.articles[: site.page_size],
            "years": index.periods[indexes.YEAR],
            "term_listings": index.terms,
        }),
        Page(routes.ARCHIVE, "archive.html", "Archive by date", "Every year and month of the archive.",
             context={"years": index.periods[indexes.YEAR],
                      "months": {year.key[0]: indexes.months_of(index, year.key[0]) for year in index.periods[indexes.YEAR]}}),
        Page(routes.CLAIMS, "claims.html", "Claims ledger",
             "Who claimed how many were killed, wounded, missing or present, and when: every figure the reports "
             "record, charted over time.",
             context={"ledger": index.claims[""],
                      "other_events": {subject: entries for subject, entries in index.claims.items() if subject},
                      "chart": Deferred(claims.claims_chart, (index.claims[""],))}),
        Page(routes.CORRECTIONS, "corrections.html", "Corrections and updates",
             "Every correction and update to the archive's reports, newest first.",
             # Made from the reports it names alone, whose front-matter hashes cover their corrections:
             # fingerprinting those is a hundredth of the work of fingerprinting every note.
             context={"changes": Deferred(indexes.change_notes,
                                          (tuple(a for a in index.articles if a.corrections or a.updated),))}),
    ]
    search_indexes = _search_index_pages(index, words_by_source, earlier)
    pages.append(Page(routes.SEARCH, "search.html", "Search",
                      "Find reports by the words of their title, summary and text, and narrow them by place, topic and year.",
                      context={"filters": {kind: searchable_terms(index.terms[kind]) for kind in TERM_KINDS},
                               "years": index.periods[indexes.YEAR],
                               "indexes": tuple(page.url for page in reversed(search_indexes))}))
    pages += _timeline_pages(index)
    pages += search_indexes
    for article in index.articles:
        pages += _group(earlier, article.source_path, report_region(article), _report_pages, index, article)
    for kind in (indexes.YEAR, indexes.MONTH, indexes.DAY):
        for listing in index.periods[kind]:
            pages += _group(earlier, listing.url, listing_region(listing), _period_pages, index, listing, site.page_size)
    for kind in TERM_KINDS:
        listings = index.terms[kind]
        context = {"kind": kind, "listings": listings}
        if kind == LOCATIONS:
            context["place_map"] = Deferred(maps.place_map, (listings,))
        pages.append(Page(routes.terms_url(kind), "terms.html", TERM_HEADINGS[kind],
                          f"All {kind} in the archive, with the number of reports on each.", context=context))
        for listing in listings:
            pages += _group(earlier, listing.url, listing_region(listing), _term_pages, listing, site)
    pages += [
        _feed_page(routes.FEED, site.title, site.description, routes.HOME, index.articles, site.feed_size),
        Page(routes.NOT_FOUND, "404.html", "Page not found", "There is no page at this address.", noindex=True),
        Page(routes.ROBOTS, "robots.txt", "robots.txt"),
    ]
    pages += _redirect_pages(config)
    pages += _sitemap_pages([SitemapEntry(p.url, p.lastmod) for p in pages if not p.noindex and p.template.endswith(".html")],
                            earlier)
    return pages


def _group(earlier: EarlierPlan | None, group: str, region: Region, make: Callable[..., list[Page]], *args) -> list:
    """A region's pages: as the last build planned them if they are what they were, else ``make(*args)``."""
    if earlier is not None:
        reused = earlier.reused(group, region)
        if reused is not None:
            return reused
    return make(*args)


def _report_pages(index: SiteIndex, article: Article) -> list[Page]:
    """A report's own page, and a redirect at each of its earlier addresses: its group, known by its source path."""
    url, group = routes.article_url(article), article.source_path
    before, after = index.article_neighbours(article)
    region = report_region(article)
    return [Page(url, "article.html", article.title, article.summary, lastmod=(article.updated or article.day).isoformat(),
                 bodies=(article,), region=region, group=group,
                 context={"article": article, "before": before, "after": after, "related": index.related_to(article)}),
            *(Page(alias, "redirect.html", article.title, noindex=True, region=region, group=group,
                   context={"target": url}) for alias in article.aliases)]


def _period_pages(index: SiteIndex, listing: Listing, page_size: int) -> list[Page]:
    older, newer = index.neighbours(listing)
    return _listing_pages(listing, page_size, {"older": older, "newer": newer, "children": _children(index, listing)})


def _term_pages(listing: Listing, site) -> list[Page]:
    """A place's or topic's pages, and its feed."""
    return _listing_pages(listing, site.page_size, {"older": None, "newer": None, "children": ()}) + [
        _feed_page(routes.term_feed_url(listing.kind, listing.key), term_feed_title(listing, site.title),
                   listing.term.description, listing.url, listing.articles, site.feed_size, listing_region(listing),
                   group=listing.url)]


def _sitemap_pages(entries: list[SitemapEntry], earlier: EarlierPlan | None) -> list[Page | Reused]:
    """The sitemap: an index of sitemaps, one for each year's dated pages and one for the rest, each in
    parts of at most SITEMAP_SIZE addresses (the protocol's limit is 50,000). A new report changes
    its year's part, not a list of every page of the site.

    A year's dated pages are its reports' and its listings': the year's region holds its parts.
    """
    by_name: dict[str, list[SitemapEntry]] = {}
    for entry in entries:
        dated = _DATED.match(entry.url)
        by_name.setdefault(dated[1] if dated else routes.UNDATED_SITEMAP, []).append(entry)
    parts = []
    for name, named_entries in sorted(by_name.items()):
        if name == routes.UNDATED_SITEMAP:
            parts += _sitemap_parts(name, named_entries)
        else:
            group, region = routes.sitemap_part_url(name, 1), year_region(int(name))
            parts += _group(earlier, group, region, _sitemap_parts, name, named_entries, region, group)
    return parts + [Page(routes.SITEMAP, "sitemap-index.xml", "Sitemap", context={"sitemaps": tuple(p.url for p in parts)})]


def _sitemap_parts(name: str, entries: list[SitemapEntry], region: Region | None = None,
                   group: str = "") -> list[Page]:
    """The sitemaps named ``name`` (a year's, or the UNDATED_SITEMAP's): their addresses in parts of at
    most SITEMAP_SIZE; with a region, the group ``group`` of that region."""
    return [Page(routes.sitemap_part_url(name, start // SITEMAP_SIZE + 1), "sitemap.xml", "Sitemap", region=region,
                 group=group, context={"entries": tuple(entries[start: start + SITEMAP_SIZE])})
            for start in range(0, len(entries), SITEMAP_SIZE)]


_DATED = re.compile(r"(\d{4})/")


def _timeline_pages(index: SiteIndex) -> list[Page]:
    """The timeline, a page a year, oldest first; pages name the years only, so a new report changes its year's page."""
    years = [year.key[0] for year in index.periods[indexes.YEAR]] or [None]
    urls = tuple((year, routes.timeline_url(year, years[0])) for year in years)
    description = "Every report in the order the story unfolded, day by day, oldest first"
    padded = (None, *urls, None)
    return [
        Page(url, "timeline.html", "Timeline" if year is None else f"Timeline of {year}",
             f"{description}." if year is None else f"{description}: {year}.",
             context={"days": tuple(day for month in indexes.months_of(index, year)
                                    for day in indexes.days_of(index, *month.key)),
                      "year": year, "years": urls, "earlier": padded[n], "later": padded[n + 2]})
        for n, (year, url) in enumerate(urls)
    ]


def _search_index_pages(index: SiteIndex, words_by_source: dict[str, str],
                        earlier: EarlierPlan | None) -> list[Page | Reused]:
    """The search indexes, oldest first: each year's reports in parts of SEARCH_INDEX_SIZE counted
    from its oldest, so that an edit or a new report rebuilds one part, whatever the year's size.

    Words come from each report's title, summary and body: declaring the part's bodies covers them.
    A year's parts are made from its reports alone: the year's region holds them.
    """
    pages = []
    for year in index.periods[indexes.YEAR]:
        group, region = routes.search_index_url(year.key[0], 1), listing_region(year)
        pages += _group(earlier, group, region, _year_search_index_pages, index, year, words_by_source, region, group)
    return pages


def _year_search_index_pages(index: SiteIndex, year: Listing, words_by_source: dict[str, str], region: Region,
                             group: str) -> list[Page]:
    return [Page(routes.search_index_url(year.key[0], number), "search-index.js",
                 f"Search index of {year.title}, part {number}", bodies=part, region=region, group=group,
                 context={"search_index": Deferred(build_search_index, (part,), (index.term_by_slug, words_by_source))})
            for number, part in enumerate(parts_from_oldest(year.articles, SEARCH_INDEX_SIZE), start=1)]


def parts_from_oldest(newest_first: tuple[Article, ...], size: int) -> list[tuple[Article, ...]]:
    """Reports in parts of ``size`` counted from the oldest, each newest first; only the last may be short.

    A part keeps its reports as newer ones are added, so what is made from it need not change.
    """
    oldest_first = newest_first[::-1]
    return [oldest_first[start: start + size][::-1] for start in range(0, len(oldest_first), size)]


def _redirect_pages(config: SiteConfig) -> list[Page]:
    """A page at each alias of a place or topic, pointing on (a report's earlier addresses are its region's)."""
    pages = []
    for kind in TERM_KINDS:
        for term in config.terms(kind):
            pages += [Page(routes.term_url(kind, slug), "redirect.html", term.name, noindex=True,
                           context={"target": routes.term_url(kind, term.slug)}) for slug in alias_slugs(term)]
    return pages


def term_feed_title(listing: Listing, site_title: str) -> str:
    """'Samara · The Makiivka report archive': the feed's title, and its link's on the place's pages."""
    return f"{listing.title} · {site_title}"


def _feed_page(url: str, title: str, description: str, alternate: str, articles: tuple[Article, ...],
               size: int, region: Region | None = None, group: str = "") -> Page:
    """The Atom feed of the newest ``size`` of ``articles`` (newest first), following the page at ``alternate``.

    It was last updated when its most recently updated entry was: never the time of the build.
    """
    entries = articles[:size]
    return Page(url, "feed.xml", title, description, bodies=entries, region=region, group=group, context={
        "alternate": alternate, "entries": entries, "updated": max((a.updated_at for a in entries), default=None)})


def _listing_pages(listing: Listing, page_size: int, extra: dict) -> list[Page]:
    """A listing's own page, with its newest reports, and numbered pages counted from its oldest.

    Page N holds the Nth ``page_size`` reports from the oldest, so it keeps its reports (and its
    address) as newer ones are added: a new report changes the listing's own page, and now and
    then makes a numbered page, instead of shifting every page by one. The listing's own page
    shows the newest full page's reports and those newer still (``page_size`` to twice that, less
    one); the pages before it follow on from there. Numbered pages name their neighbours only,
    not the whole listing, so that their fingerprints do not change when it grows.
    """
    numbered = [part for part in parts_from_oldest(listing.articles, page_size) if len(part) == page_size]
    full = len(numbered)
    newest_shown = listing.articles[: len(listing.articles) - max(0, full - 1) * page_size]
    if listing.term:
        description = listing.term.description
    else:
        description = f"Reports filed {'on' if listing.kind == indexes.DAY else 'in'} {listing.title}."
    region = listing_region(listing)
    own = Page(listing.url, "listing.html", listing.title, description, region=region, group=listing.url, context={
        "listing": listing, "articles": newest_shown, **extra,
        "pagination": Pagination(None, None, routes.paged_url(listing.url, full - 1) if full > 1 else None)})
    if not full:
        return [own]
    heading = dataclasses.replace(listing, articles=())  # a numbered page shows its own reports only
    return [own] + [
        Page(routes.paged_url(listing.url, n), "listing.html", f"{listing.title} (page {n})", description, region=region,
             group=listing.url,
             context={"listing": heading, "articles": part, "older": None, "newer": None, "children": (),
                      "pagination": Pagination(n, routes.paged_url(listing.url, n + 1) if n < full else listing.url,
                                               routes.paged_url(listing.url, n - 1) if n > 1 else None)})
        for n, part in enumerate(numbered, start=1)
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
        yield routes.output_path(page.url), render_page(page, env)


def render_page(page: Page, env: jinja2.Environment) -> bytes:
    try:
        context = {k: v.value() if isinstance(v, Deferred) else v for k, v in page.context.items()}
        text = render_leaving_no_cycles(env.get_template(page.template), {"page": page, **context})
    except Exception as exc:  # templates are code: any error in one is reported at its line
        raise BuildError([_template_problem(exc, env, page)]) from None
    return text.encode("utf-8")


def render_leaving_no_cycles(template: jinja2.Template, variables: dict) -> str:
    """What ``template.render(**variables)`` gives, leaving nothing for Python's cycle collector.

    A page whose template defines macros, or imports them with its context, leaves a ring of
    objects behind: its context holds each macro, whose function's closure holds the context.
    Only the cycle collector frees those, and its visits were a tenth of the time of rendering a
    report's page. So once the page is made, each macro made for it lets go of its function.
    (Should Jinja rename what is looked at here, the rings stay: slower, never wrong.)
    """
    context = template.new_context(variables)
    try:
        return template.environment.concat(template.root_render_func(context))
    except Exception:
        template.environment.handle_exception()  # as render() does: the traceback names template lines
    finally:
        for macro in _macros_made_for(context):
            macro._func = None


def _macros_made_for(context: jinja2.runtime.Context) -> list[jinja2.runtime.Macro]:
    """The macros a page's render made: those its templates define, and those they import with the
    page's context. A template imported without one is made into a module once, which Jinja keeps
    and every page shares: its macros are not the page's to change."""
    shared = _shared_objects(context.environment)
    if shared is None:
        return []
    made = []
    for value in context.vars.values():
        if id(value) not in shared:
            found = vars(value).values() if isinstance(value, jinja2.environment.TemplateModule) else (value,)
            made += [macro for macro in found if isinstance(macro, jinja2.runtime.Macro) and id(macro) not in shared]
    return made


def _shared_objects(env: jinja2.Environment) -> set[int] | None:
    """The ids of the modules Jinja keeps for templates imported without a context, and of what
    they hold; None if that cannot be told."""
    if env.cache is None:
        return None
    shared = set()
    for template in env.cache.values():
        module = getattr(template, "_module", shared)
        if module is shared:
            return None
        if module is not None:
            shared.add(id(module))
            shared.update(map(id, vars(module).values()))
    return shared


def render_outputs(pages: list[Page | Reused], earlier: EarlierPlan, listings: list[Listing], env: jinja2.Environment,
                   cache: BuildCache, workers: Workers, progress: ProgressCallback | None = None
                   ) -> Iterator[Output | Unchanged]:
    """Every page as an Output, rendering only those whose inputs changed since they were rendered,
    but the pages taken from the last build, which come last, all in one Unchanged.

    A Reused page is as the last build left it. A planned page whose fingerprint is cached with the
    digest of the bytes now published (``earlier.published``), or kept in the cache, needs no
    rendering. The others are rendered by ``workers``, which put the bytes in the cache; every
    Output points there. A page's fingerprint but for bodies is taken from the last build where
    ``earlier`` says it holds; then what changed is found here at once; otherwise every page is
    fingerprinted anew, and the workers share that work with the rendering, a span of pages each.
    """
    fingerprints = earlier.fingerprints
    if earlier.groups:
        _take_earlier_listings(fingerprints, listings, cache.listings, earlier.changed)
    global _JOB
    _JOB = _Job(pages, env, cache.rendered, cache.fresh, earlier, cache.pages)
    planned = [number for number, page in enumerate(pages) if type(page) is not Reused]
    if earlier.groups:
        outputs = _planned_then_rendered(planned, workers)
    else:  # nothing is taken from the last build: every page is planned
        spans = [(start, min(start + SPAN, len(pages))) for start in range(0, len(pages), SPAN)]
        outputs = itertools.chain.from_iterable(
            workers.map(_span_in_worker, spans, min_per_worker=max(1, PAGES_PER_WORKER // SPAN)))
    record, source_of = PlanRecord(earlier), _JOB.store.path
    for done, (number, (relpath, without, key, known)) in enumerate(zip(planned, outputs), start=1):
        if progress:
            progress("rendering and writing pages", done, len(pages))
        yield _output((relpath, known, None, source_of(known)))
        record.add(pages[number], relpath, without, key, known)
    # The pages taken as the last build left them, their groups whole: the writer takes them at once.
    unchanged = {page.relpath: page.known for page in pages if type(page) is Reused}
    if len(planned) + len(unchanged) < len(pages):
        raise written_twice(_twice([page.relpath for page in pages if type(page) is Reused]))
    if unchanged:
        if progress:
            progress("rendering and writing pages", len(pages), len(pages))
        yield Unchanged(unchanged, source_of)
    cache.remember_plan(earlier.reports_key, record.groups(),
                        {listing.url: fingerprints.value(listing) for listing in listings})


_output = functools.partial(tuple.__new__, Output)  # an Output without NamedTuple's checks: one for every page


def _twice(relpaths: list[str]) -> str:
    """The first path, in order, given more than once."""
    return min(relpath for relpath, count in collections.Counter(relpaths).items() if count > 1)


def _take_earlier_listings(fingerprints: Fingerprinter, listings: list[Listing], earlier: dict[str, str],
                           changed: frozenset[Region]) -> None:
    """A listing outside the changed regions holds the reports it held, as they were: its
    fingerprint is the last build's. Pages that read the whole index (the timeline, the archive,
    the lists of places and topics) show every listing, and fingerprinting them all again was
    most of the fingerprinting after adding one report."""
    for listing in listings:
        found = earlier.get(listing.url)
        if found is not None and listing_region(listing) not in changed:
            fingerprints.take(listing, found)


def _planned_then_rendered(numbers: list[int], workers: Workers) -> Iterator[tuple[str, str, str, str]]:
    """Plan the pages ``numbers`` gives, handing each that must be rendered to the workers as soon as
    it is found, so that they render while the rest are planned (a rebuild's few pages to render
    include the largest: the timeline, the search index); then render what they have not begun.
    Here, where they do other work meanwhile, workers are worth starting for fewer pages than when
    the build would only wait for them."""
    with workers.sharing(_render_in_worker, min_items=max(1, PAGES_PER_WORKER // 4)) as rendering:
        plan = []
        for number in numbers:
            planned = _JOB.plan(number)
            if planned[3] is None:  # its bytes are not known
                rendering.add(number)
            plan.append(planned)
        rendered = iter(rendering.results())
    for planned in plan:
        yield planned if planned[3] is not None else (*planned[:3], next(rendered))


SPAN = 64  # pages a worker fingerprints and renders at a time, in order: neighbours share listings


@dataclass
class _Job:
    """What forked workers fingerprint and render from, and where they store what they render."""

    pages: list[Page | Reused]  # only the Pages are planned and rendered
    env: jinja2.Environment
    store: HashStore
    fresh: bool  # a clean build trusts nothing kept before
    earlier: EarlierPlan  # its fingerprinter, what of the last plan holds, what is published
    page_digests: dict[str, str]  # the cache's: the digest of the bytes each fingerprint gave

    def plan(self, number: int) -> tuple[str, str, str, str | None]:
        """A page's output path, fingerprint but for bodies, fingerprint, and its bytes' digest if known."""
        page = self.pages[number]
        relpath = routes.output_path(page.url)
        fingerprints = self.earlier.fingerprints
        without = self.earlier.without_bodies(page) or fingerprints.without_bodies(page)
        key = fingerprints.with_bodies(without, page)
        known = self.page_digests.get(key)
        if known is not None and self.earlier.published.get(relpath) != known and not self.store.has(known):
            known = None
        return relpath, without, key, known

    def render(self, number: int) -> str:
        """Render a page into the store and give its digest: bytes do not travel back through a pipe."""
        data = render_page(self.pages[number], self.env)
        data_digest = digest(data)
        self.store.save(data_digest, data, replace=self.fresh)
        return data_digest


_JOB: _Job | None = None


def _render_in_worker(number: int) -> str:
    return _JOB.render(number)


def _span_in_worker(span: tuple[int, int]) -> list[tuple[str, str, str, str]]:
    """Plan the pages of a span and render those not known."""
    result = []
    for number in range(*span):
        relpath, without, key, known = _JOB.plan(number)
        result.append((relpath, without, key, known or _JOB.render(number)))
    return result


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
