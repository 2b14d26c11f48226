"""The pages' blueprint and CSRF protection, in a module of their own so each page module
imports them without importing the package that registers the pages."""
from __future__ import annotations

from flask import Blueprint
from flask_wtf.csrf import CSRFProtect

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static")
csrf = CSRFProtect()
