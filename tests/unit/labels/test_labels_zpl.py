"""ZPL II output: structure, QR payload, magnification per printer resolution, escaping."""

from __future__ import annotations

import re

import pytest

from labels.errors import LabelError
from labels.grai import make_grai
from labels.layout import LabelSpec, label_spec
from labels.render_qr import qr_matrix
from labels.render_zpl import CHAR_WIDTH_RATIO, label_zpl

G = make_grai("4012345", "12345", "00000001")
SPEC = label_spec(G, base_url="https://id.example.com", asset_type_name="Euro crate 600x400",
                  operator_name="Müller Mehrweg GmbH")


def fields(zpl: str) -> list[str]:
    return re.findall(r"\^FO.*?\^FS", zpl)


def unescape(data: str) -> str:
    """Undo ^FH hex escapes (default indicator '_'), as the printer does."""
    raw = re.sub(rb"_([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), data.encode("ascii"))
    return raw.decode("utf-8")


def text_fields(zpl: str) -> list[tuple[int, int, int, str]]:
    """(x, y, height, text) of every ^A0 text field, unescaped."""
    out = []
    for x, y, h, w, data in re.findall(r"\^FO(\d+),(\d+)\^A0N,(\d+),(\d+)\^FH\^FD(.*?)\^FS", zpl):
        assert h == w
        out.append((int(x), int(y), int(h), unescape(data)))
    return out


@pytest.mark.parametrize("dpi", [203, 300])
def test_labels_zpl_structure_and_exact_payload(dpi: int) -> None:
    zpl = label_zpl(SPEC, dpi=dpi, width_mm=50, height_mm=25)
    lines = zpl.strip().split("\n")
    assert lines[0] == "^XA" and lines[-1] == "^XZ"
    assert zpl.count("^XA") == 1 and zpl.count("^XZ") == 1
    assert "^CI28" in zpl  # UTF-8 text
    assert f"^PW{int(50 * dpi / 25.4)}" in zpl and f"^LL{int(25 * dpi / 25.4)}" in zpl
    qr = re.findall(r"\^BQN,2,(\d+),Q,7\^FD(.*?)\^FS", zpl)
    assert len(qr) == 1
    # error-correction level Q, automatic input mode, then exactly the Digital Link
    assert qr[0][1] == "QA," + SPEC.uri
    assert "^FH^FDQA" not in zpl  # no hex escaping on the QR payload
    assert [t[3] for t in text_fields(zpl)] == [
        "Euro crate 600x400", "Müller Mehrweg GmbH", "(8003)04012345123456", "00000001"
    ]


def _magnification(zpl: str) -> int:
    return int(re.search(r"\^BQN,2,(\d+),", zpl).group(1))


def test_labels_zpl_magnification_depends_on_dpi() -> None:
    small_203 = _magnification(label_zpl(SPEC, dpi=203, width_mm=50, height_mm=25))
    small_300 = _magnification(label_zpl(SPEC, dpi=300, width_mm=50, height_mm=25))
    big_203 = _magnification(label_zpl(SPEC, dpi=203, width_mm=101.6, height_mm=50.8))
    big_300 = _magnification(label_zpl(SPEC, dpi=300, width_mm=101.6, height_mm=50.8))
    # 33-module symbol: 4 dots = 0.50 mm at 203 dpi, 6 dots = 0.51 mm at 300 dpi
    assert (small_203, small_300) == (4, 6)
    # bigger labels get bigger modules, capped at 1 mm (8 dots / 11 dots)
    assert (big_203, big_300) == (7, 10)
    for mag, dpi in ((small_203, 203), (small_300, 300), (big_203, 203), (big_300, 300)):
        assert 0.375 <= mag * 25.4 / dpi <= 1.0


@pytest.mark.parametrize(("dpi", "width_mm", "height_mm"), [(203, 50, 25), (300, 50, 25), (203, 101.6, 50.8), (300, 70, 37)])
def test_labels_zpl_everything_stays_on_the_label(dpi, width_mm, height_mm) -> None:
    zpl = label_zpl(SPEC, dpi=dpi, width_mm=width_mm, height_mm=height_mm)
    width = int(re.search(r"\^PW(\d+)", zpl).group(1))
    height = int(re.search(r"\^LL(\d+)", zpl).group(1))
    x, y = map(int, re.search(r"\^FO(\d+),(\d+)\^BQ", zpl).groups())
    mag = _magnification(zpl)
    modules = len(qr_matrix(SPEC.uri))
    assert x >= 4 * mag and y >= 4 * mag  # quiet zone on the label
    assert y + (modules + 4) * mag <= height  # even one version larger than expected fits
    texts = text_fields(zpl)
    for tx, ty, h, text in texts:
        assert tx >= x + (modules + 4) * mag  # text right of the symbol and its quiet zone
        assert tx + len(text) * h * CHAR_WIDTH_RATIO <= width
        assert ty + h <= height
    ys = [t[1] for t in texts]
    assert ys == sorted(ys)  # no overlapping lines


def test_labels_zpl_escapes_command_characters_in_text() -> None:
    spec = LabelSpec(SPEC.uri, SPEC.human_readable, "A^XZ~JR_x", "Ünïcødé ✓")
    zpl = label_zpl(spec, dpi=300, width_mm=101.6, height_mm=50.8)
    raw_fields = re.findall(r"\^FH\^FD(.*?)\^FS", zpl)
    assert all("^" not in f and "~" not in f and re.fullmatch(r"[ -}]*", f) for f in raw_fields)
    assert [t[3] for t in text_fields(zpl)][:2] == ["A^XZ~JR_x", "Ünïcødé ✓"]
    assert zpl.count("^XZ") == 1


def test_labels_zpl_long_names_are_shortened_code_is_wrapped() -> None:
    spec = LabelSpec(SPEC.uri, "(8003)04012345123456ABCDEFGHIJKLMNOP", "N" * 120, "O" * 120)
    texts = [t[3] for t in text_fields(label_zpl(spec, dpi=203, width_mm=50, height_mm=25))]
    assert texts[0].endswith("...") and texts[1].endswith("...")
    assert "".join(texts[2:]) == spec.human_readable  # the code is never shortened
    assert texts[2] == "(8003)04012345123456"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"dpi": 600, "width_mm": 50, "height_mm": 25}, "dpi"),
        ({"dpi": 203, "width_mm": 40, "height_mm": 25}, "width_mm"),
        ({"dpi": 203, "width_mm": 50, "height_mm": 20}, "height_mm"),
        ({"dpi": 203, "width_mm": 50, "height_mm": 201}, "height_mm"),
    ],
)
def test_labels_zpl_rejects_bad_geometry(kwargs, field) -> None:
    with pytest.raises(LabelError) as info:
        label_zpl(SPEC, **kwargs)
    assert info.value.field == field


@pytest.mark.parametrize("uri", ["https://id.example.com/~x/8003/04012345123456X", "https://id.example.com/" + "a" * 140])
def test_labels_zpl_rejects_unprintable_uri(uri: str) -> None:
    spec = LabelSpec(uri, "(8003)04012345123456X", "Crate", "Op")
    with pytest.raises(LabelError) as info:
        label_zpl(spec, dpi=203, width_mm=50, height_mm=25)
    assert info.value.field == "uri"


# --- quiet zone and key line on every label of a size matrix ------------------------

MATRIX_SIZES_MM = [(50, 25), (57, 32), (60, 30), (70, 37), (76, 51), (100, 50), (101.6, 50.8), (100, 150), (200, 200)]
MATRIX_SERIALS = ["00000001", "1", "ABCDEFGHIJKLMNOP", "(10)%/?&(8003)", "WWWWWWWWWWWWWWWW", "a-b.c_d"]
MATRIX = [(dpi, w, h, serial) for dpi in (203, 300) for w, h in MATRIX_SIZES_MM for serial in MATRIX_SERIALS]


def test_labels_zpl_matrix_has_108_labels() -> None:
    assert len(MATRIX) == 108


@pytest.mark.parametrize(("dpi", "width_mm", "height_mm", "serial"), MATRIX)
def test_labels_zpl_quiet_zone_of_four_modules_on_all_sides(dpi, width_mm, height_mm, serial) -> None:
    g = make_grai("4012345", "12345", serial)
    spec = label_spec(g, base_url="https://resolver.example.org/dl", asset_type_name="Euro crate 600x400",
                      operator_name="Müller Mehrweg GmbH")
    zpl = label_zpl(spec, dpi=dpi, width_mm=width_mm, height_mm=height_mm)
    width = int(re.search(r"\^PW(\d+)", zpl).group(1))
    height = int(re.search(r"\^LL(\d+)", zpl).group(1))
    by = re.search(r"\^BY(\d+),([\d.]+),(\d+)", zpl)
    assert by and zpl.index("^BY") < zpl.index("^BQ")  # set on this label, before the symbol
    bar_height = int(by.group(3))
    x, y = map(int, re.search(r"\^FO(\d+),(\d+)\^BQ", zpl).groups())
    mag = _magnification(zpl)
    worst_side = (len(qr_matrix(spec.uri)) + 4) * mag  # the printer may pick one version more
    text_x = min(t[0] for t in text_fields(zpl))
    for shift in (0, bar_height):  # printers that shift the symbol by the ^BY height, and those that do not
        top, left = y + shift, x
        assert top >= 4 * mag and left >= 4 * mag
        assert height - (top + worst_side) >= 4 * mag  # below
        assert text_x - (left + worst_side) >= 4 * mag  # right, up to the text
    assert 0.375 <= mag * 25.4 / dpi <= 1.0
    texts = text_fields(zpl)
    code = [t for t in texts if t[3].startswith("(8003)")]
    assert code and code[0][3].startswith("(8003)" + g.key14)  # the key on one line
    assert "".join(t[3] for t in texts[texts.index(code[0]):]) == spec.human_readable
    for tx, ty, h, text in texts:
        assert tx + len(text) * h * CHAR_WIDTH_RATIO <= width - 1 and ty + h <= height
