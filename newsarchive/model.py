"""The content model: plain frozen records passed between stages; no I/O here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LOCATIONS = "locations"
TOPICS = "topics"
TERM_KINDS = (LOCATIONS, TOPICS)


@dataclass(frozen=True, slots=True)
class Term:
    """A place of the gazetteer or a topic; ``slug`` is its key in the config and its URL."""

    kind: str
    slug: str
    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    region: str = ""
    country: str = ""
    coordinates: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a report comes from; ``republished`` marks a copy on another site than the outlet's own."""

    name: str
    url: str
    published: dt.date | None = None
    republished: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Correction:
    date: dt.date
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    """One archived report, validated.

    Its body, rendered to sanitised HTML, is kept apart under ``body_digest`` (the hash of that
    HTML) and loaded only by the pages that show it, so memory stays flat however large the
    archive. ``metadata_digest`` is the hash of the source up to its body, from which every other
    field comes: pages that show a report but not its body depend on that alone.
    """

    source_path: str
    slug: str
    day: dt.date
    moment: dt.datetime | None
    title: str
    summary: str
    byline: str
    locations: tuple[str, ...]
    topics: tuple[str, ...]
    sources: tuple[Source, ...]
    updated: dt.date | None
    corrections: tuple[Correction, ...]
    date_note: str
    draft: bool
    body_digest: str
    metadata_digest: str = ""

    def terms(self, kind: str) -> tuple[str, ...]:
        """The slugs this report is filed under for ``kind`` (locations or topics)."""
        return self.locations if kind == LOCATIONS else self.topics

    @property
    def published_at(self) -> dt.datetime:
        """When the report was published: its date-time, or midnight UTC of its day."""
        return self.moment or dt.datetime.combine(self.day, dt.time(), dt.timezone.utc)

    @property
    def updated_at(self) -> dt.datetime:
        """When the report last changed: never before it was published."""
        if self.updated is None:
            return self.published_at
        return max(self.published_at, dt.datetime.combine(self.updated, dt.time(), dt.timezone.utc))

    @property
    def chronological_key(self) -> tuple:
        """Oldest first; same-day reports by time given (date-only first), then slug."""
        moment = self.moment.astimezone(dt.timezone.utc).isoformat() if self.moment else ""
        return (self.day, moment, self.slug)
