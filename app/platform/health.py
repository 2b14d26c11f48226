"""Liveness and readiness probes for the load balancer."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.platform import redis_store
from app.platform.db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    try:
        get_session().execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # the probe must answer, whatever broke
        database = f"unreachable: {exc.__class__.__name__}"
    redis_ok, redis_state = redis_store.ping()
    if database != "ok":
        status, code = "unavailable", 503
    elif not redis_ok:
        # Scans still work without Redis (the database guarantees idempotency).
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return jsonify(status=status, database=database, redis=redis_state), code
