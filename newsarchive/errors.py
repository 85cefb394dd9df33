"""Errors are data: every problem names a file, a line where there is one, and what is wrong."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_CONTENT = 1
EXIT_USAGE = 2
EXIT_IO = 3


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input, printed as ``path:line: field: message``."""

    path: str
    line: int | None
    field: str | None
    message: str

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.field or "", self.message)

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class BuildError(Exception):
    """A failure that stops the command; carries every problem found and the exit code."""

    exit_code = EXIT_CONTENT

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # so an error raised in a worker process reaches the build whole
        return (type(self), (self.problems,))


class ContentError(BuildError):
    """One or more articles are invalid."""

    exit_code = EXIT_CONTENT


class ConfigError(BuildError):
    """The configuration or the command line is invalid."""

    exit_code = EXIT_USAGE


class OutputError(BuildError):
    """The output folder cannot be written safely."""

    exit_code = EXIT_IO


def display_path(path: Path | str) -> str:
    """A path as an editor would type it: relative to the working folder when inside it."""
    text, here = os.fspath(path), os.getcwd()
    if text.startswith(here + os.sep) and os.sep == "/":  # the common case, without relpath's cost
        return text[len(here) + 1:]
    path = Path(path)
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path.as_posix()
    return Path(rel).as_posix() if not rel.startswith("..") else path.as_posix()
