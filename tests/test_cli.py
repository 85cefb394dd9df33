"""The command line: commands, summaries, exit codes 0/1/2/3 and problems on stderr."""

import re
import subprocess
import sys

from helpers import BUILD_SCRIPT, md
from newsarchive import __version__

ARTICLES = {
    "articles/2023/2023-01-05-x.md": md("title: X\ndate: 2023-01-05\n"),
    "articles/2023/2023-01-06-y.md": md("title: Y\ndate: 2023-01-06\n"),
    "articles/2023/2023-01-07-draft.md": md("title: D\ndate: 2023-01-07\ndraft: true\n"),
}
SUMMARY = re.compile(r"built 2 reports \(1 draft left out\) into (\d+) files: (\d+) written, (\d+) unchanged, "
                     r"(\d+) removed in \d+\.\d\d s\n")


def test_build_is_the_default_command(make_project, run_cli):
    root = make_project(ARTICLES)
    result = run_cli(root)
    assert (result.code, result.err) == (0, "")
    files, written, unchanged, removed = map(int, SUMMARY.fullmatch(result.out).groups())
    on_disk = [p for p in (root / "_site").rglob("*") if p.is_file() and not p.name.startswith(".newsarchive-")]
    assert (files, written, unchanged, removed) == (len(on_disk), len(on_disk), 0, 0)


def test_options_without_a_command_mean_build(make_project, run_cli, tmp_path):
    root = make_project(ARTICLES)
    result = run_cli(root, "--output", str(tmp_path / "out"))
    assert result.code == 0, result.err
    assert (tmp_path / "out/index.html").exists()


def test_check_reports_ok_and_writes_nothing(make_project, run_cli):
    root = make_project(ARTICLES)
    result = run_cli(root, "check")
    assert (result.code, result.out, result.err) == (0, "ok: 3 reports, no problems\n", "")
    assert not (root / "_site").exists()


def test_content_problems_exit_1_with_a_count(make_project, run_cli):
    root = make_project({"articles/2023/2023-01-05-x.md": md("title: no\ndate: 2023-02-30\n")})
    result = run_cli(root, "build")
    assert result.code == 1
    assert result.out == ""
    assert result.err == (
        "articles/2023/2023-01-05-x.md:2: title: expected text, got a yes/no value False; quote it\n"
        "articles/2023/2023-01-05-x.md:3: date: '2023-02-30' is not a real date (day is out of range for month)\n"
        "2 problems found; nothing was written\n")
    assert not (root / "_site").exists()


def test_config_problems_exit_2(make_project, run_cli):
    root = make_project(ARTICLES, config="site:\n  title: T\n  base_url: https://example.org\n")
    result = run_cli(root, "build")
    assert result.code == 2
    assert result.err == (
        "site_config.yaml:3: site.base_url: must end with \"/\" (got 'https://example.org')\n"
        "1 problem found; nothing was written\n")


def test_unknown_command_is_a_usage_error(make_project, run_cli):
    root = make_project(ARTICLES)
    result = run_cli(root, "publish")
    assert result.code == 2
    assert "invalid choice: 'publish'" in result.err


def test_unknown_option_is_a_usage_error(make_project, run_cli):
    root = make_project(ARTICLES)
    result = run_cli(root, "build", "--quick")
    assert result.code == 2
    assert "unrecognized arguments: --quick" in result.err


def test_output_folder_problem_exits_3(make_project, run_cli):
    root = make_project(ARTICLES)
    (root / "_site").mkdir()
    (root / "_site/other.txt").write_text("x")
    assert run_cli(root, "build").code == 3


def test_version(make_project, run_cli):
    result = run_cli(make_project(), "--version")
    assert result.code == 0
    assert result.out == f"build_site.py {__version__}\n"


def test_articles_override_is_relative_to_the_working_folder(make_project, run_cli):
    root = make_project(name="site")
    other = make_project(ARTICLES, name="other")
    result = run_cli(root, "check", "--articles", "../other/articles")
    assert (result.code, result.out) == (0, "ok: 3 reports, no problems\n")
    assert not (other / "_site").exists()


def test_build_site_script_runs_as_a_program(make_project):
    root = make_project({"articles/2023/2023-01-05-x.md": md("title: no\ndate: 2023-01-05\n")})
    proc = subprocess.run([sys.executable, str(BUILD_SCRIPT), "check"], cwd=root, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 1
    assert proc.stderr == ("articles/2023/2023-01-05-x.md:2: title: expected text, got a yes/no value False; quote it\n"
                           "1 problem found; nothing was written\n")


def test_dry_run_lists_what_a_new_report_publishes_and_writes_nothing(make_project, run_cli, build_ok):
    from helpers import md, tree_hashes
    root = make_project(ARTICLES)
    site = build_ok(root)
    before = tree_hashes(root)
    (root / "articles/2023/2023-01-09-new.md").write_text(md("title: New\ndate: 2023-01-09\nlocations: [Togliatti]\n"))
    after_source = tree_hashes(root)
    result = run_cli(root, "build", "--dry-run")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[-1].startswith("checked 3 reports (1 draft left out) into ")
    # Its day and page only: with two reports a page, a third in January and in 2023 does not fill a
    # second numbered page, and page 1 (the two oldest) stays as it was.
    assert {line for line in lines if line.startswith("would add: ")} == {
        "would add: /2023/01/09/", "would add: /2023/01/09/new/"}
    changed = {line.removeprefix("would change: ") for line in lines if line.startswith("would change: ")}
    assert {"/", "/2023/01/", "/2023/", "/locations/tolyatti/", "/locations/tolyatti/feed.xml", "/feed.xml",
            "/sitemaps/2023-1.xml", "/search/2023-1.js", "/timeline/"} <= changed
    # The sitemap index lists the same sitemaps: only 2023's changes.
    assert {"/locations/samara/", "/2023/page/1/", "/2023/01/page/1/", "/sitemap.xml"}.isdisjoint(changed)
    assert (site / "2023/page/1/index.html").is_file() and (site / "2023/01/page/1/index.html").is_file()
    assert not [line for line in lines if line.startswith("would remove: ")]
    assert tree_hashes(root) == after_source and set(after_source) - set(before) == {"articles/2023/2023-01-09-new.md"}
    # The real build then does exactly what the review said, and says so with --verbose.
    done = run_cli(root, "build", "--verbose").out.splitlines()
    assert [line.split(": ", 1)[1] for line in done[:-1]] == [line.split(": ", 1)[1] for line in lines[:-1]]
    assert done[0].startswith(("added: ", "changed: "))
    assert (site / "2023/01/09/new/index.html").exists()
