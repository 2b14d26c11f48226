// The sentences the scanner shows for a scan: the status word, where the asset is now,
// and what happened and what to do. Like every text of the scanner they are written in
// English and translated through t() (i18n.js: the page hands over the translations,
// app/web/scan_text.py lists them). This module also turns the API's answers ("clean is
// not allowed in state at_customer") into sentences a person can act on.
import { locale, t } from "./i18n.js";

const STATUS_WORDS = {
  queued: t("Waiting to send"),
  applied: t("Applied"),
  duplicate: t("Duplicate"),
  anomaly: t("Anomaly"),
  rejected: t("Rejected"),
  error: t("Not recorded"),
  info: t("Note"),
};

export const statusWord = (status) => STATUS_WORDS[status] || status;

// "issued to Acme", "clean, waiting for inspection": where the asset is now, in words.
const STATE_WORDS = {
  available: () => t("in stock, ready to issue"),
  in_depot_transfer: () => t("on its way to another depot"),
  issued: (customer) => t("issued to %(customer)s", { customer }),
  at_customer: (customer) => t("at %(customer)s", { customer }),
  in_return: () => t("on its way back to a depot"),
  received: () => t("back at the depot, to be cleaned"),
  cleaned: () => t("clean, waiting for inspection"),
  damaged: () => t("damaged, waiting for repair"),
  repaired: () => t("repaired, waiting for inspection"),
  lost: () => t("declared lost"),
  retired: () => t("retired (scrapped or recycled)"),
};

export function stateWords(state, holderName) {
  const words = STATE_WORDS[state];
  if (!words) return String(state || "").replaceAll("_", " ");
  return words(holderName || t("a customer"));
}

// The API prefixes a refused scan's message with its field, e.g. "code: unknown asset ...".
function splitField(message) {
  const m = /^(code|site|customer|occurred_at|event|id|device)(?:\.\w+)?: (.*)$/s.exec(message || "");
  return m ? [m[1], m[2]] : ["", message || ""];
}

function rejectedMessage(item, operation) {
  const [field, detail] = splitField(item.message);
  if (field === "code") {
    return /^unknown asset/.test(detail)
      ? t("This code is not registered. Put the asset aside and ask the office to register it.")
      : t("This is not a readable asset code (%(detail)s). Scan the label again, or type the code printed under the QR code.", { detail });
  }
  if (field === "site") return t("This site cannot be used for %(operation)s. Choose another site, then scan again.", { operation });
  if (field === "customer") return t("The customer is missing or unknown. Choose the customer, then scan again.");
  if (field === "occurred_at") return t("The phone's date or time is wrong. Correct it in the phone's settings, then scan again.");
  if (field === "event" && /may not record/.test(detail)) return t("You may not record %(operation)s. Ask the office.", { operation });
  return t("Not accepted: %(detail)s. Scan again, or ask the office.", { detail: detail || t("no reason given") });
}

function anomalyMessage(item, operation, nameOf) {
  const reason = item.message || "";
  let m = /^\w+ is not allowed in state (\w+)$/.exec(reason);
  if (m) {
    return t("Recorded, but %(operation)s was not expected: the records say the asset is %(state)s. The office will check it; carry on scanning.",
      { operation, state: stateWords(m[1]) });
  }
  if (/scanned on a retired asset$/.test(reason)) {
    return t("Recorded, but this asset was retired (scrapped or recycled). Put it aside and tell the office.");
  }
  m = /^delivered to (\S+) but issued to (\S+)$/.exec(reason);
  if (m) {
    return t("Recorded, but the asset was issued to %(issued)s, not to %(delivered)s. The office will check it; carry on scanning.",
      { delivered: nameOf(m[1]), issued: nameOf(m[2]) });
  }
  m = /^transfer to (\S+), which already holds the asset$/.exec(reason);
  if (m) {
    return t("Recorded, but %(customer)s already holds this asset. The office will check it; carry on scanning.",
      { customer: nameOf(m[1]) });
  }
  return t("Recorded, but it does not fit the asset's history: %(reason)s. The office will check it; carry on scanning.", { reason });
}

// The plain sentence for a scan's current status. `nameOf(customerId)` gives a name.
export function plainMessage(item, { online, nameOf }) {
  const operation = item.op_label;
  switch (item.status) {
    case "queued":
      return online ? t("Saved on this phone and being sent.")
        : t("Saved on this phone. It is sent when the connection is back; keep scanning.");
    case "applied": {
      const asset = item.asset;
      return asset
        ? t("%(operation)s recorded. The asset is now %(state)s. Scan the next one.",
          { operation, state: stateWords(asset.state, nameOf(asset.holder)) })
        : t("%(operation)s recorded. Scan the next one.", { operation });
    }
    case "duplicate":
      if (item.local) {
        return t("Already scanned for %(operation)s at %(time)s, so not sent again. Scan the next one.",
          { operation, time: new Date(item.repeat_of).toLocaleTimeString(locale) });
      }
      return item.earlier_attempt ? t("Recorded by an earlier attempt; nothing more to do. Scan the next one.")
        : t("This scan was already recorded; nothing more to do. Scan the next one.");
    case "anomaly":
      return anomalyMessage(item, operation, nameOf);
    case "rejected":
      return rejectedMessage(item, operation);
    default:
      return item.message || "";
  }
}
