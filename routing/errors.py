"""Error type shared by the routing package.

Callers (the web service, the CLI) need to tell the user *which* input was
wrong, so every validation failure names the offending field.
"""

from __future__ import annotations


class RoutingError(ValueError):
    """Invalid routing input. ``field`` names the offending input, e.g. ``requests[3].site_id``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
