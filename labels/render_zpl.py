"""ZPL II for Zebra thermal printers: one label per ``^XA ... ^XZ`` block.

The printer builds the QR symbol itself from ``^BQN,2,<magnification>,Q``
and field data ``QA,<uri>``: in ``^BQ`` field data the first character is
the error-correction level (Q, as for PDF labels, see render_qr.py) and the
second the input mode (A = automatic, the printer picks numeric /
alphanumeric / byte modes). The URI is sent literally: it is printable ASCII
without ^ or ~ (checked), so no ^FH escaping is needed, and ^FH there would
turn every '_' of the URI into an escape.

The printer may shift a QR symbol placed with ^FO down by the bar height
that the last ^BY set, and ^BY settings outlive the label that made them, so
every label sets ^BY itself and its geometry keeps the 4-module quiet zone
whether the printer shifts the symbol by that height or not. Firmware may
also pick one QR version more than the qrcode package (4 modules more), so
the room for that larger symbol and its quiet zone is kept on all four sides.

Text fields use ^CI28 (UTF-8) and ^FH hex escapes for '^', '~', '_' and all
non-ASCII bytes, so operator and asset names can hold any character without
ever being read as ZPL commands.
"""

from __future__ import annotations

import math

from labels.errors import LabelError
from labels.layout import EDGE_MM, MIN_LABEL_HEIGHT_MM, MIN_LABEL_WIDTH_MM, MIN_MODULE_MM, MIN_TEXT_WIDTH_MM, LabelSpec
from labels.render_qr import QUIET_ZONE_MODULES, qr_matrix

SUPPORTED_DPI = (203, 300)
MAX_LABEL_MM = 200.0
MAX_MODULE_MM = 1.0  # larger modules add nothing for handheld scanning but take text room
# Firmware may choose its encoding modes a little differently from the
# qrcode package and land one version (4 modules) higher: reserve for that.
FIRMWARE_VERSION_MARGIN = 4
# ^BY bar height set on every label: the power-on default, so a printer that
# shifts the QR by it (see above) shifts it by this much and no more.
QR_SHIFT_DOTS = 10
MIN_TEXT_MM = 2.0  # ^A0 height below which thermal text is no longer legible
# Conservative ^A0 (CG Triumvirate Bold Condensed) advance width per
# character, as a fraction of its height, used to keep text on the label.
CHAR_WIDTH_RATIO = 0.6
KEY_CHARS = len("(8003)") + 14  # the printed key, kept on one line


def _hex_escape(text: str) -> str:
    """Field data for a ^FH field: everything that could be a command is hex."""
    out = []
    for ch in text:
        if ch in "^~_" or not (" " <= ch <= "}"):
            out.extend(f"_{b:02X}" for b in ch.encode("utf-8"))
        else:
            out.append(ch)
    return "".join(out)


def magnification(modules: int, dpi: int, width_dots: int, height_dots: int) -> int:
    """Dots per module: the largest at which a one-version-larger symbol with its quiet
    zone and the printer's shift fits, capped at MAX_MODULE_MM.

    Beside it the text column holds the key "(8003)" + 14 digits on one line
    at MIN_TEXT_MM, unless that would push modules below MIN_MODULE_MM (the
    narrowest labels at 300 dpi): then the key text is set a little smaller.
    """
    dots_per_mm = dpi / 25.4
    worst = modules + FIRMWARE_VERSION_MARGIN + 2 * QUIET_ZONE_MODULES
    limit = min(10, max(1, int(MAX_MODULE_MM * dots_per_mm)), (height_dots - QR_SHIFT_DOTS) // worst)  # ^BQ: 1..10
    text_room = width_dots - round(EDGE_MM * dots_per_mm)
    key_width = math.ceil(KEY_CHARS * round(MIN_TEXT_MM * dots_per_mm) * CHAR_WIDTH_RATIO)
    mag = min(limit, (text_room - key_width) // worst)
    if mag < MIN_MODULE_MM * dots_per_mm - 1e-9:
        mag = min(limit, (text_room - int(MIN_TEXT_WIDTH_MM * dots_per_mm)) // worst)
    return max(1, mag)


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
    after "(8003)" + 14 key digits, else the key on one line and the serial
    broken anywhere at ``min_height``.
    """
    key_end = text.index(")") + 15 if text.startswith("(") and ")" in text else 0
    for height in range(max_height, min_height - 1, -1):
        per_line = _chars_per_line(height, width_dots)
        if len(text) <= per_line:
            return [text], height
        if 0 < key_end < len(text) and key_end <= per_line and len(text) - key_end <= per_line:
            return [text[:key_end], text[key_end:]], height
    if 0 < key_end:
        # Never break the key: shrink the text a little rather (see magnification).
        min_height = max(1, min(min_height, int(width_dots / (key_end * CHAR_WIDTH_RATIO))))
    per_line = _chars_per_line(min_height, width_dots)
    head, rest = (text[:key_end], text[key_end:]) if 0 < key_end <= per_line else ("", text)
    return [head] * bool(head) + [rest[i : i + per_line] for i in range(0, len(rest), per_line)], min_height


def label_zpl(spec: LabelSpec, *, dpi: int, width_mm: float, height_mm: float) -> str:
    """ZPL II for one label: QR (Digital Link only) on the left, texts on the right."""
    _check(spec, dpi, width_mm, height_mm)
    dots_per_mm = dpi / 25.4
    width, height = int(width_mm * dots_per_mm), int(height_mm * dots_per_mm)
    qr, mag, text_x = _qr_field(spec.uri, dpi, width, height, height_mm)
    zpl = [
        "^XA",
        "^CI28",  # text field data is UTF-8
        f"^PW{width}",
        f"^LL{height}",
        "^LH0,0",
        f"^BY2,3,{QR_SHIFT_DOTS}",  # never inherit the bar height a previous label left behind
        qr,
        *_text_fields(spec, dots_per_mm, height_mm, text_x, width, height),
        "^XZ",
    ]
    return "\n".join(zpl) + "\n"


def _check(spec: LabelSpec, dpi: int, width_mm: float, height_mm: float) -> None:
    if not isinstance(spec, LabelSpec):
        raise LabelError("spec", "expected a LabelSpec")
    if dpi not in SUPPORTED_DPI:
        raise LabelError("dpi", f"printer resolution must be 203 or 300 dpi, got {dpi!r}")
    for name, value, minimum in (("width_mm", width_mm, MIN_LABEL_WIDTH_MM),
                                 ("height_mm", height_mm, MIN_LABEL_HEIGHT_MM)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not minimum <= value <= MAX_LABEL_MM:
            raise LabelError(name, f"{name} must be {minimum:g} to {MAX_LABEL_MM:g} mm, got {value!r}")
    if "^" in spec.uri or "~" in spec.uri:
        raise LabelError("uri", "the URI must not contain ^ or ~, which are ZPL command prefixes")


def _qr_field(uri: str, dpi: int, width: int, height: int, height_mm: float) -> tuple[str, int, int]:
    """(^FO ^BQ field, dots per module, x where the text column starts)."""
    dots_per_mm = dpi / 25.4
    modules = len(qr_matrix(uri))
    mag = magnification(modules, dpi, width, height)
    if mag / dots_per_mm < MIN_MODULE_MM - 1e-9:
        raise LabelError(
            "uri",
            f"a {len(uri)}-character URI needs a {modules}x{modules} QR symbol, which at {dpi} dpi does not "
            f"fit a {height_mm:g} mm high label with modules of at least {MIN_MODULE_MM} mm",
        )
    quiet = QUIET_ZONE_MODULES * mag
    worst = (modules + FIRMWARE_VERSION_MARGIN + 2 * QUIET_ZONE_MODULES) * mag
    # The top quiet zone holds if the printer does not shift the symbol, the
    # bottom one if it shifts it by QR_SHIFT_DOTS; the rest is split evenly.
    qr_y = quiet + (height - QR_SHIFT_DOTS - worst) // 2
    # Text starts right after the larger symbol's quiet zone, not after a
    # square box as high as the label, which leaves room on small labels.
    return f"^FO{quiet},{qr_y}^BQN,2,{mag},Q,7^FDQA,{uri}^FS", mag, worst


def _text_fields(spec: LabelSpec, dots_per_mm: float, height_mm: float, text_x: int, width: int,
                 height: int) -> list[str]:
    edge = round(EDGE_MM * dots_per_mm)
    text_w = width - text_x - edge
    name_h = round(min(5.0, max(MIN_TEXT_MM, height_mm * 0.12)) * dots_per_mm)
    text_h = round(min(4.0, max(MIN_TEXT_MM, height_mm * 0.09)) * dots_per_mm)
    min_h = round(MIN_TEXT_MM * dots_per_mm)
    fields = []
    y = edge
    for text, max_h in ((spec.asset_type_name, name_h), (spec.operator_name, text_h)):
        if text:
            line, h = _fitted(text, max_h, min_h, text_w)
            fields.append(f"^FO{text_x},{y}^A0N,{h},{h}^FH^FD{_hex_escape(line)}^FS")
            y += round(h * 1.2)
    code_lines, text_h = _code_lines(spec.human_readable, text_h, min_h, text_w)
    code_y = height - edge - len(code_lines) * round(text_h * 1.15)
    if code_y < y:
        raise LabelError("human_readable", f"{spec.human_readable!r} does not fit beside the texts above it")
    for line in code_lines:
        fields.append(f"^FO{text_x},{code_y}^A0N,{text_h},{text_h}^FH^FD{_hex_escape(line)}^FS")
        code_y += round(text_h * 1.15)
    return fields
