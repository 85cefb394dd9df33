"""Permanent URLs: moved reports and other spellings redirect, and the URL lock catches an address that would vanish."""

from helpers import md, sitemap_entries

X = "articles/2023/2023-01-05-x.md"


def test_a_moved_report_is_reachable_at_its_old_address(make_project, build_ok):
    root = make_project({X: md("title: X\ndate: 2023-01-05\naliases: [/2023/01/04/old-x/, 2022/12/31/older/]\n")})
    site = build_ok(root)
    for old in ("2023/01/04/old-x", "2022/12/31/older"):
        page = (site / old / "index.html").read_text()
        assert '<meta http-equiv="refresh" content="0; url=../../../../2023/01/05/x/">' in page
        assert '<link rel="canonical" href="https://example.org/archive/2023/01/05/x/">' in page
        assert '<a href="../../../../2023/01/05/x/">https://example.org/archive/2023/01/05/x/</a>' in page
        assert '<meta name="robots" content="noindex">' in page
    listed = sitemap_entries(site)
    assert "https://example.org/archive/2023/01/05/x/" in listed and not [url for url in listed if "old" in url]


def test_a_place_or_topic_is_reachable_by_its_other_spellings(make_project, build_ok):
    site = build_ok(make_project({X: md("title: X\ndate: 2023-01-05\nlocations: [Makiivka]\n")}))
    # The test config gives Makiivka the aliases Makeevka and Makiyivka, and Tolyatti Togliatti.
    for alias, target in (("locations/makeevka", "locations/makiivka/"), ("locations/makiyivka", "locations/makiivka/"),
                          ("locations/togliatti", "locations/tolyatti/"), ("topics/death-toll", "topics/casualties/")):
        assert f'url=../../{target}"' in (site / alias / "index.html").read_text()


def test_an_alias_cannot_take_another_reports_address(make_project, run_cli):
    root = make_project({X: md("title: X\ndate: 2023-01-05\n"),
                         "articles/2023/2023-01-06-y.md": md("title: Y\ndate: 2023-01-06\naliases: [/2023/01/05/x/, 'no/good/']\n")})
    result = run_cli(root, "check")
    assert result.code == 1
    assert result.problems == ["articles/2023/2023-01-06-y.md:1: aliases: /2023/01/05/x/ is already a page made from "
                               f"{X}"]


def test_an_alias_must_be_an_address_of_the_site(make_project, run_cli):
    root = make_project({X: md("title: X\ndate: 2023-01-05\naliases: ['https://other.example/x/']\n")})
    result = run_cli(root, "check")
    assert result.problems == [f"{X}:4: aliases.0: 'https://other.example/x/' is not an address of this site: write it "
                               "as /2023/01/03/old-slug/ (lowercase letters, digits, hyphens)"]


def test_two_terms_cannot_redirect_from_one_address(make_project, run_cli):
    from helpers import CONFIG
    root = make_project(config=CONFIG.replace("aliases: [Togliatti]", "aliases: [Togliatti, Samara!]"))
    result = run_cli(root, "check")
    assert result.code == 2
    [problem] = result.problems
    assert problem.endswith(": locations.tolyatti.aliases: an alias of tolyatti would redirect /locations/samara/, "
                            "which is locations.samara's; change one of them")


def test_the_url_lock_keeps_every_address_and_names_the_report_that_moved(make_project, build_ok, run_cli):
    root = make_project({X: md("title: X\ndate: 2023-01-05\n")})
    (root / "urls.lock").write_text("")
    site = build_ok(root)
    lock = (root / "urls.lock").read_text().splitlines()
    assert "/2023/01/05/x/ articles/2023/2023-01-05-x.md" in lock and "/feed.xml" in lock and lock == sorted(lock)
    assert (site / "search/2023-1.js").exists() and not [a for a in lock if a.endswith(".js")]  # data, not pages
    # The report is renamed: its old address would vanish, so check and build refuse.
    (root / X).rename(root / "articles/2023/2023-01-05-renamed.md")
    line = lock.index("/2023/01/05/x/ articles/2023/2023-01-05-x.md") + 1
    expected = [f"urls.lock:{line}: /2023/01/05/x/ (from articles/2023/2023-01-05-x.md) would disappear; add it to "
                "the aliases of the report that replaces it, or delete this line if it should go"]
    for command in ("check", "build"):
        result = run_cli(root, command)
        assert (result.code, result.problems) == (1, expected)
    assert (site / "2023/01/05/x/index.html").exists()
    # With the old address as an alias, the build goes through and the lock takes the new address.
    (root / "articles/2023/2023-01-05-renamed.md").write_text(md("title: X\ndate: 2023-01-05\naliases: [/2023/01/05/x/]\n"))
    build_ok(root)
    lock = (root / "urls.lock").read_text().splitlines()
    assert "/2023/01/05/renamed/ articles/2023/2023-01-05-renamed.md" in lock
    assert "/2023/01/05/x/" in lock  # now a redirect, and locked as one: dropping the alias would lose it
    assert "url=../../../../2023/01/05/renamed/" in (site / "2023/01/05/x/index.html").read_text()
    (root / "articles/2023/2023-01-05-renamed.md").write_text(md("title: X\ndate: 2023-01-05\n"))
    assert run_cli(root, "check").problems == [
        f"urls.lock:{lock.index('/2023/01/05/x/') + 1}: /2023/01/05/x/ would disappear; add it to the aliases of the "
        "report that replaces it, or delete this line if it should go"]


def test_without_a_lock_file_nothing_is_locked(make_project, build_ok):
    root = make_project({X: md("title: X\ndate: 2023-01-05\n")})
    build_ok(root)
    assert not (root / "urls.lock").exists()
