"""JSON API (flask-smorest): thin views over the services."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from ..schemas.scans import ScanInSchema


def register_api(app: Flask) -> Api:
    from . import accounts, assets, catalog, certificates, customers, health, labels, operations, planning, scans

    api = Api(app)
    api.spec.components.schema("ScanIn", schema=ScanInSchema)
    for module in (scans, assets, catalog, customers, operations, accounts, labels, certificates, planning):
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    app.register_blueprint(health.bp)
    app.extensions["api"] = api
    return api
