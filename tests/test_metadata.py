"""JSON inside a page: escaped so no value can end its <script>, and the same bytes on every run."""

import json

from hypothesis import example, given, strategies as st

from newsarchive.metadata import script_json

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)


@given(json_values)
@example({"headline": "</script><script>alert(1)</script>"})
@example(["<!--", "-->", "a & b", "\u2028\u2029"])
def test_embedded_json_cannot_end_its_script_and_reads_back_the_same(value):
    text = str(script_json(value))
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert text.isascii()
    assert json.loads(text) == value


def test_embedded_json_is_compact_with_sorted_keys_and_escapes_as_unicode_escapes():
    assert str(script_json({"b": "</script>", "a": ["&", "\u2028"]})) == (
        '{"a":["\\u0026","\\u2028"],"b":"\\u003c/script\\u003e"}')
