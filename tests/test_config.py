"""site_config.yaml: validated values, and every problem as site_config.yaml:LINE: key.path: message (exit 2)."""

import pytest

from helpers import CONFIG
from newsarchive.config import load_config
from newsarchive.errors import ConfigError

ARTICLE = {"articles/2023/2023-01-05-x.md": "---\ntitle: X\ndate: 2023-01-05\n---\nBody.\n"}


def line_of(text: str, needle: str, start_after: str | None = None) -> int:
    """The 1-based line of the first line containing ``needle`` (after the line containing ``start_after``)."""
    lines = text.split("\n")
    start = 0
    if start_after is not None:
        start = next(i for i, line in enumerate(lines) if start_after in line) + 1
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def config_problems(make_project, run_cli, config: str):
    root = make_project(ARTICLE, config=config)
    result = run_cli(root, "check")
    assert result.code == 2, result.err
    assert result.out == ""
    return result.problems


def test_valid_config_is_read_with_defaults_and_absolute_paths(make_project):
    root = make_project(config=CONFIG.replace("  language: en\n", ""))
    config = load_config(root / "site_config.yaml")
    assert config.site.title == "Test archive"
    assert config.site.language == "en"  # the default
    assert config.site.author == "Test archive"  # defaults to the title
    assert config.site.timezone == "Europe/Kyiv"
    assert (config.site.page_size, config.site.feed_size) == (2, 10)
    assert config.paths.articles == (root / "articles").resolve()
    assert config.paths.templates == (root / "templates").resolve()
    assert config.paths.output == (root / "_site").resolve()
    assert [t.slug for t in config.locations] == ["makiivka", "samara", "tolyatti"]
    assert [t.slug for t in config.topics] == ["casualties", "commemoration", "strike"]
    makiivka = config.locations[0]
    assert (makiivka.name, makiivka.aliases, makiivka.region, makiivka.country) == (
        "Makiivka", ("Makeevka", "Makiyivka"), "Donetsk Oblast", "Ukraine")


def test_config_with_bom_and_crlf_reads_the_same(make_project):
    plain = load_config(make_project(name="lf") / "site_config.yaml")
    crlf = make_project(name="crlf", config="\ufeff" + CONFIG.replace("\n", "\r\n"))
    other = load_config(crlf / "site_config.yaml")
    assert (other.site, other.locations, other.topics) == (plain.site, plain.locations, plain.topics)


def test_overrides_replace_paths(make_project, tmp_path):
    root = make_project()
    config = load_config(root / "site_config.yaml", {"output": str(tmp_path / "elsewhere")})
    assert config.paths.output == tmp_path / "elsewhere"


def test_unknown_key_with_hint(make_project, run_cli):
    config = CONFIG.replace("  page_size: 2", "  page_sise: 2")
    assert config_problems(make_project, run_cli, config) == [
        f"site_config.yaml:{line_of(config, 'page_sise')}: site.page_sise: unknown key; did you mean 'page_size'?"]


def test_unknown_top_level_key_lists_the_allowed_ones(make_project, run_cli):
    config = CONFIG + "extra: 1\n"
    assert config_problems(make_project, run_cli, config) == [
        f"site_config.yaml:{line_of(config, 'extra:')}: extra: unknown key (allowed: locations, paths, site, topics)"]


def test_base_url_without_trailing_slash(make_project, run_cli):
    config = CONFIG.replace("https://example.org/archive/", "https://example.org/archive")
    assert config_problems(make_project, run_cli, config) == [
        f"site_config.yaml:{line_of(config, 'base_url')}: site.base_url: must end with \"/\" (got 'https://example.org/archive')"]


def test_base_url_must_be_http(make_project, run_cli):
    config = CONFIG.replace("https://example.org/archive/", "example.org/archive/")
    assert config_problems(make_project, run_cli, config) == [
        f"site_config.yaml:{line_of(config, 'base_url')}: site.base_url: "
        "expected an address starting with http: or https:, got 'example.org/archive/'"]


def test_two_terms_sharing_an_alias_names_both(make_project, run_cli):
    config = CONFIG.replace("aliases: [Togliatti]", "aliases: [Togliatti, makeevka]")
    # The problem is the spelling 'makeevka' given to tolyatti: point at the line where it is written.
    line = line_of(config, "makeevka")
    assert config_problems(make_project, run_cli, config) == [
        f"site_config.yaml:{line}: locations.tolyatti.aliases.1: 'makeevka' also names locations.makiivka; "
        "each spelling must name one term"]


def test_two_terms_with_the_same_name(make_project, run_cli):
    config = CONFIG.replace("name: Tolyatti", "name: Samara")
    assert config_problems(make_project, run_cli, config) == [
        f"site_config.yaml:{line_of(config, 'name: Samara', start_after='tolyatti:')}: locations.tolyatti.name: "
        "'Samara' also names locations.samara; each spelling must name one term"]


def test_a_location_and_a_topic_may_share_a_name(make_project):
    config = CONFIG + "  samara:\n    name: Samara\n"
    loaded = load_config(make_project(config=config) / "site_config.yaml")
    assert [t.slug for t in loaded.topics] == ["casualties", "commemoration", "samara", "strike"]


def test_output_overlapping_articles(make_project, run_cli):
    config = CONFIG + "paths:\n  output: articles/site\n"
    assert config_problems(make_project, run_cli, config) == [
        f"site_config.yaml:{line_of(config, 'output:')}: paths.output: the output folder overlaps paths.articles (articles)"]


def test_output_containing_the_templates(make_project, run_cli):
    config = CONFIG + "paths:\n  output: _site\n  templates: _site/templates\n"
    assert config_problems(make_project, run_cli, config) == [
        f"site_config.yaml:{line_of(config, 'output:')}: paths.output: the output folder overlaps paths.templates (_site/templates)"]


def test_output_may_not_be_the_project_folder(make_project, run_cli):
    config = CONFIG + "paths:\n  output: .\n"
    problems = config_problems(make_project, run_cli, config)
    line = line_of(config, "output:")
    assert problems[0].startswith(f"site_config.yaml:{line}: paths.output: refusing to build into ")
    assert problems[0].endswith(": it is the project, home or root folder")


def test_every_config_problem_is_reported_sorted_by_line(make_project, run_cli):
    config = (CONFIG.replace("  page_size: 2", "  page_size: 0")
              .replace("Europe/Kyiv", "Mars/Olympus")
              .replace("    name: Casualties\n", ""))
    assert config_problems(make_project, run_cli, config) == [
        f"site_config.yaml:{line_of(config, 'timezone')}: site.timezone: unknown time zone 'Mars/Olympus'; "
        "use a name such as 'UTC' or 'Europe/Kyiv'",
        f"site_config.yaml:{line_of(config, 'page_size')}: site.page_size: expected a whole number of 1 or more, got 0",
        f"site_config.yaml:{line_of(config, 'aliases: [death toll]')}: topics.casualties.name: is required",
    ]


def test_bad_term_slug(make_project, run_cli):
    config = CONFIG.replace("  samara:\n", "  Samara_City:\n")
    assert config_problems(make_project, run_cli, config) == [
        f"site_config.yaml:{line_of(config, 'name: Samara')}: locations.Samara_City: "
        "a key is a slug: lowercase ASCII letters, digits and single hyphens"]


def test_yaml_syntax_error_in_config(make_project, run_cli):
    config = CONFIG.replace("  description: A small", "  description: A: small")
    assert config_problems(make_project, run_cli, config) == [
        f"site_config.yaml:{line_of(config, 'A: small')}: invalid YAML: mapping values are not allowed in this context "
        "(a value containing ': ' must be quoted)"]


def test_config_not_utf8(make_project, run_cli):
    root = make_project(ARTICLE)
    raw = CONFIG.replace("Test archive", "Test archiv\xe9").encode("latin-1")
    (root / "site_config.yaml").write_bytes(raw)
    result = run_cli(root, "check")
    assert result.code == 2
    assert result.problems == ["site_config.yaml:2: not valid UTF-8"]


def test_missing_config_file(make_project, run_cli):
    root = make_project(ARTICLE)
    result = run_cli(root, "check", "--config", "nope.yaml")
    assert result.code == 2
    assert result.problems == ["nope.yaml: cannot read the config: No such file or directory"]


def test_missing_required_keys(make_project, monkeypatch):
    root = make_project(config="site:\n  title: T\n")
    monkeypatch.chdir(root)
    with pytest.raises(ConfigError) as info:
        load_config(root / "site_config.yaml")
    assert info.value.exit_code == 2
    # base_url is not written anywhere: the problem points at the site section it belongs in.
    assert [str(p) for p in info.value.problems] == ["site_config.yaml:2: site.base_url: is required"]


def test_alias_addresses_do_not_depend_on_the_transliterator_installed(monkeypatch):
    # python-slugify prefers Unidecode where it is installed; the archive's addresses must not
    # change when some other package brings it in.
    import sys
    import types

    from newsarchive.config import alias_slugs, url_slug
    from newsarchive.model import Term

    term = Term("locations", "makiivka", "Makiivka", aliases=("Макіївка", "Makiïvka", "Makeevka"))
    before = (alias_slugs.__wrapped__(term), url_slug("Тольятти"))
    unidecode = types.ModuleType("unidecode")
    unidecode.unidecode = lambda text: "other"
    monkeypatch.setitem(sys.modules, "unidecode", unidecode)
    assert (alias_slugs.__wrapped__(term), url_slug("Тольятти")) == before == (("makeevka",), "toliatti")
