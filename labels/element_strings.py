"""GS1 element strings: where the AI 8003 value is in bracketed and in raw (scanner) data.

Raw data is what scanners transmit: AI and value, AI and value, ... with no
brackets. An AI of predefined length (GS1 General Specifications, figure
7.8.5-1: 00, 01, 02, ..., 41) ends after its fixed number of characters; any
other AI ends at a GS (ASCII 29, how scanners transmit FNC1) or at the end of
the data. So ``0109521234543213800304012345123456ABC1`` is GTIN + GRAI without
any separator, and AI 8003, being of variable length, must be last or be
followed by GS.

The bracketed form ``(8003)04012345123456ABC1`` is the human-readable
interpretation (HRI) printed under a symbol. GS1 defines it for people, not
for parsing: it has no escape, so a serial containing ``(10)`` reads exactly
like a following AI 10. The rule here is the one raw data has: AI 8003 is of
variable length, so its value runs to the end of the text, brackets included.
AIs may precede (8003); an element after it is read as part of the serial.
That makes every label this service prints read back as the same asset,
whatever characters of set 82 its serial holds.

AI 8003 may occur more than once only with the same value (the same asset);
two different values in one input are refused, in every form.
"""

from __future__ import annotations

import re

from labels.errors import CodeError
from labels.grai import AI_GRAI, serial_problem

FIELD = "code"
GS = "\x1d"

# First two digits of the AIs of predefined length -> length of AI + value
# (GS1 General Specifications figure 7.8.5-1). Only these need no separator.
PREDEFINED_LENGTH = {
    "00": 20, "01": 16, "02": 16, "03": 16, "04": 18,
    **{str(n): 8 for n in range(11, 20)},
    "20": 4,
    **{str(n): 10 for n in range(31, 37)},
    "41": 16,
}
# All these AIs have numeric values. Raw data without symbology identifier
# and without GS is taken as GS1 data only when it is a chain of them ending
# in AI 8003 and its 14 digits; anything else may still be an alias.
_BARE_GS1 = re.compile(
    "(?:%s)*8003[0-9]{14}" % "|".join(f"{ai}[0-9]{{{n - 2}}}" for ai, n in PREDEFINED_LENGTH.items())
)
_AI_IN_BRACKETS = re.compile(r"\(([0-9]{2,4})\)")


def looks_like_bare_gs1(s: str) -> bool:
    """True for raw GS1 data sent without symbology identifier and without GS."""
    return _BARE_GS1.match(s) is not None


def grai_value_from_bracketed(s: str) -> str:
    """The AI 8003 value of a bracketed element string such as ``(01)...(8003)...``."""
    if not _AI_IN_BRACKETS.match(s):
        raise CodeError(FIELD, "element string must start with an AI in parentheses, e.g. (8003)")
    for m in _AI_IN_BRACKETS.finditer(s):
        if m.group(1) == AI_GRAI:
            return _single_bracketed_value(s[m.end():])
    raise CodeError(FIELD, "element string carries no GRAI: AI (8003) is missing")


def _single_bracketed_value(rest: str) -> str:
    """Everything after (8003); a repeated (8003) only when the serial could not hold it."""
    marker = f"({AI_GRAI})"
    if marker not in rest[14:] or not serial_problem(rest[14:]):
        return rest
    # A 14-digit key after "(8003)" makes the serial at least 20 characters:
    # no valid serial holds it, so this is AI 8003 written more than once.
    return the_one_value(rest.split(marker))


def grai_value_from_raw(data: str) -> str:
    """The AI 8003 value of raw GS1 data (no symbology identifier, leading GS allowed)."""
    data = data.lstrip(GS)  # a leading FNC1 only marks the data as GS1
    values = []
    pos = 0
    while pos < len(data):
        ai2 = data[pos : pos + 2]
        if not re.fullmatch(r"[0-9]{2}", ai2):
            raise CodeError(FIELD, f"GS1 scanner data is malformed at position {pos + 1}: expected an AI")
        if ai2 in PREDEFINED_LENGTH:
            pos += PREDEFINED_LENGTH[ai2]
            if data.startswith(GS, pos):
                pos += 1  # some encoders add a needless separator
            continue
        end = data.find(GS, pos)
        end = len(data) if end < 0 else end
        if data.startswith(AI_GRAI, pos):
            values.append(data[pos + len(AI_GRAI) : end])
        pos = end + 1
    if not values:
        raise CodeError(FIELD, "GS1 scanner data carries no GRAI: AI 8003 is missing")
    return the_one_value(values)


def the_one_value(values: list[str]) -> str:
    """The value of AI 8003 given once or repeated identically; two different ones are refused."""
    if len(set(values)) > 1:
        raise CodeError(
            FIELD, f"the code carries {len(set(values))} different GRAIs (AI 8003): {', '.join(sorted(set(values)))}"
        )
    return values[0]
