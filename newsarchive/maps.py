"""The map of places on /locations/, drawn at build time from the gazetteer's coordinates alone.

An equirectangular projection of the places' bounding box, its longitudes narrowed by the cosine of
the middle latitude so that shapes are true in the middle of the map: enough for a region (the
archive's places span Kyiv to Samara). Each place is a dot whose area grows with its number of
reports, labelled and linking to its page; a grid of round degrees stands in for an outline, which
would need data from elsewhere. Places without coordinates are listed under the map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .graphics import FONT_SIZE, TEXT_HEIGHT, Anchor, Box, Label, nice_step, number, place_labels, point_box, rounded, text_width
from .indexes import Listing

WIDTH = 760
MAX_HEIGHT = 760
PAD_X, PAD_Y = 110, 40  # between the outermost dots and the edges: room for their labels
MIN_SPAN = 1.0  # degrees: a single place, or places in one town, still get a map of some extent
SMALLEST_DOT, LARGEST_DOT = 3.5, 18  # radii: of a place with the fewest reports, and with the most
GRID_LINES = 8  # at most, each way


@dataclass(frozen=True)
class MapPlace:
    name: str
    url: str
    reports: int
    x: float
    y: float
    radius: float
    label: Label


@dataclass(frozen=True)
class GridLine:
    """A parallel or meridian: its path data and its label ('50°N') at the map's edge."""

    path: str
    label: Label


@dataclass(frozen=True)
class KeyDot:
    """A dot of the key to dot sizes, with its number of reports under it."""

    x: float
    y: float
    radius: float
    label: Label


@dataclass(frozen=True)
class PlaceMap:
    width: float
    height: float
    font_size: int
    title: str
    description: str
    grid: tuple[GridLine, ...]
    places: tuple[MapPlace, ...]  # largest first, so that smaller dots are drawn over larger ones
    key: tuple[KeyDot, ...]  # to the dots' sizes, in the top right-hand corner
    key_title: Label
    unplaced: tuple[Listing, ...]  # the places the gazetteer gives no coordinates for


def place_map(listings: tuple[Listing, ...]) -> PlaceMap | None:
    """The map of the places among ``listings`` that have coordinates, or None when none has."""
    placed = [listing for listing in listings if listing.term.coordinates]
    if not placed:
        return None
    projection = _Projection.fitting([listing.term.coordinates for listing in placed])
    grid = _grid(projection)
    most = max(len(listing.articles) for listing in placed)

    def radius(reports: int) -> float:
        """A dot's radius: its area in proportion to the reports, but never too small to see."""
        return rounded(max(SMALLEST_DOT, LARGEST_DOT * math.sqrt(reports / most))) if most else SMALLEST_DOT

    # The places with the most reports choose where their labels go first.
    placed.sort(key=lambda listing: (-len(listing.articles), listing.title.casefold(), listing.key))
    dots = [(*projection.point(*listing.term.coordinates), radius(len(listing.articles))) for listing in placed]
    key, key_title = _size_key(most, radius)
    labels = place_labels([Anchor(x, y, r, listing.title) for listing, (x, y, r) in zip(placed, dots)],
                          [point_box(x, y, r) for x, y, r in dots + [(dot.x, dot.y, dot.radius) for dot in key]]
                          + [_label_box(label) for label in [line.label for line in grid] + [key_title]],
                          Box(2, 2, WIDTH - 2, projection.height - 2))
    places = sorted((MapPlace(listing.title, listing.url, len(listing.articles), x, y, r, label)
                     for listing, (x, y, r), label in zip(placed, dots, labels)),
                    key=lambda place: (-place.radius, place.name.casefold(), place.url))
    return PlaceMap(
        WIDTH, projection.height, FONT_SIZE, "Map of the places in the archive",
        f"{len(placed)} places with known coordinates, each a dot whose area grows with its number of reports; "
        f"{placed[0].title} has the most ({most}). Every place is also listed below.",
        grid, tuple(places), key, key_title, tuple(listing for listing in listings if not listing.term.coordinates))


@dataclass(frozen=True)
class _Projection:
    """Degrees to the map's units: the places' bounding box, padded, its longitudes narrowed."""

    north: float
    west: float
    narrowing: float  # the cosine of the middle latitude
    scale: float  # units a degree of latitude
    left: float  # where the westernmost place is, centring the places across the map
    height: float

    @classmethod
    def fitting(cls, coordinates: list[tuple[float, float]]) -> "_Projection":
        south, north = _span(min(lat for lat, _ in coordinates), max(lat for lat, _ in coordinates))
        west, east = _span(min(lon for _, lon in coordinates), max(lon for _, lon in coordinates))
        narrowing = math.cos(math.radians((south + north) / 2))
        scale = min((WIDTH - 2 * PAD_X) / ((east - west) * narrowing), (MAX_HEIGHT - 2 * PAD_Y) / (north - south))
        return cls(north, west, narrowing, scale, (WIDTH - (east - west) * narrowing * scale) / 2,
                   rounded((north - south) * scale + 2 * PAD_Y))

    def point(self, latitude: float, longitude: float) -> tuple[float, float]:
        return (rounded(self.left + (longitude - self.west) * self.narrowing * self.scale),
                rounded(PAD_Y + (self.north - latitude) * self.scale))

    @property
    def latitudes(self) -> tuple[float, float]:
        """The latitudes of the map's bottom and top edges."""
        return self.north - (self.height - PAD_Y) / self.scale, self.north + PAD_Y / self.scale

    @property
    def longitudes(self) -> tuple[float, float]:
        """The longitudes of the map's left and right edges."""
        units = self.narrowing * self.scale
        return self.west - self.left / units, self.west + (WIDTH - self.left) / units


def _size_key(most: int, radius) -> tuple[tuple[KeyDot, ...], Label]:
    """Dots for one report, a round number between, and the most, side by side in the top right-hand corner."""
    counts = sorted({1, round(nice_step(most, 2)), most} & set(range(1, most + 1))) or [0]
    middle, dots, right = 8 + LARGEST_DOT, [], WIDTH - 8
    for count in reversed(counts):
        r, half_width = radius(count), text_width(str(count)) / 2
        x = right - max(r, half_width)
        dots.append(KeyDot(rounded(x), middle, r, Label(str(count), rounded(x), middle + LARGEST_DOT + FONT_SIZE + 2, "middle")))
        right = x - max(r, half_width) - 10
    title = "Reports:"
    return tuple(reversed(dots)), Label(title, rounded(right - text_width(title)), middle + 4, "start")


def _span(low: float, high: float) -> tuple[float, float]:
    """``low`` to ``high``, widened about its middle to MIN_SPAN when narrower."""
    middle, half = (low + high) / 2, max(high - low, MIN_SPAN) / 2
    return middle - half, middle + half


def _grid(projection: _Projection) -> tuple[GridLine, ...]:
    """Parallels labelled at the left edge and meridians at the bottom, at round degrees across the map."""
    step = nice_step(max(high - low for low, high in (projection.latitudes, projection.longitudes)), GRID_LINES)
    lines = []
    for latitude in _multiples(step, *projection.latitudes):
        _, y = projection.point(latitude, projection.west)
        lines.append(GridLine(f"M0 {number(y)}H{number(WIDTH)}", Label(_degrees(latitude, "N", "S"), 4, rounded(y - 4), "start")))
    for longitude in _multiples(step, *projection.longitudes):
        x, _ = projection.point(projection.north, longitude)
        lines.append(GridLine(f"M{number(x)} 0V{number(projection.height)}",
                              Label(_degrees(longitude, "E", "W"), rounded(x + 4), rounded(projection.height - 6), "start")))
    return tuple(lines)


def _multiples(step: float, low: float, high: float) -> list[float]:
    first = math.ceil(low / step)
    return [round(n * step, 6) for n in range(first, math.floor(high / step) + 1)]


def _degrees(value: float, positive: str, negative: str) -> str:
    return f"{abs(value):g}°{positive if value >= 0 else negative}"


def _label_box(label: Label) -> Box:
    """The box of a left-aligned label, from its baseline."""
    top = label.y - FONT_SIZE * (TEXT_HEIGHT - 0.25)
    return Box(label.x, top, label.x + text_width(label.text), top + FONT_SIZE * TEXT_HEIGHT)
