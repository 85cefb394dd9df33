"""Fixtures: throw-away projects in tmp_path, the command line run in-process, golden files."""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from helpers import CONFIG, write_project
from newsarchive import warm
from newsarchive.cli import main

# build_site.py run by a test never uses, nor starts, a warm process: test_warm.py asks for its own.
os.environ[warm.MODE_VARIABLE] = "off"

# Property tests: the same examples on every run and machine, and no example database in the project.
settings.register_profile("newsarchive", database=None, derandomize=True)
settings.load_profile("newsarchive")
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "newsarchive-tests-hypothesis")

GOLDEN_DIR = Path(__file__).parent / "golden"
TRAILER_SUFFIX = "found; nothing was written"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/ from the current output instead of comparing with it")


@pytest.fixture
def make_project(tmp_path):
    """make_project(articles={root-relative path: text|bytes}, config=CONFIG, name="project") -> project root."""
    def make(articles: dict | None = None, config: str = CONFIG, name: str = "project") -> Path:
        return write_project(tmp_path / name, articles, config)
    return make


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def problems(self) -> list[str]:
        """The problem lines printed on stderr, without the closing count line."""
        lines = self.err.splitlines()
        if lines and lines[-1].endswith(TRAILER_SUFFIX):
            lines = lines[:-1]
        return lines


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """run_cli(project_root, *argv) -> CliResult: newsarchive.cli.main run in the project folder."""
    def run(root: Path, *argv: str) -> CliResult:
        monkeypatch.chdir(root)
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors, --help, --version
            code = exc.code
        out, err = capsys.readouterr()
        return CliResult(code, out, err)
    return run


@pytest.fixture
def build_ok(run_cli):
    """Build a project and insist that it worked; returns the output folder."""
    def build(root: Path, *argv: str) -> Path:
        result = run_cli(root, "build", *argv)
        assert result.code == 0, result.err
        assert result.err == ""
        return root / "_site"
    return build


@pytest.fixture
def golden(request):
    """golden(name, data): compare ``data`` with tests/golden/<name>, or rewrite it under --update-golden."""
    update = request.config.getoption("--update-golden")

    def check(name: str, data: bytes) -> None:
        path = GOLDEN_DIR / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            return
        if not path.exists():
            pytest.fail(f"missing golden file {path}; run pytest --update-golden and review it")
        expected = path.read_bytes()
        if data != expected:
            diff = difflib.unified_diff(
                expected.decode("utf-8", "replace").splitlines(keepends=True),
                data.decode("utf-8", "replace").splitlines(keepends=True),
                fromfile=f"golden/{name}", tofile=f"built/{name}")
            pytest.fail("output differs from the golden file (run with --update-golden after a deliberate "
                        "change and review the diff):\n" + "".join(diff), pytrace=False)
    return check
