"""Shared fixtures for the labels tests: real QR decoding and PDF rasterising."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

try:
    from pyzbar.pyzbar import ZBarSymbol, decode
except ImportError:  # libzbar0 missing: decoding tests cannot run
    decode = None


def _require_zbar() -> None:
    if decode is None:
        pytest.fail("QR decoding needs the zbar library: apt-get install libzbar0")


@pytest.fixture
def decode_qr():
    """Decode every QR symbol in a PIL image; returns the texts found."""
    _require_zbar()

    def run(image: Image.Image) -> list[str]:
        return [s.data.decode("ascii") for s in decode(image.convert("L"), symbols=[ZBarSymbol.QRCODE])]

    return run


@pytest.fixture
def rasterise_pdf(tmp_path: Path):
    """Render every page of a PDF with poppler's pdftoppm; returns PIL images."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("PDF rasterising needs pdftoppm: apt-get install poppler-utils")

    def run(pdf: bytes, dpi: int = 300) -> list[Image.Image]:
        src = tmp_path / "sheet.pdf"
        src.write_bytes(pdf)
        result = subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(src), str(tmp_path / "page")],
            capture_output=True,
            text=True,
            check=True,
        )
        # poppler prints "Syntax Error"/"Syntax Warning" for malformed PDFs
        # but still renders; treat any complaint as a failure.
        assert result.stderr == "", result.stderr
        pages = sorted(tmp_path.glob("page-*.png"))
        images = [Image.open(p) for p in pages]
        for img in images:
            img.load()
        return images

    return run


@pytest.fixture
def png_image():
    def run(data: bytes) -> Image.Image:
        img = Image.open(io.BytesIO(data))
        img.load()
        return img

    return run
