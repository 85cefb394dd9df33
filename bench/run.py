#!/usr/bin/env python3
"""Benchmark the builder on synthetic archives, with Pelican 4 and Hugo on the same corpus.

    python bench/run.py [--sizes 1000,5000,20000] [--skip-peers] [--workdir DIR] [--seed S]

For each size it generates a corpus (bench/generate.py), times whole `build_site.py` processes and
measures the peak memory of the largest process, times the floor of a build on the same corpus
(bench/floor.py: reading, YAML, Markdown, Jinja and writing alone, over 2 processes), then prints a
Markdown table for the README. Rebuilds are timed twice: as new processes, and run by a warm process
(newsarchive/warm.py; still whole `build_site.py` commands, each timed from its start to its end).
Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from generate import add_report, edit_sentence, generate

ROOT = Path(__file__).resolve().parent.parent
FLOOR = Path(__file__).resolve().parent / "floor.py"
FLOOR_JOBS = 2
CACHE_NAME = ".newsarchive-cache"
# Only a hung process should reach these: a 20,000-report build on 2 cores takes minutes.
BUILD_TIMEOUT = 3 * 3600
INSTALL_TIMEOUT = 1800
PELICAN_REQUIREMENT = "pelican[markdown]>=4.9,<5"
STDERR_TAIL = 30

# Runs the command after the stats file name as its own child, then writes its wall time and the
# children's ru_maxrss to the stats file. RUSAGE_CHILDREN's maxrss is that of the largest single
# descendant waited for (the build, or its biggest worker), and it cannot be reset: hence a fresh
# wrapper process for every measured build.
WRAPPER = """\
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as stats:
    json.dump({"seconds": seconds, "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, stats)
sys.exit(code)
"""


class BenchError(Exception):
    """A step that failed; the message says which and shows the end of its error output."""


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mb: float


@dataclass(frozen=True)
class Rebuilds:
    """Medians of each kind of rebuild: none changed, a report added, a body edited."""

    no_change: Measurement
    add_one: Measurement
    edit_one: Measurement


@dataclass(frozen=True)
class OurFigures:
    pages: int
    cold: Measurement
    warm: Measurement
    rebuilds: Rebuilds  # each a new process
    rewrote: int  # by a no-change rebuild
    edit_changed: int  # by an edited body
    loaded: Rebuilds  # each run by a warm process (newsarchive/warm.py)

    @property
    def peak_mb(self) -> float:
        """Of our builds' largest process; the builds a warm process runs are not the caller's children."""
        return max(m.peak_mb for m in (self.cold, self.warm, *vars(self.rebuilds).values()))


@dataclass(frozen=True)
class PeerFigures:
    clean: Measurement
    add_one: Measurement


# --- processes -----------------------------------------------------------------------------------

def run_checked(label: str, command: list[str], cwd: Path, timeout: float,
                env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``command``; on failure or timeout raise BenchError with the end of its error output.

    It runs in its own process group, so a timeout or Ctrl-C also ends whatever it started.
    """
    with subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True, env=env) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            raise BenchError(f"{label}: no result after {timeout} s; stopped it\n{tail(err or out)}") from None
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    if proc.returncode != 0:
        raise BenchError(f"{label} failed (exit {proc.returncode}); the end of its output:\n{tail(err or out)}")
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def tail(text: str) -> str:
    return "\n".join(text.rstrip().splitlines()[-STDERR_TAIL:])


def measure(label: str, command: list[str], cwd: Path, work: Path, env: dict | None = None) -> Measurement:
    """Wall time and peak memory of the largest process of one run of ``command``."""
    stats = work / "last-run.json"
    # What the last step wrote is flushed first, so the kernel's writing it back does not compete with
    # this run (a rebuild just after a full build was a third slower, the no-change one 0.48 s, not 0.37 s).
    os.sync()
    run_checked(label, [sys.executable, "-c", WRAPPER, str(stats), *command], cwd, BUILD_TIMEOUT, env)
    data = json.loads(stats.read_text())
    print(f"  {label}: {data['seconds']:.2f} s", file=sys.stderr, flush=True)
    return Measurement(data["seconds"], data["maxrss_kb"] / 1024)  # Linux reports kilobytes


def our_python() -> str:
    """The project's venv, where the builder's dependencies are; else the interpreter running this."""
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


# --- files ---------------------------------------------------------------------------------------

class Trash:
    """Where removed trees wait until every build is timed.

    Just after tens of thousands of files are deleted, ext4 makes new files and folders slowly: for
    a minute or more it looks past the recently freed inodes (recently_deleted() in ialloc.c),
    which on this machine made a cold build after deleting the last run's trees 3 s slower, and
    charged it to whichever build made the most files. So the bench deletes nothing while it
    times: what it removes is moved here, and deleted when it is done.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    def put(self, path: Path) -> None:
        if os.path.lexists(path):
            self.folder.mkdir(exist_ok=True)
            self.count += 1  # with the process id: a stopped run may have left its trash
            path.rename(self.folder / f"{os.getpid()}-{self.count}-{path.name}")

    def empty(self) -> None:
        if self.folder.exists():
            shutil.rmtree(self.folder)


TRASH = Trash(Path(__file__).resolve().parent / "work" / "trash")  # main() moves it into --workdir


def remove(path: Path) -> None:
    TRASH.put(path)


def remove_output(output: Path) -> None:
    """Delete the output folder and what the builder keeps beside it as .NAME.* (staging, lock, swap)."""
    for path in [output, *output.parent.glob(f".{output.name}.*")]:
        remove(path)


def fresh_corpus(site: Path, reports: int, seed: int, fmt: str) -> None:
    remove(site)
    generate(site, reports, seed, fmt)


def snapshot(output: Path) -> dict[str, tuple[int, str]]:
    """Every file of the site by relative path: (mtime in ns, sha256).

    The builder's own bookkeeping (.newsarchive-*, such as its manifest) is not a page and is left out.
    """
    root = output.resolve()  # the output may be a symbolic link to the folder swapped in last
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            if not relative.startswith(".newsarchive"):
                files[relative] = (path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return files


MTIME, BYTES = 0, 1  # the fields of a snapshot entry


def differing(before: dict, after: dict, field: int) -> int:
    """Files added, removed, or whose ``field`` (MTIME or BYTES) changed."""
    return sum(1 for path in before.keys() | after.keys()
               if path not in before or path not in after or before[path][field] != after[path][field])


# --- the benchmarks ------------------------------------------------------------------------------

def bench_floor(site: Path, size: int, work: Path) -> Measurement:
    """bench/floor.py on the corpus, into a fresh output folder beside it, timed as our builds are."""
    output = work / f"floor-{size}-out"
    remove(output)
    floor = measure("floor", [our_python(), str(FLOOR), str(site), str(output), "--jobs", str(FLOOR_JOBS)],
                    ROOT, work)
    pages = sum(1 for _ in output.glob("*/index.html"))
    if pages != size:
        raise BenchError(f"the floor wrote {pages} pages for {size} reports")
    return floor


REBUILD_ROUNDS = 5  # rebuilds take tenths of a second: the median of five, so two stalls do not decide
# Full builds take seconds, yet this machine's speed drifts by a tenth or more from one minute to
# the next (a third, some hours): our cold build and the floor are timed in turns, so that a slow
# spell slows both, the median of each is given, and cold ÷ floor is the median of each round's
# ratio, each cold build's to the floor's run just before it. Five rounds, not three: a round's
# ratio has ranged from 1.08 to 1.38 within one run, so the median of three moved with one slow round.
FULL_ROUNDS = 5


def bench_full_builds(site: Path, size: int, work: Path) -> tuple[Measurement, Measurement, float]:
    """The floor and our cold build of the corpus at ``site``, FULL_ROUNDS times each, in turns:
    their medians, and the median of the rounds' ratios of cold build to floor. The site is left built."""
    floors, colds = [], []
    for _ in range(FULL_ROUNDS):
        floors.append(bench_floor(site, size, work))
        remove(site / CACHE_NAME)
        remove_output(site / "_site")
        colds.append(measure("cold build", our_build(site), ROOT, work, COLD_START))
    ratios = sorted(cold.seconds / floor.seconds for floor, cold in zip(floors, colds))
    print(f"    cold ÷ floor by round: {', '.join(f'{ratio:.2f}' for ratio in ratios)}", file=sys.stderr)
    return median(floors), median(colds), ratios[len(ratios) // 2]


def our_build(site: Path) -> list[str]:
    return [our_python(), "build_site.py", "build", "--config", str(site / "site_config.yaml")]


# Every timed build a new process, whatever warm process the user has running; and the builds a
# warm process runs, one of the bench's own (its socket in the work folder), stopped at the end.
COLD_START = {**os.environ, "NEWSARCHIVE_WARM": "off"}


def warm_start(work: Path) -> dict:
    return {**os.environ, "NEWSARCHIVE_WARM": "on", "XDG_RUNTIME_DIR": str(work / "run")}


def bench_ours(site: Path, size: int, work: Path, seed: int, cold: Measurement) -> OurFigures:
    """Our rebuilds of the corpus at ``site``, which has ``size`` reports and was built from a cold
    cache in ``cold``; it is left with twice REBUILD_ROUNDS more reports, each edited once. Each
    kind of build is timed REBUILD_ROUNDS times, and its median given: first as a new process each,
    then run by a warm process."""
    output = site / "_site"
    pages = sum(1 for path in snapshot(output) if path.endswith(".html"))
    warms = []
    for _ in range(REBUILD_ROUNDS):
        remove_output(output)
        warms.append(measure("warm build", our_build(site), ROOT, work, COLD_START))
    rebuilds, rewrote, edit_changed = bench_rebuilds(site, size, work, seed, COLD_START, "")
    (work / "run").mkdir(mode=0o700, exist_ok=True)
    run_checked("starting a warm process", [our_python(), "build_site.py", "warm", "start"], ROOT, 120, warm_start(work))
    try:
        loaded, _, _ = bench_rebuilds(site, size + REBUILD_ROUNDS, work, seed, warm_start(work), ", warm process")
    finally:
        run_checked("stopping the warm process", [our_python(), "build_site.py", "warm", "stop"], ROOT, 120,
                    warm_start(work))
    return OurFigures(pages, cold, median(warms), rebuilds, rewrote, edit_changed, loaded)


def bench_rebuilds(site: Path, size: int, work: Path, seed: int, env: dict, how: str) -> tuple[Rebuilds, int, int]:
    """No-change, add-one and edit-one rebuilds of the corpus at ``site`` (``size`` reports), with
    how many files the no-change ones rewrote and the edits changed."""
    output = site / "_site"

    def timed(label: str) -> Measurement:
        return measure(label + how, our_build(site), ROOT, work, env)

    before = snapshot(output)
    no_change = median([timed("no-change rebuild") for _ in range(REBUILD_ROUNDS)])
    rewrote = differing(before, snapshot(output), MTIME)
    print(f"    rewrote {rewrote} files", file=sys.stderr)
    adds, edits, edit_changed = [], [], 0
    for round_number in range(REBUILD_ROUNDS):
        # The newest report: an edit to it reaches the most feeds.
        newest = add_report(site, size + round_number, seed)
        adds.append(timed("add-one-report rebuild"))
        before = snapshot(output)
        edit_sentence(newest)
        edits.append(timed("edit-one-body rebuild"))
        edit_changed = max(edit_changed, differing(before, snapshot(output), BYTES))
    print(f"    {edit_changed} files changed bytes", file=sys.stderr)
    return Rebuilds(no_change, median(adds), median(edits)), rewrote, edit_changed


def median(measurements: list[Measurement]) -> Measurement:
    """The median time of runs of one kind, with the largest peak memory among them."""
    seconds = sorted(m.seconds for m in measurements)[len(measurements) // 2]
    return Measurement(seconds, max(m.peak_mb for m in measurements))


def bench_peer(name: str, command: list[str], site: Path, size: int, work: Path, seed: int, fmt: str) -> PeerFigures:
    """A clean build of a freshly generated corpus, then a rebuild after one new report."""
    fresh_corpus(site, size, seed, fmt)
    clean = measure(f"{name} clean build", command, site, work)
    add_report(site, size, seed, fmt)
    return PeerFigures(clean, measure(f"{name} add-one-report rebuild", command, site, work))


def pelican_command(work: Path) -> list[str]:
    """Pelican in its own venv under the work folder, installed once and kept between runs."""
    venv = work / "pelican-venv"
    pelican = venv / "bin" / "pelican"
    if not pelican.exists():
        print(f"installing {PELICAN_REQUIREMENT} into {venv}", file=sys.stderr, flush=True)
        run_checked("creating the Pelican venv", ["python3", "-m", "venv", str(venv)], work, INSTALL_TIMEOUT)
        run_checked("installing Pelican", [str(venv / "bin" / "pip"), "install", "--quiet", PELICAN_REQUIREMENT],
                    work, INSTALL_TIMEOUT)
    return [str(pelican), "content", "-s", "pelicanconf.py", "-o", "output"]


def hugo_command(hugo: str, site: Path) -> list[str]:
    return [hugo, "--source", str(site), "--destination", "public", "--quiet"]


def peer_versions(pelican: list[str] | None, hugo: str | None, work: Path) -> list[str]:
    """'Pelican 4.11.0', 'Hugo 0.111.3': which peers the figures are for."""
    versions = []
    if pelican:
        versions.append("Pelican " + run_checked("pelican --version", [pelican[0], "--version"], work, 60).stdout.strip())
    if hugo:
        # "hugo v0.111.3+extended linux/amd64 BuildDate=..."
        words = run_checked("hugo version", [hugo, "version"], work, 60).stdout.split()
        versions.append("Hugo " + words[1].lstrip("v").split("+")[0])
    return versions


# --- the table -----------------------------------------------------------------------------------

def ratio(ours: float, theirs: PeerFigures | None, pick: str) -> str:
    if theirs is None:
        return "–"
    seconds = getattr(theirs, pick).seconds
    return f"{ours / seconds:.2f} ({seconds:.2f} s)"


def table(rows: list[tuple[int, OurFigures, Measurement, float, PeerFigures | None, PeerFigures | None]]) -> str:
    header = ["reports", "pages", "cold build s", "warm build s", "pages/s (cold)", "peak MB",
              "no-change s", "no-change rewrote", "add one s", "edit one s", "edit changed files",
              "warm process: no-change, add one, edit one s",
              "floor s", "cold ÷ floor", "vs Pelican clean", "vs Pelican +1", "vs Hugo clean", "vs Hugo +1"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---:|" * len(header)]
    for size, o, floor, cold_to_floor, pelican, hugo in rows:
        r, loaded = o.rebuilds, o.loaded
        cells = [f"{size:,}", f"{o.pages:,}", f"{o.cold.seconds:.2f}", f"{o.warm.seconds:.2f}",
                 f"{o.pages / o.cold.seconds:.0f}", f"{o.peak_mb:.0f}", f"{r.no_change.seconds:.2f}",
                 f"{o.rewrote:,}", f"{r.add_one.seconds:.2f}", f"{r.edit_one.seconds:.2f}", f"{o.edit_changed:,}",
                 f"{loaded.no_change.seconds:.2f}, {loaded.add_one.seconds:.2f}, {loaded.edit_one.seconds:.2f}",
                 f"{floor.seconds:.2f}", f"{cold_to_floor:.2f}",
                 ratio(o.cold.seconds, pelican, "clean"), ratio(r.add_one.seconds, pelican, "add_one"),
                 ratio(o.cold.seconds, hugo, "clean"), ratio(r.add_one.seconds, hugo, "add_one")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError("every size must be 1 or more")
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark the archive builder.")
    parser.add_argument("--sizes", type=parse_sizes, default=[1000, 5000, 20000],
                        help="numbers of reports, comma-separated (default 1000,5000,20000)")
    parser.add_argument("--skip-peers", action="store_true", help="leave out Pelican and Hugo")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "work",
                        help="where corpora and the Pelican venv go, kept between runs (default: bench/work, git-ignored)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    args = parser.parse_args()
    work = args.workdir.absolute()
    work.mkdir(parents=True, exist_ok=True)
    TRASH.folder = work / "trash"  # on the corpora's file system, so that moving there is a rename
    # Timed builds must load the builder as bytecode, as an installed package does, whatever the
    # environment says: where PYTHONDONTWRITEBYTECODE is set (as on our machines), an edited
    # module would be compiled anew in every build (all of them: 0.1 s, a sixth of a rebuild).
    compileall.compile_dir(ROOT / "newsarchive", quiet=1)
    hugo = None if args.skip_peers else shutil.which("hugo")
    if not args.skip_peers and hugo is None:
        print("hugo: not installed", file=sys.stderr)
    try:
        pelican = None if args.skip_peers else pelican_command(work)
        rows = []
        for size in args.sizes:
            print(f"{size:,} reports:", file=sys.stderr, flush=True)
            site = work / f"ours-{size}"
            fresh_corpus(site, size, args.seed, "ours")
            # Before our rebuilds, which add reports to the corpus.
            floor, cold, cold_to_floor = bench_full_builds(site, size, work)
            ours = bench_ours(site, size, work, args.seed, cold)
            pelican_site, hugo_site = work / f"pelican-{size}", work / f"hugo-{size}"
            pelican_figures = (bench_peer("Pelican", pelican, pelican_site, size, work, args.seed, "pelican")
                               if pelican else None)
            hugo_figures = (bench_peer("Hugo", hugo_command(hugo, hugo_site), hugo_site, size, work, args.seed, "hugo")
                            if hugo else None)
            rows.append((size, ours, floor, cold_to_floor, pelican_figures, hugo_figures))
        peers = peer_versions(pelican, hugo, work)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        TRASH.empty()
    print(f"Seconds are whole-process wall times on {os.cpu_count()} cores; our cold builds and the floor's "
          f"each the median of {FULL_ROUNDS} runs (in turns), our other builds of {REBUILD_ROUNDS}, the peers' of one; "
          "peak MB is the largest process. "
          f"The floor is reading, YAML, Markdown, Jinja and writing alone over {FLOOR_JOBS} processes "
          "(bench/floor.py); cold ÷ floor is how many times that our cold build takes (the median of the "
          "rounds' ratios). "
          "Peer columns are our time divided by theirs (theirs in brackets): below 1 means ours is faster"
          + (f"; peers: {', '.join(peers)}." if peers else "."))
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
