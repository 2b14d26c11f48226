"""Request schemas of the labels API (responses are images, ZPL and PDF)."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from app.domain.inputs import CODE_CONTROLS
from app.labels.layouts import DEFAULT_PRESET, PRESETS
from app.labels.services import (
    MAX_SHEET_LABELS,
    PNG_DEFAULT_MODULE_PX,
    ZPL_DEFAULT_DPI,
    ZPL_DEFAULT_HEIGHT_MM,
    ZPL_DEFAULT_WIDTH_MM,
)
from app.platform.fields import Id, Text
from labels.layout import MAX_LOGO_BYTES, MIN_LABEL_HEIGHT_MM, MIN_LABEL_WIDTH_MM
from labels.render_zpl import MAX_LABEL_MM, SUPPORTED_DPI

# No sheet has more than this many labels across or down; bigger numbers are typos.
MAX_GRID = 100


class Strict(Schema):
    class Meta:
        unknown = RAISE


class PngQuerySchema(Strict):
    module_px = fields.Integer(load_default=PNG_DEFAULT_MODULE_PX,
                               validate=validate.Range(1, 100, error="module_px must be 1 to 100 pixels per module"),
                               metadata={"description": f"pixels per QR module, 1 to 100 (default {PNG_DEFAULT_MODULE_PX})"})


class ZplQuerySchema(Strict):
    dpi = fields.Integer(load_default=ZPL_DEFAULT_DPI,
                         validate=validate.OneOf(SUPPORTED_DPI, error="printer resolution must be 203 or 300 dpi"),
                         metadata={"description": f"printer resolution, 203 or 300 (default {ZPL_DEFAULT_DPI})"})
    width_mm = fields.Float(load_default=ZPL_DEFAULT_WIDTH_MM,
                            validate=validate.Range(MIN_LABEL_WIDTH_MM, MAX_LABEL_MM,
                                                    error=f"width_mm must be {MIN_LABEL_WIDTH_MM:g} to {MAX_LABEL_MM:g} mm"),
                            metadata={"description": f"label width, default {ZPL_DEFAULT_WIDTH_MM:g} mm"})
    height_mm = fields.Float(load_default=ZPL_DEFAULT_HEIGHT_MM,
                             validate=validate.Range(MIN_LABEL_HEIGHT_MM, MAX_LABEL_MM,
                                                     error=f"height_mm must be {MIN_LABEL_HEIGHT_MM:g} to {MAX_LABEL_MM:g} mm"),
                             metadata={"description": f"label height, default {ZPL_DEFAULT_HEIGHT_MM:g} mm"})


# The ranges labels/layout.py SheetLayout enforces (documented here, checked there).
MM = {"minimum": 0, "exclusiveMaximum": 1000}


class LayoutSchema(Strict):
    """Overrides of the preset's geometry; checked against the page by the service."""

    page_size = Text(validate=validate.OneOf(["A4", "LETTER"]))
    columns = fields.Integer(strict=True, validate=validate.Range(1, MAX_GRID, error=f"1 to {MAX_GRID}"))
    rows = fields.Integer(strict=True, validate=validate.Range(1, MAX_GRID, error=f"1 to {MAX_GRID}"))
    label_width_mm = fields.Float(metadata={**MM, "minimum": MIN_LABEL_WIDTH_MM})
    label_height_mm = fields.Float(metadata={**MM, "minimum": MIN_LABEL_HEIGHT_MM})
    margin_left_mm = fields.Float(allow_none=True, metadata={**MM, "description": "null centres the grid"})
    margin_top_mm = fields.Float(allow_none=True, metadata={**MM, "description": "null centres the grid"})
    gap_x_mm = fields.Float(metadata=MM)
    gap_y_mm = fields.Float(metadata=MM)


class RegisterBatchSchema(Strict):
    asset_type = Id(required=True, metadata={"description": "asset type id (or its GRAI asset-type digits)"})
    # Bounded by services.labels.plan_registration, whose error names `count` itself.
    count = fields.Integer(required=True, strict=True,
                           metadata={"description": f"1 to {MAX_SHEET_LABELS} new assets", "minimum": 1,
                                     "maximum": MAX_SHEET_LABELS})
    site = Id(metadata={"description": "depot where the new assets start"})


class SheetRequestSchema(Strict):
    codes = fields.List(Text(allowed=CODE_CONTROLS), metadata={
        "description": "reprint: codes in any accepted form (printed in this order)", "minItems": 1,
        "maxItems": MAX_SHEET_LABELS})
    register = fields.Nested(RegisterBatchSchema, metadata={"description": "register new assets, then print them"})
    preset = Text(metadata={"description": f"sheet preset (default {DEFAULT_PRESET})", "enum": list(PRESETS)})
    layout = fields.Nested(LayoutSchema, metadata={"description": "overrides of the preset's geometry"})
    logo_png = Text(metadata={"description": f"base64 PNG printed on every label, at most {MAX_LOGO_BYTES} bytes"})
