"""What goes on a label and how labels sit on a sheet.

Label anatomy (PDF sheets), origin at the label's bottom-left corner:

    +--------------------------------------------+
    | +-----------+                  [logo]      |
    | |  quiet    |  Asset type name (bold)      |
    | |  zone +   |  Operator name               |
    | |  QR       |                              |
    | |  symbol   |  (8003)04012345123456        |
    | +-----------+  00000001                    |
    +--------------------------------------------+

The QR box is a square as high as the label; the symbol's 4-module quiet
zone lies inside it, and since a module is never smaller than
MIN_MODULE_MM the quiet zone also keeps the symbol EDGE_MM clear of the
die-cut edge (sheet labels are cut with about 1 mm misregistration).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm as PT_PER_MM

from labels.errors import LabelError
from labels.grai import Grai
from labels.render_qr import MAX_URI_LENGTH, QUIET_ZONE_MODULES

# Smallest module we print: 3 dots on a 203 dpi thermal printer, 0.375 mm.
# Below this a single missing dot or a dirt speck is a third of a module
# and phone cameras need to come closer than users hold them.
MIN_MODULE_MM = 0.375
EDGE_MM = 1.5  # keep text and logo off the die-cut edge
# Smallest supported label: 50 x 25 mm. At 25 mm height a level-Q symbol up
# to version 10 (57 modules + 8 quiet) keeps modules >= 0.375 mm, i.e. URIs
# up to 151 bytes; the 23.5 mm text column holds "(8003)" + 14 digits at
# MIN_FONT_PT on one line.
MIN_LABEL_WIDTH_MM = 50.0
MIN_LABEL_HEIGHT_MM = 25.0
MIN_TEXT_WIDTH_MM = MIN_LABEL_WIDTH_MM - MIN_LABEL_HEIGHT_MM - EDGE_MM
MIN_FONT_PT = 6.0  # ~1.5 mm cap height: the smallest size still read at arm's length
MAX_TEXT_LENGTH = 200
MAX_LOGO_BYTES = 2_000_000

PAGE_SIZES_PT = {"A4": A4, "LETTER": LETTER}


def _mm(value: float) -> float:
    return value * PT_PER_MM


@dataclass(frozen=True)
class LabelSpec:
    """Content of one label. ``uri`` is the only thing the QR symbol encodes."""

    uri: str
    human_readable: str
    asset_type_name: str
    operator_name: str

    def __post_init__(self) -> None:
        for name in ("uri", "human_readable", "asset_type_name", "operator_name"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise LabelError(name, f"{name.replace('_', ' ')} must be text, got {type(value).__name__}")
            limit = MAX_URI_LENGTH if name == "uri" else MAX_TEXT_LENGTH
            if len(value) > limit:
                raise LabelError(name, f"{name.replace('_', ' ')} has {len(value)} characters, at most {limit}")
            if any(ord(c) < 32 or ord(c) == 127 for c in value):
                raise LabelError(name, f"{name.replace('_', ' ')} contains control characters")
        if not self.uri:
            raise LabelError("uri", "the label has no URI to encode")
        if not self.human_readable:
            raise LabelError("human_readable", "the label has no human-readable code")


def label_spec(grai: Grai, *, base_url: str, asset_type_name: str, operator_name: str) -> LabelSpec:
    """LabelSpec for a ``Grai``: QR = its Digital Link, text = its element string."""
    return LabelSpec(grai.digital_link(base_url), grai.element_string, asset_type_name, operator_name)


@dataclass(frozen=True)
class SheetLayout:
    """A grid of equal labels on A4 or US Letter sheets, sizes in millimetres.

    ``margin_left_mm`` / ``margin_top_mm`` of None centre the grid on the page.
    ``logo_png`` (PNG bytes) is printed on every label.
    """

    page_size: str = "A4"
    columns: int = 3
    rows: int = 8
    label_width_mm: float = 70.0
    label_height_mm: float = 37.0
    margin_left_mm: float | None = None
    margin_top_mm: float | None = None
    gap_x_mm: float = 0.0
    gap_y_mm: float = 0.0
    logo_png: bytes | None = field(default=None, repr=False)

    @classmethod
    def a4_3x8(cls, **changes) -> SheetLayout:
        """24 labels of 70 x 37 mm on A4, no gaps (a common stock size)."""
        return cls(**{"page_size": "A4", "columns": 3, "rows": 8, "label_width_mm": 70.0, "label_height_mm": 37.0,
                      **changes})

    @classmethod
    def letter_2x5(cls, **changes) -> SheetLayout:
        """10 labels of 4 x 2 in on US Letter, 0.5 in top margin, 0.1875 in column gap."""
        return cls(**{"page_size": "LETTER", "columns": 2, "rows": 5, "label_width_mm": 101.6,
                      "label_height_mm": 50.8, "margin_top_mm": 12.7, "gap_x_mm": 4.7625, **changes})

    @classmethod
    def a4_smallest(cls, **changes) -> SheetLayout:
        """44 labels of the smallest supported size, 50 x 25 mm, on A4."""
        return cls(**{"page_size": "A4", "columns": 4, "rows": 11, "label_width_mm": MIN_LABEL_WIDTH_MM,
                      "label_height_mm": MIN_LABEL_HEIGHT_MM, **changes})

    def __post_init__(self) -> None:
        if self.page_size not in PAGE_SIZES_PT:
            raise LabelError("page_size", f"page size must be one of {', '.join(PAGE_SIZES_PT)}, got {self.page_size!r}")
        for name in ("columns", "rows"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise LabelError(name, f"{name} must be a whole number of at least 1, got {value!r}")
        for name in ("label_width_mm", "label_height_mm", "margin_left_mm", "margin_top_mm", "gap_x_mm", "gap_y_mm"):
            value = getattr(self, name)
            if value is None and name.startswith("margin"):
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1000:
                raise LabelError(name, f"{name} must be a number of millimetres from 0 to 1000, got {value!r}")
        if self.label_width_mm < MIN_LABEL_WIDTH_MM:
            raise LabelError("label_width_mm", f"labels must be at least {MIN_LABEL_WIDTH_MM:g} mm wide, got {self.label_width_mm:g} mm")
        if self.label_height_mm < MIN_LABEL_HEIGHT_MM:
            raise LabelError("label_height_mm", f"labels must be at least {MIN_LABEL_HEIGHT_MM:g} mm high, got {self.label_height_mm:g} mm")
        page_w, page_h = self.page_size_mm
        for name, count, size, gap, margin, page in (
            ("columns", self.columns, self.label_width_mm, self.gap_x_mm, self.margin_left_mm, page_w),
            ("rows", self.rows, self.label_height_mm, self.gap_y_mm, self.margin_top_mm, page_h),
        ):
            need = count * size + (count - 1) * gap + (margin or 0.0)
            if need > page + 1e-6:
                raise LabelError(
                    name,
                    f"{count} {name} of {size:g} mm with {gap:g} mm gaps and {margin or 0:g} mm margin need "
                    f"{need:.1f} mm, the {self.page_size} page has {page:.1f} mm",
                )
        if self.logo_png is not None:
            if not isinstance(self.logo_png, bytes) or not self.logo_png.startswith(b"\x89PNG\r\n\x1a\n"):
                raise LabelError("logo_png", "the logo must be PNG image bytes")
            if len(self.logo_png) > MAX_LOGO_BYTES:
                raise LabelError("logo_png", f"the logo has {len(self.logo_png)} bytes, at most {MAX_LOGO_BYTES}")

    @property
    def page_size_mm(self) -> tuple[float, float]:
        w_pt, h_pt = PAGE_SIZES_PT[self.page_size]
        return w_pt / PT_PER_MM, h_pt / PT_PER_MM

    @property
    def labels_per_page(self) -> int:
        return self.columns * self.rows

    def label_origins_pt(self) -> list[tuple[float, float]]:
        """Bottom-left corner of each label in points, filled row by row from the top left."""
        page_w, page_h = self.page_size_mm
        grid_w = self.columns * self.label_width_mm + (self.columns - 1) * self.gap_x_mm
        grid_h = self.rows * self.label_height_mm + (self.rows - 1) * self.gap_y_mm
        left = (page_w - grid_w) / 2 if self.margin_left_mm is None else self.margin_left_mm
        top = (page_h - grid_h) / 2 if self.margin_top_mm is None else self.margin_top_mm
        origins = []
        for r in range(self.rows):
            y_top = top + r * (self.label_height_mm + self.gap_y_mm)
            for c in range(self.columns):
                x = left + c * (self.label_width_mm + self.gap_x_mm)
                origins.append((_mm(x), _mm(page_h - y_top - self.label_height_mm)))
        return origins


@dataclass(frozen=True)
class LabelBoxes:
    """Regions inside one label, in points relative to its bottom-left corner."""

    width_pt: float
    height_pt: float
    qr_side_pt: float  # square QR box at x=0, y=0, quiet zone included
    text_x_pt: float
    text_width_pt: float
    edge_pt: float


def label_boxes(layout: SheetLayout) -> LabelBoxes:
    w, h = _mm(layout.label_width_mm), _mm(layout.label_height_mm)
    edge = _mm(EDGE_MM)
    # On tall labels do not let the QR box eat the text column.
    side = min(h, w - edge - _mm(MIN_TEXT_WIDTH_MM))
    return LabelBoxes(w, h, side, side, w - side - edge, edge)


def module_size_pt(boxes: LabelBoxes, modules: int, uri: str) -> float:
    """Module size for a symbol of ``modules`` modules, refusing too small ones."""
    module = boxes.qr_side_pt / (modules + 2 * QUIET_ZONE_MODULES)
    if module < _mm(MIN_MODULE_MM) - 1e-9:
        raise LabelError(
            "uri",
            f"a {len(uri)}-character URI needs a {modules}x{modules} QR symbol whose modules would be "
            f"{module / PT_PER_MM:.3f} mm on this label, below the {MIN_MODULE_MM} mm minimum: "
            "use a taller label or a shorter resolver URL",
        )
    return module
