// Service worker of the scanning app: keeps the app shell for offline use.
// The API is never cached: every /api/ request goes to the network untouched.
//
// Installing caches the whole shell at once, the signed-in /scan page included, so the
// scanner opens offline right after the first visit (the visit that installed this
// worker was not itself served through it, so it could not be kept on the way).
const SHELL = "scan-shell-v3";
const PAGES = "scan-pages"; // the signed-in /scan page; deleted at sign-out
const PAGE = "/scan";
// Shown offline when there is no copy of the signed-in page: a page of the service in
// the language it was fetched in (the user's, like the scanner's), refreshed with it.
const OFFLINE = "/scan/offline";
const SHELL_FILES = [
  "/static/css/app.css",
  "/static/js/i18n.js",
  "/static/js/scan.js",
  "/static/js/camera.js",
  "/static/js/codes.js",
  "/static/js/feedback.js",
  "/static/js/queue.js",
  "/static/js/reference.js",
  "/static/js/setup.js",
  "/static/js/text.js",
  "/static/js/view.js",
  "/static/js/wedge.js",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/scan/manifest.webmanifest",
  OFFLINE,
];
// The camera's fallback decoder (1 MB of WebAssembly) is kept once it was used, not
// fetched at install: most scanning is done with hand scanners.
const VENDOR = "/static/vendor/";

self.addEventListener("install", (event) => {
  event.waitUntil(Promise.all([caches.open(SHELL).then((c) => c.addAll(SHELL_FILES)), keepPage()])
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL && k !== PAGES).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (req.mode === "navigate" && url.pathname === PAGE) {
    const answer = networkFirstPage(req);
    event.respondWith(answer);
    // The offline page follows the language of the pages, should the user have changed it.
    event.waitUntil(answer.then(keepOfflinePage));
  } else if (SHELL_FILES.includes(url.pathname) || url.pathname.startsWith(VENDOR)) {
    event.respondWith(networkFirstFile(req, url.pathname));
  }
});

// Fetched with the browser's cookies: only a signed-in page (no redirect to the sign-in
// page) is kept. A failure leaves the shell installed; the next online visit keeps it.
async function keepPage() {
  try {
    const response = await fetch(PAGE, { credentials: "same-origin", cache: "no-store" });
    if (response.ok && !response.redirected) await (await caches.open(PAGES)).put(PAGE, response);
  } catch (err) { /* offline while installing */ }
}

// The page carries the user's CSRF token: fresh from the network when online, the last
// signed-in copy when offline. A redirect (to sign-in) is never stored.
async function networkFirstPage(req) {
  try {
    const response = await fetch(req);
    if (response.ok && !response.redirected) {
      const cache = await caches.open(PAGES);
      await cache.put(PAGE, response.clone());
    }
    return response;
  } catch (err) {
    const page = await caches.match(PAGE, { cacheName: PAGES });
    if (page) return page;
    const fallback = await caches.match(OFFLINE, { cacheName: SHELL });
    if (fallback) return new Response(fallback.body, { status: 503, headers: fallback.headers });
    return new Response("<!doctype html><html lang=en><title>Offline</title><main><h1>Offline</h1>" +
      "<p>Open the scanner once while online to use it offline.</p></main></html>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
}

// Kept offline when there is no copy of the signed-in page (sign-out deletes that).
async function keepOfflinePage() {
  try {
    const response = await fetch(OFFLINE, { credentials: "same-origin", cache: "no-store" });
    if (response.ok && !response.redirected) await (await caches.open(SHELL)).put(OFFLINE, response);
  } catch (err) { /* the copy kept at install stays */ }
}

// Network first, so a deployment is picked up at once; the cached copy only offline.
async function networkFirstFile(req, path) {
  const cache = await caches.open(SHELL);
  try {
    const response = await fetch(req);
    if (response.ok) await cache.put(path, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(path);
    if (cached) return cached;
    throw err;
  }
}
