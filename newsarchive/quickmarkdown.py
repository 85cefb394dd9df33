"""Python-Markdown's own processors, without the tries that cannot match: the same HTML, twice as soon.

Markdown is most of a cold build's work, and much of Python-Markdown's time goes on tries that
fail. Its inline pass tries each of its patterns (code, escapes, links, images, autolinks, HTML,
entities, emphasis, footnotes) on every run of text, a Python call and a regular-expression search
each, and a sentence with no '[' holds no link; its block parser asks each of its processors
(headings, rules, quotes, tables, footnotes, references) about every paragraph, and one without a
'#' is no heading. Here a pattern or block processor is skipped when the text holds none of the
characters that every match of it needs. Likewise the passes over the whole text before parsing
(raw HTML, fenced code, whitespace) and the one putting back escaped characters after it are
skipped when the text holds nothing they would change. Everything else is Python-Markdown's own
code, so the HTML is the same byte for byte (tests compare it with Python-Markdown's on every kind
of body).

A pattern or processor is skipped only if its class (and regular expression) are those listed here,
as Python-Markdown 3.11 writes them: one another extension adds, or a newer Python-Markdown
changes, is always tried.
"""

from __future__ import annotations

import re

from markdown import Markdown, util
from markdown.blockparser import BlockParser
from markdown.blockprocessors import (BlockQuoteProcessor, HashHeaderProcessor, HRProcessor, ReferenceProcessor,
                                      SetextHeaderProcessor)
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.extensions.footnotes import FootnoteBlockProcessor
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import DelimiterProcessor
from markdown.preprocessors import HtmlBlockPreprocessor, NormalizeWhitespace
from markdown.treeprocessors import InlineProcessor, UnescapeTreeprocessor

# Each pattern's expression, and the characters one of which begins every match of it (or, for a
# line break, the text every match is).
FIRST_CHARACTERS = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": "\\`",  # backtick: code
    r"\\(.)": "\\",  # escape
    r"\[\^([^\]]*)\]": "[",  # footnote
    r"(?<!\!)\[": "[",  # link, reference, short_reference
    r"\!\[": "!",  # image_link, image_reference, short_image_ref
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": "<",  # autolink
    r"<([^<> !]+@[^@<> ]+)>": "<",  # automail
    r"  \n": ("  \n",),  # linebreak
    (r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?|"""
     r"!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)"): "<",  # html
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": "&",  # entity
}


def first_characters(pattern) -> str | tuple[str, ...] | None:
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


# Block processors by class and expression, and the characters one of which a block needs for it
# to take the block (each takes nothing, and changes nothing, when its expression finds no match).
BLOCK_CHARACTERS = {
    (HashHeaderProcessor, r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)"): "#",
    (SetextHeaderProcessor, r"^.*?\n(?:=+|-+)[ ]*(\n|$)"): "=-",
    (HRProcessor, r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=atomicgroup)[ ]*$"): "-_*",
    (BlockQuoteProcessor, r"(^|\n)[ ]{0,3}>[ ]?(.*)"): ">",
    (FootnoteBlockProcessor, r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$"): "[",
    (ReferenceProcessor, r"^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?"
                         r'((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$'): "[",
    (TableProcessor, None): "|",  # a table's first line has a '|' (see TableProcessor.test)
}


def block_characters(processor) -> str | None:
    """The characters one of which a block needs for ``processor`` to take it, or None if not known."""
    expression = getattr(processor, "SEARCH_RE", None) or getattr(processor, "RE", None)
    return BLOCK_CHARACTERS.get((type(processor), getattr(expression, "pattern", None)))


class QuickBlockParser(BlockParser):
    """Python-Markdown's BlockParser, not asking a processor about a block it cannot take."""

    def parseDocument(self, lines):
        # The processors in the order Python-Markdown asks them, each with what a block needs for it.
        self.gated = [(processor, block_characters(processor)) for processor in self.blockprocessors]
        return super().parseDocument(lines)

    def parseBlocks(self, parent, blocks: list[str]) -> None:
        gated = getattr(self, "gated", None)
        if gated is None:  # called before any document: ask every processor, as Python-Markdown does
            return super().parseBlocks(parent, blocks)
        while blocks:
            for processor, characters in gated:
                if characters is not None:
                    block = blocks[0]
                    for character in characters:
                        if character in block:
                            break
                    else:  # what asking it would have given
                        continue
                if processor.test(parent, blocks[0]):
                    if processor.run(parent, blocks) is not False:
                        break


class QuickNormalizeWhitespace(NormalizeWhitespace):
    """Python-Markdown's first pass, which only adds two blank lines to a text with no control
    characters, carriage returns, tabs or blanks at a line's end."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines) + "\n\n"
        for changed in (util.STX, util.ETX, "\r", "\t", " \n"):
            if changed in text:
                return super().run(lines)
        return text.split("\n")


class _RunOnlyOnWhatItChanges:
    """A whole-text pass run only on a text holding one of ``needs``: any other it leaves as it is."""

    needs: tuple[str, ...] = ()

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        for needed in self.needs:
            if needed in text:
                return super().run(lines)
        return lines


class QuickHtmlBlockPreprocessor(_RunOnlyOnWhatItChanges, HtmlBlockPreprocessor):
    """Python-Markdown's raw HTML pass: it changes nothing without a tag or an entity."""

    needs = ("<", "&")


class QuickFencedBlockPreprocessor(_RunOnlyOnWhatItChanges, FencedBlockPreprocessor):
    """Python-Markdown's fenced code pass: it changes nothing without a fence."""

    needs = ("```", "~~~")


class QuickUnescapeTreeprocessor(UnescapeTreeprocessor):
    """Python-Markdown's last tree pass, which puts back escaped characters: only where some are."""

    def unescape(self, text: str) -> str:
        return super().unescape(text) if util.STX in text else text


# Whole-text passes by class: the quicker twin that takes each one's place and, for a pass with an
# expression, how that must begin for the twin's test to hold (every match then needs a fence, or
# the mark of an escaped character).
QUICK_PASSES = {
    NormalizeWhitespace: (QuickNormalizeWhitespace, None),
    HtmlBlockPreprocessor: (QuickHtmlBlockPreprocessor, None),
    FencedBlockPreprocessor: (QuickFencedBlockPreprocessor, r"(?P<fence>^(?:~{3,}|`{3,}))"),
    UnescapeTreeprocessor: (QuickUnescapeTreeprocessor, util.STX),
}


def quick_pass(processor) -> type | None:
    """The quicker twin of a whole-text pass, or None if it has none or its expression is not as known."""
    twin, begins = QUICK_PASSES.get(type(processor), (None, None))
    if begins is not None:
        expression = getattr(processor, "FENCED_BLOCK_RE", None) or getattr(processor, "RE", None)
        if not getattr(expression, "pattern", "").lstrip().startswith(begins):
            return None
    return twin


def speed_up(md: Markdown) -> None:
    """Put the quicker processors in place of Python-Markdown's, where it has the ones they replace."""
    if all(hasattr(InlineProcessor, name) for name in ("_InlineProcessor__handleInline", "_InlineProcessor__applyPattern")):
        md.treeprocessors.register(SkippingInlineProcessor(md), "inline", 20)  # Python-Markdown's priority
    # The processors hold the parser they were made with, so its class is changed, not the parser.
    if type(md.parser) is BlockParser:
        md.parser.__class__ = QuickBlockParser
    for processor in [*md.preprocessors, *md.treeprocessors]:
        quick = quick_pass(processor)
        if quick is not None:
            processor.__class__ = quick
