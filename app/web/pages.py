"""Sign-in, sign-out, the start page, and HTML error pages for the web blueprint."""
from __future__ import annotations

import logging

from flask import g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..domain.errors import DomainError
from ..errors import unavailable
from ..services import web_sessions
from . import bp
from .forms import LoginForm
from .session import home_url, safe_next, sign_in, sign_out, signed_in

log = logging.getLogger(__name__)


@bp.context_processor
def _inject() -> dict:
    segment = request.path.strip("/").split("/", 1)[0]
    return {"principal": signed_in(), "section": segment}


@bp.route("/")
def start():
    principal = signed_in()
    return redirect(home_url(principal) if principal else url_for("web.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    target = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        result = web_sessions.sign_in(form.email.data, form.password.data)
        if result is None:
            error = "Wrong email or password."
        else:
            principal, stamp = result
            sign_in(principal, stamp)
            return redirect(target or home_url(principal))
    status = 401 if error else 200
    return render_template("login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    sign_out()
    return redirect(url_for("web.login", signed_out=1))


@bp.errorhandler(CSRFError)
def _csrf_error(err: CSRFError):
    return render_template("error.html", status=400, title="Form expired",
                           message="The form was missing its security token or it expired. "
                                   "Go back, reload the page and try again."), 400


@bp.errorhandler(DomainError)
def _domain_error(err: DomainError):
    if err.status == 404:
        return _not_found(err)
    return render_template("error.html", status=err.status, title="Cannot do that", message=err.message), err.status


@bp.errorhandler(404)
def _not_found(_err):
    return render_template("error.html", status=404, title="Page not found",
                           message="There is no such page, or your account cannot see it."), 404


@bp.errorhandler(403)
def _forbidden(_err):
    return render_template("error.html", status=403, title="Not allowed",
                           message="Your account's role cannot open this page."), 403


@bp.errorhandler(HTTPException)
def _other(err: HTTPException):
    return render_template("error.html", status=err.code, title=err.name, message=err.description), err.code


@bp.errorhandler(Exception)
def _unexpected(err: Exception):
    found = unavailable(err)
    if found is not None:
        g.setdefault("web_principal", None)  # the page chrome must not ask the failing database again
        return render_template("error.html", status=503, title="Temporarily unavailable",
                               message=f"The {found.component} is briefly unavailable ({found.reason}). "
                                       f"Reload the page in {found.retry_after_s} seconds."), 503, {"Retry-After": str(found.retry_after_s)}
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_template("error.html", status=500, title="Something went wrong",
                           message="The error has been logged. Please try again in a moment."), 500
