"""The content model: publication times and the one chronological order every listing derives from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle

import pytest

import helpers
from newsarchive.model import LOCATIONS, TOPICS, Article, Claim, Correction, Source

UTC = dt.timezone.utc
KYIV_WINTER = dt.timezone(dt.timedelta(hours=2))


def article(slug="a", day=dt.date(2023, 1, 3), moment=None, updated=None) -> Article:
    return helpers.article(slug, day.isoformat(), moment=moment, updated=updated, locations=("samara",),
                           topics=("strike",))


def test_a_date_only_report_is_published_at_midnight_utc():
    assert article().published_at == dt.datetime(2023, 1, 3, tzinfo=UTC)


def test_a_timed_report_keeps_its_offset():
    moment = dt.datetime(2023, 1, 3, 14, 5, tzinfo=KYIV_WINTER)
    assert article(moment=moment).published_at == moment


def test_updated_at_is_the_update_day_but_never_before_publication():
    assert article(updated=dt.date(2023, 1, 5)).updated_at == dt.datetime(2023, 1, 5, tzinfo=UTC)
    late = dt.datetime(2023, 1, 3, 22, 0, tzinfo=UTC)
    # An update on the same day as a timed report would read as earlier than the report itself.
    assert article(moment=late, updated=dt.date(2023, 1, 3)).updated_at == late
    assert article().updated_at == article().published_at


def test_chronological_order_is_day_then_time_then_slug():
    morning = article("z", moment=dt.datetime(2023, 1, 3, 8, 0, tzinfo=UTC))
    evening_in_kyiv = article("b", moment=dt.datetime(2023, 1, 3, 20, 0, tzinfo=KYIV_WINTER))  # 18:00 UTC
    untimed_b, untimed_a = article("b"), article("a")
    previous_day = article("zz", day=dt.date(2023, 1, 2))
    ordered = sorted([evening_in_kyiv, untimed_b, morning, previous_day, untimed_a], key=lambda a: a.chronological_key)
    assert [a.slug for a in ordered] == ["zz", "a", "b", "z", "b"]
    assert ordered[-1] is evening_in_kyiv


@pytest.mark.parametrize("kind, expected", [(LOCATIONS, ("samara",)), (TOPICS, ("strike",))])
def test_terms_by_kind(kind, expected):
    assert article().terms(kind) == expected


def test_articles_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        article().title = "changed"


def test_a_record_unpickled_is_equal_of_its_own_class_and_still_frozen():
    original = dataclasses.replace(article(), sources=(Source("Outlet", "https://outlet.example/a"),),
                                   corrections=(Correction(dt.date(2023, 1, 4), "Fixed."),),
                                   claims=(Claim("Ministry", "killed", 63, 63, dt.date(2023, 1, 2)),))
    copy = pickle.loads(pickle.dumps(original, pickle.HIGHEST_PROTOCOL))
    assert copy == original and hash(copy) == hash(original)
    records = [copy, copy.sources[0], copy.corrections[0], copy.claims[0]]
    assert [type(record) for record in records] == [Article, Source, Correction, Claim]
    for record in records:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, dataclasses.fields(record)[0].name, "changed")
