"""Settings from environment variables, with embedded defaults for the demo."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    try:
        return int(raw) if raw is not None else default
    except ValueError as exc:  # a typo in deployment config should stop start-up loudly
        raise RuntimeError(f"environment variable {name} must be an integer, got {raw!r}") from exc


def env_datetime(name: str, default: datetime) -> datetime:
    raw = env_str(name)
    if raw is None:
        return default
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise RuntimeError(f"environment variable {name} must be an ISO 8601 timestamp, got {raw!r}") from exc
    if value.tzinfo is None:
        raise RuntimeError(f"environment variable {name} needs a UTC offset, e.g. 2000-01-01T00:00:00Z, got {raw!r}")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name)
    return default if raw is None else raw.lower() in ("1", "true", "yes", "on")


TIMESTAMP_MIN_DEFAULT = datetime(2000, 1, 1, tzinfo=timezone.utc)
TIMESTAMP_MAX_DEFAULT = datetime(2100, 1, 1, tzinfo=timezone.utc)
SAFE_EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)
SAFE_LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)


@dataclass
class Settings:
    database_url: str = field(default_factory=lambda: env_str("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'circularity.db'}"))
    # No REDIS_URL: an in-process substitute (fakeredis) so the demo needs only Python.
    redis_url: str | None = field(default_factory=lambda: env_str("REDIS_URL"))
    secret_key: str = field(default_factory=lambda: env_str("SECRET_KEY", "dev-only-change-me"))
    operator_name: str = field(default_factory=lambda: env_str("OPERATOR_NAME", "Demo Pool Operator"))
    # The seller on invoices and e-invoices (EN 16931 BT-40, BT-31): ISO 3166 country, VAT id.
    operator_country: str = field(default_factory=lambda: env_str("OPERATOR_COUNTRY", "DE"))
    operator_vat_id: str | None = field(default_factory=lambda: env_str("OPERATOR_VAT_ID"))
    gs1_company_prefix: str = field(default_factory=lambda: env_str("GS1_COMPANY_PREFIX", "4012345"))
    resolver_base_url: str = field(default_factory=lambda: env_str("RESOLVER_BASE_URL", "https://id.circularity.example"))
    public_base_url: str = field(default_factory=lambda: env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000"))
    max_batch_scans: int = field(default_factory=lambda: env_int("MAX_BATCH_SCANS", 5000))
    max_body_bytes: int = field(default_factory=lambda: env_int("MAX_BODY_BYTES", 4 * 1024 * 1024))
    # Device clocks drift; a scan more than this far in the future is refused.
    future_tolerance_s: int = field(default_factory=lambda: env_int("SCAN_FUTURE_TOLERANCE_S", 300))
    # Every timestamp the service accepts (scans, statement periods, pickup windows,
    # planning days, certificate months) lies in [timestamp_min, timestamp_max].
    timestamp_min: datetime = field(default_factory=lambda: env_datetime("TIMESTAMP_MIN", TIMESTAMP_MIN_DEFAULT))
    timestamp_max: datetime = field(default_factory=lambda: env_datetime("TIMESTAMP_MAX", TIMESTAMP_MAX_DEFAULT))
    auth_failures_per_minute: int = field(default_factory=lambda: env_int("AUTH_FAILURES_PER_MINUTE", 20))
    # Browser sessions end after this long without a request (a shift plus an offline
    # stretch of the scanner), and this long after sign-in whatever the activity.
    session_idle_timeout_s: int = field(default_factory=lambda: env_int("SESSION_IDLE_TIMEOUT_S", 12 * 3600))
    session_lifetime_s: int = field(default_factory=lambda: env_int("SESSION_LIFETIME_S", 7 * 24 * 3600))
    # Failed sign-ins (and wrong current passwords) within the window, per account and
    # per client address; past either limit the sign-in answers 429 until it slides.
    login_failures_per_account: int = field(default_factory=lambda: env_int("LOGIN_FAILURES_PER_ACCOUNT", 5))
    login_failures_per_address: int = field(default_factory=lambda: env_int("LOGIN_FAILURES_PER_ADDRESS", 30))
    login_failure_window_s: int = field(default_factory=lambda: env_int("LOGIN_FAILURE_WINDOW_S", 900))
    # Reverse proxies in front of the service whose X-Forwarded-For/-Proto are trusted;
    # without this the proxy's address would count as every client's for the limits.
    proxy_hops: int = field(default_factory=lambda: env_int("PROXY_HOPS", 0))
    sql_echo: bool = field(default_factory=lambda: env_bool("SQL_ECHO", False))
    # OSRM base URL for road distances in planning; unset: great-circle estimate.
    osrm_url: str | None = field(default_factory=lambda: env_str("OSRM_URL"))
    # Ed25519 private key (PEM) that signs certificates; unset: instance/signing-key.pem,
    # created on first use. A configured file must exist: it is never generated.
    signing_key_file: str | None = field(default_factory=lambda: env_str("SIGNING_KEY_FILE"))
    # The pages' language when neither the user's setting, a choice made in this browser
    # nor its Accept-Language names one the service speaks (app/platform/i18n.py).
    default_locale: str = field(default_factory=lambda: env_str("DEFAULT_LOCALE", "en"))
    # Days after a monthly statement is published in which its customer may dispute lines;
    # a statement without an open dispute is confirmed when they are over.
    statement_dispute_days: int = field(default_factory=lambda: env_int("STATEMENT_DISPUTE_DAYS", 14))
    # Seconds one webhook delivery attempt may take (connect, send, answer) before it counts as failed.
    webhook_timeout_s: int = field(default_factory=lambda: env_int("WEBHOOK_TIMEOUT_S", 5))
    # With no job worker listening, deliver webhooks right after the commit that caused them
    # (within two timeouts per request); false: only `flask webhooks retry-due` sends them.
    webhook_inline: bool = field(default_factory=lambda: env_bool("WEBHOOK_INLINE", True))

    def __post_init__(self) -> None:
        for name in ("session_idle_timeout_s", "session_lifetime_s", "login_failures_per_account",
                     "login_failures_per_address", "login_failure_window_s", "auth_failures_per_minute",
                     "statement_dispute_days", "webhook_timeout_s"):
            if getattr(self, name) <= 0:
                raise RuntimeError(f"setting {name} must be a positive integer, got {getattr(self, name)}")
        country = self.operator_country
        if len(country) != 2 or not country.isascii() or not country.isalpha() or not country.isupper():
            raise RuntimeError(f"setting operator_country must be an ISO 3166 code like DE, got {country!r}")
        if self.proxy_hops < 0:
            raise RuntimeError(f"setting proxy_hops must not be negative, got {self.proxy_hops}")
        # Headroom on both sides: months, loss windows and local time zones are computed
        # around accepted values, and Python datetimes end at years 1 and 9999.
        if not SAFE_EARLIEST <= self.timestamp_min < self.timestamp_max <= SAFE_LATEST:
            raise RuntimeError(f"TIMESTAMP_MIN ({self.timestamp_min.isoformat()}) must be before TIMESTAMP_MAX "
                               f"({self.timestamp_max.isoformat()}), both within {SAFE_EARLIEST.year} to "
                               f"{SAFE_LATEST.year}")

    @property
    def https(self) -> bool:
        return self.public_base_url.lower().startswith("https://")

    def as_flask_config(self) -> dict:
        return {
            "SECRET_KEY": self.secret_key,
            "MAX_CONTENT_LENGTH": self.max_body_bytes,
            "SIGNING_KEY_FILE": self.signing_key_file,
            "SETTINGS": self,
            "API_TITLE": "Circularity API",
            "API_VERSION": "v1",
            "OPENAPI_VERSION": "3.1.0",
            "OPENAPI_URL_PREFIX": "/api/v1",
            "OPENAPI_JSON_PATH": "openapi.json",
            "OPENAPI_SWAGGER_UI_PATH": None,
            "API_SPEC_OPTIONS": {
                "components": {
                    "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}
                },
                "security": [{"bearerAuth": []}],
                "info": {"description": "Reusable-packaging circularity tracking service. See docs/api.md."},
            },
        }


def timestamp_bounds() -> tuple[datetime, datetime]:
    """The accepted timestamp range of the running app (the defaults outside one)."""
    from flask import current_app, has_app_context

    settings = current_app.config.get("SETTINGS") if has_app_context() else None
    if settings is None:
        return TIMESTAMP_MIN_DEFAULT, TIMESTAMP_MAX_DEFAULT
    return settings.timestamp_min, settings.timestamp_max
