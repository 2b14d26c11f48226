"""Charge lines for a month and the invoice totals (EN 16931 VAT rounding)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from app.domain.billing.charges import ChargeEvent, ChargeLine, bill_month
from app.domain.billing.days import BillingMonth, CustodyPeriod
from app.domain.billing.tariffs import ChargeKind, Contract, HireTerms, Price
from app.domain.billing.totals import invoice_totals
from app.domain.errors import DomainError

K = ChargeKind
BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")
JAN, FEB, MARCH = BillingMonth(2026, 1), BillingMonth(2026, 2), BillingMonth(2026, 3)

PRICES = (Price(K.ISSUE_FEE, "*", Decimal("2.50")), Price(K.DAILY_HIRE, "crate", Decimal("0.0375")),
          Price(K.DAILY_HIRE, "*", Decimal("0.05")), Price(K.DEMURRAGE, "*", Decimal("0.10")),
          Price(K.TRANSFER_FEE, "*", Decimal("1.00")), Price(K.CLEANING_FEE, "*", Decimal("0.80")),
          Price(K.DAMAGE_CHARGE, "*", Decimal("12.00")), Price(K.LOST_ASSET, "crate", Decimal("45.00")),
          Price(K.DEPOSIT, "ibc", Decimal("150.00")))
ACME = Contract("acme-2026", "acme", date(2026, 1, 1), None, "EUR", 2, Decimal("0.19"), "S", PRICES,
                (HireTerms("*", 3, 10),))
DEFAULT = Contract("default", None, date(2020, 1, 1), None, "EUR", 2, Decimal("0.19"), "S",
                   (Price(K.DAILY_HIRE, "*", Decimal("0.10")),), (HireTerms("*", 0, None),))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def period(start: str, end: str | None = None, customer="acme", asset="a1", asset_type="crate", trip="t1",
           start_kind="issued", end_kind="returned", ref="p1") -> CustodyPeriod:
    return CustodyPeriod(customer, asset, asset_type, trip, at(start), at(end) if end else None, start_kind,
                         end_kind if end else None, ref)


def by_kind(lines) -> dict[str, list[ChargeLine]]:
    out: dict[str, list[ChargeLine]] = {}
    for line in lines:
        out.setdefault(line.kind, []).append(line)
    return out


def test_issue_fee_and_hire_after_free_days_rounded_half_up():
    p = period("2026-03-02T08:00+01:00", "2026-03-11T08:00+01:00")  # days 2..10: 9 days, 3 free
    lines = by_kind(bill_month("acme", BERLIN, MARCH, [p], [ACME]))
    [issue] = lines["issue_fee"]
    assert (issue.quantity, issue.amount, issue.first_day) == (1, Decimal("2.50"), date(2026, 3, 2))
    [hire] = lines["daily_hire"]
    assert (hire.quantity, hire.first_day, hire.last_day) == (6, date(2026, 3, 5), date(2026, 3, 10))
    assert hire.amount == Decimal("0.23")  # 6 x 0.0375 = 0.225: half-up, not to even (0.22)
    assert hire.refs == ("p1",) and hire.asset_id == "a1" and hire.trip_ref == "t1"
    assert "demurrage" not in lines and set(lines) == {"issue_fee", "daily_hire"}


def test_same_day_return_costs_the_issue_fee_only():
    p = period("2026-03-02T08:00+01:00", "2026-03-02T17:00+01:00")
    assert [x.kind for x in bill_month("acme", BERLIN, MARCH, [p], [ACME])] == ["issue_fee"]


def test_free_days_count_from_the_trip_start_across_the_month_boundary():
    p = period("2026-01-30T09:00+01:00", "2026-02-20T09:00+01:00")  # Jan 30, 31 = days 1, 2
    assert [x.kind for x in bill_month("acme", BERLIN, JAN, [p], [ACME])] == ["issue_fee"]
    [hire, demurrage] = bill_month("acme", BERLIN, FEB, [p], [ACME])
    assert (hire.kind, hire.first_day, hire.quantity) == ("daily_hire", date(2026, 2, 2), 18)  # day 4 = Feb 2
    # demurrage after 10 days: day 11 = Feb 9, through Feb 19
    assert (demurrage.kind, demurrage.first_day, demurrage.last_day, demurrage.quantity) == (
        "demurrage", date(2026, 2, 9), date(2026, 2, 19), 11)
    assert demurrage.amount == Decimal("1.10")


def test_demurrage_starts_when_the_asset_is_overdue_at_the_day_s_close():
    # held since Mar 1 (day 1); app.balances calls it overdue (10 days) once its since-day is before
    # today - 10: true at the close of Mar 11 (Mar 12 00:00), not at the close of Mar 10 -> from Mar 11 on
    p = period("2026-03-01T10:00+01:00", "2026-03-13T10:00+01:00")
    [demurrage] = by_kind(bill_month("acme", BERLIN, MARCH, [p], [ACME]))["demurrage"]
    assert (demurrage.first_day, demurrage.quantity) == (date(2026, 3, 11), 2)


def test_a_mid_month_transfer_bills_each_customer_its_days_and_the_sender_the_fee():
    a = period("2026-03-02T08:00+01:00", "2026-03-10T15:00+01:00", end_kind="transfer_out", ref="pa")
    b = period("2026-03-10T15:00+01:00", "2026-03-20T11:00+01:00", customer="globex", start_kind="transfer_in",
               ref="pb")
    acme = by_kind(bill_month("acme", BERLIN, MARCH, [a], [DEFAULT, ACME]))
    globex = by_kind(bill_month("globex", BERLIN, MARCH, [b], [DEFAULT, ACME]))
    assert acme["transfer_fee"][0].first_day == date(2026, 3, 10)
    assert acme["daily_hire"][0].last_day == date(2026, 3, 9) and acme["daily_hire"][0].quantity == 8 - 3
    # globex has no contract: the default tariff, no free days, no issue fee for a transfer in
    assert set(globex) == {"daily_hire"}
    assert (globex["daily_hire"][0].first_day, globex["daily_hire"][0].quantity) == (date(2026, 3, 10), 10)
    assert globex["daily_hire"][0].contract_id == "default"


def test_a_contract_change_mid_month_splits_the_line_and_keeps_the_day_numbers():
    old = replace(ACME, contract_id="acme-old", valid_until=date(2026, 3, 15))
    new = replace(ACME, contract_id="acme-new", valid_from=date(2026, 3, 15), tax_rate=Decimal("0.07"),
                  prices=(Price(K.DAILY_HIRE, "*", Decimal("0.06")),), hire_terms=(HireTerms("*", 3, None),))
    p = period("2026-03-10T08:00+01:00", "2026-03-20T08:00+01:00")  # Mar 10..19; days 1-3 free
    hire = by_kind(bill_month("acme", BERLIN, MARCH, [p], [old, new]))["daily_hire"]
    assert [(x.contract_id, x.first_day, x.quantity, x.unit_price) for x in hire] == [
        ("acme-old", date(2026, 3, 13), 2, Decimal("0.0375")), ("acme-new", date(2026, 3, 15), 5, Decimal("0.06"))]
    assert [x.tax_rate for x in hire] == [Decimal("0.19"), Decimal("0.07")]


def test_lost_assets_cleaning_damage_and_deposits():
    crate = period("2026-03-02T08:00+01:00", "2026-03-04T08:00+01:00", end_kind="lost", ref="pc")
    ibc = period("2026-03-02T08:00+01:00", "2026-03-03T08:00+01:00", asset="i1", asset_type="ibc", trip="t9",
                 ref="pi")
    events = [ChargeEvent(K.CLEANING_FEE, "i1", "ibc", at("2026-03-05T10:00+01:00"), "t9", "clean-1"),
              ChargeEvent(K.DAMAGE_CHARGE, "i1", "ibc", at("2026-03-06T10:00+01:00"), "t9", "insp-7"),
              ChargeEvent(K.CLEANING_FEE, "i1", "ibc", at("2026-04-01T10:00+02:00"), "t9", "next-month")]
    lines = bill_month("acme", BERLIN, MARCH, [crate, ibc], [ACME], events)
    assert [(x.asset_id, x.kind, str(x.amount), x.refs) for x in lines] == [
        ("a1", "issue_fee", "2.50", ("pc",)), ("a1", "lost_asset", "45.00", ("pc",)),
        ("i1", "issue_fee", "2.50", ("pi",)), ("i1", "cleaning_fee", "0.80", ("clean-1",)),
        ("i1", "damage_charge", "12.00", ("insp-7",)), ("i1", "deposit", "150.00", ("pi",))]


def test_a_kind_without_a_price_is_not_charged_and_a_day_without_a_tariff_is_an_error():
    p = period("2026-03-02T08:00+01:00", "2026-03-04T08:00+01:00")
    unpriced = replace(ACME, prices=())
    assert bill_month("acme", BERLIN, MARCH, [p], [unpriced]) == ()
    with pytest.raises(DomainError) as e:
        bill_month("acme", BERLIN, MARCH, [p], [replace(ACME, valid_from=date(2026, 3, 3))])
    assert e.value.field == "tariff" and "2026-03-02" in e.value.message


@pytest.mark.parametrize("event,field", [
    (ChargeEvent(K.DAILY_HIRE, "a1", "crate", at("2026-03-05T10:00+01:00")), "events[0].kind"),
    (ChargeEvent("polishing", "a1", "crate", at("2026-03-05T10:00+01:00")), "events[0].kind"),
    (ChargeEvent(K.CLEANING_FEE, "a1", "crate", datetime(2026, 3, 5)), "events[0].occurred_at"),
    (ChargeEvent(K.CLEANING_FEE, "a1", "crate", at("2026-03-05T10:00+01:00"), quantity=0), "events[0].quantity"),
])
def test_bad_charge_events_are_refused_naming_the_field(event, field):
    with pytest.raises(DomainError) as e:
        bill_month("acme", BERLIN, MARCH, [], [ACME], [event])
    assert e.value.field == field


def test_yen_amounts_round_to_whole_yen():
    yen = replace(ACME, currency="JPY", minor_units=0, prices=(Price(K.DAILY_HIRE, "*", Decimal("12.5")),),
                  hire_terms=())
    p = period("2026-03-02T08:00+08:00", "2026-03-03T08:00+08:00")
    [line] = bill_month("acme", SHANGHAI, MARCH, [p], [yen])
    assert line.amount == Decimal("13") and line.amount.as_tuple().exponent == 0


def test_later_periods_of_the_same_trip_leave_a_closed_month_s_lines_alone():
    jan_on = period("2026-01-05T08:00+01:00", ref="p1")  # as billed at the January close: still held
    jan = period("2026-01-05T08:00+01:00", "2026-03-05T08:00+01:00", end_kind="transfer_out", ref="p1")
    back = period("2026-03-05T08:00+01:00", "2026-03-09T08:00+01:00", start_kind="transfer_in", ref="p2")
    assert bill_month("acme", BERLIN, JAN, [jan, back], [ACME]) == bill_month("acme", BERLIN, JAN, [jan_on], [ACME])
    [hire] = by_kind(bill_month("acme", BERLIN, MARCH, [jan, back], [ACME]))["daily_hire"]
    assert hire.refs == ("p1", "p2") and hire.quantity == 8  # Mar 1-4 of p1, Mar 5-8 of p2


def test_the_order_of_lines_is_stable_whatever_the_input_order():
    ps = [period("2026-03-02T08:00+01:00", asset=f"a{i}", trip=f"t{i}", ref=f"p{i}") for i in range(5)]
    assert bill_month("acme", BERLIN, MARCH, ps, [ACME]) == bill_month("acme", BERLIN, MARCH, ps[::-1], [ACME])


# --------------------------------------------------------------------------- totals

def line(amount: str, rate: str = "0.19", category: str = "S", currency: str = "EUR") -> ChargeLine:
    return ChargeLine("daily_hire", "crate", 1, Decimal(amount), Decimal(amount), currency, category,
                      Decimal(rate), "c", "a1", "t1", date(2026, 3, 1), date(2026, 3, 1))


def test_vat_is_computed_per_rate_on_the_sum_of_lines_not_per_line():
    lines = [line("0.13")] * 3  # per line 0.0247 -> 0.02 each (0.06); per group 0.39 x 0.19 = 0.0741 -> 0.07
    totals = invoice_totals(lines, "EUR", 2)
    [vat] = totals.vat
    assert (vat.taxable_amount, vat.tax_amount, vat.rate_percent) == (Decimal("0.39"), Decimal("0.07"), 19)
    assert (totals.net_total, totals.tax_total, totals.gross_total) == (
        Decimal("0.39"), Decimal("0.07"), Decimal("0.46"))


def test_one_breakdown_per_category_and_rate_rounded_half_up():
    lines = [line("10.50"), line("2.50", "0.07"), line("1.00", "0", "AE"), line("0.50", "0.07")]
    totals = invoice_totals(lines, "EUR", 2)
    assert [(v.category, v.rate, v.taxable_amount, v.tax_amount) for v in totals.vat] == [
        ("AE", Decimal("0"), Decimal("1.00"), Decimal("0.00")),
        ("S", Decimal("0.07"), Decimal("3.00"), Decimal("0.21")),
        ("S", Decimal("0.19"), Decimal("10.50"), Decimal("2.00"))]  # 1.995 -> 2.00 half-up
    assert totals.net_total == Decimal("14.50") and totals.gross_total == Decimal("16.71")


def test_totals_refuse_mixed_currencies_and_unrounded_amounts():
    with pytest.raises(DomainError) as e:
        invoice_totals([line("1.00"), line("1.00", currency="CNY")], "EUR", 2)
    assert e.value.field == "lines[1].currency"
    with pytest.raises(DomainError) as e:
        invoice_totals([line("1.005")], "EUR", 2)
    assert e.value.field == "lines[0].amount"


def test_an_empty_invoice_totals_zero_in_the_minor_unit():
    totals = invoice_totals([], "JPY", 0)
    assert totals.net_total == 0 and totals.gross_total.as_tuple().exponent == 0 and totals.vat == ()
