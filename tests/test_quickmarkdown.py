"""The quicker Markdown processors give exactly Python-Markdown's HTML, and are really in use."""

import re
from pathlib import Path

import frontmatter
import markdown
import pytest
from hypothesis import given, settings, strategies as st
from markdown.extensions import Extension

from newsarchive import quickmarkdown
from newsarchive.markup import ArchiveMarkdown, _DemoteTopHeadings, extensions

ARTICLES = sorted((Path(__file__).resolve().parent.parent / "articles").glob("*/*.md"))


class _StockArchiveMarkdown(Extension):
    """ArchiveMarkdown without the quicker processors: Python-Markdown's own."""

    def extendMarkdown(self, md):
        md.treeprocessors.register(_DemoteTopHeadings(md), "demote_top_headings", 5)


def _converter(quick: bool):
    others = [e for e in extensions() if not isinstance(e, ArchiveMarkdown)]
    md = markdown.Markdown(extensions=others + [ArchiveMarkdown() if quick else _StockArchiveMarkdown()],
                           output_format="html")

    def convert(text: str) -> str:
        try:
            return md.convert(text)
        finally:
            md.reset()
    return convert


QUICK, STOCK = _converter(quick=True), _converter(quick=False)

# Every inline pattern and block kind, met, nested, escaped and broken.
BODIES = [
    "Plain sentence with nothing special in it.",
    "Some *em*, **strong**, ***both***, _em_, __strong__, *un*closed and a lone * star _ here.",
    "snake_case_word and 2*3*4 and **bold _nested em_ bold** and *a **b** c*.",
    "Code `x[0] < y & z` and ``double `tick` code`` and an unclosed ` tick and \\`escaped\\`.",
    "Escapes: \\*not em\\*, \\[not a link\\], \\\\ backslash, \\<not html>, \\& amp.",
    "[link](https://example.org/a_b) and [ref][r] and [short] and ![img](p.png \"t\") and ![ref img][r].\n\n"
    "[r]: https://example.org/ref\n[short]: https://example.org/short",
    "[unclosed link(https://x.org and [empty]() and [nested [brackets]](https://x.org/n).",
    "<https://example.org/auto> and <mail@example.org> and <notalink> and < spaced >.",
    "Inline <b>html</b> and <span title=\"a > b\">attr</span> and <!-- comment --> and <?pi?> and <![CDATA[x]]>.",
    "Entities: &amp; &#169; &#x2014; &nosuch; & alone; AT&T.",
    "Line one  \nline two after a hard break\\\nline three.",
    "A footnote[^1] and another[^note] and a missing one[^none].\n\n[^1]: The first.\n[^note]: The *second*, with [a link](https://x.org).",
    "| a | b |\n|---|:-:|\n| 1 | `|` |\n| *x* | [y](https://y.org) |",
    "a | b\n--|--\n1 | 2",
    "| lone |\n|------|\n| cell |",
    "Not a table | just a pipe\nsecond line",
    "# Title\n\nText\n\n## Sub\n\nSetext\n======\n\n---\n\n> quote with *em*\n> > nested [l](https://l.org)",
    "1. one\n2. two *em*\n   - nested `code`\n   - more\n\n* star\n* list\n\n10. ten\n11. eleven",
    "```\nfenced *not em* [not link]\n```\n\n    indented <code> & stuff\n\nafter",
    "Mixed: **[bold link](https://x.org)** and *`code in em`* and [`code in link`](https://c.org).",
    "Trailing backslash \\",
    "Heading ##\n## Closed ##\n####### seven\n#hash-tag in text and C# and issue #5",
    "Setext one\n===\nSetext two\n---\ntext\n- - -\n* * *\n___\n--\n==",
    "A heading underlined with dashes\n---",
    "A heading underlined with equals\n=",
    "Rules alone in their paragraphs\n\n***\n\n___\n\n* * *\n\n- - -",
    "> quote\nlazy line\n\n> > deep\n>no space\n\n    > code, not a quote",
    "Text[^a] and more.\n\n[^a]: A note\n    continued\n[^b]: unused\n\n[ref]: https://r.example \"T\"\n[Ref] and [ref][] and [x]: not a def",
    "- item\n\n    para in item\n\n    # heading in item\n    > quote in item\n\n1. one\n\n    | a | b |\n    |---|---|\n    | 1 | 2 |",
    "Tabs\tin text\r\nand carriage returns\rand blanks at ends   \n   \n\tindented after a blank line of spaces",
    "~~~\ntilde *fence*\n~~~\n\n````python\nlonger `fence`\n````\n\n``not a fence`` and ~~ no",
    "Control characters \x02 and \x03 in text, and 1\x0242\x03 as Python-Markdown marks an escape",
    "No tag and no entity: a plain paragraph.\n\n> a quote\n\n- a list",
    "",
]


@pytest.mark.parametrize("body", BODIES)
def test_same_html_as_python_markdown(body):
    assert QUICK(body) == STOCK(body)


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_same_html_for_every_report_of_the_archive(path):
    body = frontmatter.loads(path.read_text("utf-8")).content
    assert QUICK(body) == STOCK(body)


# Text drawn from the characters Markdown gives meaning to, so every pattern is tried and half-met.
MARKDOWN_TEXT = st.lists(st.sampled_from([*"ab *_`\\[]()!<>&#;:/|-=^\n.1@\"'~\t\r\x02\x03", "  \n", "http://", "[^1]", "&amp;",
                                          "```", "~~~", " \n", "\r\n",
                                          "\n\n", "    ", "1. ", "- ", "> ", "# ", "---", "===", "***", "_ _ _",
                                          "[x]: http://a", "[^1]: note", "| a |", "|---|"]),
                         max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(MARKDOWN_TEXT)
def test_same_html_for_any_text(body):
    assert QUICK(body) == STOCK(body)


def test_every_pattern_of_our_markdown_is_skipped_when_it_cannot_match():
    """If a Python-Markdown upgrade changes a pattern, it is tried always (still right, but slower): say so."""
    md = markdown.Markdown(extensions=extensions())
    assert isinstance(md.treeprocessors["inline"], quickmarkdown.SkippingInlineProcessor)
    assert isinstance(md.parser, quickmarkdown.QuickBlockParser)
    assert {name: quickmarkdown.block_characters(md.parser.blockprocessors[name]) for name in
            ("table", "hashheader", "setextheader", "hr", "quote", "footnote", "reference")} == {
        "table": "|", "hashheader": "#", "setextheader": "=-", "hr": "-_*", "quote": ">", "footnote": "[",
        "reference": "["}
    assert {name: quickmarkdown.first_characters(md.inlinePatterns[name]) for name in
            ("backtick", "escape", "footnote", "reference", "link", "image_link", "autolink", "automail",
             "linebreak", "html", "entity", "em_strong")} == {
        "backtick": "\\`", "escape": "\\", "footnote": "[", "reference": "[", "link": "[", "image_link": "!",
        "autolink": "<", "automail": "<", "linebreak": ("  \n",), "html": "<", "entity": "&", "em_strong": "*_"}


def test_every_whole_text_pass_of_our_markdown_is_skipped_when_it_would_change_nothing():
    md = markdown.Markdown(extensions=extensions())
    assert {name: type(md.preprocessors[name]) for name in ("normalize_whitespace", "html_block", "fenced_code_block")} == {
        "normalize_whitespace": quickmarkdown.QuickNormalizeWhitespace, "html_block": quickmarkdown.QuickHtmlBlockPreprocessor,
        "fenced_code_block": quickmarkdown.QuickFencedBlockPreprocessor}
    assert type(md.treeprocessors["unescape"]) is quickmarkdown.QuickUnescapeTreeprocessor


def test_a_pass_whose_expression_we_do_not_know_is_always_run():
    from markdown.extensions.fenced_code import FencedBlockPreprocessor
    from markdown.treeprocessors import UnescapeTreeprocessor

    fences = FencedBlockPreprocessor(markdown.Markdown(), {})
    assert quickmarkdown.quick_pass(fences) is quickmarkdown.QuickFencedBlockPreprocessor
    fences.FENCED_BLOCK_RE = re.compile(r"(?P<fence>^:{3,})\n(?P<code>.*?)(?<=\n)(?P=fence)$", re.MULTILINE | re.DOTALL)
    assert quickmarkdown.quick_pass(fences) is None
    changed = UnescapeTreeprocessor(markdown.Markdown())
    changed.RE = re.compile(r"\\(\d+);")
    assert quickmarkdown.quick_pass(changed) is None


def test_a_pattern_or_block_processor_we_do_not_know_is_always_tried():
    from markdown.blockprocessors import HashHeaderProcessor
    from markdown.inlinepatterns import SimpleTagInlineProcessor
    assert quickmarkdown.first_characters(SimpleTagInlineProcessor(r"(~~)(.+?)~~", "del")) is None

    class OtherHeadings(HashHeaderProcessor):
        pass
    assert quickmarkdown.block_characters(OtherHeadings(markdown.Markdown().parser)) is None
