"""The inline SVG charts: geometry of bars around the zero line."""
from __future__ import annotations

import re

from app.web.charts import HEIGHT, PAD_B, PAD_T, bar_chart

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
