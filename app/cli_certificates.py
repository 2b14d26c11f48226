"""`flask --app wsgi certificates ...`"""
from __future__ import annotations

import click


@click.group("certificates")
def certificates_group():
    """certificates commands."""
