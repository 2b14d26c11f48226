// Scanner input handling. The server parses every code form; these only keep the data
// intact on the way (GS separators) and guess an asset type for the running counts.

export const GS = "\x1d"; // ASCII group separator: how scanners transmit GS1 FNC1

// Hand scanners in keyboard-wedge mode send GS as the character itself, as Ctrl+]
// (the terminal convention for 0x1D), or, when set up to make it visible, as "<GS>".
export function isGroupSeparatorKey(event) {
  if (event.key === GS || event.key === "GroupSeparator") return true;
  return event.ctrlKey && !event.altKey && !event.metaKey && (event.key === "]" || event.code === "BracketRight");
}

export function normaliseScan(text) {
  return text.replace(/<GS>|\{GS\}/gi, GS).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
}

// The 12 digits of company prefix + asset type of a GRAI, from any code form, or null.
export function graiTypeKey(code) {
  let m = /\/8003\/0([0-9]{13})/.exec(code) || /\(8003\)0([0-9]{13})/.exec(code);
  if (!m) m = /(?:^|\x1d|\][A-Za-z][0-9A-Za-z])80030([0-9]{13})/.exec(code);
  if (m) return m[1].slice(0, 12);
  const epc = /^urn:epc:id:grai:([0-9]+)\.([0-9]*)\./i.exec(code);
  return epc ? epc[1] + epc[2] : null;
}

// The code the API answers with (filler digit + 12 digits + check digit + serial).
export function typeKeyOfAssetCode(code) {
  return /^0[0-9]{13}/.test(code || "") ? code.slice(1, 13) : null;
}

// Local time with its UTC offset, e.g. 2026-11-21T08:15:00.120+01:00 (the API needs the offset).
export function isoWithOffset(date) {
  const pad = (n, width = 2) => String(Math.abs(Math.trunc(n))).padStart(width, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.abs(offset) / 60)}:${pad(Math.abs(offset) % 60)}`;
}

export function newId() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // Pages served over plain http on a LAN have no randomUUID: build a v4 UUID by hand.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Shown in the list: control characters made visible.
export function displayCode(code) {
  return code.replaceAll(GS, "␝");
}
