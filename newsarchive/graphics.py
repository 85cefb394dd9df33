"""Geometry shared by the graphics drawn at build time (the claims chart, the map of places).

Only numbers and path data are made here; the templates write the SVG markup, so every text in a
graphic is autoescaped like any other. Coordinates are in the graphic's own units (its viewBox),
rounded to a tenth so that the output is small and the same on every machine.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Iterable

FONT_SIZE = 12  # of every text in a graphic, in its units; the templates write it on the <svg>
# The width of an average character of the sans-serif the graphics use, in ems: a little generous,
# so that labels estimated to be clear of each other are.
CHARACTER_WIDTH = 0.55
# Where the baseline of a line of text sits below its middle, and how far its box reaches, in ems.
BASELINE_BELOW_MIDDLE = 0.35
TEXT_HEIGHT = 1.1
LABEL_GAP = 4  # between a point and its label
# How far a label may move from its point, in rings of candidate places; beyond the first ring a
# leader line joins them.
LABEL_RINGS = 4
RING_STEP = 14


def rounded(value: float) -> float:
    """``value`` to a tenth, never -0.0 (which would print as "-0.0")."""
    return round(value, 1) + 0.0


def number(value: float) -> str:
    """A coordinate as path data writes it: '12.5', '12', '-3.1'."""
    text = f"{rounded(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_width(text: str, size: float = FONT_SIZE) -> float:
    return len(text) * size * CHARACTER_WIDTH


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: "Box") -> bool:
        return self.left < other.right and other.left < self.right and self.top < other.bottom and other.top < self.bottom

    def within(self, other: "Box") -> bool:
        return other.left <= self.left and self.right <= other.right and other.top <= self.top and self.bottom <= other.bottom


def point_box(x: float, y: float, radius: float) -> Box:
    return Box(x - radius, y - radius, x + radius, y + radius)


def line_boxes(points: list[tuple[float, float]], spacing: float = 6) -> list[Box]:
    """A line through ``points`` as small boxes along it, for labels to keep clear of."""
    boxes = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        steps = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / spacing))
        boxes += [point_box(x0 + (x1 - x0) * n / steps, y0 + (y1 - y0) * n / steps, 1) for n in range(steps + 1)]
    return boxes


@dataclass(frozen=True)
class Label:
    """A text beside the point it names; ``leader`` joins them (path data) when the text had to move away."""

    text: str
    x: float
    y: float  # the baseline
    anchor: str  # SVG text-anchor: start, middle or end
    leader: str = ""


@dataclass(frozen=True)
class Anchor:
    """A point to label: where it is, how far its mark reaches around it, and the text."""

    x: float
    y: float
    radius: float
    text: str


# Where a label may go around its point, in the order tried: beside it (right, then left), at its
# corners, then above and below, where a long label reaches furthest sideways. Each is (dx, dy,
# text-anchor): which way it moves, and which end of the text is nearest the point.
_DIRECTIONS = ((1, 0, "start"), (-1, 0, "end"), (1, -1, "start"), (1, 1, "start"), (-1, -1, "end"),
               (-1, 1, "end"), (0, -1, "middle"), (0, 1, "middle"))


def place_labels(anchors: Iterable[Anchor], obstacles: Iterable[Box], bounds: Box,
                 size: float = FONT_SIZE) -> list[Label]:
    """A label for each anchor, in order, each in the first place clear of ``obstacles``, of the
    labels placed before it and of ``bounds``' edges. Earlier anchors get the nearer places, so give
    the most important first. Where no place is clear the label goes to the right of its point.
    Every place lies beyond its anchor's radius, so the anchor's own mark may be among the obstacles.
    """
    taken = list(obstacles)
    labels = []
    for anchor in anchors:
        # Made one at a time: most labels fit in one of the first places tried.
        candidates = (_candidate(anchor, ring, direction, size)
                      for ring in range(LABEL_RINGS) for direction in _DIRECTIONS)
        first = next(candidates)
        label, box = next(((label, box) for label, box in itertools.chain([first], candidates)
                           if box.within(bounds) and not any(box.overlaps(other) for other in taken)), first)
        labels.append(label)
        taken.append(box)
    return labels


def _candidate(anchor: Anchor, ring: int, direction: tuple, size: float) -> tuple[Label, Box]:
    dx, dy, text_anchor = direction
    width, height = text_width(anchor.text, size), TEXT_HEIGHT * size
    reach = anchor.radius + LABEL_GAP + ring * RING_STEP
    # The point of the text nearest the anchor: the middle of its near side, or its near corner.
    near_x, near_y = anchor.x + dx * reach, anchor.y + dy * reach
    left = {"start": near_x, "middle": near_x - width / 2, "end": near_x - width}[text_anchor]
    middle = near_y + dy * height / 2
    box = Box(left, middle - height / 2, left + width, middle + height / 2)
    leader = ""
    if ring:
        length = math.hypot(near_x - anchor.x, near_y - anchor.y)
        start_x = anchor.x + (near_x - anchor.x) * anchor.radius / length
        start_y = anchor.y + (near_y - anchor.y) * anchor.radius / length
        leader = f"M{number(start_x)} {number(start_y)}L{number(near_x)} {number(near_y)}"
    baseline = middle + BASELINE_BELOW_MIDDLE * size
    return Label(anchor.text, rounded(near_x), rounded(baseline), text_anchor, leader), box


def nice_step(span: float, most: int) -> float:
    """The step of at most ``most`` + 1 round ticks (1, 2 or 5 times a power of ten) across ``span``."""
    if span <= 0:
        return 1
    step = 10 ** math.floor(math.log10(span / most))
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= most:
            return step * factor
    return step * 10


SHAPES = ("circle", "square", "diamond", "triangle")


def symbol(shape: str, x: float, y: float, radius: float) -> str:
    """Path data of a marker of about the same area whatever its ``shape``, centred on (x, y)."""
    if shape == "circle":
        return (f"M{number(x - radius)} {number(y)}a{number(radius)} {number(radius)} 0 1 0 {number(2 * radius)} 0"
                f"a{number(radius)} {number(radius)} 0 1 0 {number(-2 * radius)} 0Z")
    if shape == "square":
        half = radius * 0.89
        return f"M{number(x - half)} {number(y - half)}h{number(2 * half)}v{number(2 * half)}h{number(-2 * half)}Z"
    if shape == "diamond":
        reach = radius * 1.25
        return f"M{number(x)} {number(y - reach)}L{number(x + reach)} {number(y)}L{number(x)} {number(y + reach)}L{number(x - reach)} {number(y)}Z"
    reach = radius * 1.35  # a triangle, pointing up
    return (f"M{number(x)} {number(y - reach)}L{number(x + reach * 0.87)} {number(y + reach / 2)}"
            f"L{number(x - reach * 0.87)} {number(y + reach / 2)}Z")
