// Sites, customers and asset types as this device knows them. The page brings a copy
// (so it works at once, also offline); the API refreshes it whenever there is a
// connection, and the refreshed copy is kept on the device, so that offline, codes are
// still named and counted by the asset types of the last online visit, even when the page
// the service worker serves is older. Both copies carry the server's time in whole
// seconds; in the same second the kept copy, fetched after the page was rendered, wins.

export function startingReference(cfg, load) {
  const kept = load(`reference.${cfg.user}`, null);
  return kept && kept.at >= cfg.renderedAt ? kept : { ...cfg.reference, at: cfg.renderedAt };
}

// -> { reference, failures }: the merged copy (kept when anything arrived) and the errors
// (e.signedOut for a 401, a TypeError when offline).
export async function refreshReference(cfg, csrfToken, current, store) {
  const get = async (path) => {
    const r = await fetch(`${cfg.api}${path}`, {
      credentials: "same-origin", cache: "no-store", headers: { "X-CSRF-Token": csrfToken, Accept: "application/json" },
    });
    if (r.status === 401) throw Object.assign(new Error("signed out"), { signedOut: true });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return { body: await r.json(), at: Date.parse(r.headers.get("Date")) || Date.now() };
  };
  const results = await Promise.allSettled([get("/sites"), get("/customers"), get("/asset-types")]);
  const [s, c, a] = results.map((r) => (r.status === "fulfilled" ? r.value : null));
  let reference = current;
  if (s || c || a) {
    reference = {
      sites: s ? s.body : current.sites, customers: c ? c.body : current.customers,
      assetTypes: a ? a.body : current.assetTypes, at: Math.max(...[s, c, a].filter(Boolean).map((r) => r.at)),
    };
    store(`reference.${cfg.user}`, reference);
  }
  return { reference, failures: results.filter((r) => r.status === "rejected").map((r) => r.reason) };
}
