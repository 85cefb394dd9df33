"""`fmt`: one canonical form for article sources, reached without changing what the archive reads."""

import pytest

from helpers import md, read_project
from newsarchive.canonical import canonical_source
from newsarchive.config import load_config

P = "articles/2023/2023-01-05-x.md"
MESSY = (
    "---\r\n"
    "topics: [strike, 'death toll']\r\n"
    "locations:\r\n  - makeevka\r\n  - Samara\r\n  - MAKIIVKA\r\n"
    "summary: A summary long enough to need folding, because it runs well past the hundred columns that the canonical form allows on one line.\r\n"
    "date: '2023-01-05'\r\n"
    "title: \"Rally: day 2\"\r\n"
    "draft: no\r\n"
    "sources:\r\n  - url: https://outlet.example/a\r\n    published: 2023-01-05\r\n    name: Outlet\r\n"
    "---\r\n"
    "Body with a hard break  \r\nat the end of a line.\r\n\r\n\r\n"
)
CANONICAL = (
    "---\n"
    'title: "Rally: day 2"\n'
    "date: 2023-01-05\n"
    "summary: >-\n"
    "  A summary long enough to need folding, because it runs well past the hundred columns that the\n"
    "  canonical form allows on one line.\n"
    "locations: [Makiivka, Samara]\n"
    "topics: [Strike, Casualties]\n"
    "sources:\n"
    "  - name: Outlet\n"
    "    url: https://outlet.example/a\n"
    "    published: 2023-01-05\n"
    "draft: false\n"
    "---\n"
    "Body with a hard break  \n"
    "at the end of a line.\n"
)


def test_a_messy_source_becomes_canonical_and_reads_the_same(make_project, run_cli):
    root = make_project({P: MESSY.encode()})
    before = read_project(root)[2].articles
    result = run_cli(root, "fmt")
    assert (result.code, result.out) == (0, f"reformatted {P}\n")
    assert (root / P).read_bytes() == CANONICAL.encode()
    after = read_project(root)[2].articles
    assert [a.title for a in after] == [a.title for a in before]
    assert (after[0].locations, after[0].topics, after[0].sources) == (before[0].locations, before[0].topics,
                                                                       before[0].sources)
    assert after[0].body_digest == before[0].body_digest


def test_fmt_twice_changes_nothing(make_project, run_cli):
    root = make_project({P: MESSY.encode()})
    run_cli(root, "fmt")
    result = run_cli(root, "fmt")
    assert (result.code, result.out) == (0, "all sources are in canonical form\n")


def test_fmt_check_lists_files_and_changes_nothing(make_project, run_cli):
    root = make_project({P: MESSY.encode(), "articles/2023/2023-01-06-y.md": md("title: Y\ndate: 2023-01-06\n")})
    result = run_cli(root, "fmt", "--check")
    assert (result.code, result.out) == (1, f"would reformat {P}\n")
    assert (root / P).read_bytes() == MESSY.encode()


def test_fmt_refuses_to_drop_a_comment(make_project, run_cli):
    root = make_project({P: "---\ntitle: X\n# checked with the desk on 6 January\ndate: 2023-01-05\n---\nBody.\n"})
    result = run_cli(root, "fmt")
    assert (result.code, result.problems) == (1, [
        f"{P}:3: this YAML comment would be lost; move it into the body or delete it"])


def test_fmt_leaves_invalid_sources_alone_and_says_why(make_project, run_cli):
    broken = md("title: X\ndate: 2023-01-05\ntopics: [strke]\n")
    root = make_project({P: broken})
    result = run_cli(root, "fmt")
    assert result.code == 1
    assert result.problems == [f"{P}:4: topics.0: unknown topic 'strke' (did you mean 'Strike'?); "
                               "add it to topics in site_config.yaml if it is new"]
    assert (root / P).read_text() == broken


@pytest.mark.parametrize("title", ["no", "1.10", "Update #2", "- a dash", "[bracketed]", '"quoted"', "2023-01-05",
                                   "Макеевка: митинг", "a: b"])
def test_awkward_values_survive_the_canonical_form(make_project, title):
    root = make_project()
    config = load_config(root / "site_config.yaml")
    import yaml
    source = md(f"title: {yaml.safe_dump(title, default_style=chr(34)).strip()}\ndate: 2023-01-05\n")
    canonical = canonical_source(source, config)
    (root / P).parent.mkdir(parents=True)
    (root / P).write_text(canonical)
    [article] = read_project(root)[2].articles
    assert article.title == title


def test_new_writes_canonical_sources(make_project, run_cli):
    root = make_project()
    assert run_cli(root, "new", "Rally: day 2", "--date", "2023-01-05", "--location", "makeevka").code == 0
    assert run_cli(root, "fmt", "--check").code == 0


def test_claims_and_corrections_are_block_lists_with_their_keys_in_schema_order(make_project):
    root = make_project()
    text = md("title: X\ndate: 2023-01-05\n"
              "corrections:\n  - {serious: true, text: Fixed., date: 2023-01-06}\n"
              "claims:\n  - {note: “About 400”, stated: 2023-01-02, low: 300, high: 400, measure: killed, claimant: Kyiv}\n")
    assert canonical_source(text, load_config(root / "site_config.yaml")) == md(
        "title: X\ndate: 2023-01-05\n"
        "claims:\n  - claimant: Kyiv\n    measure: killed\n    low: 300\n    high: 400\n    stated: 2023-01-02\n"
        '    note: "“About 400”"\n'
        "corrections:\n  - date: 2023-01-06\n    text: Fixed.\n    serious: true\n")


def test_the_archives_own_sources_are_canonical():
    # The reports in this repository are reviewed in git: they stay in the form fmt gives them.
    from helpers import BUILD_SCRIPT, REPO
    import subprocess
    import sys
    result = subprocess.run([sys.executable, str(BUILD_SCRIPT), "fmt", "--check"], cwd=REPO,
                            capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "all sources are in canonical form\n", "")
