// The words the scanner shows. They all live in the page (scan/scan.html, the JSON block
// #scan-text), so they are written and translated in one place; this module only picks
// one and fills in its {placeholders}. It also turns the API's answers ("clean is not
// allowed in state at_customer") into sentences that say what happened and what to do.

const TEXT = JSON.parse(document.getElementById("scan-text").textContent);

export function t(key, values = {}) {
  const template = TEXT[key];
  if (template === undefined) return key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

export const statusWord = (status) => t(`status.${status}`);

// "issued to Acme", "clean, waiting for inspection": where the asset is now, in words.
export function stateWords(state, holderName) {
  const key = `state.${state}`;
  if (!(key in TEXT)) return String(state || "").replaceAll("_", " ");
  return t(key, { customer: holderName || t("state.a_customer") });
}

// The API prefixes a refused scan's message with its field, e.g. "code: unknown asset ...".
function splitField(message) {
  const m = /^(code|site|customer|occurred_at|event|id|device)(?:\.\w+)?: (.*)$/s.exec(message || "");
  return m ? [m[1], m[2]] : ["", message || ""];
}

function rejectedMessage(item, opLabel) {
  const [field, detail] = splitField(item.message);
  if (field === "code") {
    return t(/^unknown asset/.test(detail) ? "rejected.unknown" : "rejected.code", { detail });
  }
  if (field === "site") return t("rejected.site", { operation: opLabel });
  if (field === "customer") return t("rejected.customer");
  if (field === "occurred_at") return t("rejected.time");
  if (field === "event" && /may not record/.test(detail)) return t("rejected.role", { operation: opLabel });
  return t("rejected.other", { detail: detail || t("rejected.no_detail") });
}

function anomalyMessage(item, opLabel, nameOf) {
  const reason = item.message || "";
  let m = /^\w+ is not allowed in state (\w+)$/.exec(reason);
  if (m) return t("anomaly.not_expected", { operation: opLabel, state: stateWords(m[1]) });
  if (/scanned on a retired asset$/.test(reason)) return t("anomaly.retired");
  m = /^delivered to (\S+) but issued to (\S+)$/.exec(reason);
  if (m) return t("anomaly.other_customer", { delivered: nameOf(m[1]), issued: nameOf(m[2]) });
  m = /^transfer to (\S+), which already holds the asset$/.exec(reason);
  if (m) return t("anomaly.already_holds", { customer: nameOf(m[1]) });
  return t("anomaly.reason", { reason });
}

// The plain sentence for a scan's current status. `nameOf(customerId)` gives a name.
export function plainMessage(item, { online, nameOf }) {
  const opLabel = item.op_label;
  switch (item.status) {
    case "queued":
      return t(online ? "queued.online" : "queued.offline");
    case "applied": {
      const asset = item.asset;
      return asset ? t("applied.state", { operation: opLabel, state: stateWords(asset.state, nameOf(asset.holder)) })
        : t("applied.plain", { operation: opLabel });
    }
    case "duplicate":
      if (item.local) return t("duplicate.local", { operation: opLabel, time: new Date(item.repeat_of).toLocaleTimeString() });
      return t(item.earlier_attempt ? "duplicate.earlier_attempt" : "duplicate.recorded");
    case "anomaly":
      return anomalyMessage(item, opLabel, nameOf);
    case "rejected":
      return rejectedMessage(item, opLabel);
    default:
      return item.message || "";
  }
}
