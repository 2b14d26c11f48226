"""Errors raised by the labels package.

Every error names the input field it is about, so the calling service can
attach the message to the right form field or JSON key without parsing text.
"""

from __future__ import annotations


class LabelError(ValueError):
    """Invalid input to the labels package.

    ``field`` is the name of the offending input (``"company_prefix"``,
    ``"serial"``, ``"code"``, ``"count"``, ...); ``message`` is a sentence a
    person can act on, without the field name prefixed.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class GraiError(LabelError):
    """A GRAI could not be built from its parts."""


class CodeError(LabelError):
    """A scanned or typed code is not a valid GRAI or alias."""
