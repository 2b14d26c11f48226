"""Label API: QR images, ZPL and PDF sheets, read back the way a phone or scanner would.

PDFs are rasterised with poppler (pdftoppm, 300 dpi) and every QR is decoded with zbar,
label cell by label cell as a handheld scanner sees one label.
"""
from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from labels.grai import make_grai
from labels.layout import SheetLayout
from tests.conftest import T0, auth, scan

try:
    from pyzbar.pyzbar import ZBarSymbol
    from pyzbar.pyzbar import decode as zbar_decode
except ImportError:  # pragma: no cover - libzbar0 is a test dependency
    zbar_decode = None

API = "/api/v1"
DPI = 300
PAGE_HEIGHT_PT = {"A4": 841.8898, "LETTER": 792.0}


# -- helpers shared with test_labels_cli.py ------------------------------------

def decode_qr(image: Image.Image) -> list[str]:
    if zbar_decode is None:
        pytest.fail("QR decoding needs the zbar library: apt-get install libzbar0")
    return [s.data.decode("ascii") for s in zbar_decode(image.convert("L"), symbols=[ZBarSymbol.QRCODE])]


def rasterise(pdf: bytes, workdir) -> list[Image.Image]:
    if shutil.which("pdftoppm") is None:
        pytest.fail("PDF rasterising needs pdftoppm: apt-get install poppler-utils")
    workdir.mkdir(parents=True, exist_ok=True)
    src = workdir / "sheet.pdf"
    src.write_bytes(pdf)
    done = subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(src), str(workdir / "page")],
                          capture_output=True, text=True, check=True)
    assert done.stderr == "", done.stderr  # poppler complains about malformed PDFs but renders them
    images = []
    for path in sorted(workdir.glob("page-*.png")):
        img = Image.open(path)
        img.load()
        images.append(img)
    return images


def decode_cells(pdf: bytes, layout: SheetLayout, workdir) -> list[list[str]]:
    """The symbols found in each label cell, page by page, row by row from the top left."""
    pages = rasterise(pdf, workdir)
    scale = DPI / 72
    page_h = PAGE_HEIGHT_PT[layout.page_size]
    w_pt, h_pt = layout.label_width_mm * 72 / 25.4, layout.label_height_mm * 72 / 25.4
    cells = []
    for page in pages:
        for x_pt, y_pt in layout.label_origins_pt():
            box = (round(x_pt * scale), round((page_h - y_pt - h_pt) * scale),
                   round((x_pt + w_pt) * scale), round((page_h - y_pt) * scale))
            cells.append(decode_qr(page.crop(box)))
    return cells


def assert_sheet(pdf: bytes, layout: SheetLayout, uris: list[str], workdir) -> None:
    """Exactly one symbol per printed label, carrying that label's URI, in order; empty cells after."""
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    cells = decode_cells(pdf, layout, workdir)
    assert len(cells) == -(-len(uris) // layout.labels_per_page) * layout.labels_per_page
    assert cells[: len(uris)] == [[u] for u in uris]
    assert all(c == [] for c in cells[len(uris):])


def digital_link(app, code: str) -> str:
    return f"{app.config['SETTINGS'].resolver_base_url.rstrip('/')}/8003/{code}"


def stored_state(app) -> dict:
    """What a rejected request must not change: assets, serial counters, print counts."""
    from app.platform.db import get_session
    from app.assets.models import Asset
    from app.catalog.models import AssetType

    with app.app_context():
        s = get_session()
        return {"assets": s.scalar(select(func.count(Asset.id))),
                "next_serial": dict(s.execute(select(AssetType.id, AssetType.next_serial)).all()),
                "label_prints": s.scalar(select(func.coalesce(func.sum(Asset.label_prints), 0)))}


def label_prints(app, codes: list[str]) -> list[int]:
    from app.platform.db import get_session
    from app.assets.models import Asset

    with app.app_context():
        by_code = dict(get_session().execute(select(Asset.code, Asset.label_prints).where(Asset.code.in_(codes))).all())
    return [by_code[c] for c in codes]


def logo_b64() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (90, 30), (0, 90, 160)).save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


@pytest.fixture
def admin(world):
    return auth(world["tokens"]["admin"])


@pytest.fixture
def depot(world):
    return auth(world["tokens"]["depot"])


def svg_image(svg: bytes, px: int = 8) -> Image.Image:
    """Draw the SVG's module runs (`M x y h n v1 h-n z`) on white, as a viewer would."""
    text = svg.decode()
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', text).group(1))
    img = Image.new("L", (size * px, size * px), 255)
    draw = ImageDraw.Draw(img)
    for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", text):
        x, y, n = int(x), int(y), int(n)
        draw.rectangle((x * px, y * px, (x + n) * px - 1, (y + 1) * px - 1), fill=0)
    return img


# -- single labels -------------------------------------------------------------

def test_label_png_and_svg_encode_only_the_digital_link(app, client, world, admin):
    code = world["codes"][0]
    r = client.get(f"{API}/assets/{code}/label.png", headers=admin)
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert f'filename="{code}.png"' in r.headers["Content-Disposition"]
    assert decode_qr(Image.open(io.BytesIO(r.data))) == [digital_link(app, code)]
    small = client.get(f"{API}/assets/{code}/label.png?module_px=3", headers=admin)
    assert small.status_code == 200
    assert Image.open(io.BytesIO(small.data)).size[0] * 8 == Image.open(io.BytesIO(r.data)).size[0] * 3
    assert decode_qr(Image.open(io.BytesIO(small.data))) == [digital_link(app, code)]

    r = client.get(f"{API}/assets/{code}/label.svg", headers=admin)
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    assert decode_qr(svg_image(r.data)) == [digital_link(app, code)]
    # GETs only render: they are not prints
    assert label_prints(app, [code]) == [0]


def test_label_zpl_defaults_and_options(app, client, world, admin):
    code = world["codes"][1]
    r = client.get(f"{API}/assets/{code}/label.zpl", headers=admin)
    assert r.status_code == 200 and r.mimetype == "text/plain"
    zpl = r.get_data(as_text=True)
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert "^PW799" in zpl and "^LL399" in zpl  # 100 x 50 mm at 203 dpi
    # the only symbol, and its data is exactly the Digital Link (level Q, automatic mode)
    assert zpl.count("^BQ") == 1
    assert re.findall(r"\^FDQA,([^\^]*)\^FS", zpl) == [digital_link(app, code)]
    assert "IBC 1000 L" in zpl and f"(8003){code[:14]}" in zpl

    r = client.get(f"{API}/assets/{code}/label.zpl?dpi=300&width_mm=60&height_mm=30", headers=admin)
    assert r.status_code == 200
    assert "^PW708" in r.get_data(as_text=True)


@pytest.mark.parametrize("query, field", [
    ("dpi=600", "dpi"), ("dpi=abc", "dpi"), ("width_mm=10", "width_mm"), ("height_mm=500", "height_mm"),
])
def test_label_zpl_bad_query_names_the_parameter(client, world, admin, query, field):
    r = client.get(f"{API}/assets/{world['codes'][0]}/label.zpl?{query}", headers=admin)
    assert r.status_code == 422
    assert field in r.get_json()["errors"]["query"], r.get_json()


def test_label_png_bad_module_size(client, world, admin):
    r = client.get(f"{API}/assets/{world['codes'][0]}/label.png?module_px=0", headers=admin)
    assert r.status_code == 422 and "module_px" in r.get_json()["errors"]["query"]


def test_label_routes_accept_every_code_form_and_leave_asset_route_alone(app, client, world, admin):
    from app.assets import registry

    code = world["codes"][2]
    uri = digital_link(app, code)
    for form in (code, f"(8003){code}", f"urn:epc:id:grai:4012345.12345.{code[14:]}"):
        r = client.get(f"{API}/assets/{form}/label.png", headers=admin)
        assert r.status_code == 200, (form, r.get_json())
        assert decode_qr(Image.open(io.BytesIO(r.data))) == [uri]
    # an alias with a dot, and a GRAI whose serial has a dot
    with app.app_context():
        legacy = registry.register("ibc", site_id="depot-a", aliases=["LEG.0001"])[0].code
        dotted = _insert_asset(app, "A.1")
    r = client.get(f"{API}/assets/LEG.0001/label.png", headers=admin)
    assert decode_qr(Image.open(io.BytesIO(r.data))) == [digital_link(app, legacy)]
    r = client.get(f"{API}/assets/{dotted}/label.png", headers=admin)
    assert r.status_code == 200
    assert decode_qr(Image.open(io.BytesIO(r.data))) == [digital_link(app, dotted)]
    # `/assets/<code>` still answers with the asset, for dotted codes too
    for c in (dotted, "LEG.0001", code):
        r = client.get(f"{API}/assets/{c}", headers=admin)
        assert r.status_code == 200 and r.is_json, c


def _insert_asset(app, serial: str) -> str:
    from app.platform.db import unit_of_work
    from app.assets.models import Asset

    code = make_grai("4012345", "12345", serial).ai_value
    with unit_of_work() as session:
        session.add(Asset(code=code, asset_type_id="ibc", serial=serial, state=10, site_id="depot-a"))
    return code


def test_label_unknown_and_foreign_codes_are_404(client, world, admin):
    codes = world["codes"]
    held = codes[3]
    r = client.post(f"{API}/scans", headers=auth(world["tokens"]["depot"]),
                    json={"scans": [scan(held, "issue", "depot-a", T0, "acme")]})
    assert r.status_code == 200, r.get_json()
    acme, globex = auth(world["tokens"]["acme"]), auth(world["tokens"]["globex"])
    assert client.get(f"{API}/assets/{held}/label.png", headers=acme).status_code == 200
    for fmt in ("png", "svg", "zpl"):
        r = client.get(f"{API}/assets/{held}/label.{fmt}", headers=globex)
        assert r.status_code == 404 and "code" in r.get_json()["errors"]
        assert client.get(f"{API}/assets/{codes[4]}/label.{fmt}", headers=acme).status_code == 404
    r = client.get(f"{API}/assets/(8003)0401234512345700000001/label.png", headers=admin)  # wrong check digit
    assert r.status_code == 422 and "code" in r.get_json()["errors"]
    r = client.get(f"{API}/assets/NOPE-1/label.svg", headers=admin)
    assert r.status_code == 404 and "code" in r.get_json()["errors"]
    assert client.get(f"{API}/assets/{held}/label.png").status_code == 401


# -- sheets --------------------------------------------------------------------

def test_sheet_reprints_codes_in_any_form_and_counts_reprints(app, client, world, depot, tmp_path):
    codes = world["codes"]
    given = [digital_link(app, codes[0]), f"(8003){codes[1]}", *codes[2:20], codes[0]]  # codes[0] twice
    printed = [codes[0], *codes[1:20], codes[0]]
    r = client.post(f"{API}/labels/sheets", headers=depot, json={"codes": given})
    assert r.status_code == 200, r.get_json()
    assert r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment;") and ".pdf" in r.headers["Content-Disposition"]
    assert r.headers["X-Sheet-Pages"] == "1"
    assert_sheet(r.data, SheetLayout.a4_3x8(), [digital_link(app, c) for c in printed], tmp_path)
    assert label_prints(app, codes) == [2] + [1] * 19


def test_sheet_registers_then_prints_on_the_smallest_labels(app, client, world, admin, tmp_path):
    before = stored_state(app)
    r = client.post(f"{API}/labels/sheets", headers=admin,
                    json={"register": {"asset_type": "ibc", "count": 50, "site": "depot-b"}, "preset": "a4-smallest"})
    assert r.status_code == 200, r.get_json()
    assert r.headers["X-Registered-Count"] == "50" and r.headers["X-Sheet-Pages"] == "2"
    first, last = r.headers["X-Registered-First"], r.headers["X-Registered-Last"]
    assert first[14:] == "00000021" and last[14:] == "00000070"
    new = client.get(f"{API}/assets?site=depot-b&limit=500", headers=admin).get_json()["items"]
    codes = [a["code"] for a in new]
    assert len(codes) == 50 and codes[0] == first and codes[-1] == last
    assert_sheet(r.data, SheetLayout.a4_smallest(), [digital_link(app, c) for c in codes], tmp_path)
    after = stored_state(app)
    assert after["assets"] == before["assets"] + 50 and after["next_serial"]["ibc"] == 71
    assert label_prints(app, codes) == [0] * 50  # the first print is not a reprint


def test_sheet_layout_overrides_and_logo(app, client, world, admin, tmp_path):
    layout = {"page_size": "LETTER", "columns": 2, "rows": 4, "label_width_mm": 101.6, "label_height_mm": 50.8,
              "margin_top_mm": 20, "gap_x_mm": 4.7625}
    r = client.post(f"{API}/labels/sheets", headers=admin,
                    json={"register": {"asset_type": "12345", "count": 9}, "preset": "letter-2x5", "layout": layout,
                          "logo_png": logo_b64()})
    assert r.status_code == 200, r.get_json()
    n = int(r.headers["X-Registered-First"][14:])
    codes = [make_grai("4012345", "12345", str(i).zfill(8)).ai_value for i in range(n, n + 9)]
    assert codes[-1] == r.headers["X-Registered-Last"]
    expected = SheetLayout.letter_2x5(**layout)
    assert_sheet(r.data, expected, [digital_link(app, c) for c in codes], tmp_path)


LONG_RESOLVER = "https://resolver.returnable-packaging.logistics-partner.example.org/" + "digital-link/" * 6


@pytest.mark.parametrize("body, status, field", [
    ({"register": {"asset_type": "ibc", "count": 0}}, 422, "count"),
    ({"register": {"asset_type": "ibc", "count": 10_001}}, 422, "count"),
    ({"register": {"asset_type": "ibc", "count": -3}}, 422, "count"),
    ({"register": {"asset_type": "nope", "count": 3}}, 404, "asset_type"),
    ({"register": {"asset_type": "ibc", "count": 3, "site": "acme-site"}}, 404, "site"),
    ({"register": {"asset_type": "ibc", "count": 3}, "layout": {"columns": 4}}, 422, "layout.columns"),
    ({"register": {"asset_type": "ibc", "count": 3}, "layout": {"label_height_mm": 20}}, 422, "layout.label_height_mm"),
    ({"register": {"asset_type": "ibc", "count": 3}, "preset": "a5"}, 422, "preset"),
    ({"register": {"asset_type": "ibc", "count": 3}, "logo_png": "not base64!"}, 422, "logo_png"),
    ({"register": {"asset_type": "ibc", "count": 3},
      "logo_png": base64.b64encode(b"\x89PNG\r\n\x1a\ngarbage").decode()}, 422, "logo_png"),
    ({"register": {"asset_type": "ibc", "count": 3}, "logo_png": "A" * 3_000_000}, 422, "logo_png"),
    ({"register": {"asset_type": "ibc", "count": 3}, "codes": ["x"]}, 422, "codes"),
    ({}, 422, "codes"),
    ({"codes": []}, 422, "codes"),
    ({"codes": ["{c0}", "NOPE-1"]}, 404, "codes[1]"),
    ({"codes": ["(8003)0401234512345700000001"]}, 422, "codes[0]"),
])
def test_sheet_bad_input_names_the_field_and_changes_nothing(app, client, world, admin, body, status, field):
    body = {k: ([c.format(c0=world["codes"][0]) for c in v] if k == "codes" else v) for k, v in body.items()}
    before = stored_state(app)
    r = client.post(f"{API}/labels/sheets", headers=admin, json=body)
    assert r.status_code == status, r.get_json()
    assert r.is_json and field in r.get_json()["errors"], r.get_json()
    assert field in r.get_json()["message"]
    assert stored_state(app) == before


@pytest.mark.parametrize("body, path", [
    ({"register": {"asset_type": "ibc", "count": "3"}}, ("register", "count")),
    ({"register": {"asset_type": "ibc"}}, ("register", "count")),
    ({"codes": "abc"}, ("codes",)),
    ({"codes": ["a"], "copies": 2}, ("copies",)),
    ({"codes": ["a"], "layout": {"columns": 2.5}}, ("layout", "columns")),
])
def test_sheet_malformed_body_is_422(app, client, world, admin, body, path):
    before = stored_state(app)
    r = client.post(f"{API}/labels/sheets", headers=admin, json=body)
    assert r.status_code == 422
    errors = r.get_json()["errors"]["json"]
    for key in path:
        errors = errors[key]
    assert stored_state(app) == before


def test_sheet_label_that_cannot_fit_is_refused_before_registering(app, client, world, admin):
    app.config["SETTINGS"].resolver_base_url = LONG_RESOLVER
    before = stored_state(app)
    r = client.post(f"{API}/labels/sheets", headers=admin,
                    json={"register": {"asset_type": "ibc", "count": 5}, "preset": "a4-smallest"})
    assert r.status_code == 422 and "layout" in r.get_json()["errors"]
    assert "taller label" in r.get_json()["message"]
    assert stored_state(app) == before
    # reprinting on that label fails naming the code, and counts nothing
    r = client.post(f"{API}/labels/sheets", headers=admin, json={"codes": world["codes"][:2], "preset": "a4-smallest"})
    assert r.status_code == 422 and "codes[0]" in r.get_json()["errors"]
    assert stored_state(app) == before
    # the same labels fit the larger preset
    r = client.post(f"{API}/labels/sheets", headers=admin, json={"codes": world["codes"][:2]})
    assert r.status_code == 200


@pytest.mark.parametrize("who, status", [("acme", 403), ("driver", 403), ("depot", 200), ("admin", 200)])
def test_sheet_roles(app, client, world, who, status):
    r = client.post(f"{API}/labels/sheets", headers=auth(world["tokens"][who]), json={"codes": world["codes"][:1]})
    assert r.status_code == status
    assert client.post(f"{API}/labels/sheets", json={"codes": world["codes"][:1]}).status_code == 401


def test_label_endpoints_are_in_the_openapi_document(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    for path in ("/api/v1/assets/{code}/label.png", "/api/v1/assets/{code}/label.svg",
                 "/api/v1/assets/{code}/label.zpl", "/api/v1/labels/sheets"):
        assert path in paths, sorted(paths)
