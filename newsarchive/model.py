"""The content model: plain frozen records passed between stages; no I/O here."""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, fields, make_dataclass


def pickled_by_fields(cls):
    """Pickle a record as its field values: the build cache loads thousands on every build.

    Made again by calling the class with them, a record unpickles in half the time the dataclass's
    own slots state takes. A frozen record's __init__, though, sets each field through
    object.__setattr__, five times slower than assigning it; so a frozen one is made as a plain
    record with the same slots and then given its own class (the layouts are the same, so Python
    allows that): as frozen as any other, in a fifth of the time.
    """
    names = [f.name for f in fields(cls)]
    values = operator.attrgetter(*names)
    if cls.__dataclass_params__.frozen:
        # Only its __init__ is used: its instances become the record at once.
        plain = make_dataclass(f"_Plain{cls.__name__}", names, slots=True, repr=False, eq=False)
        assert plain.__slots__ == cls.__slots__, f"{cls.__name__} must be a slots dataclass"
        _PLAIN[cls] = plain
        cls.__reduce__ = lambda self: (_unpickled, (cls, *values(self)))
    else:
        cls.__reduce__ = lambda self: (cls, values(self))
    return cls


_PLAIN: dict[type, type] = {}  # each frozen record class -> its plain twin


def _unpickled(cls: type, *values):
    record = _PLAIN[cls](*values)
    record.__class__ = cls
    return record


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


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Source:
    """Where a report comes from; ``republished`` marks a copy on another site than the outlet's own."""

    name: str
    url: str
    published: dt.date | None = None
    republished: bool = False
    note: str = ""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Correction:
    """A correction to a report; a ``serious`` one is shown at the top of the report, not at its end."""

    date: dt.date
    text: str
    serious: bool = False


# What a claimed figure counts. "named" is the dead identified by name in a published list;
# "present" is the people said to have been at the site.
MEASURES = ("killed", "wounded", "killed or wounded", "missing", "named", "present")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Claim:
    """A figure someone gave: who, what it counts, how many, and on what day they said it.

    A single figure has ``low == high``; a range has both; "at least" leaves ``high`` out and
    "up to" leaves ``low`` out. ``subject`` names another event than the one the archive covers
    (Russia's claimed Kramatorsk strike, say); it is empty for the archive's own event.
    """

    claimant: str
    measure: str
    low: int | None
    high: int | None
    stated: dt.date
    note: str = ""
    subject: str = ""

    @property
    def is_single_figure(self) -> bool:
        return self.low is not None and self.low == self.high

    @property
    def order(self) -> tuple:
        """How claims are listed: by the day stated, then claimant (in any case), then what and how many."""
        return (self.stated, self.claimant.casefold(), MEASURES.index(self.measure), -1 if self.low is None else self.low,
                -1 if self.high is None else self.high, self.note, self.subject, self.claimant)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Article:
    """One archived report, validated.

    Its body, rendered to sanitised HTML, is kept apart under ``body_digest`` (the hash of that
    HTML) and loaded only by the pages that show it, so memory stays flat however large the
    archive. ``metadata_digest`` is the hash of the source's path and of the source up to its body,
    from which every other field comes: pages that show a report but not its body depend on that alone.
    ``source_path`` is relative to the project's folder (see reader.project_path), wherever the build runs.
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
    claims: tuple[Claim, ...]
    date_note: str
    draft: bool
    body_digest: str
    metadata_digest: str = ""
    aliases: tuple[str, ...] = ()  # earlier addresses of the report, each redirected to it

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
