// The invoice editor, for a new draft and for editing one: parties, terms and lines, with
// the totals the API computes (`POST /invoices/preview`) as the person types. Values of
// the stored invoice that the form does not show are kept as they are.

import { api, ApiError } from "./api.js";
import { field, h, replace } from "./dom.js";
import { idFor } from "./errors.js";
import { money } from "./format.js";

/** `[code, "words (code)"]` for a select's options. */
const coded = (list) => list.map(([code, words]) => [code, `${words} (${code})`]);
const UNITS = coded([
  ["C62", "piece"], ["HUR", "hour"], ["DAY", "day"], ["MON", "month"], ["KGM", "kilogram"],
  ["MTR", "metre"], ["LTR", "litre"], ["KWH", "kilowatt hour"],
]);
const CATEGORIES = coded([
  ["S", "Standard rate"], ["Z", "Zero rated"], ["E", "Exempt"], ["AE", "Reverse charge"],
  ["K", "Intra-community"], ["G", "Export"], ["O", "Outside scope"],
]);
const SELLER_KEY = "invoice-rs.seller";

function input(path, label, value, attributes = {}) {
  return field(idFor(path), label, { value: value ?? "", ...attributes });
}

function selectField(path, label, options, value, attributes) {
  const { wrapper, input: element } = field(idFor(path), label, { tag: "select", ...attributes });
  for (const [code, words] of options) {
    element.append(h("option", { value: code, selected: code === value }, words));
  }
  return { wrapper, input: element };
}

function partyFieldset(role, legend, party) {
  const address = party?.address ?? {};
  const email = party?.electronic_address?.scheme === "EM" ? party.electronic_address.value : (party?.contact?.email ?? "");
  const fields = [
    input(`${role}.name`, "Name", party?.name, { required: true, autocomplete: "organization" }),
    input(`${role}.vat_id`, "VAT identifier", party?.vat_id),
    input(`${role}.email`, "E-mail", email, { type: "email" }),
    input(`${role}.address.lines`, "Street", (address.lines ?? []).join(", ")),
    input(`${role}.address.postal_code`, "Postal code", address.postal_code),
    input(`${role}.address.city`, "City", address.city),
    input(`${role}.address.country`, "Country (two letters)", address.country, { maxlength: 2, autocapitalize: "characters", required: true }),
  ];
  return h("fieldset", {}, h("legend", {}, legend), h("div", { class: "grid" }, fields.map((f) => f.wrapper)));
}

function valueOf(root, path) {
  const element = root.querySelector(`#${CSS.escape(idFor(path))}`);
  return element ? element.value.trim() : "";
}

/** The party of `role` from the form, over `base` (the stored party: what the form does not show stays). */
function partyFrom(root, role, base) {
  const party = structuredClone(base ?? {});
  party.name = valueOf(root, `${role}.name`);
  const vat = valueOf(root, `${role}.vat_id`);
  if (vat) party.vat_id = vat;
  else delete party.vat_id;
  const address = { ...(party.address ?? {}) };
  const street = valueOf(root, `${role}.address.lines`);
  address.lines = street ? [street] : [];
  for (const key of ["postal_code", "city"]) {
    const value = valueOf(root, `${role}.address.${key}`);
    if (value) address[key] = value;
    else delete address[key];
  }
  address.country = valueOf(root, `${role}.address.country`).toUpperCase();
  party.address = address;
  const email = valueOf(root, `${role}.email`);
  const oldEmail = party.electronic_address?.scheme === "EM" ? party.electronic_address.value : null;
  delete party.email;
  if (email && email !== oldEmail) {
    party.electronic_address = { scheme: "EM", value: email };
    party.contact = { ...(party.contact ?? {}), email };
  } else if (!email && oldEmail) {
    delete party.electronic_address;
    if (party.contact) delete party.contact.email;
  }
  return party;
}

/**
 * The editor. `invoice` is the stored invoice (null for a new one); `clients` the tenant's
 * clients for the buyer. Returns `{ element, body, patch, dirty }`: `body()` is the
 * `POST /invoices` body, `patch()` the `PATCH` body.
 */
export function invoiceForm({ invoice, clients }) {
  const isNew = !invoice;
  const remembered = isNew ? JSON.parse(localStorage.getItem(SELLER_KEY) ?? "null") : null;
  const base = invoice ?? {
    currency: "EUR",
    seller: remembered ?? { address: {} },
    buyer: { address: {} },
    lines: [{ id: "1", name: "", quantity: "1", unit: "C62", price: "", vat: { category: "S", rate: "19" } }],
  };
  let lines = structuredClone(base.lines ?? []);
  let dirty = false;
  const root = h("form", { class: "invoice-form", novalidate: true, onsubmit: (e) => e.preventDefault() });

  const clientSelect = selectField("client_id", "Client", [["", "— none —"], ...clients.map((c) => [c.id, c.name])],
    invoice?.client ?? "", { disabled: !isNew });
  clientSelect.input.addEventListener("change", () => {
    const client = clients.find((c) => c.id === clientSelect.input.value);
    if (!client) return;
    const set = (path, value) => { root.querySelector(`#${CSS.escape(idFor(path))}`).value = value ?? ""; };
    set("buyer.name", client.name);
    set("buyer.vat_id", client.vat_id);
    set("buyer.email", client.emails?.[0]);
    set("buyer.address.lines", (client.address?.lines ?? []).join(", "));
    set("buyer.address.postal_code", client.address?.postal_code);
    set("buyer.address.city", client.address?.city);
    set("buyer.address.country", client.address?.country);
    changed();
  });
  const currency = input("currency", "Currency", base.currency, { maxlength: 3, disabled: !isNew, autocapitalize: "characters" });
  const due = input("due_date", "Due date", base.due_date, { type: "date" });
  const terms = input("payment_terms", "Payment terms", base.payment_terms);
  const reference = input("buyer_reference", "Buyer reference", base.buyer_reference);

  const lineRows = h("tbody", {});
  const totals = h("div", { id: "totals", "aria-live": "polite" });

  function lineRow(line, index) {
    const cell = (f) => h("td", {}, f.wrapper);
    const name = input(`lines[${index}].name`, "Description", line.name);
    const quantity = input(`lines[${index}].quantity`, "Quantity", line.quantity, { inputmode: "decimal" });
    const unit = selectField(`lines[${index}].unit`, "Unit", UNITS.some(([u]) => u === line.unit) || !line.unit ? UNITS : [...UNITS, [line.unit, line.unit]], line.unit);
    const price = input(`lines[${index}].price`, "Net price", line.price, { inputmode: "decimal" });
    const category = selectField(`lines[${index}].vat.category`, "VAT category", CATEGORIES, line.vat?.category ?? "S");
    const rate = input(`lines[${index}].vat.rate`, "VAT %", line.vat?.rate, { inputmode: "decimal" });
    const remove = h("button", {
      type: "button", class: "danger", id: `remove-line-${index}`,
      "aria-label": `Remove line ${index + 1}`,
      onclick: () => { readLines(); lines.splice(index, 1); drawLines(); changed(); },
    }, "Remove");
    return h("tr", {}, cell(name), cell(quantity), cell(unit), cell(price), cell(category), cell(rate), h("td", {}, remove));
  }

  function drawLines() {
    replace(lineRows, lines.map(lineRow));
  }

  /** The lines as the form shows them, over the stored ones. */
  function readLines() {
    lines = lines.map((line, index) => ({
      ...line,
      name: valueOf(root, `lines[${index}].name`),
      quantity: valueOf(root, `lines[${index}].quantity`),
      unit: valueOf(root, `lines[${index}].unit`),
      price: valueOf(root, `lines[${index}].price`),
      vat: {
        ...(line.vat ?? {}),
        category: valueOf(root, `lines[${index}].vat.category`),
        rate: valueOf(root, `lines[${index}].vat.rate`),
      },
    }));
    return lines;
  }

  function nextLineId() {
    const numbers = lines.map((l) => Number(l.id)).filter(Number.isInteger);
    return String(numbers.length ? Math.max(...numbers) + 1 : lines.length + 1);
  }

  const addLine = h("button", {
    type: "button", class: "secondary", id: "add-line",
    onclick: () => {
      readLines();
      lines.push({ id: nextLineId(), name: "", quantity: "1", unit: "C62", price: "", vat: { category: "S", rate: "19" } });
      drawLines();
      root.querySelector(`#${CSS.escape(idFor(`lines[${lines.length - 1}].name`))}`).focus();
      changed();
    },
  }, "Add line");

  root.append(
    h("div", { class: "grid" }, clientSelect.wrapper, currency.wrapper, due.wrapper, terms.wrapper, reference.wrapper),
    h("div", { class: "two" }, partyFieldset("seller", "Seller", base.seller), partyFieldset("buyer", "Buyer", base.buyer)),
    h("fieldset", {}, h("legend", {}, "Lines"),
      h("div", { class: "table-wrap" }, h("table", { class: "lines" },
        h("thead", {}, h("tr", {}, ["Description", "Quantity", "Unit", "Net price", "VAT category", "VAT %", ""].map((t) => h("th", {}, t)))),
        lineRows)),
      h("div", { class: "actions" }, addLine)),
    h("section", { class: "card", "aria-labelledby": "totals-heading" }, h("h2", { id: "totals-heading" }, "Totals"), totals),
  );
  drawLines();

  function body() {
    const out = {
      currency: valueOf(root, "currency").toUpperCase(),
      seller: partyFrom(root, "seller", base.seller),
      buyer: partyFrom(root, "buyer", base.buyer),
      lines: readLines(),
    };
    const client = valueOf(root, "client_id");
    if (client && isNew) out.client_id = client;
    for (const key of ["due_date", "payment_terms", "buyer_reference"]) {
      const value = valueOf(root, key);
      if (value) out[key] = value;
    }
    if (base.allowances_charges?.length) out.allowances_charges = base.allowances_charges;
    return out;
  }

  function patch() {
    const { currency: _c, client_id: _k, ...rest } = body();
    return rest;
  }

  let asked = 0;
  let timer = null;
  async function preview() {
    const ticket = ++asked;
    try {
      const result = await api("POST", "/invoices/preview", { body: body() });
      if (ticket === asked) showTotals(result);
    } catch (e) {
      if (ticket !== asked) return;
      if (e instanceof ApiError && e.status === 400) {
        const detail = e.details[0];
        replace(totals, h("p", { class: "muted", id: "totals-pending" },
          `Totals follow once the form is complete: ${detail ? `${detail.field}: ${detail.message}` : e.message}`));
      } else {
        replace(totals, h("p", { class: "field-error" }, e.message));
      }
    }
  }

  function showTotals({ totals: t, amount_due: amountDue, violations }) {
    const cur = valueOf(root, "currency").toUpperCase();
    replace(totals, totalsList(t, amountDue, cur),
      violations.length
        ? h("details", { id: "violations" }, h("summary", {}, `${violations.length} rule(s) to meet before it can be issued`),
          h("ul", {}, violations.map((v) => h("li", {}, `${v.field} (${v.path}): ${v.message}`))))
        : h("p", { class: "muted" }, "Ready to issue: no EN 16931 rule is broken."));
  }

  function changed() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(preview, 250);
  }
  root.addEventListener("input", changed);
  root.addEventListener("change", changed);
  preview();

  return {
    element: root,
    body,
    patch,
    dirty: () => dirty,
    saved: () => {
      dirty = false;
      if (isNew) localStorage.setItem(SELLER_KEY, JSON.stringify(body().seller));
    },
  };
}

/** A totals list (`<dl>`) with the VAT breakdown; each amount also in `data-value`. */
export function totalsList(t, amountDue, currency) {
  const row = (id, label, value, grand = false) => [
    h("dt", { class: grand ? "grand" : null }, label),
    h("dd", { id, class: grand ? "grand" : null, dataset: { value } }, money(value, currency)),
  ];
  return h("dl", { class: "totals" },
    row("totals-net", "Net", t.tax_exclusive_amount),
    t.vat_breakdown.map((v, i) => row(`totals-vat-${i}`, `VAT ${v.category} ${v.rate} % on ${money(v.taxable_amount, currency)}`, v.tax_amount)),
    row("totals-vat", "VAT", t.tax_total),
    row("totals-gross", "Total", t.tax_inclusive_amount, true),
    row("totals-due", "Due", amountDue, true));
}
