"""PDF label sheets: rasterised with poppler and every QR decoded with zbar."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from PIL import Image

from labels.errors import LabelError
from labels.grai import make_grai
from labels.layout import MIN_LABEL_HEIGHT_MM, MIN_LABEL_WIDTH_MM, LabelSpec, SheetLayout, label_spec
from labels.render_pdf import label_sheet_pdf
from labels.render_qr import qr_matrix

DPI = 300
BASE = "https://id.example.com"


def specs(count: int, *, base: str = BASE, serial_fmt: str = "{:08d}", operator: str = "Müller Mehrweg GmbH"):
    return [
        label_spec(
            make_grai("4012345", "12345", serial_fmt.format(i)),
            base_url=base,
            asset_type_name="Euro crate 600x400 grey",
            operator_name=operator,
        )
        for i in range(count)
    ]


def logo_png() -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGBA", (120, 48), (0, 90, 160, 255))
    img.paste((255, 255, 255, 0), (40, 10, 80, 38))  # a transparent hole exercises the alpha mask
    img.save(buf, "PNG")
    return buf.getvalue()


def render(labels, layout) -> tuple[bytes, int]:
    out = io.BytesIO()
    pages = label_sheet_pdf(labels, layout, out)
    return out.getvalue(), pages


def decode_cells(pages: list[Image.Image], layout: SheetLayout, decode_qr) -> list[list[str]]:
    """Decode each label cell on its own, as a handheld scanner sees one label.

    Cells are visited page by page in printing order (row by row from top
    left), so result[i] belongs to the i-th label slot of the document.
    """
    page_h_pt = {"A4": 841.8898, "LETTER": 792.0}[layout.page_size]
    scale = DPI / 72
    w_pt, h_pt = layout.label_width_mm * 72 / 25.4, layout.label_height_mm * 72 / 25.4
    found = []
    for page in pages:
        for x_pt, y_pt in layout.label_origins_pt():
            box = (
                round(x_pt * scale),
                round((page_h_pt - y_pt - h_pt) * scale),
                round((x_pt + w_pt) * scale),
                round((page_h_pt - y_pt) * scale),
            )
            found.append(decode_qr(page.crop(box)))
    return found


def assert_sheet_decodes(labels: list[LabelSpec], layout: SheetLayout, rasterise_pdf, decode_qr) -> bytes:
    pdf, pages = render(labels, layout)
    per_page = layout.columns * layout.rows
    assert pages == -(-len(labels) // per_page)
    images = rasterise_pdf(pdf, DPI)
    assert len(images) == pages
    cells = decode_cells(images, layout, decode_qr)
    decoded = [c for cell in cells for c in cell]
    # exactly one symbol per filled cell, carrying exactly that label's URI
    assert len(decoded) == len(labels)
    assert cells[: len(labels)] == [[s.uri] for s in labels]
    assert all(cell == [] for cell in cells[len(labels):])
    return pdf


def pdf_text(pdf: bytes, tmp_path) -> str:
    src = tmp_path / "text.pdf"
    src.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(src), "-"], capture_output=True, check=True, text=True).stdout


def test_labels_a4_3x8_sheet_decodes_every_label(rasterise_pdf, decode_qr, tmp_path) -> None:
    layout = SheetLayout.a4_3x8(logo_png=logo_png())
    labels = specs(24)
    pdf = assert_sheet_decodes(labels, layout, rasterise_pdf, decode_qr)
    text = pdf_text(pdf, tmp_path)
    # 70 mm labels print the element string on two lines: key, then serial
    assert text.count("(8003)04012345123456") == 24
    assert all(f"{i:08d}" in text for i in range(24))
    assert text.count("Euro crate 600x400 grey") == 24
    assert text.count("Müller Mehrweg GmbH") == 24  # cp1252 text survives


def test_labels_letter_2x5_sheet_decodes_every_label(rasterise_pdf, decode_qr, tmp_path) -> None:
    layout = SheetLayout.letter_2x5()
    labels = specs(10, serial_fmt="A/B{:03d}%?")  # percent-encoded serials in the URI
    pdf = assert_sheet_decodes(labels, layout, rasterise_pdf, decode_qr)
    # 4 x 2 in labels leave room for the whole element string on one line.
    text = pdf_text(pdf, tmp_path)
    for spec in labels:
        assert spec.human_readable in text


def test_labels_smallest_label_with_longest_uri_decodes(rasterise_pdf, decode_qr) -> None:
    layout = SheetLayout.a4_smallest(logo_png=logo_png())
    assert (layout.label_width_mm, layout.label_height_mm) == (MIN_LABEL_WIDTH_MM, MIN_LABEL_HEIGHT_MM)
    # 16-character serials that are entirely percent-encoded plus a long
    # resolver path: 150-byte URIs, near the 151 bytes a version 10 symbol holds
    # at level Q, the largest symbol this label accepts (0.385 mm modules).
    base = "https://resolver.returnable-packaging.logistics-partner.example.org/digital-link/v1/crates"
    labels = specs(44, base=base, serial_fmt="/%?&/%?&/%?&{:04d}")
    assert {len(qr_matrix(s.uri)) for s in labels} == {57}  # version 10
    assert_sheet_decodes(labels, layout, rasterise_pdf, decode_qr)


def test_labels_multi_page_sheet_counts_every_label(rasterise_pdf, decode_qr) -> None:
    layout = SheetLayout.a4_3x8()
    labels = specs(30)
    pdf = assert_sheet_decodes(labels, layout, rasterise_pdf, decode_qr)
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "Pages:           2" in info


def test_labels_sheet_streams_page_by_page() -> None:
    """Pages reach ``out`` while later labels have not even been created yet."""
    out = io.BytesIO()
    layout = SheetLayout.letter_2x5()
    seen = []

    def produce():
        for i, spec in enumerate(specs(35)):
            seen.append((i, out.tell()))
            yield spec

    assert label_sheet_pdf(produce(), layout, out) == 4
    sizes = dict(seen)
    assert sizes[1] == sizes[9] < 1000  # only the header and fonts until the first page is full
    assert sizes[10] > sizes[9] and sizes[20] > sizes[19] and sizes[30] > sizes[29]
    assert sizes[11] == sizes[10]  # nothing is written between page boundaries


def test_labels_sheet_writes_to_unseekable_stream() -> None:
    class Sink:
        def __init__(self) -> None:
            self.chunks: list[bytes] = []

        def write(self, data: bytes) -> int:
            self.chunks.append(bytes(data))
            return len(data)

    sink = Sink()
    assert label_sheet_pdf(iter(specs(3)), SheetLayout.a4_3x8(), sink) == 1
    pdf = b"".join(sink.chunks)
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    # the xref offset in the trailer points at the xref table
    start = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[start:].startswith(b"xref")


def test_labels_vector_qr_is_compact() -> None:
    pdf, pages = render(specs(240), SheetLayout.a4_3x8())
    assert pages == 10
    assert len(pdf) / 240 < 1500  # bytes per label: rectangles, not images


def test_labels_sheet_refuses_no_labels() -> None:
    out = io.BytesIO()
    with pytest.raises(LabelError) as info:
        label_sheet_pdf([], SheetLayout.a4_3x8(), out)
    assert info.value.field == "count"
    assert out.getvalue() == b""  # nothing half-written


def test_labels_sheet_refuses_uri_too_long_for_label() -> None:
    too_long = LabelSpec("https://id.example.com/" + "a" * 140, "(8003)04012345123456X", "Crate", "Op")
    with pytest.raises(LabelError) as info:
        render([too_long], SheetLayout.a4_smallest())
    assert info.value.field == "uri"
    assert "below the 0.375 mm minimum" in info.value.message
    # the same URI fits the larger A4 3x8 label
    assert render([too_long], SheetLayout.a4_3x8())[1] == 1


def test_labels_sheet_refuses_non_spec_items() -> None:
    with pytest.raises(LabelError) as info:
        render(["https://id.example.com/8003/04012345123456X"], SheetLayout.a4_3x8())
    assert info.value.field == "labels"


def test_labels_long_names_are_shortened_not_spilled(tmp_path) -> None:
    spec = LabelSpec(
        "https://id.example.com/8003/04012345123456X", "(8003)04012345123456X", "N" * 150, "Operator " * 20
    )
    pdf, _ = render([spec], SheetLayout.a4_smallest())
    text = pdf_text(pdf, tmp_path)
    assert "N" * 150 not in text and "NNNN" in text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"page_size": "A3"}, "page_size"),
        ({"columns": 0}, "columns"),
        ({"rows": 2.5}, "rows"),
        ({"columns": 4}, "columns"),  # 4 x 70 mm > 210 mm
        ({"rows": 9}, "rows"),  # 9 x 37 mm > 297 mm
        ({"gap_x_mm": 10}, "columns"),
        ({"margin_top_mm": 5}, "rows"),  # 8 x 37 + 5 > 297
        ({"label_width_mm": 49.9, "columns": 1}, "label_width_mm"),
        ({"label_height_mm": 24.9}, "label_height_mm"),
        ({"gap_y_mm": -1}, "gap_y_mm"),
        ({"margin_left_mm": "5"}, "margin_left_mm"),
        ({"logo_png": b"GIF89a"}, "logo_png"),
    ],
)
def test_labels_layout_validation_names_field(changes, field) -> None:
    with pytest.raises(LabelError) as info:
        SheetLayout.a4_3x8(**changes)
    assert info.value.field == field


def test_labels_layout_grid_positions() -> None:
    layout = SheetLayout.letter_2x5()
    origins = layout.label_origins_pt()
    assert len(origins) == 10
    mm = 72 / 25.4
    # 4 x 2 in labels, 0.5 in top margin, centred columns with 0.1875 in gap
    assert origins[0] == pytest.approx((3.96875 * mm, 792 - 36 - 144))
    assert origins[1][0] - origins[0][0] == pytest.approx(288 + 13.5)
    assert origins[0][1] - origins[2][1] == pytest.approx(144)


def test_labels_broken_logo_is_reported() -> None:
    layout = SheetLayout.a4_3x8(logo_png=b"\x89PNG\r\n\x1a\n" + b"garbage")
    with pytest.raises(LabelError) as info:
        render(specs(1), layout)
    assert info.value.field == "logo_png"


@pytest.mark.parametrize(
    ("field_name", "value"),
    [("uri", ""), ("human_readable", ""), ("asset_type_name", 5), ("operator_name", "a\nb"), ("operator_name", "x" * 201)],
)
def test_labels_label_spec_validation(field_name, value) -> None:
    fields = {"uri": "https://x.example/8003/04012345123456X", "human_readable": "(8003)04012345123456X",
              "asset_type_name": "Crate", "operator_name": "Op"}
    fields[field_name] = value
    with pytest.raises(LabelError) as info:
        LabelSpec(**fields)
    assert info.value.field == field_name
