"""Group reports into the listings readers browse: by year, month, day, location and topic.

One generic ``group_by`` builds every listing, so periods and terms cannot drift apart.
All orders are explicit: listings newest first, groups by key, ties broken by slug.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable

from . import dates, routes
from .claims import ClaimEntry, claim_ledger
from .config import SiteConfig
from .model import TERM_KINDS, Article, Correction, Term
from .parallel import Prefetch

YEAR, MONTH, DAY = "year", "month", "day"

RELATED_LIMIT = 5
# How many reports on each side in time one shared place or topic may propose as related. It keeps
# the work per report bounded (a topic with 20,000 reports proposes 2 x 25, not 20,000), and the
# nearest in time are the ones that win ties anyway.
RELATED_REACH = 10

# Which earlier results related_reports may reuse: each report's source path -> (the hash of its
# front-matter, what ranking reads of it, the source paths of its related reports). The build cache
# keeps it between builds, and drops it with the config (which maps spellings to places and topics).
RelatedMemo = dict[str, tuple[str, tuple, tuple[str, ...]]]
# Beyond this many changed reports, ranking them all again is as quick as finding what to redo.
RELATED_REUSE_LIMIT = 200


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
    children: dict[tuple, tuple[Listing, ...]]  # see months_of and days_of
    terms: dict[str, tuple[Listing, ...]]
    term_by_slug: dict[tuple[str, str], Term]
    period_neighbours: dict[tuple, tuple]
    report_neighbours: dict[str, tuple]
    related: dict[str, tuple[Article, ...]]
    related_memo: RelatedMemo  # for the next build's index (see related_reports)
    claims: dict[str, tuple[ClaimEntry, ...]]  # by subject, "" (the archive's own event) first

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


def group_by(newest: tuple[Article, ...], keys: Callable[[Article], Iterable[Hashable]]) -> dict:
    """Map each key to its reports, in the order of ``newest`` (newest first); keys in sorted order."""
    groups: dict = defaultdict(list)
    for article in newest:
        for key in keys(article):
            groups[key].append(article)
    return {key: tuple(groups[key]) for key in sorted(groups)}


def index_site(articles: Iterable[Article], config: SiteConfig, related_memo: RelatedMemo | None = None) -> SiteIndex:
    """Build every listing of the published reports; ``related_memo`` is the last index's (see related_reports)."""
    articles = newest_first(articles)
    period_names = {
        YEAR: (lambda k: str(k[0]), lambda k: routes.year_url(*k)),
        MONTH: (lambda k: dates.format_month(*k), lambda k: routes.month_url(*k)),
        DAY: (dates.format_day, routes.day_url),
    }
    periods = {
        kind: tuple(Listing(kind, key, title(key), url(key), group)
                    for key, group in group_by(articles, lambda a, kind=kind: [period_key(kind, a.day)]).items())
        for kind, (title, url) in period_names.items()
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
    related, related_memo = related_reports(articles[::-1], earlier=related_memo)
    return SiteIndex(articles, periods, _children_of_periods(periods), terms, term_by_slug, period_neighbours,
                     report_neighbours, related, related_memo, claim_ledger(articles))


def period_key(kind: str, day: dt.date) -> Hashable:
    """The key of the year's, month's or day's listing ``day`` belongs to: (year,), (year, month) or the day."""
    if kind == YEAR:
        return (day.year,)
    if kind == MONTH:
        return (day.year, day.month)
    return day


def change_notes(articles: Iterable[Article]) -> tuple[ChangeNote, ...]:
    """Every correction and update, a note per report and day: newest day first, then newest report."""
    notes = []
    for article in articles:
        if not article.corrections and not article.updated:  # most reports: nothing to note
            continue
        days = {correction.date for correction in article.corrections}
        if article.updated:
            days.add(article.updated)
        for day in sorted(days):
            notes.append(ChangeNote(day, article, tuple(c for c in article.corrections if c.date == day),
                                    day == article.updated))
    return tuple(sorted(notes, key=lambda note: (note.day, note.article.chronological_key), reverse=True))


def related_reports(oldest_first: tuple[Article, ...], limit: int = RELATED_LIMIT, reach: int = RELATED_REACH,
                    earlier: RelatedMemo | None = None) -> tuple[dict[str, tuple[Article, ...]], RelatedMemo]:
    """Each report's source path -> up to ``limit`` other reports that share its places and topics.

    Candidates come only from the report's own places and topics, the ``reach`` reports nearest in
    time on each side in each, so the work grows with the number of reports, not with its square.
    The most places and topics in common come first, then the report nearest in time, then the
    source path, so the order is total.

    ``earlier`` is the memo a previous call returned: a report is ranked again only if a report
    added, removed or changed in its places, topics or time could be among its candidates. The
    memo for the next call is returned with the result.
    """
    by_path = {article.source_path: article for article in oldest_first}
    earlier = earlier or {}
    if earlier and len(earlier) == len(by_path) and all(
            earlier.get(path, _UNKNOWN)[0] == article.metadata_digest for path, article in by_path.items()):
        # No report's front-matter changed: every earlier ranking stands.
        return {path: tuple(map(by_path.__getitem__, found)) for path, (_, _, found) in earlier.items()}, earlier
    # A report whose front-matter is unchanged has the key it had; only new and changed ones are made.
    keys = []
    for article in oldest_first:
        known = earlier.get(article.source_path, _UNKNOWN)
        keys.append(known[1] if known[0] == article.metadata_digest else _ranking_key(article))
    paths = list(by_path)
    positions: dict[str, list[int]] = defaultdict(list)  # a term -> its reports' positions, ascending
    for position, (terms, _) in enumerate(keys):
        for term in terms:
            positions[term].append(position)
    to_rank = _positions_to_rank(keys, paths, positions, reach, earlier)

    def candidates(position: int) -> set[int]:
        found = set()
        for term in keys[position][0]:
            listing = positions[term]
            at = bisect_left(listing, position)
            found.update(listing[max(0, at - reach): at + reach + 1])
        found.discard(position)
        return found

    # Times and terms are looked up only for the reports ranked now and their candidates.
    needed = range(len(paths)) if to_rank is None else to_rank.union(*map(candidates, to_rank))
    timestamps = {position: oldest_first[position].published_at.timestamp() for position in needed}
    # Each report's terms as bits of one number: counting shared terms is then one AND and a bit count.
    bit = {term: 1 << n for n, term in enumerate(sorted(positions))}
    masks = {position: sum(bit[term] for term in keys[position][0]) for position in needed}

    def rank(chosen: list[int]) -> dict[int, tuple[int, ...]]:
        ranked = {}
        for position in chosen:
            mine, when = masks[position], timestamps[position]
            best = heapq.nsmallest(limit, [(-(mine & masks[other]).bit_count(), abs(timestamps[other] - when),
                                            paths[other], other) for other in candidates(position)])
            ranked[position] = tuple(other for *_, other in best)
        return ranked

    ranked = _ranked_in_halves(rank, [p for p in range(len(paths)) if to_rank is None or p in to_rank])
    related, memo = {}, {}
    for position, (path, key) in enumerate(zip(paths, keys)):
        article = oldest_first[position]
        if position in ranked:
            related[path] = tuple(oldest_first[other] for other in ranked[position])
            memo[path] = (article.metadata_digest, key, tuple(other.source_path for other in related[path]))
        else:
            known = earlier[path]
            related[path] = tuple(map(by_path.__getitem__, known[2]))
            memo[path] = known if known[0] == article.metadata_digest else (article.metadata_digest, key, known[2])
    return related, memo


# Reports to rank beyond which half are ranked by a forked helper: a cold build ranks every report
# (0.2 s at 5,000) while the machine's other core has nothing to do.
RANK_IN_HALVES_FROM = 2_000


def _ranked_in_halves(rank: Callable[[list[int]], dict], positions: list[int]) -> dict:
    """``rank(positions)``, the second half made by a helper process while this one makes the first."""
    if len(positions) < RANK_IN_HALVES_FROM:
        return rank(positions)
    half = len(positions) // 2
    with Prefetch([functools.partial(rank, positions[half:])]) as helper:
        ranked = rank(positions[:half])
        ranked.update(helper.result(0))
    return ranked


def _ranking_key(article: Article) -> tuple:
    """What ranking reads of a report, in plain strings, which the cache keeps quickly: its terms as
    kind/slug, its time as ISO text."""
    return tuple(sorted(_term_keys(article))), (article.day.isoformat(), *article.chronological_key[1:])


def filed_on(memo_entry: tuple) -> dt.date:
    """The day a report was filed on, from its entry in a related-reports memo (what the last build knew of it)."""
    return dt.date.fromisoformat(memo_entry[1][1][0])


def filed_under(memo_entry: tuple) -> tuple[dt.date, list[tuple[str, str]]]:
    """The day and the (kind, slug) places and topics a report was filed under, from its memo entry."""
    return filed_on(memo_entry), [tuple(term.split("/", 1)) for term in memo_entry[1][0]]


_UNKNOWN = (None, None, ())


def _positions_to_rank(keys: list[tuple], paths: list[str], positions: dict[str, list[int]], reach: int,
                       earlier: RelatedMemo) -> set[int] | None:
    """The positions of the reports whose candidates may differ from when ``earlier`` was made; None for all.

    A report changed if it is new, gone, or moved in time or terms. Every report within ``reach``
    of a changed one, where it is now or where it was, in any of its terms then or now, may have
    gained or lost a candidate; positions shift by at most the number of changes, hence the margin.
    """
    now = dict(zip(paths, keys))
    then = {path: key for path, (_, key, _) in earlier.items()}
    changed = [path for path in now.keys() | then.keys() if now.get(path) != then.get(path)]
    if not earlier or len(changed) > RELATED_REUSE_LIMIT:
        return None
    order = [moment for _, moment in keys]  # ascending, as oldest_first is
    margin = reach + len(changed)
    position_of = {path: position for position, path in enumerate(paths)}
    to_rank = {position_of[path] for path in changed if path in position_of}
    for path in changed:
        for terms, moment in (key for key in (now.get(path), then.get(path)) if key is not None):
            position = bisect_left(order, moment)
            for term in terms:
                listing = positions.get(term, [])
                at = bisect_left(listing, position)
                to_rank.update(listing[max(0, at - margin): at + margin + 1])
    return to_rank


def _term_keys(article: Article) -> Iterable[str]:
    return (f"{kind}/{slug}" for kind in TERM_KINDS for slug in article.terms(kind))


def _with_neighbours(items: tuple) -> Iterable[tuple]:
    """Each item of an oldest-first sequence with its (previous, next) pair."""
    padded = (None, *items, None)
    return ((item, (padded[i], padded[i + 2])) for i, item in enumerate(items))


def months_of(index: SiteIndex, year: int) -> tuple[Listing, ...]:
    return index.children.get((YEAR, (year,)), ())


def days_of(index: SiteIndex, year: int, month: int) -> tuple[Listing, ...]:
    return index.children.get((MONTH, (year, month)), ())


def _children_of_periods(periods: dict[str, tuple[Listing, ...]]) -> dict[tuple, tuple[Listing, ...]]:
    """(YEAR, year key) -> its months and (MONTH, month key) -> its days, oldest first."""
    children = defaultdict(list)
    for month in periods[MONTH]:
        children[(YEAR, month.key[:1])].append(month)
    for day in periods[DAY]:
        children[(MONTH, (day.key.year, day.key.month))].append(day)
    return {key: tuple(listings) for key, listings in children.items()}
