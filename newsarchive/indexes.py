"""Group reports into the listings readers browse: by year, month, day, location and topic.

One generic ``group_by`` builds every listing, so periods and terms cannot drift apart.
All orders are explicit: listings newest first, groups by key, ties broken by slug.
"""

from __future__ import annotations

import datetime as dt
import heapq
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable

from . import dates, routes
from .claims import ClaimEntry, claim_ledger
from .config import SiteConfig
from .model import TERM_KINDS, Article, Correction, Term

YEAR, MONTH, DAY = "year", "month", "day"

RELATED_LIMIT = 5
# How many reports on each side in time one shared place or topic may propose as related. It keeps
# the work per report bounded (a topic with 20,000 reports proposes 2 x 25, not 20,000), and the
# nearest in time are the ones that win ties anyway.
RELATED_REACH = 10


@dataclass(frozen=True)
class Listing:
    """The reports on a period's, place's or topic's pages, newest first."""

    kind: str
    key: Hashable
    title: str
    url: str
    articles: tuple[Article, ...]
    term: Term | None = None


@dataclass(frozen=True)
class ChangeNote:
    """What happened to one report on one day, for the corrections log: its corrections, its update."""

    day: dt.date
    article: Article
    corrections: tuple[Correction, ...]
    updated: bool  # the report's last update is dated this day


@dataclass(frozen=True)
class SiteIndex:
    """Everything the pages are made from; built once, read by every page."""

    articles: tuple[Article, ...]
    periods: dict[str, tuple[Listing, ...]]
    terms: dict[str, tuple[Listing, ...]]
    term_by_slug: dict[tuple[str, str], Term]
    period_neighbours: dict[tuple, tuple]
    report_neighbours: dict[str, tuple]
    related: dict[str, tuple[Article, ...]]
    claims: dict[str, tuple[ClaimEntry, ...]]  # by subject, "" (the archive's own event) first
    changes: tuple[ChangeNote, ...]  # newest first

    def neighbours(self, listing: Listing) -> tuple[Listing | None, Listing | None]:
        """The previous (older) and next (newer) non-empty listing of the same kind."""
        return self.period_neighbours[(listing.kind, listing.key)]

    def article_neighbours(self, article: Article) -> tuple[Article | None, Article | None]:
        """The report published just before and just after ``article``."""
        return self.report_neighbours[article.source_path]

    def related_to(self, article: Article) -> tuple[Article, ...]:
        """The reports most like ``article`` by place and topic (see ``related_reports``)."""
        return self.related[article.source_path]


def newest_first(articles: Iterable[Article]) -> tuple[Article, ...]:
    return tuple(sorted(articles, key=lambda a: a.chronological_key, reverse=True))


def group_by(articles: Iterable[Article], keys: Callable[[Article], Iterable[Hashable]]) -> dict:
    """Map each key to its reports (newest first); keys in sorted order."""
    groups: dict = defaultdict(list)
    for article in articles:
        for key in keys(article):
            groups[key].append(article)
    return {key: newest_first(groups[key]) for key in sorted(groups)}


def index_site(articles: Iterable[Article], config: SiteConfig) -> SiteIndex:
    """Build every listing of the published reports."""
    articles = newest_first(articles)
    period_keys = {
        YEAR: (lambda a: [(a.day.year,)], lambda k: str(k[0]), lambda k: routes.year_url(*k)),
        MONTH: (lambda a: [(a.day.year, a.day.month)], lambda k: dates.format_month(*k), lambda k: routes.month_url(*k)),
        DAY: (lambda a: [a.day], dates.format_day, routes.day_url),
    }
    periods = {
        kind: tuple(Listing(kind, key, title(key), url(key), group)
                    for key, group in group_by(articles, keys).items())
        for kind, (keys, title, url) in period_keys.items()
    }
    terms = {}
    for kind in TERM_KINDS:
        grouped = group_by(articles, lambda a, kind=kind: a.terms(kind))
        terms[kind] = tuple(
            Listing(kind, term.slug, term.name, routes.term_url(kind, term.slug), grouped.get(term.slug, ()), term)
            for term in sorted(config.terms(kind), key=lambda t: (t.name.casefold(), t.slug))
        )
    term_by_slug = {(kind, term.slug): term for kind in TERM_KINDS for term in config.terms(kind)}
    period_neighbours = {(listing.kind, listing.key): pair
                         for listings in periods.values() for listing, pair in _with_neighbours(listings)}
    report_neighbours = {article.source_path: pair for article, pair in _with_neighbours(articles[::-1])}
    return SiteIndex(articles, periods, terms, term_by_slug, period_neighbours, report_neighbours,
                     related_reports(articles[::-1]), claim_ledger(articles), change_notes(articles))


def change_notes(articles: Iterable[Article]) -> tuple[ChangeNote, ...]:
    """Every correction and update, a note per report and day: newest day first, then newest report."""
    notes = []
    for article in articles:
        days = {correction.date for correction in article.corrections}
        if article.updated:
            days.add(article.updated)
        for day in sorted(days):
            notes.append(ChangeNote(day, article, tuple(c for c in article.corrections if c.date == day),
                                    day == article.updated))
    return tuple(sorted(notes, key=lambda note: (note.day, note.article.chronological_key), reverse=True))


def related_reports(oldest_first: tuple[Article, ...], limit: int = RELATED_LIMIT,
                    reach: int = RELATED_REACH) -> dict[str, tuple[Article, ...]]:
    """Each report's source path -> up to ``limit`` other reports that share its places and topics.

    Candidates come only from the report's own places and topics, the ``reach`` reports nearest in
    time on each side in each, so the work grows with the number of reports, not with its square.
    The most places and topics in common come first, then the report nearest in time, then the
    source path, so the order is total.
    """
    timestamps = [article.published_at.timestamp() for article in oldest_first]
    paths = [article.source_path for article in oldest_first]
    terms = [frozenset(_term_keys(article)) for article in oldest_first]
    positions: dict[tuple[str, str], list[int]] = defaultdict(list)  # a term -> its reports' positions, ascending
    for position, article_terms in enumerate(terms):
        for term in article_terms:
            positions[term].append(position)
    # Each report's terms as bits of one number: counting shared terms is then one AND and a bit count.
    bit = {term: 1 << n for n, term in enumerate(sorted(positions))}
    masks = [sum(bit[term] for term in article_terms) for article_terms in terms]
    related = {}
    for position, article in enumerate(oldest_first):
        candidates = set()
        for term in terms[position]:
            listing = positions[term]
            at = bisect_left(listing, position)
            candidates.update(listing[max(0, at - reach): at + reach + 1])
        candidates.discard(position)
        mine, when = masks[position], timestamps[position]
        best = heapq.nsmallest(limit, [(-(mine & masks[other]).bit_count(), abs(timestamps[other] - when),
                                        paths[other], other) for other in candidates])
        related[article.source_path] = tuple(oldest_first[other] for *_, other in best)
    return related


def _term_keys(article: Article) -> Iterable[tuple[str, str]]:
    return ((kind, slug) for kind in TERM_KINDS for slug in article.terms(kind))


def _with_neighbours(items: tuple) -> Iterable[tuple]:
    """Each item of an oldest-first sequence with its (previous, next) pair."""
    padded = (None, *items, None)
    return ((item, (padded[i], padded[i + 2])) for i, item in enumerate(items))


def months_of(index: SiteIndex, year: int) -> tuple[Listing, ...]:
    return tuple(m for m in index.periods[MONTH] if m.key[0] == year)


def days_of(index: SiteIndex, year: int, month: int) -> tuple[Listing, ...]:
    return tuple(d for d in index.periods[DAY] if (d.key.year, d.key.month) == (year, month))
