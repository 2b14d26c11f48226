"""Exception types.

All errors raised on bad input derive from LcaError so that callers (the CLI,
the certificate service) can turn them into a message without a traceback.
"""

from __future__ import annotations


class LcaError(Exception):
    """Base class for every error the library raises on bad data or input."""


class FactorFileError(LcaError):
    """A factor file is unreadable or fails validation.

    ``problems`` lists every problem found, each naming the row (CSV line or
    YAML list index), the factor id when known and the field, so an operator
    can fix the whole file in one pass.
    """

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = list(problems)
        lines = "\n  - ".join(self.problems)
        super().__init__(f"{path}: {len(self.problems)} problem(s):\n  - {lines}")


class ProfileError(LcaError):
    """A packaging profile is malformed or refers to a missing/misused factor."""


class InputError(LcaError, ValueError):
    """A calculation input (distance, loss rate, trip count...) is out of range."""
