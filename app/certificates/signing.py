"""Ed25519 signing of certificate documents, and the key the service publishes.

The private key comes from `SIGNING_KEY_FILE` (a PEM Ed25519 private key). Without it,
one is generated on first use into the instance folder (`instance/signing-key.pem`,
mode 0600); several workers starting at once agree on one key because the file is
created with an atomic link (the loser reads the winner's key).
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

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

ALGORITHM = "Ed25519"


def canonical_json(value) -> bytes:
    """The bytes that get signed and hashed: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class SigningKey:
    private_key: Ed25519PrivateKey
    public_key: Ed25519PublicKey
    key_id: str  # sha256 of the 32-byte raw public key, hex
    public_pem: str
    path: str

    def sign(self, document: dict) -> str:
        return base64.b64encode(self.private_key.sign(canonical_json(document))).decode("ascii")


def key_id_of(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def verify(public_key: Ed25519PublicKey, document: dict, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        public_key.verify(signature, canonical_json(document))
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
