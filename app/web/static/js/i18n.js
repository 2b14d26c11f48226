// Translated strings for the pages' scripts. A template hands them over in a JSON data
// block (templates/_i18n.html: <script type="application/json" id="i18n">), which the
// Content-Security-Policy allows because it is never run; the English text is the key.
const strings = (() => {
  const block = document.getElementById("i18n");
  if (!block) return {};
  try {
    return JSON.parse(block.textContent) || {};
  } catch (err) {
    return {};
  }
})();

// The page's language as <html lang> names it ("en", "zh-CN"), for Intl formatting.
export const locale = document.documentElement.lang || "en";

// t("Applied") -> "已入账"; t("%(n)d waiting", { n: 3 }) -> "3 条待发送". Unknown keys stay English.
export function t(key, vars = {}) {
  const text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
  return text.replace(/%\((\w+)\)[sd]/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

export function formatNumber(value) {
  return new Intl.NumberFormat(locale).format(value);
}
