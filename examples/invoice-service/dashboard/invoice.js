// One invoice: a draft opens in the editor (save, issue, delete); an issued one shows its
// parties, lines, VAT breakdown, totals, payments, notes and history, with the actions its
// state allows (payment, note, credit note) and its documents to download.

import { api, ApiError, claimsOf, download, token } from "./api.js";
import { announce, banner, field, h, replace, table } from "./dom.js";
import { showError } from "./errors.js";
import { date, dateTime, isOverdue, money, number, today } from "./format.js";
import { invoiceForm, totalsList } from "./invoice-form.js";
import { statusBadge } from "./invoices.js";

/** Renders the invoice `id` into `main`; returns a live-event handler for this page. */
export async function invoicePage(main, id, navigate) {
  let invoice;
  let view;
  let form = null;
  const seenLive = [];
  const messages = h("div", { id: "messages" });

  let recorded = [];

  async function load() {
    [view, recorded] = await Promise.all([
      api("GET", `/invoices/${id}`),
      api("GET", `/invoices/${id}/events`),
    ]);
    invoice = view.invoice;
  }

  async function render() {
    const clients = invoice.status === "draft" ? (await api("GET", "/clients?size=1000")).content : [];
    const title = invoice.number
      ? `${invoice.kind?.type === "credit_note" ? "Credit note" : "Invoice"} ${invoice.number}`
      : `Draft ${invoice.kind?.type === "credit_note" ? "credit note" : "invoice"}`;
    const header = [
      h("h1", { tabindex: -1 }, title, " ",
        h("span", { id: "invoice-status", dataset: { status: invoice.status, version: String(invoice.version) } }, statusBadge(invoice.status)),
        isOverdue(invoice.status, invoice.due_date, view.amount_due) ? h("span", { class: "badge overdue" }, "Overdue") : null),
      messages,
    ];
    if (invoice.status === "draft") {
      form = invoiceForm({ invoice, clients });
      draftErrors = slot("draft");
      replace(main, header, form.element,
        h("div", { class: "actions" },
          h("button", { type: "button", id: "save-invoice", onclick: save }, "Save changes"),
          h("button", { type: "button", id: "issue-invoice", onclick: issue }, "Issue"),
          h("button", { type: "button", id: "delete-invoice", class: "danger", onclick: remove }, "Delete draft")),
        draftErrors,
        downloads(), notesSection(), history());
    } else {
      form = null;
      replace(main, header, parties(), linesTable(),
        h("section", { class: "card", "aria-labelledby": "totals-heading" },
          h("h2", { id: "totals-heading" }, "Totals"), totalsList(view.totals, view.amount_due, invoice.currency)),
        paymentsSection(), actions(), downloads(), notesSection(), history());
    }
  }

  /** Shows `error` in `slot`, the place beside the action that failed. */
  function fail(error, slot = messages) {
    replace(slot, error instanceof ApiError ? showError(main, error, { reload: reloadNow }) : banner("error", String(error)));
    slot.scrollIntoView({ block: "nearest" });
  }

  async function reloadNow() {
    await load();
    await render();
    announce("Reloaded the current version.");
  }

  /** A slot for the errors of one action, shown beside it. */
  const slot = (name) => h("div", { id: `${name}-errors`, class: "action-errors" });

  async function run(action, success, errors = messages) {
    try {
      const result = await action();
      if (result?.invoice) {
        view = result;
        invoice = result.invoice;
      }
      // The command's events were recorded with it.
      recorded = await api("GET", `/invoices/${id}/events`).catch(() => recorded);
      await render();
      if (success) {
        replace(messages, banner("info", success));
        announce(success);
      }
    } catch (e) {
      fail(e, errors);
    }
  }

  async function saveDraft() {
    const result = await api("PATCH", `/invoices/${id}`, { body: form.patch(), version: invoice.version });
    form.saved();
    return result;
  }

  let draftErrors = null;

  function save() {
    return run(saveDraft, "Saved.", draftErrors);
  }

  function issue() {
    return run(async () => {
      if (form?.dirty()) {
        const saved = await saveDraft();
        view = saved;
        invoice = saved.invoice;
      }
      return api("POST", `/invoices/${id}/issue`, { version: invoice.version });
    }, "Issued.", draftErrors);
  }

  async function remove() {
    if (!confirm("Delete this draft?")) return;
    try {
      await api("DELETE", `/invoices/${id}`, { version: invoice.version });
      navigate("#/invoices");
    } catch (e) {
      fail(e, draftErrors);
    }
  }

  function parties() {
    const party = (label, p) => h("section", { class: "card" }, h("h2", {}, label),
      h("p", {}, h("strong", {}, p.name), p.vat_id ? ` · VAT ${p.vat_id}` : ""),
      h("p", {}, [...(p.address.lines ?? []), [p.address.postal_code, p.address.city].filter(Boolean).join(" "), p.address.country]
        .filter(Boolean).join(", ")),
      p.electronic_address ? h("p", { class: "muted" }, p.electronic_address.value) : null);
    return h("div", { class: "two" }, party("Seller", invoice.seller), party("Buyer", invoice.buyer),
      h("p", {}, `Issued ${date(invoice.issue_date)} · due ${date(invoice.due_date)}`,
        invoice.payment_terms ? ` · ${invoice.payment_terms}` : ""));
  }

  function linesTable() {
    const cur = invoice.currency;
    return h("section", {}, h("h2", {}, "Lines"), table({ id: "lines" },
      h("tr", {}, h("th", {}, "Description"), h("th", { class: "num" }, "Quantity"), h("th", { class: "num" }, "Price"),
        h("th", { class: "num" }, "VAT"), h("th", { class: "num" }, "Net")),
      invoice.lines.map((l, i) => h("tr", {},
        h("td", {}, l.name), h("td", { class: "num" }, `${number(l.quantity)} ${l.unit}`),
        h("td", { class: "num" }, money(l.price, cur)), h("td", { class: "num" }, `${l.vat.category} ${number(l.vat.rate)} %`),
        h("td", { class: "num" }, money(view.totals.line_net_amounts[i], cur))))));
  }

  function paymentsSection() {
    const payments = invoice.payments ?? [];
    return h("section", {}, h("h2", {}, "Payments"),
      payments.length
        ? table({ id: "payments" }, h("tr", {}, h("th", {}, "Date"), h("th", { class: "num" }, "Amount"), h("th", {}, "Reference")),
          payments.map((p) => h("tr", {}, h("td", {}, date(p.date)), h("td", { class: "num" }, money(p.amount, invoice.currency)), h("td", {}, p.reference ?? ""))))
        : h("p", { class: "muted" }, "No payment recorded."),
      h("p", {}, "Amount due: ", h("strong", { id: "amount-due", dataset: { value: view.amount_due } }, money(view.amount_due, invoice.currency))));
  }

  function actions() {
    const open = invoice.status === "issued" || invoice.status === "partially_paid";
    const parts = [];
    if (open) {
      const amount = field("f-amount", `Payment (${invoice.currency})`, { inputmode: "decimal", value: view.amount_due });
      const when = field("f-date", "Received on", { type: "date", value: today() });
      const reference = field("f-reference", "Reference");
      const errors = slot("payment");
      parts.push(h("form", {
        class: "card", "aria-label": "Record a payment",
        onsubmit: (e) => {
          e.preventDefault();
          const body = { amount: amount.input.value.trim(), date: when.input.value || undefined, reference: reference.input.value.trim() || undefined };
          run(() => api("POST", `/invoices/${id}/payments`, { body }), "Payment recorded.", errors);
        },
      }, h("h2", {}, "Record a payment"),
      h("div", { class: "actions" }, amount.wrapper, when.wrapper, reference.wrapper, h("button", { type: "submit", id: "pay" }, "Record payment")),
      errors));
    }
    if (invoice.status !== "credited" && invoice.kind?.type !== "credit_note") {
      const errors = slot("credit");
      parts.push(h("div", { class: "actions" }, h("button", {
        type: "button", class: "secondary", id: "credit-invoice",
        onclick: async () => {
          try {
            const note = await api("POST", `/invoices/${id}/credit-note`);
            navigate(`#/invoices/${note.invoice.id}`);
          } catch (e) {
            fail(e, errors);
          }
        },
      }, "Create a credit note")), errors);
    }
    return parts;
  }

  function downloads() {
    const errors = slot("download");
    const name = invoice.number ?? `draft-${invoice.id.slice(0, 8)}`;
    const formats = [["csv", "CSV"], ["json", "JSON"], ["pdf", invoice.status === "draft" ? "PDF (draft)" : "PDF (Factur-X)"]];
    if (invoice.status !== "draft") formats.push(["ubl", "UBL"], ["cii", "CII"]);
    return h("section", {}, h("h2", {}, "Documents"), h("div", { class: "actions" },
      formats.map(([ext, label]) => h("button", {
        type: "button", class: "secondary", id: `download-${ext}`,
        onclick: () => download(`/invoices/${id}.${ext}`, `${name}.${ext === "ubl" || ext === "cii" ? `${ext}.xml` : ext}`)
          .catch((e) => fail(e, errors)),
      }, label))), errors);
  }

  function notesSection() {
    const errors = slot("note");
    const text = field("f-note", "Note", { tag: "textarea", rows: 2 });
    return h("section", {}, h("h2", {}, "Notes"),
      (invoice.notes ?? []).length
        ? h("ul", { id: "notes" }, invoice.notes.map((n) => h("li", {}, h("strong", {}, n.author), ` (${dateTime(n.created_at)}): `, n.text)))
        : h("p", { class: "muted" }, "No notes."),
      h("form", {
        "aria-label": "Add a note",
        onsubmit: (e) => {
          e.preventDefault();
          // The author is the signed-in person (the token's subject).
          const body = { adminId: claimsOf(token())?.sub ?? "dashboard", note: text.input.value };
          run(() => api("POST", `/invoices/${id}/notes`, { body }), "Note added.", errors);
        },
      }, text.wrapper, h("div", { class: "actions" }, h("button", { type: "submit", id: "add-note", class: "secondary" }, "Add note")),
      errors));
  }

  /** The invoice's events as the store recorded them, with those seen live since. */
  function history() {
    const events = [...recorded];
    for (const e of seenLive) if (!events.some((r) => r.event_id === e.event_id)) events.push(e);
    const words = (e) => {
      const ev = e.event;
      switch (ev.type) {
        case "Created": return "Created as a draft";
        case "Updated": return `Edited: ${(ev.changed ?? []).join(", ").replaceAll("_", " ") || "no field"}`;
        case "Issued": return `Issued as ${ev.summary?.number ?? "a number"}`;
        case "NoteAdded": return `Note by ${ev.note?.author ?? "someone"}`;
        case "PaymentRecorded": return `Payment of ${money(ev.payment?.amount, invoice.currency)} recorded`;
        case "Paid": return "Paid in full";
        case "Credited": return "Credited by a credit note";
        case "Deleted": return "Deleted";
        default: return ev.type;
      }
    };
    return h("section", {}, h("h2", {}, "History"),
      events.length
        ? h("ol", { class: "history", id: "history" },
          events.map((e) => h("li", { dataset: { type: e.event.type } },
            h("time", { datetime: e.occurred_at }, dateTime(e.occurred_at)), ": ", words(e),
            h("span", { class: "muted" }, ` (version ${e.invoice_version})`))))
        : h("p", { class: "muted" }, "No events recorded."));
  }

  try {
    await load();
    await render();
  } catch (e) {
    replace(main, h("h1", {}, "Invoice"), e instanceof ApiError ? showError(main, e) : banner("error", String(e)));
    return () => {};
  }

  return async (event) => {
    if (event.invoice_id !== id) return;
    if (!recorded.some((r) => r.event_id === event.event_id)) seenLive.push(event);
    if (event.invoice_version <= invoice.version) return;
    if (event.event.type === "Deleted") {
      replace(messages, banner("info", "This draft was deleted elsewhere."));
      return;
    }
    if (form?.dirty()) {
      replace(messages, banner("info", "This invoice was changed elsewhere while you were editing it.", [], " ",
        h("button", { type: "button", class: "secondary", id: "reload-stale", onclick: reloadNow }, "Reload the current version")));
      return;
    }
    await load();
    await render();
    announce("This invoice was updated.");
  };
}
