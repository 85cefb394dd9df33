"""A rebuild takes a page's fingerprint from the last build only if the page is exactly what it was.

regions.changed_regions names the parts of the index a change of reports reaches; every page
outside them must fingerprint as it did before the change (else a rebuild would keep a stale
page), whatever reports are added, removed, moved in time, refiled or retitled.
"""

import datetime as dt
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpers
from newsarchive import routes
from newsarchive.config import load_config
from newsarchive.fingerprint import Fingerprinter
from newsarchive.indexes import index_site
from newsarchive.regions import changed_regions, listing_region
from newsarchive.render import plan_pages

PLACES, TOPICS = ["makiivka", "samara", "tolyatti"], ["strike", "casualties", "commemoration"]
SLUGS = [f"r{n:02d}" for n in range(40)]
# A report: its day (over three years, so listings have neighbours and pages), places, topics, and
# a title (a field no listing depends on) and aliases (the redirects a report's region holds).
report_strategy = st.tuples(st.integers(0, 800), st.sets(st.sampled_from(PLACES), max_size=2),
                            st.sets(st.sampled_from(TOPICS), max_size=2), st.sampled_from(["A", "B"]),
                            st.sampled_from([(), ("old/address/",)]))


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    # Pages of two reports, so that listings have numbered pages which a change can shift.
    assert "page_size: 2\n" in helpers.CONFIG
    return load_config(helpers.write_project(tmp_path_factory.mktemp("regions") / "project") / "site_config.yaml")


def reports(chosen: dict) -> list:
    items = []
    for slug, (day, places, topics, title, aliases) in chosen.items():
        date = (dt.date(2022, 6, 1) + dt.timedelta(days=day)).isoformat()
        aliases = tuple(f"{slug}/{alias}" for alias in aliases)
        items.append(helpers.article(slug, date, title, locations=tuple(sorted(places)), topics=tuple(sorted(topics)),
                                     aliases=aliases, metadata_digest=_hash(repr((slug, date, sorted(places),
                                                                                  sorted(topics), title, aliases)))))
    return items


def _hash(text: str) -> str:  # fingerprints take a report's front-matter hash in part: a real hash, then
    return hashlib.sha256(text.encode()).hexdigest()


def listings(index) -> list:
    return [listing for group in (*index.periods.values(), *index.terms.values()) for listing in group]


def fingerprints(pages) -> dict[str, str]:
    fingerprinter = Fingerprinter("base", {})
    return {routes.output_path(page.url): fingerprinter.without_bodies(page) for page in pages}


def changed_reports(before: dict, changes: dict) -> dict:
    """``before`` with each change made: a report removed (None), retitled, or replaced (or added)."""
    after = dict(before)
    for slug, change in changes.items():
        if change is None:
            after.pop(slug, None)
        elif change == "retitle":
            if slug in after:
                day, places, topics, title, aliases = after[slug]
                after[slug] = (day, places, topics, "B" if title == "A" else "A", aliases)
        else:
            after[slug] = change
    return after


@settings(max_examples=150, deadline=None)
@given(before=st.dictionaries(st.sampled_from(SLUGS), report_strategy, min_size=1, max_size=30),
       changes=st.dictionaries(st.sampled_from(SLUGS), st.none() | st.just("retitle") | report_strategy,
                               min_size=1, max_size=3))
def test_pages_outside_the_changed_regions_are_what_they_were(config, before, changes):
    after = changed_reports(before, changes)
    earlier = index_site(reports(before), config)
    index = index_site(reports(after), config, earlier.related_memo)
    changed = changed_regions(index, earlier.related_memo)
    then = fingerprints(plan_pages(earlier, config, {}))
    pages = plan_pages(index, config, {})
    now = fingerprints(pages)
    kept = [routes.output_path(page.url) for page in pages if page.region is not None and page.region not in changed]
    assert {relpath: now[relpath] for relpath in kept} == {relpath: then.get(relpath) for relpath in kept}
    # A rebuild takes the fingerprint of each listing outside them from the last build, too.
    listings_then = {listing.url: Fingerprinter("base", {}).value(listing) for listing in listings(earlier)}
    kept_listings = [listing for listing in listings(index) if listing_region(listing) not in changed]
    assert ({listing.url: Fingerprinter("base", {}).value(listing) for listing in kept_listings}
            == {listing.url: listings_then.get(listing.url) for listing in kept_listings})


def test_a_new_report_reaches_its_neighbours_and_listings_and_no_further(config):
    before = {"a": (0, {"samara"}, {"strike"}, "A", ()), "b": (400, {"makiivka"}, set(), "A", ()),
              "c": (800, {"tolyatti"}, set(), "A", ())}
    earlier = index_site(reports(before), config)
    index = index_site(reports({**before, "d": (801, {"tolyatti"}, set(), "A", ())}), config, earlier.related_memo)
    paths = {article.slug: article.source_path for article in index.articles}
    changed = changed_regions(index, earlier.related_memo)
    # The new report and the one before it in time, which c is, and which is related to it.
    assert {region for region in changed if region[0] == "report"} == {("report", paths["d"]), ("report", paths["c"])}
    # Its day (a new one, next to c's), month and year, with their neighbours, and its place.
    assert {region[1:] for region in changed if region[0] == "listing"} == {
        ("day", dt.date(2024, 8, 10)), ("day", dt.date(2024, 8, 9)), ("month", (2024, 8)), ("month", (2023, 7)),
        ("year", (2024,)), ("year", (2023,)), ("locations", "tolyatti")}
