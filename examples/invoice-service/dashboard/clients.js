// Clients with their contact information, and a form for a new one.

import { api, ApiError } from "./api.js";
import { banner, field, h, replace, table } from "./dom.js";
import { showError } from "./errors.js";

/** Renders the client list and the new-client form into `main`. */
export async function clientList(main, params, navigate) {
  let page;
  try {
    page = await api("GET", "/clients?size=1000");
  } catch (e) {
    replace(main, h("h1", {}, "Clients"), banner("error", e.message));
    return;
  }
  const messages = h("div", { id: "messages" });
  const f = (path, label, attributes) => field(`f-${path}`, label, attributes);
  const name = f("name", "Name", { required: true, autocomplete: "organization" });
  const email = f("emails-0", "E-mail", { type: "email" });
  const phone = f("phones-0", "Phone", { type: "tel" });
  const contact = f("contact_name", "Contact person");
  const vat = f("vat_id", "VAT identifier");
  const street = f("address-lines", "Street");
  const postal = f("address-postal_code", "Postal code");
  const city = f("address-city", "City");
  const country = f("address-country", "Country (two letters)", { maxlength: 2 });
  const form = h("form", {
    class: "card", "aria-labelledby": "new-client",
    onsubmit: async (e) => {
      e.preventDefault();
      const value = (x) => x.input.value.trim();
      const body = { name: value(name) };
      if (value(email)) body.emails = [value(email)];
      if (value(phone)) body.phones = [value(phone)];
      if (value(contact)) body.contact_name = value(contact);
      if (value(vat)) body.vat_id = value(vat);
      if (value(country) || value(city) || value(street) || value(postal)) {
        body.address = { country: value(country).toUpperCase() };
        if (value(street)) body.address.lines = [value(street)];
        if (value(postal)) body.address.postal_code = value(postal);
        if (value(city)) body.address.city = value(city);
      }
      try {
        await api("POST", "/clients", { body });
        await clientList(main, params, navigate);
        const done = document.getElementById("messages");
        replace(done, banner("info", `Client ${body.name} added.`));
      } catch (error) {
        replace(messages, error instanceof ApiError ? showError(form, error) : banner("error", String(error)));
      }
    },
  },
  h("h2", { id: "new-client" }, "New client"),
  h("div", { class: "grid" }, [name, email, phone, contact, vat, street, postal, city, country].map((x) => x.wrapper)),
  h("div", { class: "actions" }, h("button", { type: "submit", id: "save-client" }, "Add client")));

  const rows = page.content.map((c) => h("tr", { dataset: { id: c.id } },
    h("td", {}, c.name, c.contact_name ? h("div", { class: "muted" }, c.contact_name) : null),
    h("td", {}, (c.emails ?? []).map((m) => h("div", {}, h("a", { href: `mailto:${m}` }, m)))),
    h("td", { class: "hide-narrow" }, (c.phones ?? []).map((p) => h("div", {}, p))),
    h("td", { class: "hide-narrow" }, c.vat_id ?? ""),
    h("td", {}, c.address ? [c.address.postal_code, c.address.city, c.address.country].filter(Boolean).join(" ") : ""),
    h("td", {}, h("a", { href: `#/invoices?client=${c.id}` }, "Invoices"))));
  replace(main,
    h("h1", { tabindex: -1 }, "Clients"),
    messages,
    table({ id: "clients" },
      h("tr", {}, h("th", {}, "Name"), h("th", {}, "E-mail"), h("th", { class: "hide-narrow" }, "Phone"),
        h("th", { class: "hide-narrow" }, "VAT identifier"), h("th", {}, "Place"), h("th", {}, "")),
      rows.length ? rows : h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No clients yet."))),
    form);
}
