"""The search index: every report's words, built with the site and read by static/search.js.

The index is an inverted index: the sorted list of normalised words, and for each word the numbers of
the reports that contain it. Reports are numbered newest first, so results come out in the order of
every listing; places and topics are numbers into their own tables. Words are normalised exactly as
``words()`` in static/search.js normalises what a reader types: lower case, accents dropped, split at
anything that is not a letter or a digit.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from html.parser import HTMLParser

from . import dates, routes
from .indexes import Listing, SiteIndex
from .model import LOCATIONS, TOPICS, Article


def words(text: str) -> list[str]:
    """The normalised words of ``text``: 'Makiïvka's toll' -> ['makiivka', 's', 'toll']."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    kept = "".join(c if unicodedata.category(c)[0] in "LN" else " " for c in decomposed
                   if not unicodedata.category(c).startswith("M"))
    return kept.split()


def body_text(body_html: str) -> str:
    """The text of a sanitised HTML body, with a space wherever a tag was."""
    parser = _TextCollector()
    parser.feed(body_html)
    parser.close()
    return " ".join(parser.pieces)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []

    def handle_data(self, data: str) -> None:
        self.pieces.append(data)


def searchable_terms(index: SiteIndex, kind: str) -> tuple[Listing, ...]:
    """The places or topics a search can be narrowed to: those with reports, in listing order."""
    return tuple(listing for listing in index.terms[kind] if listing.articles)


def build_search_index(index: SiteIndex) -> dict:
    """The index as plain data, every list in a fixed order, ready for JSON."""
    tables = {kind: searchable_terms(index, kind) for kind in (LOCATIONS, TOPICS)}
    numbers = {kind: {listing.key: n for n, listing in enumerate(listings)} for kind, listings in tables.items()}
    postings: dict[str, list[int]] = defaultdict(list)
    reports = []
    for number, article in enumerate(index.articles):
        for word in sorted(set(words(_searchable_text(article)))):
            postings[word].append(number)
        reports.append([
            article.title,
            routes.relative_url(routes.SEARCH, routes.article_url(article)),
            article.day.isoformat(),
            dates.format_day(article.day),
            [numbers[LOCATIONS][slug] for slug in article.locations],
            [numbers[TOPICS][slug] for slug in article.topics],
        ])
    # Sorted by UTF-16 code units, the order in which JavaScript compares strings, so that the
    # script's binary search for a prefix agrees with this order even beyond the BMP.
    ordered = sorted(postings, key=lambda word: word.encode("utf-16-be"))
    return {
        "words": ordered,
        "postings": [postings[word] for word in ordered],
        "reports": reports,
        "locations": [[listing.key, listing.title] for listing in tables[LOCATIONS]],
        "topics": [[listing.key, listing.title] for listing in tables[TOPICS]],
    }


def _searchable_text(article: Article) -> str:
    return " ".join((article.title, article.summary, body_text(article.body_html)))
