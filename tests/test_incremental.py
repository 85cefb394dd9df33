"""Rebuilds redo only what changed, and are exactly right: a rebuild gives the bytes a clean build gives."""

import io
import json
import os
import re
import subprocess
import sys

import pytest

from helpers import BUILD_SCRIPT, md, page_url, resolve_link, tree_hashes, tree_mtimes
from newsarchive.cache import KEYS_FILE, PARTED, BuildCache
from newsarchive.config import load_config
from newsarchive.progress import Progress
from newsarchive.writer import MANIFEST, SLOT_MARKER

BOOKKEEPING = {MANIFEST, SLOT_MARKER}
ARTICLES = {
    f"articles/2023/2023-01-0{day}-r{day}.md": md(
        f"title: Report {day}\ndate: 2023-01-0{day}\nlocations: [{place}]\ntopics: [Strike]\n",
        f"Body of report {day}, with a [link](https://outlet.example/{day}).\n")
    for day, place in ((1, "Makiivka"), (2, "Samara"), (3, "Samara"), (4, "Tolyatti"), (5, "Makiivka"))
}


def site_bytes(site) -> dict[str, str]:
    return {path: digest for path, digest in tree_hashes(site).items() if path not in BOOKKEEPING}


def changed(before: dict, after: dict) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def clean_build_of(make_project, build_ok, root) -> dict[str, str]:
    """What a build from nothing gives for ``root``'s current sources: the reference for every rebuild."""
    return site_bytes(build_ok(copy_of_project(make_project, root)))


def copy_of_project(make_project, root):
    """A new project with ``root``'s sources, config and templates, and no cache or site."""
    fresh = make_project({str(p.relative_to(root)): p.read_bytes() for p in (root / "articles").rglob("*.md")},
                         config=(root / "site_config.yaml").read_text(), name=f"fresh-{len(list(root.parent.iterdir()))}")
    for template in (root / "templates").rglob("*"):
        if template.is_file():
            (fresh / template.relative_to(root)).write_bytes(template.read_bytes())
    return fresh


def kept_plan(root) -> tuple:
    """The plan and fingerprints the cache keeps for the next build to take: a rebuild must leave those a clean build does."""
    cache = BuildCache.open(root / ".newsarchive-cache", load_config(root / "site_config.yaml").content_key)
    return cache.reports_key, cache.groups, cache.listings


@pytest.fixture
def project(make_project, build_ok):
    root = make_project(ARTICLES)
    build_ok(root)
    return root


def test_a_rebuild_after_each_kind_of_change_equals_a_clean_build(project, make_project, build_ok):
    edits = [
        lambda root: (root / "articles/2023/2023-01-02-r2.md").write_text(
            md("title: Report 2 retitled\ndate: 2023-01-02\nlocations: [Samara]\ntopics: [Strike]\n", "New body.\n")),
        lambda root: (root / "articles/2023/2023-01-06-r6.md").write_text(
            md("title: Report 6\ndate: 2023-01-06\nlocations: [Togliatti]\n", "Added.\n")),
        lambda root: (root / "articles/2023/2023-01-04-r4.md").write_text(
            md("title: Report 4\ndate: 2023-01-04\nlocations: [Tolyatti]\ntopics: [Strike]\n"
               "claims:\n  - {claimant: Ministry, measure: killed, figure: 63, stated: 2023-01-02}\n"
               "corrections:\n  - {date: 2023-01-05, text: Fixed., serious: true}\n", "Body of report 4.\n")),
        lambda root: (root / "articles/2023/2023-01-03-r3.md").unlink(),
        # Only the sitemap's date for the report, and the report's own page, change.
        lambda root: (root / "articles/2023/2023-01-05-r5.md").write_text(
            md("title: Report 5\ndate: 2023-01-05\nupdated: 2023-01-09\nlocations: [Makiivka]\ntopics: [Strike]\n",
               "Body of report 5, with a [link](https://outlet.example/5).\n")),
        lambda root: (root / "templates/_macros.html").write_text(
            (root / "templates/_macros.html").read_text().replace(' · ', ' | ')),
        lambda root: (root / "site_config.yaml").write_text(
            (root / "site_config.yaml").read_text().replace("City in Donetsk Oblast.", "A city east of Donetsk.")),
    ]
    for edit in edits:
        edit(project)
        rebuilt = site_bytes(build_ok(project))
        fresh = copy_of_project(make_project, project)
        assert rebuilt == site_bytes(build_ok(fresh))
        assert kept_plan(project) == kept_plan(fresh)


def test_a_template_edit_reaches_exactly_the_pages_that_use_it(project, build_ok):
    site = project / "_site"
    before = site_bytes(site)
    timeline = project / "templates/timeline.html"
    timeline.write_text(timeline.read_text().replace('class="timeline-reports"', 'class="timeline-reports edited"'))
    build_ok(project)
    assert changed(before, site_bytes(site)) == {"timeline/index.html"}
    # base.html is extended by every page, so every HTML page changes.
    base = project / "templates/base.html"
    base.write_text(base.read_text().replace("</footer>", "<!-- edited --></footer>"))
    before = site_bytes(site)
    build_ok(project)
    assert changed(before, site_bytes(site)) == {path for path in before if path.endswith(".html")}


def test_a_deleted_report_leaves_every_listing_feed_sitemap_and_the_search_index(project, build_ok):
    (project / "articles/2023/2023-01-05-r5.md").unlink()
    site = build_ok(project)
    assert not (site / "2023/01/05").exists()
    for path, data in ((p, (site / p).read_bytes()) for p in site_bytes(site)):
        assert b"Report 5" not in data and b"2023/01/05/r5" not in data, path


def test_only_changed_sources_are_parsed_and_only_changed_pages_rendered(project, run_cli, monkeypatch):
    from newsarchive import reader, render
    parsed, rendered = [], []
    real_read, real_render = reader.read_article, render.render_page
    monkeypatch.setattr(reader, "read_article", lambda path, *a: parsed.append(path.name) or real_read(path, *a))
    monkeypatch.setattr(render, "render_page", lambda page, env: rendered.append(page.url) or real_render(page, env))
    assert run_cli(project, "build", "--jobs", "1").code == 0  # one process, so that every render is seen here
    assert (parsed, rendered) == ([], [])
    (project / "articles/2023/2023-01-04-r4.md").write_text(
        md("title: Report 4\ndate: 2023-01-04\nlocations: [Tolyatti]\ntopics: [Strike]\n", "A changed body.\n"))
    assert run_cli(project, "build", "--jobs", "1").code == 0
    assert parsed == ["2023-01-04-r4.md"]
    # The body shows on its own page, in the feeds that carry it, and in the search index's words.
    assert sorted(rendered) == ["2023/01/04/r4/", "feed.xml", "locations/tolyatti/feed.xml", "search/2023-1.js",
                                "topics/strike/feed.xml"]


def test_a_build_from_another_folder_or_with_the_config_by_another_path_keeps_the_cache(
        project, run_cli, monkeypatch):
    """Sources are named relative to the project, not to the working folder: the cache is the same."""
    from newsarchive import reader, render
    parsed, rendered = [], []
    real_read, real_render = reader.read_article, render.render_page
    monkeypatch.setattr(reader, "read_article", lambda path, *a: parsed.append(path.name) or real_read(path, *a))
    monkeypatch.setattr(render, "render_page", lambda page, env: rendered.append(page.url) or real_render(page, env))
    before = site_bytes(project / "_site")
    config = str(project / "site_config.yaml")
    for folder, config_path in ((project / "articles", config), (project.parent, config),
                                (project, "./site_config.yaml"), (project / "articles/2023", "../../site_config.yaml")):
        result = run_cli(folder, "build", "--jobs", "1", "--config", config_path)
        assert result.code == 0, result.err
        assert (parsed, rendered) == ([], []), folder
        assert " 0 written" in result.out
    assert site_bytes(project / "_site") == before
    # The lock names sources relative to the project, too.
    (project / "urls.lock").write_text("")
    assert run_cli(project / "articles", "build", "--jobs", "1", "--config", config).code == 0
    assert "/2023/01/04/r4/ articles/2023/2023-01-04-r4.md\n" in (project / "urls.lock").read_text()


ONE_YEAR_ON = {"articles/2024/2024-01-01-y1.md": md(
    "title: A year on\ndate: 2024-01-01\nlocations: [Samara]\ntopics: [Commemoration]\n", "Body of a year on.\n")}
YEARLY = {2023: ("search/2023-1.js", "timeline/index.html"), 2024: ("search/2024-1.js", "timeline/2024/index.html")}


@pytest.mark.parametrize("year", sorted(YEARLY))
def test_a_new_report_rewrites_its_years_search_index_and_timeline_and_not_the_other_years(
        year, make_project, build_ok, run_cli, monkeypatch):
    from newsarchive import render
    root = make_project({**ARTICLES, **ONE_YEAR_ON})
    site = build_ok(root)
    before = site_bytes(site)
    rendered = []
    real_render = render.render_page
    monkeypatch.setattr(render, "render_page", lambda page, env: rendered.append(page.url) or real_render(page, env))
    (root / f"articles/{year}/{year}-01-08-added.md").write_text(
        md(f"title: Added in {year}\ndate: {year}-01-08\nlocations: [Samara]\n", "Newly added words.\n"))
    assert run_cli(root, "build", "--jobs", "1").code == 0  # one process, so that every render is seen here
    after = site_bytes(site)
    (own_index, own_timeline), (other_index, other_timeline) = YEARLY[year], YEARLY[2023 + 2024 - year]
    assert {own_index, own_timeline} <= changed(before, after)
    assert b"Added in" in (site / own_timeline).read_bytes() and b'"newly"' in (site / own_index).read_bytes()
    # The other year's index and timeline page are neither rendered again nor rewritten.
    assert {other_index, other_timeline}.isdisjoint(changed(before, after))
    assert {page_url(own_index), page_url(own_timeline)} <= set(rendered)
    assert {page_url(other_index), page_url(other_timeline)}.isdisjoint(rendered)
    assert after == clean_build_of(make_project, build_ok, root)


def samara_reports(*days: int) -> dict[str, str]:
    """Reports filed in Samara on the given days of January 2023 (the test config shows 2 a page)."""
    return {f"articles/2023/2023-01-{day:02d}-s{day}.md": md(
        f"title: Samara report {day}\ndate: 2023-01-{day:02d}\nlocations: [Samara]\n", f"Body {day}.\n")
        for day in days}


# Listings that hold exactly the Samara reports: each paginates the same way.
SAMARA_LISTINGS = ("2023/", "2023/01/", "locations/samara/")


def listing_files(site_files, url: str) -> set[str]:
    """The files of a listing's pages: its own page and its numbered pages."""
    return {path for path in site_files if path == url + "index.html"
            or (path.startswith(url + "page/") and path.count("/") == url.count("/") + 2)}


def pagination_links(site, url: str) -> dict[str, str]:
    """{"prev" (newer) / "next" (older): site URL} of the listing page at ``url``."""
    text = (site / url / "index.html").read_text()
    return {rel: page_url(resolve_link(url, href)) for rel, href in re.findall(r'<a rel="(prev|next)" href="([^"]+)"', text)}


OLD = 1_000_000_000  # an mtime no build gives a file: one it still has was not rewritten


def add_and_rebuild(root, run_cli, monkeypatch, articles: dict) -> tuple[list[str], set[str]]:
    """Add ``articles`` and rebuild in this process: the URLs of the pages rendered again, and the files rewritten."""
    from newsarchive import render
    site = root / "_site"
    for path in site.rglob("*"):
        if path.is_file():
            os.utime(path, (OLD, OLD))
    rendered = []
    real_render = render.render_page
    monkeypatch.setattr(render, "render_page", lambda page, env: rendered.append(page.url) or real_render(page, env))
    for path, text in articles.items():
        (root / path).write_text(text)
    result = run_cli(root, "build", "--jobs", "1")  # one process, so that every render is seen here
    assert (result.code, result.err) == (0, "")
    return rendered, {path for path, mtime in tree_mtimes(site).items()
                      if mtime != OLD * 10**9 and path not in BOOKKEEPING}


def test_a_newer_report_changes_a_listings_own_page_and_no_numbered_page(make_project, build_ok, run_cli, monkeypatch):
    root = make_project(samara_reports(*range(1, 7)))
    site = build_ok(root)
    before = site_bytes(site)
    for url in SAMARA_LISTINGS:  # 6 reports: pages 1 to 3, and the own page shows 5 and 6
        assert listing_files(before, url) == {url + "index.html", *(f"{url}page/{n}/index.html" for n in (1, 2, 3))}
    rendered, rewritten = add_and_rebuild(root, run_cli, monkeypatch, samara_reports(7))
    after = site_bytes(site)
    assert rewritten == changed(before, after) and set(SAMARA_LISTINGS) <= set(rendered)
    for url in SAMARA_LISTINGS:
        # 7 reports fill no new page: the own page shows 5 to 7, and the numbered pages stay as they were.
        assert listing_files(after, url) == listing_files(before, url)
        assert changed(before, after) & listing_files(after, url) == {url + "index.html"}, url
        assert b"Samara report 7" in (site / url / "index.html").read_bytes()
        assert pagination_links(site, url) == {"next": url + "page/2/"}
    # No numbered page anywhere was rendered again or rewritten.
    assert [url for url in rendered if "/page/" in url] == []
    assert [path for path in rewritten if "/page/" in path] == []
    assert after == clean_build_of(make_project, build_ok, root)


def test_a_report_that_fills_a_page_adds_one_numbered_page(make_project, build_ok, run_cli, monkeypatch):
    root = make_project(samara_reports(*range(1, 8)))
    site = build_ok(root)
    before = site_bytes(site)
    assert [pagination_links(site, f"locations/samara/page/{n}/") for n in (1, 2, 3)] == [
        {"prev": "locations/samara/page/2/"},
        {"prev": "locations/samara/page/3/", "next": "locations/samara/page/1/"},
        {"prev": "locations/samara/", "next": "locations/samara/page/2/"}]
    rendered, rewritten = add_and_rebuild(root, run_cli, monkeypatch, samara_reports(8))
    after = site_bytes(site)
    assert rewritten == changed(before, after)
    for url in SAMARA_LISTINGS:
        # 8 reports: page 4 (7 and 8) is new; the own page now shows just those two and goes on to
        # page 3, whose "newer" link now leads to page 4. Pages 1 and 2 are untouched.
        assert listing_files(after, url) - listing_files(before, url) == {f"{url}page/4/index.html"}, url
        assert changed(before, after) & listing_files(after, url) == {
            url + "index.html", f"{url}page/3/index.html", f"{url}page/4/index.html"}, url
        assert pagination_links(site, url) == {"next": url + "page/3/"}
        assert pagination_links(site, f"{url}page/3/") == {"prev": url + "page/4/", "next": url + "page/2/"}
        assert pagination_links(site, f"{url}page/4/") == {"prev": url, "next": url + "page/3/"}
    assert sorted(url for url in rendered if "/page/" in url) == sorted(
        f"{url}page/{n}/" for url in SAMARA_LISTINGS for n in (3, 4))
    assert after == clean_build_of(make_project, build_ok, root)


def test_the_cache_never_changes_the_output(project, make_project, build_ok, run_cli, tmp_path):
    warm = site_bytes(project / "_site")
    cache = project / ".newsarchive-cache"
    for path in [cache / KEYS_FILE, *(part for name in PARTED for part in (cache / name).iterdir())]:
        path.write_bytes(b"not a cache file")  # damaged: ignored
    assert run_cli(project, "build", "--output", str(tmp_path / "other")).code == 0
    assert site_bytes(tmp_path / "other") == warm
    assert run_cli(project, "build", "--clean", "--jobs", "1").code == 0
    assert site_bytes(project / "_site") == warm


def test_parallel_and_serial_builds_give_the_same_bytes(make_project, tmp_path):
    many = {f"articles/2023/2023-02-{1 + n % 28:02d}-n{n:03d}.md":
            md(f"title: Report {n}\ndate: 2023-02-{1 + n % 28:02d}\nlocations: [Samara]\n", f"Body {n}.\n" * 30)
            for n in range(80)}
    root = make_project(many)
    for jobs in ("1", "2"):
        subprocess.run([sys.executable, str(BUILD_SCRIPT), "build", "--clean", "--jobs", jobs,
                        "--output", str(tmp_path / f"out-{jobs}")], cwd=root, check=True, capture_output=True)
    assert site_bytes(tmp_path / "out-1") == site_bytes(tmp_path / "out-2")


def test_progress_is_one_line_rewritten_and_cleared():
    stream = io.StringIO()
    progress = Progress(stream)
    progress("reading reports", 1, 3)
    progress("reading reports", 2, 3)  # too soon after the first: not shown
    progress("reading reports", 3, 3)  # the last is always shown
    progress.finish()
    assert stream.getvalue() == ("\rreading reports: 1/3" + "\rreading reports: 3/3" + "\r" + " " * 20 + "\r")


def test_piped_output_is_just_the_summary(project):
    result = subprocess.run([sys.executable, str(BUILD_SCRIPT)], cwd=project, capture_output=True, text=True)
    assert result.stderr == ""
    assert result.stdout.startswith("built 5 reports into ") and result.stdout.count("\n") == 1


def test_the_manifest_is_deterministic_json(project):
    data = json.loads((project / "_site" / MANIFEST).read_text())
    assert list(data["files"]) == sorted(data["files"])


def test_a_rebuild_makes_its_stat_calls_in_a_helper_and_still_sees_every_change(project, run_cli, monkeypatch, tmp_path):
    # The sources and both copies of the site are looked at by a forked helper (Prefetch); what it
    # finds must be what the build would find: a new report, and a page deleted from the hidden copy.
    from newsarchive import build
    callers = tmp_path / "callers"

    def noting_the_caller(function):
        def call(*args):
            with open(callers, "a") as log:
                log.write(f"{function.__name__} {os.getpid()}\n")
            return function(*args)
        return call
    for name in ("find_sources", "survey_copies"):
        monkeypatch.setattr(build, name, noting_the_caller(getattr(build, name)))
    hidden = os.path.realpath(project / "_site").replace("._site.a", "._site.b")  # the first build's spare
    os.unlink(f"{hidden}/2023/01/02/r2/index.html")
    (project / "articles/2023/2023-01-06-r6.md").write_text(md("title: Report 6\ndate: 2023-01-06\n", "Body six.\n"))
    result = run_cli(project, "build", "--jobs", "1")
    assert (result.code, result.err) == (0, "")
    assert {line.split()[0] for line in callers.read_text().splitlines()} == {"find_sources", "survey_copies"}
    assert str(os.getpid()) not in callers.read_text().split()
    site = project / "_site"
    assert os.path.realpath(site) == hidden
    assert (site / "2023/01/06/r6/index.html").exists() and (site / "2023/01/02/r2/index.html").exists()
