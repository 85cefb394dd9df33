"""The output folder: rebuilds touch only what changed, stale pages go, foreign files stay, and no failed
or killed build ever damages the published site."""

import hashlib
import os
import shutil

import pytest

from helpers import md, sitemap_entries, tree_hashes, tree_mtimes
from newsarchive.errors import OutputError
from newsarchive import writer
from newsarchive.writer import (MANIFEST, SLOT_MARKER, Output, Unchanged, files_of, publish, read_manifest, slot_path,
                                survey_copies)

BOOKKEEPING = {MANIFEST, SLOT_MARKER}

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
    return {path for path, mtime in tree_mtimes(folder).items() if mtime != OLD * 10**9 and path not in BOOKKEEPING}


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
    files = len(tree_hashes(site)) - len(BOOKKEEPING)
    assert f"into {files} files: 0 written, {files} unchanged, 0 removed in " in result.out
    assert rewritten(site) == set()
    assert tree_hashes(site) == before


def test_changed_body_rewrites_only_the_report_page_and_the_feed(built, build_ok):
    root, site = built
    (root / X).write_text(md("title: X\ndate: 2023-01-05\nlocations: [Samara]\n", "A new body.\n"))
    build_ok(root)
    # The feeds embed bodies and the search index holds their words; nothing else shows a body.
    assert rewritten(site) == {"2023/01/05/x/index.html", "feed.xml", "locations/samara/feed.xml", "search/2023-1.js"}
    assert b"A new body." in (site / "2023/01/05/x/index.html").read_bytes()


def test_changed_title_rewrites_exactly_the_files_whose_bytes_changed(built, build_ok):
    root, site = built
    before = tree_hashes(site)
    (root / X).write_text(md("title: X retitled\ndate: 2023-01-05\nlocations: [Samara]\n", "Body of x.\n"))
    build_ok(root)
    after = tree_hashes(site)
    changed = {path for path in after if before.get(path) != after[path] and path not in BOOKKEEPING}
    assert {"index.html", "2023/01/05/x/index.html", "2023/01/06/y/index.html", "locations/samara/index.html",
            "2023/index.html", "feed.xml"} <= changed
    assert "topics/strike/index.html" not in changed
    assert rewritten(site) == changed


def test_deleted_report_disappears_with_its_stale_pages(built, run_cli):
    root, site = built
    (root / Y).unlink()
    result = run_cli(root, "build", "--verbose")
    assert result.code == 0
    # Its day and report pages, and the numbered page 1 of 2023 and of January: with one report
    # left, neither holds a full page any more.
    assert " 4 removed " in result.out
    assert {line for line in result.out.splitlines() if line.startswith("removed: ")} == {
        "removed: /2023/01/06/", "removed: /2023/01/06/y/", "removed: /2023/page/1/", "removed: /2023/01/page/1/"}
    assert not (site / "2023/01/06").exists()
    assert not (site / "2023/page").exists() and not (site / "2023/01/page").exists()
    listed = sitemap_entries(site)
    assert listed and not [url for url in listed if "2023/01/06" in url]
    assert set(read_manifest(site).files) == set(tree_hashes(site)) - BOOKKEEPING


def test_a_file_the_builder_did_not_write_survives_rebuilds(built, build_ok):
    root, site = built
    (site / "CNAME").write_text("archive.example.org\n")
    (site / "2023/01/06/notes.txt").write_text("kept\n")
    build_ok(root)
    (root / Y).unlink()
    build_ok(root)
    assert (site / "CNAME").read_text() == "archive.example.org\n"
    assert (site / "2023/01/06/notes.txt").read_text() == "kept\n"
    assert "CNAME" not in read_manifest(site).files
    assert read_manifest(site).kept == ("2023/01/06/notes.txt", "CNAME")


def test_a_kept_file_deleted_by_its_owner_stays_deleted(built, build_ok):
    root, site = built
    (site / "CNAME").write_text("archive.example.org\n")
    build_ok(root)
    (site / "CNAME").unlink()
    build_ok(root)
    build_ok(root)
    assert not (site / "CNAME").exists()


def test_a_built_file_edited_by_hand_is_restored_by_a_clean_build(built, build_ok):
    # Rebuilds trust the manifest (reading every published file back would be slow); --clean does not.
    root, site = built
    expected = tree_hashes(site)
    page = site / "index.html"
    page.write_bytes(page.read_bytes().replace(b"Latest reports", b"LATEST REPORTS"))
    build_ok(root, "--clean")
    assert tree_hashes(site) == expected
    build_ok(root)  # the copy set aside, which still holds the edit, is not trusted again
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


def project_is_tidy(root) -> bool:
    """Beside the sources only the output link, its two copies (with the times of their folders), the
    lock (the kernel releases it) and the build cache."""
    return set(os.listdir(root)) <= {"._site.a", "._site.b", "._site.a.folders", "._site.b.folders", "._site.lock",
                                     "_site", "articles", "site_config.yaml", "templates", ".newsarchive-cache"
                                     } and (root / "_site").is_symlink()


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
    assert project_is_tidy(root)


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
    # Fixed, the next build works and leaves nothing half-written behind.
    template.write_text(good)
    build_ok(root)
    assert tree_hashes(site) == before
    assert project_is_tidy(root)


def test_a_half_written_copy_left_by_a_killed_build_is_made_anew(built, build_ok):
    root, site = built
    before = tree_hashes(site)
    half = slot_path(root / "_site", "b")  # the copy the next build writes into
    shutil.rmtree(half)
    (half / "2023").mkdir(parents=True)
    (half / SLOT_MARKER).write_text("")
    (half / "2023/half-written.html").write_text("<p>half")
    (root / "._site.link").symlink_to("._site.b")  # a link made just before the kill
    build_ok(root)
    assert tree_hashes(site) == before
    assert not (site / "2023/half-written.html").exists()
    assert project_is_tidy(root)


def test_an_output_folder_from_an_older_build_becomes_a_link(make_project, build_ok, tmp_path):
    root = make_project(ARTICLES)
    site = build_ok(root)
    before = tree_hashes(site)
    # An output that is a plain folder with our manifest (as older versions wrote it) is taken over.
    (root / "_site").unlink()
    os.rename(os.path.realpath(root / "._site.a"), tmp_path / "old")
    os.rename(tmp_path / "old", root / "_site")
    (root / "_site" / SLOT_MARKER).unlink()
    age(root / "_site")
    build_ok(root)
    assert (root / "_site").is_symlink()
    assert tree_hashes(site) == before
    assert rewritten(site) == set()


def test_a_foreign_folder_named_like_a_copy_is_not_deleted(built, run_cli):
    root, site = built
    theirs = slot_path(root / "_site", "b")
    shutil.rmtree(theirs)  # the spare copy the first build made, replaced by someone's folder
    theirs.mkdir()
    (theirs / "keep.txt").write_text("mine")
    result = run_cli(root, "build")
    assert result.code == 3
    assert result.problems == ["._site.b: this folder is in the way of the build and was not made by it; move it"]
    assert (theirs / "keep.txt").read_text() == "mine"


def test_an_output_link_the_builder_did_not_make_is_refused(make_project, run_cli, tmp_path):
    root = make_project(ARTICLES)
    (tmp_path / "elsewhere").mkdir()
    (root / "_site").symlink_to(tmp_path / "elsewhere")
    result = run_cli(root, "build")
    assert result.code == 3
    assert result.problems == [f"_site: is a link to {tmp_path / 'elsewhere'}, which this builder did not make; remove it"]
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_output_override_builds_elsewhere(make_project, run_cli, tmp_path):
    root = make_project(ARTICLES)
    result = run_cli(root, "build", "--output", "../public")
    assert result.code == 0, result.err
    assert (tmp_path / "public/2023/01/05/x/index.html").exists()
    assert not (root / "_site").exists()


# --- publish on its own -------------------------------------------------------------------------

def outputs(*pairs):
    return [Output(relpath, hashlib.sha256(data).hexdigest(), data) for relpath, data in pairs]


@pytest.mark.parametrize("relpath", ["../escape.html", "/etc/x", "a/../../b", "a\\b", ""])
def test_paths_leaving_the_output_folder_are_refused(tmp_path, relpath):
    with pytest.raises(OutputError) as info:
        publish(outputs(("index.html", b"ok"), (relpath, b"bad")), tmp_path / "out")
    assert [p.message for p in info.value.problems] == ["refusing an output path outside the output folder"]
    assert not (tmp_path / "escape.html").exists()
    assert not (tmp_path / "out").exists()


def test_two_pages_for_one_file_are_refused(tmp_path):
    with pytest.raises(OutputError) as info:
        publish(outputs(("a/index.html", b"1"), ("a/index.html", b"2")), tmp_path / "out")
    assert [str(p) for p in info.value.problems] == ["a/index.html: two pages would be written to the same file"]


def test_write_report_counts(tmp_path):
    out = tmp_path / "out"
    first = publish(outputs(("a.html", b"a"), ("b/index.html", b"b")), out)
    assert (first.files, first.written, first.unchanged, first.removed) == (2, 2, 0, ())
    second = publish(outputs(("a.html", b"a"), ("c.html", b"c")), out)
    assert (second.files, second.written, second.unchanged, second.removed) == (2, 1, 1, ("b/index.html",))
    assert (second.added, second.changed) == (("c.html",), ())
    assert tree_hashes(out).keys() == {"a.html", "c.html"} | BOOKKEEPING


def test_a_first_build_leaves_a_spare_copy_sharing_every_file(tmp_path):
    # The next build updates the spare in proportion to what changed, instead of making it whole.
    out = tmp_path / "out"
    publish(outputs(("a.html", b"a"), ("sub/b.html", b"b")), out)
    published, spare = (slot_path(out, name) for name in ("a", "b"))
    assert read_manifest(spare) == read_manifest(published)
    for relpath in ("a.html", "sub/b.html"):
        assert os.path.samefile(published / relpath, spare / relpath)
    publish(outputs(("a.html", b"a"), ("sub/b.html", b"b2")), out)
    assert os.path.realpath(out) == str(spare) and (out / "sub/b.html").read_bytes() == b"b2"
    assert os.path.samefile(published / "a.html", spare / "a.html")


@pytest.mark.parametrize("keep_times", [True, False])
def test_files_deleted_from_the_spare_copy_are_placed_again(tmp_path, keep_times):
    # The spare's manifest is not taken on trust: folders whose times changed are looked into, and
    # a spare whose folders' times are lost is made anew.
    out = tmp_path / "out"
    pages = outputs(("a.html", b"a"), ("sub/b.html", b"b"), ("sub/deeper/c.html", b"c"))
    publish(pages, out)
    spare = slot_path(out, "b")
    (spare / "sub/b.html").unlink()
    shutil.rmtree(spare / "sub/deeper")
    if not keep_times:
        spare.with_name(spare.name + ".folders").unlink()
    publish(pages, out)
    assert os.path.realpath(out) == str(spare)
    assert {path: (out / path).read_bytes() for path in ("a.html", "sub/b.html", "sub/deeper/c.html")} == {
        "a.html": b"a", "sub/b.html": b"b", "sub/deeper/c.html": b"c"}


def test_a_survey_made_ahead_is_used_and_finds_what_publish_would(tmp_path, monkeypatch):
    out = tmp_path / "out"
    pages = outputs(("a.html", b"a"), ("sub/b.html", b"b"))
    publish(pages, out)
    published, spare = slot_path(out, "a"), slot_path(out, "b")
    (spare / "sub/b.html").unlink()  # by hand, from the copy the next build brings up to date
    (published / "sub/CNAME").write_text("example.org")  # a file the builder did not write
    survey = survey_copies(out)
    assert survey.published == str(published)
    assert {copy: folders for copy, (_, folders) in survey.copies.items()} == {str(published): {"sub"}, str(spare): {"sub"}}

    def no_looking(*args):
        raise AssertionError("the survey should have been used")
    monkeypatch.setattr(writer, "_folders_not_as_recorded", no_looking)
    publish(pages, out, survey=survey)
    assert os.path.realpath(out) == str(spare)
    assert {path: (out / path).read_bytes() for path in ("a.html", "sub/b.html", "sub/CNAME")} == {
        "a.html": b"a", "sub/b.html": b"b", "sub/CNAME": b"example.org"}


def test_a_survey_made_before_another_build_published_is_not_trusted(tmp_path):
    # The survey saw nothing changed in copy a; since then another build published b, and a file
    # was deleted by hand from a, which this build brings up to date.
    out = tmp_path / "out"
    pages = outputs(("a.html", b"a"), ("sub/b.html", b"b"))
    publish(pages, out)
    survey = survey_copies(out)
    publish(outputs(("a.html", b"a"), ("sub/b.html", b"b2")), out)
    (slot_path(out, "a") / "sub/b.html").unlink()
    publish(pages, out, survey=survey)
    assert os.path.realpath(out) == str(slot_path(out, "a")) and (out / "sub/b.html").read_bytes() == b"b"


def test_a_survey_of_a_copy_rebuilt_since_is_not_trusted(tmp_path):
    # Two builds since the survey: the same copy is published again, but the other was rewritten.
    out = tmp_path / "out"
    publish(outputs(("a.html", b"a"), ("sub/b.html", b"b")), out)
    survey = survey_copies(out)
    for version in (b"b2", b"b3"):
        publish(outputs(("a.html", b"a"), ("sub/b.html", version)), out)
    assert survey.published == os.path.realpath(out)
    (slot_path(out, "b") / "sub/b.html").unlink()
    publish(outputs(("a.html", b"a"), ("sub/b.html", b"b2")), out, survey=survey)
    assert os.path.realpath(out) == str(slot_path(out, "b")) and (out / "sub/b.html").read_bytes() == b"b2"


def test_a_first_build_that_fails_leaves_no_spare_copy_behind(tmp_path):
    # The spare is mirrored file by file as the build goes: a build that stops half way removes it.
    out = tmp_path / "out"

    def failing():
        yield from outputs(("a.html", b"a"))
        raise RuntimeError("a template failed")
    with pytest.raises(RuntimeError):
        publish(failing(), out)
    assert not os.path.lexists(slot_path(out, "b")) and not os.path.lexists(out)
    publish(outputs(("a.html", b"a"), ("sub/b.html", b"b")), out)
    assert read_manifest(slot_path(out, "b")) == read_manifest(slot_path(out, "a"))


def test_a_spare_copy_that_cannot_be_linked_is_left_out_and_the_next_build_makes_its_copy(tmp_path, monkeypatch):
    out = tmp_path / "out"

    def no_links(source, destination):
        raise OSError(1, "Operation not permitted")  # a file system without hard links
    with monkeypatch.context() as patched:
        patched.setattr(os, "link", no_links)
        publish(outputs(("a.html", b"a"), ("sub/b.html", b"b")), out)
    assert not os.path.lexists(slot_path(out, "b"))
    publish(outputs(("a.html", b"a"), ("sub/b.html", b"b2")), out)
    assert (out / "sub/b.html").read_bytes() == b"b2" and (out / "a.html").read_bytes() == b"a"


def test_outputs_without_bytes_are_kept_from_the_published_copy_or_made(tmp_path):
    out = tmp_path / "out"
    publish(outputs(("a.html", b"a"), ("b.html", b"b")), out)
    shutil.rmtree(slot_path(out, "b"))  # the spare copy is gone,
    (out / "b.html").unlink()  # and the published file deleted by hand: no copy holds it any more
    made = []
    publish([Output("a.html", hashlib.sha256(b"a").hexdigest()), Output("b.html", hashlib.sha256(b"b").hexdigest())],
            out, make_missing=lambda relpath: made.append(relpath) or b"b")
    assert ((out / "a.html").read_bytes(), (out / "b.html").read_bytes(), made) == (b"a", b"b", ["b.html"])


def test_unchanged_files_keep_their_inode_across_switches(tmp_path):
    out = tmp_path / "out"
    publish(outputs(("a.html", b"a"), ("b.html", b"b1")), out)
    inode = (out / "a.html").stat().st_ino
    for version in (b"b2", b"b3", b"b4"):
        publish(outputs(("a.html", b"a"), ("b.html", version)), out)
        assert (out / "a.html").stat().st_ino == inode
        assert (out / "b.html").read_bytes() == version


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def store(tmp_path):
    """A stand-in for the build cache's pages: bytes in files named by their hash."""
    folder = tmp_path / "store"
    folder.mkdir()
    for data in (b"a", b"b", b"c"):
        (folder / sha(data)).write_bytes(data)
    return lambda digest: str(folder / digest)


def test_files_given_at_once_are_placed_as_files_given_one_by_one(tmp_path, store):
    out = tmp_path / "out"
    unchanged = Unchanged({"a.html": sha(b"a"), "sub/b.html": sha(b"b")}, store)
    first = publish([unchanged], out)  # a first build: linked from the store, and mirrored in the spare copy
    assert (first.added, {path: (out / path).read_bytes() for path in first.added}) == (
        ("a.html", "sub/b.html"), {"a.html": b"a", "sub/b.html": b"b"})
    assert os.path.samefile(slot_path(out, "a") / "sub/b.html", slot_path(out, "b") / "sub/b.html")
    inode = (out / "a.html").stat().st_ino
    second = publish([Output("c.html", sha(b"c"), b"c"), unchanged], out)
    assert (second.added, second.changed, second.removed) == (("c.html",), (), ())
    assert (out / "a.html").stat().st_ino == inode
    # A file the copy being brought up to date lost is placed again, from the published copy.
    (slot_path(out, "a") / "sub/b.html").unlink()
    publish([unchanged], out)
    assert (out / "sub/b.html").read_bytes() == b"b" and read_manifest(out).files == unchanged.files
    assert files_of([Output("c.html", sha(b"c"), b"c"), unchanged]) == {"c.html": sha(b"c"), **unchanged.files}


def test_a_file_given_one_by_one_and_at_once_is_refused(tmp_path, store):
    with pytest.raises(OutputError) as info:
        publish([Output("b.html", sha(b"b"), b"b"), Unchanged({"a.html": sha(b"a"), "b.html": sha(b"b")}, store)],
                tmp_path / "out")
    assert [str(p) for p in info.value.problems] == ["b.html: two pages would be written to the same file"]


def test_two_pages_taken_from_the_last_build_for_one_file_are_refused(built, run_cli, monkeypatch):
    # Pages taken from the last plan reach the writer at once; one file claimed twice among them
    # (a plan left by a builder that named pages otherwise) is still an error, and the site stays.
    from newsarchive import build as build_module
    from newsarchive.reuse import Reused

    root, site = built
    before = tree_hashes(site)
    plan_pages = build_module.plan_pages

    twice = []

    def with_a_page_twice(*args, **kwargs):
        pages = plan_pages(*args, **kwargs)
        twice.append(next(page for page in pages if type(page) is Reused and page.relpath.startswith("topics/")))
        return pages + [twice[0]._replace(url="elsewhere/")]
    monkeypatch.setattr(build_module, "plan_pages", with_a_page_twice)
    result = run_cli(root, "build")
    assert (result.code, result.problems) == (3, [f"{twice[0].relpath}: two pages would be written to the same file"])
    assert tree_hashes(site) == before


def test_a_spare_copy_that_cannot_be_linked_is_left_out_when_files_are_given_at_once(tmp_path, store, monkeypatch):
    out = tmp_path / "out"
    unchanged = Unchanged({"a.html": sha(b"a"), "sub/b.html": sha(b"b")}, store)

    def no_links(source, destination):
        raise OSError(1, "Operation not permitted")  # a file system without hard links
    with monkeypatch.context() as patched:
        patched.setattr(os, "link", no_links)
        publish([unchanged], out)
    assert not os.path.lexists(slot_path(out, "b"))
    assert {path: (out / path).read_bytes() for path in unchanged.files} == {"a.html": b"a", "sub/b.html": b"b"}
