// The sign-in page is only shown to a signed-out browser: drop any page the scanner's
// service worker kept for offline use, since it belonged to the previous session.
if ("caches" in window) {
  caches.delete("scan-pages").catch(() => {});
}
