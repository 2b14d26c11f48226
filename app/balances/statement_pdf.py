"""The movements statement as a PDF (reportlab)."""
from __future__ import annotations

import io
from datetime import datetime, timezone

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


def statement_pdf(customer_name: str, statement: dict, type_names: dict, columns, labels) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm,
                            title=f"Movements statement {customer_name}", author="Circularity")
    styles = getSampleStyleSheet()
    start, end = statement["from"], statement["to"]
    story = [
        Paragraph(f"Movements statement: {_esc(customer_name)}", styles["Title"]),
        Paragraph(f"Period from {start:%Y-%m-%d %H:%M} UTC to {end:%Y-%m-%d %H:%M} UTC (end exclusive)", styles["Normal"]),
        Paragraph("Closing = opening + issued + transferred in + found - returned - transferred out - lost.",
                  styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    rows = [["Asset type", *(labels[c] for c in columns)]]
    for type_id, row in sorted(statement["by_type"].items()):
        rows.append([type_names.get(type_id, type_id), *(row[c] for c in columns)])
    rows.append(["Total", *(statement["total"][c] for c in columns)])
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0b4f8a")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#c9d1d9")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f3f5f7")]),
    ]))
    story += [table, Spacer(1, 6 * mm),
              Paragraph(f"Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", styles["Italic"])]
    doc.build(story)
    return buf.getvalue()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
