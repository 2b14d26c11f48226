"""GS1 conformance of parse_code: tricky serials, repeated AI 8003, predefined-length AIs.

biip, an independent GS1 parser, is the reference for raw element strings and
for the table of AIs of predefined length.
"""

from __future__ import annotations

import re

import pytest
from biip.gs1_application_identifiers import _GS1_APPLICATION_IDENTIFIERS as BIIP_AIS
from biip.gs1_messages import GS1Message
from hypothesis import given, settings
from hypothesis import strategies as st

from labels.codes import Alias, parse_code
from labels.element_strings import PREDEFINED_LENGTH
from labels.errors import CodeError
from labels.grai import CHARSET_82, make_grai
from labels.layout import label_spec

GS = "\x1d"
SERIAL_CHARS = "".join(sorted(CHARSET_82))
G = make_grai("4012345", "12345", "ABC1")

# Serials that look like element-string syntax, URI syntax or EPC URI syntax.
TRICKY_SERIALS = [
    "(10)", "A(10)B", "ABC1(10)LOT7", "(99)", "X(99)Y", "(8003)", "1(8003)", "(21)1", "S(21)123",
    "(01)0952123454", "(00)", "(3103)000189", "(", ")", "()", ")(", "((8003))", "(12345)",
    "%", "%25", "%2F", "&", "/", "?", "+", "=", ":", ";", "<>", "!", '"', "'", "*", ",", "-", ".", "_",
    "00000001", "0", "8003", "0401234512345", "A" * 16, "(10)(21)(99)(8)",
]


@pytest.mark.parametrize("serial", TRICKY_SERIALS)
def test_labels_tricky_serials_round_trip_in_every_printed_form(serial: str) -> None:
    g = make_grai("4012345", "12345", serial)
    spec = label_spec(g, base_url="https://id.example.com", asset_type_name="Crate", operator_name="Op")
    for text in (
        spec.human_readable,  # the printed line
        g.element_string,
        spec.uri,  # the QR
        g.epc_uri,
        "]Q38003" + g.ai_value,
        "]d2" + GS + "0109521234543213" + "8003" + g.ai_value,
        "(01)09521234543213" + g.element_string,
    ):
        parsed = parse_code(text)
        assert parsed == g and parsed.serial == serial, text


@settings(max_examples=500, deadline=None)
@given(serial=st.text(SERIAL_CHARS, min_size=1, max_size=16), prefix_length=st.integers(6, 12),
       digits=st.text("0123456789", min_size=12, max_size=12))
def test_labels_property_printed_line_parses_back_to_the_same_grai(serial, prefix_length, digits) -> None:
    g = make_grai(digits[:prefix_length], digits[prefix_length:], serial)
    spec = label_spec(g, base_url="https://id.example.com", asset_type_name="Crate", operator_name="Op")
    parsed = parse_code(spec.human_readable)
    assert parsed == g and parsed.serial == serial


@settings(max_examples=300, deadline=None)
@given(serial=st.text(SERIAL_CHARS, min_size=1, max_size=16))
def test_labels_property_bracketed_form_agrees_with_biip_when_unambiguous(serial) -> None:
    # Where the serial holds no "(" biip's reading of the printed line is the only one.
    if "(" in serial:
        return
    g = make_grai("4012345", "12345", serial)
    elements = GS1Message.parse_hri(g.element_string).element_strings
    assert [(e.ai.ai, e.value) for e in elements] == [("8003", g.ai_value)]
    assert parse_code(g.element_string) == g


def test_labels_bracketed_rule_other_ais_before_8003() -> None:
    assert parse_code("(01)09521234543213(10)LOT(8003)04012345123456ABC1") == G
    # After (8003) everything is its value: "(10)LOT7" is part of the serial.
    assert parse_code("(8003)04012345123456ABC1(10)LOT7").serial == "ABC1(10)LOT7"
    with pytest.raises(CodeError) as info:
        parse_code("(8003)04012345123456ABC1(10)LOT123456789")
    assert "must come before it" in info.value.message


# --- AI 8003 more than once ------------------------------------------------------

OTHER = "04012345123456XYZ"


@pytest.mark.parametrize(
    "text",
    [
        "]d2800304012345123456ABC1" + GS + "8003" + OTHER,
        GS + "800304012345123456ABC1" + GS + "10LOT" + GS + "8003" + OTHER,
        "(8003)04012345123456ABC1(8003)" + OTHER,
        "https://id.example.com/8003/04012345123456ABC1/gAMJCAXukTMA",  # compressed 8003 04965031954585
    ],
)
def test_labels_two_different_grais_are_refused(text: str) -> None:
    with pytest.raises(CodeError) as info:
        parse_code(text)
    assert "2 different GRAIs (AI 8003)" in info.value.message


@pytest.mark.parametrize(
    "text",
    [
        "]d2800304012345123456ABC1" + GS + "800304012345123456ABC1",
        "]Q3800304012345123456ABC1" + GS + "10LOT" + GS + "800304012345123456ABC1",
        "(8003)04012345123456ABC1(8003)04012345123456ABC1",
    ],
)
def test_labels_identical_repeats_name_one_grai(text: str) -> None:
    assert parse_code(text) == G


def test_labels_biip_reads_the_repeats_we_refuse_as_two_values() -> None:
    message = GS1Message.parse("800304012345123456ABC1" + GS + "8003" + OTHER)
    assert [e.value for e in message.element_strings if e.ai.ai == "8003"] == ["04012345123456ABC1", OTHER]


# --- predefined-length AIs without separators ----------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "0109521234543213800304012345123456ABC1",  # no symbology identifier, no GS
        "01095212345432131725123111250101800304012345123456ABC1",  # GTIN, expiry, production date
        "00095212345678901234800304012345123456ABC1",  # SSCC
        "3103000189800304012345123456ABC1",  # net weight, 4-digit AI of predefined length
        "4140952123450005800304012345123456ABC1",  # GLN of a location
    ],
)
def test_labels_bare_concatenation_by_predefined_length(text: str) -> None:
    assert parse_code(text) == G
    biip_values = [e.value for e in GS1Message.parse(text).element_strings if e.ai.ai == "8003"]
    assert biip_values == [G.ai_value]


@pytest.mark.parametrize("alias", ["0109521234543213", "01095212345432138003", "10LOT800304012345123456ABC1"])
def test_labels_bare_digits_that_are_not_gs1_data_stay_aliases(alias: str) -> None:
    assert parse_code(alias) == Alias(alias)


def test_labels_predefined_length_table_matches_biip() -> None:
    for ai, entry in BIIP_AIS.items():
        if entry.separator_required:
            continue
        total = sum(int(n) for n in re.findall(r"N(\d+)", entry.format))
        assert PREDEFINED_LENGTH.get(ai[:2]) == total, ai
    for prefix in PREDEFINED_LENGTH:
        assert not any(a.separator_required for ai, a in BIIP_AIS.items() if ai.startswith(prefix)), prefix


@settings(max_examples=300, deadline=None)
@given(
    serial=st.text(SERIAL_CHARS, min_size=1, max_size=16),
    before=st.lists(st.sampled_from(["0109521234543213", "17251231", "3103000189", "10LOT-7" + GS, "21S1" + GS]),
                    max_size=3),
    after=st.sampled_from(["", GS + "10LOT1", GS + "0109521234543213"]),
)
def test_labels_property_raw_data_agrees_with_biip(serial, before, after) -> None:
    g = make_grai("4012345", "12345", serial)
    text = "".join(before) + "8003" + g.ai_value + after
    biip_values = [e.value for e in GS1Message.parse(text).element_strings if e.ai.ai == "8003"]
    assert biip_values == [g.ai_value]
    assert parse_code("]d2" + text) == g


@pytest.mark.parametrize("serial", ["WWWWWWWWWWWWWWWW", "(10)(21)(99)(8)", "00000001"])
# widths from the narrowest text column (layout.py) up
@pytest.mark.parametrize("width_pt", [66.6, 70.0, 90.0, 200.0])
def test_labels_pdf_code_lines_keep_the_key_whole_and_read_back(serial: str, width_pt: float) -> None:
    from labels.render_pdf import REGULAR, wrap_code

    g = make_grai("4012345", "12345", serial)
    lines, _size = wrap_code(g.element_string, REGULAR, 10.0, width_pt)
    assert lines[0].startswith("(8003)" + g.key14)
    assert parse_code("".join(lines)) == g
