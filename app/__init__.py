"""The Flask service: `create_app()` wires settings, database, Redis and blueprints.

One package per capability; which may import which is in docs/architecture.md, checked
by tests/unit/test_architecture.py."""
from __future__ import annotations

from flask import Flask

from app.platform import jobs
from app.platform.config import Settings


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    settings = (test_config or {}).pop("SETTINGS", None) or Settings()
    app.config.from_mapping(settings.as_flask_config())
    if test_config:
        app.config.update(test_config)
    if settings.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address and scheme as the trusted proxies saw them: the sign-in
        # limits count per client address, which would otherwise be the proxy's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)

    from app import web
    from app.accounts import auth
    from app.api import register_api
    from app.cli import register_cli
    from app.platform import db, errors, i18n, json_limits, paths, redis_store

    paths.init_app(app)
    i18n.init_app(app)
    db.init_app(app)
    redis_store.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    json_limits.init_app(app)
    register_api(app)
    register_cli(app)
    web.init_app(app)
    return app


# A worker process imports a job function, and with it this package, but builds no app
# itself: the jobs build one per process with this factory (app/platform/jobs.py).
jobs.use_app_factory(create_app)
