"""The command line: build (default), check and new; problems printed as path:line: message."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
from pathlib import Path

from . import __version__
from . import routes
from .build import BuildReport, build, check
from .errors import EXIT_CONTENT, EXIT_IO, EXIT_OK, BuildError, display_path
from .parallel import Workers
from .writer import Changes
from .progress import Progress


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build_site.py", description="Build the Makiivka report archive.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    paths = argparse.ArgumentParser(add_help=False)
    paths.add_argument("--config", type=Path, default=Path("site_config.yaml"), help="config file (default: site_config.yaml)")
    paths.add_argument("--articles", type=Path, help="articles folder (overrides paths.articles)")
    paths.add_argument("--output", type=Path, help="output folder (overrides paths.output)")
    commands = parser.add_subparsers(dest="command")
    build_cmd = commands.add_parser("build", parents=[paths], help="build the site (the default)")
    build_cmd.add_argument("--force", action="store_true",
                           help="build into an existing folder this builder did not create, keeping its files")
    build_cmd.add_argument("--clean", action="store_true",
                           help="write every file anew, trusting neither the build cache nor the published files")
    build_cmd.add_argument("--quiet", action="store_true", help="no progress on a terminal, only the summary")
    build_cmd.add_argument("--dry-run", action="store_true",
                           help="write nothing; list the pages the build would add, change and remove")
    build_cmd.add_argument("--verbose", action="store_true", help="list the pages the build added, changed and removed")
    for command in (build_cmd, commands.add_parser("check", parents=[paths],
                                                   help="validate the config and every article; write nothing")):
        command.add_argument("--jobs", type=_positive, default=None,
                             help="worker processes (default: one per core)")
    serve_cmd = commands.add_parser("serve", parents=[paths], help="preview on 127.0.0.1, rebuilding on every change")
    serve_cmd.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    serve_cmd.add_argument("--poll", action="store_true", help="watch files by polling (network or odd file systems)")
    serve_cmd.add_argument("--jobs", type=_positive, default=None, help="worker processes (default: one per core)")
    fmt_cmd = commands.add_parser("fmt", parents=[paths], help="rewrite article sources in canonical form")
    fmt_cmd.add_argument("files", nargs="*", type=Path, help="sources to format (default: all)")
    fmt_cmd.add_argument("--check", action="store_true",
                         help="change nothing; list the files that are not canonical and exit 1 if any")
    new_cmd = commands.add_parser("new", parents=[paths], help="start a new article source")
    new_cmd.add_argument("title")
    new_cmd.add_argument("--date", type=_iso_date, required=True, help="the report's date, YYYY-MM-DD")
    new_cmd.add_argument("--location", action="append", default=[], help="a place (repeatable)")
    new_cmd.add_argument("--topic", action="append", default=[], help="a topic (repeatable)")
    new_cmd.add_argument("--slug", help="the URL slug (default: made from the title)")
    warm_cmd = commands.add_parser("warm", help="a process that keeps the builder loaded, so that commands start at once")
    warm_cmd.add_argument("action", choices=("start", "stop", "status"))
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return int(text)


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "build")
    args = make_parser().parse_args(argv)
    previous_handler = signal.signal(signal.SIGINT, _interrupted_handler(os.getpid()))
    try:
        return _run(args)
    finally:
        signal.signal(signal.SIGINT, previous_handler)


def _interrupted_handler(main_pid: int):
    """On Ctrl-C, stop at once: a build is safe to abandon anywhere (the unpublished copy has no
    manifest and is made anew), while unwinding through a pool of workers can hang."""
    def interrupted(signum, frame):
        if os.getpid() == main_pid:  # forked workers inherit this handler; only the build speaks
            print("interrupted; the published site was left as it was", file=sys.stderr, flush=True)
        os._exit(130)
    return interrupted


def _run(args: argparse.Namespace) -> int:
    overrides = {"articles": _absolute(getattr(args, "articles", None)), "output": _absolute(getattr(args, "output", None))}
    try:
        if args.command == "check":
            _, reading = check(args.config, overrides, Workers(args.jobs))
            print(f"ok: {_reports(len(reading.articles))}, no problems")
        elif args.command == "serve":
            from .serve import serve  # the server and file watcher cost every other command's start-up
            serve(args.config, overrides, args.port, Workers(args.jobs), polling=args.poll)
        elif args.command == "fmt":
            from .canonical import format_sources  # like serve's and new's: not every build's start-up
            changed = format_sources(args.config, overrides, args.files, args.check)
            for path in changed:
                print(f"{'would reformat' if args.check else 'reformatted'} {path}")
            if args.check and changed:
                return EXIT_CONTENT
            if not changed:
                print("all sources are in canonical form")
        elif args.command == "warm":
            from .warm import control
            return control(args.action)
        elif args.command == "new":
            from .scaffold import new_article
            path = new_article(args.config, overrides, args.title, args.date, args.location, args.topic, args.slug)
            print(f"created {display_path(path)}")
        else:
            progress = Progress(sys.stderr) if sys.stderr.isatty() and not args.quiet else None
            report = build(args.config, overrides, force=args.force, clean=args.clean,
                           workers=Workers(args.jobs), progress=progress, dry_run=args.dry_run)
            if progress:
                progress.finish()
            if args.dry_run or args.verbose:
                print(review(report.changes, dry_run=args.dry_run), end="")
            print(summary(report))
    except BuildError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} found; nothing was written",
              file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        where = display_path(exc.filename) if exc.filename else "build_site.py"
        print(f"{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_IO
    return EXIT_OK


def summary(report: BuildReport) -> str:
    """The one line a build ends with."""
    c = report.changes
    drafts = f" ({report.drafts} draft{'' if report.drafts == 1 else 's'} left out)" if report.drafts else ""
    verb, written = ("checked", "would be written") if report.dry_run else ("built", "written")
    return (f"{verb} {_reports(report.articles)}{drafts} into {c.files} files: {c.written} {written}, "
            f"{c.unchanged} unchanged, {len(c.removed)} removed in {report.seconds:.2f} s")


def review(changes: Changes, dry_run: bool) -> str:
    """The addresses a build adds, changes and removes, one a line, for a reviewer."""
    kinds = (("add", "added", changes.added), ("change", "changed", changes.changed),
             ("remove", "removed", changes.removed))
    return "".join(f"{'would ' + verb if dry_run else done}: /{routes.url_of(path)}\n"
                   for verb, done, paths in kinds for path in paths)


def _reports(count: int) -> str:
    return f"{count} report{'' if count == 1 else 's'}"


def _absolute(path: Path | None) -> str | None:
    return None if path is None else str(path.absolute())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
