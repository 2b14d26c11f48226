"""Printable label sheets (PDF) streamed page by page.

Each label: QR symbol of the asset's Digital Link URI (and nothing else), the
GRAI in human-readable parentheses form, asset type name, operator name and
an optional logo. See layout.py for the geometry.

QR symbols are drawn as vector rectangles, one per horizontal run of dark
modules, in a coordinate system scaled to one unit per module. Compared with
embedding a PNG per symbol this is 3x faster, 20x smaller and exact at any
printer resolution (figures in docs/benchmarks/labels.md).

Memory stays flat for any number of labels: ``labels`` is consumed lazily,
only the current page is held, and each page is written to ``out`` when full.
A label that cannot be printed (e.g. URI too long for the label) raises
LabelError when reached; earlier pages are then already in ``out``, so
callers serving the PDF should write to a temporary file first.
"""

from __future__ import annotations

import io
import re
from array import array
from itertools import chain
from typing import BinaryIO, Iterable

from PIL import Image
from reportlab.pdfbase.pdfmetrics import stringWidth

from labels.errors import LabelError
from labels.layout import MIN_FONT_PT, PAGE_SIZES_PT, LabelBoxes, LabelSpec, SheetLayout, label_boxes, module_size_pt
from labels.pdf_writer import PdfStreamWriter, num, pdf_string
from labels.render_qr import QUIET_ZONE_MODULES, dark_runs, qr_matrix

REGULAR, BOLD = "Helvetica", "Helvetica-Bold"
_FONT_KEYS = {REGULAR: b"/F1", BOLD: b"/F2"}
LOGO_MAX_PX = 600  # logos are small on the label; cap their pixels to keep the PDF small
ELLIPSIS = "\u2026"
_HRI_BREAK = re.compile(r"^\(\d{2,4}\)\d{14}")  # break a GRAI after its 14 key digits


def _width(text: str, font: str, size: float) -> float:
    # Measure what will actually be printed (cp1252, unknown characters as '?').
    return stringWidth(text.encode("cp1252", errors="replace").decode("cp1252"), font, size)


def fit_line(text: str, font: str, max_size: float, width: float) -> tuple[str, float]:
    """Largest size <= max_size (>= MIN_FONT_PT) at which ``text`` fits; else shortened with an ellipsis."""
    size = max_size
    while size > MIN_FONT_PT and _width(text, font, size) > width:
        size = max(MIN_FONT_PT, size - 0.5)
    if _width(text, font, size) <= width:
        return text, size
    while text and _width(text + ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS, size


def _largest_size(lines: list[str], font: str, max_size: float, width: float) -> float | None:
    size = max_size
    while size > MIN_FONT_PT and any(_width(line, font, size) > width for line in lines):
        size = max(MIN_FONT_PT, size - 0.5)
    return size if all(_width(line, font, size) <= width for line in lines) else None


def wrap_code(text: str, font: str, max_size: float, width: float) -> tuple[list[str], float]:
    """Lines for a human-readable code, which is never shortened.

    One line if it fits; two lines (key digits / serial) instead when that
    allows a clearly larger size, since digits are read one by one and size
    matters more than keeping one line; as a last resort the key digits on
    one line and the serial broken anywhere at MIN_FONT_PT, so that every
    character stays on the label and the key is never split.
    """
    head = _HRI_BREAK.match(text)
    arrangements = [[text]]
    if head and head.end() < len(text):
        arrangements.append([head.group(0), text[head.end():]])
    best: tuple[list[str], float] | None = None
    for lines in arrangements:
        size = _largest_size(lines, font, max_size, width)
        if size is not None and (best is None or size > best[1] + 1.0):
            best = (lines, size)
    if best:
        return best
    # Last resort: the key on its own line, the serial broken anywhere.
    lines, rest = ([head.group(0)], text[head.end():]) if head else ([], text)
    line = ""
    for ch in rest:
        if line and _width(line + ch, font, MIN_FONT_PT) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line], MIN_FONT_PT


def _text(font: str, size: float, x: float, y: float, text: str) -> bytes:
    return b"BT %s %s Tf %s %s Td %s Tj ET\n" % (_FONT_KEYS[font], num(size), num(x), num(y), pdf_string(text))


class _LabelPainter:
    """Turns LabelSpecs into PDF content-stream operators for one layout."""

    def __init__(self, layout: SheetLayout, logo_size_pt: tuple[float, float] | None) -> None:
        self.boxes: LabelBoxes = label_boxes(layout)
        self.logo_size_pt = logo_size_pt
        h_pt = self.boxes.height_pt
        # Text sizes follow label height so big labels get big text.
        self.name_size = min(12.0, max(MIN_FONT_PT, h_pt * 0.11))
        self.operator_size = min(10.0, max(MIN_FONT_PT, h_pt * 0.09))
        self.code_size = min(10.0, max(MIN_FONT_PT, h_pt * 0.09))

    def paint(self, spec: LabelSpec, x0: float, y0: float) -> bytes:
        b = self.boxes
        matrix = qr_matrix(spec.uri)
        n = len(matrix)
        module = module_size_pt(b, n, spec.uri)
        quiet = QUIET_ZONE_MODULES * module
        # Centre the symbol vertically in the QR box when the box is narrower
        # than the label is high (tall labels).
        qr_y = (b.height_pt - b.qr_side_pt) / 2 + quiet
        ops = [b"q 1 0 0 1 %s %s cm\n" % (num(x0), num(y0))]
        # One unit = one module, origin at the symbol's bottom-left; matrix
        # row 0 is the top row, hence n - 1 - r.
        ops.append(b"q %s 0 0 %s %s %s cm\n" % (num(module), num(module), num(quiet), num(qr_y)))
        ops.append(b"".join(b"%d %d %d 1 re\n" % (c, n - 1 - r, length) for r, c, length in dark_runs(matrix)))
        ops.append(b"f Q\n")

        x, width = b.text_x_pt, b.text_width_pt
        top = b.height_pt - b.edge_pt
        if self.logo_size_pt:
            lw, lh = self.logo_size_pt
            ops.append(b"q %s 0 0 %s %s %s cm /Lg Do Q\n" % (num(lw), num(lh), num(x + width - lw), num(top - lh)))
            top -= lh + 1.5
        name, size = fit_line(spec.asset_type_name, BOLD, self.name_size, width)
        if name:
            top -= size
            ops.append(_text(BOLD, size, x, top + size * 0.22, name))
            top -= size * 0.25
        operator, size = fit_line(spec.operator_name, REGULAR, self.operator_size, width)
        if operator:
            top -= size
            ops.append(_text(REGULAR, size, x, top + size * 0.22, operator))

        lines, size = wrap_code(spec.human_readable, REGULAR, self.code_size, width)
        leading = size * 1.15
        y = b.edge_pt + size * 0.22 + leading * (len(lines) - 1)
        if y + size > top:
            raise LabelError(
                "human_readable",
                f"{spec.human_readable!r} needs {len(lines)} lines and does not fit beside the texts above it",
            )
        for line in lines:
            ops.append(_text(REGULAR, size, x, y, line))
            y -= leading
        ops.append(b"Q\n")
        return b"".join(ops)


def _logo(writer: PdfStreamWriter, png: bytes) -> tuple[int, float]:
    """Write the logo once as an image XObject; return (object number, aspect w/h)."""
    try:
        img = Image.open(io.BytesIO(png))
        img.load()
    except Exception as err:  # Pillow raises many types for broken files
        raise LabelError("logo_png", f"the logo is not a readable PNG image: {err}") from None
    img.thumbnail((LOGO_MAX_PX, LOGO_MAX_PX))
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    img = img.convert("RGBA" if has_alpha else "RGB")
    number = writer.reserve()
    extra = b""
    if has_alpha:
        smask = writer.reserve()
        writer.write_stream(
            smask,
            img.getchannel("A").tobytes(),
            b" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8"
            % img.size,
        )
        extra = b" /SMask %d 0 R" % smask
    writer.write_stream(
        number,
        img.convert("RGB").tobytes(),
        b" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8%s"
        % (img.size[0], img.size[1], extra),
    )
    return number, img.size[0] / img.size[1]


def label_sheet_pdf(labels: Iterable[LabelSpec], layout: SheetLayout, out: BinaryIO) -> int:
    """Write all ``labels`` onto sheets of ``layout`` as one PDF into ``out``.

    Returns the number of pages written. Raises LabelError (field ``count``)
    for no labels, or naming the LabelSpec field a label fails on.
    """
    if not isinstance(layout, SheetLayout):
        raise LabelError("layout", "layout must be a SheetLayout")
    items = iter(labels)
    first = next(items, None)
    if first is None:
        raise LabelError("count", "there are no labels to print")

    writer = PdfStreamWriter(out)
    catalog, pages = writer.reserve(), writer.reserve()
    resources, logo_size = _write_resources(writer, layout)
    page_numbers = _write_pages(writer, chain((first,), items), layout, _LabelPainter(layout, logo_size), pages, resources)
    kids = b" ".join(b"%d 0 R" % n for n in page_numbers)
    writer.write_object(pages, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_numbers)))
    writer.write_object(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
    writer.finish(catalog)
    return len(page_numbers)


def _write_resources(writer: PdfStreamWriter, layout: SheetLayout) -> tuple[int, tuple[float, float] | None]:
    """Write the fonts, the logo and the resource dictionary every page shares.

    Returns (resources object number, logo size in pt or None).
    """
    regular, bold, resources = writer.reserve(), writer.reserve(), writer.reserve()
    for number, name in ((regular, REGULAR), (bold, BOLD)):
        writer.write_object(
            number, b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>" % name.encode()
        )
    boxes = label_boxes(layout)
    logo_size = None
    xobjects = b""
    if layout.logo_png is not None:
        logo, aspect = _logo(writer, layout.logo_png)
        # Logo at most 28 % of label height and half the text column wide.
        lh = min(boxes.height_pt * 0.28, boxes.text_width_pt * 0.5 / aspect)
        logo_size = (lh * aspect, lh)
        xobjects = b" /XObject << /Lg %d 0 R >>" % logo
    writer.write_object(
        resources, b"<< /ProcSet [/PDF /Text /ImageC] /Font << /F1 %d 0 R /F2 %d 0 R >>%s >>" % (regular, bold, xobjects)
    )
    return resources, logo_size


def _write_pages(writer: PdfStreamWriter, specs: Iterable[LabelSpec], layout: SheetLayout, painter: _LabelPainter,
                 pages: int, resources: int) -> array:
    """Paint ``specs`` slot by slot, writing each page as soon as it is full; return the page object numbers."""
    origins = layout.label_origins_pt()
    page_w, page_h = PAGE_SIZES_PT[layout.page_size]
    media_box = b"[0 0 %s %s]" % (num(page_w), num(page_h))
    page_numbers = array("q")  # the only per-page state kept: the Pages tree needs it
    body: list[bytes] = []

    def flush() -> None:
        content, page = writer.reserve(), writer.reserve()
        writer.write_stream(content, b"".join(body))
        writer.write_object(
            page,
            b"<< /Type /Page /Parent %d 0 R /MediaBox %s /Resources %d 0 R /Contents %d 0 R >>"
            % (pages, media_box, resources, content),
        )
        page_numbers.append(page)
        body.clear()

    for spec in specs:
        if not isinstance(spec, LabelSpec):
            raise LabelError("labels", f"expected LabelSpec items, got {type(spec).__name__}")
        x0, y0 = origins[len(body)]
        body.append(painter.paint(spec, x0, y0))
        if len(body) == len(origins):
            flush()
    if body:
        flush()
    return page_numbers
