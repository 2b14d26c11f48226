"""The scanner offline from its first visit (the service worker caches the whole app shell
when it installs), offline counts by asset type, and the camera where the browser has no
BarcodeDetector: a ZXing WebAssembly decoder served by the service itself.

"Offline" is Chromium's network emulation (the DevTools protocol's emulateNetworkConditions,
through Playwright's set_offline) plus the server's socket closed, which the service
worker's own requests meet (see LiveServer in conftest.py)."""
from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect

from labels.render_qr import qr_matrix, qr_png

from .conftest import CHROMIUM_ARGS, PASSWORD, ROOT, USERS, choose, digital_link, open_scanner

VENDOR = ROOT / "app" / "web" / "static" / "vendor" / "barcode-detector"


def events(live, code):
    return live.api("get", f"/assets/{code}/events").get_json()


def go_offline(page, live):
    page.context.set_offline(True)
    live.go_offline()


def go_online(page, live):
    live.go_online()
    page.context.set_offline(False)


def test_offline_on_the_first_visit_after_signing_in(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")  # sign in: the first visit
    page.wait_for_selector("body[data-offline-ready]")  # the service worker is installed
    go_offline(page, live)  # at once: no second online visit
    page.reload()
    page.wait_for_selector("body[data-scanner-ready]")
    expect(page.get_by_role("heading", name="Scan assets")).to_be_visible()
    expect(page.locator("#conn")).to_contain_text("Offline")
    choose(page, "Issue to customer", "depot-a", "acme")
    codes = live.world["codes"][:10]
    for code in codes:
        page.keyboard.type(digital_link(code) + "\n")
    expect(page.locator("#queue-count")).to_have_text("10")
    expect(page.locator("#feedback")).to_contain_text("sent when the connection is back")
    assert all(events(live, c) == [] for c in codes)
    go_online(page, live)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=20_000)
    expect(page.locator("#scan-list li[data-status='applied']")).to_have_count(10)
    page.reload()  # and nothing is sent twice
    page.wait_for_selector("body[data-scanner-ready]")
    expect(page.locator("#scan-list li[data-status='applied']")).to_have_count(10)
    for code in codes:
        assert [e["event"] for e in events(live, code)] == ["issue"], code
    assert live.api("get", "/customers/acme/balance").get_json()["total"] == 10


def test_offline_codes_count_by_asset_types_kept_from_the_last_online_visit(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    page.wait_for_selector("body[data-offline-ready]")  # the cached page knows only the IBC type
    r = live.api("post", "/asset-types", json={"id": "crate", "name": "Crate 600x400", "company_prefix": "4012345",
                                              "grai_asset_type": "54321", "tare_mass_kg": 2.0})
    assert r.status_code == 201, r.get_json()
    crates = live.api("post", "/assets", json={"asset_type": "crate", "count": 2, "site": "depot-a"}).get_json()["codes"]
    # The connection drops and comes back: the scanner refreshes what it knows.
    with page.expect_response("**/api/v1/asset-types"):
        page.context.set_offline(True)
        page.context.set_offline(False)
    page.wait_for_function("() => localStorage.getItem('circ.reference.' + JSON.parse("
                           "document.getElementById('scan-config').textContent).user).includes('crate')")
    go_offline(page, live)
    page.reload()
    page.wait_for_selector("body[data-scanner-ready]")
    page_types = page.evaluate("JSON.parse(document.getElementById('scan-config').textContent)"
                               ".reference.assetTypes.map(t => t.id)")
    assert page_types == ["ibc"], "the page served offline is the older copy"
    choose(page, "Issue to customer", "depot-a", "acme")
    ibc = live.world["codes"]
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in f"(8003){ibc[1]}")
    for text in (f"(8003){crates[0]}", crates[1],  # the printed code, with and without its AI
                 f"urn:epc:id:grai:4012345.12345.{ibc[0][14:]}", wide):
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    expect(page.locator("#queue-count")).to_have_text("4")
    rows = page.locator("#counts tr").all_inner_texts()
    assert sorted(r.split("\t")[0] for r in rows) == ["Crate 600x400", "IBC 1000 L"], rows
    assert not [r for r in rows if "Other" in r]
    go_online(page, live)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=20_000)
    expect(page.locator("#scan-list li[data-status='applied']")).to_have_count(4)
    assert sorted(r.split("\t")[0] for r in page.locator("#counts tr").all_inner_texts()) == ["Crate 600x400",
                                                                                              "IBC 1000 L"]


def test_the_fallback_decoder_reads_a_label_from_this_service_only(live, new_page):
    page = new_page("mobile")
    requests = []
    page.on("request", lambda req: requests.append(req.url))
    open_scanner(page, "depot")
    assert page.evaluate("'BarcodeDetector' in window") is False  # Chromium on Linux has none
    expect(page.get_by_role("button", name="Scan with camera")).to_be_visible()
    uri = digital_link(live.world["codes"][0])
    matrix = qr_matrix(uri)
    decoded = page.evaluate("""async ({matrix, scale, border}) => {
        const size = (matrix.length + 2 * border) * scale;
        const pixels = new Uint8ClampedArray(size * size * 4).fill(255);
        matrix.forEach((row, y) => row.forEach((dark, x) => {
            if (!dark) return;
            for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) {
                const i = (((y + border) * scale + dy) * size + (x + border) * scale + dx) * 4;
                pixels[i] = pixels[i + 1] = pixels[i + 2] = 0;
            }
        }));
        const camera = await import('/static/js/camera.js');
        const detector = await camera.fallbackDetector();
        return (await detector.detect(new ImageData(pixels, size, size))).map(b => [b.format, b.rawValue]);
    }""", {"matrix": matrix, "scale": 6, "border": 4})
    assert decoded == [["qr_code", uri]]
    assert all(url.startswith(live.url) for url in requests), [u for u in requests if not u.startswith(live.url)]
    wasm = [u for u in requests if u.endswith(".wasm")]
    assert wasm == [f"{live.url}/static/vendor/barcode-detector/zxing_reader.wasm"]
    response = page.request.get(wasm[0])
    assert response.headers["content-type"] == "application/wasm"


def fake_camera_file(tmp_path: Path, uri: str) -> Path:
    """A video file Chromium plays as the camera: the label's QR code, frame after frame."""
    qr = Image.open(io.BytesIO(qr_png(uri, module_px=6))).convert("RGB")
    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    buffer = io.BytesIO()
    frame.save(buffer, "JPEG", quality=90)
    path = tmp_path / "camera.mjpeg"
    path.write_bytes(buffer.getvalue() * 30)
    return path


def sign_in_and_open_scanner(page) -> None:
    page.goto("/login?next=/scan")
    page.get_by_label("Email").fill(USERS["depot"][3])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("body[data-scanner-ready]")


def test_camera_scan_without_barcode_detector_is_recorded(live, browser, chromium_path, tmp_path):
    code = live.world["codes"][0]
    video = fake_camera_file(tmp_path, digital_link(code))
    # A browser of its own, whose camera plays the file.
    args = CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    camera_browser = browser.browser_type.launch(executable_path=chromium_path, args=args, headless=True)
    problems = []
    try:
        context = camera_browser.new_context(viewport={"width": 360, "height": 740}, base_url=live.url,
                                             permissions=["camera"])
        page = context.new_page()
        page.on("pageerror", lambda err: problems.append(str(err)))
        page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
        sign_in_and_open_scanner(page)
        assert page.evaluate("'BarcodeDetector' in window") is False
        choose(page, "Issue to customer", "depot-a", "acme")
        page.get_by_role("button", name="Scan with camera").click()
        expect(page.locator("#scan-list li[data-status='applied']")).to_have_count(1, timeout=20_000)
        page.get_by_role("button", name="Stop camera").click()
        expect(page.locator("#camera")).to_be_hidden()
        assert page.evaluate("document.activeElement.id") == "code"
    finally:
        camera_browser.close()
    assert problems == []  # WebAssembly compiled under the page's policy
    assert [e["event"] for e in events(live, code)] == ["issue"]  # one scan, though the code stayed in view


def test_vendored_decoder_is_the_version_pinned_in_package_json():
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["barcode-detector"]
    versions = dict(line.split(" ", 1) for line in (VENDOR / "VERSIONS").read_text().splitlines())
    assert versions["barcode-detector"] == pinned
    wasm_sha256 = hashlib.sha256((VENDOR / "zxing_reader.wasm").read_bytes()).hexdigest()
    assert versions["zxing_reader.wasm"] == f"sha256 {wasm_sha256}"
    # the very build the JavaScript expects (it carries the hash of its .wasm)
    assert wasm_sha256 in (VENDOR / "zxing-exported.js").read_text()
    # the decoder is told where the .wasm is; its built-in default is a CDN
    assert "locateFile" in (ROOT / "app" / "web" / "static" / "js" / "camera.js").read_text()
