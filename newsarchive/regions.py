"""The parts of the site a change of reports reaches, so that a rebuild fingerprints only their pages.

Most pages are made from one part of the site index alone, their region:

- a report's page, and the redirects from its earlier addresses: from the report, its neighbours
  in time and its related reports;
- a listing's pages (and a place's or topic's feed): from the listing, its neighbouring listings
  of the same kind and, for a year or month, the months or days in it;
- a year's sitemaps and search indexes: from the year's reports alone, so within the region of
  the year's listing.

``plan_pages`` marks such a page with its region and gives it nothing else (the configuration
and templates aside). Pages that read the whole index (the home page, the timeline, the sitemap
index ...) have no region and are always fingerprinted anew.

A page whose region's inputs are what they were in the last build is the page it was then, so
its fingerprint but for bodies is taken from that build (the caller checks that the templates
and configuration are the same). The last build is known by its related-reports memo, which
holds each published report's front-matter hash, ranking key (places, topics, time) and related
reports. Inputs are compared exactly: a report by its front-matter hash, and which reports are
neighbours, related reports or members of a listing.
"""

from __future__ import annotations

import datetime as dt
from typing import Hashable, Iterable

from . import indexes
from .indexes import Listing, RelatedMemo, SiteIndex
from .model import TERM_KINDS, Article

Region = tuple  # ("report", source path) or ("listing", kind, key)
PERIOD_KINDS = (indexes.YEAR, indexes.MONTH, indexes.DAY)


def report_region(article: Article) -> Region:
    return ("report", article.source_path)


def listing_region(listing: Listing) -> Region:
    return ("listing", listing.kind, listing.key)


def year_region(year: int) -> Region:
    """The region of the year's listing, which holds every page made from the year's reports alone."""
    return ("listing", indexes.YEAR, (year,))  # a year's listing is keyed as period_key keys it


def changed_regions(index: SiteIndex, earlier: RelatedMemo) -> set[Region]:
    """The regions of ``index`` whose inputs differ from those of the index ``earlier`` was made with."""
    now = {article.source_path: article for article in index.articles}
    changed = {path for path in now.keys() | earlier.keys()
               if (now[path].metadata_digest if path in now else None) != earlier.get(path, (None,))[0]}
    if not changed:
        return set()
    return _changed_reports(index, earlier, changed) | _changed_listings(now, earlier, changed)


def _changed_reports(index: SiteIndex, earlier: RelatedMemo, changed: set[str]) -> set[Region]:
    """Changed reports, the reports next to one in time (then or now), and those whose related
    reports are others than they were or include a changed one."""
    oldest_first = [article.source_path for article in reversed(index.articles)]
    then_oldest_first = sorted(earlier, key=lambda path: earlier[path][1][1])  # (ISO day, time, slug)
    paths = _near(oldest_first, changed) | _near(then_oldest_first, changed)
    for path, (_, _, related) in index.related_memo.items():
        if related != earlier.get(path, (None, None, None))[2] or not changed.isdisjoint(related):
            paths.add(path)
    return {("report", path) for path in paths if path in index.related_memo}


def _changed_listings(now: dict[str, Article], earlier: RelatedMemo, changed: set[str]) -> set[Region]:
    """Listings a changed report is or was in; for periods, also their neighbours then and now (a
    listing shows its neighbours, and a year or month its months or days, which a changed report
    in them changes too)."""
    touched: set[tuple] = set()
    for path in changed:
        if path in now:
            touched.update(_listings_of(now[path].day, ((kind, slug) for kind in TERM_KINDS
                                                         for slug in now[path].terms(kind))))
        if path in earlier:
            touched.update(_listings_of(*indexes.filed_under(earlier[path])))
    regions = {("listing", *listing) for listing in touched}
    # Thousands of reports, on fewer days: each day's listings are looked up once.
    days_now = {article.day for article in now.values()}
    days_then = set(map(indexes.filed_on, earlier.values()))
    for kind in PERIOD_KINDS:
        keys_now = sorted({indexes.period_key(kind, day) for day in days_now})
        keys_then = sorted({indexes.period_key(kind, day) for day in days_then})
        touched_keys = {key for listing_kind, key in touched if listing_kind == kind}
        regions.update(("listing", kind, key) for key in _near(keys_now, touched_keys) | _near(keys_then, touched_keys))
    return regions


def _listings_of(day: dt.date, terms: Iterable[tuple[str, str]]) -> list[tuple[str, Hashable]]:
    return [(kind, indexes.period_key(kind, day)) for kind in PERIOD_KINDS] + list(terms)


def _near(ordered: list, marked: set) -> set:
    """The marked items of ``ordered`` and the items next to them."""
    near = set()
    for position, item in enumerate(ordered):
        if item in marked:
            near.update(ordered[max(0, position - 1): position + 2])
    return near
