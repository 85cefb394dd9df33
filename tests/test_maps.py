"""The map of places: a dot for each place with coordinates, where it lies, sized by its reports, linked and labelled."""

import math

import html5lib
import pytest

import helpers
from fixture_archive import build_fixture_archive
from helpers import CONFIG, resolve_link
from newsarchive import indexes
from newsarchive.config import load_config
from newsarchive.graphics import point_box
from newsarchive.maps import LARGEST_DOT, SMALLEST_DOT, place_map

SVG = "{http://www.w3.org/2000/svg}"
# Makiivka, Samara and Tolyatti with coordinates; Kyiv with them and no report; Donetsk Oblast without them.
MAP_CONFIG = (CONFIG.replace("    country: Ukraine\n", "    country: Ukraine\n    coordinates: [48.05, 37.93]\n", 1)
              .replace("    country: Russia\n", "    country: Russia\n    coordinates: [53.20, 50.15]\n", 1)
              .replace("    aliases: [Togliatti]\n", "    aliases: [Togliatti]\n    coordinates: [53.52, 49.42]\n", 1)
              .replace("topics:\n", "  kyiv:\n    name: Kyiv\n    coordinates: [50.45, 30.52]\n"
                                    "  donetsk-oblast:\n    name: Donetsk Oblast\ntopics:\n", 1))


@pytest.fixture
def locations(make_project):
    config = load_config(make_project(config=MAP_CONFIG) / "site_config.yaml")
    places = ["makiivka"] * 9 + ["samara"] * 4 + ["tolyatti", "donetsk-oblast"]
    articles = [helpers.article(f"r{n}", f"2023-01-{n + 1:02d}", locations=(place,)) for n, place in enumerate(places)]
    return indexes.index_site(articles, config).terms["locations"]


def test_a_dot_for_each_place_with_coordinates_and_a_list_of_the_others(locations):
    drawn = place_map(locations)
    assert sorted(place.name for place in drawn.places) == ["Kyiv", "Makiivka", "Samara", "Tolyatti"]
    assert [listing.title for listing in drawn.unplaced] == ["Donetsk Oblast"]
    assert {place.name: place.url for place in drawn.places}["Samara"] == "locations/samara/"
    assert drawn.title and "4 places" in drawn.description and "Makiivka has the most (9)" in drawn.description


def test_dots_lie_where_the_places_are_on_an_equirectangular_projection(locations):
    at = {place.name: (place.x, place.y) for place in place_map(locations).places}
    assert at["Kyiv"][0] < at["Makiivka"][0] < at["Tolyatti"][0] < at["Samara"][0]  # west to east
    assert at["Samara"][1] < at["Kyiv"][1] < at["Makiivka"][1]  # north to south
    # Longitudes are narrowed by the cosine of the middle latitude (50.785°): degrees of both sizes compare so.
    (x1, y1), (x2, y2) = at["Makiivka"], at["Samara"]
    degrees_east, degrees_north = 50.15 - 37.93, 53.20 - 48.05
    assert (x2 - x1) / (y1 - y2) == pytest.approx(degrees_east * math.cos(math.radians(50.785)) / degrees_north, rel=0.01)
    for x, y in at.values():
        assert 0 < x < place_map(locations).width and 0 < y < place_map(locations).height


def test_dot_areas_follow_the_number_of_reports(locations):
    places = sorted(place_map(locations).places, key=lambda place: place.reports)
    assert [(place.name, place.reports) for place in places] == [("Kyiv", 0), ("Tolyatti", 1), ("Samara", 4), ("Makiivka", 9)]
    radii = [place.radius for place in places]
    assert radii == sorted(radii) and radii[0] == SMALLEST_DOT and radii[-1] == LARGEST_DOT
    assert radii[2] == pytest.approx(LARGEST_DOT * math.sqrt(4 / 9), abs=0.1)  # area, not radius, in proportion
    # Drawn largest first, so that a small dot is never hidden under a large one.
    assert [place.radius for place in place_map(locations).places] == sorted(radii, reverse=True)
    assert [dot.label.text for dot in place_map(locations).key] == ["1", "5", "9"]


def test_labels_keep_clear_of_each_other_and_of_other_dots(locations):
    from newsarchive.graphics import FONT_SIZE, TEXT_HEIGHT, Box, text_width
    places = place_map(locations).places

    def box(label):
        left = label.x - {"start": 0, "middle": text_width(label.text) / 2, "end": text_width(label.text)}[label.anchor]
        return Box(left, label.y - 0.75 * FONT_SIZE, left + text_width(label.text), label.y - 0.75 * FONT_SIZE + TEXT_HEIGHT * FONT_SIZE)

    for place in places:
        others = [box(other.label) for other in places if other is not place]
        others += [point_box(other.x, other.y, other.radius) for other in places if other is not place]
        assert not any(box(place.label).overlaps(other) for other in others), place.name


def test_no_map_without_coordinates(make_project):
    config = load_config(make_project() / "site_config.yaml")
    assert place_map(indexes.index_site([], config).terms["locations"]) is None


def test_the_locations_page_shows_the_map_with_links_to_every_place_on_it(tmp_path):
    site = build_fixture_archive(tmp_path) / "_site"
    page = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False).parse((site / "locations/index.html").read_bytes())
    figure = page.find(".//figure[@class='graphic']")
    svg = figure.find(f".//{SVG}svg")
    title, desc = (svg.find(f"{SVG}{name}") for name in ("title", "desc"))
    assert svg.attrib["aria-labelledby"].split() == [title.attrib["id"], desc.attrib["id"]]
    links = {"".join(a.find(f"{SVG}text").itertext()): resolve_link("locations/", a.attrib["href"]) for a in svg.iter(SVG + "a")}
    assert links == {"Makiivka": "locations/makiivka/index.html", "Tolyatti": "locations/tolyatti/index.html"}
    assert all((site / target).is_file() for target in links.values())
    assert [a.find(f"{SVG}title").text for a in svg.iter(SVG + "a")] == ["Makiivka: 4 reports", "Tolyatti: 1 report"]
    # Samara has no coordinates: it is named, with a link, under the map.
    unplaced = [(a.text, resolve_link("locations/", a.attrib["href"])) for a in figure.find("figcaption").iter("a")]
    assert unplaced == [("Samara", "locations/samara/index.html")]
