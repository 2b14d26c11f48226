from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("certificates", __name__, description="certificates")
