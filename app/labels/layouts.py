"""Sheet geometry: a named preset, the caller's overrides and an optional logo, checked
before anything is registered or rendered (errors name the request's field)."""
from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Callable

from app.domain.errors import DomainError
from labels.errors import LabelError
from labels.layout import MAX_LOGO_BYTES, SheetLayout

PRESETS: dict[str, Callable[..., SheetLayout]] = {
    "a4-3x8": SheetLayout.a4_3x8,
    "letter-2x5": SheetLayout.letter_2x5,
    "a4-smallest": SheetLayout.a4_smallest,
}
DEFAULT_PRESET = "a4-3x8"
LAYOUT_FIELDS = ("page_size", "columns", "rows", "label_width_mm", "label_height_mm",
                 "margin_left_mm", "margin_top_mm", "gap_x_mm", "gap_y_mm")


def logo_from_base64(text: str | None) -> bytes | None:
    """PNG bytes from the request's base64 `logo_png`, size-checked before decoding."""
    if text is None:
        return None
    if len(text) > (MAX_LOGO_BYTES + 2) // 3 * 4 + 4:
        raise DomainError("logo_png", f"the logo must be at most {MAX_LOGO_BYTES} bytes")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("logo_png", "the logo must be a base64-encoded PNG image") from None
    return data


def sheet_layout(preset: str | None = None, overrides: dict | None = None, logo_png: bytes | None = None,
                 field_prefix: str = "layout.") -> SheetLayout:
    """The sheet geometry: a preset (default a4-3x8) with optional overrides, validated."""
    name = preset or DEFAULT_PRESET
    if name not in PRESETS:
        raise DomainError("preset", f"unknown preset {name!r}; one of {', '.join(PRESETS)}")
    changes = {k: v for k, v in (overrides or {}).items() if k in LAYOUT_FIELDS}
    try:
        layout = PRESETS[name](**changes, logo_png=logo_png)
    except LabelError as err:
        field = "logo_png" if err.field == "logo_png" else field_prefix + err.field
        raise DomainError(field, err.message) from None
    if logo_png is not None:
        _check_logo(logo_png)
    return layout


def _check_logo(png: bytes) -> None:
    # The renderer decodes the logo only when it writes the sheet: decode it now.
    from PIL import Image

    try:
        with Image.open(io.BytesIO(png)) as img:
            img.load()
    except Exception:  # Pillow raises many types for broken files
        raise DomainError("logo_png", "the logo is not a readable PNG image") from None
