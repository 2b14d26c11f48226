"""`flask --app wsgi labels ...`: print label sheets for new assets, reprint damaged labels.

The PDF is written to a temporary file next to --out and renamed into place only when
complete, so a failure never leaves a partial or stale-looking sheet behind.
"""
from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import click

from app.domain.errors import DomainError
from app.labels import layouts
from app.labels import services as labels

OPTION = {"count": "--count", "asset_type": "--type", "site": "--site", "preset": "--preset", "logo_png": "--logo",
          "layout": "--preset", "out": "--out"}


def _bad(field: str, message: str) -> click.BadParameter:
    if field.startswith("codes["):
        hint = f"'CODE' #{int(field[6:-1]) + 1}"
    else:
        hint = f"'{OPTION.get(field.split('.')[0], field)}'"
    return click.BadParameter(message, param_hint=hint)


@contextmanager
def _atomic_pdf(out: str):
    """A temporary file in --out's directory, renamed to --out on success and removed on any failure."""
    target = Path(out)
    if target.is_dir():
        raise _bad("out", f"{out} is a directory")
    directory = target.parent
    if not directory.is_dir():
        raise _bad("out", f"directory {str(directory)!r} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    except OSError as err:
        raise _bad("out", f"cannot write to {str(directory)!r}: {err.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _layout(preset: str, logo):
    return layouts.sheet_layout(preset, None, logo.read() if logo else None)


def _pages_bar(total_labels: int, per_page: int, label: str):
    return click.progressbar(length=max(1, -(-total_labels // per_page)), label=label, show_pos=True, file=sys.stderr)


PRESET = click.option("--preset", default="a4-3x8", show_default=True,
                      type=click.Choice(["a4-3x8", "letter-2x5", "a4-smallest"]),
                      help="sheet layout: 24 labels of 70x37 mm on A4, 10 of 4x2 in on Letter, 44 of 50x25 mm on A4")
LOGO = click.option("--logo", type=click.File("rb"), default=None, help="PNG printed on every label")
OUT = click.option("--out", required=True, type=click.Path(dir_okay=False), help="PDF file to write")


@click.group("labels")
def labels_group():
    """Label sheets (PDF) for new and existing assets."""


@labels_group.command("sheet")
@click.option("--type", "asset_type", required=True,
              help="asset type id (as listed by GET /api/v1/asset-types) or its GRAI asset-type digits")
@click.option("--count", required=True, type=int, help="number of new assets, 1 to 10000")
@OUT
@click.option("--site", default=None, help="depot where the new assets start")
@PRESET
@LOGO
def sheet_command(asset_type, count, out, site, preset, logo):
    """Register COUNT new assets of a type and write their label sheet to --out.

    Every input is checked before any serial is allocated. Prints the new codes, one per line.
    """
    try:
        layout = _layout(preset, logo)
        with _atomic_pdf(out) as fh:
            plan = labels.plan_registration(asset_type, count, site, layout)
            with _pages_bar(count, layout.labels_per_page, "pages") as bar:
                sheet = labels.register_and_print(plan, layout, fh, bar.update)
    except DomainError as err:
        raise _bad(err.field, err.message) from None
    for code in sheet.codes:
        click.echo(code)
    click.echo(f"registered {len(sheet.codes)} {plan.asset_type_id} assets ({sheet.codes[0]} to {sheet.codes[-1]}); "
               f"wrote {sheet.pages} page(s) to {out}", err=True)


@labels_group.command("reprint")
@click.argument("codes", metavar="CODE...", nargs=-1, required=True)
@OUT
@PRESET
@LOGO
def reprint_command(codes, out, preset, logo):
    """Reprint the labels of existing assets (same codes; history kept; counted as reprints)."""
    try:
        layout = _layout(preset, logo)
        assets = labels.find_assets(list(codes))
        with _atomic_pdf(out) as fh:
            with _pages_bar(len(assets), layout.labels_per_page, "pages") as bar:
                sheet = labels.print_assets(assets, layout, fh, bar.update)
    except DomainError as err:
        raise _bad(err.field, err.message) from None
    click.echo(f"reprinted {len(sheet.codes)} label(s); wrote {sheet.pages} page(s) to {out}", err=True)
