"""GS1 Global Returnable Asset Identifier (GRAI, application identifier 8003).

Layout of the AI 8003 value (GS1 General Specifications, section 3.9.3):

    0  PPPPPPP TTTTT  C  SSSS...
    |  |       |      |  serial, 0..16 characters of GS1 character set 82
    |  |       |      check digit over the 12 digits before it
    |  |       asset type (12 - prefix length digits)
    |  GS1 company prefix (6..12 digits)
    filler digit, always 0

The element string does not say where the company prefix ends, so a GRAI
read from a barcode knows its 12 key digits but not the prefix length.
``Grai`` therefore stores the 12 digits and, when known, the prefix length.
Identity (equality, hashing) is the key digits plus serial: the prefix length
is allocation metadata, not part of the identifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import quote, urlsplit

from labels.errors import GraiError

AI_GRAI = "8003"
FILLER_DIGIT = "0"
MAX_SERIAL_LENGTH = 16
MIN_PREFIX_LENGTH = 6
MAX_PREFIX_LENGTH = 12

# GS1 AI encodable character set 82 (General Specifications figure 7.11-1).
CHARSET_82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)

# Characters of set 82 that must be %-escaped inside an EPC pure identity URI
# (GS1 EPC Tag Data Standard); all other set-82 characters appear literally.
_EPC_ESCAPED = frozenset("\"%&/<>?")

_DIGITS = re.compile(r"[0-9]+")


def check_digit(digits: str) -> str:
    """Mod-10 check digit of a GS1 key given without its check digit.

    Works for every GS1 key (GTIN-8/12/13/14, SSCC, GLN, GRAI, ...): weights
    3, 1, 3, 1, ... are applied from the rightmost digit leftwards, so leading
    zeros never change the result.
    """
    if not isinstance(digits, str) or not _DIGITS.fullmatch(digits):
        raise GraiError("digits", f"expected only digits 0-9, got {digits!r}")
    if len(digits) > 17:
        raise GraiError("digits", f"a GS1 key has at most 17 digits before its check digit, got {len(digits)}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def serial_problem(serial: str) -> str | None:
    """Why ``serial`` is not a valid GRAI serial, or None when it is."""
    if not serial:
        # A GRAI without serial names an asset type, not one box; this
        # service tracks individual boxes, so the serial is mandatory.
        return "serial is required: a GRAI without serial identifies only the asset type"
    if len(serial) > MAX_SERIAL_LENGTH:
        return f"serial has {len(serial)} characters, at most {MAX_SERIAL_LENGTH} are allowed"
    for ch in serial:
        if ch not in CHARSET_82:
            return f"serial contains {ch!r}, which is not in the GS1 character set 82"
    return None


@dataclass(frozen=True)
class Grai:
    """One serialised GRAI.

    ``digits12`` is company prefix + asset type (12 digits, no filler, no
    check digit). ``company_prefix_length`` is None when the GRAI was read
    from a form that does not carry it (element string, Digital Link).
    """

    digits12: str
    serial: str
    company_prefix_length: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.digits12, str) or not re.fullmatch(r"[0-9]{12}", self.digits12):
            raise GraiError("digits12", f"expected 12 digits (company prefix + asset type), got {self.digits12!r}")
        if not isinstance(self.serial, str):
            raise GraiError("serial", f"expected text, got {type(self.serial).__name__}")
        problem = serial_problem(self.serial)
        if problem:
            raise GraiError("serial", problem)
        n = self.company_prefix_length
        if n is not None and (
            isinstance(n, bool) or not isinstance(n, int) or not MIN_PREFIX_LENGTH <= n <= MAX_PREFIX_LENGTH
        ):
            raise GraiError(
                "company_prefix_length",
                f"a GS1 company prefix has {MIN_PREFIX_LENGTH} to {MAX_PREFIX_LENGTH} digits, got {n!r}",
            )

    @property
    def company_prefix(self) -> str | None:
        n = self.company_prefix_length
        return None if n is None else self.digits12[:n]

    @property
    def asset_type(self) -> str | None:
        """Asset type digits; empty for a 12-digit prefix, None when unknown."""
        n = self.company_prefix_length
        return None if n is None else self.digits12[n:]

    @property
    def check_digit(self) -> str:
        return check_digit(self.digits12)

    @property
    def key14(self) -> str:
        """The fixed-length part of the AI value: filler, 12 digits, check digit."""
        return FILLER_DIGIT + self.digits12 + self.check_digit

    @property
    def ai_value(self) -> str:
        """AI 8003 value, e.g. ``"04012345123456ABC1"``."""
        return self.key14 + self.serial

    @property
    def element_string(self) -> str:
        """Human-readable form printed under barcodes, e.g. ``"(8003)04012345123456ABC1"``."""
        return f"({AI_GRAI}){self.ai_value}"

    def digital_link(self, base_url: str) -> str:
        """GS1 Digital Link URI on the resolver at ``base_url``.

        The serial is percent-encoded except RFC 3986 unreserved characters,
        as the GS1 Digital Link standard asks, so every scanner and phone
        reads back exactly the same characters.
        """
        return f"{_resolver_root(base_url)}/{AI_GRAI}/{self.key14}{quote(self.serial, safe='')}"

    @property
    def epc_uri(self) -> str:
        """EPC pure identity URI, ``urn:epc:id:grai:<prefix>.<type>.<serial>``."""
        if self.company_prefix_length is None:
            raise GraiError(
                "company_prefix_length",
                "the EPC URI needs the company prefix length, which this GRAI does not carry",
            )
        serial = "".join(f"%{ord(c):02X}" if c in _EPC_ESCAPED else c for c in self.serial)
        return f"urn:epc:id:grai:{self.company_prefix}.{self.asset_type}.{serial}"

    def with_company_prefix_length(self, length: int) -> Grai:
        """The same GRAI annotated with its company prefix length."""
        return replace(self, company_prefix_length=length)


def make_grai(company_prefix: str, asset_type: str, serial: str) -> Grai:
    """Build a GRAI from its parts, validating each one.

    Raises GraiError whose ``field`` is ``"company_prefix"``, ``"asset_type"``
    or ``"serial"``.
    """
    if not isinstance(company_prefix, str) or not _DIGITS.fullmatch(company_prefix):
        raise GraiError("company_prefix", f"company prefix must be digits only, got {company_prefix!r}")
    if not MIN_PREFIX_LENGTH <= len(company_prefix) <= MAX_PREFIX_LENGTH:
        raise GraiError(
            "company_prefix",
            f"company prefix has {len(company_prefix)} digits, "
            f"a GS1 company prefix has {MIN_PREFIX_LENGTH} to {MAX_PREFIX_LENGTH}",
        )
    if not isinstance(asset_type, str) or (asset_type and not _DIGITS.fullmatch(asset_type)):
        raise GraiError("asset_type", f"asset type must be digits only, got {asset_type!r}")
    expected = 12 - len(company_prefix)
    if len(asset_type) != expected:
        raise GraiError(
            "asset_type",
            f"asset type must have {expected} digits with a {len(company_prefix)}-digit company prefix, "
            f"got {len(asset_type)}",
        )
    if not isinstance(serial, str):
        raise GraiError("serial", f"serial must be text, got {type(serial).__name__}")
    problem = serial_problem(serial)
    if problem:
        raise GraiError("serial", problem)
    return Grai(company_prefix + asset_type, serial, len(company_prefix))


def _resolver_root(base_url: str) -> str:
    """Validate a resolver base URL and return it without trailing slash."""
    if not isinstance(base_url, str):
        raise GraiError("base_url", "resolver base URL must be text")
    try:
        parts = urlsplit(base_url.strip())
    except ValueError as err:
        raise GraiError("base_url", f"resolver base URL is not a URL: {err}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise GraiError("base_url", f"resolver base URL must be http(s)://host[/path], got {base_url!r}")
    if "@" in parts.netloc:
        raise GraiError("base_url", "resolver base URL must not contain user information")
    if parts.query or parts.fragment:
        raise GraiError("base_url", "resolver base URL must not have a query string or fragment")
    root = f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"
    if not root.isascii() or any(c.isspace() or c in "^~\"<>\\{}|`" for c in root):
        # Kept to plain URI characters so the link survives QR byte mode and
        # ZPL field data (where ^ and ~ are command prefixes) unchanged.
        raise GraiError("base_url", "resolver base URL must contain only plain ASCII URI characters without ^ or ~")
    return root
