from __future__ import annotations

from flask.views import MethodView

from ..auth import current, requires
from ..schemas.api import TokenRequestSchema, TokenSchema, UserSchema
from ..services import accounts
from .blueprint import ApiBlueprint
from .responses import documented

blp = ApiBlueprint("accounts", __name__, description="Users and API tokens")


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserSchema(many=True))
    @requires("admin")
    def get(self):
        return accounts.list_users()

    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    @documented(404)
    @requires("admin")
    def post(self, body):
        return accounts.create_user(body["name"], body["role"], body.get("customer_id"), body.get("email"),
                                    body.get("password"))


@blp.route("/users/<int:user_id>/tokens", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@requires("admin")
def create_token(body, user_id):
    """Issue a token for a user; the secret is in the answer and nowhere else."""
    token, secret = accounts.issue_token(user_id, body["name"])
    row = accounts.list_tokens(user_ids=[user_id])
    return {**next(t for t in row if t["id"] == token.id), "token": secret}


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    @requires("admin", "customer")
    def get(self):
        """Tokens (secrets never shown). A customer user sees its own customer's tokens."""
        p = current()
        return accounts.list_tokens(customer_id=p.customer_id if p.is_customer else None)

    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    @requires("customer")
    def post(self, body):
        """A customer user creates a token for its ERP integration (same customer, same role)."""
        p = current()
        token, secret = accounts.issue_token(p.user_id, body["name"])
        return {**next(t for t in accounts.list_tokens(user_ids=[p.user_id]) if t["id"] == token.id), "token": secret}


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(204)
@requires("admin", "customer")
def revoke(token_id):
    p = current()
    accounts.revoke_token(token_id, p.customer_id if p.is_customer else None)
