"""Article sources: what an editor gets for every mistake (full path:line: field: message lines, exit 1),
and what a valid source becomes."""

import datetime as dt
import os

import pytest

from helpers import ARTICLE_PATH as P, md, problems_of, read_project, tree_hashes

GOOD = md("title: A good report\ndate: 2023-01-05\nlocations: [Samara]\n")


def read(make_project, articles: dict):
    return read_with_bodies(make_project, articles)[0]


def read_with_bodies(make_project, articles: dict):
    """The articles read from a project, and a function giving each one's body HTML."""
    _, cache, reading = read_project(make_project(articles))
    return reading.articles, lambda article: cache.load_body(article.body_digest)


# --- the front-matter block -------------------------------------------------------------------

def test_yaml_syntax_error_names_the_line(make_project, run_cli):
    text = "---\ntitle: Rally: thousands gather\ndate: 2023-01-05\n---\nBody.\n"
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:2: invalid YAML: mapping values are not allowed in this context (a value containing ': ' must be quoted)"]


def test_yaml_syntax_error_line_counts_leading_blank_lines(make_project, run_cli):
    text = "\n\n---\ntitle: Rally: thousands gather\ndate: 2023-01-05\n---\nBody.\n"
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:4: invalid YAML: mapping values are not allowed in this context (a value containing ': ' must be quoted)"]


def test_unterminated_front_matter(make_project, run_cli):
    text = "---\ntitle: X\ndate: 2023-01-05\nBody without a closing line.\n"
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:1: the front-matter block opened here is never closed with '---'"]


def test_file_without_front_matter(make_project, run_cli):
    assert problems_of(make_project, run_cli, "Just a body.\n") == [
        f"{P}:1: the file must start with a front-matter block between '---' lines"]


@pytest.mark.parametrize("front, got", [("- a\n- b\n", "a list"), ("", "nothing"), ("just text\n", "text")])
def test_front_matter_that_is_not_a_mapping(make_project, run_cli, front, got):
    # The block opens on line 1: that is where the editor must look.
    text = "---\n" + front + "---\nBody.\n"
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:1: the front-matter must be a mapping of fields, got {got}"]


def test_empty_file(make_project, run_cli):
    assert problems_of(make_project, run_cli, "") == [f"{P}:1: the file is empty"]


def test_empty_body(make_project, run_cli):
    # The body would start on line 5, right after the closing '---'.
    assert problems_of(make_project, run_cli, "---\ntitle: X\ndate: 2023-01-05\n---\n") == [
        f"{P}:5: the body is empty; write the report below the front-matter"]


def test_non_utf8_byte_names_its_line(make_project, run_cli):
    text = "---\ntitle: X\ndate: 2023-01-05\n---\nFirst line.\nCaf\xe9 on line six.\n".encode("latin-1")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:6: not valid UTF-8 (byte 0xE9); save the file as UTF-8"]


def test_non_utf8_line_counts_crlf_lines_once(make_project, run_cli):
    text = "---\r\ntitle: X\r\ndate: 2023-01-05\r\n---\r\nCaf\xe9\r\n".encode("latin-1")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:5: not valid UTF-8 (byte 0xE9); save the file as UTF-8"]


def test_bom_is_accepted_and_dropped(make_project):
    [article], body = read_with_bodies(make_project, {P: "\ufeff" + md("title: With a BOM\ndate: 2023-01-05\n")})
    assert article.title == "With a BOM"
    assert "\ufeff" not in body(article)


LINE_ENDINGS_SOURCE = md(
    "title: Line endings\ndate: 2023-01-05\nsummary: >-\n  A folded summary\n  over two lines.\n"
    "locations:\n  - Makeevka\n",
    "First paragraph\nwrapped.\n\n- one\n- two\n\n```\ncode line 1\ncode line 2\n```\n\n> quoted\n")


def test_bom_crlf_and_cr_give_byte_identical_output(make_project, build_ok):
    variants = {
        "lf": LINE_ENDINGS_SOURCE.encode(),
        "crlf": LINE_ENDINGS_SOURCE.replace("\n", "\r\n").encode(),
        "cr": LINE_ENDINGS_SOURCE.replace("\n", "\r").encode(),
        "bom": b"\xef\xbb\xbf" + LINE_ENDINGS_SOURCE.encode(),
        "bom-crlf": b"\xef\xbb\xbf" + LINE_ENDINGS_SOURCE.replace("\n", "\r\n").encode(),
    }
    sites = {name: build_ok(make_project({P: data}, name=name)) for name, data in variants.items()}
    expected = tree_hashes(sites["lf"])
    assert "2023/01/05/x/index.html" in expected and "locations/makiivka/index.html" in expected
    for name, site in sites.items():
        assert tree_hashes(site) == expected, name
    for path in sites["bom-crlf"].rglob("*"):
        if path.suffix in (".html", ".xml"):
            data = path.read_bytes()
            assert "\ufeff".encode() not in data and b"\r" not in data, path


def test_crlf_and_cr_yaml_error_lines(make_project, run_cli):
    text = "---\ntitle: X\ndate: 2023-01-05\nsummary: a: b\n---\nBody.\n"
    for name, variant in (("crlf", text.replace("\n", "\r\n")), ("cr", text.replace("\n", "\r"))):
        root = make_project({P: variant.encode()}, name=name)
        assert run_cli(root, "check").problems == [
            f"{P}:4: invalid YAML: mapping values are not allowed in this context (a value containing ': ' must be quoted)"]


# --- fields ---------------------------------------------------------------------------------

def test_missing_title_and_date(make_project, run_cli):
    # Neither is written: both point at the start of the block's fields.
    assert problems_of(make_project, run_cli, "---\nsummary: Something.\n---\nBody.\n") == [
        f"{P}:2: date: is required",
        f"{P}:2: title: is required",
    ]


def test_title_given_empty(make_project, run_cli):
    assert problems_of(make_project, run_cli, "---\ndate: 2023-01-05\ntitle:\n---\nBody.\n") == [
        f"{P}:3: title: is required"]


def test_unknown_field_with_did_you_mean(make_project, run_cli):
    text = md("title: X\ndate: 2023-01-05\ntopcs: [Strike]\n")
    assert problems_of(make_project, run_cli, text) == [f"{P}:4: topcs: unknown field; did you mean 'topics'?"]


def test_unknown_field_without_a_close_match_lists_the_fields(make_project, run_cli):
    text = md("title: X\ndate: 2023-01-05\nflavour: 1\n")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:4: flavour: unknown field (allowed: aliases, byline, claims, corrections, date, date_note, draft, locations, "
        "slug, sources, summary, title, topics, updated)"]


def test_unquoted_hash_comment_trap(make_project, run_cli):
    assert problems_of(make_project, run_cli, md("title: Update #2\ndate: 2023-01-05\n")) == [
        f"{P}:2: title: an unquoted ' #' starts a YAML comment, so the value was cut to 'Update'; quote the whole value"]


def test_quoted_hash_is_fine(make_project):
    [article] = read(make_project, {P: md('title: "Update #2"\ndate: 2023-01-05\n')})
    assert article.title == "Update #2"


@pytest.mark.parametrize("value, got", [("no", "a yes/no value False"), ("1.10", "a number 1.1"), ("012", "a number 10")])
def test_title_that_yaml_reads_as_another_type(make_project, run_cli, value, got):
    assert problems_of(make_project, run_cli, md(f"title: {value}\ndate: 2023-01-05\n")) == [
        f"{P}:2: title: expected text, got {got}; quote it"]


def test_duplicate_key(make_project, run_cli):
    text = md("title: First\ndate: 2023-01-05\ntitle: Second\n")
    assert problems_of(make_project, run_cli, text) == [f"{P}:4: duplicate key 'title' (first given on line 2)"]


def test_alias_rejected_at_its_line(make_project, run_cli):
    text = md("title: &t A title\ndate: 2023-01-05\nsummary: *t\n")
    assert problems_of(make_project, run_cli, text) == [f"{P}:4: aliases (*name) are not allowed"]


@pytest.mark.parametrize("value, tag", [("!!python/object:os.system ls", "python/object:os.system"),
                                        ("!!binary aGVsbG8=", "binary")])
def test_dangerous_tags_rejected(make_project, run_cli, value, tag):
    text = md(f"title: {value}\ndate: 2023-01-05\n")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:2: the tag 'tag:yaml.org,2002:{tag}' is not allowed"]


# --- dates and file names --------------------------------------------------------------------

def test_impossible_date(make_project, run_cli):
    text = md("title: X\ndate: 2023-02-30\n")
    assert problems_of(make_project, run_cli, text, "articles/2023/2023-02-30-x.md") == [
        "articles/2023/2023-02-30-x.md:3: date: '2023-02-30' is not a real date (day is out of range for month)"]


def test_datetime_without_offset(make_project, run_cli):
    assert problems_of(make_project, run_cli, md("title: X\ndate: 2023-01-05T10:00:00\n")) == [
        f"{P}:3: date: the date-time '2023-01-05T10:00:00' has no UTC offset; add one, e.g. 2023-01-05T10:00:00+00:00"]


def test_datetime_is_filed_on_its_day_in_the_site_timezone(make_project):
    # 23:30 UTC on 4 January is 01:30 on 5 January in Kyiv (UTC+2), the site's zone.
    [article] = read(make_project, {P: md("title: X\ndate: 2023-01-04T23:30:00+00:00\n")})
    assert article.day == dt.date(2023, 1, 5)
    assert article.moment == dt.datetime(2023, 1, 4, 23, 30, tzinfo=dt.timezone.utc)


def test_datetime_filed_on_another_day_than_the_file_name(make_project, run_cli):
    path = "articles/2023/2023-01-04-x.md"
    assert problems_of(make_project, run_cli, md("title: X\ndate: 2023-01-04T23:30:00+00:00\n"), path) == [
        f"{path}:3: date: files the report on 2023-01-05 (in Europe/Kyiv) but the file name says 2023-01-04; "
        "rename the file or correct the date"]


def test_file_name_date_disagrees_with_date(make_project, run_cli):
    assert problems_of(make_project, run_cli, md("title: X\ndate: 2023-01-06\n")) == [
        f"{P}:3: date: files the report on 2023-01-06 but the file name says 2023-01-05; "
        "rename the file or correct the date"]


def test_wrong_year_folder(make_project, run_cli):
    path = "articles/2024/2023-01-05-x.md"
    assert problems_of(make_project, run_cli, GOOD, path) == [
        f"{path}:1: the file belongs in the folder 2023/ (it is in '2024')"]


def test_file_name_without_date(make_project, run_cli):
    path = "articles/2023/rally.md"
    assert problems_of(make_project, run_cli, GOOD, path) == [f"{path}:1: the file name must be YYYY-MM-DD-slug.md"]


def test_bad_slug_in_file_name(make_project, run_cli):
    path = "articles/2023/2023-01-05-Rally_Day.md"
    assert problems_of(make_project, run_cli, GOOD, path) == [
        f"{path}:1: the slug 'Rally_Day' must be lowercase ASCII letters, digits and single hyphens"]


def test_bad_slug_field(make_project, run_cli):
    text = md("title: X\ndate: 2023-01-05\nslug: rally--day\n")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:4: slug: the slug 'rally--day' must be lowercase ASCII letters, digits and single hyphens"]


def test_reserved_slug_page(make_project, run_cli):
    # /2023/01/05/page/ is where the day's numbered listing pages go (page/1/, ...).
    path = "articles/2023/2023-01-05-page.md"
    assert problems_of(make_project, run_cli, GOOD, path) == [f"{path}:1: the slug 'page' is reserved; choose another"]


def test_reserved_slug_given_in_the_field(make_project, run_cli):
    text = md("title: X\ndate: 2023-01-05\nslug: page\n")
    assert problems_of(make_project, run_cli, text) == [f"{P}:4: slug: the slug 'page' is reserved; choose another"]


def test_duplicate_url_names_both_files(make_project, run_cli):
    root = make_project({
        "articles/2023/2023-01-05-rally.md": md("title: A\ndate: 2023-01-05\n"),
        "articles/2023/2023-01-05-other.md": md("title: B\ndate: 2023-01-05\nslug: rally\n"),
    })
    result = run_cli(root, "check")
    assert result.code == 1
    assert result.problems == [
        "articles/2023/2023-01-05-rally.md:1: slug: the page 2023/01/05/rally/ is already made from "
        "articles/2023/2023-01-05-other.md; give one of them another slug"]


def test_problems_name_files_as_typed_from_the_working_folder(make_project, run_cli):
    root = make_project({
        "articles/2023/2023-01-05-rally.md": md("title: A\ndate: 2023-01-05\n"),
        "articles/2023/2023-01-05-other.md": md("title: B\ndate: 2023-01-05\nslug: rally\n"),
        "articles/2023/2023-01-06-bad.md": md("title: C\ndate: 2023-01-06\ntopic: [x]\n"),
    })
    result = run_cli(root / "articles", "check", "--config", "../site_config.yaml")
    assert result.code == 1
    assert [problem.split(":")[0] for problem in result.problems] == [
        "2023/2023-01-05-rally.md", "2023/2023-01-06-bad.md"]
    assert "is already made from 2023/2023-01-05-other.md;" in result.problems[0]


def test_updated_and_corrections_before_the_date(make_project, run_cli):
    text = md("title: X\ndate: 2023-01-05\nupdated: 2023-01-04\ncorrections:\n"
              "  - date: 2023-01-01\n    text: Fixed a name.\n  - dat: 2023-01-09\n")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:4: updated: 2023-01-04 is before the report's date 2023-01-05",
        f"{P}:6: corrections.0.date: 2023-01-01 is before the report's date 2023-01-05",
        f"{P}:8: corrections.1.dat: unknown field; did you mean 'date'?",
        f"{P}:8: corrections.1.date: is required",
        f"{P}:8: corrections.1.text: is required",
    ]


# --- places, topics, sources ----------------------------------------------------------------

def test_unknown_topic_with_suggestion(make_project, run_cli):
    text = md("title: X\ndate: 2023-01-05\ntopics: [strke]\n")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:4: topics.0: unknown topic 'strke' (did you mean 'Strike'?); add it to topics in site_config.yaml if it is new"]


def test_unknown_location_in_a_block_list_points_at_its_item(make_project, run_cli):
    text = md("title: X\ndate: 2023-01-05\nlocations:\n  - Samara\n  - Tolyati\n")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:6: locations.1: unknown location 'Tolyati' (did you mean 'Tolyatti'?); "
        "add it to locations in site_config.yaml if it is new"]


def test_unknown_location_without_anything_close(make_project, run_cli):
    text = md("title: X\ndate: 2023-01-05\nlocations: [Vladivostok]\n")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:4: locations.0: unknown location 'Vladivostok'; add it to locations in site_config.yaml if it is new"]


def test_aliases_names_and_slugs_file_under_the_canonical_term(make_project):
    [article] = read(make_project, {P: md(
        "title: X\ndate: 2023-01-05\nlocations: [makeevka, Togliatti, SAMARA, Makiivka]\ntopics: [Death Toll, memorials]\n")})
    assert article.locations == ("makiivka", "tolyatti", "samara")  # order kept, repeats dropped
    assert article.topics == ("casualties", "commemoration")


def test_javascript_source_url_rejected(make_project, run_cli):
    text = md("title: X\ndate: 2023-01-05\nsources:\n  - name: Channel\n    url: javascript:alert(1)\n")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:6: sources.0.url: expected an address starting with http: or https:, got 'javascript:alert(1)'"]


def test_source_missing_its_url(make_project, run_cli):
    text = md("title: X\ndate: 2023-01-05\nsources:\n  - name: Channel\n    published: 2023-01-05\n")
    assert problems_of(make_project, run_cli, text) == [f"{P}:5: sources.0.url: is required"]


def test_valid_article_is_read_completely(make_project):
    [article], body = read_with_bodies(make_project, {P: md(
        "title: '  Rally in Samara '\ndate: 2023-01-05\nsummary: Crowds gathered.\nbyline: Editors\n"
        "locations: Samara\nsources:\n  - name: Outlet\n    url: https://outlet.example/a\n"
        "    published: 2023-01-05\n    republished: true\nupdated: 2023-01-07\n"
        "corrections:\n  - date: 2023-01-07\n    text: Fixed the crowd size.\ndraft: false\n",
        body="Crowds *gathered*.\n")})
    assert article.title == "Rally in Samara"
    assert (article.slug, article.day, article.moment) == ("x", dt.date(2023, 1, 5), None)
    assert article.locations == ("samara",)
    assert article.sources[0].url == "https://outlet.example/a"
    assert article.sources[0].published == dt.date(2023, 1, 5)
    assert article.sources[0].republished is True
    assert article.updated == dt.date(2023, 1, 7)
    assert [(c.date, c.text) for c in article.corrections] == [(dt.date(2023, 1, 7), "Fixed the crowd size.")]
    assert article.draft is False
    assert body(article) == "<p>Crowds <em>gathered</em>.</p>"


# --- which files are read --------------------------------------------------------------------

def test_editor_droppings_are_ignored(make_project, run_cli):
    root = make_project({
        P: GOOD,
        "articles/2023/2023-01-05-x.md~": "junk: [",
        "articles/2023/2023-01-05-x.md.swp": b"\x00\xff binary",
        "articles/2023/#2023-01-05-x.md#": "junk: [",
        "articles/2023/_2023-01-06-notes.md": "junk: [",
        "articles/2023/notes.txt": "junk",
    })
    # Emacs' lock file is a dangling symbolic link.
    os.symlink("someone@host.1234:1700000000", root / "articles/2023/.#2023-01-05-x.md")
    result = run_cli(root, "check")
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("ok: 1 report")


def test_symlink_leading_outside_articles_is_refused(make_project, run_cli, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text(md("title: Secret\ndate: 2023-01-05\n"))
    root = make_project()
    (root / "articles/2023").mkdir()
    os.symlink(outside, root / P)
    result = run_cli(root, "check")
    assert result.code == 1
    assert result.problems == [f"{P}: symbolic link leads outside the articles folder; refusing to read it"]


def test_a_link_to_a_missing_source_is_a_problem_not_a_crash(make_project, run_cli):
    root = make_project({P: GOOD})
    os.symlink("2023-01-06-gone.md", root / "articles/2023/2023-01-06-dangling.md")
    result = run_cli(root, "check")
    assert result.code == 1
    assert result.problems == ["articles/2023/2023-01-06-dangling.md: cannot read: No such file or directory"]


def test_symlinked_folder_is_refused(make_project, run_cli, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "2024-01-01-x.md").write_text(md("title: X\ndate: 2024-01-01\n"))
    root = make_project({P: GOOD})
    os.symlink(elsewhere, root / "articles/2024")
    result = run_cli(root, "check")
    assert result.code == 1
    assert result.problems == ["articles/2024: symbolic links to folders are not followed; move the files here"]


def test_all_problems_of_all_files_in_one_run_sorted_by_path(make_project, run_cli):
    root = make_project({
        "articles/2024/2024-02-01-late.md": md("title: Late\ndate: 2024-02-01\ntopics: [strke]\n"),
        "articles/2023/2023-01-06-b.md": "",
        "articles/2023/2023-01-05-a.md": md("title: a: b\ndate: 2023-01-05\n"),
        "articles/2023/2023-01-07-c.md": md("title: C\ndate: 2023-01-07\nflavor: x\nlocations: [Tolyati]\n"),
        "articles/2023/2023-01-08-fine.md": md("title: Fine\ndate: 2023-01-08\n"),
    })
    result = run_cli(root, "check")
    assert result.code == 1
    assert result.problems == [
        "articles/2023/2023-01-05-a.md:2: invalid YAML: mapping values are not allowed in this context "
        "(a value containing ': ' must be quoted)",
        "articles/2023/2023-01-06-b.md:1: the file is empty",
        "articles/2023/2023-01-07-c.md:4: flavor: unknown field (allowed: aliases, byline, claims, corrections, date, date_note, "
        "draft, locations, slug, sources, summary, title, topics, updated)",
        "articles/2023/2023-01-07-c.md:5: locations.0: unknown location 'Tolyati' (did you mean 'Tolyatti'?); "
        "add it to locations in site_config.yaml if it is new",
        "articles/2024/2024-02-01-late.md:4: topics.0: unknown topic 'strke' (did you mean 'Strike'?); "
        "add it to topics in site_config.yaml if it is new",
    ]
    assert result.err.splitlines()[-1] == "5 problems found; nothing was written"


def test_drafts_are_validated_too(make_project, run_cli):
    text = md("title: Draft\ndate: 2023-01-05\ndraft: true\nlocations: [Tolyati]\n")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:5: locations.0: unknown location 'Tolyati' (did you mean 'Tolyatti'?); "
        "add it to locations in site_config.yaml if it is new"]


def test_draft_must_be_true_or_false(make_project, run_cli):
    assert problems_of(make_project, run_cli, md("title: X\ndate: 2023-01-05\ndraft: 'yes'\n")) == [
        f"{P}:4: draft: expected true or false, got text 'yes'"]


def test_check_writes_nothing(make_project, run_cli):
    root = make_project({P: GOOD})
    before = tree_hashes(root)
    result = run_cli(root, "check")
    assert result.code == 0
    assert tree_hashes(root) == before
    assert not (root / "_site").exists()


def test_articles_come_back_oldest_first(make_project):
    articles = read(make_project, {
        "articles/2023/2023-01-05-b.md": md("title: B\ndate: 2023-01-05\n"),
        "articles/2023/2023-01-05-a.md": md("title: A\ndate: 2023-01-05\n"),
        "articles/2023/2023-01-05-timed.md": md("title: T\ndate: 2023-01-05T08:00:00+02:00\n"),
        "articles/2022/2022-12-31-old.md": md("title: O\ndate: 2022-12-31\n"),
    })
    assert [a.slug for a in articles] == ["old", "a", "b", "timed"]
