"""Parse whatever a scanner, a phone or a partner system sends as an asset code.

Accepted forms, all yielding the same ``Grai``:

* GS1 Digital Link URI: ``https://any.host/any/prefix/8003/04012345123456ABC1?x#y``
  (scheme and host in any case, serial percent-encoded or not);
* compressed GS1 Digital Link URI (``https://any.host/gAMJCAXukTMA...``, or
  ``/8003/<GRAI>/<compressed rest>``), see dl_compression.py;
* element string: ``(8003)04012345123456ABC1``, possibly after other
  ``(AI)value`` groups, which are ignored; the value of (8003) runs to the
  end of the text, so a serial may contain ``(10)`` (element_strings.py);
* raw GS1 data as hardware scanners transmit GS1 QR / DataMatrix / GS1-128:
  optional AIM symbology identifier (``]Q3``, ``]d2``, ``]C1``, ...), optional
  leading FNC1 sent as ASCII 29 (GS), other AIs before or after 8003 separated
  by GS or, after AIs of predefined length such as 01, by nothing at all;
* EPC pure identity URI: ``urn:epc:id:grai:4012345.12345.ABC1``.

Every form may also arrive in full-width characters (``８００３…``, ``（８００３）``),
as a keyboard-wedge scanner types them while a Chinese or Japanese input method is
in full-width mode: the text is normalised to Unicode NFKC first, so the API, the
asset lookup and the scanning page (which does the same) agree on what was scanned.

AI 8003 repeated with the same value is one GRAI; two different values in
one input are refused.

Anything else made only of ``[A-Za-z0-9._-]`` (1..40 characters) is an
operator-assigned alias such as a legacy serial ``C-000123``. Input that
clearly tries to be a GRAI but is wrong (bad check digit, too few digits,
serial outside character set 82) raises CodeError instead of falling through
to an alias, so a misprinted label is reported rather than silently unknown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from labels.dl_compression import SEGMENT, decompress
from labels.element_strings import grai_value_from_bracketed, grai_value_from_raw, looks_like_bare_gs1, the_one_value
from labels.errors import CodeError, GraiError
from labels.grai import AI_GRAI, FILLER_DIGIT, MAX_PREFIX_LENGTH, MIN_PREFIX_LENGTH, Grai, check_digit, serial_problem

FIELD = "code"
MAX_CODE_LENGTH = 512  # a Digital Link for one GRAI is ~100 characters; more is not a code
MAX_ALIAS_LENGTH = 40
GS = "\x1d"  # ASCII group separator: how scanners transmit FNC1

_ALIAS = re.compile(r"[A-Za-z0-9._-]{1,%d}" % MAX_ALIAS_LENGTH)
# Only surrounding blanks and line ends are noise; GS is data and must survive.
_NOISE = " \t\r\n\f\v\u00a0"
# AIM symbology identifier: ']' + symbology letter + modifier character.
_SYMBOLOGY_ID = re.compile(r"\][A-Za-z][0-9A-Za-z]")
# Identifiers whose data is GS1 element strings without parentheses.
_GS1_SYMBOLOGIES = frozenset({"C1", "d2", "Q3", "e0", "J1"})


@dataclass(frozen=True)
class Alias:
    """An operator-assigned code that is not a GS1 identifier."""

    text: str

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not _ALIAS.fullmatch(self.text):
            raise CodeError(
                FIELD,
                f"an alias has 1 to {MAX_ALIAS_LENGTH} letters, digits, '.', '_' or '-', got {self.text!r}",
            )


def parse_code(text: str) -> Grai | Alias:
    """Recognise ``text`` as a GRAI in any supported form, or as an alias."""
    if not isinstance(text, str):
        raise CodeError(FIELD, f"code must be text, got {type(text).__name__}")
    s = unicodedata.normalize("NFKC", text).strip(_NOISE)
    if not s:
        raise CodeError(FIELD, "code is empty")
    if len(s) > MAX_CODE_LENGTH:
        raise CodeError(FIELD, f"code has {len(s)} characters, at most {MAX_CODE_LENGTH} are accepted")

    symbology = None
    if _SYMBOLOGY_ID.match(s):
        symbology, s = s[1:3], s[3:]
        if not s:
            raise CodeError(FIELD, "code has a scanner symbology identifier but no data")

    lowered = s[:16].lower()
    if lowered.startswith(("http://", "https://")):
        return _from_digital_link(s)
    if lowered == "urn:epc:id:grai:":
        return _from_epc_uri(s)
    if lowered.startswith("urn:epc:"):
        raise CodeError(FIELD, "only EPC pure identity URIs for GRAI (urn:epc:id:grai:...) are accepted")
    if s.startswith("("):
        return _from_element_string(s)
    if symbology in _GS1_SYMBOLOGIES or GS in s or looks_like_bare_gs1(s):
        return _from_raw_gs1(s)
    if _ALIAS.fullmatch(s):
        return Alias(s)
    raise CodeError(
        FIELD,
        "not a GRAI (Digital Link URI, (8003) element string, GS1 scanner data or EPC URI) "
        f"nor an alias (1 to {MAX_ALIAS_LENGTH} letters, digits, '.', '_' or '-')",
    )


def grai_from_ai_value(value: str) -> Grai:
    """Validate an AI 8003 value (filler, 12 digits, check digit, serial)."""
    digits = len(value) - len(value.lstrip("0123456789"))
    if digits < 14:
        raise CodeError(FIELD, f"a GRAI starts with 14 digits after AI 8003, found {digits}")
    if value[0] != FILLER_DIGIT:
        raise CodeError(FIELD, f"the first digit of a GRAI must be the filler digit 0, got {value[0]}")
    given, expected = value[13], check_digit(value[1:13])
    if given != expected:
        raise CodeError(FIELD, f"check digit is {given}, expected {expected}")
    problem = serial_problem(value[14:])
    if problem:
        raise CodeError(FIELD, problem)
    return Grai(value[1:13], value[14:])


def _from_digital_link(uri: str) -> Grai:
    try:
        parts = urlsplit(uri)
    except ValueError as err:
        raise CodeError(FIELD, f"malformed Digital Link URI: {err}") from None
    if not parts.hostname:
        raise CodeError(FIELD, "Digital Link URI has no host")
    segments = parts.path.split("/")
    if segments and segments[-1] == "":
        segments.pop()  # tolerate one trailing slash
    # The GRAI is the last path segment, right after an "8003" segment; any
    # path before it belongs to the resolver (GS1 allows a path prefix).
    if len(segments) >= 2 and segments[-2] == AI_GRAI:
        return grai_from_ai_value(_percent_decode(segments[-1]))
    compressed, why_not = _decompressed(segments[-1] if segments else "")
    if len(segments) >= 3 and segments[-3] == AI_GRAI and compressed is not None:
        # Partly compressed: /8003/<GRAI>/<the other AIs, compressed>.
        values = [_percent_decode(segments[-2])] + [v for ai, v in compressed if ai == AI_GRAI]
        return grai_from_ai_value(the_one_value(values))
    if AI_GRAI in segments:
        raise CodeError(FIELD, "in a Digital Link URI the GRAI must be the last path segment, right after /8003/")
    if compressed is None:
        raise CodeError(FIELD, f"URL is not a GRAI Digital Link: no /8003/ path segment, nor compressed ({why_not})")
    values = [v for ai, v in compressed if ai == AI_GRAI]
    if not values:
        raise CodeError(FIELD, "compressed Digital Link carries no GRAI: AI 8003 is missing")
    return grai_from_ai_value(the_one_value(values))


def _decompressed(segment: str) -> tuple[list[tuple[str, str]] | None, str]:
    """(AI, value) pairs of a compressed path segment, or None and why it is not one."""
    if not SEGMENT.fullmatch(segment):
        return None, "its last path segment has characters outside A-Z a-z 0-9 - _"
    try:
        return decompress(segment), ""
    except CodeError as err:
        return None, err.message


def _from_element_string(s: str) -> Grai:
    value = grai_value_from_bracketed(s)
    try:
        return grai_from_ai_value(value)
    except CodeError as err:
        if "(" not in value[14:] or not serial_problem(value[14:]):
            raise
        raise CodeError(FIELD, f"{err.message}; everything after (8003) is its value, so other AIs must come "
                               "before it") from None


def _from_raw_gs1(s: str) -> Grai:
    return grai_from_ai_value(grai_value_from_raw(s))


def _from_epc_uri(s: str) -> Grai:
    body = s[len("urn:epc:id:grai:") :]
    fields = body.split(".", 2)  # the serial may itself contain dots
    if len(fields) != 3:
        raise CodeError(FIELD, "EPC URI must be urn:epc:id:grai:<company prefix>.<asset type>.<serial>")
    prefix, asset_type, serial = fields
    if not re.fullmatch(r"[0-9]{%d,%d}" % (MIN_PREFIX_LENGTH, MAX_PREFIX_LENGTH), prefix):
        raise CodeError(
            FIELD, f"EPC URI company prefix must be {MIN_PREFIX_LENGTH} to {MAX_PREFIX_LENGTH} digits, got {prefix!r}"
        )
    if not re.fullmatch(r"[0-9]*", asset_type) or len(prefix) + len(asset_type) != 12:
        raise CodeError(
            FIELD,
            f"EPC URI asset type must be {12 - len(prefix)} digits with a {len(prefix)}-digit company prefix, "
            f"got {asset_type!r}",
        )
    serial = _percent_decode(serial)
    problem = serial_problem(serial)
    if problem:
        raise CodeError(FIELD, problem)
    try:
        return Grai(prefix + asset_type, serial, len(prefix))
    except GraiError as err:  # defensive: every field was checked above
        raise CodeError(FIELD, err.message) from None


def _percent_decode(s: str) -> str:
    """Strict %XX decoding: a stray '%' is an error, not a literal."""
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "%":
            hex2 = s[i + 1 : i + 3]
            if not re.fullmatch(r"[0-9A-Fa-f]{2}", hex2):
                raise CodeError(FIELD, f"broken percent escape {s[i:i + 3]!r}")
            out.append(chr(int(hex2, 16)))
            i += 3
        else:
            out.append(c)
            i += 1
    return "".join(out)
