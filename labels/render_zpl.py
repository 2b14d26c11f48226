"""ZPL II for Zebra thermal printers: one label per ``^XA ... ^XZ`` block.

The printer builds the QR symbol itself from ``^BQN,2,<magnification>,Q``
and field data ``QA,<uri>``: in ``^BQ`` field data the first character is
the error-correction level (Q, as for PDF labels, see render_qr.py) and the
second the input mode (A = automatic, the printer picks numeric /
alphanumeric / byte modes). The URI is sent literally: it is printable ASCII
without ^ or ~ (checked), so no ^FH escaping is needed, and ^FH there would
turn every '_' of the URI into an escape.

Text fields use ^CI28 (UTF-8) and ^FH hex escapes for '^', '~', '_' and all
non-ASCII bytes, so operator and asset names can hold any character without
ever being read as ZPL commands.
"""

from __future__ import annotations

from labels.errors import LabelError
from labels.layout import EDGE_MM, MIN_LABEL_HEIGHT_MM, MIN_LABEL_WIDTH_MM, MIN_MODULE_MM, LabelSpec
from labels.render_qr import QUIET_ZONE_MODULES, qr_matrix

SUPPORTED_DPI = (203, 300)
MAX_LABEL_MM = 200.0
MAX_MODULE_MM = 1.0  # larger modules add nothing for handheld scanning but take text room
# Firmware may choose its encoding modes a little differently from the
# qrcode package and land one version (4 modules) higher: reserve for that.
FIRMWARE_VERSION_MARGIN = 4
MIN_TEXT_MM = 2.0  # ^A0 height below which thermal text is no longer legible
# Conservative ^A0 (CG Triumvirate Bold Condensed) advance width per
# character, as a fraction of its height, used to keep text on the label.
CHAR_WIDTH_RATIO = 0.6


def _hex_escape(text: str) -> str:
    """Field data for a ^FH field: everything that could be a command is hex."""
    out = []
    for ch in text:
        if ch in "^~_" or not (" " <= ch <= "}"):
            out.extend(f"_{b:02X}" for b in ch.encode("utf-8"))
        else:
            out.append(ch)
    return "".join(out)


def magnification(modules: int, dpi: int, box_dots: int) -> int:
    """Dots per module: the largest that fits ``box_dots`` and stays <= MAX_MODULE_MM."""
    dots_per_mm = dpi / 25.4
    by_size = max(1, int(MAX_MODULE_MM * dots_per_mm))
    by_fit = box_dots // (modules + FIRMWARE_VERSION_MARGIN + 2 * QUIET_ZONE_MODULES)
    return min(10, by_size, by_fit)  # ^BQ accepts 1..10


def _chars_per_line(height: int, width_dots: int) -> int:
    return max(1, int(width_dots / (height * CHAR_WIDTH_RATIO)))


def _fitted(text: str, max_height: int, min_height: int, width_dots: int) -> tuple[str, int]:
    """Largest height at which ``text`` fits one line, else shortened at ``min_height``."""
    for height in range(max_height, min_height - 1, -1):
        if len(text) <= _chars_per_line(height, width_dots):
            return text, height
    per_line = _chars_per_line(min_height, width_dots)
    return text[: max(0, per_line - 3)].rstrip() + "...", min_height


def _code_lines(text: str, max_height: int, min_height: int, width_dots: int) -> tuple[list[str], int]:
    """Lines and text height for a human-readable code, which is never shortened.

    Largest height at which it fits on one line, else on two lines broken
    after "(8003)" + 14 key digits, else broken anywhere at ``min_height``.
    """
    key_end = text.index(")") + 15 if text.startswith("(") and ")" in text else 0
    for height in range(max_height, min_height - 1, -1):
        per_line = _chars_per_line(height, width_dots)
        if len(text) <= per_line:
            return [text], height
        if 0 < key_end < len(text) and key_end <= per_line and len(text) - key_end <= per_line:
            return [text[:key_end], text[key_end:]], height
    per_line = _chars_per_line(min_height, width_dots)
    return [text[i : i + per_line] for i in range(0, len(text), per_line)], min_height


def label_zpl(spec: LabelSpec, *, dpi: int, width_mm: float, height_mm: float) -> str:
    """ZPL II for one label: QR (Digital Link only) on the left, texts on the right."""
    if not isinstance(spec, LabelSpec):
        raise LabelError("spec", "expected a LabelSpec")
    if dpi not in SUPPORTED_DPI:
        raise LabelError("dpi", f"printer resolution must be 203 or 300 dpi, got {dpi!r}")
    for name, value, minimum in (("width_mm", width_mm, MIN_LABEL_WIDTH_MM), ("height_mm", height_mm, MIN_LABEL_HEIGHT_MM)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not minimum <= value <= MAX_LABEL_MM:
            raise LabelError(name, f"{name} must be {minimum:g} to {MAX_LABEL_MM:g} mm, got {value!r}")
    if "^" in spec.uri or "~" in spec.uri:
        raise LabelError("uri", "the URI must not contain ^ or ~, which are ZPL command prefixes")

    dots_per_mm = dpi / 25.4
    width, height = int(width_mm * dots_per_mm), int(height_mm * dots_per_mm)
    edge = round(EDGE_MM * dots_per_mm)
    min_text_width = int((MIN_LABEL_WIDTH_MM - MIN_LABEL_HEIGHT_MM - EDGE_MM) * dots_per_mm)
    box = min(height, width - edge - min_text_width)

    modules = len(qr_matrix(spec.uri))
    mag = magnification(modules, dpi, box)
    if mag / dots_per_mm < MIN_MODULE_MM - 1e-9:
        raise LabelError(
            "uri",
            f"a {len(spec.uri)}-character URI needs a {modules}x{modules} QR symbol, which at {dpi} dpi does not "
            f"fit a {height_mm:g} mm high label with modules of at least {MIN_MODULE_MM} mm",
        )
    quiet = QUIET_ZONE_MODULES * mag
    qr_y = max(0, (height - (modules + 2 * QUIET_ZONE_MODULES) * mag) // 2) + quiet

    name_h = round(min(5.0, max(MIN_TEXT_MM, height_mm * 0.12)) * dots_per_mm)
    text_h = round(min(4.0, max(MIN_TEXT_MM, height_mm * 0.09)) * dots_per_mm)
    # Text starts right after the symbol's quiet zone (plus the firmware
    # margin), not after the whole box, which leaves room on small labels.
    text_x = (modules + FIRMWARE_VERSION_MARGIN + 2 * QUIET_ZONE_MODULES) * mag
    text_w = width - text_x - edge

    zpl = [
        "^XA",
        "^CI28",  # text field data is UTF-8
        f"^PW{width}",
        f"^LL{height}",
        "^LH0,0",
        f"^FO{quiet},{qr_y}^BQN,2,{mag},Q,7^FDQA,{spec.uri}^FS",
    ]
    y = edge
    min_h = round(MIN_TEXT_MM * dots_per_mm)
    for text, max_h in ((spec.asset_type_name, name_h), (spec.operator_name, text_h)):
        if text:
            line, h = _fitted(text, max_h, min_h, text_w)
            zpl.append(f"^FO{text_x},{y}^A0N,{h},{h}^FH^FD{_hex_escape(line)}^FS")
            y += round(h * 1.2)
    code_lines, text_h = _code_lines(spec.human_readable, text_h, min_h, text_w)
    code_y = height - edge - len(code_lines) * round(text_h * 1.15)
    if code_y < y:
        raise LabelError("human_readable", f"{spec.human_readable!r} does not fit beside the texts above it")
    for line in code_lines:
        zpl.append(f"^FO{text_x},{code_y}^A0N,{text_h},{text_h}^FH^FD{_hex_escape(line)}^FS")
        code_y += round(text_h * 1.15)
    zpl.append("^XZ")
    return "\n".join(zpl) + "\n"
