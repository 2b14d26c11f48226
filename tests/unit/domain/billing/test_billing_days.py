"""The day-counting rule (app/domain/billing/days.py): a day of hire is a local calendar day
at whose close the customer holds the asset."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.domain.billing.days import (
    BillingMonth,
    CustodyPeriod,
    check_periods,
    customer_zone,
    first_affected_month,
    holding_spans,
    local_date,
)
from app.domain.errors import DomainError

BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH, APRIL = BillingMonth(2026, 3), BillingMonth(2026, 4)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def period(start: str, end: str | None = None, customer: str = "acme", asset: str = "a1", trip: str = "t1",
           start_kind: str = "issued", end_kind: str | None = "returned") -> CustodyPeriod:
    return CustodyPeriod(customer, asset, "crate", trip, at(start), at(end) if end else None, start_kind,
                         end_kind if end else None, ref=f"{customer}:{start}")


def held(periods, zone, month) -> list[date]:
    """Every billed day of `month`, in date order per asset and trip."""
    days = []
    for span in holding_spans(periods, zone, month):
        for run in span.runs:
            days += [run.first_day + timedelta(days=i) for i in range(run.days)]
    return days


def d(month: int, *days: int) -> list[date]:
    return [date(2026, month, n) for n in days]


def test_day_of_issue_counts_day_of_return_does_not():
    p = period("2026-03-02T10:00+01:00", "2026-03-05T09:00+01:00")
    assert held([p], BERLIN, MARCH) == d(3, 2, 3, 4)


def test_same_day_issue_and_return_bills_no_day():
    p = period("2026-03-02T07:00+01:00", "2026-03-02T18:00+01:00")
    assert held([p], BERLIN, MARCH) == []
    assert holding_spans([p], BERLIN, MARCH) == []


def test_a_period_spanning_months_bills_each_month_its_own_days_and_carries_the_count():
    p = period("2026-03-30T12:00+02:00", "2026-04-02T08:00+02:00")
    assert held([p], BERLIN, MARCH) == d(3, 30, 31)
    [april] = holding_spans([p], BERLIN, APRIL)
    assert held([p], BERLIN, APRIL) == d(4, 1)
    assert april.days_before == 2 and april.runs[0].first_number == 3


def test_an_open_period_bills_to_the_end_of_the_month():
    p = period("2026-03-30T12:00+02:00")
    assert held([p], BERLIN, MARCH) == d(3, 30, 31)
    assert len(held([p], BERLIN, APRIL)) == 30
    assert held([p], BERLIN, BillingMonth(2026, 2)) == []


def test_a_mid_month_transfer_gives_the_transfer_day_to_the_receiver():
    a = period("2026-03-02T08:00+01:00", "2026-03-10T15:00+01:00", "acme", end_kind="transfer_out")
    b = period("2026-03-10T15:00+01:00", "2026-03-20T11:00+01:00", "globex", start_kind="transfer_in")
    acme, globex = held([a], BERLIN, MARCH), held([b], BERLIN, MARCH)
    assert acme == d(3, *range(2, 10)) and globex == d(3, *range(10, 20))
    assert not set(acme) & set(globex)
    assert sorted(acme + globex) == d(3, *range(2, 20))


def test_each_customer_counts_on_its_own_clock():
    # passed on at 23:30 Berlin = 06:30 next day in Shanghai: the receiver's first day is its own date
    a = period("2026-03-02T08:00+01:00", "2026-03-10T23:30+01:00", "acme", end_kind="transfer_out")
    b = period("2026-03-10T23:30+01:00", "2026-03-12T20:00+08:00", "globex", start_kind="transfer_in")
    assert held([a], BERLIN, MARCH)[-1] == date(2026, 3, 9)
    assert held([b], SHANGHAI, MARCH) == d(3, 11)


def test_a_transfer_back_to_the_same_customer_changes_no_day():
    whole = period("2026-03-02T08:00+01:00", "2026-03-20T11:00+01:00")
    first = period("2026-03-02T08:00+01:00", "2026-03-09T13:17+01:00", end_kind="transfer_out")
    second = period("2026-03-09T13:17+01:00", "2026-03-20T11:00+01:00", start_kind="transfer_in")
    assert held([first, second], BERLIN, MARCH) == held([whole], BERLIN, MARCH)
    [span] = holding_spans([first, second], BERLIN, MARCH)
    assert span.runs[0].days == 18 and len(span.runs) == 1


def test_overlapping_periods_of_one_customer_never_bill_a_day_twice():
    a = period("2026-03-02T08:00+01:00", "2026-03-10T08:00+01:00")
    b = period("2026-03-05T08:00+01:00", "2026-03-12T08:00+01:00")
    assert held([a, b], BERLIN, MARCH) == d(3, *range(2, 12))


def test_days_away_on_the_same_trip_do_not_count_towards_the_customer_s_day_numbers():
    out = period("2026-03-02T08:00+01:00", "2026-03-05T08:00+01:00", end_kind="transfer_out")
    back = period("2026-03-09T08:00+01:00", "2026-03-11T08:00+01:00", start_kind="transfer_in")
    [span] = holding_spans([out, back], BERLIN, MARCH)
    assert [(r.first_day, r.days, r.first_number) for r in span.runs] == [
        (date(2026, 3, 2), 3, 1), (date(2026, 3, 9), 2, 4)]


def test_day_numbers_restart_with_a_new_trip():
    one = period("2026-03-02T08:00+01:00", "2026-03-05T08:00+01:00", trip="t1")
    two = period("2026-03-09T08:00+01:00", "2026-03-11T08:00+01:00", trip="t2")
    spans = holding_spans([one, two], BERLIN, MARCH)
    assert [(s.trip_ref, s.runs[0].first_number, s.days) for s in spans] == [("t1", 1, 3), ("t2", 1, 2)]


def test_spring_forward_day_is_one_day_in_berlin_whatever_its_23_hours():
    # 2026-03-29 has 23 hours in Berlin; Shanghai keeps +08:00
    p = period("2026-03-28T23:30+00:00", "2026-03-29T22:30+00:00")
    assert local_date(p.end, BERLIN) == date(2026, 3, 30)  # 00:30 CEST
    assert local_date(p.end, timezone(timedelta(hours=1))) == date(2026, 3, 29)  # a fixed offset gets it wrong
    assert held([p], BERLIN, MARCH) == d(3, 29)
    assert held([p], SHANGHAI, MARCH) == d(3, 29)


def test_fall_back_day_is_one_day_in_berlin_whatever_its_25_hours():
    p = period("2026-10-24T22:30+00:00", "2026-10-25T23:30+00:00")  # 00:30 CEST -> 00:30 CET
    assert held([p], BERLIN, BillingMonth(2026, 10)) == [date(2026, 10, 25)]
    # the same 25 hours in Shanghai run 06:30 -> 07:30 next day: also one day
    assert held([p], SHANGHAI, BillingMonth(2026, 10)) == [date(2026, 10, 25)]


def test_one_instant_falls_in_different_months_for_berlin_and_shanghai():
    p = period("2026-03-31T16:30+00:00", "2026-04-02T16:30+00:00")
    assert held([p], BERLIN, MARCH) == d(3, 31) and held([p], BERLIN, APRIL) == d(4, 1)
    assert held([p], SHANGHAI, MARCH) == [] and held([p], SHANGHAI, APRIL) == d(4, 1, 2)


def test_shanghai_summer_time_of_1991_still_makes_one_day():
    # China kept DST until 1991: 1991-04-14 02:00 CST became 03:00 CDT (+09:00)
    p = period("1991-04-13T16:30+00:00", "1991-04-14T16:30+00:00")
    assert held([p], SHANGHAI, BillingMonth(1991, 4)) == [date(1991, 4, 14)]


def test_local_midnight_starts_the_day():
    p = period("2026-03-10T00:00+01:00", "2026-03-12T00:00+01:00")
    assert held([p], BERLIN, MARCH) == d(3, 10, 11)


def test_a_late_return_changes_only_the_months_from_its_date_on():
    open_ = period("2026-02-20T09:00+01:00")
    late = period("2026-02-20T09:00+01:00", "2026-03-10T09:00+01:00")
    assert first_affected_month(late.end, BERLIN) == MARCH
    feb = BillingMonth(2026, 2)
    assert holding_spans([open_], BERLIN, feb) == holding_spans([late], BERLIN, feb)
    assert len(held([open_], BERLIN, MARCH)) == 31 and held([late], BERLIN, MARCH) == d(3, *range(1, 10))


def test_first_affected_month_is_the_customer_s_local_month():
    instant = at("2026-03-31T20:00+00:00")
    assert first_affected_month(instant, BERLIN) == MARCH
    assert first_affected_month(instant, SHANGHAI) == APRIL


def test_billing_months_parse_and_step():
    assert BillingMonth.parse("2026-12").next() == BillingMonth(2027, 1)
    assert str(BillingMonth(2026, 3)) == "2026-03" and len(BillingMonth(2028, 2).days()) == 29
    for bad in ("2026-13", "March", "2026"):
        with pytest.raises(DomainError) as e:
            BillingMonth.parse(bad)
        assert e.value.field == "month"


@pytest.mark.parametrize("bad,field", [
    (CustodyPeriod("acme", "a1", "crate", "t1", datetime(2026, 3, 1)), "periods[0].start"),
    (CustodyPeriod("acme", "a1", "crate", "t1", at("2026-03-02T00:00+01:00"), datetime(2026, 3, 3)),
     "periods[0].end"),
    (CustodyPeriod("acme", "a1", "crate", "t1", at("2026-03-02T00:00+01:00"), at("2026-03-01T00:00+01:00")),
     "periods[0].end"),
    (CustodyPeriod("globex", "a1", "crate", "t1", at("2026-03-02T00:00+01:00")), "periods[0].customer_id"),
])
def test_bad_periods_are_refused_naming_the_field(bad, field):
    with pytest.raises(DomainError) as e:
        check_periods([bad], "acme")
    assert e.value.field == field and e.value.status == 422


def test_unknown_zones_are_refused():
    assert customer_zone("Asia/Shanghai") == SHANGHAI
    with pytest.raises(DomainError) as e:
        customer_zone("Mars/Olympus_Mons")
    assert e.value.field == "time_zone"
