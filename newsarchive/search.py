"""The search index: every report's words, built with the site and read by static/search.js.

Each year's reports have indexes of their own (search/YYYY-N.js, up to 250 reports each), read newest
first. An index is an inverted index: the sorted list of normalised words, and for each word the
numbers of the reports that contain it. Reports are numbered newest first, so results come out in
the order of every listing; places and topics are numbers into the index's own tables. Words are normalised exactly as
``words()`` in static/search.js normalises what a reader types: lower case, accents dropped, split at
anything that is not a letter or a digit.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from . import dates, routes
from .indexes import Listing
from .model import LOCATIONS, TOPICS, Article, Term


class _MarkDropper(dict):
    """A str.translate table that deletes combining marks, filled in as characters are met."""

    def __missing__(self, code: int):
        self[code] = None if unicodedata.category(chr(code)).startswith("M") else code
        return self[code]


_DROP_MARKS = _MarkDropper()
_WORD = re.compile(r"[^\W_]+")  # letters and digits: \w without the underscore


def words(text: str) -> list[str]:
    """The normalised words of ``text``: 'Makiïvka's toll' -> ['makiivka', 's', 'toll']."""
    text = text.lower()
    if text.isascii():  # most texts: the same words, three times sooner
        return text.encode("ascii").translate(_ASCII_SPACING).decode("ascii").split()
    return _WORD.findall(_NON_ASCII.sub(_unfold, text))


# Every ASCII character that is not a letter or digit, made a space.
_ASCII_SPACING = bytes(code if chr(code).isalnum() else ord(" ") for code in range(256))


# ASCII needs no unfolding, and reports are nearly all ASCII. Unfolding runs of other characters
# alone gives what unfolding the whole text would: decomposing one character, or reordering the
# marks after it, never reaches across an ASCII character.
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _unfold(run: re.Match) -> str:
    return unicodedata.normalize("NFKD", run[0]).translate(_DROP_MARKS)


def searchable_terms(listings: tuple[Listing, ...]) -> tuple[Listing, ...]:
    """The places or topics a search can be narrowed to: those with reports, in listing order."""
    return tuple(listing for listing in listings if listing.articles)


def build_search_index(articles: tuple[Article, ...], term_by_slug: dict[tuple[str, str], Term],
                       words_by_source: dict[str, str]) -> dict:
    """The index of ``articles`` (newest first) as plain data, every list in a fixed order, ready for JSON.

    The site has one such index per year, so that a new report changes one year's file, not all
    of search. Each is whole in itself: its place and topic tables hold the terms its reports are
    filed under, ordered as the site lists them. ``words_by_source`` holds each report's distinct
    words, space-separated (see reader.searchable_words).
    """
    tables = {kind: sorted({term_by_slug[(kind, slug)] for article in articles for slug in article.terms(kind)},
                           key=lambda term: (term.name.casefold(), term.slug))
              for kind in (LOCATIONS, TOPICS)}
    numbers = {kind: {term.slug: n for n, term in enumerate(terms)} for kind, terms in tables.items()}
    postings: dict[str, list[int]] = defaultdict(list)
    reports = []
    for number, article in enumerate(articles):
        for word in words_by_source[article.source_path].split():
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
        "locations": [[term.slug, term.name] for term in tables[LOCATIONS]],
        "topics": [[term.slug, term.name] for term in tables[TOPICS]],
    }
