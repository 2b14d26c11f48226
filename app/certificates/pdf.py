"""The certificate as a PDF for a customer's sustainability team (reportlab).

Rendered on request from the stored, signed document, so the PDF always shows the
certificate's current status (a superseded revision says so and names its successor).
"""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from labels.render_qr import QUIET_ZONE_MODULES, dark_runs, qr_matrix

GREEN = colors.HexColor("#1b6e3a")
GREY = colors.HexColor("#5f6b66")
RED = colors.HexColor("#b3261e")
LIGHT = colors.HexColor("#eef4f0")
CO2E = "CO<sub>2</sub>e"


def kg(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}"


def render(cert, history: list[tuple[str, float | None]], status: str, superseded_by: str | None) -> bytes:
    doc = cert.document
    buf = io.BytesIO()
    page = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                             bottomMargin=16 * mm, title=f"Avoided-emissions certificate {doc['serial']}",
                             author=doc["operator"], subject="Avoided GHG emissions of reusable packaging")
    ss = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=ss["BodyText"], fontSize=8.5, leading=11)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=GREY)
    h1 = ParagraphStyle("h1", parent=ss["Title"], fontSize=18, leading=22, alignment=0, textColor=GREEN, spaceAfter=2)
    h2 = ParagraphStyle("h2", parent=ss["Heading2"], fontSize=11, leading=14, spaceBefore=8, spaceAfter=4, textColor=GREEN)
    totals = doc["totals"]
    who = doc["customer"]["name"] or doc["customer"]["id"] if doc["customer"] else f"{doc['operator']} (all customers)"
    story = [
        Paragraph(f"Avoided-emissions certificate, {escape(doc['period']['month'])}", h1),
        Paragraph(f"{escape(who)} &middot; issued by {escape(doc['operator'])} on {escape(doc['issued_at'][:10])}", body),
        Spacer(1, 4 * mm),
        _status_box(doc, status, superseded_by, body),
        Spacer(1, 4 * mm),
        _headline(totals, body),
        Paragraph("By asset type", h2),
        _type_table(doc["by_asset_type"], totals, body),
        Paragraph(f"Avoided {CO2E} by month (kg)", h2),
        _chart(history, doc["period"]["month"]),
        Paragraph("Dark green: certified (valid revision of that month; this certificate highlighted). Grey: no "
                  "certificate issued, recomputed from the month's completed trips with this certificate's factor "
                  "set and loss rates, for orientation only, not certified.", small),
        Paragraph("Method", h2),
    ]
    m = doc["method"]
    for label, key in (("Standards", None), ("Functional unit", "functional_unit"), ("System boundary", "system_boundary"),
                       ("Reference scenario", "reference_scenario"), ("Attribution", "attribution"),
                       ("Distances", "distances"), ("Loss rate", "loss_rate"), ("Range", "band")):
        text = "; ".join(m["standards"]) if key is None else m[key]
        story.append(Paragraph(f"<b>{label}.</b> {escape(text)}", body))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(f"<b>{escape(m['statement'])}</b>", body))
    if doc["assumptions"]:
        story.append(KeepTogether([Paragraph("Assumptions per LCA profile", h2), _assumptions_table(doc["assumptions"], small)]))
    story += [Paragraph("Verification", h2), _verification(cert, doc, status, small)]
    page.build(story)
    return buf.getvalue()


def _status_box(doc, status, superseded_by, body):
    if status == "superseded":
        text = (f"<font color='#b3261e'><b>SUPERSEDED</b></font>: revision {doc['revision']} was replaced by "
                f"<b>{escape(superseded_by or '?')}</b>. Use the current revision.")
        colour = RED
    elif status == "revoked":
        text = (f"<font color='#b3261e'><b>REVOKED</b></font>: the issuer withdrew revision {doc['revision']}. "
                "Do not rely on it.")
        colour = RED
    else:
        text = f"<font color='#1b6e3a'><b>VALID</b></font>: revision {doc['revision']}"
        if doc.get("supersedes"):
            text += f", replaces {escape(doc['supersedes'])}"
        colour = GREEN
    t = Table([[Paragraph(text, body)]], colWidths=[174 * mm])
    t.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1, colour), ("LEFTPADDING", (0, 0), (-1, -1), 6)]))
    return t


def _headline(totals, body):
    big = ParagraphStyle("big", parent=body, fontSize=20, leading=24, textColor=GREEN)
    cells = [[Paragraph(f"{kg(totals['avoided_kg_co2e'])} kg {CO2E}", big),
              Paragraph(f"avoided (range {kg(totals['low_kg_co2e'])} to {kg(totals['high_kg_co2e'])} kg)<br/>"
                        f"over {totals['trip_count']:,} completed trips"
                        + (f"; {totals['not_credited_trip_count']:,} trips not credited"
                           if totals["not_credited_trip_count"] else "")
                        + "<br/>negative values mean reuse emitted more than the reference scenario", body)]]
    t = Table(cells, colWidths=[80 * mm, 94 * mm])
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), LIGHT), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                           ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return t


def _type_table(rows, totals, body):
    data = [["Asset type", "LCA profile", "Trips", "Avoided kg", "Low kg", "High kg"]]
    notes = []
    for r in rows:
        if r["credited"]:
            data.append([r["name"], r["lca_profile"], f"{r['trip_count']:,}", kg(r["avoided_kg_co2e"]),
                         kg(r["low_kg_co2e"]), kg(r["high_kg_co2e"])])
        else:
            data.append([r["name"], "not credited", f"{r['trip_count']:,}", "–", "–", "–"])
            notes.append(f"{r['name']}: {r['reason']}")
    data.append(["Total", "", f"{totals['trip_count']:,}", kg(totals["avoided_kg_co2e"]), kg(totals["low_kg_co2e"]),
                 kg(totals["high_kg_co2e"])])
    t = Table(data, colWidths=[46 * mm, 52 * mm, 16 * mm, 22 * mm, 19 * mm, 19 * mm], repeatRows=1)
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8), ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8), ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, GREEN), ("LINEABOVE", (0, -1), (-1, -1), 0.6, GREEN),
    ]))
    if not notes:
        return t
    return KeepTogether([t] + [Paragraph(escape(n), body) for n in notes])


def _chart(history, this_month):
    d = Drawing(174 * mm, 55 * mm)
    values = [v if v is not None else 0.0 for _, v, _src in history]
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 16 * mm, 9 * mm, 154 * mm, 42 * mm
    chart.data = [values]
    chart.categoryAxis.categoryNames = [m[2:] for m, _, _src in history]
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.labels.fontSize = 6.5
    lo, hi = min(values + [0.0]), max(values + [0.0])
    chart.valueAxis.valueMin = lo * 1.1 if lo < 0 else 0
    chart.valueAxis.valueMax = hi * 1.1 if hi > 0 else 1
    chart.bars[0].fillColor = GREEN
    chart.bars[0].strokeColor = None
    for i, (m, _, source) in enumerate(history):
        if m == this_month:
            chart.bars[(0, i)].fillColor = colors.HexColor("#3fa36a")
        elif source == "recomputed":
            chart.bars[(0, i)].fillColor = colors.HexColor("#b5bfba")
    d.add(chart)
    if not any(v for _, v, _src in history if v):
        d.add(String(90 * mm, 30 * mm, "no issued certificates in these months", fontSize=7, fillColor=GREY, textAnchor="middle"))
    return d


def _assumptions_table(assumptions, small):
    data = [["Profile", "Reference scenario", "Loss rate", "Effective trips", "Return load"]]
    for pid, a in sorted(assumptions.items()):
        source = "observed" if a["loss_rate_source"] == "observed" else "profile default"
        data.append([Paragraph(escape(pid), small), Paragraph(escape(a["reference_scenario"]), small),
                     Paragraph(f"{a['loss_rate'] * 100:.2f} % ({source}; {a['lost_trips']} lost / "
                               f"{a['completed_trips'] + a['lost_trips']} closed)", small),
                     f"{a['effective_trips']:.1f}", f"{a['return_laden_fraction'] * 100:.0f} % laden"])
    t = Table(data, colWidths=[46 * mm, 52 * mm, 36 * mm, 18 * mm, 22 * mm])
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica", 7.5), ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.5),
                           ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, 0), 0.6, GREEN)]))
    return t


def qr_drawing(uri: str, module_pt: float = 2.6) -> Drawing:
    matrix = qr_matrix(uri)
    n = len(matrix)
    size = (n + 2 * QUIET_ZONE_MODULES) * module_pt
    d = Drawing(size, size)
    d.add(Rect(0, 0, size, size, fillColor=colors.white, strokeColor=None))
    for row, col, length in dark_runs(matrix):
        x = (QUIET_ZONE_MODULES + col) * module_pt
        y = size - (QUIET_ZONE_MODULES + row + 1) * module_pt
        d.add(Rect(x, y, length * module_pt, module_pt, fillColor=colors.black, strokeColor=None, strokeWidth=0))
    return d


def _verification(cert, doc, status, small):
    url = doc["verify_url"]
    facts = [("Serial", doc["serial"]), ("Revision", str(doc["revision"])), ("Status", status),
             ("Factor set", f"{doc['factor_set']['version']} ({doc['factor_set']['content_hash'][:23]}...)"),
             ("Profile set", doc["profile_set"]["version"]), ("Inputs SHA-256", doc["inputs"]["sha256"]),
             ("Signature", f"{doc['signature']['algorithm']}, key id {cert.key_id}"), ("Verify at", url)]
    rows = [[Paragraph(f"<b>{k}</b>", small), Paragraph(escape(v), small)] for k, v in facts]
    rows.append(["", Paragraph("Scan the code or open the address to check the signature and the current status; "
                               "the signed JSON (with every input) is at /api/v1/certificates/&lt;serial&gt;.json and "
                               "the public key at /api/v1/certificates/public-key.", small)])
    info = Table(rows, colWidths=[24 * mm, 100 * mm])
    info.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    t = Table([[qr_drawing(url), info]], colWidths=[48 * mm, 126 * mm])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return KeepTogether([t])
