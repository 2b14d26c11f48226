// Verifies a certificate with nothing from the service's code: an RFC 8785 canonicaliser
// (npm `canonicalize`) and an Ed25519 implementation (npm `@noble/ed25519`).
//
//   node verify_certificate.mjs CERT.json PUBLIC-KEY.json [SIGNED-PAYLOAD]
//
// CERT.json is what `GET /certificates/<serial>.json` serves, PUBLIC-KEY.json what
// `GET /certificates/public-key` serves, SIGNED-PAYLOAD (optional) what
// `GET /certificates/<serial>/signed-payload` serves. Prints one JSON object of checks
// and exits 0 when every check holds, 1 otherwise.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

// ES modules ignore NODE_PATH; honour it as CommonJS would, so the packages can live elsewhere.
async function load(name) {
  try {
    return await import(name);
  } catch (err) {
    for (const dir of (process.env.NODE_PATH || "").split(path.delimiter).filter(Boolean)) {
      try {
        return await import(pathToFileURL(createRequire(path.join(dir, "noop.js")).resolve(name)).href);
      } catch { /* try the next directory */ }
    }
    throw err;
  }
}

const { default: canonicalize } = await load("canonicalize");
const ed = await load("@noble/ed25519");

const [certPath, keyPath, payloadPath] = process.argv.slice(2);
const raw = readFileSync(certPath);
const signed = JSON.parse(raw.toString("utf8"));
const key = JSON.parse(readFileSync(keyPath, "utf8"));

// An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte header and the 32-byte key (RFC 8410).
const SPKI_HEADER = "302a300506032b6570032100";
const der = Buffer.from(key.public_key_pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
const publicKey = der.subarray(12);

const message = Buffer.from(canonicalize(signed.document), "utf8");
const checks = {
  spki_is_ed25519: der.length === 44 && der.subarray(0, 12).toString("hex") === SPKI_HEADER,
  key_id_matches: createHash("sha256").update(publicKey).digest("hex") === key.key_id && key.key_id === signed.key_id,
  declares_rfc8785: signed.document?.signature?.canonicalization === "RFC8785",
  served_bytes_are_canonical: Buffer.from(canonicalize(signed), "utf8").equals(raw),
  signature_valid: await ed.verifyAsync(Buffer.from(signed.signature, "base64"), message, publicKey),
};
if (payloadPath) {
  const payload = readFileSync(payloadPath);
  checks.payload_equals_canonical_document = payload.equals(message);
  checks.payload_signature_valid = await ed.verifyAsync(Buffer.from(signed.signature, "base64"), payload, publicKey);
}
console.log(JSON.stringify(checks));
process.exit(Object.values(checks).every(Boolean) ? 0 : 1);
