"""`serve`: a real HTTP preview that rebuilds after a change, shows build errors and keeps the last good site."""

import json
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from helpers import BUILD_SCRIPT, md

P = "articles/2023/2023-01-05-x.md"


@pytest.fixture
def preview(make_project):
    root = make_project({P: md("title: First title\ndate: 2023-01-05\n")})
    process = subprocess.Popen([sys.executable, str(BUILD_SCRIPT), "serve", "--port", "0"], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        while not lines or "serving" not in lines[-1]:
            line = process.stdout.readline()
            assert line, "serve stopped: " + "".join(lines)
            lines.append(line)
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", lines[-1])[1])
        yield root, f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=10)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(condition, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the preview")


def test_pages_carry_the_reload_script_only_when_served(preview):
    root, base = preview
    page = fetch(base + "2023/01/05/x/")
    assert '<script src="/__newsarchive/reload.js"></script></body>' in page
    assert "reload.js" not in (root / "_site/2023/01/05/x/index.html").read_text()
    assert "location.reload()" in fetch(base + "__newsarchive/reload.js")


def test_a_saved_change_is_rebuilt_and_served(preview):
    root, base = preview
    build = json.loads(fetch(base + "__newsarchive/status"))["build"]
    (root / P).write_text(md("title: Second title\ndate: 2023-01-05\n"))
    wait_for(lambda: "Second title" in fetch(base + "2023/01/05/x/"))
    assert json.loads(fetch(base + "__newsarchive/status")) == {"build": build + 1, "errors": []}


def test_a_build_error_is_shown_and_the_last_good_site_kept(preview):
    root, base = preview
    (root / P).write_text(md("title: Broken\ndate: 2023-01-05\ntopics: [strke]\n"))
    status = wait_for(lambda: json.loads(fetch(base + "__newsarchive/status"))["errors"])
    assert status == [f"{P}:4: topics.0: unknown topic 'strke' (did you mean 'Strike'?); "
                      "add it to topics in site_config.yaml if it is new"]
    assert "First title" in fetch(base + "2023/01/05/x/")
    (root / P).write_text(md("title: Fixed\ndate: 2023-01-05\ntopics: [Strike]\n"))
    wait_for(lambda: "Fixed" in fetch(base + "2023/01/05/x/"))
    assert json.loads(fetch(base + "__newsarchive/status"))["errors"] == []
