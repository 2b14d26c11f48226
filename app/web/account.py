"""The signed-in user's own account: password change and language (every role)."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from app.accounts import services as accounts
from app.accounts.services import PASSWORD_LENGTH
from app.accounts.sign_in_limits import TooManyAttempts
from app.domain.errors import DomainError
from app.platform.i18n import _, lazy_gettext
from app.web.blueprint import bp
from app.web.forms import LanguageForm, PasswordForm
from app.web.pages import wait_words
from app.web.session import current_session_hash, page, signed_in

# The service's messages (app/accounts/services.py) as the page says them.
PROBLEMS = {
    "the current password is wrong": lazy_gettext("The current password is wrong."),
    "must differ from the current password": lazy_gettext("Must differ from the current password."),
    "must be {} to {} characters long".format(*PASSWORD_LENGTH): lazy_gettext(
        "Must be %(low)d to %(high)d characters long.", low=PASSWORD_LENGTH[0], high=PASSWORD_LENGTH[1]),
}


@bp.route("/account/password", methods=["GET", "POST"])
@page()
def account_password():
    form = PasswordForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            # This browser stays signed in; every other session of the user ends.
            accounts.change_password(signed_in().user_id, form.current_password.data, form.new_password.data,
                                     request.remote_addr, keep_session_hash=current_session_hash())
        except TooManyAttempts as err:
            form.current_password.errors.append(_("Too many wrong passwords. Try again in %(wait)s.",
                                                  wait=wait_words(err)))
            status, headers = 429, {"Retry-After": str(err.retry_after_s)}
        except DomainError as err:
            field = getattr(form, err.field, form.new_password)
            field.errors.append(str(PROBLEMS.get(err.message, err.message[:1].upper() + err.message[1:] + ".")))
            status = err.status
        else:
            return redirect(url_for("web.account_password", changed=1))
    elif form.is_submitted():
        status = 422
    language = LanguageForm(formdata=None, locale=signed_in().locale or "", next=url_for("web.account_password"))
    return render_template("account/password.html", form=form, changed=request.args.get("changed"),
                           language=language), status, headers
