"""Registering new assets: serials allocated once, never reused, also under concurrency."""
from __future__ import annotations

from sqlalchemy import select

from app.assets.models import Asset
from app.catalog.models import AssetType, Site
from app.domain.errors import Conflict, DomainError, NotFound
from app.platform.db import get_or_404, get_session, unit_of_work
from labels.codes import Alias, parse_code
from labels.errors import LabelError
from labels.grai import make_grai

MAX_REGISTRATION = 10_000
SERIAL_DIGITS = 8  # zero-padded so serials sort and read well on labels


def register(asset_type_id: str, count: int | None = None, site_id: str | None = None,
             aliases: list[str] | None = None) -> list[Asset]:
    """Create `count` new assets (or one per alias) of a type at a depot."""
    if aliases:
        count = len(aliases)
        aliases = [_alias_text(i, alias) for i, alias in enumerate(aliases)]
        if len(set(aliases)) != len(aliases):
            raise DomainError("aliases", "aliases repeat within the request")
    if count is None or not 1 <= count <= MAX_REGISTRATION:
        raise DomainError("count", f"must be between 1 and {MAX_REGISTRATION}")
    with unit_of_work() as session:
        # The row lock serialises concurrent registrations of the same type.
        asset_type = session.scalar(select(AssetType).where(AssetType.id == asset_type_id).with_for_update())
        if asset_type is None:
            raise NotFound("asset_type", f"unknown asset type {asset_type_id!r}")
        if site_id is not None:
            get_or_404(Site, site_id, "site", "depot", lambda s: s.kind == "depot")
        if aliases:
            taken = session.scalars(select(Asset.alias).where(Asset.alias.in_(aliases))).all()
            if taken:
                raise Conflict("aliases", f"already registered: {', '.join(sorted(taken)[:5])}")
        first = asset_type.next_serial
        asset_type.next_serial = first + count
        assets = []
        for n in range(first, first + count):
            serial = str(n).zfill(SERIAL_DIGITS)
            grai = make_grai(asset_type.company_prefix, asset_type.grai_asset_type, serial)
            assets.append(Asset(code=grai.ai_value, asset_type_id=asset_type.id, serial=serial, state=10,
                                site_id=site_id, home_site_id=site_id,
                                alias=aliases[n - first] if aliases else None))
        session.add_all(assets)
    return assets


def _alias_text(index: int, alias: str) -> str:
    """The alias as scans will look it up: parse_code normalises it (NFKC), so a
    full-width "Ｃ－０００１" is stored as "C-0001", the text every later scan yields."""
    try:
        code = parse_code(alias)
    except LabelError as err:
        raise DomainError(f"aliases[{index}]", err.message) from err
    if not isinstance(code, Alias):
        raise DomainError(f"aliases[{index}]", "looks like a GS1 code; aliases are plain serials")
    return code.text


def find(code_text: str) -> Asset:
    """The asset behind any accepted form of its code."""
    try:
        code = parse_code(code_text)
    except LabelError as err:
        raise DomainError("code", err.message) from err
    session = get_session()
    if isinstance(code, Alias):
        # A bare AI value (the `code` this API returns) parses as an alias: try both.
        asset = session.scalar(select(Asset).where((Asset.alias == code.text) | (Asset.code == code.text)))
    else:
        asset = session.scalar(select(Asset).where(Asset.code == code.ai_value))
    if asset is None:
        raise NotFound("code", f"unknown asset {code_text!r}")
    return asset
