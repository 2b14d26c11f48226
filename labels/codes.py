"""Parse whatever a scanner, a phone or a partner system sends as an asset code.

Accepted forms, all yielding the same ``Grai``:

* GS1 Digital Link URI: ``https://any.host/any/prefix/8003/04012345123456ABC1?x#y``
  (scheme and host in any case, serial percent-encoded or not);
* element string: ``(8003)04012345123456ABC1``, possibly followed by other
  ``(AI)value`` groups, which are ignored;
* raw GS1 data as hardware scanners transmit GS1 QR / DataMatrix / GS1-128:
  optional AIM symbology identifier (``]Q3``, ``]d2``, ``]C1``, ...), optional
  leading FNC1 sent as ASCII 29 (GS), other AIs before or after 8003 separated
  by GS;
* EPC pure identity URI: ``urn:epc:id:grai:4012345.12345.ABC1``.

Every form may also arrive in full-width characters (``８００３…``, ``（８００３）``),
as a keyboard-wedge scanner types them while a Chinese or Japanese input method is
in full-width mode: the text is normalised to Unicode NFKC first, so the API, the
asset lookup and the scanning page (which does the same) agree on what was scanned.

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
# A bare string of AI 8003 plus 14 digits is raw GS1 data from a scanner set
# up without symbology identifiers; shorter digit runs stay possible aliases.
_BARE_GRAI = re.compile(r"8003[0-9]{14}")
_AI_GROUP = re.compile(r"\(([0-9]{2,4})\)")
# GS1 AIs of predefined length (General Specifications figure 7.8.5-1): the
# first two digits give the length of AI + value, and no GS follows them.
_PREDEFINED_LENGTH = {
    "00": 20, "01": 16, "02": 16, "03": 16, "04": 18,
    **{str(n): 8 for n in range(11, 20)},
    "20": 4,
    **{str(n): 10 for n in range(31, 37)},
    "41": 16,
}


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
    if symbology in _GS1_SYMBOLOGIES or GS in s or _BARE_GRAI.match(s):
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
    if AI_GRAI in segments:
        raise CodeError(FIELD, "in a Digital Link URI the GRAI must be the last path segment, right after /8003/")
    raise CodeError(FIELD, "URL is not a GRAI Digital Link: no /8003/ path segment")


def _from_element_string(s: str) -> Grai:
    # Split "(AI)value(AI)value". A serial that itself contains "(NN)" is
    # ambiguous in this human-readable form; scanners never deliver it.
    pieces = _AI_GROUP.split(s)
    if pieces[0] != "":
        raise CodeError(FIELD, "element string must start with an AI in parentheses, e.g. (8003)")
    groups = dict(zip(pieces[1::2], pieces[2::2]))
    if AI_GRAI not in groups:
        raise CodeError(FIELD, "element string carries no GRAI: AI (8003) is missing")
    return grai_from_ai_value(groups[AI_GRAI])


def _from_raw_gs1(s: str) -> Grai:
    data = s.lstrip(GS)  # leading FNC1 only marks the data as GS1
    pos = 0
    while pos < len(data):
        if data.startswith(AI_GRAI, pos):
            end = data.find(GS, pos)
            return grai_from_ai_value(data[pos + 4 : end if end >= 0 else len(data)])
        ai2 = data[pos : pos + 2]
        if not re.fullmatch(r"[0-9]{2}", ai2):
            raise CodeError(FIELD, f"GS1 scanner data is malformed at position {pos + 1}: expected an AI")
        if ai2 in _PREDEFINED_LENGTH:
            pos += _PREDEFINED_LENGTH[ai2]
            if data.startswith(GS, pos):
                pos += 1  # some encoders add a needless separator
            continue
        end = data.find(GS, pos)
        if end < 0:
            break
        pos = end + 1
    raise CodeError(FIELD, "GS1 scanner data carries no GRAI: AI 8003 is missing")


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
