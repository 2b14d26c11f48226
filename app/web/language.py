"""The language switcher: `POST /language` (every page's header, signed in or not).

Signed out, the choice is kept in this browser (the `lang` cookie); signed in, it is
also stored as the user's setting, which then follows the user to every browser and
into the PDFs. An empty choice follows the browser's language again. How a request's
language is decided: app/platform/i18n.py.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, current_app, g, redirect, request, url_for

from app.accounts import services as accounts
from app.platform import i18n
from app.web.blueprint import bp
from app.web.forms import LanguageForm
from app.web.session import safe_next, signed_in


def user_locale() -> str | None:
    """The language setting of whoever the request acts for: the API token's user (set by
    `accounts.auth.authenticate`), else the signed-in page session's; None for nobody."""
    principal = g.get("principal") or signed_in()
    return principal.locale if principal is not None else None


def here() -> str:
    """This page's address without `?lang=`, to come back to after switching; the start
    page when the page cannot be fetched again (an error, the answer to a form post)."""
    if request.url_rule is None or "GET" not in (request.url_rule.methods or ()):
        return url_for("web.start")
    query = [(k, v) for k, v in request.args.items(multi=True) if k != i18n.QUERY]
    return request.path + (f"?{urlencode(query)}" if query else "")


@bp.app_context_processor
def _language_switch() -> dict:
    return {"language_here": here}


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():  # the CSRF token was checked before (session.py)
        abort(400)
    locale = form.locale.data or None
    principal = signed_in()
    if principal is not None:
        accounts.set_locale(principal.user_id, locale)
    response = redirect(safe_next(form.next.data) or url_for("web.start"))
    if locale is None:
        response.delete_cookie(i18n.COOKIE)
    else:
        response.set_cookie(i18n.COOKIE, locale, max_age=i18n.COOKIE_MAX_AGE_S, httponly=True, samesite="Lax",
                            secure=current_app.config["SETTINGS"].https)
    return response
