"""The inline SVG charts: geometry of bars around the zero line."""
from __future__ import annotations

import re

from app.web.charts import HEIGHT, MAX_SLOT, PAD_B, PAD_L, PAD_R, PAD_T, WIDTH, bar_chart, line_chart

RECT = re.compile(r'<rect x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)" fill="[^"]+"><title>')  # bars, not legend swatches


def bars(svg) -> list[tuple[float, float]]:
    return [(float(y), float(h)) for y, h in RECT.findall(str(svg))]


def test_positive_bars_stand_on_the_baseline():
    b = bars(bar_chart("c", "t", ["a", "b"], [("s", [10.0, 20.0])]))
    baseline = HEIGHT - PAD_B
    assert all(abs(y + h - baseline) < 0.11 for y, h in b)
    assert b[1][1] > b[0][1] > 0


def test_negative_values_hang_below_the_zero_line():
    (y_pos, h_pos), (y_neg, h_neg) = bars(bar_chart("c", "t", ["a", "b"], [("s", [10.0, -10.0])]))
    zero = y_pos + h_pos
    assert abs(y_neg - zero) < 0.11  # the negative bar starts at zero and goes down
    assert abs(h_neg - h_pos) < 0.11  # same magnitude, same length
    assert PAD_T <= y_pos and y_neg + h_neg <= HEIGHT - PAD_B + 0.11


def test_all_heights_are_non_negative():
    assert all(h >= 0 for _y, h in bars(bar_chart("c", "t", list("abcd"), [("s", [-3.5, 0.0, 7.0, -12.0])])))


BAR = re.compile(r'<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)" fill="[^"]+"><title>')
LABEL = re.compile(r'<text x="([^"]+)" y="[^"]+" text-anchor="middle" fill="[^"]+">([^<]+)</text>')


def test_a_single_month_is_a_bar_of_sensible_width_under_its_label():
    svg = str(bar_chart("c", "t", ["2026-09"], [("avoided", [412.5])]))
    ((x, y, width, height),) = [tuple(map(float, m)) for m in BAR.findall(svg)]
    assert 10 <= width <= MAX_SLOT and height > 50  # a bar, not a plot filled from axis to edge
    ((label_x, label),) = [(float(lx), text) for lx, text in LABEL.findall(svg)]
    assert label == "2026-09" and abs(label_x - (x + width / 2)) < 0.11  # the label sits under its bar
    assert PAD_L < x and x + width < WIDTH - PAD_R


def test_a_single_point_line_shows_a_dot_clear_of_the_axis():
    svg = str(line_chart("c", "t", ["1 Sep"], [7.0]))
    ((cx, cy),) = [tuple(map(float, m)) for m in re.findall(r'<circle cx="([^"]+)" cy="([^"]+)" r="3"', svg)]
    ((label_x, label),) = [(float(lx), text) for lx, text in LABEL.findall(svg)]
    assert PAD_L + 50 < cx < WIDTH - PAD_R - 50 and PAD_T <= cy <= HEIGHT - PAD_B
    assert label == "1 Sep" and label_x == cx
