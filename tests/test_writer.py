"""The output folder: rebuilds touch only what changed, stale pages go, foreign files stay, and no failed
or killed build ever damages the published site."""

import os

import pytest

from helpers import md, tree_hashes, tree_mtimes
from newsarchive.errors import OutputError
from newsarchive.writer import MANIFEST, read_manifest, write_site

OLD = 1_000_000_000  # 2001-09-09: an mtime no build can produce by accident
X = "articles/2023/2023-01-05-x.md"
Y = "articles/2023/2023-01-06-y.md"
ARTICLES = {
    X: md("title: X\ndate: 2023-01-05\nlocations: [Samara]\n", "Body of x.\n"),
    Y: md("title: Y\ndate: 2023-01-06\n", "Body of y.\n"),
}


def age(folder):
    """Give every file of ``folder`` an old mtime, so that any rewrite shows."""
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (OLD, OLD))


def rewritten(folder) -> set[str]:
    return {path for path, mtime in tree_mtimes(folder).items() if mtime != OLD * 10**9 and path != MANIFEST}


@pytest.fixture
def built(make_project, build_ok):
    root = make_project(ARTICLES)
    site = build_ok(root)
    age(site)
    return root, site


def test_second_identical_build_rewrites_nothing(built, run_cli):
    root, site = built
    before = tree_hashes(site)
    result = run_cli(root, "build")
    assert result.code == 0
    assert ": 0 written, 19 unchanged, 0 removed in " in result.out
    assert rewritten(site) == set()
    assert tree_hashes(site) == before


def test_changed_body_rewrites_only_the_report_page_and_the_feed(built, build_ok):
    root, site = built
    (root / X).write_text(md("title: X\ndate: 2023-01-05\nlocations: [Samara]\n", "A new body.\n"))
    build_ok(root)
    assert rewritten(site) == {"2023/01/05/x/index.html", "feed.xml"}
    assert b"A new body." in (site / "2023/01/05/x/index.html").read_bytes()


def test_changed_title_rewrites_exactly_the_files_whose_bytes_changed(built, build_ok):
    root, site = built
    before = tree_hashes(site)
    (root / X).write_text(md("title: X retitled\ndate: 2023-01-05\nlocations: [Samara]\n", "Body of x.\n"))
    build_ok(root)
    after = tree_hashes(site)
    changed = {path for path in after if before.get(path) != after[path] and path != MANIFEST}
    assert {"index.html", "2023/01/05/x/index.html", "2023/01/06/y/index.html", "locations/samara/index.html",
            "2023/index.html", "feed.xml"} <= changed
    assert "topics/strike/index.html" not in changed
    assert rewritten(site) == changed


def test_deleted_report_disappears_with_its_stale_pages(built, run_cli):
    root, site = built
    (root / Y).unlink()
    result = run_cli(root, "build")
    assert result.code == 0
    assert " 2 removed " in result.out
    assert not (site / "2023/01/06").exists()
    assert b"2023/01/06" not in (site / "sitemap.xml").read_bytes()
    assert set(read_manifest(site)) == set(tree_hashes(site)) - {MANIFEST}


def test_a_file_the_builder_did_not_write_survives_rebuilds(built, build_ok):
    root, site = built
    (site / "CNAME").write_text("archive.example.org\n")
    (site / "2023/01/06/notes.txt").write_text("kept\n")
    build_ok(root)
    (root / Y).unlink()
    build_ok(root)
    assert (site / "CNAME").read_text() == "archive.example.org\n"
    assert (site / "2023/01/06/notes.txt").read_text() == "kept\n"
    assert "CNAME" not in read_manifest(site)


def test_a_built_file_edited_by_hand_is_restored(built, build_ok):
    # Same size, different bytes: the builder must not keep the edited file as if it were its own.
    root, site = built
    expected = tree_hashes(site)
    page = site / "index.html"
    page.write_bytes(page.read_bytes().replace(b"Latest reports", b"LATEST REPORTS"))
    build_ok(root)
    assert tree_hashes(site) == expected


def test_non_empty_foreign_output_folder_is_refused(make_project, run_cli, build_ok):
    root = make_project(ARTICLES)
    (root / "_site").mkdir()
    (root / "_site/family-photos.jpg").write_bytes(b"\xff\xd8 precious")
    result = run_cli(root, "build")
    assert result.code == 3
    assert result.problems == [
        "_site: refusing to replace a folder this builder did not create; empty it, choose another output, "
        "or pass --force to keep its files and build into it"]
    assert os.listdir(root / "_site") == ["family-photos.jpg"]
    # --force adopts the folder and keeps the file; later builds need no --force.
    build_ok(root, "--force")
    build_ok(root)
    assert (root / "_site/family-photos.jpg").read_bytes() == b"\xff\xd8 precious"
    assert (root / "_site/2023/01/05/x/index.html").exists()


def test_empty_foreign_output_folder_is_used(make_project, build_ok):
    root = make_project(ARTICLES)
    (root / "_site").mkdir()
    assert (build_ok(root) / "index.html").exists()


def test_a_foreign_file_where_a_page_must_go_is_refused(make_project, run_cli):
    root = make_project(ARTICLES)
    (root / "_site").mkdir()
    (root / "_site/index.html").write_text("my own home page")
    result = run_cli(root, "build", "--force")
    assert result.code == 3
    assert result.problems == [
        "_site/index.html: a file this builder did not write is where a page must go; move it away"]
    assert (root / "_site/index.html").read_text() == "my own home page"


# Beside the site only the build lock remains (an empty-ish file; the kernel releases the lock itself).
PROJECT_AFTER_A_BUILD = ["._site.lock", "_site", "articles", "site_config.yaml", "templates"]


def test_invalid_article_leaves_the_built_site_byte_identical(built, run_cli):
    root, site = built
    before, mtimes = tree_hashes(site), tree_mtimes(site)
    (root / "articles/2023/2023-01-07-z.md").write_text(md("title: Z\ndate: 2023-01-07\ntopics: [strke]\n"))
    (root / X).write_text(md("title: X changed\ndate: 2023-01-05\n"))  # a valid change, not published either
    result = run_cli(root, "build")
    assert result.code == 1
    assert result.err.splitlines()[-1] == "1 problem found; nothing was written"
    assert tree_hashes(site) == before
    assert tree_mtimes(site) == mtimes
    assert sorted(os.listdir(root)) == PROJECT_AFTER_A_BUILD


def test_template_error_mid_render_leaves_the_old_site_intact(built, run_cli, build_ok):
    root, site = built
    before = tree_hashes(site)
    template = root / "templates/listing.html"
    good = template.read_text()
    # Only the day pages fail, long after the home page and the report pages were rendered.
    template.write_text(good.replace('{% if listing.kind == "day" %}', '{% if listing.kind == "day" %}{{ listing.nope }}', 1))
    line = next(i for i, text in enumerate(template.read_text().split("\n"), 1) if "listing.nope" in text)
    result = run_cli(root, "build")
    assert result.code == 1
    assert result.problems == [
        f"templates/listing.html:{line}: 'newsarchive.indexes.Listing object' has no attribute 'nope' "
        "(rendering /2023/01/05/)"]
    assert tree_hashes(site) == before
    # Fixed, the next build works and leaves no staging folder behind.
    template.write_text(good)
    build_ok(root)
    assert tree_hashes(site) == before
    assert sorted(os.listdir(root)) == PROJECT_AFTER_A_BUILD


def test_leftover_staging_of_a_killed_build_is_cleaned(built, build_ok):
    root, site = built
    before = tree_hashes(site)
    staging = root / "._site.staging"
    (staging / "2023").mkdir(parents=True)
    (staging / ".newsarchive-staging").write_text("")
    (staging / "2023/half-written.html").write_text("<p>half")
    build_ok(root)
    assert not staging.exists()
    assert tree_hashes(site) == before


def test_build_killed_between_the_two_renames_is_recovered(built, build_ok):
    # Killed after the published folder was moved aside and before the new one was moved in.
    root, site = built
    before = tree_hashes(site)
    os.rename(site, root / "._site.old")
    build_ok(root)
    assert tree_hashes(site) == before
    assert sorted(os.listdir(root)) == PROJECT_AFTER_A_BUILD


def test_a_foreign_folder_named_like_the_staging_folder_is_not_deleted(built, run_cli):
    root, site = built
    theirs = root / "._site.staging"
    theirs.mkdir()
    (theirs / "keep.txt").write_text("mine")
    result = run_cli(root, "build")
    assert result.code == 3
    assert result.problems == [
        "._site.staging: this folder is in the way of the build's staging folder and was not made by it; move it"]
    assert (theirs / "keep.txt").read_text() == "mine"


def test_output_override_builds_elsewhere(make_project, run_cli, tmp_path):
    root = make_project(ARTICLES)
    result = run_cli(root, "build", "--output", "../public")
    assert result.code == 0, result.err
    assert (tmp_path / "public/2023/01/05/x/index.html").exists()
    assert not (root / "_site").exists()


# --- write_site on its own ---------------------------------------------------------------------

@pytest.mark.parametrize("relpath", ["../escape.html", "/etc/x", "a/../../b", "a\\b", ""])
def test_paths_leaving_the_output_folder_are_refused(tmp_path, relpath):
    with pytest.raises(OutputError) as info:
        write_site([("index.html", b"ok"), (relpath, b"bad")], tmp_path / "out")
    assert [p.message for p in info.value.problems] == ["refusing an output path outside the output folder"]
    assert not (tmp_path / "escape.html").exists()
    assert not (tmp_path / "out").exists()


def test_two_pages_for_one_file_are_refused(tmp_path):
    with pytest.raises(OutputError) as info:
        write_site([("a/index.html", b"1"), ("a/index.html", b"2")], tmp_path / "out")
    assert [str(p) for p in info.value.problems] == ["a/index.html: two pages would be written to the same file"]


def test_write_report_counts(tmp_path):
    out = tmp_path / "out"
    first = write_site([("a.html", b"a"), ("b/index.html", b"b")], out)
    assert (first.files, first.written, first.unchanged, first.removed) == (2, 2, 0, 0)
    second = write_site([("a.html", b"a"), ("c.html", b"c")], out)
    assert (second.files, second.written, second.unchanged, second.removed) == (2, 1, 1, 1)
    assert tree_hashes(out).keys() == {"a.html", "c.html", MANIFEST}
