"""The certificate as a PDF for a customer's sustainability team (reportlab).

Rendered on request from the stored, signed document, so the PDF always shows the
certificate's current status (a superseded revision says so and names its successor).
The headings, labels and explanations are in the reader's language; what the signed
document says (names, the method's statements, reasons) is quoted as signed, in English.
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

from app.platform import i18n
from app.platform.i18n import _
from app.platform.pdf_fonts import LATIN, PdfFonts, fonts_for, restyle
from labels.render_qr import QUIET_ZONE_MODULES, dark_runs, qr_matrix

GREEN = colors.HexColor("#1b6e3a")
GREY = colors.HexColor("#5f6b66")
RED = colors.HexColor("#b3261e")
LIGHT = colors.HexColor("#eef4f0")
CO2E = "CO<sub>2</sub>e"


def kg(value: float | None) -> str:
    return i18n.decimal(value)


def count(value: int) -> str:
    return i18n.decimal(value, 0)


def render(cert, history: list[tuple[str, float | None]], status: str, superseded_by: str | None) -> bytes:
    doc = cert.document
    buf = io.BytesIO()
    page = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                             bottomMargin=16 * mm,
                             title=_("Avoided-emissions certificate %(serial)s", serial=doc["serial"]),
                             author=doc["operator"], subject=_("Avoided GHG emissions of reusable packaging"))
    who = doc["customer"]["name"] or doc["customer"]["id"] if doc["customer"] else \
        _("%(operator)s (all customers)", operator=doc["operator"])
    fonts = fonts_for(who, doc["operator"], *(r["name"] for r in doc["by_asset_type"]))
    ss = getSampleStyleSheet()
    body = restyle(ParagraphStyle("body", parent=ss["BodyText"], fontSize=8.5, leading=11), fonts)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=GREY)
    h1 = restyle(ParagraphStyle("h1", parent=ss["Title"], fontSize=18, leading=22, alignment=0, textColor=GREEN,
                                spaceAfter=2), fonts)
    h2 = restyle(ParagraphStyle("h2", parent=ss["Heading2"], fontSize=11, leading=14, spaceBefore=8, spaceAfter=4,
                                textColor=GREEN), fonts)
    totals = doc["totals"]
    story = [
        Paragraph(_("Avoided-emissions certificate, %(month)s", month=escape(doc["period"]["month"])), h1),
        Paragraph(_("%(who)s &middot; issued by %(operator)s on %(day)s", who=escape(who),
                    operator=escape(doc["operator"]), day=escape(doc["issued_at"][:10])), body),
        Spacer(1, 4 * mm),
        _status_box(doc, status, superseded_by, body),
        Spacer(1, 4 * mm),
        _headline(totals, body),
        Paragraph(_("By asset type"), h2),
        _type_table(doc["by_asset_type"], totals, body, fonts),
        Paragraph(_("Avoided %(co2e)s by month (kg)", co2e=CO2E), h2),
        _chart(history, doc["period"]["month"], fonts),
        Paragraph(_("Dark green: certified (valid revision of that month; this certificate highlighted). Grey: no "
                    "certificate issued, recomputed from the month's completed trips with this certificate's factor "
                    "set and loss rates, for orientation only, not certified."), small),
        Paragraph(_("Method"), h2),
        *_method(doc["method"], body, small, fonts),
    ]
    if doc["assumptions"]:
        story.append(KeepTogether([Paragraph(_("Assumptions per LCA profile"), h2),
                                   _assumptions_table(doc["assumptions"], small, fonts)]))
    story += [Paragraph(_("Verification"), h2), _verification(cert, doc, status, small)]
    page.build(story)
    return buf.getvalue()


def _method(m: dict, body, small, fonts: PdfFonts) -> list:
    story = [] if fonts is LATIN else [
        Paragraph(_("The method is quoted from the signed document, in the language it was signed in."), small)]
    for label, key in ((_("Standards"), None), (_("Functional unit"), "functional_unit"),
                       (_("System boundary"), "system_boundary"), (_("Reference scenario"), "reference_scenario"),
                       (_("Attribution"), "attribution"), (_("Distances"), "distances"), (_("Loss rate"), "loss_rate"),
                       (_("Range"), "band")):
        text = "; ".join(m["standards"]) if key is None else m[key]
        story.append(Paragraph(_("<b>%(label)s.</b> %(text)s", label=label, text=escape(text)), body))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(f"<b>{escape(m['statement'])}</b>", body))
    return story


def _status_box(doc, status, superseded_by, body):
    if status == "superseded":
        text = _("<font color='#b3261e'><b>SUPERSEDED</b></font>: revision %(revision)s was replaced by "
                 "<b>%(successor)s</b>. Use the current revision.", revision=doc["revision"],
                 successor=escape(superseded_by or "?"))
        colour = RED
    elif status == "revoked":
        text = _("<font color='#b3261e'><b>REVOKED</b></font>: the issuer withdrew revision %(revision)s. "
                 "Do not rely on it.", revision=doc["revision"])
        colour = RED
    else:
        text = _("<font color='#1b6e3a'><b>VALID</b></font>: revision %(revision)s", revision=doc["revision"])
        if doc.get("supersedes"):
            text += _(", replaces %(serial)s", serial=escape(doc["supersedes"]))
        colour = GREEN
    t = Table([[Paragraph(text, body)]], colWidths=[174 * mm])
    t.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1, colour), ("LEFTPADDING", (0, 0), (-1, -1), 6)]))
    return t


def _headline(totals, body):
    big = ParagraphStyle("big", parent=body, fontSize=20, leading=24, textColor=GREEN)
    text = _("avoided (range %(low)s to %(high)s kg)<br/>over %(trips)s completed trips", low=kg(totals["low_kg_co2e"]),
             high=kg(totals["high_kg_co2e"]), trips=count(totals["trip_count"]))
    if totals["not_credited_trip_count"]:
        text += _("; %(trips)s trips not credited", trips=count(totals["not_credited_trip_count"]))
    text += _("<br/>negative values mean reuse emitted more than the reference scenario")
    cells = [[Paragraph(f"{kg(totals['avoided_kg_co2e'])} kg {CO2E}", big), Paragraph(text, body)]]
    t = Table(cells, colWidths=[80 * mm, 94 * mm])
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), LIGHT), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                           ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return t


def _type_table(rows, totals, body, fonts: PdfFonts):
    data = [[_("Asset type"), _("LCA profile"), _("Trips"), _("Avoided kg"), _("Low kg"), _("High kg")]]
    notes = []
    for r in rows:
        if r["credited"]:
            data.append([r["name"], r["lca_profile"], count(r["trip_count"]), kg(r["avoided_kg_co2e"]),
                         kg(r["low_kg_co2e"]), kg(r["high_kg_co2e"])])
        else:
            data.append([r["name"], _("not credited"), count(r["trip_count"]), "–", "–", "–"])
            notes.append(f"{r['name']}: {r['reason']}")
    data.append([_("Total"), "", count(totals["trip_count"]), kg(totals["avoided_kg_co2e"]), kg(totals["low_kg_co2e"]),
                 kg(totals["high_kg_co2e"])])
    t = Table(data, colWidths=[46 * mm, 52 * mm, 16 * mm, 22 * mm, 19 * mm, 19 * mm], repeatRows=1)
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts.regular, 8), ("FONT", (0, 0), (-1, 0), fonts.bold, 8),
        ("FONT", (0, -1), (-1, -1), fonts.bold, 8), ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, GREEN), ("LINEABOVE", (0, -1), (-1, -1), 0.6, GREEN),
    ]))
    if not notes:
        return t
    return KeepTogether([t] + [Paragraph(escape(n), body) for n in notes])


def _chart(history, this_month, fonts: PdfFonts):
    d = Drawing(174 * mm, 55 * mm)
    values = [v if v is not None else 0.0 for _month, v, _src in history]
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 16 * mm, 9 * mm, 154 * mm, 42 * mm
    chart.data = [values]
    chart.categoryAxis.categoryNames = [m[2:] for m, _value, _src in history]
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.labels.fontSize = 6.5
    lo, hi = min(values + [0.0]), max(values + [0.0])
    chart.valueAxis.valueMin = lo * 1.1 if lo < 0 else 0
    chart.valueAxis.valueMax = hi * 1.1 if hi > 0 else 1
    chart.bars[0].fillColor = GREEN
    chart.bars[0].strokeColor = None
    for i, (m, _value, source) in enumerate(history):
        if m == this_month:
            chart.bars[(0, i)].fillColor = colors.HexColor("#3fa36a")
        elif source == "recomputed":
            chart.bars[(0, i)].fillColor = colors.HexColor("#b5bfba")
    d.add(chart)
    if not any(v for _month, v, _src in history if v):
        d.add(String(90 * mm, 30 * mm, _("no issued certificates in these months"), fontName=fonts.regular, fontSize=7,
                     fillColor=GREY, textAnchor="middle"))
    return d


def _assumptions_table(assumptions, small, fonts: PdfFonts):
    data = [[_("Profile"), _("Reference scenario"), _("Loss rate"), _("Effective trips"), _("Return load")]]
    for pid, a in sorted(assumptions.items()):
        source = _("observed") if a["loss_rate_source"] == "observed" else _("profile default")
        data.append([Paragraph(escape(pid), small), Paragraph(escape(a["reference_scenario"]), small),
                     Paragraph(_("%(rate)s %% (%(source)s; %(lost)s lost / %(closed)s closed)",
                                 rate=format(a["loss_rate"] * 100, ".2f"), source=source, lost=a["lost_trips"],
                                 closed=a["completed_trips"] + a["lost_trips"]), small),
                     f"{a['effective_trips']:.1f}",
                     _("%(share)s %% laden", share=format(a["return_laden_fraction"] * 100, ".0f"))])
    t = Table(data, colWidths=[46 * mm, 52 * mm, 36 * mm, 18 * mm, 22 * mm])
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), fonts.regular, 7.5), ("FONT", (0, 0), (-1, 0), fonts.bold, 7.5),
                           ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, 0), 0.6, GREEN)]))
    return t


def _status_word(status: str) -> str:
    words = {"valid": _("valid"), "superseded": _("superseded"), "revoked": _("revoked")}
    return words.get(status, status)


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
    facts = [(_("Serial"), doc["serial"]), (_("Revision"), str(doc["revision"])), (_("Status"), _status_word(status)),
             (_("Factor set"), f"{doc['factor_set']['version']} ({doc['factor_set']['content_hash'][:23]}...)"),
             (_("Profile set"), doc["profile_set"]["version"]), (_("Inputs SHA-256"), doc["inputs"]["sha256"]),
             (_("Signature"), _("%(algorithm)s, key id %(key)s", algorithm=doc["signature"]["algorithm"],
                                key=cert.key_id)),
             (_("Verify at"), url)]
    rows = [[Paragraph(f"<b>{k}</b>", small), Paragraph(escape(v), small)] for k, v in facts]
    rows.append(["", Paragraph(_("Scan the code or open the address to check the signature and the current status; "
                                 "the signed JSON (with every input) is at /api/v1/certificates/&lt;serial&gt;.json "
                                 "and the public key at /api/v1/certificates/public-key."), small)])
    info = Table(rows, colWidths=[24 * mm, 100 * mm])
    info.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    t = Table([[qr_drawing(url), info]], colWidths=[48 * mm, 126 * mm])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return KeepTogether([t])
