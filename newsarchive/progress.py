"""Progress of a long build on a terminal: one line, rewritten in place, on stderr."""

from __future__ import annotations

import time
from typing import TextIO

UPDATE_EVERY = 0.1  # seconds: often enough to look alive, rarely enough to cost nothing


class Progress:
    """Shows 'stage: done/total'; the build calls it, the command line decides whether it exists."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.shown_at = 0.0
        self.width = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.shown_at < UPDATE_EVERY:
            return
        self.shown_at = now
        line = f"{stage}: {done:,}/{total:,}"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def finish(self) -> None:
        """Clear the line, so the summary that follows stands alone."""
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
