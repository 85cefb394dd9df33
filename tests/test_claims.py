"""Claims: what an editor gets for every mistake in `claims:`, the ledger's order, and the chart a reader sees."""

import datetime as dt
import random

import html5lib
import pytest

import helpers
from helpers import ARTICLE_PATH as P, md, problems_of, read_project, resolve_link
from fixture_archive import ARTICLE_URLS, EVIL_CLAIMANT, build_fixture_archive
from newsarchive.claims import ClaimEntry, claim_ledger, claims_chart, figure_text
from newsarchive.model import Claim

SVG = "{http://www.w3.org/2000/svg}"


def claims_source(claims: str, front: str = "title: X\ndate: 2023-01-05\n") -> str:
    """A source whose front-matter ends with ``claims`` (YAML lines); its claims start on line 4."""
    return md(front + "claims:\n" + claims)


# --- what an editor gets --------------------------------------------------------------------------

def test_a_valid_claim_of_each_form_is_read(make_project):
    _, _, reading = read_project(make_project({P: claims_source(
        "  - {claimant: Ministry, measure: killed, figure: 63, stated: 2023-01-02, note: First count}\n"
        "  - {claimant: Kyiv, measure: killed or wounded, low: 300, high: 400, stated: 2023-01-01}\n"
        "  - {claimant: Bloggers, measure: killed, low: 200, stated: 2023-01-03}\n"
        "  - {claimant: Observers, measure: present, high: 600, stated: 2023-01-04, subject: another strike}\n"
        "  - {claimant: Mayor, measure: wounded, figure: 0, stated: 2023-01-05}\n")}))
    [article] = reading.articles
    assert article.claims == (  # in the order claims are listed: by the day stated first
        Claim("Kyiv", "killed or wounded", 300, 400, dt.date(2023, 1, 1)),
        Claim("Ministry", "killed", 63, 63, dt.date(2023, 1, 2), "First count"),
        Claim("Bloggers", "killed", 200, None, dt.date(2023, 1, 3)),
        Claim("Observers", "present", None, 600, dt.date(2023, 1, 4), subject="another strike"),
        Claim("Mayor", "wounded", 0, 0, dt.date(2023, 1, 5)),
    )


def test_unknown_and_missing_keys_of_a_claim(make_project, run_cli):
    text = claims_source("  - claimnt: Ministry\n    measure: killed\n    figure: 63\n")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:5: claims.0.claimant: is required",
        f"{P}:5: claims.0.claimnt: unknown field; did you mean 'claimant'?",
        f"{P}:5: claims.0.stated: is required",
    ]


def test_a_claim_must_be_a_mapping(make_project, run_cli):
    assert problems_of(make_project, run_cli, claims_source("  - 63 killed\n")) == [
        f"{P}:5: claims.0: each claim is a mapping with claimant, measure, figure, low, high, stated, note, subject"]


def test_unknown_measure_names_the_nearest_and_the_list(make_project, run_cli):
    text = claims_source("  - {claimant: Ministry, measure: kiled, figure: 63, stated: 2023-01-02}\n")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:5: claims.0.measure: unknown measure 'kiled' (did you mean 'killed'?); "
        "use one of: killed, wounded, killed or wounded, missing, named, present"]


@pytest.mark.parametrize("value, message", [
    ("-1", "expected a whole number of 0 or more, got -1"),
    ("1.5", "expected a whole number of 0 or more, got 1.5"),
    ("true", "expected a whole number of 0 or more, got True"),
    ("'1,300'", "expected a whole number of 0 or more, got '1,300'; write the digits alone, without quotes or separators"),
])
def test_a_figure_is_a_whole_number_of_zero_or_more(make_project, run_cli, value, message):
    text = claims_source(f"  - claimant: Ministry\n    measure: killed\n    figure: {value}\n    stated: 2023-01-02\n")
    assert problems_of(make_project, run_cli, text) == [f"{P}:7: claims.0.figure: {message}"]


@pytest.mark.parametrize("numbers, line, field, message", [
    ("figure: 63\n    low: 60\n", 8, "claims.0.figure", "give either figure or low and high, not both"),
    ("note: No number\n", 5, "claims.0", "give the figure claimed, or a range as low and high "
                                         "(leave out high for 'at least', low for 'up to')"),
    ("low: 400\n    high: 300\n", 8, "claims.0.low", "low (400) is above high (300)"),
])
def test_exactly_one_of_a_figure_or_a_range_in_order(make_project, run_cli, numbers, line, field, message):
    text = claims_source(f"  - claimant: Kyiv\n    measure: killed\n    stated: 2023-01-02\n    {numbers}")
    assert problems_of(make_project, run_cli, text) == [f"{P}:{line}: {field}: {message}"]


def test_a_claim_cannot_be_stated_after_the_report(make_project, run_cli):
    text = claims_source("  - {claimant: Ministry, measure: killed, figure: 89, stated: 2023-01-06}\n")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:5: claims.0.stated: 2023-01-06 is after the report's date 2023-01-05; "
        "a report can only record claims made by then"]


def test_an_updated_report_may_record_claims_made_up_to_its_update(make_project, run_cli):
    updated = claims_source("  - {claimant: Ministry, measure: killed, figure: 89, stated: 2023-01-06}\n"
                            "  - {claimant: Lists, measure: named, figure: 92, stated: 2023-01-09}\n",
                            front="title: X\ndate: 2023-01-05\nupdated: 2023-01-07\n")
    assert problems_of(make_project, run_cli, updated) == [
        f"{P}:7: claims.1.stated: 2023-01-09 is after the report's last update 2023-01-07; "
        "a report can only record claims made by then"]


def test_a_correction_is_serious_or_not(make_project, run_cli):
    text = md("title: X\ndate: 2023-01-05\ncorrections:\n  - date: 2023-01-06\n    text: Fixed.\n    serious: 'yes'\n")
    assert problems_of(make_project, run_cli, text) == [
        f"{P}:7: corrections.0.serious: expected true or false, got text 'yes'"]


# --- the ledger -----------------------------------------------------------------------------------

def claim(claimant="Ministry", measure="killed", low=63, high=63, stated="2023-01-02", **fields) -> Claim:
    return Claim(claimant, measure, low, high, dt.date.fromisoformat(stated), **fields)


def test_the_ledger_is_by_day_stated_then_claimant_then_report_with_other_events_apart():
    early = helpers.article("early", "2023-01-03", claims=(
        claim("ministry", stated="2023-01-02"), claim("Kyiv", low=400, high=400, stated="2023-01-02"),
        claim("Ministry", "wounded", 10, 10, stated="2023-01-02"),
        claim("Ministry", low=600, high=None, stated="2023-01-01", subject="Kramatorsk")))
    late = helpers.article("late", "2023-01-04", claims=(
        claim("Ministry", low=89, high=89, stated="2023-01-02"), claim("Bloggers", low=200, high=None, stated="2023-01-03"),
        claim("Observers", stated="2023-01-02", subject="another strike")))
    ledger = claim_ledger(random.Random(1).sample([late, early], 2))
    assert list(ledger) == ["", "another strike", "Kramatorsk"]  # the archive's own event first, then by subject
    assert [(e.claim.claimant, e.claim.measure, e.claim.low, e.article.slug) for e in ledger[""]] == [
        ("Kyiv", "killed", 400, "early"),
        ("ministry", "killed", 63, "early"), ("Ministry", "wounded", 10, "early"),  # a claimant in any case
        ("Ministry", "killed", 89, "late"),  # the same claimant on the same day: the older report first
        ("Bloggers", "killed", 200, "late"),
    ]
    assert claim_ledger([]) == {"": ()}


@pytest.mark.parametrize("low, high, text, compact", [
    (63, 63, "63", "63"), (1300, 1300, "1,300", "1,300"), (0, 0, "0", "0"), (2, 3, "2–3", "2–3"),
    (200, None, "200 or more", "200+"), (None, 400, "up to 400", "≤400")])
def test_figures_read_as_words_in_tables_and_compactly_in_the_chart(low, high, text, compact):
    assert (figure_text(claim(low=low, high=high)), figure_text(claim(low=low, high=high), compact=True)) == (text, compact)


# --- the chart ------------------------------------------------------------------------------------

def entries(*claims: Claim) -> tuple[ClaimEntry, ...]:
    return claim_ledger([helpers.article("a", "2023-02-01", claims=claims)])[""]


def test_the_chart_has_a_column_a_day_a_mark_a_claim_and_a_legend_entry_a_claimant():
    chart = claims_chart(entries(claim("Ministry", stated="2023-01-02"), claim("Ministry", low=89, high=89, stated="2023-01-04"),
                                 claim("Kyiv", low=300, high=400, stated="2023-01-01"),
                                 claim("Lists", "named", 92, 92, stated="2023-01-25")))
    assert [label.text for label in chart.x_labels] == ["1 Jan 2023", "2 Jan 2023", "4 Jan 2023", "25 Jan 2023"]
    assert [label.text for label in chart.y_labels] == ["0", "100", "200", "300", "400", "500"]
    assert len(chart.marks) == 4
    assert [entry.label.text for entry in chart.legend][:3] == ["Kyiv", "Ministry", "Lists"]
    # The ministry's 63 and 89 are joined: one line, one claimant's successive figures for one measure.
    assert len(chart.trends) == 1
    assert [mark.filled for mark in chart.marks] == [True, True, True, True]  # all count the dead
    xs = [label.x for label in chart.x_labels]
    assert xs == sorted(xs)
    assert claims_chart(()) is None


@pytest.mark.parametrize("low, high, ticks", [(0, 0, ["0", "1"]), (2, 3, ["0", "1", "2", "3", "4"]),
                                              (1300, None, ["0", "500", "1,000", "1,500"])])
def test_the_figure_scale_has_round_whole_steps_up_to_a_little_above_the_highest(low, high, ticks):
    chart = claims_chart(entries(claim(low=low, high=high)))
    assert [label.text for label in chart.y_labels] == ticks


def test_chart_labels_keep_clear_of_each_other_and_of_the_marks():
    from newsarchive.graphics import FONT_SIZE, TEXT_HEIGHT, text_width
    chart = claims_chart(entries(*(claim(f"Claimant {n}", low=80 + n, high=80 + n, stated="2023-01-02") for n in range(6))))
    boxes = [(label.x - (text_width(label.text) if label.anchor == "end" else
                         text_width(label.text) / 2 if label.anchor == "middle" else 0),
              label.y - FONT_SIZE, text_width(label.text), FONT_SIZE * TEXT_HEIGHT) for label in chart.labels]
    for n, (x, y, w, h) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[n + 1:]:
            assert not (x < x2 + w2 and x2 < x + w and y < y2 + h2 and y2 < y + h), chart.labels


def test_the_chart_is_the_same_whatever_the_order_of_reports():
    reports = [helpers.article(f"r{n}", f"2023-01-{n + 10:02d}", claims=(claim(f"C{n % 3}", low=n * 10, high=n * 10 + 5,
                                                                                  stated=f"2023-01-0{n % 9 + 1}"),))
               for n in range(12)]
    charts = {claims_chart(claim_ledger(random.Random(seed).sample(reports, len(reports)))[""]) for seed in range(3)}
    assert len(charts) == 1


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_fixture_archive(tmp_path_factory.mktemp("claims")) / "_site"


@pytest.fixture(scope="module")
def claims_page(site):
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    return parser.parse((site / "claims/index.html").read_bytes())


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def test_the_ledger_table_lists_every_claim_in_order_linking_to_its_report(claims_page):
    table = claims_page.find(".//table[@class='claims-table']")
    rows = [[text_of(cell) for cell in row] for row in table.findall("tbody/tr")]
    assert [row[:5] for row in rows] == [
        ["1 January 2023", "Kyiv", "300–400", "killed", "A range"],
        ["2 January 2023", "Ministry", "63", "killed", ""],
        ["3 January 2023", "Bloggers", "200 or more", "killed", '"Hundreds"'],
        ["4 January 2023", "Ministry", "89", "killed", ""],
        ["5 January 2023", EVIL_CLAIMANT, "up to 40", "wounded", ""],
        ["12 January 2023", "Lists", "92", "named", ""],
    ]
    links = [resolve_link("claims/", row.find("td/a").attrib["href"]) for row in table.findall("tbody/tr")]
    assert links == [ARTICLE_URLS[slug] + "index.html" for slug in (
        "moscow-admits-toll", "moscow-admits-toll", "toll-revised", "toll-revised", "escaped-title", "toll-revised")]
    # A claim about another event is listed apart, under its subject, and not charted.
    [other] = claims_page.findall(".//section[@class='other-event']")
    assert text_of(other.find("h2")) == "About another event: another strike"
    assert [text_of(cell) for cell in other.find(".//tbody/tr")][:4] == ["8 January 2023", "Ministry", "600 or more", "killed"]


def test_the_chart_is_an_accessible_svg_with_axes_a_mark_per_claim_and_a_legend(claims_page, site):
    [svg] = claims_page.iter(SVG + "svg")
    assert svg.attrib["role"] == "img"
    title, desc = (svg.find(f"{SVG}{name}") for name in ("title", "desc"))
    assert svg.attrib["aria-labelledby"].split() == [title.attrib["id"], desc.attrib["id"]]
    assert title.text == "Claims over time, by claimant"
    assert desc.text.startswith("6 claims by 5 claimants, stated between 1 January 2023 and 12 January 2023")
    axis_labels = [text.text for text in svg.find(f"{SVG}g[@class='chart-axis-labels']")]
    assert axis_labels == ["0", "100", "200", "300", "400", "500",
                           "1 Jan 2023", "2 Jan 2023", "3 Jan 2023", "4 Jan 2023", "5 Jan 2023", "12 Jan 2023",
                           "Day stated (one column a day, in order, not to scale)", "Figure claimed"]
    marks = [g for g in svg.iter(SVG + "g") if g.attrib.get("class", "").startswith("mark ")]
    assert [mark.find(SVG + "title").text for mark in marks] == [
        "Kyiv, 1 January 2023: 300–400 killed. A range", "Ministry, 2 January 2023: 63 killed",
        'Bloggers, 3 January 2023: 200 or more killed. "Hundreds"', "Ministry, 4 January 2023: 89 killed",
        f"{EVIL_CLAIMANT}, 5 January 2023: up to 40 wounded", "Lists, 12 January 2023: 92 named"]
    # A claimant's marks share its colour; counts of the dead are filled, others hollow.
    assert [mark.attrib["class"] for mark in marks] == [
        "mark series-0", "mark series-1", "mark series-2", "mark series-1", "mark series-3", "mark series-4"]
    assert ["hollow" in mark.find(f"{SVG}path[@d]" + "[last()]").attrib["class"] for mark in marks] == [
        False, False, False, False, True, False]
    legend = [text_of(entry) for entry in svg.find(f"{SVG}g[@class='legend']")]
    assert legend == ["Kyiv", "Ministry", "Bloggers", EVIL_CLAIMANT, "Lists",
                      "a count of the dead (killed, named)", "another count (wounded, missing, present...)"]
    # No style attributes (the CSP forbids them) and no script: presentation comes from the stylesheet.
    assert not [element for element in svg.iter() if "style" in element.attrib or element.tag == SVG + "script"]
    raw = (site / "claims/index.html").read_text()
    assert raw.count("<svg") == 1 and "&lt;b&gt;Evil&lt;/b&gt;" in raw and "<b>Evil" not in raw


def test_a_report_shows_its_own_claims(site):
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    page = parser.parse((site / ARTICLE_URLS["toll-revised"] / "index.html").read_bytes())
    section = page.find(".//section[@class='report-claims']")
    rows = [[text_of(cell) for cell in row] for row in section.findall(".//tbody/tr")]
    assert rows == [["3 January 2023", "Bloggers", "200 or more", "killed", '"Hundreds"'],
                    ["4 January 2023", "Ministry", "89", "killed", ""],
                    ["12 January 2023", "Lists", "92", "named", ""]]
    assert resolve_link(ARTICLE_URLS["toll-revised"], section.find(".//p[@class='more']/a").attrib["href"]) == "claims/index.html"
    other = parser.parse((site / ARTICLE_URLS["one-year-on"] / "index.html").read_bytes())
    assert text_of(other.find(".//section[@class='report-claims']//tbody/tr/td[5]")) == "About another strike."
    no_claims = parser.parse((site / ARTICLE_URLS["alpha-rally"] / "index.html").read_bytes())
    assert no_claims.find(".//section[@class='report-claims']") is None
