"""Sign-in, sign-out, the start page, and the error answers of the web blueprint."""
from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from app.accounts import web_sessions
from app.accounts.sign_in_limits import TooManyAttempts
from app.domain.errors import DomainError
from app.platform.errors import error_body, html_error, wants_html
from app.platform.i18n import _, ngettext
from app.web.blueprint import bp
from app.web.forms import LoginForm
from app.web.session import home_url, safe_next, sign_in, sign_out, signed_in


@bp.app_context_processor
def _inject() -> dict:
    # App-wide, so error pages outside the blueprint (unknown URLs) show the signed-in chrome.
    segment = request.path.strip("/").split("/", 1)[0]
    return {"principal": signed_in(), "section": segment}


def wait_words(err: TooManyAttempts) -> str:
    """How long until the next attempt, in whole minutes ("5 minutes")."""
    minutes = max(1, -(-err.retry_after_s // 60))
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


@bp.route("/")
def start():
    principal = signed_in()
    return redirect(home_url(principal) if principal else url_for("web.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error, status, headers = None, 200, {}
    target = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        try:
            result = web_sessions.sign_in(form.email.data, form.password.data, request.remote_addr)
        except TooManyAttempts as err:
            error, status = _("Too many failed sign-ins for this account or from your network. "
                              "Try again in %(wait)s.", wait=wait_words(err)), 429
            headers["Retry-After"] = str(err.retry_after_s)
        else:
            if result is None:
                error, status = _("Wrong email or password."), 401
            else:
                principal, session_id = result
                sign_in(principal, session_id)
                return redirect(target or home_url(principal))
    return render_template("login.html", form=form, error=error), status, headers


@bp.route("/logout", methods=["POST"])
def logout():
    sign_out()
    return redirect(url_for("web.login", signed_out=1))


@bp.errorhandler(CSRFError)
def _csrf_error(err: CSRFError):
    if wants_html():
        return html_error(400, _("The form was missing its security token or it expired. Go back, reload the page "
                                 "and try again."), title=_("Form expired"))
    return jsonify(error_body(400, f"csrf_token: {err.description}", "csrf_token")), 400


@bp.errorhandler(DomainError)
def _domain_error(err: DomainError):
    if wants_html():
        return html_error(err.status, err.message, title=_("Cannot do that"))
    if err.status == 404:
        # A page's 404 reads the same whatever was asked for: another customer's page and
        # one that does not exist must not be told apart, not even by the echoed id.
        return jsonify(error_body(404, "not found: there is no such page, or your account cannot see it")), 404
    return jsonify(error_body(err.status, f"{err.field}: {err.message}", err.field)), err.status
