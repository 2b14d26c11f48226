from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("labels", __name__, description="labels")
