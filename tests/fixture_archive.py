"""The small archive that the end-to-end, validator and browser tests build: seven reports and a draft.

It holds what a reader's pages must cope with: an alias, a date-time filed in the site's time zone,
two reports on one day, updates and corrections (a serious one among them, two on one day), a hostile
title, an accented word, a draft, claims of every form (a figure, a range, "at least", "up to", one
about another event, one with a hostile claimant) and places with and without coordinates.
"""

from __future__ import annotations

from pathlib import Path

from helpers import CONFIG, md, write_project
from newsarchive.build import build

EVIL_TITLE = '<script>alert(1)</script> & "quotes"'
EVIL_CLAIMANT = '<b>Evil</b> & "claimant"'

# The test config, with coordinates for Makiivka and Tolyatti only: a place may or may not have them.
FIXTURE_CONFIG = (CONFIG.replace("    country: Ukraine\n", "    country: Ukraine\n    coordinates: [48.05, 37.93]\n", 1)
                  .replace("    aliases: [Togliatti]\n", "    aliases: [Togliatti]\n    coordinates: [53.52, 49.42]\n", 1))

ARCHIVE = {
    "articles/2023/2023-01-01-strike-on-school.md": md(
        "title: Rockets hit a school used as barracks\ndate: 2023-01-01\n"
        "summary: A strike in the first minutes of the year.\nlocations: [Makeevka]\n"
        "topics: [strike, death toll]\nsources:\n  - name: Outlet\n    url: https://outlet.example/a?x=1&y=2\n",
        "The strike came at midnight.\n\nA source[^1] said so.\n\n[^1]: A note.\n"),
    "articles/2023/2023-01-02-moscow-admits-toll.md": md(
        # 23:30 UTC on 1 January is 01:30 on 2 January in Kyiv, the site's time zone.
        "title: Moscow admits a toll\ndate: 2023-01-01T23:30:00+00:00\nlocations: [Makiivka]\ntopics: [Casualties]\n"
        "claims:\n  - {claimant: Ministry, measure: killed, figure: 63, stated: 2023-01-02}\n"
        "  - {claimant: Kyiv, measure: killed, low: 300, high: 400, stated: 2023-01-01, note: A range}\n",
        "The ministry gave a figure.\n"),
    "articles/2023/2023-01-03-alpha-rally.md": md(
        "title: Rally in Samara\ndate: 2023-01-03\nlocations: [Samara]\ntopics: [commemoration]\n"),
    "articles/2023/2023-01-03-beta-farewells.md": md(
        "title: Farewells in Tolyatti\ndate: 2023-01-03\nlocations: [Togliatti]\ntopics: [memorials]\nupdated: 2023-01-04\n",
        "Mourners remembered the men killed in Makiïvka.\n"),
    "articles/2023/2023-01-05-escaped-title.md": md(
        "title: '<script>alert(1)</script> & \"quotes\"'\ndate: 2023-01-05\n"
        "summary: 'Summary with <b>tags</b> & ampersands'\nlocations: [Samara]\n"
        "corrections:\n  - date: 2023-01-12\n    text: The title was <i>wrong</i>.\n"
        f"claims:\n  - claimant: '{EVIL_CLAIMANT}'\n    measure: wounded\n    high: 40\n    stated: 2023-01-05\n",
        "Body with <script>alert(2)</script> and <a href=https://outlet.example/ onclick=alert(3)>a link</a> inside.\n"),
    "articles/2023/2023-01-10-toll-revised.md": md(
        "title: The toll is revised\ndate: 2023-01-10\nupdated: 2023-01-12\nlocations: [Makiivka, Samara]\n"
        "topics: [Casualties]\ncorrections:\n  - date: 2023-01-12\n    text: The first version gave the wrong unit.\n"
        "  - date: 2023-01-11\n    text: An earlier version gave the toll as Kyiv's.\n    serious: true\n"
        "claims:\n  - {claimant: Ministry, measure: killed, figure: 89, stated: 2023-01-04}\n"
        "  - {claimant: Bloggers, measure: killed, low: 200, stated: 2023-01-03, note: '\"Hundreds\"'}\n"
        "  - {claimant: Lists, measure: named, figure: 92, stated: 2023-01-12}\n",
        "# What changed\n\nSee the [first report](../../01/strike-on-school/).\n"),
    "articles/2023/2023-02-01-unpublished-leak.md": md(
        "title: Unpublished leak\ndate: 2023-02-01\ndraft: true\nlocations: [Samara]\ntopics: [Strike]\n"),
    "articles/2024/2024-01-01-one-year-on.md": md(
        "title: One year on\ndate: 2024-01-01\nlocations: [Makiivka, Samara]\ntopics: [Commemoration]\n"
        "claims:\n  - {claimant: Ministry, measure: killed, low: 600, stated: 2023-01-08, subject: another strike}\n"),
}
NEWEST_FIRST = ["one-year-on", "toll-revised", "escaped-title", "beta-farewells", "alpha-rally",
                "moscow-admits-toll", "strike-on-school"]
ARTICLE_URLS = {
    "strike-on-school": "2023/01/01/strike-on-school/",
    "moscow-admits-toll": "2023/01/02/moscow-admits-toll/",
    "alpha-rally": "2023/01/03/alpha-rally/",
    "beta-farewells": "2023/01/03/beta-farewells/",
    "escaped-title": "2023/01/05/escaped-title/",
    "toll-revised": "2023/01/10/toll-revised/",
    "one-year-on": "2024/01/01/one-year-on/",
}


def build_fixture_archive(folder: Path) -> Path:
    """Write the fixture project into ``folder``/project, build it, and return the project root."""
    root = write_project(folder / "project", ARCHIVE, FIXTURE_CONFIG)
    report = build(root / "site_config.yaml")
    assert (report.articles, report.drafts) == (7, 1)
    return root
