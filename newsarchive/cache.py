"""The build cache: what earlier builds learnt, keyed by content hashes, so a rebuild redoes only what changed.

It holds, in the folder ``paths.cache`` names (git-ignored):

- for each article source, the hash of its bytes and the Article read from it, with the words
  the search index needs (reading and Markdown are most of a build's work), in shards by path;
- the related reports of each report, with what their ranking read, so that a rebuild ranks
  again only the reports near a change;
- templates compiled by Jinja, keyed by their source's hash;
- each report body's HTML by its hash, in one SQLite database (bodies are loaded only by the
  pages that show them, so memory stays flat however large the archive);
- the last build's plan, by groups of pages (see reuse.py): for each page, the hash of everything
  its rendering reads (its fingerprint) and the hash of the bytes it gave, so an unchanged page is
  not rendered again; and those bytes, in a file named by their hash, which the site's copies share
  by hard links (the writer never writes a file in place); and its address, template, date and
  fingerprint but for the bodies it shows, good while the reports' front-matter,
  the templates and the config stay as they were (see Fingerprinter.reports_key), and for a page
  made from one region of the index, while that region's inputs do (see regions.py); and the
  fingerprint of each listing, good while its region's inputs are.

Each of these is a file or a folder of its own, written only when it changed, and a damaged one
costs only its part.

Everything is keyed by hashes of inputs, never by modification times. Only to save reading every
source again, a source whose size, modification and change times and inode are those it had when
it was hashed is taken to have the same hash, as git does; one changed less than ``SETTLED_NS``
before the cache was written is read anyway, since a change within the file system's clock tick
would not show. A cache file written by another version of the builder or of Python, or for
another configuration, is ignored; a damaged one is too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import gc
import hashlib
import marshal
import os
import pickle
import sqlite3
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, indexes, model
from .fsops import add_unnamed, replace_with_bytes
from .reuse import KEY, KNOWN

# The plan and the related-reports memo hold plain data alone (strings, tuples, dicts), which
# marshal writes in half the time pickle takes; the source shards hold records. Each of the two is
# kept in parts, a file each, so that a change rewrites only the parts it reached: the plan's groups
# by the first segment of their first page's address (a year's reports and listings, the places',
# the topics', each other page's), the memo's reports by the year they were filed in. A file of
# keys, written last, names the generation of each part, so that parts written by a build that
# did not finish are never taken.
KEYS_FILE, PLAN, RELATED = "keys.marshal", "plan", "related"
PARTED = {PLAN: "groups", RELATED: "related"}  # each folder of parts -> the field it keeps
SOURCES = "sources"
PAGES = "pages"
TEMPLATES = "templates"
SOURCE_SHARDS = 64
LOOK_THROUGH_AFTER = 500  # bodies and pages dropped by a build beyond which it prunes the stores whole
SETTLED_NS = 2_000_000_000  # file systems with 2-second times exist
BODIES = "bodies.sqlite"


@model.pickled_by_fields  # thousands are loaded by every build
@dataclass
class CachedSource:
    """What reading one source gave: its Article (with the body's hash) and its searchable words."""

    source_digest: str
    signature: tuple  # the source file's size, times and inode when it was hashed
    article: object
    words: str


def _record_fields() -> str:
    """The names of every field of the records the cache keeps, in order, hashed short."""
    records = (model.Article, model.Source, model.Correction, model.Claim, model.Term, CachedSource)
    names = ";".join(f"{record.__name__}:{','.join(f.name for f in dataclasses.fields(record))}" for record in records)
    return hashlib.sha256(names.encode()).hexdigest()[:16]


# Anything that changes what a build makes from the same inputs, or how a page is fingerprinted
# (a rebuild keeps the fingerprints of unchanged pages), must change this; the records' fields are
# part of it, so a cache pickled with other fields is never unpickled into these.
CACHE_VERSION = (f"newsarchive {__version__}; python {sys.version_info[0]}.{sys.version_info[1]}; "
                 f"records {_record_fields()}; cache 22")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class BuildCache:
    """The cache in ``folder``; its state is used only if written for the same builder and config.

    Sources are kept in ``SOURCE_SHARDS`` files by a hash of their path, so adding or editing one
    report rewrites one small file, not the readings of the whole archive.
    """

    folder: Path
    config_key: str
    read_only: bool = False  # what `check` uses: consult the cache, never write it
    sources: dict[str, CachedSource] = field(default_factory=dict)
    related: dict = field(default_factory=dict)  # the last site index's related-reports memo
    reports_key: str = ""  # see Fingerprinter.reports_key: what groups below are good for
    groups: dict[str, tuple] = field(default_factory=dict)  # the last build's plan by groups of pages (reuse.py)
    listings: dict[str, str] = field(default_factory=dict)  # each listing's fingerprint, by its URL
    fresh: bool = False  # started empty, whatever was there
    keep_rendered: bool = True  # a dry run renders pages only to compare them, and keeps none
    changed: set[str] = field(default_factory=set)  # which of PARTED to write
    parts: dict[str, dict[str, dict]] = field(default_factory=dict)  # PARTED's fields as written, by part
    generations: dict[str, int] = field(default_factory=dict)  # of each part written, by "folder/part"
    changed_shards: set[int] = field(default_factory=set)
    dropped_bodies: set[str] = field(default_factory=set)  # hashes of bodies this build stopped using
    dropped_pages: set[str] = field(default_factory=set)  # and of pages
    written_ns: dict[int, int] = field(default_factory=dict)  # each shard's time of writing, by the file system's clock

    @classmethod
    def open(cls, folder: Path, config_key: str, fresh: bool = False, read_only: bool = False) -> "BuildCache":
        """The cache in ``folder`` if it was written for this builder and config, else an empty one.

        ``fresh`` starts empty whatever is there (the next save replaces it).
        """
        cache = cls(folder, config_key, read_only, fresh=fresh, changed=set(PARTED) if fresh else set(),
                    changed_shards=set(range(SOURCE_SHARDS)) if fresh else set())
        OPENED[:] = [folder]  # not a growing list: `serve` opens one for every rebuild
        if fresh:
            if not read_only:
                cache.bodies.remove()
                cache.bodies.open()
            return cache
        keys, _ = cache._load(folder / KEYS_FILE)
        if keys is not None and {"reports_key", "listings", "generations"} <= keys.keys():
            cache.reports_key, cache.listings, cache.generations = keys["reports_key"], keys["listings"], keys["generations"]
        for name, field_name in PARTED.items():  # each file stands alone: a damaged one costs only its part
            merged, cache.parts[name] = getattr(cache, field_name), {}
            for part_name, generation in cache.generations.items():
                found, _, part = part_name.partition("/")
                state = cache._load(folder / name / f"{part}.marshal")[0] if found == name else None
                if state is not None and state.get("generation") == generation and isinstance(state.get("entries"), dict):
                    cache.parts[name][part] = state["entries"]
                    merged.update(state["entries"])
        for shard in range(SOURCE_SHARDS):
            entries, written_ns = cache._load(cache._shard_path(shard))
            if entries is not None and isinstance(entries.get("sources"), dict):
                cache.sources.update(entries["sources"])
                cache.written_ns[shard] = written_ns
        if not cache.bodies.open() and cache.sources:  # the bodies were lost: read their sources again
            cache.sources, cache.changed_shards = {}, set(range(SOURCE_SHARDS))
        return cache

    def _load(self, path: Path) -> tuple[dict | None, int]:
        """A state file's contents and time of writing, if it was written for this builder and config."""
        identity, state = _read_state(path)
        if not isinstance(state, dict) or state.get("version") != CACHE_VERSION or state.get("config") != self.config_key:
            return None, 0
        return state, identity[2]

    def source(self, path: str, source_digest: str) -> CachedSource | None:
        """The cached reading of ``path`` if its bytes are unchanged."""
        entry = self.sources.get(path)
        return entry if entry is not None and entry.source_digest == source_digest else None

    def unchanged_source(self, path: str, signature: tuple) -> CachedSource | None:
        """The cached reading of ``path`` if its file is untouched since it was hashed (see above)."""
        entry = self.sources.get(path)
        if entry is None or entry.signature != signature:
            return None
        _, modified_ns, changed_ns, _ = signature
        settled_ns = self.written_ns.get(_shard_of(path), 0) - SETTLED_NS
        return entry if max(modified_ns, changed_ns) < settled_ns else None

    def remember_signature(self, path: str, signature: tuple) -> CachedSource:
        """Note that ``path``, with the same bytes, now has another signature (it was touched or copied)."""
        entry = self.sources[path]
        if entry.signature != signature:
            entry.signature = signature
            self.changed_shards.add(_shard_of(path))
        return entry

    def remember_source(self, path: str, entry: CachedSource) -> None:
        if path in self.sources:
            self.dropped_bodies.add(self.sources[path].article.body_digest)
        self.sources[path] = entry
        self.changed_shards.add(_shard_of(path))

    def forget_sources_except(self, paths: set[str]) -> None:
        """Drop entries of sources that are gone, so the cache does not grow without bound."""
        for path in set(self.sources) - paths:
            self.dropped_bodies.add(self.sources.pop(path).article.body_digest)
            self.changed_shards.add(_shard_of(path))

    @functools.cached_property
    def pages(self) -> dict[str, str]:
        """Each page's fingerprint in the last build's plan -> the digest of the bytes it gave."""
        return {row[KEY]: row[KNOWN] for _, rows in self.groups.values() for row in rows}

    def remember_plan(self, reports_key: str, groups: dict[str, tuple], listings: dict[str, str]) -> None:
        """Keep exactly this build's plan: its pages' fingerprints and bytes, by groups (see reuse.py)."""
        if reports_key == self.reports_key and groups == self.groups:
            return
        earlier = set(self.pages.values())
        self.reports_key, self.groups, self.listings = reports_key, groups, listings
        vars(self).pop("pages", None)
        self.dropped_pages |= earlier - set(self.pages.values())
        self.changed.add(PLAN)

    def remember_related(self, memo: dict) -> None:
        if memo is not self.related and memo != self.related:
            self.related = memo
            self.changed.add(RELATED)

    def save(self) -> None:
        """Write what changed, each file atomically, and drop bodies no source refers to any more."""
        if self.read_only:
            return
        if self.changed_shards:
            by_shard = {shard: {} for shard in self.changed_shards}
            for path, entry in self.sources.items():
                entries = by_shard.get(_shard_of(path))
                if entries is not None:
                    entries[path] = entry
            for shard, entries in sorted(by_shard.items()):
                self._write(self._shard_path(shard), {"sources": entries})
            self._prune(self.bodies, self.dropped_bodies, {entry.article.body_digest for entry in self.sources.values()})
        if self.changed:
            self._write_parts()
        if PLAN in self.changed:
            self._prune(self.rendered, self.dropped_pages, set(self.pages.values()))
        self.changed, self.changed_shards, self.dropped_bodies, self.dropped_pages = set(), set(), set(), set()

    def _write_parts(self) -> None:
        """Write the parts of the plan and of the memo that changed, then the keys that name them."""
        generation = max(self.generations.values(), default=0) + 1
        generations = dict(self.generations)
        for name in sorted(self.changed):
            parts: dict[str, dict] = {}
            part_of = _PART_OF[name]
            for key, entry in getattr(self, PARTED[name]).items():
                parts.setdefault(part_of(entry), {})[key] = entry
            earlier = self.parts.get(name, {})
            for part, entries in sorted(parts.items()):
                if earlier.get(part) != entries or f"{name}/{part}" not in generations:
                    self._write(self.folder / name / f"{part}.marshal", {"generation": generation, "entries": entries})
                    generations[f"{name}/{part}"] = generation
            for part in set(earlier) - set(parts):
                del generations[f"{name}/{part}"]
                (self.folder / name / f"{part}.marshal").unlink(missing_ok=True)
            self.parts[name] = parts
        self._write(self.folder / KEYS_FILE,
                    {"reports_key": self.reports_key, "listings": self.listings, "generations": generations})
        self.generations = generations

    def close(self) -> None:
        """Let go of the bodies' database: its log is folded in, and nothing is left open."""
        self.bodies.close()

    def _prune(self, store: "HashStore | BodyStore", dropped: set[str], wanted: set[str]) -> None:
        """Delete what this build stopped using; after a large change, look through the whole store.

        Looking through it all (thousands of files) would cost a small rebuild more than its own
        work; doing so after large ones also clears what a failed build left behind.
        """
        if self.fresh or len(dropped) > LOOK_THROUGH_AFTER:
            store.prune(wanted)
        else:
            store.delete(dropped - wanted)

    def _write(self, path: Path, state: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        with open(temporary, "wb") as handle, _collector_paused():
            state = {"version": CACHE_VERSION, "config": self.config_key, **state}
            if _codec(path) is pickle:
                pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
            else:
                handle.write(marshal.dumps(state))  # marshal.dump writes to a file piece by piece: twice as slow
        os.replace(temporary, path)

    def _shard_path(self, shard: int) -> Path:
        return self.folder / SOURCES / f"{shard:02x}.pickle"  # as state_files names them

    @property
    def compiled_templates(self) -> Path:
        """Where Jinja keeps compiled templates, each under the hash of its source."""
        folder = self.folder / TEMPLATES
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @functools.cached_property
    def bodies(self) -> BodyStore:
        """Each report body's sanitised HTML, under the hash of its UTF-8 bytes."""
        return BodyStore(self.folder / BODIES, self.read_only)

    @property
    def rendered(self) -> HashStore:
        """Each page's bytes, under their hash: a build into an empty folder takes them from here."""
        return HashStore(self.folder / PAGES, self.read_only or not self.keep_rendered)

    def load_body(self, body_digest: str) -> str:
        return self.bodies.load(body_digest).decode("utf-8")


def _plan_part(group: tuple) -> str:
    """A group's part of the plan: the first segment of its first page's address ("home" for the home page)."""
    return group[1][0][0].partition("/")[0] or "home"


def _related_part(entry: tuple) -> str:
    """A report's part of the related-reports memo: the year it was filed in."""
    return str(indexes.filed_on(entry).year)


_PART_OF = {PLAN: _plan_part, RELATED: _related_part}


# State files a warm process has read (see warm.py), by path: (the file's identity, its contents).
# The builder never changes a cache file in place, only replaces it whole (written under another
# name, then renamed), so a file with the same inode, size and times holds the same bytes, and its
# contents are taken from here instead of being read and unpickled again.
LOADED: dict[str, tuple[tuple, object]] = {}
# The folder of the cache this process opened last (a warm process reads that one ahead), if any.
OPENED: list[Path] = []


def _read_state(path: Path) -> tuple[tuple, object]:
    """The identity of the file at ``path`` (inode, size, times) and what it holds; None for what is unreadable."""
    try:
        with open(path, "rb") as handle:
            status = os.fstat(handle.fileno())
            identity = (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
            loaded = LOADED.get(os.fspath(path))
            if loaded is not None and loaded[0] == identity:
                return loaded
            with _collector_paused():
                return identity, _codec(path).loads(handle.read())  # marshal.load reads a file piece by piece
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return (None, None, 0, None), None


def state_files(folder: Path) -> list[Path]:
    """Every file of the state of the cache in ``folder`` (whatever builder or config wrote it)."""
    found = [folder / KEYS_FILE, *(folder / SOURCES / f"{shard:02x}.pickle" for shard in range(SOURCE_SHARDS))]
    for name in PARTED:
        with contextlib.suppress(OSError):
            found += sorted(path for path in (folder / name).iterdir() if path.suffix == ".marshal")
    return found


def preload(path: Path) -> None:
    """Read the state file at ``path`` into LOADED (a warm process does, for the commands it will run)."""
    identity, state = _read_state(path)
    if state is None:
        LOADED.pop(os.fspath(path), None)
    else:
        LOADED[os.fspath(path)] = (identity, state)


def _codec(path: Path):
    return marshal if path.suffix == ".marshal" else pickle


def _shard_of(path: str) -> int:
    return zlib.crc32(path.encode("utf-8", "surrogatepass")) % SOURCE_SHARDS


@contextlib.contextmanager
def _collector_paused():
    """Pause Python's cycle collector: (un)pickling makes no cyclic garbage, yet would run it many times.

    What was loaded lives as long as the build, so it is then moved out of the collector's sight.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.freeze()


class BodyStore:
    """Report bodies by their hash, in one SQLite database rather than a file each.

    A cold build stores a body for every report. As a file, each cost 0.1-0.15 ms on ext4 (an inode
    to allocate, in a folder the other workers write to); as a row, 0.05 ms, and it loads in half
    the time. Each process opens its own connection (SQLite's connections must not cross a fork),
    and the workers of a build write at once, each row in a transaction of its own (write-ahead
    log; no waiting for the disk, as the cache is made again if lost).
    """

    def __init__(self, path: Path, read_only: bool = False):
        self.path, self.read_only = path, read_only
        self._opened: tuple[int, sqlite3.Connection] | None = None  # by the process that opened it

    def _connection(self) -> sqlite3.Connection:
        if self._opened is None or self._opened[0] != os.getpid():
            connection = sqlite3.connect(self.path, timeout=600, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA synchronous=OFF")
            self._opened = (os.getpid(), connection)
        return self._opened[1]

    def open(self) -> bool:
        """Make the database ready, before any worker is forked (two processes making it at once
        find it locked); False if it was not there, or was damaged and has been made anew."""
        found = self.path.exists()
        if self.read_only:  # `check` renders nothing: it reads no body
            return found
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._make()
        except OSError:  # damaged: made anew (if it cannot be, that says why)
            self.remove()
            self._make()
            found = False
        self.close()  # workers are forked next: none must inherit an open connection
        return found

    def _make(self) -> None:
        if self._execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self._execute("PRAGMA journal_mode=WAL")
        self._execute("CREATE TABLE IF NOT EXISTS bodies (digest TEXT PRIMARY KEY, html BLOB NOT NULL)")

    def close(self) -> None:
        """Close this process's connection. The last one to close folds the log into the database
        and deletes it; workers end without closing theirs, so one is opened for that if need be."""
        if not self.read_only and os.path.exists(f"{self.path}-wal"):
            self._connection()
        if self._opened is not None and self._opened[0] == os.getpid():
            self._opened[1].close()
        self._opened = None

    def remove(self) -> None:
        """Delete the database, with its log."""
        self.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")

    def save(self, body_digest: str, data: bytes) -> None:
        if not self.read_only:
            self._execute("INSERT OR IGNORE INTO bodies VALUES (?, ?)", (body_digest, data))

    def load(self, body_digest: str) -> bytes:
        row = self._execute("SELECT html FROM bodies WHERE digest = ?", (body_digest,)).fetchone()
        if row is None:
            raise LookupError(f"the build cache has lost a report's body ({body_digest}); build again with --clean")
        return row[0]

    def delete(self, body_digests: set[str]) -> None:
        if body_digests:
            self._execute("BEGIN")  # one transaction, not one a row: a prune may drop thousands
            for body_digest in body_digests:
                self._execute("DELETE FROM bodies WHERE digest = ?", (body_digest,))
            self._execute("COMMIT")

    def prune(self, wanted: set[str]) -> None:
        """Delete what is no longer wanted."""
        self.delete({digest for (digest,) in self._execute("SELECT digest FROM bodies").fetchall()} - wanted)

    def _execute(self, statement: str, parameters: tuple = ()) -> sqlite3.Cursor:
        """Run one statement; a failure (a full disk, say) is an OSError naming the database, which
        the command line reports as it does any file it cannot write."""
        try:
            return self._connection().execute(statement, parameters)
        except sqlite3.Error as exc:
            raise OSError(errno.EIO, str(exc), os.fspath(self.path)) from None


@dataclass(frozen=True)
class HashStore:
    """Files named by the hash of their bytes: rendered pages, which the site's copies link to. Small
    enough to hand to worker processes, which store what they make themselves rather than send it
    back through a pipe."""

    folder: Path
    read_only: bool = False

    def path(self, data_digest: str) -> str:
        return f"{self.folder}/{data_digest[:2]}/{data_digest}"  # a str: thousands are made a build

    def has(self, data_digest: str) -> bool:
        return os.path.isfile(self.path(data_digest))

    def save(self, data_digest: str, data: bytes, replace: bool = False) -> None:
        """Store ``data`` under its hash; ``replace`` writes it anew even if the store has it."""
        if self.read_only:
            return
        path = self.path(data_digest)
        try:
            self._store(path, data, replace)
        except FileNotFoundError:  # the first file of its shard
            os.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            self._store(path, data, replace)

    @staticmethod
    def _store(path: str, data: bytes, replace: bool) -> None:
        if not replace and add_unnamed(path, data):
            return
        if replace or not os.path.exists(path):
            replace_with_bytes(path, data)

    def load(self, data_digest: str) -> bytes:
        with open(self.path(data_digest), "rb") as handle:
            return handle.read()

    def delete(self, data_digests: set[str]) -> None:
        for data_digest in data_digests:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path(data_digest))

    def prune(self, wanted: set[str]) -> None:
        """Delete what is no longer wanted."""
        if not self.folder.is_dir():
            return
        for shard in os.scandir(self.folder):
            for entry in os.scandir(shard.path):
                if entry.name not in wanted:
                    os.unlink(entry.path)
