// Scanner input handling. The server parses every code form (labels/codes.py); these keep
// the data intact on the way (GS separators), normalise it the way the server does (NFKC),
// and read the company prefix, asset type and serial for the page's own display and counts,
// also offline.

export const GS = "\x1d"; // ASCII group separator: how scanners transmit GS1 FNC1
const BLANKS = "[ \\t\\r\\n\\f\\v\\u00a0]";
const EDGES = new RegExp(`^${BLANKS}+|${BLANKS}+$`, "g");
const SEPARATORS = new RegExp(`${BLANKS}+`);

// Hand scanners in keyboard-wedge mode send GS as the character itself, as Ctrl+]
// (the terminal convention for 0x1D), or, when set up to make it visible, as "<GS>".
export function isGroupSeparatorKey(event) {
  if (event.key === GS || event.key === "GroupSeparator") return true;
  return event.ctrlKey && !event.altKey && !event.metaKey && (event.key === "]" || event.code === "BracketRight");
}

// NFKC first, as the server does: a scanner typing through an input method in full-width
// mode sends "８００３…", which is the same code as "8003…".
export function normaliseScan(text) {
  return text.normalize("NFKC").replace(/<GS>|\{GS\}/gi, GS).replace(EDGES, "");
}

// Pasted text holding several codes (one per line, or separated by spaces or tabs): one
// code each. No code form contains a blank, while GS is data and never separates.
export function splitCodes(text) {
  return normaliseScan(text).split(SEPARATORS).filter(Boolean);
}

function checkDigit(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    sum += Number(digits[digits.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  }
  return String((10 - (sum % 10)) % 10);
}

// An AI 8003 value (filler 0, 12 digits, check digit, serial) -> its parts, or null.
function fromAiValue(value) {
  const m = /^0([0-9]{12})([0-9])(.+)$/.exec(value || "");
  return m && checkDigit(m[1]) === m[2] ? { digits12: m[1], serial: m[3], prefix: null } : null;
}

function percentDecode(text) {
  try { return decodeURIComponent(text); } catch (err) { return null; }
}

// GS1 AIs of predefined length (the first two digits give AI + value length, no GS after).
const FIXED = { "00": 20, "01": 16, "02": 16, "03": 16, "04": 18, 20: 4, 41: 16 };
for (let n = 11; n <= 19; n += 1) FIXED[String(n)] = 8;
for (let n = 31; n <= 36; n += 1) FIXED[String(n)] = 10;

function fromRawGs1(data) {
  let pos = 0;
  while (data[pos] === GS) pos += 1;
  while (pos < data.length) {
    if (data.startsWith("8003", pos)) {
      const end = data.indexOf(GS, pos);
      return fromAiValue(data.slice(pos + 4, end < 0 ? data.length : end));
    }
    const ai2 = data.slice(pos, pos + 2);
    if (!/^[0-9]{2}$/.test(ai2)) return null;
    if (FIXED[ai2]) {
      pos += FIXED[ai2] + (data[pos + FIXED[ai2]] === GS ? 1 : 0);
      continue;
    }
    const end = data.indexOf(GS, pos);
    if (end < 0) return null;
    pos = end + 1;
  }
  return null;
}

// The GRAI in any form the server accepts -> { digits12, serial, prefix } (prefix only
// where the form carries it, the EPC URI), or null for an alias or a malformed code.
// The same reading as labels/codes.py, so the page counts what the server will record.
export function graiParts(code) {
  let s = normaliseScan(code || "");
  const symbology = /^\][A-Za-z][0-9A-Za-z]/.exec(s);
  if (symbology) s = s.slice(3);
  const lowered = s.slice(0, 16).toLowerCase();
  if (lowered.startsWith("http://") || lowered.startsWith("https://")) {
    const path = s.replace(/^[a-z]+:\/\/[^/?#]*/i, "").split(/[?#]/)[0].replace(/\/$/, "").split("/");
    return path.length >= 2 && path[path.length - 2] === "8003" ? fromAiValue(percentDecode(path[path.length - 1])) : null;
  }
  if (lowered === "urn:epc:id:grai:") {
    const m = /^urn:epc:id:grai:([0-9]{6,12})\.([0-9]*)\.(.+)$/i.exec(s);
    if (!m || m[1].length + m[2].length !== 12) return null;
    const serial = percentDecode(m[3]);
    return serial ? { digits12: m[1] + m[2], serial, prefix: m[1] } : null;
  }
  if (s.startsWith("(")) {
    const m = /\(8003\)([^(]*)/.exec(s);
    return m ? fromAiValue(m[1]) : null;
  }
  if (symbology || s.includes(GS) || /^8003[0-9]{14}/.test(s)) return fromRawGs1(s);
  // The bare AI value (the code the API answers with, also typed from a label) is an
  // alias to the parser, which then finds the asset by its code: read it as a GRAI.
  return fromAiValue(s);
}

// The asset type a code belongs to, from the company prefix and GRAI asset type.
export function assetTypeOf(code, assetTypes) {
  const parts = graiParts(code);
  if (!parts) return null;
  return assetTypes.find((t) => t.company_prefix + t.grai_asset_type === parts.digits12 &&
    (!parts.prefix || t.company_prefix === parts.prefix)) || null;
}

// Enough of a serial to compare with the label: long serials keep their last characters.
export function shortSerial(code) {
  const parts = graiParts(code);
  const serial = parts ? parts.serial : displayCode(normaliseScan(code || ""));
  return serial.length > 12 ? `…${serial.slice(-10)}` : serial;
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
