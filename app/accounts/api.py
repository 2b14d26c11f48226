from __future__ import annotations

from flask import g, request
from flask.views import MethodView
from flask_smorest import abort

from app.accounts import services as accounts
from app.accounts import web_sessions
from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint
from app.accounts.schemas import PasswordChangeSchema, TokenRequestSchema, TokenSchema, UserSchema
from app.accounts.sign_in_limits import TooManyAttempts
from app.domain.inputs import INT_MAX  # users and tokens have integer (not bigint) ids
from app.domain.policy import roles_for
from app.platform.responses import documented

blp = ApiBlueprint("accounts", __name__, description="Users and API tokens")


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserSchema(many=True))
    @requires(*roles_for("user.manage"))
    def get(self):
        return accounts.users_for(current())

    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    @documented(404)
    @requires(*roles_for("user.manage"))
    def post(self, body):
        return accounts.create_user(body["name"], body["role"], body.get("customer_id"), body.get("email"),
                                    body.get("password"))


@blp.route(f"/users/<int(max={INT_MAX}):user_id>/deactivate", methods=["POST"])
@blp.response(200, UserSchema)
@documented(409)
@requires(*roles_for("user.manage"))
def deactivate_user(user_id):
    """Deactivate a user: its browser sessions end and its API tokens are revoked at once."""
    return accounts.set_active(current(), user_id, False)


@blp.route(f"/users/<int(max={INT_MAX}):user_id>/activate", methods=["POST"])
@blp.response(200, UserSchema)
@requires(*roles_for("user.manage"))
def activate_user(user_id):
    """Activate a user again; its earlier sessions and tokens stay revoked."""
    return accounts.set_active(current(), user_id, True)


@blp.route("/me/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@requires()
def change_password(body):
    """Change the caller's own password (the current one is required). The caller's other
    browser sessions end and all of the caller's API tokens are revoked, the calling one too."""
    keep = web_sessions.session_hash(g.get("web_session_id"))
    try:
        accounts.change_password(current().user_id, body["current_password"], body["new_password"],
                                 request.remote_addr, keep_session_hash=keep)
    except TooManyAttempts as err:
        abort(429, message=f"{err.field}: {err.message}", errors={err.field: [err.message]},
              headers={"Retry-After": str(err.retry_after_s)})


@blp.route(f"/users/<int(max={INT_MAX}):user_id>/tokens", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@requires(*roles_for("user.manage"))
def create_token(body, user_id):
    """Issue a token for a user; the secret is in the answer and nowhere else."""
    token, secret = accounts.issue_token(user_id, body["name"])
    row = accounts.list_tokens(user_ids=[user_id])
    return {**next(t for t in row if t["id"] == token.id), "token": secret}


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    @requires(*roles_for("token.read"))
    def get(self):
        """Tokens (secrets never shown). A customer user sees its own customer's tokens."""
        return accounts.tokens_for(current())

    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    @requires(*roles_for("token.create"))
    def post(self, body):
        """A customer user creates a token for its ERP integration (same customer, same role)."""
        p = current()
        token, secret = accounts.create_own_token(p, body["name"])
        return {**next(t for t in accounts.list_tokens(user_ids=[p.user_id]) if t["id"] == token.id), "token": secret}


@blp.route(f"/tokens/<int(max={INT_MAX}):token_id>", methods=["DELETE"])
@blp.response(204)
@requires(*roles_for("token.revoke"))
def revoke(token_id):
    """Revoke a token at once. A customer user revokes its own customer's tokens only."""
    accounts.revoke_token_for(current(), token_id)
