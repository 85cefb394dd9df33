"""Markdown bodies to sanitised HTML.

Python-Markdown passes raw HTML and `javascript:` links through untouched, and its maintainers
leave sanitising to the caller, so every body goes through an nh3 allow-list afterwards.
"""

from __future__ import annotations

import markdown
import nh3

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
EXTENSIONS = ["extra", "sane_lists", "smarty"]


class MarkupError(ValueError):
    """A body that cannot be rendered (for example nested absurdly deep)."""


class MarkdownRenderer:
    """One configured converter, reset after every body so footnotes and ids never leak between reports."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")

    def render(self, text: str) -> str:
        """Convert a Markdown body to sanitised HTML."""
        try:
            html = self._md.convert(demote_headings(text))
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


def demote_headings(text: str) -> str:
    """A body's `# Heading` becomes a second-level heading: the report title is the page's only h1."""
    out, fence = [], None
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = None if fence == marker else (fence or marker)
        elif fence is None and line.startswith("# "):
            line = "#" + line
        out.append(line)
    return "\n".join(out)
