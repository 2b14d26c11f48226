"""Ed25519 signing of certificate documents, and the key the service publishes.

The private key comes from `SIGNING_KEY_FILE` (a PEM Ed25519 private key). Without it,
one is generated on first use into the instance folder (`instance/signing-key.pem`,
mode 0600); several workers starting at once agree on one key because the file is
created with an atomic link (the loser reads the winner's key).

What gets signed: the document canonicalised with RFC 8785 (JSON Canonicalization Scheme,
through the `rfc8785` library), so any JCS implementation reproduces the bytes. A document
says so inside what is signed (`signature.canonicalization: "RFC8785"`); documents signed
before carry no such field and were signed over `legacy_canonical_json` (Python's
`json.dumps` form, which writes whole-number floats as `60.0` where JCS writes `60`). They
keep verifying with that form; the field cannot be added or removed without breaking the
signature, so a document cannot be switched from one form to the other.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

ALGORITHM = "Ed25519"
CANONICALIZATION = "RFC8785"


def canonical_json(value) -> bytes:
    """Sorted keys, no spaces, UTF-8, no NaN: the inputs hash, and what certificates issued
    before RFC 8785 were signed over (see `legacy_canonical_json`)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


legacy_canonical_json = canonical_json


def jcs(value) -> bytes:
    """RFC 8785 bytes of `value` (ValueError for what JCS cannot carry: NaN, integers beyond
    2^53, lone surrogates)."""
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise ValueError(str(exc)) from exc


def canonicalization_of(document: dict) -> str | None:
    """"RFC8785" for documents that declare it inside the signed payload, None (legacy) otherwise."""
    block = document.get("signature")
    return block.get("canonicalization") if isinstance(block, dict) else None


def signed_bytes(document: dict) -> bytes:
    """Exactly the bytes the signature of `document` covers, in the form the document declares."""
    if canonicalization_of(document) == CANONICALIZATION:
        return jcs(document)
    return legacy_canonical_json(document)


def as_parsed(document: dict) -> dict:
    """`document` as any reader parses its RFC 8785 bytes (60.0 becomes 60): what is stored
    and served, so re-canonicalising what was read gives the signed bytes again."""
    return json.loads(jcs(document))


@dataclass(frozen=True)
class SigningKey:
    private_key: Ed25519PrivateKey
    public_key: Ed25519PublicKey
    key_id: str  # sha256 of the 32-byte raw public key, hex
    public_pem: str
    path: str

    def sign(self, document: dict) -> str:
        """Signature over `signed_bytes(document)` (RFC 8785 when the document declares it)."""
        return base64.b64encode(self.private_key.sign(signed_bytes(document))).decode("ascii")


def key_id_of(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def verify(public_key: Ed25519PublicKey, document: dict, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        public_key.verify(signature, signed_bytes(document))
        return True
    except (InvalidSignature, binascii.Error, ValueError):
        return False


def configured_key_file() -> str | None:
    """SIGNING_KEY_FILE of the settings (app.config carries it, so a test can point elsewhere)."""
    return current_app.config.get("SIGNING_KEY_FILE")


def key_path() -> Path:
    configured = configured_key_file()
    return Path(configured) if configured else Path(current_app.instance_path) / "signing-key.pem"


def current_key() -> SigningKey:
    """The service's signing key, loaded once per app (created on first use if absent)."""
    path = key_path()
    cached = current_app.extensions.get("signing_key")
    if cached is not None and cached.path == str(path):
        return cached
    key = load_or_create(path, create=not configured_key_file())
    current_app.extensions["signing_key"] = key
    return key


def load_or_create(path: Path, create: bool = True) -> SigningKey:
    if not path.exists():
        if not create:
            raise RuntimeError(f"SIGNING_KEY_FILE {path} does not exist")
        _create(path)
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise RuntimeError(f"signing key {path} is not an Ed25519 private key")
    public = private.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    return SigningKey(private, public, key_id_of(public), pem, str(path))


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption())
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, pem)
        os.fsync(fd)
        os.close(fd)
        try:
            os.link(tmp, path)  # atomic; fails if another process won the race
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
