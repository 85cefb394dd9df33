"""The build cache: what it lets a rebuild skip, and that skipping never changes what is built."""

import contextlib
import hashlib
import os
import shutil
import sqlite3

import pytest

from helpers import md, tree_hashes
from newsarchive import fsops, reader, render
from newsarchive.cache import BODIES, PAGES, SETTLED_NS, SOURCES, BodyStore, BuildCache, CachedSource, HashStore, _shard_of
from newsarchive.errors import EXIT_IO
from newsarchive.writer import MANIFEST, SLOT_MARKER

ARTICLES = {
    f"articles/2023/2023-01-0{day}-r{day}.md": md(
        f"title: Report {day}\ndate: 2023-01-0{day}\nlocations: [Samara]\ntopics: [Strike]\n",
        f"Body of report {day}.\n")
    for day in range(1, 6)
}
CACHE = ".newsarchive-cache"


@pytest.fixture
def counted(monkeypatch):
    """The names of the sources parsed and the URLs of the pages rendered, build by build."""
    seen = {"parsed": [], "rendered": []}
    real_read, real_render = reader.read_article, render.render_page
    monkeypatch.setattr(reader, "read_article", lambda path, *a: seen["parsed"].append(path.name) or real_read(path, *a))
    monkeypatch.setattr(render, "render_page",
                        lambda page, env: seen["rendered"].append(page.url) or real_render(page, env))
    monkeypatch.setattr(render, "PAGES_PER_WORKER", 10_000)  # render in this process, where the counts are
    return seen


def site_files(root) -> dict[str, str]:
    return {path: digest for path, digest in tree_hashes(root / "_site").items() if path not in (MANIFEST, SLOT_MARKER)}


def remove_output(root) -> None:
    (root / "_site").unlink()
    for copy in root.glob("._site.*"):
        shutil.rmtree(copy) if copy.is_dir() else copy.unlink()


def test_a_touched_source_is_hashed_again_but_not_parsed(make_project, build_ok, counted):
    root = make_project(ARTICLES)
    build_ok(root)
    counted["parsed"].clear()
    source = root / "articles/2023/2023-01-03-r3.md"
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 5 * SETTLED_NS))
    build_ok(root)
    assert counted["parsed"] == []


def test_an_edit_that_keeps_the_size_and_modification_time_is_seen(make_project, build_ok):
    root = make_project(ARTICLES)
    build_ok(root)
    source = root / "articles/2023/2023-01-03-r3.md"
    before = source.stat()
    source.write_text(source.read_text().replace("Body of report 3.", "Body of report X."))
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))  # a tool that keeps times; the change time moves
    assert source.stat().st_size == before.st_size
    site = build_ok(root)
    assert b"Body of report X." in (site / "2023/01/03/r3/index.html").read_bytes()


def test_a_signature_is_trusted_only_when_it_settled_before_the_cache_was_written(tmp_path):
    cache = BuildCache(tmp_path, "config")
    path, written = "articles/2023/x.md", 100 * SETTLED_NS
    cache.written_ns = {_shard_of(path): written}
    for changed_ns, trusted in ((written - 2 * SETTLED_NS, True), (written - SETTLED_NS // 2, False)):
        signature = (10, changed_ns, changed_ns, 7)
        cache.sources[path] = CachedSource("digest", signature, None, "")
        assert (cache.unchanged_source(path, signature) is not None) == trusted
        assert cache.unchanged_source(path, (11, *signature[1:])) is None  # another size


def test_a_damaged_shard_costs_only_its_sources(make_project, build_ok, counted):
    root = make_project(ARTICLES)
    build_ok(root)
    before = site_files(root)
    shard = _shard_of("articles/2023/2023-01-02-r2.md")
    (root / CACHE / SOURCES / f"{shard:02x}.pickle").write_bytes(b"not a pickle")
    counted["parsed"].clear()
    build_ok(root)
    in_shard = sorted(name for name in (p.rsplit("/", 1)[1] for p in ARTICLES)
                      if _shard_of(f"articles/2023/{name}") == shard)
    assert sorted(counted["parsed"]) == in_shard
    assert site_files(root) == before


@pytest.mark.parametrize("pages_kept", [True, False])
def test_a_build_into_an_empty_folder_renders_only_what_the_cache_lost(make_project, build_ok, counted, pages_kept):
    root = make_project(ARTICLES)
    build_ok(root)
    before = site_files(root)
    remove_output(root)
    if not pages_kept:
        shutil.rmtree(root / CACHE / PAGES)
    counted["rendered"].clear()
    build_ok(root)
    pages = [path for path in before if not path.startswith("static/")]
    assert len(counted["rendered"]) == (0 if pages_kept else len(pages))
    assert site_files(root) == before


def test_a_page_no_copy_and_no_cache_holds_is_made_again(make_project, build_ok):
    root = make_project(ARTICLES)
    site = build_ok(root)
    before = site_files(root)
    (site / "2023/01/03/r3/index.html").unlink()  # from the published copy,
    spare = next(copy for copy in root.glob("._site.?") if copy.is_dir() and copy != site.resolve())
    shutil.rmtree(spare)  # the other copy gone,
    shutil.rmtree(root / CACHE / PAGES)  # and the rendered pages the cache kept
    build_ok(root)
    assert site_files(root) == before


def test_a_clean_build_trusts_no_page_the_cache_kept(make_project, build_ok):
    root = make_project(ARTICLES)
    site = build_ok(root)
    before = site_files(root)
    # Someone edits a published page in place: the cache's copy, a hard link, changes with it.
    with open(site / "2023/01/03/r3/index.html", "r+b") as page:
        page.write(b"<!-- edited in place -->")
    assert site_files(root) != before
    build_ok(root, "--clean")
    assert site_files(root) == before
    remove_output(root)
    build_ok(root)  # and the cache now holds the right bytes again
    assert site_files(root) == before


def test_a_rebuild_deletes_from_the_cache_exactly_the_bodies_and_pages_it_stopped_using(make_project, build_ok):
    root = make_project(ARTICLES)
    build_ok(root)

    def stored(folder: str) -> set[str]:
        if folder == "bodies":
            with contextlib.closing(sqlite3.connect(root / CACHE / BODIES)) as database:
                return {digest for (digest,) in database.execute("SELECT digest FROM bodies")}
        return {path.name for path in (root / CACHE / folder).rglob("*") if path.is_file()}
    bodies, pages = stored("bodies"), stored(PAGES)
    page = root / "_site/2023/01/03/r3/index.html"
    old_page = hashlib.sha256(page.read_bytes()).hexdigest()
    source = root / "articles/2023/2023-01-03-r3.md"
    source.write_text(source.read_text().replace("Body of report 3.", "Body of report 3, revised."))
    build_ok(root)
    new_page = hashlib.sha256(page.read_bytes()).hexdigest()
    assert old_page in pages and old_page not in stored(PAGES) and new_page in stored(PAGES)
    gone_bodies, new_bodies = bodies - stored("bodies"), stored("bodies") - bodies
    assert len(gone_bodies) == len(new_bodies) == 1  # the old body out, the new one in, nothing else
    assert len(stored(PAGES)) == len(pages)  # each changed page's old bytes went as its new ones came


def test_a_cache_on_another_file_system_gives_the_same_site(make_project, build_ok, counted, monkeypatch):
    from newsarchive import build
    monkeypatch.setattr(build, "render_page", render.render_page)  # count pages made on demand too
    reference = make_project(ARTICLES, name="reference")
    build_ok(reference)
    root = make_project(ARTICLES)

    def across_file_systems(source, destination):
        raise OSError(18, "Invalid cross-device link")  # no hard links from the cache, nor between copies
    monkeypatch.setattr(os, "link", across_file_systems)
    build_ok(root)
    assert site_files(root) == site_files(reference)
    remove_output(root)
    counted["rendered"].clear()
    build_ok(root)
    assert counted["rendered"] == []  # copied from the cache, not linked, nor rendered again
    assert site_files(root) == site_files(reference)


def test_parts_of_the_plan_a_failed_save_wrote_are_never_taken(make_project, build_ok, run_cli, monkeypatch):
    """A build that wrote some parts of its plan but not the keys naming them (it was killed, the disk
    filled) leaves parts for reports the next build may not have: they must not be taken."""
    from newsarchive import cache
    root = make_project(ARTICLES)
    build_ok(root)
    real_write = cache.BuildCache._write

    def write_parts_only(self, path, state):
        if path.name == cache.KEYS_FILE:
            raise OSError(28, "No space left on device", str(path))
        real_write(self, path, state)
    extra = root / "articles/2023/2023-01-07-r7.md"
    extra.write_text(md("title: Report 7\ndate: 2023-01-07\nlocations: [Samara]\ntopics: [Strike]\n", "Body 7.\n"))
    monkeypatch.setattr(cache.BuildCache, "_write", write_parts_only)
    assert run_cli(root, "build").code != 0
    monkeypatch.setattr(cache.BuildCache, "_write", real_write)
    extra.unlink()  # back to the sources the keys describe
    build_ok(root)
    fresh = make_project(ARTICLES, name="fresh")
    build_ok(fresh)
    assert site_files(root) == site_files(fresh)


@pytest.fixture(params=["unnamed", "renamed"])
def store(request, tmp_path, monkeypatch):
    """A store of files by hash, written as Linux allows (an unnamed file linked in) or as every
    system does (a temporary name, renamed)."""
    if request.param == "unnamed" and not fsops.add_unnamed(str(tmp_path / "probe"), b""):
        pytest.skip("no unnamed files here (O_TMPFILE)")
    if request.param == "renamed":
        monkeypatch.setattr(fsops, "_UNNAMED", 0)
    return HashStore(tmp_path / "store")


def stored_files(store: HashStore) -> list[str]:
    return sorted(path.relative_to(store.folder).as_posix() for path in store.folder.rglob("*") if path.is_file())


def test_the_store_keeps_the_first_bytes_under_a_hash_unless_told_to_replace_them(store):
    key = hashlib.sha256(b"page").hexdigest()
    store.save(key, b"page")
    store.save(key, b"other bytes")  # a hash names one content: what is there is kept
    assert store.load(key) == b"page"
    store.save(key, b"fresh", replace=True)  # a clean build trusts nothing kept
    assert store.load(key) == b"fresh"
    assert stored_files(store) == [f"{key[:2]}/{key}"]  # no temporary name left behind


def test_a_forked_worker_stores_its_own_file(store):
    key = hashlib.sha256(b"from a worker").hexdigest()
    pid = os.fork()
    if pid == 0:  # the file is linked in through the worker's own /proc/self, not its parent's
        try:
            store.save(key, b"from a worker")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert store.load(key) == b"from a worker"
    assert stored_files(store) == [f"{key[:2]}/{key}"]


@pytest.mark.parametrize("loss", ["deleted", "damaged"])
def test_bodies_the_cache_lost_are_made_again_from_their_sources(make_project, build_ok, counted, loss):
    reference = make_project(ARTICLES, name="reference")
    root = make_project(ARTICLES)
    build_ok(root)
    bodies = root / CACHE / BODIES
    if loss == "deleted":
        bodies.unlink()
    else:
        bodies.write_bytes(b"not a database" * 100)
    for project in (root, reference):  # every page that shows a body is rendered again
        template = project / "templates/article.html"
        template.write_text(template.read_text() + "<!-- edited -->\n")
    counted["parsed"].clear()
    build_ok(root)
    assert len(counted["parsed"]) == len(ARTICLES)  # read again, since their bodies were gone
    build_ok(reference)
    assert site_files(root) == site_files(reference)
    assert not [path.name for path in (root / CACHE).iterdir() if path.name.startswith(BODIES + "-")]  # its log folded in


def test_forked_workers_store_bodies_at_once(tmp_path):
    bodies = BodyStore(tmp_path / "cache" / BODIES)
    assert not bodies.open()  # not there yet: made now, before the workers are forked
    texts = {hashlib.sha256(f"body {n}".encode()).hexdigest(): f"body {n}".encode() * 500 for n in range(200)}
    workers = []
    for worker in range(4):
        pid = os.fork()
        if pid == 0:
            try:
                for number, (key, text) in enumerate(texts.items()):
                    if number % 4 == worker:
                        bodies.save(key, text)
            finally:
                os._exit(0)
        workers.append(pid)
    assert all(os.waitpid(pid, 0)[1] == 0 for pid in workers)
    bodies.close()  # as a build ends: the workers left without closing their connections
    assert sorted(path.name for path in bodies.path.parent.iterdir()) == [BODIES]  # their log folded in
    assert {key: bodies.load(key) for key in texts} == texts
    assert bodies.open()  # there now


def test_a_full_disk_while_storing_bodies_is_reported_naming_the_database(make_project, run_cli, monkeypatch):
    root = make_project(ARTICLES)

    class FullDisk(sqlite3.Connection):
        def execute(self, statement, *parameters):
            if statement.startswith("INSERT"):
                raise sqlite3.OperationalError("database or disk is full")
            return super().execute(statement, *parameters)
    real_connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *args, **kwargs: real_connect(*args, **kwargs, factory=FullDisk))
    result = run_cli(root, "build")
    assert result.code == EXIT_IO, result.err
    assert result.err.strip().splitlines() == [f"{CACHE}/{BODIES}: database or disk is full"]
    assert not (root / "_site").exists()  # nothing published
