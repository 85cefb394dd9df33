"""Write the site into a staging folder beside the output, then swap it into place.

The builder owns its output folder: a manifest inside it lists every file the builder wrote,
with its checksum. Files whose bytes have not changed are hard-linked from the old site, so
their modification time stays; files the builder did not write are carried over untouched.
A failed or killed build leaves the published folder as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

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
    """Stage ``files`` and swap them in as ``out_dir``; ``adopt`` accepts a folder we did not create."""
    out_dir = out_dir.absolute()
    recover_interrupted_swap(out_dir)
    old = read_manifest(out_dir)
    if old is None and _has_entries(out_dir) and not adopt:
        raise OutputError([Problem(display_path(out_dir), None, None,
                                   "refusing to replace a folder this builder did not create; "
                                   "empty it, choose another output, or pass --force to keep its files and build into it")])
    old = old or {}
    staging = _fresh_staging(out_dir)
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
    _carry_over_foreign_files(out_dir, staging, old, new)
    (staging / MANIFEST).write_text(_manifest_text(new), "utf-8")
    (staging / STAGING_MARKER).unlink()
    _swap(staging, out_dir)
    return WriteReport(files=len(new), written=len(new) - unchanged, unchanged=unchanged,
                       removed=len(set(old) - set(new)))


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
    """Put the staged site in place; the old one is kept aside until the new one is there."""
    retired = retired_path(out_dir)
    if out_dir.exists():
        out_dir.rename(retired)
    staging.rename(out_dir)
    if retired.exists():
        shutil.rmtree(retired)
