"""QR PNG and SVG output, decoded back with zbar."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image, ImageDraw

from labels.errors import LabelError
from labels.grai import make_grai
from labels.render_qr import dark_runs, qr_matrix, qr_png, qr_svg

BASE = "https://id.example.com"
URIS = [
    make_grai("4012345", "12345", "00000001").digital_link(BASE),
    make_grai("401234512345", "", "A/B%C?D&E'(F)*+,").digital_link("https://resolver.crates.example.org/dl"),
    make_grai("614141", "999999", "x").digital_link("http://localhost:8080"),
]


@pytest.mark.parametrize("uri", URIS)
def test_labels_png_decodes_to_exact_uri(uri: str, decode_qr, png_image) -> None:
    img = png_image(qr_png(uri))
    assert img.format == "PNG"
    assert decode_qr(img) == [uri]


def test_labels_png_geometry_follows_module_and_border(png_image) -> None:
    uri = URIS[0]
    n = len(qr_matrix(uri))
    img = png_image(qr_png(uri, module_px=3, border_modules=4))
    assert img.size == ((n + 8) * 3, (n + 8) * 3)
    img = png_image(qr_png(uri, module_px=10, border_modules=0))
    assert img.size == (n * 10, n * 10)
    # Top-left module is the dark corner of a finder pattern, the border is white.
    rgb = png_image(qr_png(uri, module_px=5, border_modules=2)).convert("L")
    assert rgb.getpixel((0, 0)) == 255 and rgb.getpixel((12, 12)) == 0


def test_labels_matrix_uses_level_q_and_smallest_version() -> None:
    # 50-byte crate URI: version 4 (33 modules) at level Q.
    assert len(qr_matrix("https://id.example.com/8003/0401234512345600000001")) == 33


def _svg_to_image(svg: bytes, scale: int) -> tuple[Image.Image, int]:
    """Rasterise the SVG's rect + path subset this package emits."""
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    size = int(root.get("viewBox").split()[2])
    background = root.find("s:rect", ns)
    assert background.get("fill") == "#fff" and int(background.get("width")) == size
    path = root.find("s:path", ns)
    img = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(img)
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path.get("d")):
        x, y, w = int(x), int(y), int(w)
        draw.rectangle([x * scale, y * scale, (x + w) * scale - 1, (y + 1) * scale - 1], fill=0)
    # every command of the path was understood by the pattern above
    assert re.sub(r"M(\d+) (\d+)h(\d+)v1h-\3z", "", path.get("d")) == ""
    return img, size


@pytest.mark.parametrize("uri", URIS)
def test_labels_svg_decodes_and_matches_png(uri: str, decode_qr, png_image) -> None:
    svg = qr_svg(uri)
    img, size = _svg_to_image(svg, scale=6)
    assert size == len(qr_matrix(uri)) + 8
    assert decode_qr(img) == [uri]
    # Pixel-identical to the PNG at the same module size: same symbol, same quiet zone.
    png = png_image(qr_png(uri, module_px=6)).convert("L")
    assert img.size == png.size and img.tobytes() == png.tobytes()


def test_labels_dark_runs_cover_exactly_the_dark_modules() -> None:
    matrix = qr_matrix(URIS[1])
    painted = {(r, c + i) for r, c, n in dark_runs(matrix) for i in range(n)}
    dark = {(r, c) for r, row in enumerate(matrix) for c, v in enumerate(row) if v}
    assert painted == dark
    # runs are maximal: two runs never touch on one row
    runs = sorted(dark_runs(matrix))
    assert all(not (a[0] == b[0] and a[1] + a[2] == b[1]) for a, b in zip(runs, runs[1:]))


@pytest.mark.parametrize(
    ("uri", "kwargs", "field"),
    [
        ("", {}, "uri"),
        ("https://id.example.com/8003/0401234512345600000001 x", {}, "uri"),
        ("https://id.example.com/Ü", {}, "uri"),
        ("https://x/" + "a" * 600, {}, "uri"),
        (URIS[0], {"module_px": 0}, "module_px"),
        (URIS[0], {"module_px": 2.5}, "module_px"),
        (URIS[0], {"border_modules": -1}, "border_modules"),
    ],
)
def test_labels_qr_png_rejects(uri, kwargs, field) -> None:
    with pytest.raises(LabelError) as info:
        qr_png(uri, **kwargs)
    assert info.value.field == field


def test_labels_qr_svg_rejects_bad_uri() -> None:
    with pytest.raises(LabelError) as info:
        qr_svg("not ascii: é")
    assert info.value.field == "uri"
