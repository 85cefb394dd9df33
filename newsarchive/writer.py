"""Write the site into a staging folder beside the output, then swap it into place.

The builder owns its output folder: a manifest inside it lists every file the builder wrote,
with its checksum. Files whose bytes have not changed are hard-linked from the old site, so
their modification time stays; files the builder did not write are carried over untouched.
A failed or killed build leaves the published folder as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator

from .errors import OutputError, Problem, display_path

MANIFEST = ".newsarchive-manifest.json"
STAGING_MARKER = ".newsarchive-staging"
GENERATOR = "newsarchive"


@dataclass(frozen=True)
class WriteReport:
    files: int
    written: int
    unchanged: int
    removed: int


def staging_path(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.staging")


def lock_path(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.lock")


def retired_path(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.old")


def read_manifest(out_dir: Path) -> dict[str, str] | None:
    """The files (path -> sha256) a previous build wrote, or None if the folder is not ours."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("generator") != GENERATOR or not isinstance(data.get("files"), dict):
        return None
    return data["files"]


def write_site(files: Iterable[tuple[str, bytes]], out_dir: Path, adopt: bool = False) -> WriteReport:
    """Stage ``files`` and swap them in as ``out_dir``; ``adopt`` accepts a folder we did not create.

    ``files`` may be a lazy iterator: pages are rendered while the build lock is held.
    """
    out_dir = out_dir.absolute()
    with build_lock(out_dir):
        recover_interrupted_swap(out_dir)
        old = _previous_manifest(out_dir, adopt)
        staging = _fresh_staging(out_dir)
        try:
            new, unchanged = _stage_files(files, staging, out_dir, old)
            _carry_over_foreign_files(out_dir, staging, old, new)
            (staging / MANIFEST).write_text(_manifest_text(new), "utf-8")
            (staging / STAGING_MARKER).unlink()
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            where = display_path(exc.filename) if exc.filename else display_path(staging)
            raise OutputError([Problem(where, None, None, f"cannot write the site: {exc.strerror}; "
                                                          "the published site was left as it was")]) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _swap(staging, out_dir)
    return WriteReport(files=len(new), written=len(new) - unchanged, unchanged=unchanged,
                       removed=len(set(old) - set(new)))


@contextlib.contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """One build per output folder at a time.

    An advisory flock, which the kernel releases when its process dies, so a killed build
    never leaves a stale lock behind. The lock file beside the output holds the holder's pid.
    """
    path = lock_path(out_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError([Problem(display_path(path), None, None, f"cannot create the build lock: {exc.strerror}")]) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise OutputError([Problem(display_path(out_dir), None, None,
                                       f"another build into this folder is running (pid {holder}); "
                                       "wait for it to finish")]) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(handle)


def _previous_manifest(out_dir: Path, adopt: bool) -> dict[str, str]:
    """What the last build wrote; a non-empty folder without our manifest is refused unless adopted."""
    old = read_manifest(out_dir)
    if old is None and _has_entries(out_dir) and not adopt:
        raise OutputError([Problem(display_path(out_dir), None, None,
                                   "refusing to replace a folder this builder did not create; "
                                   "empty it, choose another output, or pass --force to keep its files and build into it")])
    return old or {}


def _stage_files(files: Iterable[tuple[str, bytes]], staging: Path, out_dir: Path, old: dict) -> tuple[dict, int]:
    """Write each file into ``staging``; returns the new manifest and how many files were unchanged."""
    new: dict[str, str] = {}
    unchanged = 0
    for relpath, data in files:
        target = _safe_target(staging, relpath)
        if relpath in new:
            raise OutputError([Problem(relpath, None, None, "two pages would be written to the same file")])
        digest = hashlib.sha256(data).hexdigest()
        new[relpath] = digest
        target.parent.mkdir(parents=True, exist_ok=True)
        if old.get(relpath) == digest and _link_unchanged(out_dir / relpath, target, data):
            unchanged += 1
        else:
            target.write_bytes(data)
    return new, unchanged


def recover_interrupted_swap(out_dir: Path) -> None:
    """Finish or undo a swap that a killed build left half done, and clear its staging folder."""
    retired = retired_path(out_dir)
    if retired.exists() and read_manifest(retired) is not None:
        if out_dir.exists():
            shutil.rmtree(retired)
        else:
            retired.rename(out_dir)
    staging = staging_path(out_dir)
    if (staging / STAGING_MARKER).exists() or read_manifest(staging) is not None:
        shutil.rmtree(staging)
    elif staging.exists():
        raise OutputError([Problem(display_path(staging), None, None,
                                   "this folder is in the way of the build's staging folder and was not made by it; move it")])


def _has_entries(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def _fresh_staging(out_dir: Path) -> Path:
    staging = staging_path(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        (staging / STAGING_MARKER).write_text("", "utf-8")
    except OSError as exc:
        raise OutputError([Problem(display_path(staging), None, None, f"cannot create the staging folder: {exc.strerror}")]) from None
    return staging


def _safe_target(root: Path, relpath: str) -> Path:
    """The file for ``relpath`` inside ``root``; anything that could leave it is refused."""
    parts = PurePosixPath(relpath).parts
    if not parts or relpath.startswith("/") or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts):
        raise OutputError([Problem(relpath, None, None, "refusing an output path outside the output folder")])
    return root.joinpath(*parts)


def _link_unchanged(previous: Path, target: Path, data: bytes) -> bool:
    """Reuse the published file (keeping its mtime) if it still holds exactly ``data``.

    The bytes are compared, not only the manifest's checksum: a file edited by hand is rewritten.
    """
    try:
        if previous.is_symlink() or previous.stat().st_size != len(data) or previous.read_bytes() != data:
            return False
        os.link(previous, target)
    except OSError:
        return False
    return True


def _carry_over_foreign_files(out_dir: Path, staging: Path, old: dict, new: dict) -> None:
    """Keep every file in the output that the builder did not write: it is not ours to delete."""
    if not out_dir.is_dir():
        return
    for folder, subfolders, files in os.walk(out_dir):
        subfolders.sort()
        for name in sorted(files) + sorted(d for d in subfolders if Path(folder, d).is_symlink()):
            source = Path(folder, name)
            relpath = source.relative_to(out_dir).as_posix()
            if relpath in old or relpath == MANIFEST:
                continue
            if relpath in new:
                raise OutputError([Problem(display_path(source), None, None,
                                           "a file this builder did not write is where a page must go; move it away")])
            target = staging / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():
                target.symlink_to(os.readlink(source))
            else:
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copy2(source, target)


def _manifest_text(files: dict[str, str]) -> str:
    return json.dumps({"generator": GENERATOR, "files": dict(sorted(files.items()))}, indent=1, sort_keys=True) + "\n"


def _swap(staging: Path, out_dir: Path) -> None:
    """Put the staged site in place, so that readers see the old site or the new one, never a mix."""
    if out_dir.exists() and _exchange(staging, out_dir):
        shutil.rmtree(staging)  # it now holds the old site
        return
    # Without an atomic exchange the old site is moved aside first; a crash between the two
    # renames is repaired by recover_interrupted_swap on the next build.
    retired = retired_path(out_dir)
    if out_dir.exists():
        out_dir.rename(retired)
    staging.rename(out_dir)
    if retired.exists():
        shutil.rmtree(retired)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    renameat2 = getattr(_LIBC, "renameat2", None) if _LIBC else None
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # old kernel or a file system without exchange
    raise OSError(code, os.strerror(code), str(second))


def _load_libc():
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - platforms without a C library handle
        return None


_LIBC = _load_libc()
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
