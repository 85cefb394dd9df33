"""Python-Markdown's own processors, without the tries that cannot match: the same HTML, a third sooner.

Markdown is most of a cold build's work, and much of Python-Markdown's time goes on tries that
fail. Its inline pass tries each of its patterns (code, escapes, links, images, autolinks, HTML,
entities, emphasis, footnotes) on every run of text, a Python call and a regular-expression search
each, and a sentence with no '[' holds no link; its table processor splits every paragraph into
cells to see whether it is a table, and one without a '|' is not. Here a pattern is skipped when
the text holds none of the characters every match of it begins with, and a paragraph without '|'
is not taken apart; everything else is Python-Markdown's own code, so the HTML is the same byte
for byte (tests compare it with Python-Markdown's on every kind of body).

A pattern is skipped only if its regular expression is one listed here, as Python-Markdown 3.11
writes it: a pattern another extension adds, or a newer Python-Markdown changes, is always tried.
"""

from __future__ import annotations

import re

from markdown import Markdown, util
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import DelimiterProcessor
from markdown.treeprocessors import InlineProcessor

# Each pattern's expression, and the characters one of which begins every match of it.
FIRST_CHARACTERS = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": "\\`",  # backtick: code
    r"\\(.)": "\\",  # escape
    r"\[\^([^\]]*)\]": "[",  # footnote
    r"(?<!\!)\[": "[",  # link, reference, short_reference
    r"\!\[": "!",  # image_link, image_reference, short_image_ref
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": "<",  # autolink
    r"<([^<> !]+@[^@<> ]+)>": "<",  # automail
    r"  \n": " ",  # linebreak
    (r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?|"""
     r"!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)"): "<",  # html
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": "&",  # entity
}


def first_characters(pattern) -> str | None:
    """The characters one of which begins every match of ``pattern``, or None if that is not known."""
    if type(pattern) is DelimiterProcessor:  # emphasis: its expression is its delimiters, escaped
        tokens = pattern.tokens
        if all(tokens) and pattern.pattern == "|".join(re.escape(token) for token in tokens):
            return "".join(token[0] for token in tokens)
        return None
    return FIRST_CHARACTERS.get(getattr(pattern, "pattern", None))


class SkippingInlineProcessor(InlineProcessor):
    """Python-Markdown's InlineProcessor, skipping the patterns that cannot match a text.

    It replaces the one method that tries the patterns on a text; Python-Markdown calls it by its
    private name, which is why it is spelt so here.
    """

    def run(self, tree, ancestors=None):
        # The patterns in the order Python-Markdown tries them, each with what a match begins with.
        self.gated = [(pattern, first_characters(pattern)) for pattern in self.inlinePatterns]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        gated, apply = self.gated, self._InlineProcessor__applyPattern
        startIndex, count = 0, len(gated)
        while patternIndex < count:
            pattern, first = gated[patternIndex]
            if first is not None:
                for character in first:
                    if character in data:
                        break
                else:  # no match can begin here: what trying it would have given
                    patternIndex, startIndex = patternIndex + 1, 0
                    continue
            data, matched, startIndex = apply(pattern, data, patternIndex, startIndex)
            if not matched:
                patternIndex += 1
        return data


class QuickTableProcessor(TableProcessor):
    """The tables extension's processor, answering at once for a paragraph without a '|'."""

    def test(self, parent, block: str) -> bool:
        return "|" in block and super().test(parent, block)


def speed_up(md: Markdown) -> None:
    """Put the quicker processors in place of Python-Markdown's, where it has the ones they replace."""
    if all(hasattr(InlineProcessor, name) for name in ("_InlineProcessor__handleInline", "_InlineProcessor__applyPattern")):
        md.treeprocessors.register(SkippingInlineProcessor(md), "inline", 20)  # Python-Markdown's priorities
    table = md.parser.blockprocessors["table"] if "table" in md.parser.blockprocessors else None
    if type(table) is TableProcessor:
        md.parser.blockprocessors.register(QuickTableProcessor(md.parser, table.config), "table", 75)
