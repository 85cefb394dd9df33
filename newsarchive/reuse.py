"""What a rebuild takes over from the last build's plan: the groups of pages that are what they were.

Pages are planned in groups: a report's own page with the redirects from its earlier addresses,
known by its source path; a listing's pages with, for a place or topic, its feed, known by the
listing's URL; a year's sitemaps, and a year's search indexes, each known by its first one's URL;
and every other page alone, known by its URL (no page's address ends in .md). For
each group the cache keeps what the last build planned of it: each page's address, template, date,
whether search engines may index it, the report it is the page of, its fingerprint but for bodies,
its fingerprint and the hash of the bytes it gave; and, for a group of a region (see regions.py),
the bodies its pages show, by source path and hash.

A group of a region whose inputs are what they were (the templates and config too), whose bodies
have the hashes they had, and whose pages' bytes are still at hand (published, or in the cache) is
the group it was: the rebuild takes its pages as they were planned, and neither makes, nor
fingerprints, nor renders them. After adding or editing one report that is nearly every page of a
large archive. In a group that is planned again, a page still keeps its fingerprint but for bodies
if its region's inputs are as they were, and a page that reads the whole index keeps it while no
report's front-matter changed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from .fingerprint import Fingerprinter, template_digests
from .indexes import RelatedMemo, SiteIndex
from .regions import Region, changed_regions

if TYPE_CHECKING:  # the cache keeps the plan's rows as Reused lays them out, so it imports this module
    from .cache import BuildCache, HashStore

# A group as the cache keeps it: (bodies, rows). Bodies: ((source path, body hash), ...). Rows: a
# Reused's fields for each page, plain values that marshal writes quickly.
Group = tuple[tuple[tuple[str, str], ...], tuple[tuple, ...]]


class Reused(NamedTuple):  # a tuple: a rebuild takes thousands, made at once from the cache's rows
    """A page as the last build planned it: what the sitemap, the URL lock and the writer read of a page."""

    url: str
    template: str
    lastmod: str | None  # as Page.lastmod
    noindex: bool
    source_path: str  # the report whose own page it is, or ""
    relpath: str
    without: str  # its fingerprint but for bodies
    key: str  # its fingerprint
    known: str  # the hash of the bytes it gave


# Where a row of the plan (a Reused's fields) has what is read of it by position, thousands a build.
RELPATH, WITHOUT, KEY, KNOWN = (Reused._fields.index(name) for name in ("relpath", "without", "key", "known"))
_reused = functools.partial(tuple.__new__, Reused)  # Reused._make without its checks: the rows are the builder's own


@dataclass
class EarlierPlan:
    """The last build's groups, and what has changed since: which of them a rebuild may take."""

    fingerprints: Fingerprinter  # this build's
    reports_key: str  # this build's (see Fingerprinter.reports_key)
    groups: dict[str, Group]  # the last build's by their keys; empty if none can be trusted
    changed: frozenset[Region]  # the regions whose inputs changed since
    front_matter_changed: bool  # whether any report's did: pages with no region read every report's
    bodies: dict[str, str]  # each published report's body hash now, by source path
    published: dict[str, str]  # what the published copy holds: path -> hash
    store: HashStore  # the cache's rendered pages
    taken: list[str] = field(default_factory=list)  # the groups taken whole by this build

    def reused(self, group: str, region: Region) -> list[Reused] | None:
        """The pages of ``region``'s group as the last build planned them, if each is exactly what it
        was and its bytes are at hand (else the group is planned, and the page rendered, again)."""
        found = self.groups.get(group)
        if found is None or region in self.changed:
            return None
        bodies, rows = found
        for path, body_digest in bodies:
            if self.bodies.get(path) != body_digest:
                return None
        for row in rows:
            if self.published.get(row[RELPATH]) != row[KNOWN] and not self.store.has(row[KNOWN]):
                return None
        self.taken.append(group)
        return list(map(_reused, rows))

    def without_bodies(self, page) -> str | None:
        """A page's fingerprint but for bodies as the last build made it, if it still holds."""
        if page.region is None:
            if self.front_matter_changed:
                return None
        elif page.region in self.changed:
            return None
        found = self.groups.get(page.group or page.url)
        if found is None:
            return None
        for row in found[1]:
            if row[0] == page.url:
                return row[WITHOUT]
        return None


def earlier_plan(index: SiteIndex, earlier_related: RelatedMemo, env, cache: BuildCache, published: dict[str, str],
                 fingerprint_base: str) -> EarlierPlan:
    """What of the last build's plan holds for ``index``.

    Its fingerprints hold only if the templates and the config (which ``fingerprint_base`` and the
    templates' hashes cover) are what they were, as the last build's reports key shows: made now
    from either the reports of now or those of the last build's related-reports memo.
    """
    fingerprints = Fingerprinter(fingerprint_base, template_digests(env))
    reports_key = fingerprints.reports_key(index.related_memo)
    groups, changed, front_matter_changed = cache.groups, frozenset(), True
    if reports_key == cache.reports_key:
        front_matter_changed = False
    elif earlier_related and fingerprints.reports_key(earlier_related) == cache.reports_key:
        changed = frozenset(changed_regions(index, earlier_related))
    else:
        groups = {}
    bodies = {article.source_path: article.body_digest for article in index.articles}
    return EarlierPlan(fingerprints, reports_key, groups, changed, front_matter_changed, bodies, published, cache.rendered)


class PlanRecord:
    """This build's groups, gathered page by page, as the next build will find them."""

    def __init__(self, earlier: EarlierPlan):
        self.earlier = earlier
        self.made: dict[str, tuple[list, list]] = {}

    def add(self, page, relpath: str, without: str, key: str, known: str) -> None:
        """Note a page planned anew (a Reused page's group is taken whole)."""
        group = page.group or page.url
        found = self.made.get(group)
        if found is None:
            found = self.made[group] = ([], [])
        if page.region is not None:  # only a region's group is taken whole, and its bodies checked
            found[0].extend((article.source_path, article.body_digest) for article in page.bodies)
        found[1].append((page.url, page.template, page.lastmod, page.noindex, page.source_path, relpath,
                         without, key, known))

    def groups(self) -> dict[str, Group]:
        taken = {group: self.earlier.groups[group] for group in self.earlier.taken}
        return {**taken, **{group: (tuple(bodies), tuple(rows)) for group, (bodies, rows) in self.made.items()}}
