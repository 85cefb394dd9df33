"""Listings by year, month, day, place and topic: who is in each, in which order, and the neighbours."""

import datetime as dt
import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpers
from newsarchive import indexes
from newsarchive.config import load_config
from newsarchive.model import Article

UTC = dt.timezone.utc


def article(slug, day, moment=None, locations=(), topics=(), updated=None) -> Article:
    return helpers.article(slug, day, slug.title(), moment=moment, locations=tuple(locations), topics=tuple(topics),
                           updated=updated)


@pytest.fixture
def config(make_project):
    return load_config(make_project() / "site_config.yaml")


@pytest.fixture
def site(config):
    articles = [
        article("old", "2022-12-31", locations=["samara"]),
        article("b-second", "2023-01-03", locations=["samara", "makiivka"], topics=["strike"]),
        article("a-first", "2023-01-03", topics=["strike"]),
        article("timed", "2023-01-03", moment=dt.datetime(2023, 1, 3, 8, 0, tzinfo=UTC)),
        article("later", "2023-02-10", locations=["makiivka"], updated=dt.date(2023, 3, 1)),
    ]
    return indexes.index_site(articles, config)


def slugs(listing_or_articles) -> list[str]:
    items = listing_or_articles.articles if hasattr(listing_or_articles, "articles") else listing_or_articles
    return [a.slug for a in items]


def test_all_reports_newest_first(site):
    # Same day: a timed report is later than the untimed ones; untimed ties are ordered by slug
    # (the exact reverse of the oldest-first order that previous/next links follow).
    assert slugs(site.articles) == ["later", "timed", "b-second", "a-first", "old"]


def test_periods(site):
    years = site.periods[indexes.YEAR]
    assert [(y.key, y.title, y.url, slugs(y)) for y in years] == [
        ((2022,), "2022", "2022/", ["old"]),
        ((2023,), "2023", "2023/", ["later", "timed", "b-second", "a-first"]),
    ]
    months = site.periods[indexes.MONTH]
    assert [(m.key, m.title, m.url) for m in months] == [
        ((2022, 12), "December 2022", "2022/12/"), ((2023, 1), "January 2023", "2023/01/"),
        ((2023, 2), "February 2023", "2023/02/")]
    days = site.periods[indexes.DAY]
    assert [(d.title, d.url, slugs(d)) for d in days] == [
        ("31 December 2022", "2022/12/31/", ["old"]),
        ("3 January 2023", "2023/01/03/", ["timed", "b-second", "a-first"]),
        ("10 February 2023", "2023/02/10/", ["later"]),
    ]


def test_every_configured_term_has_a_listing_even_when_empty(site):
    locations = site.terms["locations"]
    assert [(l.key, l.url, slugs(l)) for l in locations] == [
        ("makiivka", "locations/makiivka/", ["later", "b-second"]),
        ("samara", "locations/samara/", ["b-second", "old"]),
        ("tolyatti", "locations/tolyatti/", []),
    ]
    topics = site.terms["topics"]
    assert [(t.title, slugs(t)) for t in topics] == [
        ("Casualties", []), ("Commemoration", []), ("Strike", ["b-second", "a-first"])]


def test_period_neighbours_skip_empty_periods(site):
    months = site.periods[indexes.MONTH]
    older, newer = site.neighbours(months[1])  # January 2023
    assert (older.title, newer.title) == ("December 2022", "February 2023")
    assert site.neighbours(months[0])[0] is None
    assert site.neighbours(months[-1])[1] is None


def test_report_neighbours_follow_the_chronological_chain(site):
    chain = slugs(site.articles)[::-1]  # oldest first
    for i, slug in enumerate(chain):
        item = next(a for a in site.articles if a.slug == slug)
        before, after = site.article_neighbours(item)
        assert (before.slug if before else None) == (chain[i - 1] if i else None)
        assert (after.slug if after else None) == (chain[i + 1] if i + 1 < len(chain) else None)


def test_months_and_days_of(site):
    assert [m.title for m in indexes.months_of(site, 2023)] == ["January 2023", "February 2023"]
    assert [d.title for d in indexes.days_of(site, 2023, 1)] == ["3 January 2023"]


def test_timed_reports_order_by_instant_not_by_written_clock(config):
    # 10:00 in Kyiv (08:00 UTC) is earlier than 09:00 UTC, though "10" > "09".
    kyiv = dt.timezone(dt.timedelta(hours=2))
    site = indexes.index_site([
        article("kyiv-ten", "2023-01-03", moment=dt.datetime(2023, 1, 3, 10, 0, tzinfo=kyiv)),
        article("utc-nine", "2023-01-03", moment=dt.datetime(2023, 1, 3, 9, 0, tzinfo=UTC)),
    ], config)
    assert slugs(site.articles) == ["utc-nine", "kyiv-ten"]


def test_group_by_is_independent_of_input_order(config):
    items = [article(f"s{i}", f"2023-01-0{1 + i % 3}") for i in range(6)]
    forward = indexes.index_site(items, config)
    backward = indexes.index_site(items[::-1], config)
    assert slugs(forward.articles) == slugs(backward.articles)
    assert [slugs(d) for d in forward.periods[indexes.DAY]] == [slugs(d) for d in backward.periods[indexes.DAY]]


# --- related reports ---------------------------------------------------------------------------

def test_related_reports_rank_by_places_and_topics_shared_then_nearness_in_time(config):
    site = indexes.index_site([
        article("subject", "2023-01-10", locations=["samara", "makiivka"], topics=["strike"]),
        article("all-three-months-later", "2023-06-01", locations=["makiivka", "samara"], topics=["strike"]),
        article("one-same-day", "2023-01-10", locations=["samara"]),
        article("two-before", "2023-01-08", locations=["makiivka"], topics=["strike"]),
        article("two-after", "2023-01-12", locations=["samara"], topics=["strike"]),  # as near: path breaks the tie
        article("one-week-later", "2023-01-17", topics=["strike"]),
        article("nothing-shared", "2023-01-10", locations=["tolyatti"], topics=["casualties"]),
    ], config)
    subject = next(a for a in site.articles if a.slug == "subject")
    assert slugs(site.related_to(subject)) == [
        "all-three-months-later", "two-before", "two-after", "one-same-day", "one-week-later"]
    lonely = next(a for a in site.articles if a.slug == "nothing-shared")
    assert site.related_to(lonely) == ()


def test_at_most_five_related_reports_the_nearest_in_time(config):
    items = [article(f"day-{n:02d}", f"2023-01-{n:02d}", topics=["strike"]) for n in range(1, 21)]
    site = indexes.index_site(items, config)
    assert slugs(site.related_to(items[9])) == ["day-09", "day-11", "day-08", "day-12", "day-07"]


def test_related_candidates_come_only_from_the_nearest_reports_of_each_shared_term():
    items = tuple(article(f"day-{n:02d}", f"2023-01-{n:02d}", topics=["strike"]) for n in range(1, 12))
    # The 3 reports nearest in time on each side are candidates; day-05, though it shares the topic, is not.
    assert slugs(indexes.related_reports(items, reach=3)[0][items[0].source_path]) == ["day-02", "day-03", "day-04"]
    assert slugs(indexes.related_reports(items)[0][items[0].source_path]) == [
        "day-02", "day-03", "day-04", "day-05", "day-06"]


def test_related_reports_of_a_large_archive_take_linear_time(config):
    # 20,000 reports on one topic: comparing every pair would take minutes, the capped search about a second.
    start = dt.date(2000, 1, 1)
    items = [article(f"r{n:05d}", (start + dt.timedelta(days=n // 4)).isoformat(), topics=["strike"]) for n in range(20_000)]
    began = time.perf_counter()
    related, _ = indexes.related_reports(tuple(sorted(items, key=lambda a: a.chronological_key)))
    assert time.perf_counter() - began < 20
    assert len(related) == 20_000 and all(len(found) == 5 for found in related.values())


PLACES, TOPICS = ["samara", "makiivka", "tolyatti"], ["strike", "commemoration"]
# A report: its day, places, topics and an edit of a field ranking does not read (a title, say).
report_strategy = st.tuples(st.integers(0, 40), st.sets(st.sampled_from(PLACES), max_size=2),
                            st.sets(st.sampled_from(TOPICS), max_size=2), st.integers(0, 1))


def oldest_first(reports: dict) -> tuple[Article, ...]:
    # Each report's front-matter hash follows all of it, as a source's would.
    items = [helpers.article(slug, (dt.date(2023, 1, 1) + dt.timedelta(days=day)).isoformat(), locations=tuple(sorted(places)),
                             topics=tuple(sorted(topics)),
                             metadata_digest=repr((slug, day, sorted(places), sorted(topics), *edit)))
             for slug, (day, places, topics, *edit) in reports.items()]
    return tuple(sorted(items, key=lambda a: a.chronological_key))


@settings(max_examples=150, deadline=None)
@given(before=st.dictionaries(st.sampled_from([f"r{n:02d}" for n in range(60)]), report_strategy, max_size=50),
       changes=st.dictionaries(st.sampled_from([f"r{n:02d}" for n in range(60)]), st.none() | report_strategy,
                               max_size=4))
def test_related_reports_reranked_near_changes_equal_a_ranking_from_nothing(before, changes):
    # The memo lets a rebuild rank again only the reports near an added, removed, moved or refiled one.
    after = {slug: report for slug, report in {**before, **changes}.items() if report is not None}
    _, memo = indexes.related_reports(oldest_first(before), reach=3)
    reused, reused_memo = indexes.related_reports(oldest_first(after), reach=3, earlier=memo)
    fresh, fresh_memo = indexes.related_reports(oldest_first(after), reach=3)
    assert {path: slugs(found) for path, found in reused.items()} == {path: slugs(found) for path, found in fresh.items()}
    assert reused_memo == fresh_memo  # what the next build reuses is what ranking from nothing would give


def test_related_reports_ranked_in_halves_by_a_helper_are_those_ranked_in_one_process(monkeypatch):
    # A cold build ranks half the reports in a forked helper; a helper that fails leaves its half here.
    reports = {f"r{n:03d}": (n % 40, {PLACES[n % 3]}, {TOPICS[n % 2]} if n % 5 else set(), 0) for n in range(300)}
    alone = indexes.related_reports(oldest_first(reports), reach=3)
    monkeypatch.setattr(indexes, "RANK_IN_HALVES_FROM", 2)
    halves = indexes.related_reports(oldest_first(reports), reach=3)
    monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(OSError("no fork here")))
    without_helper = indexes.related_reports(oldest_first(reports), reach=3)
    for ranked, memo in (halves, without_helper):
        assert {path: slugs(found) for path, found in ranked.items()} == {path: slugs(found) for path, found in alone[0].items()}
        assert memo == alone[1]


def test_related_reports_remember_an_edit_that_ranking_does_not_read():
    # A new title changes the front-matter's hash but not the ranking: the memo must hold the new
    # hash, or every later build would find a change and take the slow way.
    before = {"a": (0, {"samara"}, set(), 0), "b": (1, {"samara"}, set(), 0)}
    _, memo = indexes.related_reports(oldest_first(before))
    after = oldest_first({**before, "b": (1, {"samara"}, set(), 1)})
    _, reused_memo = indexes.related_reports(after, earlier=memo)
    assert reused_memo == indexes.related_reports(after)[1]


def test_related_reports_follow_a_change_of_places_alone():
    # Same day, same file: only the front-matter (and so its hash) says the report moved to Makiivka.
    before = {"a": (0, {"samara"}, set()), "b": (1, {"samara"}, set()), "c": (2, {"makiivka"}, set())}
    _, memo = indexes.related_reports(oldest_first(before))
    after = oldest_first({**before, "b": (1, {"makiivka"}, set())})
    reused, _ = indexes.related_reports(after, earlier=memo)
    assert {path.rsplit("-", 1)[1]: slugs(found) for path, found in reused.items()} == {
        "a.md": [], "b.md": ["c"], "c.md": ["b"]}


# --- the corrections log -----------------------------------------------------------------------

def test_change_notes_are_a_report_and_day_each_newest_first(config):
    from newsarchive.model import Correction
    day = dt.date.fromisoformat
    site = indexes.index_site([
        helpers.article("early", "2023-01-02", corrections=(Correction(day("2023-01-05"), "Fixed a name."),
                                                            Correction(day("2023-01-09"), "Wrong unit.", serious=True),
                                                            Correction(day("2023-01-09"), "A typo."))),
        helpers.article("late", "2023-01-04", updated=day("2023-01-09"), corrections=(Correction(day("2023-01-09"), "Dates."),)),
        helpers.article("updated-only", "2023-01-03", updated=day("2023-01-07")),
        helpers.article("untouched", "2023-01-08"),
    ], config)
    assert [(note.day.isoformat(), note.article.slug, [c.text for c in note.corrections], note.updated)
            for note in indexes.change_notes(site.articles)] == [
        ("2023-01-09", "late", ["Dates."], True),  # the same day: the newer report first
        ("2023-01-09", "early", ["Wrong unit.", "A typo."], False),
        ("2023-01-07", "updated-only", [], True),
        ("2023-01-05", "early", ["Fixed a name."], False),
    ]
