"""The balance page's series (app/balances/overview.py): weekly closings and monthly trips
from the custody moves by day, without a database."""
from __future__ import annotations

import random
from datetime import date, timedelta

from app.balances.overview import WEEKS, month_start, monthly_trips, weekly_closings

TODAY = date(2026, 3, 11)  # a Wednesday


# Written out here, not taken from CustodyKind, so the test checks the signs independently.
MOVE_KINDS_IN = ("issued", "transfer_in", "found")
MOVE_KINDS_OUT = ("returned", "transfer_out", "lost")


def random_moves(seed: int, days: int = 200) -> dict[date, dict[str, int]]:
    rnd = random.Random(seed)
    by_day: dict[date, dict[str, int]] = {}
    for _ in range(120):
        d = TODAY - timedelta(days=rnd.randrange(days))
        kind = rnd.choice(MOVE_KINDS_IN + MOVE_KINDS_OUT)
        by_day.setdefault(d, {})[kind] = by_day.get(d, {}).get(kind, 0) + rnd.randint(1, 5)
    return by_day


def test_each_week_closes_with_the_next_weeks_closing_minus_its_moves():
    for seed in range(5):
        by_day = random_moves(seed)
        weekly = weekly_closings(40, by_day, TODAY)
        assert len(weekly) == WEEKS
        assert weekly[-1] == (TODAY.strftime("%d %b"), 40)  # the last week ends today: today's balance
        assert weekly[0][0] == (TODAY - timedelta(weeks=WEEKS - 1)).strftime("%d %b")
        for k in range(1, WEEKS):
            last_day = TODAY - timedelta(weeks=WEEKS - 1 - k)
            week = [last_day - timedelta(days=i) for i in range(7)]
            net = sum(n if kind in MOVE_KINDS_IN else -n for d in week for kind, n in by_day.get(d, {}).items())
            assert weekly[k][1] - weekly[k - 1][1] == net


def test_months_count_trips_not_found_or_lost_assets():
    by_day = {date(2026, 2, 1): {"issued": 3, "transfer_in": 1, "found": 7},
              date(2026, 2, 28): {"returned": 2, "transfer_out": 1, "lost": 9},
              date(2026, 3, 1): {"issued": 5}, date(2026, 1, 31): {"returned": 4}}
    months = [month_start(TODAY, back) for back in (2, 1, 0)]
    assert monthly_trips(by_day, months) == [
        {"label": "Jan 2026", "issued": 0, "returned": 4},
        {"label": "Feb 2026", "issued": 4, "returned": 3},
        {"label": "Mar 2026", "issued": 5, "returned": 0},
    ]


def test_month_start_steps_over_year_ends():
    assert month_start(date(2026, 1, 15), 1) == date(2025, 12, 1)
    assert month_start(date(2025, 12, 31), -1) == date(2026, 1, 1)
    assert month_start(date(2026, 3, 11), 14) == date(2025, 1, 1)
