#!/usr/bin/env python3
"""Where a rebuild's time goes: each stage of a build after adding one report, timed in one process.

    python bench/stages.py CORPUS [--rounds 5] [--edit]

CORPUS is a folder with a site_config.yaml, built at least once (bench/run.py leaves ours-N in its
--workdir; bench/generate.py writes one). Each round adds a report (or, with --edit, edits one
body), builds with the stages timed, then takes the change back and builds again untimed. It
prints each stage's median over the rounds, in milliseconds. Unlike bench/run.py's figures, these
leave out starting Python, and importing the builder is timed once.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsarchive import build  # noqa: E402  (timed: this is what a build imports)

IMPORTED = time.perf_counter()

from generate import add_report, edit_sentence  # noqa: E402

# (where the stage is, its name there, how the table calls it), in the order a build runs them.
STAGES = ((build, "load_config", "load config"), (build.BuildCache, "open", "open cache"),
          (build, "read_articles", "read"), (build, "index_site", "index"),
          (build, "make_environment", "environment"), (build, "published_files", "published files"),
          (build, "earlier_plan", "what of the last plan holds"), (build, "plan_pages", "plan pages"),
          (build, "publish", "publish (render, write)"),
          (build.BuildCache, "save", "save cache"), (build, "write_lock", "write URL lock"))
PLANNING = "  of which: until every page is planned"


class Timings:
    """The build's stages wrapped so that each call adds its wall time to ``seconds``."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.started: dict[str, float] = {}
        self.originals = [(owner, name, vars(owner)[name]) for owner, name, _ in STAGES] + [
            (build, "render_outputs", build.render_outputs)]
        for owner, name, label in STAGES:
            self._wrap(owner, name, label)
        self._watch_first_page()

    def _wrap(self, owner, name: str, label: str) -> None:
        function = getattr(owner, name)

        def timed(*args, **kwargs):
            self.started[label] = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - self.started[label]
        setattr(owner, name, timed)

    def _watch_first_page(self) -> None:
        """Note when the first page reaches the writer: every page is planned (and fingerprinted) by then."""
        render_outputs = build.render_outputs

        def watched(*args, **kwargs):
            outputs = render_outputs(*args, **kwargs)
            first = next(outputs, None)
            self.seconds[PLANNING] = time.perf_counter() - self.started["publish (render, write)"]
            if first is not None:
                yield first
                yield from outputs
        build.render_outputs = watched

    def restore(self) -> None:
        for owner, name, original in self.originals:
            setattr(owner, name, original)


def main() -> None:
    parser = argparse.ArgumentParser(description="Time each stage of a rebuild after one change.")
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--edit", action="store_true", help="edit one body instead of adding a report")
    args = parser.parse_args()
    config = args.corpus / "site_config.yaml"
    workers = build.Workers(None)
    build.build(config, workers=workers)  # start from a site as its sources say
    rounds = []
    for number in range(args.rounds):
        if args.edit:
            source = sorted((args.corpus / "articles").rglob("*.md"))[number]
            original = source.read_bytes()
            edit_sentence(source)
        else:
            source = add_report(args.corpus, 900_000 + number, 1)
        os.sync()  # what the last build wrote is not written back during this one
        timings = Timings()
        try:
            started = time.perf_counter()
            build.build(config, workers=workers)
            rounds.append({**timings.seconds, "build": time.perf_counter() - started})
        finally:
            timings.restore()
            if args.edit:
                source.write_bytes(original)
            else:
                source.unlink()
            build.build(config, workers=workers)
    print(f"{'import':<40}{(IMPORTED - STARTED) * 1000:7.1f} ms (once)")
    for label in [label for _, _, label in STAGES[:9]] + [PLANNING] + [label for _, _, label in STAGES[9:]] + ["build"]:
        values = [r[label] for r in rounds if label in r]
        if values:
            print(f"{label:<40}{statistics.median(values) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
