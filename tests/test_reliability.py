"""Bad input fails closed, hostile content is neutralised, nothing is ever lost.

The cases follow the project's reliability list (numbers in brackets). Cases already covered
next to the module they concern are not repeated here: YAML errors and lines [1-5, 9],
encodings [14], empty files [15], term collisions [12] and most dates [10] in test_reader.py
and test_yamlfile.py; URL fields [21] in test_fields.py; stale pages [32] in test_writer.py;
repeat builds and the environment matrix [35, 36] in test_build_e2e.py.
"""

from __future__ import annotations

import errno
import os
import random
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import BUILD_SCRIPT, CONFIG, TEMPLATES, md, tree_hashes
from newsarchive import fsops, lock, writer
from newsarchive.config import load_config
from newsarchive.errors import OutputError
from newsarchive.indexes import index_site
from newsarchive.markup import MarkdownRenderer, MarkupError
from newsarchive.reader import read_article
from newsarchive.render import make_environment, plan_pages, render_pages

P = "articles/2023/2023-01-05-x.md"


def problems_for(make_project, run_cli, text, path=P):
    root = make_project({path: text})
    result = run_cli(root, "check")
    assert result.code == 1, result.out
    return result.problems


# -- Bad input ---------------------------------------------------------------------------------

def test_unclosed_flow_list_points_at_its_line(make_project, run_cli):  # [2]
    [problem] = problems_for(make_project, run_cli, md("title: X\ndate: 2023-01-05\nlocations: [Samara,\ntopics: [Strike]\n"))
    assert re.fullmatch(rf"{P}:[45]: invalid YAML: .+", problem)


@pytest.mark.parametrize("field, value, got", [  # [7]
    ("locations", "[NO]", "a yes/no value False"),
    ("topics", "[012]", "a number 10"),
])
def test_yaml_11_coercion_inside_lists(make_project, run_cli, field, value, got):
    text = md(f"title: X\ndate: 2023-01-05\n{field}: {value}\n")
    assert problems_for(make_project, run_cli, text) == [f"{P}:4: {field}.0: expected text, got {got}; quote it"]


def test_null_title_is_missing(make_project, run_cli):  # [7, 8]
    assert problems_for(make_project, run_cli, md("title: null\ndate: 2023-01-05\n")) == [f"{P}:2: title: is required"]


@pytest.mark.parametrize("value, message", [  # [10]
    ("2023-13-01", "'2023-13-01' is not a real date (month must be in 1..12)"),
    ("tuesday", "expected a date as YYYY-MM-DD, got 'tuesday'"),
    ("0000-01-01", "'0000-01-01' is not a real date (year 0 is out of range)"),
])
def test_impossible_dates(make_project, run_cli, value, message):
    text = md(f"title: X\ndate: 2023-01-05\nupdated: {value}\n")
    assert problems_for(make_project, run_cli, text) == [f"{P}:4: updated: {message}"]


@pytest.mark.parametrize("slug", ["index", "con", "nul", "lpt1", ".git", "..", "a/../../x", "x" * 81])  # [13, 24]
def test_reserved_and_hostile_slugs(make_project, run_cli, slug):
    [problem] = problems_for(make_project, run_cli, md(f"title: X\ndate: 2023-01-05\nslug: '{slug}'\n"))
    assert problem.startswith(f"{P}:4: slug: the slug ")


def test_oversized_file(make_project, run_cli):  # [16]
    text = md("title: X\ndate: 2023-01-05\n", "word " * 250_000)
    assert problems_for(make_project, run_cli, text) == [
        f"{P}: file too large ({len(text.encode()):,} bytes; the limit is 1,000,000)"]


@pytest.mark.parametrize("body, line, message", [  # [16]
    ("Intro.\n\n" + "> " * 5000 + "deep\n", 7, "the body nests quotes more than 32 levels deep"),
    ("".join("  " * i + "- item\n" for i in range(150)), 5 + 101,
     "the body is indented more than 200 spaces (lists nested too deeply)"),
    ("Fine.\n\n" + "[" * 60_000 + "x\n", 7, "the paragraph has more than 1000 '[' brackets"),
])
def test_pathological_bodies_fail_fast(make_project, run_cli, body, line, message):
    started = time.monotonic()
    assert problems_for(make_project, run_cli, md("title: X\ndate: 2023-01-05\n", body)) == [f"{P}:{line}: {message}"]
    assert time.monotonic() - started < 5


def test_deeply_nested_front_matter(make_project, run_cli):  # [16]
    [problem] = problems_for(make_project, run_cli, md("title: X\ndate: 2023-01-05\nsummary: " + "[" * 3000 + "]" * 3000 + "\n"))
    assert problem.startswith(f"{P}:4: ")


def test_alias_bomb_is_refused_quickly(make_project, run_cli):  # [6]
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
    started = time.monotonic()
    problems = problems_for(make_project, run_cli, md("title: X\ndate: 2023-01-05\n" + "\n".join(lines) + "\n"))
    assert problems == [f"{P}:5: aliases (*name) are not allowed"]
    assert time.monotonic() - started < 2


def test_symlinked_folder_loop_is_refused(make_project, run_cli):  # [17]
    root = make_project({P: md("title: X\ndate: 2023-01-05\n")})
    (root / "articles/loop").symlink_to(root / "articles")
    result = run_cli(root, "check")
    assert (result.code, result.problems) == (1, [
        "articles/loop: symbolic links to folders are not followed; move the files here"])


def test_symlink_to_a_file_outside_is_refused_and_never_read(make_project, run_cli, tmp_path):  # [17]
    secret = tmp_path / "secret.md"
    secret.write_text(md("title: SECRET-TITLE\ndate: 2023-01-05\n"))
    root = make_project({"articles/2023/2023-01-04-ok.md": md("title: Ok\ndate: 2023-01-04\n")})
    (root / P).symlink_to(secret)
    result = run_cli(root, "build")
    assert result.problems == [f"{P}: symbolic link leads outside the articles folder; refusing to read it"]
    assert not (root / "_site").exists()


# -- Hostile content ----------------------------------------------------------------------------

OWASP_BODIES = [  # [20]
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example/></iframe>",
    "<style>body{display:none}</style>",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example/"><input name=q></form>',
]


@pytest.mark.parametrize("body", OWASP_BODIES)
def test_raw_html_attacks_are_neutralised(body):
    try:
        html = MarkdownRenderer().render("Before.\n\n" + body + "\n\nAfter.\n").html
    except MarkupError as exc:  # a forbidden address is refused outright, which is as safe
        assert (exc.line, " is not allowed; " in str(exc)) == (3, True)
        return
    document = html5lib.parse(html, namespaceHTMLElements=False)
    elements = list(document.iter())
    assert not [e for e in elements if e.tag in ("script", "iframe", "style", "object", "embed", "form", "input", "svg")]
    assert not [name for e in elements for name in e.attrib if name.startswith("on") or name == "style"]
    hrefs = [e.get("href", "") for e in elements if e.get("href")]
    assert all(h.startswith(("http:", "https:", "mailto:", "#", "/", ".")) or ":" not in h for h in hrefs)
    assert "Before." in html and "After." in html


@pytest.mark.parametrize("body, message", [  # [20, 21]
    ("[click](javascript:alert(1))", "the link 'javascript:alert(1)' is not allowed; use an http, https, mailto or relative address"),
    ("![pixel](https://tracker.example/p.gif)", "the image 'https://tracker.example/p.gif' is not allowed; images must be "
     "files of the site (a relative address): pages load nothing from other hosts"),
])
def test_forbidden_markdown_links_are_errors_at_their_line(make_project, run_cli, body, message):
    text = md("title: X\ndate: 2023-01-05\n", "First paragraph.\n\n" + body + "\n")
    assert problems_for(make_project, run_cli, text) == [f"{P}:7: {message}"]


def test_names_of_places_and_topics_are_escaped_wherever_they_are_linked(make_project, build_ok):  # [19]
    config = CONFIG.replace("name: Samara", "name: 'Samara & <i>Co</i>'").replace("name: Strike", "name: '<b>Strike</b>'")
    site = build_ok(make_project({P: md("title: X\ndate: 2023-01-05\nlocations: [Samara]\ntopics: [Strike]\n")},
                                 config=config))
    # The report's page (its place and its topics), the timeline and a listing (its entry).
    for page in ("2023/01/05/x/index.html", "timeline/index.html", "2023/index.html"):
        html = (site / page).read_text("utf-8")
        assert "Samara &amp; &lt;i&gt;Co&lt;/i&gt;</a>" in html and "<i>" not in html, page
    assert "&lt;b&gt;Strike&lt;/b&gt;</a>" in (site / "2023/01/05/x/index.html").read_text("utf-8")


def test_every_template_is_autoescaped(make_project):  # [19]
    root = make_project({P: md("title: X\ndate: 2023-01-05\n")})
    config = load_config(root / "site_config.yaml")
    env = make_environment(config.paths.templates, config, index_site([], config), lambda digest: "")
    names = [p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".xml", ".txt", ".js")
             and not p.relative_to(TEMPLATES).as_posix().startswith("static/")]
    assert names
    for name in names:
        env.get_template(name)  # it exists and compiles
        autoescape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
        assert autoescape is True, name


def test_safe_is_used_only_on_sanitised_bodies():  # [22]
    uses = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".xml"):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                uses += [(path.name, number, m) for m in re.findall(r"[\w.()]+\s*\|\s*safe|Markup\(|autoescape false", line)]
    assert uses and all(m.replace(" ", "").endswith(("body(article)|safe", "_json|safe")) for _, _, m in uses), uses


def test_the_build_needs_no_network_and_no_subprocess(make_project, build_ok, monkeypatch):  # [26]
    root = make_project({P: md("title: X\ndate: 2023-01-05\nlocations: [Samara]\n")})

    def refuse(*args, **kwargs):
        raise AssertionError("the build tried to reach the network or start a process")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "system", refuse)
    for name in ("execv", "execve", "execvp", "execvpe", "posix_spawn", "posix_spawnp"):
        monkeypatch.setattr(os, name, refuse)
    # Worker processes are forks of the build itself (--jobs), not programs: they may be started.
    site = build_ok(root)
    assert (site / "2023/01/05/x/index.html").exists()


@settings(max_examples=60, deadline=None)
@given(title=st.text(min_size=1, max_size=60), body=st.text(min_size=1, max_size=200))
def test_any_title_and_body_build_safely_or_fail_cleanly(tmp_path_factory, title, body):  # [40]
    root = tmp_path_factory.mktemp("prop")
    shutil.copy(Path(__file__).parent.parent / "site_config.yaml", root / "site_config.yaml")
    path = root / "articles/2023/2023-01-05-x.md"
    path.parent.mkdir(parents=True)
    quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    path.write_text(md(f"title: {quoted}\ndate: 2023-01-05\n", body), encoding="utf-8", newline="")
    config = load_config(root / "site_config.yaml")
    reading = read_article(path, path.read_bytes(), config, MarkdownRenderer().render)
    article = reading.article
    if article is None:
        assert reading.problems and all(str(p).startswith(("articles/", str(root))) for p in reading.problems)
        return
    index = index_site([article], config)
    pages = [p for p in plan_pages(index, config, {article.source_path: ""}) if p.template == "article.html"]
    [(_, html)] = render_pages(pages, make_environment(TEMPLATES, config, index, lambda digest: reading.body.html))
    document = html5lib.parse(html, namespaceHTMLElements=False)
    assert all(e.get("src") or e.get("type") == "application/ld+json" for e in document.iter("script"))
    assert not [n for e in document.iter() for n in e.attrib if n.startswith("on")]
    assert ["".join(e.itertext()) for e in document.iter("h1")] == [article.title]


# -- Output that cannot be lost ------------------------------------------------------------------

def many_articles(count: int) -> dict:
    return {f"articles/2023/2023-01-{1 + i % 28:02d}-report-{i:04d}.md":
            md(f"title: Report {i}\ndate: 2023-01-{1 + i % 28:02d}\nlocations: [Samara]\ntopics: [Strike]\n",
               "A paragraph of text.\n" * 20) for i in range(count)}


def run_build_process(root: Path, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(BUILD_SCRIPT)], cwd=root, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])  # [27]
def test_a_killed_build_leaves_the_old_site_whole(make_project, build_ok, run_cli, how):
    root = make_project(many_articles(400))
    site = build_ok(root)
    before = tree_hashes(site)
    (root / "templates/base.html").write_text((root / "templates/base.html").read_text().replace("</body>", "<!-- v2 --></body>"))
    staging = writer.slot_path(root / "_site", "b")  # the copy this build writes, unseen by readers
    process = run_build_process(root)
    deadline = time.monotonic() + 60
    # The first build left this copy whole; the next one unlinks its manifest before writing into it.
    while (staging / writer.MANIFEST).exists():
        assert process.poll() is None, "the build finished before it could be interrupted; make the fixture larger"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    process.send_signal(how)
    process.wait(timeout=30)
    assert tree_hashes(site) == before
    assert os.readlink(root / "_site") == "._site.a"
    assert writer.read_manifest(staging) is None, "a copy a build did not finish is never trusted"
    if how == signal.SIGINT:
        assert process.returncode == 130
    result = run_cli(root, "build")
    assert result.code == 0, result.err
    assert "<!-- v2 -->" in (site / "index.html").read_text()
    assert not [p for p in site.rglob("*") if fsops.TEMPORARY_SUFFIX in p.name]


def test_disk_full_leaves_the_old_site_whole(make_project, build_ok, run_cli, monkeypatch):  # [29]
    root = make_project(many_articles(30))
    site = build_ok(root)
    before = tree_hashes(site)
    (root / "templates/base.html").write_text((root / "templates/base.html").read_text().replace("</body>", "<!-- v2 --></body>"))
    calls = {"n": 0}
    real_write = os.write

    def write_until_full(handle, data):
        if stat.S_ISREG(os.fstat(handle).st_mode):
            calls["n"] += 1
            if calls["n"] > 10:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(handle, data)
    monkeypatch.setattr(os, "write", write_until_full)
    result = run_cli(root, "build")
    assert result.code == 3
    [problem] = result.problems
    assert ".newsarchive-cache/pages/" in problem
    assert problem.endswith(": cannot write the site: No space left on device; the published site was left as it was")
    assert tree_hashes(site) == before
    assert not [path for path in (root / ".newsarchive-cache").rglob(".*") if path.is_file()]  # no temporary files left
    assert writer.read_manifest(writer.slot_path(root / "_site", "b")) is None


def test_unwritable_output_parent_fails_before_anything_is_rendered(make_project, run_cli, monkeypatch):  # [30]
    root = make_project({P: md("title: X\ndate: 2023-01-05\n")})
    real_mkdir = Path.mkdir

    def refuse_copy(self, *args, **kwargs):
        if self.name == "._site.a":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_mkdir(self, *args, **kwargs)
    monkeypatch.setattr(Path, "mkdir", refuse_copy)
    result = run_cli(root, "build")
    assert (result.code, result.problems) == (3, ["._site.a: cannot prepare the build folder: Permission denied"])
    assert not (root / "_site").exists()


@pytest.mark.parametrize("output", ["", ".", "/", "articles", "articles/2023", "templates", "~"])  # [31]
def test_dangerous_output_paths_are_refused(make_project, run_cli, output, monkeypatch, tmp_path):
    root = make_project({P: md("title: X\ndate: 2023-01-05\n")})
    monkeypatch.setenv("HOME", str(root / ".." if output == "~" else tmp_path / "home"))
    target = str(Path(os.environ["HOME"]).resolve()) if output == "~" else output
    before = tree_hashes(root)
    result = run_cli(root, "build", "--output", target)
    assert result.code == 2
    [problem] = result.problems
    assert re.fullmatch(r"--output: (refusing to build into .+: it is the project, home or root folder"
                        r"|the output folder overlaps paths\.(articles|templates) \(\w+\))", problem), problem
    assert tree_hashes(root) == before


def test_a_dangerous_output_in_the_config_points_at_its_line(make_project, run_cli):  # [31]
    from helpers import CONFIG
    root = make_project({P: md("title: X\ndate: 2023-01-05\n")}, config=CONFIG + "paths:\n  output: .\n")
    result = run_cli(root, "build")
    line = (CONFIG + "paths:\n").count("\n") + 1
    assert (result.code, result.problems) == (2, [
        f"site_config.yaml:{line}: paths.output: refusing to build into {root}: it is the project, home or root folder"])


def test_a_second_build_fails_fast_while_one_runs(make_project, run_cli):  # [33]
    root = make_project({P: md("title: X\ndate: 2023-01-05\n")})
    with lock.build_lock((root / "_site").absolute()):
        result = run_cli(root, "build")
    assert (result.code, result.problems) == (3, [f"_site: another build into this folder is running (pid {os.getpid()}); "
                                                  "wait for it to finish"])
    assert run_cli(root, "build").code == 0


def test_a_lock_left_by_a_killed_build_is_recovered(make_project, run_cli):  # [33]
    root = make_project({P: md("title: X\ndate: 2023-01-05\n")})
    process = subprocess.Popen([sys.executable, "-c", "import os, time; print(os.getpid(), flush=True); time.sleep(60)"],
                               stdout=subprocess.PIPE)
    pid = int(process.stdout.readline())
    process.kill()
    process.wait()
    lock.lock_path((root / "_site").absolute()).write_text(f"{pid}\n")
    assert run_cli(root, "build").code == 0


def test_readers_see_the_old_site_or_the_new_one_never_a_mix(make_project, build_ok, run_cli):  # [34]
    root = make_project(many_articles(40))
    site = build_ok(root)
    versions = [writer.read_manifest(site)]
    samples, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            manifest = writer.read_manifest(site)
            # Every file the manifest names is there: the copy is whole.
            samples.append((manifest, manifest is not None and all((site / f).exists() for f in list(manifest.files)[:50])))
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for n in range(3):
            base = root / "templates/base.html"
            base.write_text(base.read_text().replace("</body>", f"<!-- v{n} --></body>"))
            assert run_cli(root, "build").code == 0
            versions.append(writer.read_manifest(site))
    finally:
        stop.set()
        watcher.join()
    assert samples and all(manifest in versions and whole for manifest, whole in samples)


def test_a_planted_symlink_in_the_output_is_never_written_through(make_project, build_ok, run_cli, tmp_path):  # [24]
    root = make_project({P: md("title: X\ndate: 2023-01-05\n")})
    site = build_ok(root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (site / "2023").rename(tmp_path / "moved-2023")
    (site / "2023").symlink_to(outside)
    result = run_cli(root, "build", "--force")
    assert result.code == 3, "a link we did not write sits where pages must go"
    assert list(outside.iterdir()) == []


def test_a_sibling_folder_with_a_similar_name_is_untouched(make_project, build_ok, tmp_path):  # [24]
    root = make_project({P: md("title: X\ndate: 2023-01-05\n")})
    evil = root / "_site-evil"
    evil.mkdir()
    (evil / "keep.txt").write_text("mine")
    build_ok(root)
    build_ok(root)
    assert [p.name for p in evil.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("relpath", ["../x.html", "/abs.html", "a/../../x.html", "a\\..\\x.html", "nul\0.html", ""])  # [24]
def test_writer_refuses_paths_that_leave_the_output(tmp_path, relpath):
    with pytest.raises(OutputError):
        writer.publish([writer.Output(relpath, "0" * 64, b"x")], tmp_path / "site")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.a", ".site.lock"]
    assert [p.name for p in (tmp_path / ".site.a").iterdir()] == [writer.SLOT_MARKER]


# -- Determinism ----------------------------------------------------------------------------------

def test_file_creation_order_does_not_change_the_output(make_project, build_ok):  # [37]
    articles = many_articles(12)
    shuffled = list(articles.items())
    random.Random(7).shuffle(shuffled)
    first = build_ok(make_project(articles, name="in-order"))
    second = build_ok(make_project(dict(shuffled), name="shuffled"))
    assert tree_hashes(first) == tree_hashes(second)


def test_source_date_epoch_changes_nothing(make_project, build_ok, tmp_path):  # [38]
    root = make_project(many_articles(3))
    site = build_ok(root)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    subprocess.run([sys.executable, str(BUILD_SCRIPT), "--output", str(tmp_path / "epoch")], cwd=root, env=env, check=True,
                   capture_output=True)
    assert tree_hashes(tmp_path / "epoch") == tree_hashes(site)
    assert not any(b"2023-11-14" in (tmp_path / "epoch" / p).read_bytes() for p in tree_hashes(site))


def test_errors_never_show_a_traceback(make_project, run_cli):  # [45]
    root = make_project({P: b"\xff\xfe" + "---\ntitle: X\n".encode("utf-16-le"),
                         "articles/2023/2023-01-06-y.md": md("title: [unclosed\ndate: 2023-01-06\n")})
    result = run_cli(root, "build")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert [line.split(":")[0] for line in result.problems] == [P, "articles/2023/2023-01-06-y.md"]


def test_yaml_is_never_loaded_with_a_constructing_loader(make_project, build_ok, monkeypatch):  # [23]
    import yaml

    def refuse(*args, **kwargs):
        raise AssertionError("YAML must be composed and converted by newsarchive.yamlfile, never loaded")
    for name in ("load", "unsafe_load", "full_load", "safe_load", "load_all"):
        monkeypatch.setattr(yaml, name, refuse)
    root = make_project({P: md("title: X\ndate: 2023-01-05\nsources:\n  - name: A\n    url: https://a.example/\n")})
    assert (build_ok(root) / "2023/01/05/x/index.html").exists()
