"""Markdown bodies become sanitised HTML: nothing executable survives, ordinary report markup does."""

import html5lib
import pytest

from newsarchive.markup import MarkdownRenderer


@pytest.fixture
def render():
    renderer = MarkdownRenderer()
    return lambda text: renderer.render(text).html


def parse(fragment: str):
    return html5lib.parseFragment(fragment, namespaceHTMLElements=False)


def all_attributes(fragment: str) -> list[tuple[str, str, str]]:
    return [(el.tag, name, value) for el in parse(fragment).iter() for name, value in el.attrib.items()]


@pytest.mark.parametrize("body", [
    "Before <script>alert(1)</script> after.",
    "<SCRIPT src=https://evil.example/x.js></SCRIPT>",
    '<img src="p.png" onerror="alert(1)">',
    '<a href="https://e.example/" onclick="steal()">link</a>',
    "<svg onload=alert(1)><circle/></svg>",
    "<iframe src='https://evil.example/'></iframe>",
    "<style>body { display: none }</style>Text.",
    '<form action="https://evil.example/"><input name="q"></form>',
    '<p style="background:url(javascript:alert(1))">x</p>',
])
def test_nothing_executable_survives(render, body):
    html = render(body)
    tree = parse(html)
    tags = {el.tag for el in tree.iter()}
    assert not tags & {"script", "svg", "iframe", "style", "form", "input", "object", "embed"}
    for _, name, value in all_attributes(html):
        assert not name.startswith("on")
        assert name != "style"
        assert "javascript" not in value.lower()


@pytest.mark.parametrize("body, target", [
    ("[click](javascript:alert(1))", "javascript:alert(1)"),
    ("[click](data:text/html;base64,PHNjcmlwdD4=)", "data:text/html;base64,PHNjcmlwdD4="),
    ("[click](vbscript:msgbox)", "vbscript:msgbox"),
    ('<a href="JaVaScRiPt:alert(1)">click</a>', "JaVaScRiPt:alert(1)"),
    ('<a href="  javascript:alert(1)">click</a>', "  javascript:alert(1)"),
])
def test_dangerous_schemes_in_links_are_errors_at_their_line(render, body, target):
    # Markdown or raw HTML alike: the sanitiser would drop the link silently, so the editor is told.
    from newsarchive.markup import MarkupError
    with pytest.raises(MarkupError) as info:
        render(f"Intro.\n\n{body}\n")
    assert (info.value.line, str(info.value)) == (
        3, f"the link {target!r} is not allowed; use an http, https, mailto or relative address")


def test_safe_links_survive(render):
    html = render("[site](https://example.org/a?b=1&c=2), [mail](mailto:desk@example.org), [rel](../other/)")
    hrefs = [a.attrib["href"] for a in parse(html).iter("a")]
    assert hrefs == ["https://example.org/a?b=1&c=2", "mailto:desk@example.org", "../other/"]


def test_tables_survive(render):
    html = render("| City | Dead |\n|---|---:|\n| Samara | 63 |\n")
    tree = parse(html)
    assert [th.text for th in tree.iter("th")] == ["City", "Dead"]
    assert [td.text for td in tree.iter("td")] == ["Samara", "63"]


def test_images_survive_with_alt_text(render):
    [img] = parse(render('![The school](../../images/school.jpg "Ruins")')).iter("img")
    assert img.attrib == {"src": "../../images/school.jpg", "alt": "The school", "title": "Ruins"}


def test_blockquotes_and_lists_survive(render):
    tree = parse(render("> Quoted\n> words.\n\n- one\n- two\n\n3. three\n4. four\n"))
    assert [el.tag for el in tree.iter() if el.tag in ("blockquote", "ul", "ol", "li")] == [
        "blockquote", "ul", "li", "li", "ol", "li", "li"]
    assert next(tree.iter("ol")).attrib.get("start") == "3"


def test_punctuation_is_kept_as_written(render):
    # No typographic rewriting ("smarty" doubled the time Markdown takes): quotes stay as typed.
    assert render('He said "no" -- twice...') == '<p>He said "no" -- twice...</p>'


def test_footnotes_of_one_article_never_appear_in_the_next(render):
    first = render("The toll was 63.[^moscow]\n\n[^moscow]: Defence Ministry, 2 January.\n")
    second = render("A report without notes.\n")
    third = render("Another note.[^a]\n\n[^a]: Only this one.\n")
    assert "Defence Ministry" in first
    assert second == "<p>A report without notes.</p>"
    assert "Defence Ministry" not in third
    assert third.count('class="footnote-ref"') == 1


def test_footnote_links_point_inside_the_page(render):
    html = render("Text.[^1]\n\n[^1]: Note.\n")
    ids = {el.attrib["id"] for el in parse(html).iter() if "id" in el.attrib}
    targets = {a.attrib["href"][1:] for a in parse(html).iter("a") if a.attrib.get("href", "").startswith("#")}
    assert targets and targets <= ids


def test_atx_level_one_heading_becomes_h2(render):
    assert render("# Background\n\nText.\n") == "<h2>Background</h2>\n<p>Text.</p>"


def test_level_two_headings_are_kept(render):
    assert render("## Reactions\n").startswith("<h2>Reactions</h2>")


@pytest.mark.parametrize("body", [
    "Background\n==========\n\nText.\n",  # Setext style level one
    "> # Background\n",  # inside a quotation
])
def test_every_level_one_heading_becomes_h2(render, body):
    # The report title is the page's only h1; a body's level-one heading must still be a heading.
    tree = parse(render(body))
    assert [el.text for el in tree.iter("h2")] == ["Background"]
    assert not list(tree.iter("h1"))


def test_hash_lines_in_code_blocks_are_left_alone(render):
    html = render("```\n# a shell comment\n```\n\n~~~\n# another\n~~~\n")
    assert "# a shell comment" in html and "# another" in html
    assert "<h2>" not in html


def test_html_comments_are_dropped(render):
    assert render("Visible <!-- editor's private note --> text.") == "<p>Visible  text.</p>"


def test_deep_nesting_is_an_error_not_a_crash(render):
    from newsarchive.markup import MarkupError
    with pytest.raises(MarkupError) as info:
        render(">" * 5000 + " deep\n")
    assert str(info.value) == "the body nests quotes more than 32 levels deep"


@pytest.mark.parametrize("line, refused", [
    ("\t" * 50 + "- item", False),  # 200 columns: the limit
    ("\t" * 51 + "- item", True),
    ("\t" * 49 + " " * 5 + "- item", True),  # 201 columns
    (" " * 200 + "- item", False),
    (" " * 201 + "- item", True),
    (">" * 32 + " quoted", False),
    ("> " * 33 + "quoted", True),
    ("[" * 1000, False),
    ("[" * 1001, True),
])
def test_body_limits_are_exact_at_their_edges(line, refused):
    from newsarchive.markup import MarkupError, check_body_limits
    body = f"First paragraph.\n\n{line}\n"
    if refused:
        with pytest.raises(MarkupError) as error:
            check_body_limits(body)
        assert error.value.line == 3
    else:
        check_body_limits(body)
