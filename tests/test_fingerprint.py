"""A page's fingerprint depends on what the page reads, never on what was fingerprinted before it.

The fingerprinter remembers shared values by identity, and a rebuild seeds it with the last
build's fingerprints of unchanged listings; either way, a value must fingerprint as it would alone,
or a rebuild would render pages again for nothing, or keep stale ones.
"""

from hypothesis import given
from hypothesis import strategies as st

from newsarchive.fingerprint import Fingerprinter

plain = st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "a", "b"])
nested = st.recursive(plain, lambda inner: st.tuples(inner, inner) | st.lists(inner, max_size=3).map(tuple)
                      | st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["k", "l"]), inner, max_size=2),
                      max_leaves=12)


def parts_of(value) -> list:
    """Every value nested in ``value``, innermost first."""
    inner = value.values() if isinstance(value, dict) else value if isinstance(value, (tuple, list)) else ()
    return [part for item in inner for part in (*parts_of(item), item)]


@given(value=nested, primed=st.lists(st.integers(0, 50), max_size=6))
def test_a_value_fingerprints_as_it_does_alone_whatever_was_met_before(value, primed):
    alone = Fingerprinter("base", {}).value(value)
    fingerprinter = Fingerprinter("base", {})
    parts = parts_of(value)
    for number in primed:
        if parts:
            fingerprinter.value(parts[number % len(parts)])
    assert fingerprinter.value(value) == alone


def test_an_empty_ledger_charted_fingerprints_the_same_after_an_empty_listing():
    # The case a rebuild met: the claims chart's inputs, ((),), after a listing of no reports.
    fingerprinter = Fingerprinter("base", {})
    fingerprinter.value(())
    assert fingerprinter.value(((),)) == Fingerprinter("base", {}).value(((),))
