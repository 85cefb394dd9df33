"""The search index: words normalised as the browser normalises a query, in a fixed, compact form."""


from hypothesis import given, strategies as st

from newsarchive import indexes, search
from helpers import md, read_project
from newsarchive.markup import html_text


def test_words_ignore_case_accents_and_punctuation():
    assert search.words("Makiïvka's DEATH-toll: 89!") == ["makiivka", "s", "death", "toll", "89"]
    assert search.words("Макіївка Йошкар-Ола") == ["макіівка", "иошкар", "ола"]  # Cyrillic ї and й lose their marks too
    assert search.words("Café crème, naïve; ﬁle") == ["cafe", "creme", "naive", "file"]  # compatibility forms unfold
    assert search.words("  \n—  ") == []


@given(st.text(max_size=30))
def test_words_are_stable_under_renormalising(text):
    # A word of the index, typed back as a query, is found as itself.
    for word in search.words(text):
        assert search.words(word) == [word]


def test_body_text_keeps_words_apart_and_decodes_entities():
    html = "<p>First&nbsp;line</p><table><tr><td>cell</td><td>next</td></tr></table><p>A &amp; B &lt;tag&gt;</p>"
    assert search.words(html_text(html)) == ["first", "line", "cell", "next", "a", "b", "tag"]


def search_index_of(make_project, articles: dict) -> dict:
    """The search index of a project holding ``articles``, read as a build reads them."""
    config, _, reading = read_project(make_project(articles))
    site = indexes.index_site(reading.articles, config)
    return search.build_search_index(site.articles, site.terms, reading.words)


def test_index_numbers_reports_newest_first_and_lists_their_words(make_project):
    index = search_index_of(make_project, {
        "articles/2023/2023-01-01-old.md": md("title: Strike on the school\ndate: 2023-01-01\nlocations: [makiivka]\n",
                                               "Rockets at *midnight*.\n"),
        "articles/2023/2023-01-03-new.md": md("title: Rally in Samara\ndate: 2023-01-03\nsummary: Mourners gathered.\n"
                                               "locations: [samara, makiivka]\ntopics: [commemoration]\n", "In Samara.\n"),
    })
    assert index["reports"] == [
        ["Rally in Samara", "../2023/01/03/new/", "2023-01-03", "3 January 2023", [1, 0], [0]],
        ["Strike on the school", "../2023/01/01/old/", "2023-01-01", "1 January 2023", [0], []],
    ]
    # Only places and topics that have reports can narrow a search; Tolyatti and two topics have none.
    assert index["locations"] == [["makiivka", "Makiivka"], ["samara", "Samara"]]
    assert index["topics"] == [["commemoration", "Commemoration"]]
    found = dict(zip(index["words"], index["postings"]))
    assert found == {"at": [1], "gathered": [0], "in": [0], "midnight": [1], "mourners": [0], "on": [1],
                     "rally": [0], "rockets": [1], "samara": [0], "school": [1], "strike": [1], "the": [1]}
    assert index["words"] == sorted(index["words"])


def test_words_are_sorted_as_javascript_compares_strings(make_project):
    # JavaScript compares UTF-16 code units: U+20000 (a surrogate pair, D840 DC00) sorts after U+FA0E
    # by code point but before it in UTF-16. The script's binary search needs the browser's order.
    astral, bmp_high = "\U00020000", "\ufa0e"  # two CJK ideographs that NFKD leaves as they are
    index = search_index_of(make_project, {"articles/2023/2023-01-01-x.md": md(f"title: {bmp_high} {astral}\ndate: 2023-01-01\n",
                                                                                f"{astral}\n")})
    assert index["words"] == [astral, bmp_high]
