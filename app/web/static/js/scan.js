// The scanning app: choose an operation and a site, then scan continuously with a
// keyboard-wedge hand scanner, the phone camera, or typed or pasted codes. Scans queue in
// IndexedDB and upload in batches whenever there is a connection (see queue.js).
import { setupCamera } from "./camera.js";
import { GS, assetTypeOf, displayCode, isGroupSeparatorKey, isoWithOffset, newId, normaliseScan, shortSerial,
  splitCodes } from "./codes.js";
import { signal, unlockAudio } from "./feedback.js";
import { Uploader, allScans, deleteScans, prune, putScans } from "./queue.js";
import { refreshReference, startingReference } from "./reference.js";
import { Setup } from "./setup.js";
import { t } from "./i18n.js";
import { plainMessage } from "./text.js";
import { renderCounts, renderList, showResult } from "./view.js";
import { routeKeysTo, splitPastes } from "./wedge.js";

const cfg = JSON.parse(document.getElementById("scan-config").textContent);
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const $ = (id) => document.getElementById(id);
const ui = {
  conn: $("conn"), connText: $("conn-text"), queueCount: $("queue-count"), setup: $("setup"), site: $("site"),
  customer: $("customer"), customerField: $("customer-field"), summary: $("summary"), summaryOp: $("summary-op"),
  summaryWhere: $("summary-where"), change: $("change-setup"), code: $("code"), scanForm: $("scan-form"),
  feedback: $("feedback"), resultIcon: $("result-icon"), resultWord: $("result-word"), resultAsset: $("result-asset"),
  resultType: $("result-type"), resultSerial: $("result-serial"), resultMessage: $("result-message"),
  list: $("scan-list"), listEmpty: $("list-empty"), counts: $("counts"), undo: $("undo"), sync: $("sync"),
  clear: $("clear"), keyboardToggle: $("keyboard-toggle"), cameraStart: $("camera-start"), camera: $("camera"),
  cameraVideo: $("camera-video"), cameraStop: $("camera-stop"),
};
const RETRY_MS = 15000;
const REPEAT_WINDOW_MS = 10 * 60 * 1000; // the same code + operation + site again within this is a double read
const store = (key, value) => { try { localStorage.setItem(`circ.${key}`, JSON.stringify(value)); } catch (e) { /* full */ } };
const load = (key, fallback) => { try { return JSON.parse(localStorage.getItem(`circ.${key}`)) ?? fallback; } catch (e) { return fallback; } };

const deviceId = load("device", null) || newId();
store("device", deviceId);

let reference = startingReference(cfg, load);
let items = []; // this user's scans on this device, oldest first
let connState = navigator.onLine ? "online" : "offline";
let lastScanId = null;

const uploader = new Uploader({
  api: cfg.api, csrfToken, user: cfg.user,
  onResult: (answered) => {
    const latest = answered.find((i) => i.id === lastScanId);
    if (latest) announce(latest);
    refresh();
  },
  onState: (state, status) => setConn(state, status),
});
const setup = new Setup({
  ui, operations: cfg.operations, reference: () => reference, remember: store, recall: load, focusCode,
  // Replaces "choose an operation ..." (or "choose the site first"), not a scan's result.
  onDone: () => {
    if (/\b(info|error)\b/.test(ui.feedback.className)) showResult(ui, { status: "info", message: t("Ready: scan a code.") });
  },
});

// The code field takes the next scan; with the setup folded away, the field and the
// result area below it are brought on screen together.
function focusCode() {
  if (!ui.setup.hidden) {
    ui.code.focus();
    return;
  }
  ui.code.focus({ preventScroll: true });
  ui.code.scrollIntoView({ block: "nearest" });
  ui.feedback.scrollIntoView({ block: "nearest" });
}

// ---------- names for ids and codes ----------

const nameOf = (customerId) => (reference.customers.find((c) => c.id === customerId) || {}).name || customerId;
const siteName = (siteId) => (reference.sites.find((s) => s.id === siteId) || {}).name || siteId;

function typeName(item) {
  const type = (item.asset && assetTypeOf(item.asset.code, reference.assetTypes)) || assetTypeOf(item.code, reference.assetTypes);
  return type ? type.name : null;
}

const messageOf = (item) => plainMessage(item, { online: connState === "online", nameOf });

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
  // No code contains a blank: text with blanks in it is several codes.
  const codes = splitCodes(ui.code.value);
  // Cleared at once, so the next scan of a fast hand scanner starts in an empty field.
  ui.code.value = "";
  captureAll(codes);
  focusCode();
});

async function captureAll(codes) {
  if (!codes.length) return;
  const missing = setup.missing();
  if (missing) {
    ui.code.value = codes.join(" "); // keep what was scanned, nothing is lost
    showResult(ui, { status: "error", serial: codes.length === 1 ? shortSerial(codes[0]) : "", message: missing });
    signal("error");
    return;
  }
  for (const code of codes) await capture(code);
  uploader.sync();
}

async function capture(code) {
  const op = setup.op();
  const site = ui.site.value;
  const now = new Date();
  const item = {
    id: newId(), seq: now.getTime() + Math.random(), user: cfg.user, device: deviceId, code, event: op.event,
    op_label: op.label, site, customer: setup.customer(), occurred_at: isoWithOffset(now), status: "queued",
    message: null, asset: null, attempts: 0,
  };
  const repeat = items.slice().reverse().find((i) => i.code === code && i.event === item.event && i.site === site &&
    !["rejected", "duplicate"].includes(i.status) && now - new Date(i.occurred_at) < REPEAT_WINDOW_MS);
  if (repeat) {
    item.status = "duplicate";
    item.local = true;
    item.repeat_of = repeat.occurred_at;
  }
  lastScanId = item.id;
  items.push(item);
  await putScans([item]);
  announce(item);
  refresh();
}

function announce(item) {
  showResult(ui, {
    status: item.status, type: typeName(item) || "", serial: shortSerial(item.asset ? item.asset.code : item.code),
    message: messageOf(item),
  });
  signal(item.status);
}

const note = (status, message) => showResult(ui, { status, message });

// ---------- rendering ----------

async function refresh() {
  items = (await allScans()).filter((i) => i.user === cfg.user);
  renderList(ui.list, ui.listEmpty, items, { siteName, typeName, message: messageOf });
  renderCounts(ui.counts, items, typeName);
  ui.queueCount.textContent = String(items.filter((i) => i.status === "queued").length);
}

function setConn(state, status) {
  connState = state === "error" ? connState : state;
  const waiting = items.filter((i) => i.status === "queued").length;
  ui.conn.className = `conn ${state === "online" ? "" : state === "signed-out" ? "signed-out" : "offline"}`;
  if (state === "signed-out") {
    const link = document.createElement("a");
    link.href = `/login?next=${encodeURIComponent(location.pathname)}`;
    link.textContent = t("Sign in again");
    ui.connText.replaceChildren(`${t("Signed out.")} `, link, ` ${t("to send the waiting scans (%(count)s).", { count: waiting })}`);
  } else {
    ui.connText.textContent = state === "online" ? t("Online") : state === "offline" ? t("Offline: scans are kept on this phone")
      : t("Server problem (%(status)s): will retry", { status });
  }
}

async function loadReferenceData() {
  const before = JSON.stringify([reference.sites, reference.customers]);
  const { reference: fresh, failures } = await refreshReference(cfg, csrfToken, reference, store);
  reference = fresh;
  if (failures.some((e) => e.signedOut)) setConn("signed-out");
  else if (failures.some((e) => e instanceof TypeError)) setConn("offline");
  else setConn("online");
  if (JSON.stringify([reference.sites, reference.customers]) !== before) {
    setup.render();
    if (setup.missing()) setup.expand(false);
  }
  refresh();
}

// ---------- undo, send now, clear, keyboard ----------

ui.undo.addEventListener("click", async () => {
  focusCode();
  const item = items.slice().reverse().find((i) => !i.undone);
  if (!item) {
    note("info", t("Nothing to undo."));
  } else if (uploader.inFlight.has(item.id)) {
    note("duplicate", t("The last scan is being sent right now; try again in a moment."));
  } else if (item.status === "queued" || item.status === "rejected" || item.local) {
    // Never reached the server (or was refused / a double read): nothing was recorded.
    await deleteScans([item.id]);
    note("info", t("Removed: %(code)s (%(operation)s); it was not recorded.", { code: displayCode(item.code), operation: item.op_label }));
  } else {
    // The scan log is append-only: a recorded scan stays. The asset's real state is
    // restored by scanning it with the operation that describes where it really is.
    item.undone = true;
    await putScans([item]);
    note("anomaly", t("Already recorded: %(code)s (%(operation)s). Recorded scans cannot be removed; scan the asset again with the operation that matches where it is (for example, receive it back).",
      { code: displayCode(item.code), operation: item.op_label }));
  }
  if (item) signal("queued");
  refresh();
});

ui.sync.addEventListener("click", () => {
  uploader.sync();
  focusCode();
});
ui.clear.addEventListener("click", async () => {
  focusCode();
  const done = items.filter((i) => i.status !== "queued").map((i) => i.id);
  await deleteScans(done);
  note("info", done.length ? t("List cleared. Waiting scans stay until they are sent.") : t("Nothing to clear."));
  refresh();
});

// A hardware scanner needs no on-screen keyboard: inputmode="none" keeps it closed
// while the field still takes the scanner's keystrokes. Remembered on this device.
function keepKeyboardClosed(closed) {
  ui.code.setAttribute("inputmode", closed ? "none" : "text");
  ui.keyboardToggle.setAttribute("aria-pressed", String(closed));
  store("keyboardClosed", closed);
}
ui.keyboardToggle.addEventListener("click", () => {
  keepKeyboardClosed(ui.keyboardToggle.getAttribute("aria-pressed") !== "true");
  ui.code.blur(); // the on-screen keyboard follows the new setting on the next focus
  focusCode();
});

// ---------- start ----------

window.addEventListener("online", () => {
  setConn("online");
  uploader.sync();
  loadReferenceData(); // what changed meanwhile is then kept for the next time offline
});
window.addEventListener("offline", () => setConn("offline"));
setInterval(() => {
  if (items.some((i) => i.status === "queued")) uploader.sync();
}, RETRY_MS);

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(cfg.swUrl, { scope: cfg.swScope }).catch(() => { /* plain page still works */ });
  // Installed means the app shell and this page are cached: it opens offline from now on.
  navigator.serviceWorker.ready.then(() => { document.body.dataset.offlineReady = "1"; });
}
document.querySelectorAll("[data-sign-out]").forEach((form) => form.addEventListener("submit", (event) => {
  const waiting = items.filter((i) => i.status === "queued").length;
  const question = t("Scans not sent yet: %(count)s. They stay on this phone and are sent when you sign in again. Sign out?",
    { count: waiting });
  if (waiting && !window.confirm(question)) event.preventDefault();
}));

routeKeysTo(ui.code);
splitPastes(ui.code, (codes) => {
  unlockAudio();
  captureAll(codes);
  focusCode();
});
keepKeyboardClosed(load("keyboardClosed", false));
setConn(connState);
setup.restore();
setupCamera({
  ui, onCode: (raw) => captureAll([normaliseScan(raw)].filter(Boolean)), done: focusCode,
  onError: (message) => { showResult(ui, { status: "error", message }); signal("error"); },
});
await prune();
await refresh();
focusCode();
await loadReferenceData();
document.body.dataset.scannerReady = "1";
uploader.sync();
