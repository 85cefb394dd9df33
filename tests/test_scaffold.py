"""`new`: a correctly named source in canonical form that passes `check` as it is; never overwrites."""

import unicodedata

import pytest
from hypothesis import example, given, settings, strategies as st

from helpers import read_project
from newsarchive.canonical import yaml_flow_list, yaml_scalar
from newsarchive.yamlfile import load_yaml


def test_new_writes_a_canonical_source_that_checks(make_project, run_cli):
    root = make_project()
    result = run_cli(root, "new", "Samara mourners gather", "--date", "2023-01-03",
                     "--location", "makeevka", "--location", "Togliatti", "--location", "Makiivka",
                     "--topic", "death toll", "--topic", "Strike")
    assert (result.code, result.err) == (0, "")
    assert result.out == "created articles/2023/2023-01-03-samara-mourners-gather.md\n"
    path = root / "articles/2023/2023-01-03-samara-mourners-gather.md"
    text = path.read_bytes().decode("utf-8")
    assert text.startswith(
        "---\n"
        "title: Samara mourners gather\n"
        "date: 2023-01-03\n"
        "byline: Test archive\n"
        "locations: [Makiivka, Tolyatti]\n"
        "topics: [Casualties, Strike]\n"
        "---\n")
    assert "\r" not in text
    check = run_cli(root, "check")
    assert (check.code, check.err) == (0, "")
    [article] = read_project(root)[2].articles
    assert (article.title, article.locations, article.topics) == (
        "Samara mourners gather", ("makiivka", "tolyatti"), ("casualties", "strike"))


@pytest.mark.parametrize("title", ['Update #2: "quotes" & more', "no", "1.10", "- a dash", "[bracketed]",
                                   "Café Ünïcode — ещё", "'single'", "ends with colon:", "@handle says"])
def test_awkward_titles_come_back_exactly(make_project, run_cli, title):
    root = make_project()
    result = run_cli(root, "new", title, "--date", "2023-01-04", "--slug", "t")
    assert result.code == 0, result.err
    assert run_cli(root, "check").code == 0
    [article] = read_project(root)[2].articles
    assert article.title == title


def test_new_never_overwrites(make_project, run_cli):
    root = make_project()
    assert run_cli(root, "new", "Rally", "--date", "2023-01-03").code == 0
    path = root / "articles/2023/2023-01-03-rally.md"
    path.write_text(path.read_text() + "My precious draft.\n")
    before = path.read_bytes()
    result = run_cli(root, "new", "Rally", "--date", "2023-01-03")
    assert result.code == 1
    assert result.problems == ["articles/2023/2023-01-03-rally.md: already exists; not overwritten"]
    assert path.read_bytes() == before


def test_unknown_terms_are_refused_with_suggestions(make_project, run_cli):
    root = make_project()
    result = run_cli(root, "new", "X", "--date", "2023-01-03", "--location", "Tolyati", "--topic", "strke")
    assert result.code == 2
    assert result.problems == [
        "--location: unknown location 'Tolyati' (did you mean 'Tolyatti'?)",
        "--topic: unknown topic 'strke' (did you mean 'Strike'?)",
    ]
    assert list((root / "articles").rglob("*")) == []


@pytest.mark.parametrize("argv, slug", [
    (["!!!"], ""),
    (["Page"], "page"),
    (["X", "--slug", "Bad Slug"], "Bad Slug"),
])
def test_unusable_slugs_are_refused(make_project, run_cli, argv, slug):
    root = make_project()
    result = run_cli(root, "new", *argv, "--date", "2023-01-03")
    assert result.code == 2
    assert result.problems == [
        f"--slug: {slug!r} cannot be a slug; give --slug with lowercase letters, digits and hyphens"]
    assert list((root / "articles").rglob("*")) == []


def test_impossible_date_is_a_usage_error(make_project, run_cli):
    root = make_project()
    result = run_cli(root, "new", "X", "--date", "2023-02-30")
    assert result.code == 2
    assert result.err.splitlines()[-1].endswith("argument --date: expected YYYY-MM-DD, got '2023-02-30'")


def test_long_titles_make_slugs_cut_at_a_word(make_project, run_cli):
    root = make_project()
    title = "Relatives of mobilized soldiers from the Samara region demand the full list of names"
    assert run_cli(root, "new", title, "--date", "2023-01-03").code == 0
    [path] = (root / "articles/2023").iterdir()
    slug = path.name[len("2023-01-03-"):-len(".md")]
    full = "relatives-of-mobilized-soldiers-from-the-samara-region-demand-the-full-list-of-names"
    assert 40 <= len(slug) <= 60
    assert full.startswith(slug + "-")  # cut between words, never inside one


# --- YAML scalars written by `new` read back as the same text --------------------------------

ordinary_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(text=ordinary_text)
@example(text="key: value")
@example(text="trailing #comment")
@example(text="2023-01-05")
@example(text="yes")
@example(text="~")
def test_yaml_scalar_round_trips(text):
    doc = load_yaml("title: " + yaml_scalar(text) + "\n")
    assert doc.data == {"title": text}
    assert doc.commented == frozenset()


@settings(max_examples=100, deadline=None)
@given(items=st.lists(ordinary_text, min_size=1, max_size=4))
@example(items=["Names & families", "a, b"])
@example(items=["Claims [disputed]"])  # a term name with brackets, as a config may well have
def test_yaml_flow_list_round_trips(items):
    assert load_yaml("k: " + yaml_flow_list(items) + "\n").data == {"k": items}


@pytest.mark.parametrize("text", ["Line\u2028separator", "Next\x85line", "C1\x80control", "Delete\x7f"])
def test_yaml_scalar_round_trips_unusual_characters(text):
    # Pasted titles can carry these; `new` must not write a file that `check` then rejects or changes.
    assert load_yaml("title: " + yaml_scalar(text) + "\n").data == {"title": text}


def test_new_with_a_bracketed_topic_name_writes_a_valid_file(make_project, run_cli):
    from helpers import CONFIG
    root = make_project(config=CONFIG.replace("name: Strike", "name: Strike [disputed]"))
    assert run_cli(root, "new", "X", "--date", "2023-01-03", "--topic", "strike").code == 0
    result = run_cli(root, "check")
    assert (result.code, result.err) == (0, "")


def test_nfc_titles(make_project, run_cli):
    root = make_project()
    decomposed = unicodedata.normalize("NFD", "Café")
    assert run_cli(root, "new", decomposed, "--date", "2023-01-03").code == 0
    [article] = read_project(root)[2].articles
    assert article.title == "Café"
