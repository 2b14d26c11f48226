"""Labels: the QR of one asset (PNG, SVG), a ZPL label, and PDF label sheets.

The single-label routes are `/assets/<code>/label.<format>`: `label.png` is a path
segment of its own, so `/assets/<code>` stays untouched and codes containing '.'
(GRAI serials may) or '/' (percent-encoded) reach the service whole.
"""
from __future__ import annotations

from flask import Response, send_file

from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint
from app.domain.policy import roles_for
from app.labels import services as labels
from app.labels.schemas import PngQuerySchema, SheetRequestSchema, ZplQuerySchema
from app.platform.responses import BINARY, TEXT, documented

blp = ApiBlueprint("labels", __name__, description="Asset labels: QR images, ZPL and printable PDF sheets")
PRINTERS = roles_for("label.print")


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'inline; filename="{filename}"'})


@blp.route("/assets/<path:code>/label.png")
@blp.arguments(PngQuerySchema, location="query")
@blp.response(200, BINARY, description="PNG of the QR symbol (the asset's Digital Link URI only)",
              content_type="image/png")
@requires()
def get_label_png(args, code):
    """QR symbol of the asset's Digital Link URI as a PNG (4-module quiet zone included)."""
    canonical, png = labels.label_png(current(), code, args["module_px"])
    return _download(png, "image/png", f"{canonical}.png")


@blp.route("/assets/<path:code>/label.svg")
@blp.response(200, TEXT, description="SVG of the QR symbol", content_type="image/svg+xml")
@documented(422)
@requires()
def get_label_svg(code):
    """QR symbol of the asset's Digital Link URI as a scalable SVG."""
    canonical, svg = labels.label_svg(current(), code)
    return _download(svg, "image/svg+xml", f"{canonical}.svg")


@blp.route("/assets/<path:code>/label.zpl")
@blp.arguments(ZplQuerySchema, location="query")
@blp.response(200, TEXT, description="ZPL II for one label", content_type="text/plain")
@requires()
def get_label_zpl(args, code):
    """ZPL II for one thermal label: QR (Digital Link only), asset type, operator, GRAI."""
    canonical, zpl = labels.label_zpl_text(current(), code, args["dpi"], args["width_mm"], args["height_mm"])
    return _download(zpl, "text/plain", f"{canonical}.zpl")


@blp.route("/labels/sheets", methods=["POST"])
@blp.arguments(SheetRequestSchema)
@blp.response(200, BINARY, description="the label sheet (an attachment)", content_type="application/pdf",
              headers={"X-Sheet-Pages": {"description": "pages in the sheet", "required": True,
                                         "schema": {"type": "integer"}},
                       "X-Registered-Count": {"description": "`register` only: assets registered",
                                              "schema": {"type": "integer"}},
                       "X-Registered-First": {"description": "`register` only: the first new code",
                                              "schema": {"type": "string"}},
                       "X-Registered-Last": {"description": "`register` only: the last new code",
                                             "schema": {"type": "string"}}})
@documented(404)
@requires(*PRINTERS)
def post_sheet(body):
    """A PDF label sheet: reprint existing assets (`codes`) or register new ones and print them (`register`).

    The layout and every input are checked before anything is registered; the sheet is
    rendered completely before it is sent.
    """
    sheet = labels.label_sheet(current(), body.get("codes"), body.get("register"), body.get("preset"),
                               body.get("layout"), body.get("logo_png"))
    response = send_file(sheet.file, mimetype="application/pdf", as_attachment=True, download_name=sheet.filename)
    codes = sheet.sheet.codes
    if sheet.registered:
        response.headers.update({"X-Registered-Count": str(len(codes)), "X-Registered-First": codes[0],
                                 "X-Registered-Last": codes[-1]})
    response.headers["X-Sheet-Pages"] = str(sheet.sheet.pages)
    return response
