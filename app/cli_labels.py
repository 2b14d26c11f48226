"""`flask --app wsgi labels ...`"""
from __future__ import annotations

import click


@click.group("labels")
def labels_group():
    """labels commands."""
