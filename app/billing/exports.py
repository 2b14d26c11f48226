"""An invoice or credit note as CSV: one row per line, for a spreadsheet or an ERP import.

Amounts are written with the currency's decimals, unit prices with as many as they
carry; credit-note lines carry negative quantities and amounts. The totals are the sums
of the `amount` column (and the VAT per category and rate, see the JSON or the PDF).
"""
from __future__ import annotations

from app.billing.documents import Document, percent
from app.platform.csv_export import to_csv

HEADER = ("document", "type", "corrects", "customer", "period_start", "period_end", "line", "kind", "asset_type",
          "asset_code", "first_day", "last_day", "quantity", "unit", "unit_price", "amount", "currency",
          "vat_category", "vat_percent")


def render(doc: Document) -> str:
    kind = "credit_note" if doc.corrects else "invoice"
    rows = ([doc.number or "", kind, doc.corrects or "", doc.customer_id, doc.period_start.isoformat(),
             doc.period_end.isoformat(), line.position, line.kind, line.asset_type, line.asset_code,
             line.first_day.isoformat(), line.last_day.isoformat(), line.quantity, "day" if line.per_day else "each",
             line.unit_price, line.amount, doc.currency, line.tax_category, percent(line.tax_rate)]
            for line in doc.lines)
    return to_csv(HEADER, rows)
