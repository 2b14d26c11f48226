"""GRAI construction, GS1 check digits and the derived representations."""

from __future__ import annotations

import pytest

from labels.errors import GraiError, LabelError
from labels.grai import CHARSET_82, Grai, check_digit, make_grai


# --- check digits -----------------------------------------------------------

@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("401234512345", "6"),  # GS1 General Specifications GRAI example 0 4012345 12345 6
        ("629104150021", "3"),  # GTIN-13 6291041500213
        ("400638133393", "1"),  # GTIN-13 4006381333931
        ("0401234512345", "6"),  # a leading filler zero never changes the result
        ("000000000000", "0"),
    ],
)
def test_labels_check_digit_published_examples(digits: str, expected: str) -> None:
    assert check_digit(digits) == expected


def test_labels_check_digit_detects_every_single_digit_error() -> None:
    base = "401234512345"
    good = base + check_digit(base)
    for pos in range(12):
        for d in "0123456789":
            if d == base[pos]:
                continue
            mutated = base[:pos] + d + base[pos + 1 :]
            assert check_digit(mutated) != good[-1], (pos, d)


@pytest.mark.parametrize("bad", ["", "12a4", "１２３", "1" * 18, " 123"])
def test_labels_check_digit_rejects_non_keys(bad: str) -> None:
    with pytest.raises(GraiError) as info:
        check_digit(bad)
    assert info.value.field == "digits"


# --- make_grai --------------------------------------------------------------

def test_labels_make_grai_published_example() -> None:
    g = make_grai("4012345", "12345", "ABC1")
    assert g.company_prefix == "4012345"
    assert g.asset_type == "12345"
    assert g.check_digit == "6"
    assert g.ai_value == "04012345123456ABC1"
    assert g.element_string == "(8003)04012345123456ABC1"
    assert g.epc_uri == "urn:epc:id:grai:4012345.12345.ABC1"


@pytest.mark.parametrize("prefix_length", range(6, 13))
def test_labels_make_grai_every_prefix_length(prefix_length: int) -> None:
    digits = "401234512345"
    g = make_grai(digits[:prefix_length], digits[prefix_length:], "7")
    assert g.digits12 == digits
    assert g.company_prefix_length == prefix_length
    assert g.ai_value == "040123451234567"
    assert g.epc_uri == f"urn:epc:id:grai:{digits[:prefix_length]}.{digits[prefix_length:]}.7"


@pytest.mark.parametrize(
    ("prefix", "asset_type", "serial", "field", "fragment"),
    [
        ("40123A5", "12345", "1", "company_prefix", "digits only"),
        ("40123", "1234567", "1", "company_prefix", "has 5 digits"),
        ("4012345123456", "", "1", "company_prefix", "has 13 digits"),
        ("", "123456789012", "1", "company_prefix", "digits only"),
        ("4012345", "1234", "1", "asset_type", "must have 5 digits"),
        ("4012345", "123456", "1", "asset_type", "must have 5 digits"),
        ("4012345", "12a45", "1", "asset_type", "digits only"),
        ("4012345", "12345", "", "serial", "serial is required"),
        ("4012345", "12345", "A" * 17, "serial", "17 characters"),
        ("4012345", "12345", "AB#1", "serial", "'#'"),
        ("4012345", "12345", "AB 1", "serial", "' '"),
        ("4012345", "12345", "Ü1", "serial", "'Ü'"),
        ("4012345", "12345", "A~", "serial", "'~'"),
    ],
)
def test_labels_make_grai_rejects_with_field(prefix, asset_type, serial, field, fragment) -> None:
    with pytest.raises(GraiError) as info:
        make_grai(prefix, asset_type, serial)
    assert info.value.field == field
    assert fragment in info.value.message
    assert isinstance(info.value, LabelError) and isinstance(info.value, ValueError)


def test_labels_make_grai_accepts_whole_charset_82() -> None:
    chars = sorted(CHARSET_82)
    assert len(chars) == 82
    for i in range(0, len(chars), 16):
        serial = "".join(chars[i : i + 16])
        assert make_grai("4012345", "12345", serial).serial == serial


def test_labels_twelve_digit_prefix_has_empty_asset_type() -> None:
    g = make_grai("401234512345", "", "X")
    assert g.asset_type == ""
    assert g.epc_uri == "urn:epc:id:grai:401234512345..X"


# --- Grai value object --------------------------------------------------------

def test_labels_grai_identity_ignores_prefix_length() -> None:
    known = make_grai("4012345", "12345", "ABC1")
    unknown = Grai("401234512345", "ABC1")
    assert known == unknown and hash(known) == hash(unknown)
    assert unknown.company_prefix is None and unknown.asset_type is None
    assert unknown.with_company_prefix_length(7).epc_uri == known.epc_uri
    assert Grai("401234512345", "ABC2") != known


def test_labels_grai_is_frozen() -> None:
    g = make_grai("4012345", "12345", "1")
    with pytest.raises(AttributeError):
        g.serial = "2"  # type: ignore[misc]


def test_labels_epc_uri_needs_prefix_length() -> None:
    with pytest.raises(GraiError) as info:
        Grai("401234512345", "1").epc_uri
    assert info.value.field == "company_prefix_length"


@pytest.mark.parametrize(
    ("digits12", "serial", "length", "field"),
    [
        ("40123451234", "1", None, "digits12"),
        ("40123451234x", "1", None, "digits12"),
        ("401234512345", "1", 5, "company_prefix_length"),
        ("401234512345", "1", 13, "company_prefix_length"),
        ("401234512345", "a b", None, "serial"),
    ],
)
def test_labels_grai_constructor_validates(digits12, serial, length, field) -> None:
    with pytest.raises(GraiError) as info:
        Grai(digits12, serial, length)
    assert info.value.field == field


def test_labels_epc_uri_escapes_reserved_characters() -> None:
    g = make_grai("4012345", "12345", 'A/B?C%D"E&F<G>H')
    assert g.epc_uri == "urn:epc:id:grai:4012345.12345.A%2FB%3FC%25D%22E%26F%3CG%3EH"
    # Characters that are legal in a URN stay literal.
    assert make_grai("4012345", "12345", "a-b_c.d!e*f'g(h)").epc_uri.endswith(".a-b_c.d!e*f'g(h)")


# --- Digital Link -------------------------------------------------------------

def test_labels_digital_link_form() -> None:
    g = make_grai("4012345", "12345", "ABC1")
    assert g.digital_link("https://id.example.com") == "https://id.example.com/8003/04012345123456ABC1"
    # trailing slash and upper-case host are normalised, a path prefix is kept
    assert g.digital_link("HTTPS://ID.Example.com/") == "https://id.example.com/8003/04012345123456ABC1"
    assert g.digital_link("https://example.com/dl/") == "https://example.com/dl/8003/04012345123456ABC1"


def test_labels_digital_link_percent_encodes_all_but_unreserved() -> None:
    g = make_grai("4012345", "12345", "a-b._/%?!")
    assert g.digital_link("https://id.example.com").endswith("/8003/04012345123456a-b._%2F%25%3F%21")


@pytest.mark.parametrize(
    "base",
    ["ftp://id.example.com", "id.example.com", "https://", "https://id.example.com/?q=1", "https://id.example.com/#x",
     "https://id.example.com/a~b", "https://id.exämple.com", "https://user:pw@id.example.com"],
)
def test_labels_digital_link_rejects_bad_base_url(base: str) -> None:
    with pytest.raises(GraiError) as info:
        make_grai("4012345", "12345", "1").digital_link(base)
    assert info.value.field == "base_url"


# --- purity ---------------------------------------------------------------------

def test_labels_package_imports_no_service_frameworks() -> None:
    """The package must stay usable outside the web service: no Flask, SQLAlchemy or Redis."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    code = (
        "import sys, labels, labels.codes, labels.render_pdf, labels.render_zpl, labels.render_qr\n"
        "bad = sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'sqlalchemy', 'redis', 'app'})\n"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
