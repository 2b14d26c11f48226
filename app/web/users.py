"""Console: users and their deactivation (admin)."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from app.accounts import services as accounts
from app.web.blueprint import bp
from app.web.session import page, signed_in


@bp.route("/console/users")
@page("admin")
def console_users():
    return render_template("console/users.html", users=accounts.list_users(), me=signed_in().user_id,
                           done=request.args.get("done"))


@bp.route("/console/users/<int:user_id>/deactivate", methods=["POST"])
@page("admin")
def console_deactivate_user(user_id):
    # Ends the user's browser sessions and revokes its API tokens in one transaction.
    accounts.set_active(signed_in(), user_id, False)
    return redirect(url_for("web.console_users", done="deactivated"))


@bp.route("/console/users/<int:user_id>/activate", methods=["POST"])
@page("admin")
def console_activate_user(user_id):
    accounts.set_active(signed_in(), user_id, True)
    return redirect(url_for("web.console_users", done="activated"))
