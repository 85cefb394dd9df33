"""Markdown bodies to sanitised HTML.

Python-Markdown passes raw HTML and `javascript:` links through untouched, and its maintainers
leave sanitising to the caller, so every body goes through an nh3 allow-list afterwards.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

from . import quickmarkdown

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


class ArchiveMarkdown(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_DemoteTopHeadings(md), "demote_top_headings", 5)
        quickmarkdown.speed_up(md)


# Addresses in a and img tags, quoted or not. A scan, not a parser: it only serves to tell the
# editor about an address the sanitiser will drop, and the sanitiser stays the safety net.
_ADDRESS = re.compile(r"""<(a|img)\b(?:[^>"']|"[^"]*"|'[^']*')*?\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def forbidden_link(html_text: str) -> tuple[str, str, str] | None:
    """The first (tag, address, tag as written) whose address is not allowed.

    The sanitiser would drop such an address without a word, so the editor is told instead.
    """
    for match in _ADDRESS.finditer(html_text):
        tag, target = match[1].lower(), html.unescape(next(g for g in match.groups()[1:] if g is not None))
        if target and not is_allowed_url(target, local_only=tag == "img"):
            return tag, target, match[0]
    return None


def is_allowed_url(url: str, local_only: bool = False) -> bool:
    """A relative address, or (unless ``local_only``) http(s) or mailto, judged as a browser reads it."""
    # Browsers decode entities and ignore tabs and newlines inside a scheme ("java&#9;script:").
    decoded = "".join(c for c in html.unescape(url) if c > " ").lower()
    relative = not urlsplit(decoded).scheme and not decoded.startswith(("//", "\\\\"))
    return relative or (not local_only and urlsplit(decoded).scheme in URL_SCHEMES)


def extensions() -> list[Extension]:
    """What reports use, and no more: every extension costs time on every report, and Markdown is
    most of a build's work. Not "smarty" (curly quotes doubled it), not "attr_list" or "md_in_html".

    Fresh instances (footnotes keep state), given as objects: named by strings, Python-Markdown
    looks them up among the entry points of every installed package, 30 ms of a one-report rebuild.
    """
    return [TableExtension(), FootnoteExtension(), FencedCodeExtension(), SaneListExtension(), ArchiveMarkdown()]


# Python-Markdown's time grows with the square of nesting depth and of brackets in one paragraph;
# no real report comes near these limits, and a body that does could stall the build for hours.
MAX_INDENT = 200
MAX_QUOTE_DEPTH = 32
MAX_BRACKETS_PER_PARAGRAPH = 1000


# Leading blanks that could reach MAX_INDENT columns (a tab is at most four).
_DEEP_INDENT = re.compile(r"^[ \t]{%d,}" % (MAX_INDENT // 4), re.MULTILINE)


class MarkupError(ValueError):
    """A body that cannot be rendered; ``line`` counts from the body's first line (1)."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.line = line


def check_body_limits(text: str) -> None:
    """Refuse bodies whose structure would make rendering take unbounded time."""
    if (text.count("[") <= MAX_BRACKETS_PER_PARAGRAPH and text.count(">") <= MAX_QUOTE_DEPTH
            and not _DEEP_INDENT.search(text)):
        return  # no line can break a limit: most bodies, checked without a look at each line
    brackets, paragraph_start = 0, 1
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            brackets, paragraph_start = 0, number + 1
            continue
        stripped = line.expandtabs(4).lstrip(" ")
        if len(line.expandtabs(4)) - len(stripped) > MAX_INDENT:
            raise MarkupError(f"the body is indented more than {MAX_INDENT} spaces (lists nested too deeply)", number)
        quote_prefix = stripped[: len(stripped) - len(stripped.lstrip("> "))]
        if quote_prefix.count(">") > MAX_QUOTE_DEPTH:
            raise MarkupError(f"the body nests quotes more than {MAX_QUOTE_DEPTH} levels deep", number)
        brackets += line.count("[")
        if brackets > MAX_BRACKETS_PER_PARAGRAPH:
            raise MarkupError(f"the paragraph has more than {MAX_BRACKETS_PER_PARAGRAPH} '[' brackets", paragraph_start)


class MarkdownRenderer:
    """One configured converter, reset after every body so footnotes and ids never leak between reports."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=extensions(), output_format="html")

    def render(self, text: str) -> "RenderedBody":
        """Convert a Markdown body to sanitised HTML and its plain text."""
        check_body_limits(text)
        try:
            converted = self._md.convert(text)
        except RecursionError:
            raise MarkupError("the body is nested too deeply (quotes or lists inside each other)") from None
        finally:
            self._md.reset()
        forbidden = forbidden_link(converted)
        if forbidden:
            tag, target, written = forbidden
            rule = ("images must be files of the site (a relative address): pages load nothing from other hosts"
                    if tag == "img" else "use an http, https, mailto or relative address")
            raise MarkupError(f"the {'image' if tag == 'img' else 'link'} {target!r} is not allowed; {rule}",
                              line_containing(text, target) or line_containing(text, written) or 1)
        clean = sanitise_html(converted)
        return RenderedBody(clean, html_text(clean))


@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str
    text: str


def html_text(clean_html: str) -> str:
    """The text of sanitised HTML, a space wherever a tag was (the sanitiser escapes '>' in attributes)."""
    return html.unescape(_TAG.sub(" ", clean_html))


def line_containing(text: str, needle: str) -> int | None:
    """The 1-based line of ``text`` where ``needle`` first appears."""
    found = text.find(needle)
    return text.count("\n", 0, found) + 1 if found >= 0 else None


# Configured once: nh3.clean() builds its allow-lists anew on every call, a third of its time.
_SANITISER = nh3.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                         link_rel="noopener noreferrer", strip_comments=True)


def sanitise_html(markup: str) -> str:
    """Keep only allow-listed tags, attributes and link schemes."""
    return _SANITISER.clean(markup)
