"""Markdown bodies to sanitised HTML.

Python-Markdown passes raw HTML and `javascript:` links through untouched, and its maintainers
leave sanitising to the caller, so every body goes through an nh3 allow-list afterwards.
"""

from __future__ import annotations

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "id"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "div": {"class"},
    "sup": {"id"},
    "li": {"id"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "q": {"cite"}, "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}


class _DemoteTopHeadings(Treeprocessor):
    """A body's level-one heading (`#`, `===`, in a quote or not) becomes h2: the report title is the page's h1."""

    def run(self, root):
        for element in root.iter("h1"):
            element.tag = "h2"


class DemoteHeadings(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_DemoteTopHeadings(md), "demote_top_headings", 5)


EXTENSIONS = ["extra", "sane_lists", "smarty", DemoteHeadings()]


class MarkupError(ValueError):
    """A body that cannot be rendered (for example nested absurdly deep)."""


class MarkdownRenderer:
    """One configured converter, reset after every body so footnotes and ids never leak between reports."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")

    def render(self, text: str) -> str:
        """Convert a Markdown body to sanitised HTML."""
        try:
            html = self._md.convert(text)
        except RecursionError:
            raise MarkupError("the body is nested too deeply (quotes or lists inside each other)") from None
        finally:
            self._md.reset()
        return sanitise_html(html)


def sanitise_html(html: str) -> str:
    """Keep only allow-listed tags, attributes and link schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
