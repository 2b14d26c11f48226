// Choosing the operation, the site and (for an issue) the customer. Once all are chosen
// the choices fold into a one-line summary at the top, so the code field and the result
// stay on the first screen of a phone; "Change" opens them again.
//
// Focus goes back to the code field after a choice made by touch or mouse, so the next
// scan lands there. A keyboard user keeps the focus (arrow keys walk through the
// operations, Tab moves on to the site) and presses Enter to go to the code field.
import { t } from "./i18n.js";

export class Setup {
  // ui: the elements; reference(): {sites, customers}; remember/recall: device storage;
  // focusCode(): the page's way to put the focus in the code field; onDone(): the setup
  // is complete and folded away.
  constructor({ ui, operations, reference, remember, recall, focusCode, onDone }) {
    Object.assign(this, { ui, reference, remember, recall, focusCode, onDone });
    this.operations = new Map(operations.map((op) => [op.event, op]));
    this.lastInput = "pointer";
    this.radios = [...ui.setup.querySelectorAll('input[name="event"]')];
    this.listen();
  }

  op() {
    const checked = this.radios.find((r) => r.checked);
    return checked ? this.operations.get(checked.value) : null;
  }

  site() {
    return this.reference().sites.find((s) => s.id === this.ui.site.value) || null;
  }

  // The customer a scan names: chosen for an issue, the site's owner for a transfer.
  customer() {
    const op = this.op();
    const site = this.site();
    if (op && op.needs_customer) return this.ui.customer.value || null;
    return op && op.customer_from_site && site ? site.customer_id : null;
  }

  // What is still missing before a scan can be recorded, as the sentence that says so; or null.
  missing() {
    const op = this.op();
    if (!op) return t("Choose an operation first. Nothing was recorded; the code stays in the field, press Add when ready.");
    if (!this.ui.site.value) {
      return t("Choose the site first. Nothing was recorded; the code stays in the field, press Add when ready.");
    }
    return op.needs_customer && !this.customer()
      ? t("Choose the customer first. Nothing was recorded; the code stays in the field, press Add when ready.") : null;
  }

  restore() {
    const saved = this.recall("event", null);
    const radio = this.radios.find((r) => r.value === saved) || (this.radios.length === 1 ? this.radios[0] : null);
    if (radio) radio.checked = true;
    this.render();
    if (this.missing()) this.expand(false);
    else this.collapse();
  }

  fill(select, options, placeholder, selected) {
    select.replaceChildren(new Option(placeholder, ""), ...options.map(([value, label]) => new Option(label, value)));
    select.value = options.some(([v]) => v === selected) ? selected : "";
  }

  render() {
    const { ui } = this;
    const op = this.op();
    const { sites, customers } = this.reference();
    if (!op) {
      this.fill(ui.site, [], t("Choose an operation first"), "");
      ui.customerField.hidden = true;
    } else {
      const wanted = sites.filter((s) => s.kind === op.site_kind && s.active !== false);
      const placeholder = !wanted.length ? t("No sites known yet (go online)")
        : op.site_kind === "depot" ? t("Choose a depot") : t("Choose a customer site");
      this.fill(ui.site, wanted.map((s) => [s.id, s.name]), placeholder, this.recall(`site.${op.site_kind}`, ""));
      ui.customerField.hidden = !op.needs_customer;
      if (op.needs_customer) {
        this.fill(ui.customer, customers.filter((c) => c.active !== false).map((c) => [c.id, c.name]),
          t("Choose the customer"), this.recall("customer", ""));
      }
    }
    this.renderSummary();
  }

  renderSummary() {
    const op = this.op();
    const site = this.site();
    const customerId = this.customer();
    const customer = customerId && this.reference().customers.find((c) => c.id === customerId);
    this.ui.summaryOp.textContent = op ? op.label : "";
    this.ui.summaryWhere.textContent = [site && site.name, customer && customer.name].filter(Boolean).join(" · ");
  }

  collapse() {
    this.renderSummary();
    this.ui.setup.hidden = true;
    this.ui.summary.hidden = false;
    document.body.dataset.setup = "done";
    this.onDone();
  }

  expand(moveFocus = true) {
    this.ui.setup.hidden = false;
    this.ui.summary.hidden = true;
    document.body.dataset.setup = "open";
    if (moveFocus) (this.radios.find((r) => r.checked) || this.radios[0]).focus();
  }

  // After a choice: fold the setup away once complete, and go back to the code field.
  chosen(confirmed = false) {
    if (this.lastInput === "key" && !confirmed) return;
    if (!this.missing()) this.collapse();
    this.focusCode();
  }

  listen() {
    const { ui } = this;
    ui.setup.addEventListener("pointerdown", () => { this.lastInput = "pointer"; }, true);
    ui.setup.addEventListener("keydown", (event) => {
      this.lastInput = "key";
      if (event.key === "Enter") {
        event.preventDefault(); // no implicit submission of the setup form
        this.chosen(true);
      }
    }, true);
    ui.setup.addEventListener("submit", (event) => event.preventDefault());
    // Tabbing on from the last choice to the code field folds the setup away too.
    ui.setup.addEventListener("focusout", (event) => {
      if (event.relatedTarget && !ui.setup.contains(event.relatedTarget) && !this.missing()) this.collapse();
    });
    for (const radio of this.radios) {
      const pick = () => {
        this.remember("event", radio.value);
        this.render();
      };
      radio.addEventListener("change", pick);
      // Also on click, which comes first (and for the operation already chosen): the
      // sites of the new operation must be in place before deciding what is missing.
      radio.addEventListener("click", () => {
        pick();
        this.chosen();
      });
    }
    ui.site.addEventListener("change", () => {
      const op = this.op();
      if (op) this.remember(`site.${op.site_kind}`, ui.site.value);
      this.renderSummary();
      this.chosen();
    });
    ui.customer.addEventListener("change", () => {
      this.remember("customer", ui.customer.value);
      this.renderSummary();
      this.chosen();
    });
    ui.change.addEventListener("click", () => this.expand());
  }
}
