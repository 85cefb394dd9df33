"""Strict YAML: plain data, the file line of every value, and the traps PyYAML lets through refused."""

import pytest

from newsarchive.yamlfile import YamlError, load_yaml


def error_of(text: str, first_line: int = 1) -> tuple[int, str]:
    with pytest.raises(YamlError) as info:
        load_yaml(text, first_line)
    return info.value.line, info.value.message


def test_values_keep_their_file_lines_with_an_offset():
    # The front-matter of a file starts on line 2 (after '---'): lines are the file's, not the block's.
    doc = load_yaml("title: T\nlocations:\n  - Samara\n  - Tolyatti\nsources:\n  - name: S\n    url: u\n", first_line=2)
    assert doc.data == {"title": "T", "locations": ["Samara", "Tolyatti"], "sources": [{"name": "S", "url": "u"}]}
    assert doc.line(("title",)) == 2
    assert doc.line(("locations", 0)) == 4
    assert doc.line(("locations", 1)) == 5
    assert doc.line(("sources", 0, "url")) == 8
    # A path that was not given falls back to its nearest parent that was.
    assert doc.line(("sources", 0, "published")) == doc.line(("sources", 0)) == 7


def test_dates_stay_text_so_the_reader_can_check_them():
    doc = load_yaml("date: 2023-01-05\nwhen: 2023-01-05T10:00:00+02:00\n")
    assert doc.data == {"date": "2023-01-05", "when": "2023-01-05T10:00:00+02:00"}


def test_yaml_1_1_scalars_are_typed_so_validators_can_object():
    doc = load_yaml("a: no\nb: 1.10\nc: 012\nd: ~\ne: 'no'\n")
    assert doc.data == {"a": False, "b": 1.1, "c": 10, "d": None, "e": "no"}


def test_syntax_error_names_the_line_of_the_file():
    assert error_of("title: ok\nsummary: a: b\n", first_line=5) == (
        6, "invalid YAML: mapping values are not allowed in this context (a value containing ': ' must be quoted)")


def test_tab_indentation_gets_a_hint():
    line, message = error_of("title: ok\nlocations:\n\t- Samara\n")
    assert line == 3
    assert message.endswith("(indent with spaces, not tabs)")


def test_duplicate_key_names_both_lines():
    assert error_of("title: A\ndate: 2023-01-05\ntitle: B\n", first_line=2) == (
        4, "duplicate key 'title' (first given on line 2)")


def test_duplicate_key_inside_a_list_item():
    text = "sources:\n  - name: A\n    url: https://a.example/\n    name: B\n"
    assert error_of(text) == (4, "duplicate key 'name' (first given on line 2)")


def test_alias_is_refused_at_the_line_of_the_alias():
    # The editor must find the '*a': it is on line 3, the anchor on line 1.
    assert error_of("title: &a T\ndate: 2023-01-05\nsummary: *a\n") == (3, "aliases (*name) are not allowed")


def test_alias_of_a_mapping_is_refused():
    text = "sources:\n  - &s\n    name: A\n    url: https://a.example/\n  - *s\n"
    line, message = error_of(text)
    assert message == "aliases (*name) are not allowed"


def test_anchor_alone_is_refused():
    # README: "Anchors, aliases and explicit tags are refused."
    with pytest.raises(YamlError):
        load_yaml("title: &a T\ndate: 2023-01-05\n")


@pytest.mark.parametrize("tagged, tag", [
    ("!!python/object:os.system ls", "tag:yaml.org,2002:python/object:os.system"),
    ("!!binary aGVsbG8=", "tag:yaml.org,2002:binary"),
    ("!!timestamp 2023-01-05", "tag:yaml.org,2002:timestamp"),
    ("!custom x", "!custom"),
])
def test_explicit_tags_are_refused(tagged, tag):
    assert error_of(f"date: 2023-01-05\ntitle: {tagged}\n") == (2, f"the tag {tag!r} is not allowed")


def test_set_and_ordered_map_tags_are_refused():
    line, message = error_of("title: T\nlocations: !!set {Samara: null}\n")
    assert (line, message) == (2, "the tag 'tag:yaml.org,2002:set' is not allowed")


def test_non_text_key_is_refused_with_a_hint():
    assert error_of("title: T\nno: 1\n") == (2, "key 'no' is not text (YAML reads it as bool); quote it")


def test_a_plain_value_cut_by_a_comment_is_flagged():
    doc = load_yaml("title: Update #2\nsummary: \"Update #2\"\nbyline: Editors # the desk\nnote: a#b\n")
    assert doc.data == {"title": "Update", "summary": "Update #2", "byline": "Editors", "note": "a#b"}
    assert doc.commented == {("title",), ("byline",)}


def test_empty_document_is_none():
    assert load_yaml("").data is None
    assert load_yaml("# only a comment\n").data is None
