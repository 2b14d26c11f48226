// Drawing the scanner's result area, its list of scans and the counts by asset type.
// A status always shows as an icon and a word, never as a colour alone.
import { displayCode } from "./codes.js";
import { locale, t } from "./i18n.js";
import { statusWord } from "./text.js";

const SVG = "http://www.w3.org/2000/svg";
const ICONS = {
  queued: "icon-queued", applied: "icon-applied", duplicate: "icon-duplicate", anomaly: "icon-anomaly",
  rejected: "icon-rejected", error: "icon-rejected", info: "icon-info",
};

export function icon(status) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const use = document.createElementNS(SVG, "use");
  use.setAttribute("href", `#${ICONS[status] || ICONS.info}`);
  svg.append(use);
  return svg;
}

export function badge(status) {
  const span = document.createElement("span");
  span.className = `badge ${status}`;
  span.append(icon(status), statusWord(status));
  return span;
}

// The large result area: status, asset type, short serial and what to do next.
export function showResult(ui, { status, type = "", serial = "", message }) {
  ui.feedback.className = `result ${status}`;
  ui.resultIcon.replaceChildren(icon(status));
  ui.resultWord.textContent = statusWord(status);
  ui.resultType.textContent = type;
  ui.resultSerial.textContent = serial ? t("Serial %(serial)s", { serial }) : "";
  ui.resultAsset.hidden = !type && !serial;
  ui.resultMessage.textContent = message;
  void ui.feedback.offsetWidth; // restart the flash animation
  ui.feedback.classList.add("flash");
}

const COUNTED_OUT = new Set(["rejected", "duplicate"]);

export function renderCounts(tbody, items, typeName) {
  const counts = new Map();
  for (const item of items) {
    if (COUNTED_OUT.has(item.status)) continue;
    const name = typeName(item) || t("Other / not yet known");
    const row = counts.get(name) || { scanned: 0, waiting: 0 };
    row.scanned += 1;
    if (item.status === "queued") row.waiting += 1;
    counts.set(name, row);
  }
  if (!counts.size) {
    const td = document.createElement("td");
    td.colSpan = 3;
    td.className = "empty";
    td.textContent = t("No scans yet.");
    const tr = document.createElement("tr");
    tr.append(td);
    tbody.replaceChildren(tr);
    return;
  }
  tbody.replaceChildren(...[...counts].sort().map(([name, row]) => {
    const tr = document.createElement("tr");
    for (const [text, cls] of [[name, ""], [row.scanned, "num"], [row.waiting, "num"]]) {
      const td = document.createElement("td");
      td.textContent = String(text);
      if (cls) td.className = cls;
      tr.append(td);
    }
    return tr;
  }));
}

function span(className, text) {
  const el = document.createElement("span");
  el.className = className;
  el.textContent = text;
  return el;
}

// ctx: siteName(id), typeName(item), message(item) (the plain sentence for its status)
export function renderList(list, empty, items, ctx) {
  const shown = items.slice(-100).reverse();
  empty.hidden = shown.length > 0;
  list.replaceChildren(...shown.map((item) => {
    const li = document.createElement("li");
    li.dataset.status = item.status;
    li.dataset.id = item.id;
    const type = ctx.typeName(item);
    const when = new Date(item.occurred_at).toLocaleTimeString(locale);
    li.append(badge(item.status), span("code", displayCode(item.code)),
      span("meta", [item.op_label, ctx.siteName(item.site), type, when].filter(Boolean).join(" · ")),
      span("msg", ctx.message(item)));
    if (item.undone) li.append(span("msg", t("Undo asked: already recorded, scan again with the correct operation.")));
    return li;
  }));
}
