"""The build cache: what earlier builds learnt, keyed by content hashes, so a rebuild redoes only what changed.

It holds, in the folder ``paths.cache`` names (git-ignored):

- for each article source, the hash of its bytes and the Article read from it, with the words
  the search index needs (reading and Markdown are most of a build's work);
- each report body's HTML, in a file named by its hash (bodies are loaded only by the pages that
  show them, so memory stays flat however large the archive);
- for each page, the hash of everything its rendering reads (its fingerprint) and the hash of the
  bytes it gave, so an unchanged page is not rendered again.

Everything is keyed by hashes of inputs, never by modification times. A cache written by another
version of the builder or of Python is ignored as a whole; a damaged one is too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, model

STATE_FILE = "state.pickle"
BODIES = "bodies"


def _record_fields() -> str:
    """The names of every field of the records the cache keeps, in order, hashed short."""
    records = (model.Article, model.Source, model.Correction, model.Claim, model.Term)
    names = ";".join(f"{record.__name__}:{','.join(f.name for f in dataclasses.fields(record))}" for record in records)
    return hashlib.sha256(names.encode()).hexdigest()[:16]


# Anything that changes what a build makes from the same inputs must change this; the records'
# fields are part of it, so a cache pickled with other fields is never unpickled into these.
CACHE_VERSION = (f"newsarchive {__version__}; python {sys.version_info[0]}.{sys.version_info[1]}; "
                 f"records {_record_fields()}; cache 4")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class CachedSource:
    """What reading one source gave: its Article (with the body's hash) and its searchable words."""

    source_digest: str
    article: object
    words: str


@dataclass
class BuildCache:
    """The cache in ``folder``; its state is used only if written for the same builder and config."""

    folder: Path
    config_key: str
    read_only: bool = False  # what `check` uses: consult the cache, never write it
    sources: dict[str, CachedSource] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def open(cls, folder: Path, config_key: str, fresh: bool = False, read_only: bool = False) -> "BuildCache":
        """The cache in ``folder`` if it was written for this builder and config, else an empty one.

        ``fresh`` starts empty whatever is there (the next save replaces it).
        """
        cache = cls(folder, config_key, read_only, changed=fresh)
        if fresh:
            return cache
        try:
            with open(folder / STATE_FILE, "rb") as handle:
                state = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return cache
        if not isinstance(state, dict) or state.get("version") != CACHE_VERSION:
            return cache
        if state.get("config") == config_key:
            cache.sources = state["sources"]
            cache.pages = state["pages"]
        return cache

    def source(self, path: str, source_digest: str) -> CachedSource | None:
        """The cached reading of ``path`` if its bytes are unchanged."""
        entry = self.sources.get(path)
        return entry if entry is not None and entry.source_digest == source_digest else None

    def remember_source(self, path: str, entry: CachedSource) -> None:
        self.sources[path] = entry
        self.changed = True

    def forget_sources_except(self, paths: set[str]) -> None:
        """Drop entries of sources that are gone, so the cache does not grow without bound."""
        for path in set(self.sources) - paths:
            del self.sources[path]
            self.changed = True

    def page_digest(self, fingerprint: str) -> str | None:
        return self.pages.get(fingerprint)

    def remember_pages(self, pages: dict[str, str]) -> None:
        """Keep exactly the fingerprints of this build's pages."""
        if pages != self.pages:
            self.pages = pages
            self.changed = True

    def save(self) -> None:
        """Write the state if it changed, atomically, and drop bodies no source refers to any more."""
        if self.read_only or not self.changed:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        state = {"version": CACHE_VERSION, "config": self.config_key, "sources": self.sources, "pages": self.pages}
        temporary = self.folder / f".{STATE_FILE}.{os.getpid()}"
        with open(temporary, "wb") as handle:
            pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.folder / STATE_FILE)
        self.bodies.prune({entry.article.body_digest for entry in self.sources.values()})

    @property
    def bodies(self) -> "BodyStore":
        return BodyStore(self.folder / BODIES, self.read_only)

    def load_body(self, body_digest: str) -> str:
        return self.bodies.load(body_digest)


@dataclass(frozen=True)
class BodyStore:
    """Report bodies as files named by the hash of their HTML; small enough to hand to worker processes."""

    folder: Path
    read_only: bool = False

    def path(self, body_digest: str) -> Path:
        return self.folder / body_digest[:2] / f"{body_digest}.html"

    def save(self, body_digest: str, html: str) -> None:
        """Store a body's HTML under its hash (the digest of its UTF-8 bytes)."""
        path = self.path(body_digest)
        if self.read_only or path.exists():
            return
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            temporary.write_bytes(html.encode("utf-8"))
        except FileNotFoundError:  # the first body of its shard
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(html.encode("utf-8"))
        os.replace(temporary, path)

    def load(self, body_digest: str) -> str:
        return self.path(body_digest).read_text("utf-8")

    def prune(self, wanted: set[str]) -> None:
        """Delete the bodies no report has any more."""
        if not self.folder.is_dir():
            return
        for shard in os.scandir(self.folder):
            for entry in os.scandir(shard.path):
                if entry.name.removesuffix(".html") not in wanted:
                    os.unlink(entry.path)

