"""Machine-readable descriptions of a report (schema.org JSON-LD), and JSON made safe inside a page.

The JSON-LD is plain data built here, never written by hand in a template, so every value passes
through ``script_json`` and no title, name or address can end the <script> element it sits in.
"""

from __future__ import annotations

import json

from markupsafe import Markup

from . import routes
from .config import SiteSettings
from .model import LOCATIONS, TOPICS, Article, Source, Term

# json.dumps escapes every non-ASCII character (U+2028 and U+2029 included, which end a line in
# older JavaScript). Of the rest, "<" could close the <script> ("</script>") or open a comment in it
# ("<!--"); ">" and "&" are escaped too, so the text is inert in any HTML or XML context.
_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def script_json(value: object) -> Markup:
    """``value`` as compact JSON, keys sorted, safe to embed in a <script> element or a .js file."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return Markup(text.translate(_SCRIPT_ESCAPES))


def news_article(article: Article, terms: dict[tuple[str, str], Term], site: SiteSettings) -> dict:
    """The schema.org NewsArticle of a report, its places with their coordinates from the gazetteer.

    ``terms`` maps (kind, slug) to the config's terms.
    """
    url = routes.absolute_url(site.base_url, routes.article_url(article))
    published = article.moment.isoformat() if article.moment else article.day.isoformat()
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": site.language,
        "datePublished": published,
        "dateModified": article.updated.isoformat() if article.updated else published,
        # A byline names the archive's editors, not necessarily one person, so it is not typed as one.
        "author": {"@type": "Organization", "name": article.byline or site.author},
        "publisher": {"@type": "Organization", "name": site.title, "url": site.base_url},
        "isAccessibleForFree": True,
    }
    if article.summary:
        data["description"] = article.summary
    if article.locations:
        data["contentLocation"] = [_place(terms[(LOCATIONS, slug)]) for slug in article.locations]
    if article.topics:
        data["keywords"] = [terms[(TOPICS, slug)].name for slug in article.topics]
    if article.sources:
        data["citation"] = [_citation(source) for source in article.sources]
    if article.corrections:
        data["correction"] = [{"@type": "CorrectionComment", "datePublished": correction.date.isoformat(),
                               "text": correction.text} for correction in article.corrections]
    return data


def _place(place: Term) -> dict:
    data = {"@type": "Place", "name": place.name}
    if place.coordinates:
        latitude, longitude = place.coordinates
        data["geo"] = {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude}
    return data


def _citation(source: Source) -> dict:
    data = {"@type": "CreativeWork", "name": source.name, "url": source.url}
    if source.published:
        data["datePublished"] = source.published.isoformat()
    return data
