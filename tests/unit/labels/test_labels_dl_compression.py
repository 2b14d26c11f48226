"""Compressed GS1 Digital Link URIs: GS1's reference vectors and round trips through parse_code."""

from __future__ import annotations

import math
import re
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labels.codes import parse_code
from labels.dl_compression import BASE64URL, TABLE_F, TABLE_OPT, TABLE_P, decompress
from labels.errors import CodeError
from labels.grai import CHARSET_82, make_grai

# Compressed and uncompressed forms of the same URI, from GS1's compression
# prototype (GS1DigitalLinkCompressionPrototype) and its test suites.
VECTORS = [
    ("gAMJCAXukTMA", "8003/04965031954585"),
    ("AN2yxDhfaiaw", "00/998440410914660971"),
    ("AQnYUc1gmg", "01/05412345000013"),
    ("AQnYUc1gmiCNV4JG", "01/05412345000013/10/ABC123"),
    ("AQnYUc1gmiCNV4JGQhcNT6K6c", "01/05412345000013/10/ABC123/21/72292641703"),
    ("AQnYUc1gmiCNV4JGQhcNT6K6cibQCWN9Pee9tT-PQ", "01/05412345000013/22/AJY3095721P49/10/ABC123/21/72292641703"),
    ("AQnYUc1gmkax7ipGrOHDPC5YNI8hMz", "01/05412345000013/235/8TFV883a904GH%263"),
    ("AQnYUc1gmkIXDU-iun", "01/05412345000013/21/72292641703"),
    ("JTLIetaiHYA", "253/3060077601309"),
    ("JVUqG5hJ5wA", "255/5678409730535"),
    ("QBl2DVoxZM2jVm3ZOWEFoxTR5HDgzZg", "401/0541234537290A41%26GHpp33"),
    ("QCJZyW9mC6Z4", "402/21173492661712079"),
    ("QUSaVjC_dA", "414/5060917510004"),
    ("QUSaVjC_dHBAVlCrg", "414/5060917510004/7040/5KFX"),
    ("JUa0T-eifdtOO9UFEmlYwv3Q", "414/5060917510004/254/RP56J920471"),
    ("cEB2CqjAAkuwatGLJm0as27JywgtGKaPI4cGbM", "8004/0541234537290A41%26GHpp33/7040/7BVR"),
    ("EEarwSOABgwEj9s0bAmQ", "8006/054123450000130201/10/ABC123"),
    ("gBCVYNWjFkzaNWbdk5YQWjFHHkM2cAI0xdvpGo", "8010/0541234537290A41%23GH33/8011/6639047221"),
    ("gBN05060917511473062B98T", "8013/5060917511473062B98T"),
    ("gBe1ajAd9ATDmAGXPRfk", "8017/817019610850151481/8019/4003812"),
    ("gBhbV6rzBENPk", "8018/411369833821910265"),
    ("AQnYUc1gmiERBhQ0ytiyZuAGOLc1TQ", "01/05412345000013/10/ABC%26%2B123/7003/1903061658"),
    # with the non-GS1 pairs expdt=1903061658 and k1=v1, which are not AIs
    ("AQnYUc1gmiERBhQ0ytiyZuAGOLc1TXhXsaXbQKHFuaprwUmrBX6g", "01/05412345000013/10/ABC%26%2B123/7003/1903061658"),
    ("DgnYUc1gmji3NU0IREGFDTK2LJm", "01/05412345000013/7003/1903061658/10/ABC%26%2B123"),  # table Opt code 0E
]


@pytest.mark.parametrize(("compressed", "path"), VECTORS)
def test_labels_decompress_gs1_vectors(compressed: str, path: str) -> None:
    segments = path.split("/")
    # The compressor may order the AIs differently from the URI path.
    assert sorted(decompress(compressed)) == sorted((ai, unquote(v)) for ai, v in zip(segments[::2], segments[1::2]))


def test_labels_compression_tables_agree() -> None:
    assert TABLE_F["8003"] == (("N", True, 14), ("X", False, 16))
    assert TABLE_F["01"] == (("N", True, 14),) and TABLE_F["3103"] == (("N", True, 6),)
    assert {TABLE_P[ai[:2]] == len(ai) for ai in TABLE_F} == {True}
    assert all(ai in TABLE_F for ais in TABLE_OPT.values() for ai in ais)
    assert TABLE_OPT["0E"] == ("01", "7003")


# --- a compressor written from the standard, to build GRAI test data ---------------

def _bits_for(n: int) -> int:
    return math.ceil(n * math.log(10) / math.log(2) + 0.01)


def _length_bits(maximum: int) -> int:
    return math.ceil(math.log(maximum) / math.log(2) + 0.01)


def _characters(text: str, length_bits: str) -> str:
    if re.fullmatch(r"[0-9]+", text):
        return "000" + length_bits + f"{int(text):0{_bits_for(len(text))}b}"
    if re.fullmatch(r"[0-9a-f]+", text):
        return "001" + length_bits + "".join(f"{int(c, 16):04b}" for c in text)
    if re.fullmatch(r"[0-9A-F]+", text):
        return "010" + length_bits + "".join(f"{int(c, 16):04b}" for c in text)
    if re.fullmatch(r"[A-Za-z0-9_-]+", text):
        return "011" + length_bits + "".join(f"{BASE64URL.index(c):06b}" for c in text)
    return "100" + length_bits + "".join(f"{ord(c):07b}" for c in text)


def compress(pairs: list[tuple[str, str]]) -> str:
    bits = ""
    for ai, value in pairs:
        bits += "".join(f"{int(d):04b}" for d in ai)
        for kind, fixed, length in TABLE_F[ai]:
            part, value = (value[:length], value[length:]) if fixed else (value, "")
            count = "" if fixed else f"{len(part):0{_length_bits(length)}b}"
            if kind == "N":
                bits += count + f"{int(part or 0):0{_bits_for(len(part))}b}"
            else:
                bits += _characters(part, count)
    bits += "0" * (-len(bits) % 6)
    return "".join(BASE64URL[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))


def test_labels_own_compressor_reproduces_gs1_vectors() -> None:
    assert compress([("8003", "04965031954585")]) == "gAMJCAXukTMA"
    assert compress([("01", "05412345000013"), ("10", "ABC123")]) == "AQnYUc1gmiCNV4JG"


# --- parse_code accepts compressed GRAIs --------------------------------------------

G = make_grai("4012345", "12345", "00000001")


@pytest.mark.parametrize(
    "uri",
    [
        "https://id.example.com/" + compress([("8003", G.ai_value)]),
        "https://id.example.com/dl/" + compress([("8003", G.ai_value)]) + "?linkType=gs1:pip#x",
        "https://id.example.com/" + compress([("01", "09521234543213"), ("8003", G.ai_value), ("17", "251231")]),
        "https://id.example.com/8003/" + G.ai_value + "/" + compress([("10", "LOT7"), ("17", "251231")]),
        "https://id.example.com/8003/" + G.ai_value + "/" + compress([("8003", G.ai_value)]),  # identical repeat
    ],
)
def test_labels_parse_compressed_digital_link(uri: str) -> None:
    parsed = parse_code(uri)
    assert parsed == G and parsed.serial == "00000001"  # leading zeros kept


@settings(max_examples=300, deadline=None)
@given(serial=st.text("".join(sorted(CHARSET_82)), min_size=1, max_size=16),
       before=st.sampled_from([[], [("01", "09521234543213")], [("414", "5060917510004"), ("10", "L-1")]]))
def test_labels_property_compressed_round_trip(serial, before) -> None:
    g = make_grai("4012345", "12345", serial)
    assert parse_code("https://resolver.example.org/" + compress([*before, ("8003", g.ai_value)])) == g


@pytest.mark.parametrize(
    ("uri", "fragment"),
    [
        ("https://id.gs1.org/gAMJCAXukTMA", "serial is required"),  # the GS1 vector has no serial
        ("https://id.gs1.org/AQnYUc1gmg", "AI 8003 is missing"),  # a GTIN
        ("https://id.gs1.org/AQnYUc1gm", "no /8003/ path segment, nor compressed"),  # truncated
        ("https://id.gs1.org/a.b", "no /8003/ path segment, nor compressed"),
        ("https://id.example.com/" + compress([("8003", "04012345123457ABC")]), "check digit is 7, expected 6"),
    ],
)
def test_labels_parse_compressed_refusals(uri: str, fragment: str) -> None:
    with pytest.raises(CodeError) as info:
        parse_code(uri)
    assert fragment in info.value.message
