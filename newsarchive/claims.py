"""The claims ledger: every figure the reports record, in one order, and the chart of how they evolved.

The ledger is in the natural order: by the day a claim was stated, then claimant, then report.
Claims about another event than the archive's own (those with a ``subject``) are listed apart, by
subject, and left out of the chart: they count other people.

The chart has one column per day on which claims were stated (the days are in order but not to
scale, so that a burst of claims in one week and a lone one months later are both legible), the
figures on a linear scale, and one colour and shape per claimant.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from . import dates
from .graphics import (BASELINE_BELOW_MIDDLE, FONT_SIZE, SHAPES, Anchor, Box, Label, line_boxes, nice_step, number,
                       place_labels, point_box, rounded, symbol, text_width)
from .model import Article, Claim

WIDTH = 760
PLOT = Box(64, 24, WIDTH - 16, 24 + 320)
X_LABELS_BELOW = 20  # the axis's day labels, below the plot
X_TITLE_BELOW = 44
LEGEND_BELOW = 72
LEGEND_ROW = 22
SYMBOL_RADIUS = 5
SLOT_SPACING = 28  # between the claimants of one day, side by side in its column
ARROW = 26  # the length of the arrow of an "at least" or "up to" claim
HEADROOM = 1.1  # the scale goes a tenth above the highest figure, so its arrow fits
STYLES = 8  # the colours the stylesheet defines: .series-0 to .series-7
# Marks of these measures are filled: they count the dead. Hollow marks count anything else.
DEAD_COUNTS = ("killed", "named")


@dataclass(frozen=True)
class ClaimEntry:
    """A claim with the report that records it."""

    claim: Claim
    article: Article


def claim_ledger(articles: Iterable[Article]) -> dict[str, tuple[ClaimEntry, ...]]:
    """Every claim of ``articles`` in ledger order, by subject: "" (the archive's own event) first, then the others."""
    entries = sorted((ClaimEntry(claim, article) for article in articles for claim in article.claims),
                     key=lambda e: (e.claim.stated, e.claim.claimant.casefold(), e.article.chronological_key, e.claim.order))
    subjects = sorted({entry.claim.subject for entry in entries} | {""}, key=lambda s: (s != "", s.casefold(), s))
    return {subject: tuple(e for e in entries if e.claim.subject == subject) for subject in subjects}


def figure_text(claim: Claim, compact: bool = False) -> str:
    """'63', '2–3', '200 or more', 'up to 400'; compact, for a chart: '200+', '≤400'."""
    low, high = (None if value is None else f"{value:,}" for value in (claim.low, claim.high))
    if claim.is_single_figure:
        return low
    if high is None:
        return f"{low}+" if compact else f"{low} or more"
    if low is None:
        return f"≤{high}" if compact else f"up to {high}"
    return f"{low}–{high}"


@dataclass(frozen=True)
class ChartMark:
    """One claim drawn: its symbol (path data), the line of its range or arrow (or ""), and what it says."""

    style: int
    filled: bool
    symbol: str
    stem: str
    title: str


@dataclass(frozen=True)
class LegendEntry:
    style: int | None  # a claimant's colour; None for the key to filled and hollow marks
    filled: bool
    symbol: str
    label: Label


@dataclass(frozen=True)
class Trend:
    """The line joining one claimant's successive figures for one measure (63, then 89)."""

    style: int
    path: str


@dataclass(frozen=True)
class ClaimChart:
    width: float
    height: float
    plot: Box
    font_size: int
    title: str
    description: str
    grid: str  # path data: the lines across the plot at each figure labelled
    axes: str  # path data: the axes and a tick a column
    y_labels: tuple[Label, ...]  # the figures
    x_labels: tuple[Label, ...]  # the days; where columns are narrow, every second (third...) one
    x_title: Label
    y_title: Label  # drawn turned a quarter anticlockwise about its point
    trends: tuple[Trend, ...]
    marks: tuple[ChartMark, ...]
    labels: tuple[Label, ...]
    legend: tuple[LegendEntry, ...]


def claims_chart(entries: tuple[ClaimEntry, ...]) -> ClaimChart | None:
    """The chart of ``entries`` (in ledger order), or None when there is nothing to chart."""
    if not entries:
        return None
    claims = [entry.claim for entry in entries]
    claimants = list(dict.fromkeys(claim.claimant for claim in claims))  # in order of their first claim
    style = {name: n % STYLES for n, name in enumerate(claimants)}
    # The shape changes with every claimant and again with every round of the colours, so that the
    # first 32 claimants each look different, in colour and in black and white.
    shape = {name: SHAPES[(n + n // STYLES) % len(SHAPES)] for n, name in enumerate(claimants)}
    days, figures = _DayScale.of(claims), _FigureScale.of(claims)
    marks, boxes, anchors, points = [], [], [], defaultdict(list)
    for claim in claims:
        x = days.x(claim)
        drawn, box, middle = _draw(claim, x, figures.y, shape[claim.claimant])
        marks.append(ChartMark(style[claim.claimant], claim.measure in DEAD_COUNTS, *drawn, _mark_title(claim)))
        boxes.append(box)
        anchors.append(Anchor(x, middle, SYMBOL_RADIUS + 1, f"{figure_text(claim, compact=True)} {claim.measure}"))
        points[(claim.claimant, claim.measure)].append((x, middle))
    lines = {key: line for key, line in points.items() if len(line) > 1}
    trends = tuple(Trend(style[claimant], "M" + "L".join(f"{number(x)} {number(y)}" for x, y in line))
                   for (claimant, _), line in lines.items())
    # Labels are placed from the top of the plot down: low figures crowd together near the axis, and
    # find what room the higher ones leave.
    order = sorted(range(len(anchors)), key=lambda n: (anchors[n].y, n))
    placed = dict(zip(order, place_labels([anchors[n] for n in order],
                                          boxes + [box for line in lines.values() for box in line_boxes(line)],
                                          Box(PLOT.left + 2, PLOT.top - 16, WIDTH - 2, PLOT.bottom - 2))))
    labels = [placed[n] for n in range(len(anchors))]
    legend, height = _legend(claimants, style, shape)
    lowest = min(0 if claim.low is None else claim.low for claim in claims)
    return ClaimChart(
        WIDTH, height, PLOT, FONT_SIZE, "Claims over time, by claimant",
        f"{len(claims)} claims by {len(claimants)} claimants, stated between {dates.format_day(days.days[0])} and "
        f"{dates.format_day(days.days[-1])}, with figures from {lowest:,} to {figures.highest:,}. "
        "Every claim is also listed in the table below.",
        "".join(f"M{number(PLOT.left)} {number(figures.y(value))}H{number(PLOT.right)}" for value in figures.ticks[1:]),
        f"M{number(PLOT.left)} {number(PLOT.top)}V{number(PLOT.bottom)}H{number(PLOT.right)}"
        + "".join(f"M{number(days.centre(day))} {number(PLOT.bottom)}v5" for day in days.days),
        figures.labels(), days.labels(),
        Label("Day stated (one column a day, in order, not to scale)", rounded((PLOT.left + PLOT.right) / 2),
              rounded(PLOT.bottom + X_TITLE_BELOW), "middle"),
        Label("Figure claimed", rounded(PLOT.left - 46), rounded((PLOT.top + PLOT.bottom) / 2), "middle"),
        trends, tuple(marks), tuple(labels), legend)


@dataclass(frozen=True)
class _DayScale:
    """Across: a column a day on which claims were stated, the claimants of a day side by side in it."""

    days: tuple[dt.date, ...]
    slots: dict  # day -> its claimants, in order
    column: float
    spacing: float

    @classmethod
    def of(cls, claims: list[Claim]) -> "_DayScale":
        days = tuple(sorted({claim.stated for claim in claims}))
        slots = {day: list(dict.fromkeys(c.claimant for c in claims if c.stated == day)) for day in days}
        column = (PLOT.right - PLOT.left) / len(days)
        return cls(days, slots, column, min(SLOT_SPACING, column * 0.6 / max(len(s) for s in slots.values())))

    def centre(self, day: dt.date) -> float:
        return PLOT.left + self.column * (self.days.index(day) + 0.5)

    def x(self, claim: Claim) -> float:
        slots = self.slots[claim.stated]
        return self.centre(claim.stated) + (slots.index(claim.claimant) - (len(slots) - 1) / 2) * self.spacing

    def labels(self) -> tuple[Label, ...]:
        """'25 Jan 2023' under each column; where columns are narrower than a label, under every second (third...) one."""
        texts = [dates.format_short_day(day) for day in self.days]
        every = math.ceil((max(text_width(text) for text in texts) + 8) / self.column)
        return tuple(Label(text, rounded(self.centre(day)), rounded(PLOT.bottom + X_LABELS_BELOW), "middle")
                     for day, text in list(zip(self.days, texts))[::every])


@dataclass(frozen=True)
class _FigureScale:
    """Up: from 0 to a round figure a little above the highest claimed, in round steps."""

    highest: int
    ticks: tuple[int, ...]

    @classmethod
    def of(cls, claims: list[Claim]) -> "_FigureScale":
        highest = max(claim.low if claim.high is None else claim.high for claim in claims)
        step = max(1, round(nice_step(highest * HEADROOM, 6)))  # people come whole
        top = max(step, math.ceil(highest * HEADROOM / step) * step)
        return cls(highest, tuple(range(0, top + 1, step)))

    def y(self, value: float) -> float:
        return PLOT.bottom - value / self.ticks[-1] * (PLOT.bottom - PLOT.top)

    def labels(self) -> tuple[Label, ...]:
        return tuple(Label(f"{value:,}", rounded(PLOT.left - 8), rounded(self.y(value) + BASELINE_BELOW_MIDDLE * FONT_SIZE), "end")
                     for value in self.ticks)


def _draw(claim: Claim, x: float, y_of, shape: str) -> tuple[tuple[str, str], Box, float]:
    """((symbol, stem) path data, the box they fill, the height of the claim's middle) of one claim."""
    r = SYMBOL_RADIUS
    if claim.is_single_figure:
        y = y_of(claim.low)
        return (symbol(shape, x, y, r), ""), point_box(x, y, r + 1), y
    if claim.low is not None and claim.high is not None:  # a range: a bar with a mark at each end
        low, high = y_of(claim.low), y_of(claim.high)
        stem = (f"M{number(x)} {number(low)}V{number(high)}"
                f"M{number(x - r)} {number(low)}h{number(2 * r)}M{number(x - r)} {number(high)}h{number(2 * r)}")
        return (symbol(shape, x, low, r) + symbol(shape, x, high, r), stem), Box(x - r - 1, high - r - 1, x + r + 1, low + r + 1), (low + high) / 2
    # Open-ended: an arrow from the figure given, up for "at least", down for "up to".
    y, direction = (y_of(claim.low), -1) if claim.high is None else (y_of(claim.high), 1)
    tip = y - ARROW if direction < 0 else min(y + ARROW, PLOT.bottom)
    head = tip - direction * 6
    stem = (f"M{number(x)} {number(y)}V{number(tip)}"
            f"M{number(x - 4)} {number(head)}L{number(x)} {number(tip)}L{number(x + 4)} {number(head)}")
    return (symbol(shape, x, y, r), stem), Box(x - r - 1, min(y, tip) - r - 1, x + r + 1, max(y, tip) + r + 1), y


def _mark_title(claim: Claim) -> str:
    note = f". {claim.note}" if claim.note else ""
    return f"{claim.claimant}, {dates.format_day(claim.stated)}: {figure_text(claim)} {claim.measure}{note}"


def _legend(claimants: list[str], style: dict, shape: dict) -> tuple[tuple[LegendEntry, ...], float]:
    """The legend below the plot: a claimant an entry, in columns, then the key to filled and hollow marks.

    Returns the entries and the height of the whole chart.
    """
    keys = ("a count of the dead (killed, named)", "another count (wounded, missing, present...)")
    width = max(text_width(text) for text in (*claimants, *keys)) + 32
    columns = max(1, int((WIDTH - PLOT.left) // width))
    top = PLOT.bottom + LEGEND_BELOW
    entries = []
    for n, name in enumerate(claimants):
        row, col = divmod(n, columns)
        entries.append(_legend_entry(style[name], True, shape[name], name, PLOT.left + col * width, top + row * LEGEND_ROW))
    key_row = top + (math.ceil(len(claimants) / columns) + 0.5) * LEGEND_ROW
    for n, text in enumerate(keys):
        entries.append(_legend_entry(None, n == 0, "circle", text, PLOT.left + n * (WIDTH - PLOT.left) / 2, key_row))
    return tuple(entries), rounded(key_row + LEGEND_ROW)


def _legend_entry(colour: int | None, filled: bool, form: str, text: str, x: float, y: float) -> LegendEntry:
    return LegendEntry(colour, filled, symbol(form, x + SYMBOL_RADIUS, y, SYMBOL_RADIUS),
                       Label(text, rounded(x + 2 * SYMBOL_RADIUS + 8), rounded(y + BASELINE_BELOW_MIDDLE * FONT_SIZE), "start"))
