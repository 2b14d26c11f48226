"""`flask --app wsgi certificates ...`"""
from __future__ import annotations

import sys

import click

from app.certificates import issuing, verification
from app.domain.errors import DomainError
from app.platform import jobs

OPTION = {"month": "--month", "customer": "--customer"}


@click.group("certificates")
def certificates_group():
    """Signed monthly avoided-CO2e certificates."""


@certificates_group.command("issue")
@click.option("--month", required=True, help="complete calendar month, YYYY-MM (e.g. the last full month)")
@click.option("--customer", "customer_id", default=None,
              help="one customer id; omitted: every customer with completed trips in the month + the operator summary")
def issue_command(month, customer_id):
    """Issue (or re-issue as a new revision) a month's certificates.

    Runs on the job queue when an RQ worker listens (`rq worker circularity`), else here
    with a progress bar. Prints one serial per line.
    """
    try:
        issuing.validate_request(month, customer_id)
    except DomainError as err:
        raise click.BadParameter(err.message, param_hint=f"'{OPTION.get(err.field, err.field)}'") from None

    with click.progressbar(length=1, label=f"issuing {month}", show_pos=True, file=sys.stderr) as bar:
        def progress(advance, total):
            if total is not None:
                bar.length = max(total, 1)
            if advance:
                bar.update(advance)

        try:
            with issuing.progress_to(progress):
                run = jobs.dispatch(issuing.issue_job, month, customer_id)
        except DomainError as err:
            raise click.BadParameter(err.message, param_hint=f"'{OPTION.get(err.field, err.field)}'") from None
    if run.mode == "queued":
        click.echo(f"queued job {run.job_id}; follow it at GET /api/v1/certificates/jobs/{run.job_id}")
        return
    for serial in run.result:
        click.echo(serial)
    click.echo(f"issued {len(run.result)} certificate(s) for {month}", err=True)


@certificates_group.command("public-key")
def public_key_command():
    """Print the signing key's id and PEM public key (creating the key if absent)."""
    key = verification.public_key()
    click.echo(f"key id {key['key_id']}")
    click.echo(key["public_key_pem"].rstrip())
