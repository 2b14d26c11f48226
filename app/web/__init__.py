"""Server-rendered pages: depot scanning app, customer portal, operator console."""
from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
