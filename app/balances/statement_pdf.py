"""The movements statement as a PDF (reportlab), in the reader's language."""
from __future__ import annotations

import io
from datetime import datetime, timezone

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.platform import i18n
from app.platform.i18n import _
from app.platform.pdf_fonts import fonts_for, restyle


def statement_pdf(customer_name: str, statement: dict, type_names: dict, columns, labels) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm,
                            title=_("Movements statement %(customer)s", customer=customer_name), author="Circularity")
    fonts = fonts_for(customer_name, *type_names.values())
    styles = {name: restyle(getSampleStyleSheet()[name], fonts) for name in ("Title", "Normal", "Italic")}
    start, end = statement["from"], statement["to"]
    story = [
        Paragraph(_("Movements statement: %(customer)s", customer=_esc(customer_name)), styles["Title"]),
        Paragraph(_("Period from %(start)s UTC to %(end)s UTC (end exclusive)", start=i18n.minute(start),
                    end=i18n.minute(end)), styles["Normal"]),
        Paragraph(_("Closing = opening + issued + transferred in + found - returned - transferred out - lost."),
                  styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    rows = [[_("Asset type"), *(str(labels[c]) for c in columns)]]
    for type_id, row in sorted(statement["by_type"].items()):
        rows.append([type_names.get(type_id, type_id), *(row[c] for c in columns)])
    rows.append([_("Total"), *(statement["total"][c] for c in columns)])
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts.regular),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0b4f8a")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("FONTNAME", (0, 0), (-1, 0), fonts.bold),
        ("FONTNAME", (0, -1), (-1, -1), fonts.bold),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#c9d1d9")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f3f5f7")]),
    ]))
    story += [table, Spacer(1, 6 * mm),
              Paragraph(_("Generated %(when)s UTC", when=i18n.minute(datetime.now(timezone.utc))), styles["Italic"])]
    doc.build(story)
    return buf.getvalue()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
