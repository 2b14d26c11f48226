"""Errors the service turns into HTTP 4xx answers; each names the offending field."""
from __future__ import annotations


class DomainError(Exception):
    status = 422

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403
