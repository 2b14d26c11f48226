// The phone camera as a scanner. Browsers with a BarcodeDetector (Chrome on Android) use
// theirs; the others (iOS Safari, Firefox, desktop Linux) get the same API from the npm
// package barcode-detector, a ZXing-C++ WebAssembly build that this service serves itself
// from static/vendor/ (scripts/vendor-barcode-detector.sh copies it there): nothing is
// fetched from another host, and the 1 MB decoder loads only when the camera is opened.
import { t } from "./i18n.js";

const FORMATS = ["qr_code", "data_matrix", "code_128"];
const VENDOR = new URL("../vendor/barcode-detector/", import.meta.url);
const FRAME_MS = 200;
const SAME_CODE_MS = 3000; // the same code in front of the camera is one scan

async function nativeDetector() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    const supported = await window.BarcodeDetector.getSupportedFormats();
    const formats = FORMATS.filter((f) => supported.includes(f));
    return formats.length ? new window.BarcodeDetector({ formats }) : null;
  } catch (err) {
    return null;
  }
}

export async function fallbackDetector() {
  const { BarcodeDetector, prepareZXingModule } = await import(new URL("ponyfill.js", VENDOR).href);
  // Without this the decoder would fetch its .wasm from a CDN.
  await prepareZXingModule({
    overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? new URL(path, VENDOR).href : prefix + path) },
    fireImmediately: true,
  });
  return new BarcodeDetector({ formats: FORMATS });
}

export async function barcodeDetector() {
  return (await nativeDetector()) || fallbackDetector();
}

// ui: cameraStart, camera, cameraVideo, cameraStop; onCode(rawValue); onError(message);
// done() after the camera closes (the page puts the focus back in the code field).
export function setupCamera({ ui, onCode, onError, done }) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  ui.cameraStart.hidden = false;
  let detector = null;
  let stream = null;
  let last = { code: null, at: 0 };

  const loop = async () => {
    if (!stream) return;
    try {
      for (const barcode of await detector.detect(ui.cameraVideo)) {
        const now = Date.now();
        if (barcode.rawValue && (barcode.rawValue !== last.code || now - last.at > SAME_CODE_MS)) {
          last = { code: barcode.rawValue, at: now };
          onCode(barcode.rawValue);
        }
      }
    } catch (err) { /* a frame that could not be read */ }
    setTimeout(loop, FRAME_MS);
  };

  const stop = () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    ui.camera.hidden = true;
    done();
  };

  ui.cameraStart.addEventListener("click", async () => {
    if (stream) return;
    try {
      detector = detector || await barcodeDetector();
    } catch (err) {
      onError(t("The camera decoder could not be loaded. Go online once, or type the code."));
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (err) {
      onError(t("The camera could not be opened. Allow the camera for this page, or type the code."));
      return;
    }
    ui.cameraVideo.srcObject = stream;
    ui.camera.hidden = false;
    await ui.cameraVideo.play();
    document.body.dataset.camera = "on";
    loop();
  });
  ui.cameraStop.addEventListener("click", () => {
    stop();
    delete document.body.dataset.camera;
  });
}
