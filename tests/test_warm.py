"""The warm process: a command run through it is the command run anew, in the caller's folder, with
the caller's streams, exit code and Ctrl-C; it is started only when asked, and known by its code."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from helpers import BUILD_SCRIPT, md, tree_hashes
from newsarchive import warm

ARTICLES = {f"articles/2023/2023-01-0{day}-r{day}.md": md(f"title: Report {day}\ndate: 2023-01-0{day}\nlocations: [Samara]\n",
                                                           f"Body {day}.\n") for day in (1, 2, 3)}


@pytest.fixture
def warm_env():
    """The environment of a user whose warm processes live in a folder of this test's (kept short:
    a Unix socket's path has a limit), with the warm process stopped afterwards."""
    folder = tempfile.mkdtemp(prefix="nw")
    env = {**os.environ, warm.MODE_VARIABLE: "on", "XDG_RUNTIME_DIR": folder, warm.IDLE_VARIABLE: "120"}
    env.pop("CI", None)
    yield env
    run(env, "/", "warm", "stop")
    shutil.rmtree(folder, ignore_errors=True)


def run(env: dict, cwd, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BUILD_SCRIPT), *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def commands_run(env: dict) -> int | None:
    """How many commands the warm process has run, or None if none is running."""
    status = run(env, "/", "warm", "status").stdout
    found = re.search(r"(\d+) commands? run", status)
    return int(found[1]) if found else None


def site_bytes(root) -> dict:
    return {path: digest for path, digest in tree_hashes(root / "_site").items() if not path.startswith(".newsarchive")}


def test_a_command_run_warm_gives_what_it_gives_run_anew(make_project, warm_env):
    warm_root, cold_root = make_project(ARTICLES, name="warm"), make_project(ARTICLES, name="cold")
    assert run(warm_env, "/", "warm", "start").returncode == 0
    assert commands_run(warm_env) == 0
    warm_build = run(warm_env, warm_root, "build")
    cold_build = run({**warm_env, warm.MODE_VARIABLE: "off"}, cold_root, "build")
    assert commands_run(warm_env) == 1
    assert (warm_build.returncode, warm_build.stderr) == (cold_build.returncode, cold_build.stderr) == (0, "")
    assert re.sub(r"in [\d.]+ s", "", warm_build.stdout) == re.sub(r"in [\d.]+ s", "", cold_build.stdout)
    assert site_bytes(warm_root) == site_bytes(cold_root)


def test_problems_exit_codes_and_the_working_folder_are_the_callers(make_project, warm_env):
    root = make_project({**ARTICLES, "articles/2023/2023-01-05-x.md": md("title: no\ndate: 2023-01-05\n")})
    run(warm_env, "/", "warm", "start")
    (root / "sub").mkdir()
    checked = run(warm_env, root / "sub", "check", "--config", "../site_config.yaml")
    cold = run({**warm_env, warm.MODE_VARIABLE: "off"}, root / "sub", "check", "--config", "../site_config.yaml")
    assert checked.returncode == cold.returncode == 1
    assert checked.stderr == cold.stderr
    assert "2023-01-05-x.md:2: title: expected text" in checked.stderr
    in_project = run(warm_env, root, "check")
    assert in_project.stderr.startswith("articles/2023/2023-01-05-x.md:2: ")
    version = run(warm_env, root, "--version")
    assert (version.returncode, version.stdout.split()[0]) == (0, "build_site.py")
    usage = run(warm_env, root, "no-such-command")
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
    assert commands_run(warm_env) == 4


def test_the_callers_umask_makes_the_files(make_project, warm_env):
    root = make_project(ARTICLES)
    run(warm_env, "/", "warm", "start")
    built = subprocess.run(["sh", "-c", f'umask 077 && exec "{sys.executable}" "{BUILD_SCRIPT}" build'], cwd=root,
                           env=warm_env, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert commands_run(warm_env) == 1
    assert oct((root / "_site" / "index.html").stat().st_mode & 0o777) == oct(0o600)


def test_ctrl_c_reaches_the_command_and_is_its_exit_code(make_project, warm_env):
    root = make_project(ARTICLES)
    run(warm_env, "/", "warm", "start")
    process = subprocess.Popen([sys.executable, str(BUILD_SCRIPT), "serve", "--port", "0"], cwd=root, env=warm_env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = ""
        while "serving" not in line:
            line = process.stdout.readline()
            assert line, "serve stopped"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 130
        assert "interrupted" in process.stdout.read()
    finally:
        process.kill()
        process.wait()
    assert commands_run(warm_env) == 1


def test_none_is_started_unless_asked(make_project, warm_env):
    root = make_project(ARTICLES)
    for mode in ("off", "auto"):  # auto: only for a command typed at a terminal
        assert run({**warm_env, warm.MODE_VARIABLE: mode}, root, "build").returncode == 0
        time.sleep(0.5)
        assert commands_run(warm_env) is None
    assert run({**warm_env, "CI": "true", warm.MODE_VARIABLE: "auto"}, root, "build").returncode == 0
    assert commands_run(warm_env) is None
    assert run(warm_env, root, "build").returncode == 0  # on: this one runs here, and starts one for the next
    deadline = time.monotonic() + 30
    while commands_run(warm_env) is None:
        assert time.monotonic() < deadline, "no warm process started"
        time.sleep(0.2)
    assert run({**warm_env, warm.MODE_VARIABLE: "auto"}, root, "build").returncode == 0  # a running one is used
    assert commands_run(warm_env) == 1


def test_it_ends_when_idle(warm_env):
    env = {**warm_env, warm.IDLE_VARIABLE: "1"}
    assert run(env, "/", "warm", "start").returncode == 0
    assert commands_run(env) == 0
    time.sleep(3)  # asking how it is would keep it awake
    assert commands_run(env) is None


def test_it_is_known_by_the_code_it_loaded(tmp_path):
    package = tmp_path / "package"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n")
    before = warm.code_identity(str(package))
    assert warm.code_identity(str(package)) == before
    (package / "a.py").write_text("x = 22\n")
    assert warm.code_identity(str(package)) != before
    (package / "b.py").write_text("")
    assert warm.code_identity(str(package)) not in (before,)


def test_it_reads_the_cache_of_the_last_command_between_commands(make_project, warm_env):
    """...and a command finds there only the files that are still those on disk."""
    from newsarchive import cache
    root = make_project(ARTICLES)
    run(warm_env, "/", "warm", "start")
    assert run(warm_env, root, "build").returncode == 0
    time.sleep(3)  # unasked: asking how it is would wake it
    files_read = int(re.search(r"(\d+) cache files read", run(warm_env, "/", "warm", "status").stdout)[1])
    assert files_read == sum(path.exists() for path in cache.state_files(root / ".newsarchive-cache")) > 0
    # Another process changes the sources and the cache behind the warm process's back.
    source = root / "articles/2023/2023-01-02-r2.md"
    source.write_text(md("title: Report 2, retitled\ndate: 2023-01-02\nlocations: [Samara]\n", "Body 2.\n"))
    assert run({**warm_env, warm.MODE_VARIABLE: "off"}, root, "build").returncode == 0
    source.write_text(md("title: Report 2, again\ndate: 2023-01-02\nlocations: [Tolyatti]\n", "Body 2 again.\n"))
    assert run(warm_env, root, "build").returncode == 0
    fresh = make_project({**ARTICLES, "articles/2023/2023-01-02-r2.md": source.read_text()}, name="fresh")
    assert run({**warm_env, warm.MODE_VARIABLE: "off"}, fresh, "build").returncode == 0
    assert site_bytes(root) == site_bytes(fresh)
    assert commands_run(warm_env) == 2


def test_a_state_file_read_ahead_is_used_only_while_it_is_the_file_on_disk(tmp_path, monkeypatch):
    from newsarchive import cache
    monkeypatch.setattr(cache, "LOADED", {})
    path = tmp_path / "part.marshal"
    cache.BuildCache(tmp_path, "config")._write(path, {"entries": {"a": 1}})
    cache.preload(path)
    read_ahead = cache.LOADED[str(path)][1]
    assert cache._read_state(path)[1] is read_ahead
    cache.BuildCache(tmp_path, "config")._write(path, {"entries": {"a": 2}})  # replaced, as every state file is
    assert cache._read_state(path)[1]["entries"] == {"a": 2}
