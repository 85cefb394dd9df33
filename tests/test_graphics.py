"""Geometry for the graphics: numbers as path data writes them, round ticks, labels that keep clear."""

import pytest

from newsarchive.graphics import Anchor, Box, nice_step, number, place_labels, point_box, symbol


@pytest.mark.parametrize("value, text", [(12.0, "12"), (12.04, "12"), (12.06, "12.1"), (-0.01, "0"), (-3.14, "-3.1")])
def test_numbers_are_short_and_never_negative_zero(value, text):
    assert number(value) == text


@pytest.mark.parametrize("span, most, step", [(660, 6, 200), (100, 5, 20), (27.6, 8, 5), (9, 2, 5), (0, 5, 1), (0.3, 3, 0.1)])
def test_ticks_are_one_two_or_five_times_a_power_of_ten(span, most, step):
    assert nice_step(span, most) == pytest.approx(step)


def test_labels_move_aside_from_what_is_in_the_way_and_stay_in_bounds():
    anchors = [Anchor(50, 50, 4, "First"), Anchor(50, 56, 4, "Second"), Anchor(195, 50, 4, "Edge")]
    first, second, edge = place_labels(anchors, [point_box(a.x, a.y, a.radius) for a in anchors], Box(0, 0, 200, 100))
    assert (first.anchor, first.x, first.leader) == ("start", 58, "")  # to the right of its point, beside it
    assert (second.anchor, second.x, second.leader) == ("end", 42, "")  # the first label is on the right: the left
    assert (edge.anchor, edge.x) == ("end", 187)  # no room on the right, inside the bounds
    # Nowhere clear: to the right all the same, so that every point is labelled.
    [squeezed] = place_labels([Anchor(5, 5, 4, "A long label")], [], Box(0, 0, 10, 10))
    assert (squeezed.x, squeezed.anchor) == (13, "start")


def test_every_marker_shape_is_a_closed_path_about_its_point():
    for shape in ("circle", "square", "diamond", "triangle"):
        path = symbol(shape, 10, 10, 5)
        assert path.startswith("M") and path.endswith("Z"), shape
