"""JSON API (flask-smorest): thin views over the services."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from app.platform import responses
from app.scanning.schemas import BatchSize, ScanInSchema


class ServiceApi(Api):
    # Error bodies are app/platform/errors.py's; the document lists each view's errors itself
    # (responses.py) instead of one catch-all `default` answer.
    ERROR_SCHEMA = responses.ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        pass  # app/platform/errors.py renders every error, keeping the exception's headers


def register_api(app: Flask) -> Api:
    from app.accounts import api as accounts
    from app.assets import api as assets
    from app.balances import api as customers
    from app.balances import operations_api as operations
    from app.billing import api as billing
    from app.billing import invoices_api as billing_documents
    from app.catalog import api as catalog
    from app.certificates import api as certificates
    from app.labels import api as labels
    from app.planning import api as planning
    from app.platform import health
    from app.scanning import api as scans
    from app.scanning import history_api as history
    from app.statements import api as statements
    from app.webhooks import api as webhooks

    api = ServiceApi(app)
    responses.register_components(api.spec)
    api.ma_plugin.converter.add_attribute_function(_batch_limit(app.config["SETTINGS"].max_batch_scans))
    api.spec.components.schema("ScanIn", schema=ScanInSchema)
    app.url_map.converters["serial"] = certificates.SerialConverter
    api.register_converter(certificates.SerialConverter, certificates.SerialConverter.openapi)
    for module in (scans, assets, history, catalog, customers, operations, accounts, labels, certificates, planning,
                   billing, billing_documents, statements, webhooks):
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    app.register_blueprint(health.bp)
    app.extensions["api"] = api
    return api


def _batch_limit(max_items: int):
    """OpenAPI attribute function: the configured batch limit as maxItems."""

    def batch_limit(_converter, field, **_kwargs) -> dict:
        return {"maxItems": max_items} if any(isinstance(v, BatchSize) for v in field.validators) else {}

    return batch_limit
