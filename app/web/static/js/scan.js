// The scanning app: choose an operation and a site, then scan continuously with a
// keyboard-wedge hand scanner, the phone camera, or typed codes. Scans queue in
// IndexedDB and upload in batches whenever there is a connection (see queue.js).
import { displayCode, graiTypeKey, isGroupSeparatorKey, isoWithOffset, newId, normaliseScan, typeKeyOfAssetCode, GS } from "./codes.js";
import { signal, unlockAudio } from "./feedback.js";
import { Uploader, allScans, deleteScans, prune, putScans } from "./queue.js";

const cfg = JSON.parse(document.getElementById("scan-config").textContent);
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const $ = (id) => document.getElementById(id);
const ui = {
  conn: $("conn"), connText: $("conn-text"), queueCount: $("queue-count"), site: $("site"),
  customer: $("customer"), customerField: $("customer-field"), code: $("code"), scanForm: $("scan-form"),
  feedback: $("feedback"), list: $("scan-list"), listEmpty: $("list-empty"), counts: $("counts"),
  undo: $("undo"), sync: $("sync"), clear: $("clear"), cameraStart: $("camera-start"), camera: $("camera"),
  cameraVideo: $("camera-video"), cameraStop: $("camera-stop"),
};
const RETRY_MS = 15000;
const REPEAT_WINDOW_MS = 10 * 60 * 1000; // the same code + operation + site again within this is a double read
const STATUS_TEXT = {
  queued: "Waiting to send", applied: "Applied", duplicate: "Duplicate", anomaly: "Anomaly", rejected: "Rejected",
};
const store = (key, value) => { try { localStorage.setItem(`circ.${key}`, JSON.stringify(value)); } catch (e) { /* full */ } };
const load = (key, fallback) => { try { return JSON.parse(localStorage.getItem(`circ.${key}`)) ?? fallback; } catch (e) { return fallback; } };

const deviceId = load("device", null) || newId();
store("device", deviceId);

// The page brings the reference data; a page served offline by the service worker
// brings the copy it was cached with, and the API refreshes it when reachable.
let { sites, customers, assetTypes } = cfg.reference;
let items = []; // this user's scans on this device, oldest first
let connState = navigator.onLine ? "online" : "offline";
let lastScanId = null;

const operations = new Map(cfg.operations.map((op) => [op.event, op]));
const uploader = new Uploader({
  api: cfg.api, csrfToken, user: cfg.user,
  onResult: (answered) => {
    const latest = answered.find((i) => i.id === lastScanId);
    if (latest) announce(latest);
    refresh();
  },
  onState: (state, detail) => setConn(state, detail),
});

// ---------- setup: operation, site, customer ----------

function currentOp() {
  const checked = document.querySelector('input[name="event"]:checked');
  return checked ? operations.get(checked.value) : null;
}

function fillSelect(select, options, placeholder, selected) {
  select.replaceChildren(new Option(placeholder, ""), ...options.map(([value, label]) => new Option(label, value)));
  select.value = options.some(([v]) => v === selected) ? selected : "";
}

function renderSetup() {
  const op = currentOp();
  if (!op) {
    fillSelect(ui.site, [], "Choose an operation first", "");
    ui.customerField.hidden = true;
    return;
  }
  const wanted = sites.filter((s) => s.kind === op.site_kind && s.active !== false);
  fillSelect(ui.site, wanted.map((s) => [s.id, s.name]),
    wanted.length ? `Choose a ${op.site_kind === "depot" ? "depot" : "customer site"}` : "No sites known yet (go online)",
    load(`site.${op.site_kind}`, ""));
  ui.customerField.hidden = !op.needs_customer;
  if (op.needs_customer) {
    fillSelect(ui.customer, customers.filter((c) => c.active !== false).map((c) => [c.id, c.name]),
      "Choose the customer", load("customer", ""));
  }
}

async function loadReferenceData() {
  const get = async (path) => {
    const r = await fetch(`${cfg.api}${path}`, {
      credentials: "same-origin", cache: "no-store", headers: { "X-CSRF-Token": csrfToken, Accept: "application/json" },
    });
    if (r.status === 401) throw Object.assign(new Error("signed out"), { signedOut: true });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.json();
  };
  const results = await Promise.allSettled([get("/sites"), get("/customers"), get("/asset-types")]);
  const [s, c, t] = results.map((r) => (r.status === "fulfilled" ? r.value : null));
  const before = JSON.stringify([sites, customers]);
  if (s) sites = s;
  if (c) customers = c;
  if (t) assetTypes = t;
  const changed = JSON.stringify([sites, customers]) !== before;
  const failures = results.filter((r) => r.status === "rejected").map((r) => r.reason);
  if (failures.some((e) => e.signedOut)) setConn("signed-out");
  else if (failures.some((e) => e instanceof TypeError)) setConn("offline");
  else setConn("online");
  if (changed) renderSetup();
  renderCounts();
}

document.querySelectorAll('input[name="event"]').forEach((radio) => {
  radio.addEventListener("change", () => {
    store("event", radio.value);
    renderSetup();
  });
});
ui.site.addEventListener("change", () => { const op = currentOp(); if (op) store(`site.${op.site_kind}`, ui.site.value); });
ui.customer.addEventListener("change", () => store("customer", ui.customer.value));

// ---------- capturing scans ----------

ui.code.addEventListener("keydown", (event) => {
  unlockAudio();
  if (isGroupSeparatorKey(event)) {
    event.preventDefault();
    const { selectionStart: start, selectionEnd: end, value } = ui.code;
    ui.code.value = value.slice(0, start) + GS + value.slice(end);
    ui.code.setSelectionRange(start + 1, start + 1);
  }
});

ui.scanForm.addEventListener("submit", (event) => {
  event.preventDefault();
  unlockAudio();
  const code = normaliseScan(ui.code.value);
  // Cleared at once, so the next scan of a fast hand scanner starts in an empty field.
  ui.code.value = "";
  if (code) capture(code);
  ui.code.focus();
});

async function capture(code) {
  const op = currentOp();
  const site = ui.site.value;
  const customerSite = sites.find((s) => s.id === site);
  const customer = op && op.needs_customer ? ui.customer.value
    : op && op.customer_from_site && customerSite ? customerSite.customer_id : null;
  const missing = !op ? "Choose an operation first." : !site ? "Choose the site first."
    : op.needs_customer && !customer ? "Choose the customer first." : null;
  if (missing) {
    ui.code.value = code; // keep what was scanned, nothing is lost
    show("error", `${missing} Not recorded: ${displayCode(code)}`);
    signal("error");
    return;
  }
  const now = new Date();
  const item = {
    id: newId(), seq: now.getTime() + Math.random(), user: cfg.user, device: deviceId, code, event: op.event,
    op_label: op.label, site, customer: customer || null, occurred_at: isoWithOffset(now), status: "queued",
    message: null, asset: null, attempts: 0,
  };
  const repeat = items.slice().reverse().find((i) => i.code === code && i.event === item.event && i.site === site &&
    !["rejected", "duplicate"].includes(i.status) && now - new Date(i.occurred_at) < REPEAT_WINDOW_MS);
  if (repeat) {
    item.status = "duplicate";
    item.local = true;
    item.message = `Already scanned for ${op.label} at ${new Date(repeat.occurred_at).toLocaleTimeString()}; not sent again.`;
  }
  lastScanId = item.id;
  items.push(item);
  await putScans([item]);
  announce(item);
  refresh();
  if (!repeat) uploader.sync();
}

// ---------- feedback ----------

function show(kind, text) {
  ui.feedback.className = `feedback ${kind}`;
  ui.feedback.textContent = text;
  void ui.feedback.offsetWidth; // restart the flash animation
  ui.feedback.classList.add("flash");
}

function announce(item) {
  const code = displayCode(item.code);
  const what = {
    queued: `Saved: ${code} (${item.op_label}). ${connState === "online" ? "Sending…" : "Will send when online."}`,
    applied: `Applied: ${code} (${item.op_label})${item.asset ? ` — now ${item.asset.state.replaceAll("_", " ")}` : ""}`,
    duplicate: `Duplicate: ${code}. ${item.message || ""}`,
    anomaly: `Anomaly: ${code}. ${item.message || ""} Recorded for review.`,
    rejected: `Rejected: ${code}. ${item.message || ""}`,
  }[item.status];
  show(item.status, what);
  signal(item.status);
}

// ---------- rendering ----------

async function refresh() {
  items = (await allScans()).filter((i) => i.user === cfg.user);
  renderList();
  renderCounts();
  ui.queueCount.textContent = String(items.filter((i) => i.status === "queued").length);
}

function typeName(item) {
  const key = typeKeyOfAssetCode(item.asset && item.asset.code) || graiTypeKey(item.code);
  const type = key && assetTypes.find((t) => t.company_prefix + t.grai_asset_type === key);
  return type ? type.name : "Other / not yet known";
}

function renderCounts() {
  const counts = new Map();
  for (const item of items) {
    if (item.status === "rejected" || item.status === "duplicate") continue;
    const name = typeName(item);
    const row = counts.get(name) || { scanned: 0, waiting: 0 };
    row.scanned += 1;
    if (item.status === "queued") row.waiting += 1;
    counts.set(name, row);
  }
  if (!counts.size) {
    ui.counts.innerHTML = '<tr><td colspan="3" class="empty">No scans yet.</td></tr>';
    return;
  }
  ui.counts.replaceChildren(...[...counts].sort().map(([name, row]) => {
    const tr = document.createElement("tr");
    for (const [text, cls] of [[name, ""], [row.scanned, "num"], [row.waiting, "num"]]) {
      const td = document.createElement("td");
      td.textContent = String(text);
      if (cls) td.className = cls;
      tr.append(td);
    }
    return tr;
  }));
}

function renderList() {
  const shown = items.slice(-100).reverse();
  ui.listEmpty.hidden = shown.length > 0;
  ui.list.replaceChildren(...shown.map((item) => {
    const li = document.createElement("li");
    li.dataset.status = item.status;
    li.dataset.id = item.id;
    const badge = document.createElement("span");
    badge.className = `badge ${item.status}`;
    badge.textContent = STATUS_TEXT[item.status] || item.status;
    const code = document.createElement("span");
    code.className = "code";
    code.textContent = displayCode(item.code);
    const meta = document.createElement("span");
    meta.className = "meta";
    const where = sites.find((s) => s.id === item.site);
    meta.textContent = `${item.op_label} · ${where ? where.name : item.site} · ${new Date(item.occurred_at).toLocaleTimeString()}`;
    li.append(badge, code, meta);
    if (item.message) {
      const msg = document.createElement("span");
      msg.className = "msg";
      msg.textContent = item.message;
      li.append(msg);
    }
    return li;
  }));
}

function setConn(state, detail) {
  connState = state === "error" ? connState : state;
  const waiting = items.filter((i) => i.status === "queued").length;
  ui.conn.className = `conn ${state === "online" ? "" : state === "signed-out" ? "signed-out" : "offline"}`;
  if (state === "signed-out") {
    ui.connText.innerHTML = "";
    const link = document.createElement("a");
    link.href = `/login?next=${encodeURIComponent(location.pathname)}`;
    link.textContent = "Sign in again";
    ui.connText.append("Signed out. ", link, ` to send ${waiting} waiting scan${waiting === 1 ? "" : "s"}.`);
  } else {
    ui.connText.textContent = state === "online" ? "Online" : state === "offline"
      ? "Offline: scans are kept on this device" : detail || "Server problem: will retry";
  }
}

// ---------- undo, send now, clear ----------

ui.undo.addEventListener("click", async () => {
  const item = items.slice().reverse().find((i) => !i.undone);
  if (!item) {
    show("", "Nothing to undo.");
    return;
  }
  if (uploader.inFlight.has(item.id)) {
    show("duplicate", "The last scan is being sent right now; try again in a moment.");
    return;
  }
  if (item.status === "queued" || item.status === "rejected" || item.local) {
    // Never reached the server (or was refused / a double read): nothing was recorded.
    await deleteScans([item.id]);
    show("", `Removed: ${displayCode(item.code)} (${item.op_label}); it was not recorded.`);
  } else {
    // The scan log is append-only: a recorded scan stays. The asset's real state is
    // restored by scanning it with the operation that describes where it really is.
    item.undone = true;
    item.message = `${item.message ? `${item.message} ` : ""}Undo asked: already recorded, scan again with the correct operation.`;
    await putScans([item]);
    show("anomaly", `Already recorded: ${displayCode(item.code)} (${item.op_label}). Recorded scans cannot be removed; ` +
      "scan the asset again with the operation that matches where it is (for example receive it back).");
  }
  signal("queued");
  refresh();
  ui.code.focus();
});

ui.sync.addEventListener("click", () => uploader.sync());
ui.clear.addEventListener("click", async () => {
  const done = items.filter((i) => i.status !== "queued").map((i) => i.id);
  await deleteScans(done);
  show("", done.length ? "List cleared. Waiting scans stay until they are sent." : "Nothing to clear.");
  refresh();
});

// ---------- camera (BarcodeDetector where the browser has it) ----------

let cameraStream = null;
async function setupCamera() {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  let formats = [];
  try {
    formats = await window.BarcodeDetector.getSupportedFormats();
  } catch (err) {
    return;
  }
  const wanted = ["qr_code", "data_matrix", "code_128"].filter((f) => formats.includes(f));
  if (!wanted.length) return;
  const detector = new window.BarcodeDetector({ formats: wanted });
  ui.cameraStart.hidden = false;
  let last = { code: null, at: 0 };
  const loop = async () => {
    if (!cameraStream) return;
    try {
      for (const barcode of await detector.detect(ui.cameraVideo)) {
        const now = Date.now();
        if (barcode.rawValue && (barcode.rawValue !== last.code || now - last.at > 3000)) {
          last = { code: barcode.rawValue, at: now };
          capture(normaliseScan(barcode.rawValue));
        }
      }
    } catch (err) { /* a frame that could not be read */ }
    setTimeout(loop, 200);
  };
  ui.cameraStart.addEventListener("click", async () => {
    unlockAudio();
    try {
      cameraStream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (err) {
      show("error", "The camera could not be opened (permission?).");
      return;
    }
    ui.cameraVideo.srcObject = cameraStream;
    ui.camera.hidden = false;
    await ui.cameraVideo.play();
    loop();
  });
  ui.cameraStop.addEventListener("click", () => {
    cameraStream.getTracks().forEach((t) => t.stop());
    cameraStream = null;
    ui.camera.hidden = true;
    ui.code.focus();
  });
}

// ---------- start ----------

window.addEventListener("online", () => { setConn("online"); uploader.sync(); });
window.addEventListener("offline", () => setConn("offline"));
setInterval(() => {
  if (items.some((i) => i.status === "queued")) uploader.sync();
}, RETRY_MS);

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(cfg.swUrl, { scope: cfg.swScope }).catch(() => { /* plain page still works */ });
}
document.querySelectorAll("[data-sign-out]").forEach((form) => form.addEventListener("submit", (event) => {
  const waiting = items.filter((i) => i.status === "queued").length;
  if (waiting && !window.confirm(`${waiting} scan(s) are not sent yet. They stay on this device and are sent when you sign in again. Sign out?`)) {
    event.preventDefault();
  }
}));

const savedEvent = load("event", null);
const savedRadio = savedEvent && document.querySelector(`input[name="event"][value="${CSS.escape(savedEvent)}"]`);
if (savedRadio) savedRadio.checked = true;
else if (cfg.operations.length === 1) document.querySelector('input[name="event"]').checked = true;
setConn(connState);
renderSetup();
setupCamera();
await prune();
await refresh();
ui.code.focus();
await loadReferenceData();
document.body.dataset.scannerReady = "1";
uploader.sync();
