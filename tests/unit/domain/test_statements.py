"""Statement rules (app/domain/statements.py): balances, late-scan adjustments, corrections,
the dispute window and the status machine, with properties over random custody histories."""
from __future__ import annotations

import copy
from collections import defaultdict
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import statements as rules
from app.domain.errors import Conflict, DomainError

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
BEFORE = "2025-12"
KEYS = [("ibc", "acme-site"), ("ibc", ""), ("crate", "acme-site")]

# A move: (month index, -1 = before the first statement), key, delta, the close it is first
# known at (a move is known at its own month's close at the earliest; later is a late scan).
moves_st = st.lists(st.tuples(st.integers(-1, 4), st.sampled_from(KEYS), st.sampled_from([1, -1]),
                              st.integers(0, 4)), max_size=40)
disputes_st = st.lists(st.tuples(st.integers(1, 4), st.integers(0, 50)), max_size=4)


def simulate(moves, disputes):
    """Closes the five months in order as closing.py does, from the moves known at each close."""
    statements: list[dict] = []
    snapshots: list[dict] = []
    pending: list[tuple[int, list[rules.Line]]] = []
    for k, month in enumerate(MONTHS):
        known = [(j, key, d) for j, key, d, arrives in moves if max(j, arrives) <= k]
        now: dict[str, dict] = defaultdict(lambda: defaultdict(int))
        for j, key, d in known:
            if j < k:
                now[BEFORE if j == -1 else MONTHS[j]][key] += d
        lines = [rules.Line(date(2026, k + 1, 1), "scan", key[0], key[1], "issued" if d > 0 else "returned", d)
                 for j, key, d in known if j == k]
        if not statements:
            opening = rules.add_up({}, [rules.Line(None, "", t, s, "", q)
                                        for period in now.values() for (t, s), q in period.items()])
        else:
            opening = rules.balance_from_rows(statements[-1]["closing"])
            frozen: dict[str, dict] = defaultdict(lambda: defaultdict(int))
            for s in statements:
                for ln in s["lines"]:
                    if ln.kind != rules.CORRECTION:
                        frozen[ln.adjustment_for or s["month"]][(ln.asset_type, ln.site)] += ln.quantity
            for (t, site), q in rules.balance_from_rows(statements[0]["opening"]).items():
                frozen[BEFORE][(t, site)] += q
            lines = lines + rules.adjustments(month, frozen, now)
        for dispute_id, disputed in pending:
            lines += rules.correction_lines(month, dispute_id, disputed, MONTHS[k - 1])
        pending = []
        statement = {"month": month, "opening": rules.balance_rows(opening), "lines": lines,
                     "closing": rules.balance_rows(rules.add_up(opening, lines))}
        statements.append(statement)
        snapshots.append(copy.deepcopy(statement))
        for at, pick in disputes:
            if at == k + 1 and lines:
                pending.append((len(pending) + 100 * k, [lines[pick % len(lines)]]))
    return statements, snapshots


@settings(max_examples=200, deadline=None)
@given(moves_st, disputes_st)
def test_closing_is_opening_plus_lines_and_the_next_opening(moves, disputes):
    statements, _ = simulate(moves, disputes)
    for s in statements:
        assert rules.balance_from_rows(s["closing"]) == rules.add_up(rules.balance_from_rows(s["opening"]), s["lines"])
    for earlier, later in zip(statements, statements[1:]):
        assert earlier["closing"] == later["opening"]


@settings(max_examples=200, deadline=None)
@given(moves_st, disputes_st)
def test_adjustments_reconcile_late_scans_and_corrections_never_change_a_closed_statement(moves, disputes):
    statements, snapshots = simulate(moves, disputes)
    # closed statements are exactly as they were when they were closed
    assert statements == snapshots
    # the last closing is every move (all are known by the last close), plus the corrections posted
    known = rules.add_up({}, [rules.Line(None, "", k[0], k[1], "", d) for _j, k, d, _arrives in moves])
    corrections = rules.net(ln for s in statements for ln in s["lines"] if ln.kind == rules.CORRECTION)
    assert rules.balance_from_rows(statements[-1]["closing"]) == rules.add_up(known, [
        rules.Line(None, "", t, s, "", q) for (t, s), q in corrections.items()])


def test_adjustments_name_the_closed_month_and_skip_later_periods():
    frozen = {"2026-01": {("ibc", "a"): 2}}
    now = {"2026-01": {("ibc", "a"): 3, ("crate", "a"): -1}, "2026-03": {("ibc", "a"): 9}}
    lines = rules.adjustments("2026-02", frozen, now)
    assert [(ln.kind, ln.reference, ln.asset_type, ln.quantity, ln.adjustment_for, ln.day) for ln in lines] == [
        ("adjustment", "adjustment for 2026-01", "crate", -1, "2026-01", date(2026, 2, 1)),
        ("adjustment", "adjustment for 2026-01", "ibc", 1, "2026-01", date(2026, 2, 1))]


def test_a_correction_reverses_the_disputed_lines():
    disputed = [rules.Line(date(2026, 1, 5), "s1", "ibc", "a", "issued", 1),
                rules.Line(date(2026, 1, 6), "s2", "ibc", "a", "issued", 1)]
    [line] = rules.correction_lines("2026-02", 7, disputed, "2026-01")
    assert (line.kind, line.quantity, line.dispute_id, line.reference, line.adjustment_for) == (
        "correction", -2, 7, "dispute 7", "2026-01")


def test_months():
    assert rules.month_bounds("2026-12") == (datetime(2026, 12, 1, tzinfo=timezone.utc),
                                             datetime(2027, 1, 1, tzinfo=timezone.utc))
    assert rules.next_month("2026-12") == "2027-01" and rules.previous_month("2027-01") == "2026-12"
    with pytest.raises(DomainError):
        rules.parse_month("2026-13")


def test_window_and_status_machine():
    published = datetime(2026, 2, 3, 10, tzinfo=timezone.utc)
    deadline = rules.dispute_deadline(published)
    assert deadline == datetime(2026, 2, 17, 10, tzinfo=timezone.utc)
    assert rules.dispute_deadline(published, 30).day == 5
    rules.check_dispute_window(deadline.replace(hour=9), deadline)
    with pytest.raises(DomainError) as err:
        rules.check_dispute_window(deadline, deadline)
    assert err.value.field == "statement"
    assert rules.transition("published", "dispute") == "disputed"
    assert rules.transition("disputed", "resolve") == "resolved"
    assert rules.transition("resolved", "auto_confirm") == "confirmed"
    for status, action in (("confirmed", "dispute"), ("disputed", "confirm"), ("disputed", "auto_confirm")):
        with pytest.raises(Conflict):
            rules.transition(status, action)
    assert rules.due_for_auto_confirm("published", deadline, 0, deadline)
    assert not rules.due_for_auto_confirm("published", deadline, 0, published)
    assert not rules.due_for_auto_confirm("disputed", deadline, 1, deadline)


def test_a_late_scan_shows_as_an_adjustment_for_its_month():
    statements, _ = simulate([(0, KEYS[0], 1, 2)], [])
    assert [s["closing"] for s in statements[:2]] == [[], []]
    [line] = statements[2]["lines"]
    assert (line.kind, line.quantity, line.adjustment_for) == (rules.ADJUSTMENT, 1, MONTHS[0])
