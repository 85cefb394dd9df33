"""Publish the site so that readers always get one whole build, and only changed files are written.

Beside the output the builder keeps two complete copies of the site and makes the output a link
to the current one:

    _site -> ._site.a     what readers get
    ._site.b              the build before; the next build brings it up to date, then the link
                          is repointed to it in one atomic step
    ._site.lock           one build at a time

Unchanged files are hard links to the published ones, so they keep their inode and modification
time; a changed file is written as a new file, never in place. Each copy holds a manifest of the
files the builder wrote; files it did not write are carried over and never deleted.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import marshal
import os
import posixpath
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from .errors import OutputError, Problem, display_path
from .fsops import exchange, is_temporary, remove_empty_folders, replace_with_bytes, replace_with_link
from .lock import build_lock

MANIFEST = ".newsarchive-manifest.json"
SLOT_MARKER = ".newsarchive-slot"
GENERATOR = "newsarchive"
SLOT_NAMES = ("a", "b")


class Output(NamedTuple):  # a tuple: a build makes one for every page, thousands
    """One file of the site: its bytes are ``data``, or the file ``source``, or already published."""

    relpath: str
    digest: str
    data: bytes | None = None
    source: str | None = None  # a file of the build cache holding the bytes, to link to


class Unchanged(NamedTuple):
    """Files given at once: pages a rebuild takes as the last build left them, most of its pages.

    Each page as an Output of its own cost more than the rest of placing it, when the copy being
    brought up to date holds it already, as it nearly always does."""

    files: dict[str, str]  # path -> sha256
    source_of: Callable[[str], str]  # a sha256 -> the file of the build cache holding those bytes


@dataclass(frozen=True)
class Changes:
    """What a build changes in the published site: files added, changed and removed (sorted paths)."""

    files: int
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def written(self) -> int:
        return len(self.added) + len(self.changed)

    @property
    def unchanged(self) -> int:
        return self.files - self.written


def changes_between(published: dict[str, str], new: dict[str, str]) -> Changes:
    """Compare two manifests (path -> sha256): the published site's and a build's."""
    return Changes(
        files=len(new),
        added=tuple(sorted(set(new) - set(published))),
        changed=tuple(sorted(path for path, digest in new.items() if published.get(path, digest) != digest)),
        removed=tuple(sorted(set(published) - set(new))),
    )


def files_of(outputs: Iterable[Output | Unchanged]) -> dict[str, str]:
    """The files ``outputs`` would make the site hold: path -> sha256."""
    files = {}
    for output in outputs:
        if type(output) is Unchanged:
            files.update(output.files)
        else:
            files[output.relpath] = output.digest
    return files


@dataclass(frozen=True)
class Manifest:
    """What one copy of the site holds: the files the builder wrote (path -> sha256) and files it kept."""

    files: dict
    kept: tuple = ()


def slot_path(out_dir: Path, name: str) -> Path:
    return out_dir.with_name(f".{out_dir.name}.{name}")


def published_files(out_dir: Path) -> dict[str, str]:
    """What the published copy holds (path -> sha256), as its manifest says; empty if none."""
    manifest = read_manifest(out_dir.absolute())
    return manifest.files if manifest else {}


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest of a complete copy of the site, or None (not ours, or left half-written)."""
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(data, dict) and data.get("generator") == GENERATOR and isinstance(data.get("files"), dict)):
        return None
    return Manifest(data["files"], tuple(data.get("kept", ())))


def publish(outputs: Iterable[Output | Unchanged], out_dir: Path, make_missing: Callable[[str], bytes] | None = None,
            adopt: bool = False, fresh: bool = False, survey: Survey | None = None) -> Changes:
    """Bring the unpublished copy up to date with ``outputs`` and switch the output link to it.

    ``outputs`` may be lazy: pages are rendered while the build lock is held. An Output without
    data is taken from a copy of the site; ``make_missing(relpath)`` makes it if no copy has it
    (someone deleted a published file). ``adopt`` accepts an output folder the builder did not
    create; ``fresh`` writes every file anew instead of trusting the manifests. ``survey`` is
    what survey_copies found before the build (see there).
    """
    out_dir = out_dir.absolute()
    with build_lock(out_dir):
        current = _current_copy(out_dir)
        # Each build publishes the copy it wrote: if another ran since the survey, the survey is not used.
        surveyed = survey.copies if survey is not None and survey.published == _name(current) else {}
        served = _served_manifest(current, adopt)
        target, known, folder_times = _prepare_target(out_dir, current, fresh, surveyed)
        target_is_new = known is None
        known = known or Manifest({})
        # The copy is incomplete (and its folders' times unknown) until both are written again.
        (target / MANIFEST).unlink(missing_ok=True)
        _snapshot_path(target).unlink(missing_ok=True)
        spare = _retired_copy(out_dir, target)
        mirror = _spare_for_first_build(spare) if current is None and not os.path.lexists(spare) else None
        try:
            sync = _Sync(target, current, served, known, make_missing, reuse=not fresh, target_is_new=target_is_new,
                         mirror=mirror, surveyed=surveyed)
            kept = sync.fill(outputs, folder_times)
        except OSError as exc:
            where = display_path(exc.filename) if exc.filename else display_path(target)
            raise OutputError([Problem(where, None, None, f"cannot write the site: {exc.strerror}; "
                                                          "the published site was left as it was")]) from None
        finally:
            if mirror is not None and not mirror.complete:
                shutil.rmtree(spare, ignore_errors=True)  # all in it was made here
        _point_output_at(out_dir, target, current)
        if fresh:  # the copy now aside may hold edited files: never trust it again
            (spare / MANIFEST).unlink(missing_ok=True)
    return changes_between(served.files, sync.files)


def _spare_for_first_build(spare: Path) -> _Sync | None:
    """A first build also mirrors its copy, by hard links, as the one the next build updates.

    The next build then costs in proportion to what changed, not to the size of the site. The
    mirror is made file by file as the copy is (the builder mostly waits for its workers then),
    not after it. If it cannot be made, it is removed and the next build makes its copy whole.
    """
    try:
        spare.mkdir()
        (spare / SLOT_MARKER).write_text("", "utf-8")
    except OSError:
        shutil.rmtree(spare, ignore_errors=True)
        return None
    return _Sync(spare, None, Manifest({}), Manifest({}), None, reuse=False, target_is_new=True)


def _current_copy(out_dir: Path) -> Path | None:
    """The folder readers get now: a copy the output links to, the output folder itself, or None."""
    if out_dir.is_symlink():
        target = out_dir.parent / os.readlink(out_dir)
        if target.parent != out_dir.parent or target.name not in {slot_path(out_dir, n).name for n in SLOT_NAMES}:
            raise OutputError([Problem(display_path(out_dir), None, None,
                                       f"is a link to {os.readlink(out_dir)}, which this builder did not make; remove it")])
        return target if target.is_dir() else None
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError([Problem(display_path(out_dir), None, None, "is a file, not a folder; move it away")])
    return out_dir if out_dir.is_dir() else None


def _served_manifest(current: Path | None, adopt: bool) -> Manifest:
    """What the published copy holds; a non-empty folder without our manifest is refused unless adopted."""
    if current is None:
        return Manifest({})
    manifest = read_manifest(current)
    if manifest is None and any(current.iterdir()) and not adopt:
        raise OutputError([Problem(display_path(current), None, None,
                                   "refusing to replace a folder this builder did not create; empty it, choose "
                                   "another output, or pass --force to keep its files and build into it")])
    return manifest or Manifest({})


def _prepare_target(out_dir: Path, current: Path | None, fresh: bool,
                    surveyed: Surveyed) -> tuple[Path, Manifest | None, dict]:
    """The copy readers do not see, with its manifest and its folders' times: kept if complete (it
    is brought up to date), made anew (with no manifest) otherwise. Files deleted from it by hand
    are left out of its manifest, so they are placed again."""
    names = [slot_path(out_dir, n) for n in SLOT_NAMES]
    target = names[1] if current == names[0] else names[0]
    manifest = None if fresh else read_manifest(target)
    snapshot = None if manifest is None else _read_snapshot(target)
    if snapshot is None:  # without its folders' times the copy cannot be checked: it is made anew
        manifest, times = None, None
    else:
        manifest, times = _without_files_deleted_by_hand(target, manifest, snapshot, surveyed)
    try:
        if target.exists() and manifest is None:
            _remove_own_folder(target)
        if not target.exists():
            target.mkdir(parents=True)
            (target / SLOT_MARKER).write_text("", "utf-8")
    except OSError as exc:
        raise OutputError([Problem(display_path(target), None, None, f"cannot prepare the build folder: {exc.strerror}")]) from None
    return target, manifest, times or {}


def _without_files_deleted_by_hand(copy: Path, manifest: Manifest, snapshot: Snapshot,
                                   surveyed: Surveyed) -> tuple[Manifest, dict]:
    """``copy``'s manifest less the files gone from it, and its folders' times less those that changed.

    Adding or removing a file changes its folder's time, so only folders whose time is not the one
    the snapshot took when the copy was finished are looked into.
    """
    changed = _changed_folders(copy, snapshot, surveyed)
    if not changed:
        return manifest, snapshot.times
    files = {relpath: digest for relpath, digest in manifest.files.items()
             if posixpath.dirname(relpath) not in changed or (copy / relpath).is_file()}
    return Manifest(files, manifest.kept), {folder: mtime for folder, mtime in snapshot.times.items() if folder not in changed}


# For each copy of the site (by path) with a snapshot: the snapshot's identity, and the folders
# whose times were not those it recorded when the survey was made.
Surveyed = dict[str, tuple[tuple, frozenset]]


class Survey(NamedTuple):
    """Which folders of the copies changed since each was finished, and which copy was published then."""

    published: str | None
    copies: Surveyed


def survey_copies(out_dir: Path) -> Survey:
    """Which folders of each copy of the site changed since the copy was finished.

    Finding out takes a stat of every folder, tens of milliseconds for a large site, so a build
    has it made ahead, while it reads (see Prefetch). publish trusts it for a copy only while
    the same copy is published and the copy's snapshot is still the one surveyed: any build that
    changes a copy writes its snapshot anew (a killed one leaves none) and publishes that copy.
    """
    out_dir = out_dir.absolute()
    try:
        published = _name(_current_copy(out_dir))
    except OutputError:  # publish says why
        return Survey(None, {})
    copies = {}
    for name in SLOT_NAMES:
        copy = slot_path(out_dir, name)
        snapshot = _read_snapshot(copy)
        if snapshot is not None:
            copies[os.fspath(copy)] = (snapshot.identity, frozenset(_folders_not_as_recorded(copy, snapshot.times)))
    return Survey(published, copies)


def _name(copy: Path | None) -> str | None:
    return None if copy is None else os.fspath(copy)


def _changed_folders(copy: Path, snapshot: Snapshot, surveyed: Surveyed) -> set[str]:
    """The folders of ``copy`` whose times are not those ``snapshot`` recorded, gone ones included."""
    found = surveyed.get(os.fspath(copy))
    if found is not None and found[0] == snapshot.identity:
        return set(found[1])
    return _folders_not_as_recorded(copy, snapshot.times)


def _folders_not_as_recorded(copy: Path, times: dict[str, int]) -> set[str]:
    root = os.fspath(copy)
    changed = set()
    for folder, mtime in times.items():
        try:
            now = os.lstat(f"{root}/{folder}" if folder else root).st_mtime_ns
        except OSError:
            now = None
        if now != mtime:
            changed.add(folder)
    return changed


def _remove_own_folder(folder: Path) -> None:
    """Delete a copy a killed build left half-written; refuse anything not marked as ours."""
    if not (folder / SLOT_MARKER).exists():
        raise OutputError([Problem(display_path(folder), None, None,
                                   "this folder is in the way of the build and was not made by it; move it")])
    shutil.rmtree(folder)


class _Sync:
    """Makes ``target`` hold exactly the new outputs, touching only what differs."""

    def __init__(self, target: Path, current: Path | None, served: Manifest, known: Manifest,
                 make_missing: Callable[[str], bytes] | None, reuse: bool, target_is_new: bool,
                 mirror: _Sync | None = None, surveyed: Surveyed | None = None):
        self.target, self.current, self.served, self.known = target, current, served, known
        self.surveyed = surveyed or {}
        self.make_missing, self.reuse, self.target_is_new = make_missing, reuse, target_is_new
        self.mirror = mirror  # another new copy, given each file as it is placed here (see _spare_for_first_build)
        self.complete = False
        self.root = os.fspath(target)
        self.files: dict[str, str] = {}
        self.folders: set[str] = set()  # relative to the copy: made, or known to be there
        self.touched_folders: set[str] = set()  # relative to the copy: where files were added or removed

    def fill(self, outputs: Iterable[Output | Unchanged], folder_times: dict) -> list[str]:
        """Place every output, remove the rest, keep foreign files, then write the manifest and
        the folders' times; the files kept that the builder did not write are returned."""
        for output in outputs:
            placed = self.place_unchanged(output) if type(output) is Unchanged else self.place(output)
            for relpath, digest in placed:
                if self.mirror is None:  # none, or given up
                    break
                self._mirror(relpath, digest)
        self.remove_stale()
        kept = self.carry_over_kept_files()
        self.finish(kept, folder_times)
        if self.mirror is not None:  # a first build's: there was no published copy to keep files from
            with contextlib.suppress(OSError):  # an incomplete mirror is removed by the caller
                self.mirror.finish([], {})
        return kept

    def finish(self, kept: list[str], folder_times: dict) -> None:
        """Write the manifest and the snapshot of the folders' times: the copy is then complete."""
        (self.target / MANIFEST).write_text(_manifest_text(self.files, kept), "utf-8")
        # The manifest was written anew, so the copy's own folder changed too.
        _take_snapshot(self.target, itertools.chain(self.files, kept), folder_times, self.touched_folders | {""})
        self.complete = True

    def _mirror(self, relpath: str, digest: str) -> None:
        """Link the file just placed at ``relpath`` into the mirror; give the mirror up if that fails."""
        try:
            self.mirror.make_folder(relpath.rpartition("/")[0])
            os.link(f"{self.root}/{relpath}", f"{self.mirror.root}/{relpath}")
            self.mirror.files[relpath] = digest
        except OSError:
            self.mirror = None

    def place(self, output: Output) -> Iterable[tuple[str, str]]:
        """Place one file; give its path and digest."""
        relpath, digest = output.relpath, output.digest
        if relpath in self.files:
            raise written_twice(relpath)
        self.files[relpath] = digest
        # Otherwise this copy already holds these bytes (and their path was checked when they were written).
        if self.known.files.get(relpath) != digest:
            self._put(relpath, digest, output.data, output.source)
        return ((relpath, digest),)

    def place_unchanged(self, unchanged: Unchanged) -> Iterable[tuple[str, str]]:
        """Place many files at once; give their paths and digests."""
        twice = self.files.keys() & unchanged.files.keys()
        if twice:
            raise written_twice(min(twice))
        self.files.update(unchanged.files)
        held = self.known.files
        for relpath, digest in unchanged.files.items():
            if held.get(relpath) != digest:
                self._put(relpath, digest, None, unchanged.source_of(digest))
        return unchanged.files.items()

    def _put(self, relpath: str, digest: str, data: bytes | None, source: str | None) -> None:
        """Make this copy's file at ``relpath`` hold the bytes of ``digest``: ``data``, or a link."""
        destination = _safe_target(self.root, relpath)
        self.touch(relpath)
        self.make_folder(relpath.rpartition("/")[0])
        if (self.reuse and self.served.files.get(relpath) == digest
                and self._link(f"{self.current}/{relpath}", destination)):
            return
        if source is not None and self._link(source, destination):
            return
        if data is None and source is not None and os.path.isfile(source):
            with open(source, "rb") as handle:  # the cache is on another file system than the site
                data = handle.read()
        if data is None and self.make_missing is not None:
            data = self.make_missing(relpath)
        if data is None:
            raise OutputError([Problem(relpath, None, None, "no copy of the site holds this file; build again with --clean")])
        replace_with_bytes(destination, data)

    def _link(self, source: str | Path, destination: str) -> bool:
        """Make ``destination`` a hard link to ``source``; False if it cannot be."""
        if not self.target_is_new:
            return replace_with_link(source, destination)
        try:  # nothing there yet, and nobody reads this copy: no temporary name needed
            os.link(source, destination)
        except OSError:
            return False
        return True

    def touch(self, relpath: str) -> None:
        """Note that ``relpath``'s folder, and any folder made for it, change their modification times."""
        folder = posixpath.dirname(relpath)
        while folder not in self.touched_folders:
            self.touched_folders.add(folder)
            if not folder:
                break
            folder = posixpath.dirname(folder)

    def make_folder(self, folder: str) -> None:
        """Make ``folder`` (relative to the copy) and its parents, each with one call, once."""
        if not folder or folder in self.folders:
            return
        self.make_folder(folder.rpartition("/")[0])
        try:
            os.mkdir(f"{self.root}/{folder}")
        except FileExistsError:
            pass
        self.folders.add(folder)

    def remove_stale(self) -> None:
        """Delete what this copy held from an earlier build and the new one no longer has."""
        for relpath in sorted(set(self.known.files) - set(self.files)):
            self.touch(relpath)
            path = self.target / relpath
            path.unlink(missing_ok=True)
            remove_empty_folders(path.parent, self.target)

    def carry_over_kept_files(self) -> list[str]:
        """Mirror, by hard links, the files in the published copy that the builder did not write."""
        foreign = _foreign_files(self.current, self.served, self.surveyed) if self.current else {}
        # This copy was last published before the current one, which then kept exactly its files.
        for relpath in sorted(set() if self.target_is_new else set(self.served.kept) - set(foreign)):
            path = self.target / relpath
            if path.is_file() or path.is_symlink():
                self.touch(relpath)
                path.unlink()
                remove_empty_folders(path.parent, self.target)
        for relpath, source in sorted(foreign.items()):
            if relpath in self.files:
                raise OutputError([Problem(display_path(source), None, None,
                                           "a file this builder did not write is where a page must go; move it away")])
            destination = self.target / relpath
            if destination.exists() and os.path.samestat(destination.lstat(), source.lstat()):
                continue
            self.touch(relpath)
            self.make_folder(relpath.rpartition("/")[0])
            if source.is_symlink():
                destination.unlink(missing_ok=True)
                destination.symlink_to(os.readlink(source))
            elif not replace_with_link(source, destination):
                replace_with_bytes(destination, source.read_bytes())
        return sorted(foreign)


def _foreign_files(copy: Path, manifest: Manifest, surveyed: Surveyed) -> dict[str, Path]:
    """Files (and links) in a copy of the site that the builder did not write.

    Only folders changed since the copy was published are looked into (a folder's modification
    time changes when a file is added to it or removed): reading every folder of a large site
    would cost more than the rest of a rebuild.
    """
    snapshot = _read_snapshot(copy)
    if snapshot is None:
        return _walk_for_foreign_files(copy, "", manifest)
    found = {relpath: copy / relpath for relpath in manifest.kept}
    root = os.fspath(copy)
    for folder in sorted(_changed_folders(copy, snapshot, surveyed)):
        for relpath in [r for r in found if posixpath.dirname(r) == folder]:
            del found[relpath]
        try:
            is_folder = stat.S_ISDIR(os.lstat(f"{root}/{folder}" if folder else root).st_mode)
        except OSError:  # gone
            is_folder = False
        if is_folder:
            found.update(_scan_folder(copy, folder, manifest, snapshot.times))
    return {relpath: path for relpath, path in found.items() if os.path.lexists(path)}


def _scan_folder(copy: Path, folder: str, manifest: Manifest, snapshot: dict) -> dict[str, Path]:
    """Foreign files directly in ``folder``, and everything in folders the builder did not make."""
    found = {}
    with os.scandir(copy / folder) as entries:
        for entry in entries:
            relpath = posixpath.join(folder, entry.name)
            if entry.is_dir(follow_symlinks=False) and relpath in snapshot:
                continue
            if entry.is_dir(follow_symlinks=False):
                found.update(_walk_for_foreign_files(copy, relpath, manifest))
            elif relpath not in manifest.files and relpath not in (MANIFEST, SLOT_MARKER) and not is_temporary(entry.name):
                found[relpath] = Path(entry.path)
    return found


def _walk_for_foreign_files(copy: Path, start: str, manifest: Manifest) -> dict[str, Path]:
    """Every file below ``start`` that the builder did not write."""
    found = {}
    for folder, subfolders, files in os.walk(copy / start):
        here = Path(folder)
        links = [d for d in subfolders if (here / d).is_symlink()]
        for name in files + links:
            relpath = (here / name).relative_to(copy).as_posix()
            if relpath not in manifest.files and relpath not in (MANIFEST, SLOT_MARKER) and not is_temporary(name):
                found[relpath] = here / name
    return found


def _snapshot_path(copy: Path) -> Path:
    return copy.with_name(copy.name + ".folders")


class Snapshot(NamedTuple):
    """The folders' times of a finished copy, and the identity of the file they were read from."""

    times: dict[str, int]
    identity: tuple  # the file's inode, size, and modification and change times


def _read_snapshot(copy: Path) -> Snapshot | None:
    try:
        with open(_snapshot_path(copy), "rb") as handle:
            status = os.fstat(handle.fileno())
            data = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    return Snapshot(data, (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns))


def _take_snapshot(copy: Path, relpaths: Iterable[str], earlier: dict | None, touched: set[str]) -> None:
    """Remember the modification time of every folder of a finished copy (beside it, not in it).

    Folders this build did not touch keep the times ``earlier`` recorded (nobody writes a copy
    while it is not published), so only touched folders are looked at again. Marshal, not JSON:
    there is a folder for every page, and only the builder reads this file.
    """
    folders = {relpath.rpartition("/")[0] for relpath in relpaths} | {""}
    for folder in list(folders):
        parent = folder.rpartition("/")[0]
        while parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    times = {}
    root = os.fspath(copy)
    for folder in sorted(folders):
        known = None if earlier is None or folder in touched else earlier.get(folder)
        times[folder] = known if known is not None else os.lstat(f"{root}/{folder}" if folder else root).st_mtime_ns
    _snapshot_path(copy).write_bytes(marshal.dumps(times))


def written_twice(relpath: str) -> OutputError:
    """The error for two pages that would be written to the same file."""
    return OutputError([Problem(relpath, None, None, "two pages would be written to the same file")])


def _safe_target(root: str, relpath: str) -> str:
    """The file for ``relpath`` inside ``root``; anything that could leave it is refused."""
    if (not relpath or relpath[0] == "/" or "\\" in relpath or "\0" in relpath
            or any(part in ("", ".", "..") for part in relpath.split("/"))):
        raise OutputError([Problem(relpath, None, None, "refusing an output path outside the output folder")])
    return f"{root}/{relpath}"


def _manifest_text(files: dict[str, str], kept: list[str]) -> str:
    """JSON with a line per file, sorted; written by hand, since json's indenting encoder is slow."""
    quote = json.encoder.encode_basestring_ascii
    lines = ",\n".join(f"  {quote(relpath)}: {quote(files[relpath])}" for relpath in sorted(files))
    return (f'{{\n "generator": {quote(GENERATOR)},\n "kept": {json.dumps(kept)},\n'
            f' "files": {{\n{lines}\n }}\n}}\n')


def _point_output_at(out_dir: Path, target: Path, current: Path | None) -> None:
    """Repoint the output link to ``target`` in one step; an output that is a real folder becomes a copy."""
    link = out_dir.with_name(f".{out_dir.name}.link")
    link.unlink(missing_ok=True)
    link.symlink_to(target.name)
    if current != out_dir:
        os.replace(link, out_dir)  # rename over a link is atomic
        return
    # The output is a folder (made by an older version, or adopted): swap it with the link and keep
    # it as the other copy. Without an atomic exchange there is a moment with no output at all.
    other = _retired_copy(out_dir, target)
    if other.exists():
        _remove_own_folder(other)
    if exchange(link, out_dir):
        link.rename(other)
    else:
        out_dir.rename(other)
        os.replace(link, out_dir)
    (other / SLOT_MARKER).write_text("", "utf-8")


def _retired_copy(out_dir: Path, target: Path) -> Path:
    """The copy that is not ``target``."""
    return next(slot_path(out_dir, n) for n in SLOT_NAMES if slot_path(out_dir, n) != target)


