"""Labels for assets: single QR images, ZPL for thermal printers, and PDF sheets.

The QR symbol on every label encodes the asset's GS1 Digital Link URI on the
configured resolver and nothing else. Sheets are rendered into a file the
caller owns (a temporary file) and only handed out once complete, because the
renderer streams page by page and can fail part-way through.

Printing a sheet for newly registered assets is the first print; printing
labels for existing assets is a reprint and adds one to `Asset.label_prints`
per label, after the sheet rendered completely. `label_sheet` is the one use
case behind the API's and the console's sheets; the sheet geometry is checked
in layouts.py.
"""
from __future__ import annotations

import io
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select, update

from app.assets import registry
from app.assets.models import Asset
from app.catalog.models import AssetType, Site
from app.domain.errors import DomainError, NotFound
from app.domain.policy import Caller, authorize
from app.labels import layouts
from app.platform.db import get_or_404, get_session, unit_of_work
from labels.errors import LabelError
from labels.grai import make_grai
from labels.layout import LabelSpec, SheetLayout, label_spec
from labels.render_pdf import label_sheet_pdf
from labels.render_qr import qr_png, qr_svg
from labels.render_zpl import label_zpl

MAX_SHEET_LABELS = registry.MAX_REGISTRATION
# Thermal label defaults: 100 x 50 mm stock on a 203 dpi printer, the most common pair.
ZPL_DEFAULT_DPI = 203
ZPL_DEFAULT_WIDTH_MM = 100.0
ZPL_DEFAULT_HEIGHT_MM = 50.0
PNG_DEFAULT_MODULE_PX = 8

PageCallback = Callable[[int], None]


@dataclass(frozen=True)
class PrintedSheet:
    pages: int
    codes: list[str]  # in printing order


@dataclass(frozen=True)
class SheetFile:
    """A complete sheet in a temporary file at its start; the caller sends it, then closes it."""

    file: BinaryIO
    filename: str
    sheet: PrintedSheet
    registered: bool  # new assets were registered for it (else: a reprint)


@dataclass(frozen=True)
class RegistrationPlan:
    """A registration that passed every check that can be made before writing."""

    asset_type_id: str
    count: int
    site_id: str | None


def _settings():
    return current_app.config["SETTINGS"]


def _as_domain(err: LabelError, field: str | None = None) -> DomainError:
    return DomainError(field or err.field, err.message)


# -- assets and their label content ------------------------------------------

def resolve_asset_type(text: str) -> AssetType:
    """An asset type by id, or by its GRAI asset-type digits (alone or after the company prefix) if unambiguous."""
    session = get_session()
    found = session.get(AssetType, text) if isinstance(text, str) and text else None
    if found is not None:
        return found
    if isinstance(text, str) and text.isdigit():
        matches = [t for t in session.scalars(select(AssetType).order_by(AssetType.id))
                   if (t.grai_asset_type and t.grai_asset_type == text) or t.company_prefix + t.grai_asset_type == text]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise DomainError("asset_type", f"{text!r} matches asset types {', '.join(t.id for t in matches)}; "
                                            "use the asset type id")
    raise NotFound("asset_type", f"unknown asset type {text!r}")


def spec_for(asset: Asset, asset_type: AssetType) -> LabelSpec:
    return _spec(asset_type, asset.serial)


def _spec(asset_type: AssetType, serial: str) -> LabelSpec:
    grai = make_grai(asset_type.company_prefix, asset_type.grai_asset_type, serial)
    settings = _settings()
    return label_spec(grai, base_url=settings.resolver_base_url, asset_type_name=asset_type.name,
                      operator_name=settings.operator_name)


def _asset(code: str, own: str | None, field: str = "code") -> Asset:
    try:
        asset = registry.find(code)
    except DomainError as err:
        raise type(err)(field, err.message) from None
    # A customer sees only the assets it holds; anything else does not exist for it.
    if own is not None and asset.holder_customer_id != own:
        raise NotFound(field, f"unknown asset {code!r}")
    return asset


def find_assets(codes: list[str], field: str = "codes") -> list[Asset]:
    """The assets behind `codes` (any accepted code form), in order; errors name `codes[i]`."""
    if not codes:
        raise DomainError(field, "give at least one code")
    if len(codes) > MAX_SHEET_LABELS:
        raise DomainError(field, f"at most {MAX_SHEET_LABELS} labels per sheet, got {len(codes)}")
    return [_asset(code, None, f"{field}[{i}]") for i, code in enumerate(codes)]


def _types(assets: Iterable[Asset]) -> dict[str, AssetType]:
    ids = {a.asset_type_id for a in assets}
    return {t.id: t for t in get_session().scalars(select(AssetType).where(AssetType.id.in_(ids)))}


def _single_spec(viewer: Caller, code: str) -> tuple[str, LabelSpec]:
    """(canonical code, label spec) of one asset the viewer may see: the code names the downloaded file."""
    asset = _asset(code, authorize(viewer, "asset.read"))
    try:
        return asset.code, spec_for(asset, get_session().get(AssetType, asset.asset_type_id))
    except LabelError as err:
        raise _as_domain(err) from None


# -- one label ---------------------------------------------------------------

def label_png(viewer: Caller, code: str, module_px: int = PNG_DEFAULT_MODULE_PX) -> tuple[str, bytes]:
    canonical, spec = _single_spec(viewer, code)
    try:
        return canonical, qr_png(spec.uri, module_px=module_px)
    except LabelError as err:
        raise _as_domain(err) from None


def label_svg(viewer: Caller, code: str) -> tuple[str, bytes]:
    canonical, spec = _single_spec(viewer, code)
    try:
        return canonical, qr_svg(spec.uri)
    except LabelError as err:
        raise _as_domain(err) from None


def label_zpl_text(viewer: Caller, code: str, dpi: int = ZPL_DEFAULT_DPI, width_mm: float = ZPL_DEFAULT_WIDTH_MM,
                   height_mm: float = ZPL_DEFAULT_HEIGHT_MM) -> tuple[str, str]:
    canonical, spec = _single_spec(viewer, code)
    try:
        return canonical, label_zpl(spec, dpi=dpi, width_mm=width_mm, height_mm=height_mm)
    except LabelError as err:
        raise _as_domain(err) from None


# -- sheets ------------------------------------------------------------------

def _render(specs: Iterable[LabelSpec], layout: SheetLayout, out: BinaryIO, on_page: PageCallback | None,
            field_of: Callable[[int], str]) -> int:
    """Render a sheet into `out`, reporting each completed page; LabelError -> DomainError naming the label."""
    per_page = layout.labels_per_page
    position = {"i": -1}

    def counted() -> Iterator[LabelSpec]:
        for i, spec in enumerate(specs):
            position["i"] = i
            # The renderer writes a page right after its last label, before asking for the next one.
            if on_page and i and i % per_page == 0:
                on_page(1)
            yield spec

    try:
        pages = label_sheet_pdf(counted(), layout, out)
    except LabelError as err:
        if err.field in ("logo_png", "count"):
            raise _as_domain(err) from None
        raise DomainError(field_of(max(position["i"], 0)), err.message) from None
    if on_page:
        on_page(pages - (position["i"] // per_page))
    return pages


def print_codes(codes: list[str], layout: SheetLayout, out: BinaryIO, on_page: PageCallback | None = None,
                field: str = "codes") -> PrintedSheet:
    """Reprint labels of existing assets into `out`; counts the reprints once the sheet is complete."""
    return print_assets(find_assets(codes, field), layout, out, on_page, field)


def print_assets(assets: list[Asset], layout: SheetLayout, out: BinaryIO, on_page: PageCallback | None = None,
                 field: str = "codes") -> PrintedSheet:
    types = _types(assets)
    try:
        specs = [spec_for(a, types[a.asset_type_id]) for a in assets]
    except LabelError as err:
        raise _as_domain(err) from None
    pages = _render(specs, layout, out, on_page, lambda i: f"{field}[{i}]")
    record_reprints([a.id for a in assets])
    return PrintedSheet(pages, [a.code for a in assets])


def record_reprints(asset_ids: list[int]) -> None:
    """Add one to label_prints per printed label (an asset printed twice counts twice)."""
    by_times: dict[int, list[int]] = {}
    for asset_id, times in Counter(asset_ids).items():
        by_times.setdefault(times, []).append(asset_id)
    with unit_of_work() as session:
        for times, ids in by_times.items():
            # In SQL, so concurrent reprints of the same asset both count.
            session.execute(update(Asset).where(Asset.id.in_(ids))
                            .values(label_prints=Asset.label_prints + times).execution_options(synchronize_session=False))


def plan_registration(asset_type: str, count: int | None, site_id: str | None, layout: SheetLayout) -> RegistrationPlan:
    """Check everything a register-and-print request can get wrong, before anything is written.

    Besides count, asset type and depot, one label of the batch (the one with the
    longest serial) is rendered on `layout`, so a label that cannot be printed on
    this layout is refused before any serial is allocated.
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= registry.MAX_REGISTRATION:
        raise DomainError("count", f"must be between 1 and {registry.MAX_REGISTRATION}")
    type_ = resolve_asset_type(asset_type)
    if site_id is not None:
        get_or_404(Site, site_id, "site", "depot", lambda s: s.kind == "depot")
    last_serial = str(type_.next_serial + count - 1).zfill(registry.SERIAL_DIGITS)
    try:
        label_sheet_pdf([_spec(type_, last_serial)], layout, io.BytesIO())
    except LabelError as err:
        raise _as_domain(err, "logo_png" if err.field == "logo_png" else "layout") from None
    return RegistrationPlan(type_.id, count, site_id)


def register_and_print(plan: RegistrationPlan, layout: SheetLayout, out: BinaryIO,
                       on_page: PageCallback | None = None) -> PrintedSheet:
    """Register the planned assets (committed), then render their sheet into `out`.

    The registration is committed before rendering, since the codes are only known
    then. plan_registration has rendered a label of this batch already; should the
    sheet still fail, the error names the registered codes so they can be reprinted.
    """
    assets = registry.register(plan.asset_type_id, plan.count, plan.site_id)
    type_ = get_session().get(AssetType, plan.asset_type_id)
    codes = [a.code for a in assets]
    try:
        pages = _render((spec_for(a, type_) for a in assets), layout, out, on_page, lambda i: "layout")
    except DomainError as err:
        raise DomainError(err.field, f"{err.message}; the {len(codes)} assets {codes[0]} to {codes[-1]} were "
                                     "registered: print them with a reprint of their codes") from None
    return PrintedSheet(pages, codes)


def label_sheet(viewer: Caller, codes: list[str] | None = None, register: dict | None = None,
                preset: str | None = None, layout: dict | None = None, logo_png: str | None = None) -> SheetFile:
    """A PDF label sheet: reprint existing assets (`codes`), or register new ones and print
    them (`register`: asset_type, count, optional site); exactly one of the two.

    The layout (a preset, overrides, a base64 PNG logo) and every input are checked
    before anything is registered; the sheet is rendered completely before it is handed out."""
    authorize(viewer, "label.print")
    if (codes is None) == (register is None):
        raise DomainError("codes", "give either codes (reprint) or register (new assets), not both")
    geometry = layouts.sheet_layout(preset, layout, layouts.logo_from_base64(logo_png))
    out = tempfile.TemporaryFile()
    try:
        if codes is not None:
            sheet = print_codes(codes, geometry, out)
            filename = f"labels-reprint-{len(sheet.codes)}.pdf"
        else:
            plan = plan_registration(register["asset_type"], register["count"], register.get("site"), geometry)
            sheet = register_and_print(plan, geometry, out)
            filename = f"labels-{plan.asset_type_id}-{sheet.codes[0]}-{sheet.codes[-1]}.pdf"
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return SheetFile(out, filename, sheet, register is not None)
