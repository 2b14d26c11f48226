from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("planning", __name__, description="planning")
