"""An invoice or credit note as a PDF (reportlab): letterhead, lines, VAT breakdown, totals.

The letterhead is the operator's name (OPERATOR_NAME); every page carries the document
number and the page number, so a printed page is never separated from its document.
"""
from __future__ import annotations

import io
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.billing.documents import PAYMENT_DAYS, Document, percent

HEADER = colors.HexColor("#0b4f8a")
GRID = colors.HexColor("#c9d1d9")


def render(doc: Document, operator_name: str) -> bytes:
    buf = io.BytesIO()
    number = doc.number or "DRAFT"
    template = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                                 bottomMargin=18 * mm, title=f"{doc.title} {number}", author=operator_name,
                                 subject=f"{doc.title} {number} for {doc.customer_name}")
    styles = getSampleStyleSheet()

    def footer(canvas, _template):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(15 * mm, 10 * mm, f"{operator_name} - {doc.title} {number}")
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"page {canvas.getPageNumber()}")
        canvas.restoreState()

    story = [Paragraph(_esc(operator_name), styles["Title"]),
             Paragraph(f"{doc.title} {_esc(number)}", styles["Heading2"]),
             _facts(doc, styles), Spacer(1, 6 * mm), _lines_table(doc, styles), Spacer(1, 6 * mm),
             _vat_table(doc), Spacer(1, 4 * mm), _totals_table(doc), Spacer(1, 6 * mm)]
    if doc.type_code == "380" and doc.number:
        story.append(Paragraph(f"Payable within {PAYMENT_DAYS} days of the issue date, by {doc.due_on}.",
                               styles["Normal"]))
    story.append(Paragraph(f"Holding days are counted per calendar day in {_esc(doc.time_zone)}: a day is billed "
                           "when the asset is held at its close. Amounts are rounded half-up per line; VAT per "
                           "category and rate (EN 16931).", styles["Italic"]))
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _facts(doc: Document, styles) -> Table:
    rows = [["Customer", f"{doc.customer_name} ({doc.customer_id})"],
            ["Billing period", f"{doc.period_start} to {doc.period_end}"],
            ["Issue date", str(doc.issued_on) if doc.issued_on else "not issued (draft)"],
            ["Currency", doc.currency]]
    if doc.corrects:
        rows.append(["Corrects invoice", doc.corrects])
    if doc.note:
        rows.append(["Reason", Paragraph(_esc(doc.note), styles["Normal"])])
    table = Table(rows, colWidths=[40 * mm, 140 * mm])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _lines_table(doc: Document, styles) -> Table:
    small = ParagraphStyle("line", parent=styles["Normal"], fontSize=7.5, leading=9)
    rows = [["#", "Description", "Qty", "Unit", "Unit price", "VAT %", "Amount"]]
    rows += [[line.position, Paragraph(_esc(line.description), small), line.quantity,
              "day" if line.per_day else "each", _num(line.unit_price),
              _num(percent(line.tax_rate)), _num(line.amount)] for line in doc.lines]
    table = Table(rows, repeatRows=1, colWidths=[8 * mm, 92 * mm, 12 * mm, 12 * mm, 20 * mm, 14 * mm, 22 * mm])
    table.setStyle(_grid_style(("FONTSIZE", (0, 0), (-1, -1), 7.5), ("ALIGN", (2, 0), (-1, -1), "RIGHT")))
    return table


def _vat_table(doc: Document) -> Table:
    rows = [["VAT category", "Rate %", f"Taxable amount ({doc.currency})", f"VAT ({doc.currency})"]]
    rows += [[v.category, _num(percent(v.rate)), _num(v.taxable_amount), _num(v.tax_amount)] for v in doc.totals.vat]
    table = Table(rows, colWidths=[30 * mm, 20 * mm, 45 * mm, 35 * mm], hAlign="RIGHT")
    table.setStyle(_grid_style(("ALIGN", (1, 0), (-1, -1), "RIGHT")))
    return table


def _totals_table(doc: Document) -> Table:
    t = doc.totals
    rows = [["Total without VAT", _num(t.net_total)], ["VAT", _num(t.tax_total)],
            [f"Total ({doc.currency})", _num(t.gross_total)]]
    table = Table(rows, colWidths=[50 * mm, 35 * mm], hAlign="RIGHT")
    table.setStyle(TableStyle([("ALIGN", (1, 0), (1, -1), "RIGHT"), ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                               ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]))
    return table


def _grid_style(*more) -> TableStyle:
    return TableStyle([("BACKGROUND", (0, 0), (-1, 0), HEADER), ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                       ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                       ("VALIGN", (0, 0), (-1, -1), "TOP"), *more])


def _num(value: Decimal) -> str:
    return f"{value:,f}"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
