// The device's scan log in IndexedDB, and its upload to POST /api/v1/scans.
//
// Every scan is written here first, with its client id and local timestamp, and only
// then sent. A scan stays "queued" until the server has answered for its id, so a lost
// connection or a lost answer means it is sent again with the same id, which the
// server records once (a resend of an id it has comes back as "duplicate").

const DB_NAME = "circularity-scanner";
const STORE = "scans";
const BATCH_SIZE = 200;
const KEEP_DONE = 300; // answered scans kept for the running list

let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const store = req.result.createObjectStore(STORE, { keyPath: "id" });
        store.createIndex("seq", "seq");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return dbPromise;
}

function tx(mode, work) {
  return openDb().then((db) => new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const store = t.objectStore(STORE);
    let result;
    Promise.resolve(work(store)).then((r) => { result = r; });
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  }));
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function allScans() {
  const items = await tx("readonly", (s) => request(s.getAll()));
  return items.sort((a, b) => a.seq - b.seq);
}

export function putScans(items) {
  return tx("readwrite", (s) => { for (const item of items) s.put(item); });
}

export function deleteScans(ids) {
  return tx("readwrite", (s) => { for (const id of ids) s.delete(id); });
}

export async function getScan(id) {
  return tx("readonly", (s) => request(s.get(id)));
}

// Drop the oldest answered scans beyond KEEP_DONE; queued ones are never dropped.
export async function prune() {
  const done = (await allScans()).filter((i) => i.status !== "queued");
  if (done.length > KEEP_DONE) await deleteScans(done.slice(0, done.length - KEEP_DONE).map((i) => i.id));
}

function toApi(item) {
  const scan = { id: item.id, code: item.code, event: item.event, site: item.site, occurred_at: item.occurred_at };
  if (item.customer) scan.customer = item.customer;
  if (item.device) scan.device = item.device;
  return scan;
}

export class Uploader {
  // onResult(items) after answers are stored; onState("online"|"offline"|"signed-out"|"error", httpStatus)
  constructor({ api, csrfToken, user, onResult, onState }) {
    Object.assign(this, { api, csrfToken, user, onResult, onState });
    this.running = null;
    this.inFlight = new Set();
  }

  // One upload pass at a time; a call during a pass runs another pass after it.
  sync() {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this._drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.sync();
      }
    });
    return this.running;
  }

  async _drain() {
    for (;;) {
      const queued = (await allScans()).filter((i) => i.status === "queued" && i.user === this.user);
      if (!queued.length) return;
      const batch = queued.slice(0, BATCH_SIZE);
      batch.forEach((i) => this.inFlight.add(i.id));
      try {
        const more = await this._send(batch);
        if (!more) return;
      } finally {
        batch.forEach((i) => this.inFlight.delete(i.id));
      }
    }
  }

  // true when the batch got answers and the next one may follow
  async _send(batch) {
    let response;
    try {
      response = await fetch(`${this.api}/scans`, {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": this.csrfToken, Accept: "application/json" },
        body: JSON.stringify({ scans: batch.map(toApi) }),
      });
    } catch (err) {
      await this.noteAttempt(batch.map((i) => i.id));
      this.onState("offline");
      return false;
    }
    if (response.status === 401) {
      this.onState("signed-out");
      return false;
    }
    let body = null;
    try {
      body = await response.json();
    } catch (err) {
      body = null;
    }
    if (response.status >= 500 || response.status === 429 || body === null) {
      await this.noteAttempt(batch.map((i) => i.id));
      this.onState("error", response.status);
      return false;
    }
    this.onState("online");
    const now = new Date().toISOString();
    const byId = new Map((body.results || []).map((r) => [r.id, r]));
    const answered = [];
    for (const item of batch) {
      const current = await getScan(item.id);
      if (!current) continue; // removed on this device meanwhile (cannot happen while in flight)
      const r = byId.get(item.id);
      if (r) {
        current.status = r.status;
        // "scans[3].code: ..." names the position in the batch, which means nothing here.
        current.message = (r.message || "").replace(/^scans\[\d+\]\./, "") || null;
        current.asset = r.asset || null;
        // A resend of an id the server already has: an earlier attempt got through.
        current.earlier_attempt = r.status === "duplicate" && current.attempts > 0;
      } else if (!body.results) {
        // The whole document was refused (e.g. 403 for this role, 422 malformed).
        current.status = "rejected";
        current.message = body.message || `HTTP ${response.status}`;
      } else {
        continue;
      }
      current.attempts = (current.attempts || 0) + 1;
      current.answered_at = now;
      answered.push(current);
    }
    await putScans(answered);
    this.onResult(answered);
    return true;
  }

  // Mark a pass that failed without an answer, so a later "duplicate" is understood.
  async noteAttempt(ids) {
    const items = (await Promise.all(ids.map(getScan))).filter(Boolean);
    items.forEach((i) => { i.attempts = (i.attempts || 0) + 1; });
    await putScans(items);
  }
}
