"""parse_code: every delivery form of a GRAI, aliases, and what must be refused."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from labels.codes import Alias, parse_code
from labels.errors import CodeError
from labels.grai import CHARSET_82, Grai, make_grai

GS = "\x1d"
G = make_grai("4012345", "12345", "ABC1")


# --- every form, fixed examples -----------------------------------------------

EVERY_FORM = [
    "https://id.example.com/8003/04012345123456ABC1",
    "http://id.example.com/8003/04012345123456ABC1",
    "HTTPS://ID.EXAMPLE.COM/8003/04012345123456ABC1",
    "https://id.example.com/8003/04012345123456ABC1?linkType=gs1:pip",
    "https://id.example.com/8003/04012345123456ABC1#top",
    "https://id.example.com/8003/04012345123456ABC1?a=1#b",
    "https://resolver.example.org/some/path/8003/04012345123456ABC1",
    "https://id.example.com:8443/8003/04012345123456ABC1/",
    "https://id.example.com/8003/04012345123456%41%42%431",  # needlessly encoded serial
    "(8003)04012345123456ABC1",
    "(10)LOT7(8003)04012345123456ABC1",  # other AIs go before (8003), whose value runs to the end
    "(01)09521234543213(8003)04012345123456ABC1",
    "800304012345123456ABC1",  # scanner without symbology identifier
    GS + "800304012345123456ABC1",  # leading FNC1
    "]Q3800304012345123456ABC1",
    "]Q3" + GS + "800304012345123456ABC1" + GS + "10LOT7",
    "]d2800304012345123456ABC1" + GS + "21XYZ",
    "]C10109521234543213800304012345123456ABC1",  # fixed-length AI 01 before 8003
    "]d21710123110LOT1" + GS + "800304012345123456ABC1",  # AI 17 then variable AI 10
    "urn:epc:id:grai:4012345.12345.ABC1",
    "URN:EPC:ID:GRAI:4012345.12345.ABC1",
    "  https://id.example.com/8003/04012345123456ABC1\r\n",  # keyboard wedge
    "(8003)04012345123456ABC1\n",
    "\t]Q3800304012345123456ABC1\r",
]


@pytest.mark.parametrize("text", EVERY_FORM)
def test_labels_parse_every_form_gives_same_grai(text: str) -> None:
    parsed = parse_code(text)
    assert isinstance(parsed, Grai)
    assert parsed == G
    assert parsed.ai_value == "04012345123456ABC1"


def full_width(text: str) -> str:
    """What a keyboard-wedge scanner types while an input method is in full-width mode:
    printable ASCII as U+FF01..U+FF5E, the space as the ideographic space U+3000;
    control characters (GS, CR, LF, tab) stay as they are."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def test_labels_full_width_helper_changes_every_printable_character() -> None:
    assert full_width("(8003)0A z") == "\uff08\uff18\uff10\uff10\uff13\uff09\uff10\uff21\u3000\uff5a"
    assert full_width(GS + "\r\n") == GS + "\r\n"


@pytest.mark.parametrize("text", EVERY_FORM)
def test_labels_parse_every_form_in_full_width_gives_same_grai(text: str) -> None:
    wide = full_width(text)
    assert not any("!" <= c <= "~" for c in wide)  # really no ASCII letter, digit or sign left
    parsed = parse_code(wide)
    assert parsed == G and parsed.ai_value == "04012345123456ABC1"
    assert parse_code(wide).company_prefix_length == parse_code(text).company_prefix_length


@pytest.mark.parametrize("text", EVERY_FORM)
def test_labels_parse_full_width_digits_only_gives_same_grai(text: str) -> None:
    # Some input methods widen digits but not letters or signs.
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)
    assert parse_code(wide) == G


@pytest.mark.parametrize("alias", ["C-000123", "crate.17", "LEGACY_9", "04012345123456"])
def test_labels_parse_full_width_alias_is_the_ascii_alias(alias: str) -> None:
    assert parse_code(full_width(alias)) == Alias(alias)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("(8003)04012345123450ABC1", "check digit is 0, expected 6"),
        ("urn:epc:id:grai:4012345.1234.ABC1", "asset type must be 5 digits"),
        ("hello world", "nor an alias"),
    ],
)
def test_labels_parse_full_width_refusals_keep_their_reason(text: str, fragment: str) -> None:
    with pytest.raises(CodeError) as info:
        parse_code(full_width(text))
    assert fragment in info.value.message


def test_labels_parse_epc_keeps_prefix_length() -> None:
    parsed = parse_code("urn:epc:id:grai:4012345.12345.ABC1")
    assert parsed.company_prefix == "4012345" and parsed.asset_type == "12345"
    assert parse_code("(8003)04012345123456ABC1").company_prefix is None


def test_labels_parse_percent_encoded_serial_in_digital_link() -> None:
    g = make_grai("4012345", "12345", "A/B%C?D&")  # URI-reserved characters of set 82
    uri = g.digital_link("https://id.example.com")
    assert "/8003/04012345123456A%2FB%25C%3FD%26" in uri
    assert parse_code(uri) == g


@pytest.mark.parametrize("alias", ["C-000123", "crate.17", "LEGACY_9", "0", "A" * 40, "80031234", "04012345123456"])
def test_labels_parse_alias(alias: str) -> None:
    parsed = parse_code(alias + "\r\n")
    assert parsed == Alias(alias)
    assert parsed.text == alias


# --- refusals -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   \r\n", "empty"),
        ("x" * 513, "at most 512"),
        ("A" * 41, "nor an alias"),
        ("hello world", "nor an alias"),
        ("C-0001#", "nor an alias"),
        ("ÄÖÜ", "nor an alias"),
        ("]Q3", "no data"),
        # bad check digit, in every GRAI form
        ("https://id.example.com/8003/04012345123457ABC1", "check digit is 7, expected 6"),
        ("(8003)04012345123450ABC1", "check digit is 0, expected 6"),
        ("800304012345123451ABC1", "check digit is 1, expected 6"),
        ("]Q3800304012345123459ABC1", "check digit is 9, expected 6"),
        # wrong length of the numeric part
        ("(8003)0401234512345", "found 13"),
        ("https://id.example.com/8003/0401234512345", "found 13"),
        ("]d28003040123451234", "found 12"),
        ("(8003)", "found 0"),
        # filler digit
        ("(8003)14012345123456ABC1", "filler digit 0"),
        # serial problems
        ("(8003)04012345123456", "serial is required"),
        ("(8003)04012345123456ABCDEFGHIJKLMNOPQ", "17 characters"),
        ("https://id.example.com/8003/04012345123456AB%23", "'#'"),
        ("https://id.example.com/8003/04012345123456AB%7E", "'~'"),
        ("https://id.example.com/8003/04012345123456AB%C3%9C", "not in the GS1 character set 82"),
        ("https://id.example.com/8003/04012345123456AB%2", "broken percent escape"),
        ("https://id.example.com/8003/04012345123456AB%zz", "broken percent escape"),
        ("(8003)04012345123456AB C", "' '"),
        # structure problems
        ("https://id.example.com/01/09521234543213", "no /8003/"),
        ("https://id.example.com/8003/04012345123456ABC1/10/LOT", "last path segment"),
        ("https:///8003/04012345123456ABC1", "no host"),
        ("(01)09521234543213", "(8003) is missing"),
        ("]d20109521234543213", "AI 8003 is missing"),
        ("]Q3ABC", "malformed"),
        ("x(8003)04012345123456ABC1", "nor an alias"),
        ("urn:epc:id:grai:4012345.1234.ABC1", "asset type must be 5 digits"),
        ("urn:epc:id:grai:40123.1234567.ABC1", "company prefix must be 6 to 12"),
        ("urn:epc:id:grai:4012345.12345", "<serial>"),
        ("urn:epc:id:grai:4012345.12345.", "serial is required"),
        ("urn:epc:tag:grai-96:0.4012345.12345.1", "pure identity"),
    ],
)
def test_labels_parse_refuses_with_reason(text: str, fragment: str) -> None:
    with pytest.raises(CodeError) as info:
        parse_code(text)
    assert info.value.field == "code"
    assert fragment in info.value.message


@pytest.mark.parametrize("value", [None, 12345, b"(8003)04012345123456ABC1"])
def test_labels_parse_refuses_non_text(value) -> None:
    with pytest.raises(CodeError) as info:
        parse_code(value)  # type: ignore[arg-type]
    assert info.value.field == "code"


def test_labels_alias_constructor_validates() -> None:
    with pytest.raises(CodeError) as info:
        Alias("has space")
    assert info.value.field == "code"


# --- properties -----------------------------------------------------------------

SERIAL_CHARS = "".join(sorted(CHARSET_82))


@st.composite
def grais(draw) -> Grai:
    prefix_length = draw(st.integers(6, 12))
    prefix = draw(st.text("0123456789", min_size=prefix_length, max_size=prefix_length))
    asset_type = draw(st.text("0123456789", min_size=12 - prefix_length, max_size=12 - prefix_length))
    serial = draw(st.text(SERIAL_CHARS, min_size=1, max_size=16))
    return make_grai(prefix, asset_type, serial)


hosts = st.sampled_from(["id.example.com", "ID.Example.COM", "resolver.crates.example.org:8443", "localhost"])
prefix_paths = st.sampled_from(["", "/dl", "/a/b/c", "/8003x"])
suffixes = st.sampled_from(["", "?linkType=all", "#frag", "?a=b&c=d#e", "/"])
noise = st.sampled_from(["", "\r\n", "\n", "  ", "\t"])


@settings(max_examples=300, deadline=None)
@given(g=grais(), scheme=st.sampled_from(["http", "https", "HTTPS"]), host=hosts, path=prefix_paths,
       suffix=suffixes, tail=noise)
def test_labels_property_digital_link_round_trip(g, scheme, host, path, suffix, tail) -> None:
    uri = g.digital_link(f"{scheme}://{host}{path}")
    parsed = parse_code(uri + suffix + tail)
    assert parsed == g and parsed.serial == g.serial and parsed.ai_value == g.ai_value
    # The URI itself carries only unreserved characters and %XX escapes after /8003/.
    assert re.fullmatch(r"[0-9]{14}([A-Za-z0-9._~-]|%[0-9A-F]{2})*", uri.rsplit("/8003/", 1)[1])


@settings(max_examples=300, deadline=None)
@given(g=grais(), tail=noise)
def test_labels_property_element_string_round_trip(g, tail) -> None:
    # The value of (8003) runs to the end, so even a serial holding "(10)" reads back.
    assert parse_code(g.element_string + tail) == g


@settings(max_examples=300, deadline=None)
@given(
    g=grais(),
    symbology=st.sampled_from(["", "]Q3", "]d2", "]C1"]),
    fnc1=st.booleans(),
    before=st.sampled_from(["", "0109521234543213", "1725123110LOT-9" + GS, "21SER" + GS]),
    after=st.sampled_from(["", GS, GS + "10LOT1", GS + "0109521234543213"]),
    tail=noise,
)
def test_labels_property_raw_scanner_data_round_trip(g, symbology, fnc1, before, after, tail) -> None:
    text = symbology + (GS if fnc1 else "") + before + "8003" + g.ai_value + after + tail
    assume(symbology or fnc1 or before == "" or GS in text)  # otherwise not marked as GS1 data
    assert parse_code(text) == g


@settings(max_examples=300, deadline=None)
@given(g=grais(), tail=noise)
def test_labels_property_epc_uri_round_trip(g, tail) -> None:
    parsed = parse_code(g.epc_uri + tail)
    assert parsed == g
    assert parsed.company_prefix_length == g.company_prefix_length
    assert parsed.epc_uri == g.epc_uri


@settings(max_examples=200, deadline=None)
@given(g=grais(), delta=st.integers(1, 9))
def test_labels_property_wrong_check_digit_never_accepted(g, delta) -> None:
    wrong = str((int(g.check_digit) + delta) % 10)
    ai_value = "0" + g.digits12 + wrong + g.serial
    for text in (
        f"https://id.example.com/8003/{ai_value[:14]}{quote(g.serial, safe='')}",
        f"(8003){ai_value}",
        f"]Q38003{ai_value}",
    ):
        with pytest.raises(CodeError) as info:
            parse_code(text)
        assert info.value.message == f"check digit is {wrong}, expected {g.check_digit}"


@settings(max_examples=300, deadline=None)
@given(alias=st.from_regex(r"[A-Za-z0-9._-]{1,40}", fullmatch=True))
def test_labels_property_aliases_stay_aliases(alias) -> None:
    assume(not re.match(r"8003[0-9]{14}", alias))  # that prefix is raw GS1 scanner data
    assert parse_code(alias) == Alias(alias)


@settings(max_examples=200, deadline=None)
@given(g=grais(), form=st.sampled_from(["link", "element", "raw", "epc"]))
def test_labels_property_full_width_round_trip(g, form) -> None:
    assume(form != "element" or not re.search(r"\([0-9]{2,4}\)", g.serial))
    text = {"link": g.digital_link("https://id.example.com"), "element": g.element_string,
            "raw": "]Q3" + "8003" + g.ai_value, "epc": g.epc_uri}[form]
    assert parse_code(full_width(text)) == g
