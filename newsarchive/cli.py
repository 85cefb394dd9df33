"""The command line: build (default), check and new; problems printed as path:line: message."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from . import __version__
from .build import build, check
from .errors import EXIT_IO, EXIT_OK, BuildError, display_path
from .parallel import Workers
from .progress import Progress
from .scaffold import new_article


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
    for command in (build_cmd, commands.add_parser("check", parents=[paths],
                                                   help="validate the config and every article; write nothing")):
        command.add_argument("--jobs", type=_positive, default=None,
                             help="worker processes (default: one per core)")
    new_cmd = commands.add_parser("new", parents=[paths], help="start a new article source")
    new_cmd.add_argument("title")
    new_cmd.add_argument("--date", type=_iso_date, required=True, help="the report's date, YYYY-MM-DD")
    new_cmd.add_argument("--location", action="append", default=[], help="a place (repeatable)")
    new_cmd.add_argument("--topic", action="append", default=[], help="a topic (repeatable)")
    new_cmd.add_argument("--slug", help="the URL slug (default: made from the title)")
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
    overrides = {"articles": _absolute(args.articles), "output": _absolute(args.output)}
    try:
        if args.command == "check":
            _, reading = check(args.config, overrides, Workers(args.jobs))
            print(f"ok: {_reports(len(reading.articles))}, no problems")
        elif args.command == "new":
            path = new_article(args.config, overrides, args.title, args.date, args.location, args.topic, args.slug)
            print(f"created {display_path(path)}")
        else:
            progress = Progress(sys.stderr) if sys.stderr.isatty() and not args.quiet else None
            report = build(args.config, overrides, force=args.force, clean=args.clean,
                           workers=Workers(args.jobs), progress=progress)
            if progress:
                progress.finish()
            w = report.write
            drafts = f" ({report.drafts} draft{'' if report.drafts == 1 else 's'} left out)" if report.drafts else ""
            print(f"built {_reports(report.articles)}{drafts} into {w.files} files: "
                  f"{w.written} written, {w.unchanged} unchanged, {w.removed} removed in {report.seconds:.2f} s")
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
    except KeyboardInterrupt:
        print("interrupted; the published site was left as it was", file=sys.stderr)
        return 130
    return EXIT_OK


def _reports(count: int) -> str:
    return f"{count} report{'' if count == 1 else 's'}"


def _absolute(path: Path | None) -> str | None:
    return None if path is None else str(path.absolute())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
