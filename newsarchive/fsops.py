"""File operations the writer builds on: new files never written in place, links, an atomic exchange."""

from __future__ import annotations

import ctypes
import errno
import os
from pathlib import Path

TEMPORARY_SUFFIX = ".newsarchive-tmp"


def temporary_name(path: str | os.PathLike) -> str:
    folder, name = os.path.split(os.fspath(path))
    return os.path.join(folder, f".{name}.{os.getpid()}{TEMPORARY_SUFFIX}")


def is_temporary(name: str) -> bool:
    return name.startswith(".") and name.endswith(TEMPORARY_SUFFIX)


def replace_with_link(source: str | os.PathLike, destination: str | os.PathLike) -> bool:
    """Make ``destination`` a hard link to ``source`` (same bytes, inode and mtime); False if impossible."""
    temporary = temporary_name(destination)
    try:
        if os.path.islink(source):
            return False
        os.link(source, temporary)
    except OSError:
        return False
    os.replace(temporary, destination)
    return True


def replace_with_bytes(destination: str | os.PathLike, data: bytes) -> None:
    """Write a new file: never in place, since the old one may be a link to the published copy."""
    temporary = temporary_name(destination)
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, destination)


def remove_empty_folders(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    renameat2 = getattr(_LIBC, "renameat2", None) if _LIBC else None
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # an old kernel, or a file system without exchange
    raise OSError(code, os.strerror(code), str(second))


def _load_libc():
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - platforms without a C library handle
        return None


_LIBC = _load_libc()
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
