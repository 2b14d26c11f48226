"""Decompression of compressed GS1 Digital Link URIs (GS1 Digital Link standard 1.1, kept in 1.2).

A compressed URI carries its AIs as one path segment of URI-safe base 64
(``A-Z a-z 0-9 - _``, 6 bits a character), e.g. ``https://id.gs1.org/gAMJCAXukTMA``
for ``https://id.gs1.org/8003/04965031954585``. Partly compressed URIs keep
the primary key uncompressed and compress only what follows:
``/8003/<GRAI>/<segment>``. The bit string is a sequence of elements:

* 8 bits, two hex digits. Two decimal digits are the start of an AI: table
  P gives the AI's length, its remaining digits follow in 4 bits each, then
  its value as table F describes. A code from table Opt stands for a fixed
  sequence of AIs whose values follow in turn. A first digit F starts a
  non-GS1 key=value pair (7 bits key length, 6 bits a key character, then
  the value as a variable alphanumeric of 7-bit length).
* A numeric component of fixed length L takes ceil(L log2 10 + 0.01) bits;
  one of variable length up to M first gives its digit count in
  ceil(log2 M + 0.01) bits. An alphanumeric component starts with 3 bits of
  encoding (0 digits, 1 lower-case hex, 2 upper-case hex, 3 URI-safe base 64,
  4 seven-bit ASCII), then its length if variable, then its characters.
* Fewer than 6 bits left over are the zero padding of the last character.

Digits keep their leading zeros: the digit count is in the data, and a
serial such as ``00000001`` must not come back as ``1``.
"""

from __future__ import annotations

import math
import re

from labels.errors import CodeError

FIELD = "code"
BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_HEX = "0123456789ABCDEF"
SEGMENT = re.compile(r"[A-Za-z0-9_-]+")

# Table F: the value format of every AI, "N14" fixed digits, "N..8" up to 8
# digits, "X2"/"X..20" the same for alphanumerics; several components in turn.
_TABLE_F_TEXT = """
N18: 00 8006 8017 8018 8026 | N14: 01 02 8001 | N6: 11-13 15-17 3950-3959 4326 7006 8005 | N2: 20
X..20: 10 21 22 243 254 420 4318 7020-7022 710-714 7240 8002 8012 | X..28: 235
X..30: 240 241 250 251 400 401 403 4308 4319 7002 7023 7230-7239 8004 8010 8013 90 | N..6: 242
N13 X..17: 253 | N13 N..12: 255 | N..8: 30 37 | N..15: 3900-3909 3920-3929 | N3 N..15: 3910-3919 3930-3939
N4: 3940-3943 8111 | N17: 402 | N13: 410-417 7001 | N3 X..9: 421 | N3: 422 424 426 | N3 N..12: 423 425
X..3: 427 7008 | X..35: 4300 4301 4310 4311 4320 | X..70: 4302-4306 4312-4316 8110 8112 8200 | X2: 4307 4317
N20: 4309 | N1: 4321-4323 | N10: 4324 4325 7003 | N..4: 7004 | X..12: 7005 | N6 N..6: 7007 | X..10: 7009
X..2: 7010 | N3 X..27: 7030-7039 | N1 X3: 7040 | N14 X..16: 8003 | X..24: 8007 | N8 N..4: 8008 | X..50: 8009
N..12: 8011 | N..10: 8019 | X..25: 8020 | X..90: 91-99
"""
# Trade measures 310n-369n (n = decimals 0-5) are all N6.
_MEASURE_FAMILIES = ((310, 316), (320, 337), (340, 357), (360, 369))
# Table Opt: one 8-bit code for a frequent sequence of AIs.
_TABLE_OPT_TEXT = """
0A 01 22 | 0B 01 10 | 0C 01 21 | 0D 01 17 | 0E 01 7003 | 0F 01 30 | 1A 01 10 21 17 | 1B 01 15 | 1C 01 11
1D 01 16 | 1E 01 91 | 1F 01 10 15 | 2A 01 3100 | 2B 01 3101 | 2C 01 3102 | 2D 01 3103 | 2E 01 3104
2F 01 3105 | 3A 01 3200 | 3B 01 3201 | 3C 01 3202 | 3D 01 3203 | 3E 01 3204 | 3F 01 3205 | 9A 8010 8011
9B 8017 8019 | 9C 8018 8019 | 9D 414 254 | A0 01 3920 | A1 01 3921 | A2 01 3922 | A3 01 3923 | A4 01 3924
A5 01 3925 | A6 01 3926 | A7 01 3927 | A8 01 3928 | A9 01 3929 | C0 255 3900 | C1 255 3901 | C2 255 3902
C3 255 3903 | C4 255 3904 | C5 255 3905 | C6 255 3906 | C7 255 3907 | C8 255 3908 | C9 255 3909
CA 255 3940 | CB 255 3941 | CC 255 3942 | CD 255 3943
"""


def _parse_table_f() -> dict[str, tuple[tuple[str, bool, int], ...]]:
    """AI -> components (kind N or X, fixed length?, length or maximum)."""
    table = {}
    for entry in _TABLE_F_TEXT.replace("\n", " | ").split("|"):
        if not entry.strip():
            continue
        formats, ais = entry.split(":")
        components = tuple((f[0], ".." not in f, int(f.lstrip("NX."))) for f in formats.split())
        for token in ais.split():
            first, _, last = token.partition("-")
            for n in range(int(first), int(last or first) + 1):
                table[str(n).zfill(len(first))] = components
    for first, last in _MEASURE_FAMILIES:
        for n in range(first, last + 1):
            table.update({f"{n}{d}": (("N", True, 6),) for d in range(6)})
    return table


TABLE_F = _parse_table_f()
# Table P: the first two digits of an AI give its length.
TABLE_P = {ai[:2]: len(ai) for ai in TABLE_F}
TABLE_OPT = {
    code: tuple(ais)
    for code, *ais in (entry.split() for entry in _TABLE_OPT_TEXT.replace("\n", " | ").split("|") if entry.strip())
}


def _length_bits(maximum: int) -> int:
    return math.ceil(math.log(maximum) / math.log(2) + 0.01)


def _digit_bits(digits: int) -> int:
    return math.ceil(digits * math.log(10) / math.log(2) + 0.01)


class _Bits:
    """A cursor over the bit string of a compressed segment."""

    def __init__(self, segment: str) -> None:
        self.bits = "".join(f"{BASE64URL.index(c):06b}" for c in segment)
        self.pos = 0

    def take(self, n: int) -> int:
        if self.pos + n > len(self.bits):
            raise CodeError(FIELD, "compressed Digital Link is truncated")
        chunk = self.bits[self.pos : self.pos + n]
        self.pos += n
        return int(chunk, 2) if chunk else 0

    def left(self) -> int:
        return len(self.bits) - self.pos

    def digits(self, count: int) -> str:
        number = self.take(_digit_bits(count))
        if number >= 10**count:
            raise CodeError(FIELD, f"compressed Digital Link holds a {count}-digit number that is too large")
        return str(number).zfill(count) if count else ""

    def characters(self, count: int, encoding: int | None = None) -> str:
        """``count`` characters after their 3-bit encoding (read here unless given)."""
        encoding = self.take(3) if encoding is None else encoding
        if encoding == 0:
            return self.digits(count)
        if encoding in (1, 2):
            text = "".join(_HEX[self.take(4)] for _ in range(count))
            return text.lower() if encoding == 1 else text
        if encoding == 3:
            return "".join(BASE64URL[self.take(6)] for _ in range(count))
        if encoding == 4:
            return "".join(chr(self.take(7)) for _ in range(count))
        raise CodeError(FIELD, f"compressed Digital Link uses unknown character encoding {encoding}")

    def variable_characters(self, length_bits: int) -> str:
        encoding = self.take(3)  # the encoding comes before the length
        return self.characters(self.take(length_bits), encoding)


def decompress(segment: str) -> list[tuple[str, str]]:
    """(AI, value) pairs of a compressed segment, in order; non-GS1 keys are left out."""
    if not SEGMENT.fullmatch(segment):
        raise CodeError(FIELD, "a compressed Digital Link segment has only A-Z a-z 0-9 - _")
    bits = _Bits(segment)
    pairs: list[tuple[str, str]] = []
    while bits.left() > 8:
        h1, h2 = bits.take(4), bits.take(4)
        if h1 <= 9 and h2 <= 9:
            ai = f"{h1}{h2}"
            if ai not in TABLE_P:
                raise CodeError(FIELD, f"compressed Digital Link has no AI starting {ai}")
            for _ in range(TABLE_P[ai] - 2):
                digit = bits.take(4)
                if digit > 9:
                    raise CodeError(FIELD, f"compressed Digital Link has a malformed AI after {ai}")
                ai += str(digit)
            pairs.append((ai, _value(bits, ai)))
        elif f"{h1:X}{h2:X}" in TABLE_OPT:
            pairs.extend((ai, _value(bits, ai)) for ai in TABLE_OPT[f"{h1:X}{h2:X}"])
        elif h1 == 0xF:
            bits.pos -= 4  # the key length starts with h2
            key_length = bits.take(7)
            bits.pos += 6 * key_length  # the key itself is not needed
            bits.variable_characters(7)
        else:
            raise CodeError(FIELD, f"compressed Digital Link has no element starting {h1:X}{h2:X}")
    if bits.left() >= 6 or bits.take(bits.left()) != 0:
        raise CodeError(FIELD, "compressed Digital Link does not end in zero padding")
    return pairs


def _value(bits: _Bits, ai: str) -> str:
    if ai not in TABLE_F:
        raise CodeError(FIELD, f"compressed Digital Link carries AI {ai}, whose format is not defined for compression")
    parts = []
    for kind, fixed, length in TABLE_F[ai]:
        if kind == "N":
            parts.append(bits.digits(length if fixed else bits.take(_length_bits(length))))
        else:
            parts.append(bits.characters(length) if fixed else bits.variable_characters(_length_bits(length)))
    return "".join(parts)
