"""Minimal PDF 1.4 object writer that streams to any binary file object.

Why not reportlab's Canvas: it keeps every finished page (content stream
and page dictionary) in memory until ``save()``, so memory grows linearly
with the number of labels (measured: peak RSS 32.6 MiB at 1,000 labels,
75.4 MiB at 10,000; see docs/benchmarks/labels.md). Label sheets need only
standard fonts, one shared image and filled rectangles, so this writer emits
each page the moment it is complete and keeps nothing per page but two
integers (object offset and page object number) for the cross-reference
table at the end. reportlab still supplies page sizes and font metrics.

``out`` may be unseekable (an HTTP response, a pipe): byte offsets are
counted here, never asked from the file.
"""

from __future__ import annotations

import zlib
from array import array
from typing import BinaryIO

_HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"  # binary comment marks the file as binary for transfer tools


class PdfStreamWriter:
    """Writes numbered PDF objects in any order, then the xref table and trailer."""

    def __init__(self, out: BinaryIO, *, compress_level: int = 6) -> None:
        self._out = out
        self._pos = 0
        self._offsets = array("q")  # index = object number; -1 = reserved, not yet written
        self._offsets.append(0)  # object 0 is the head of the free list
        self._compress_level = compress_level
        self._write(_HEADER)

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._pos += len(data)

    @property
    def bytes_written(self) -> int:
        return self._pos

    def reserve(self) -> int:
        """A fresh object number, to be referenced now and written later."""
        self._offsets.append(-1)
        return len(self._offsets) - 1

    def write_object(self, number: int, body: bytes) -> None:
        if self._offsets[number] != -1:
            raise RuntimeError(f"PDF object {number} written twice")
        self._offsets[number] = self._pos
        self._write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def write_stream(self, number: int, data: bytes, dictionary: bytes = b"", *, compress: bool = True) -> None:
        """A stream object; ``dictionary`` holds extra entries such as ``/Type /XObject``."""
        if compress:
            data = zlib.compress(data, self._compress_level)
            dictionary += b" /Filter /FlateDecode"
        self.write_object(number, b"<< /Length %d%s >>\nstream\n" % (len(data), dictionary) + data + b"\nendstream")

    def finish(self, root: int) -> None:
        """Cross-reference table and trailer; ``root`` is the catalog object."""
        missing = [n for n in range(1, len(self._offsets)) if self._offsets[n] == -1]
        if missing:
            raise RuntimeError(f"PDF objects reserved but never written: {missing[:5]}")
        xref_pos = self._pos
        count = len(self._offsets)
        # Each xref entry is exactly 20 bytes, as the PDF specification requires.
        rows = [b"xref\n0 %d\n" % count, b"0000000000 65535 f \n"]
        rows.extend(b"%010d 00000 n \n" % self._offsets[n] for n in range(1, count))
        self._write(b"".join(rows))
        self._write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, root, xref_pos))


def pdf_string(text: str) -> bytes:
    """A PDF literal string for the standard fonts (WinAnsi / cp1252).

    Characters cp1252 lacks become '?': the standard 14 fonts cannot show
    them anyway, and a visible '?' is better than a dropped character.
    """
    raw = text.encode("cp1252", errors="replace")
    out = bytearray(b"(")
    for byte in raw:
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte < 32 or byte > 126:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    out += b")"
    return bytes(out)


def num(value: float) -> bytes:
    """Compact PDF number: at most 3 decimals (1/1000 pt), no trailing zeros."""
    if value == int(value):
        return b"%d" % value
    return (b"%.3f" % value).rstrip(b"0").rstrip(b".")
