"""The search index: words normalised as the browser normalises a query, in a fixed, compact form."""


from hypothesis import given, strategies as st

from newsarchive import indexes, search
from helpers import CONFIG, md, plan_project, read_project
from newsarchive.markup import html_text


def test_words_ignore_case_accents_and_punctuation():
    assert search.words("Makiïvka's DEATH-toll: 89!") == ["makiivka", "s", "death", "toll", "89"]
    assert search.words("Макіївка Йошкар-Ола") == ["макіівка", "иошкар", "ола"]  # Cyrillic ї and й lose their marks too
    assert search.words("Café crème, naïve; ﬁle") == ["cafe", "creme", "naive", "file"]  # compatibility forms unfold
    assert search.words("  \n—  ") == []


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.text("ae \u0301\u0327\u0308ﬁ™①½Йй—K", max_size=12)
       | st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_words_are_those_of_the_whole_text_unfolded(text):
    import unicodedata
    whole = unicodedata.normalize("NFKD", text.lower())
    expected = search._WORD.findall("".join(c for c in whole if not unicodedata.category(c).startswith("M")))
    assert search.words(text) == expected


@given(st.text(max_size=30))
def test_words_are_stable_under_renormalising(text):
    # A word of the index, typed back as a query, is found as itself.
    for word in search.words(text):
        assert search.words(word) == [word]


def test_body_text_keeps_words_apart_and_decodes_entities():
    html = "<p>First&nbsp;line</p><table><tr><td>cell</td><td>next</td></tr></table><p>A &amp; B &lt;tag&gt;</p>"
    assert search.words(html_text(html)) == ["first", "line", "cell", "next", "a", "b", "tag"]


def search_index_of(make_project, articles: dict) -> dict:
    """The search index of all of a project's ``articles``, read as a build reads them."""
    config, _, reading = read_project(make_project(articles))
    site = indexes.index_site(reading.articles, config)
    return search.build_search_index(site.articles, site.term_by_slug, reading.words)


def yearly_search_indexes(make_project, articles: dict, **options) -> dict[str, dict]:
    """The search indexes a build of ``articles`` plans, by address: a year in parts of up to 250 reports."""
    _, _, pages, _ = plan_project(make_project(articles, **options))
    return {page.url: page.context["search_index"].value() for page in pages if page.template == "search-index.js"}


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
    # Its tables hold only the places and topics its reports are filed under: not Tolyatti, nor two topics.
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


def test_each_year_has_an_index_of_its_own_reports_with_only_the_terms_they_use(make_project):
    # Samara is renamed "kuybyshev": tables sort by name, ignoring case, so it comes before Makiivka.
    config = CONFIG.replace("  samara:\n    name: Samara\n", "  samara:\n    name: kuybyshev\n")
    by_url = yearly_search_indexes(make_project, {
        "articles/2023/2023-01-01-strike.md": md("title: Strike on the school\ndate: 2023-01-01\n"
                                                  "locations: [Makiivka]\ntopics: [strike, casualties]\n", "Rockets.\n"),
        "articles/2023/2023-01-03-rally.md": md("title: Rally\ndate: 2023-01-03\nlocations: [samara, Togliatti]\n",
                                                 "Mourners.\n"),
        "articles/2024/2024-01-01-year.md": md("title: One year on\ndate: 2024-01-01\nlocations: [Makiivka, samara]\n"
                                                "topics: [commemoration]\n", "Mourners again.\n"),
        "articles/2024/2024-02-01-draft.md": md("title: Draft\ndate: 2024-02-01\nlocations: [Tolyatti]\n"
                                                 "topics: [strike]\ndraft: true\n"),
    }, config=config)
    assert sorted(by_url) == ["search/2023-1.js", "search/2024-1.js"]
    old, new = by_url["search/2023-1.js"], by_url["search/2024-1.js"]
    # Each year's reports, and only those, newest first; place and topic numbers point into its own tables.
    assert [report[0] for report in old["reports"]] == ["Rally", "Strike on the school"]
    assert old["locations"] == [["samara", "kuybyshev"], ["makiivka", "Makiivka"], ["tolyatti", "Tolyatti"]]
    assert old["topics"] == [["casualties", "Casualties"], ["strike", "Strike"]]
    assert [(report[4], report[5]) for report in old["reports"]] == [([0, 2], []), ([1], [1, 0])]
    assert [report[0] for report in new["reports"]] == ["One year on"]
    # The draft is left out, and with it Tolyatti and Strike: no 2024 report is filed under them.
    assert new["locations"] == [["samara", "kuybyshev"], ["makiivka", "Makiivka"]]
    assert new["topics"] == [["commemoration", "Commemoration"]]
    assert [(report[4], report[5]) for report in new["reports"]] == [([1, 0], [0])]
    # Words too are the year's own.
    assert dict(zip(old["words"], old["postings"])) == {"mourners": [0], "on": [1], "rally": [0], "rockets": [1],
                                                        "school": [1], "strike": [1], "the": [1]}
    assert dict(zip(new["words"], new["postings"])) == {"again": [0], "mourners": [0], "on": [0], "one": [0],
                                                        "year": [0]}


def test_an_empty_archive_has_no_search_index(make_project):
    assert yearly_search_indexes(make_project, {}) == {}
