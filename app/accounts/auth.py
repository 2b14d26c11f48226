"""Authenticating requests (a bearer token, or a signed-in page's session), the roles a
view requires, and rate limiting of failed attempts."""
from __future__ import annotations

import logging
import math
import time
from functools import wraps

from flask import Flask, current_app, g, request
from flask_smorest import abort
from limits import RateLimitItem, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter

from app.accounts import services as accounts
from app.accounts import web_sessions
from app.accounts.principal import Principal, hash_token

log = logging.getLogger(__name__)

# The failed-attempt window is one minute (moving): a client may retry after that.
RETRY_AFTER_S = 60


class FailureLimit:
    """Failures counted per key in a moving window: in Redis when configured, so every
    worker shares the count; in this process's memory without Redis or while it is down."""

    def __init__(self, namespace: str, item: RateLimitItem, redis_url: str | None):
        self.namespace, self.item = namespace, item
        self.memory = MovingWindowRateLimiter(MemoryStorage())
        self.shared = None
        if redis_url:
            self.shared = MovingWindowRateLimiter(RedisStorage(redis_url, socket_timeout=0.5,
                                                               socket_connect_timeout=0.5))

    def _call(self, method: str, key: str):
        if self.shared is not None:
            try:
                return getattr(self.shared, method)(self.item, self.namespace, key)
            except Exception as exc:  # Redis down: fall back to this worker's own memory
                log.warning("rate limiter storage unavailable: %s", exc)
        return getattr(self.memory, method)(self.item, self.namespace, key)

    def hit(self, key: str) -> bool:
        """Count one failure; False once the limit is exceeded."""
        return self._call("hit", key)

    def retry_after_s(self, key: str) -> int | None:
        """Seconds until the next attempt may be made, or None while attempts remain."""
        if self._call("test", key):
            return None
        stats = self._call("get_window_stats", key)
        return max(1, math.ceil(stats.reset_time - time.time()))


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    window = settings.login_failure_window_s
    app.extensions["auth_limit"] = FailureLimit(
        "auth-fail", RateLimitItemPerMinute(settings.auth_failures_per_minute), settings.redis_url)
    app.extensions["login_limits"] = {
        "account": FailureLimit("login-account", RateLimitItemPerSecond(settings.login_failures_per_account, window),
                                settings.redis_url),
        "address": FailureLimit("login-address", RateLimitItemPerSecond(settings.login_failures_per_address, window),
                                settings.redis_url),
    }


def _limiter_call(method: str, key: str) -> bool:
    return getattr(current_app.extensions["auth_limit"], method)(key)


def authenticate() -> Principal:
    """The caller behind the request's bearer token (or a signed-in page's session), or abort 401/429.

    Only failures are rate limited, per client address: a valid token is never slowed
    down by someone else's failures (tokens carry 256 random bits, so throttling valid
    requests would add nothing against guessing).
    """
    if "principal" in g:
        return g.principal
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else None
    principal = _lookup(token) if token else None
    if principal is None and not header:
        principal = _browser_session()
    if principal is None:
        client_key = request.remote_addr or "unknown"
        if not _limiter_call("hit", client_key):
            retry_s = _limiter_call("retry_after_s", client_key) or RETRY_AFTER_S
            abort(429, message="too many failed authentication attempts; retry in a minute",
                  headers={"Retry-After": str(retry_s)})
        abort(401, message="Authorization: a valid bearer token is required",
              headers={"WWW-Authenticate": 'Bearer realm="circularity"'})
    g.principal = principal
    return principal


def _browser_session() -> Principal | None:
    # Pages served by app/web call the API with their session cookie plus the page's
    # CSRF token (X-CSRF-Token) instead of a bearer token; never cached here.
    return web_sessions.principal_for_browser_request()


def _lookup(token: str) -> Principal | None:
    # No per-process cache: one indexed query per request, so a revoked token or a
    # deactivated user is refused at once by every worker.
    return accounts.principal_for_token(hash_token(token))


# How a view declares who may call it; read before the request body is parsed.
ACCESS_ATTR = "_access"
PUBLIC = "public"


def requires(*roles: str):
    """Decorator for view methods: the caller must authenticate and (if roles are given) hold one of them.

    The check runs in `check_access` (a before_request hook of every API blueprint), so a
    request is authenticated before its body or query is parsed; the wrapper repeats it
    for views served outside those blueprints.
    """

    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            _authorise(roles)
            return fn(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, tuple(roles))
        return wrapper

    return decorator


def public(fn):
    """Decorator for views anyone may call, without a token."""
    setattr(fn, ACCESS_ATTR, PUBLIC)
    return fn


def _authorise(roles: tuple[str, ...]) -> Principal:
    principal = authenticate()
    if roles and principal.role not in roles:
        abort(403, message=f"role {principal.role} may not use this endpoint")
    return principal


def access_of(view) -> tuple[str, ...] | str | None:
    """What `requires`/`public` declared on a view function (the wrappers of flask-smorest copy it)."""
    return getattr(view, ACCESS_ATTR, None)


def check_access() -> None:
    """before_request hook: authenticate and check the role before anything reads the request.

    A view that declares nothing still needs a valid token: forgetting the declaration
    must not open an endpoint.
    """
    if request.method == "OPTIONS" or request.endpoint is None:
        return  # Flask answers OPTIONS itself; unknown routes are 404/405 for everyone
    view = current_app.view_functions[request.endpoint]
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        method = request.method.lower()
        view = getattr(view_class, "get" if method == "head" else method, None)
        if view is None:
            return  # 405, answered by the dispatcher
    access = access_of(view)
    if access == PUBLIC:
        return
    _authorise(access or ())


def current() -> Principal:
    return g.principal
