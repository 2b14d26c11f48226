// Keyboard-wedge scanners type like a keyboard, fast, ending with Enter, into whatever has
// the focus. Right after choosing an operation or a site that is a tile, a picker or a
// button, where the keystrokes would be lost (or, on a picker, jump to another site).
// So a printable key typed anywhere on the page outside a text field goes to the code
// field, and the rest of the scan follows it there. Space is left alone (it picks a tile
// or presses a button; no code contains one), as are shortcuts with Ctrl, Alt or Meta
// except Ctrl+], the group separator.
import { GS, isGroupSeparatorKey, splitCodes } from "./codes.js";

const NOT_TEXT = new Set(["radio", "checkbox", "button", "submit", "reset", "range", "color", "file", "image"]);

function takesText(el) {
  if (!el) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA") return true;
  return el.tagName === "INPUT" && !NOT_TEXT.has(el.type);
}

function insertAtEnd(field, text) {
  field.focus();
  const end = field.value.length;
  field.setRangeText(text, end, end, "end");
}

export function routeKeysTo(field) {
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.defaultPrevented || event.isComposing || target === field || takesText(target)) return;
    let text;
    if (isGroupSeparatorKey(event)) text = GS;
    else if (event.ctrlKey || event.altKey || event.metaKey || [...event.key].length !== 1 || event.key === " ") return;
    else text = event.key;
    event.preventDefault();
    insertAtEnd(field, text);
  }, true);
}

// Several codes pasted at once (a list copied from a delivery note or a spreadsheet column,
// one per line or separated by spaces or tabs) become one scan each: onCodes(codes).
// A single code pasted outside the field goes into the field.
export function splitPastes(field, onCodes) {
  document.addEventListener("paste", (event) => {
    const target = event.target;
    if (target !== field && takesText(target)) return;
    const codes = splitCodes(event.clipboardData ? event.clipboardData.getData("text") : "");
    if (codes.length > 1) {
      event.preventDefault();
      onCodes(codes);
    } else if (codes.length === 1 && target !== field) {
      event.preventDefault();
      insertAtEnd(field, codes[0]);
    }
  }, true);
}
