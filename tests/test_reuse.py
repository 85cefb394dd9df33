"""A rebuild takes a group of pages from the last build's plan only if planning it now would give the same.

Whatever reports are added, removed, moved, refiled, retitled or given a new body, every page taken
over (reuse.Reused) must be the page planning from nothing gives now: the same address, template,
date and indexing, the same report, the same fingerprint; and the plan must hold the same pages in
the same order.
"""

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive import routes
from newsarchive.fingerprint import Fingerprinter
from newsarchive.indexes import index_site
from newsarchive.regions import changed_regions
from newsarchive.render import plan_pages
from newsarchive.reuse import EarlierPlan, PlanRecord, Reused
from test_regions import SLUGS, changed_reports, config, report_strategy, reports  # noqa: F401 (config: a fixture)


class Store:
    """The cache's rendered pages, none lost."""

    def has(self, digest: str) -> bool:
        return True


def recorded_plan(index, config, published: dict) -> dict:
    """The groups a build of ``index`` leaves for the next, each page's bytes "published"."""
    fingerprints = Fingerprinter("base", {})
    record = PlanRecord(EarlierPlan(fingerprints, "", {}, frozenset(), True, {}, {}, Store()))
    for page in plan_pages(index, config, {}):
        relpath = routes.output_path(page.url)
        without = fingerprints.without_bodies(page)
        key = fingerprints.with_bodies(without, page)
        published[relpath] = f"bytes of {key}"
        record.add(page, relpath, without, key, published[relpath])
    return record.groups()


def with_new_bodies(articles: list, slugs: set) -> list:
    return [dataclasses.replace(article, body_digest="new " + article.slug) if article.slug in slugs else article
            for article in articles]


@settings(max_examples=150, deadline=None)
@given(before=st.dictionaries(st.sampled_from(SLUGS), report_strategy, min_size=1, max_size=30),
       changes=st.dictionaries(st.sampled_from(SLUGS), st.none() | st.just("retitle") | report_strategy, max_size=3),
       new_bodies=st.sets(st.sampled_from(SLUGS), max_size=2))
def test_a_group_is_taken_only_as_planning_it_now_would_give_it(config, before, changes, new_bodies):
    earlier_index = index_site(reports(before), config)
    index = index_site(with_new_bodies(reports(changed_reports(before, changes)), new_bodies), config,
                       earlier_index.related_memo)
    published = {}
    earlier = EarlierPlan(Fingerprinter("base", {}), "", recorded_plan(earlier_index, config, published),
                          frozenset(changed_regions(index, earlier_index.related_memo)), True,
                          {article.source_path: article.body_digest for article in index.articles}, published, Store())
    planned = plan_pages(index, config, {}, earlier)
    fresh = plan_pages(index, config, {})
    assert [page.url for page in planned] == [page.url for page in fresh]
    fingerprints = Fingerprinter("base", {})
    for taken, page in zip(planned, fresh):
        if type(taken) is Reused:
            without = fingerprints.without_bodies(page)
            assert taken == Reused(page.url, page.template, page.lastmod, page.noindex, page.source_path,
                                   routes.output_path(page.url), without, fingerprints.with_bodies(without, page),
                                   published[taken.relpath])
    if not changes and not new_bodies:  # nothing changed: every group with a region is taken whole
        assert all(type(taken) is Reused for taken, page in zip(planned, fresh) if page.region is not None)


def test_a_group_whose_bytes_are_lost_is_planned_again(config):
    index = index_site(reports({"a": (0, {"samara"}, set(), "A", ()), "b": (9, set(), {"strike"}, "A", ())}), config)
    published = {}
    groups = recorded_plan(index, config, published)

    def plan(store_has: bool, published: dict) -> list:
        store = Store()
        store.has = lambda digest: store_has
        earlier = EarlierPlan(Fingerprinter("base", {}), "", groups, frozenset(), False,
                              {article.source_path: article.body_digest for article in index.articles}, published, store)
        return plan_pages(index, config, {}, earlier)

    reports_page = routes.article_url(index.articles[0])
    assert all(type(page) is Reused for page in plan(True, published) if page.url == reports_page)
    assert all(type(page) is Reused for page in plan(False, published) if page.url == reports_page)
    lost = {relpath: digest for relpath, digest in published.items() if relpath != routes.output_path(reports_page)}
    assert not any(type(page) is Reused for page in plan(False, lost) if page.url == reports_page)
    assert any(type(page) is Reused for page in plan(False, lost))
