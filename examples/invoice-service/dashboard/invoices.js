// The invoice list: the API's filters, sorting and paging, kept in the address
// (`#/invoices?status=issued&sort=-amount&page=2`) so that back, forward and reload work.

import { api } from "./api.js";
import { banner, field, h, replace, table } from "./dom.js";
import { date, isOverdue, money, STATUS_LABELS, sum } from "./format.js";

const FILTERS = ["status", "client", "q", "issued_from", "issued_to", "due_before"];
const SORTABLE = [
  ["number", "Number"],
  ["issue_date", "Issued"],
  ["amount", "Total"],
  ["status", "Status"],
];

/** Renders the list for `params` (URLSearchParams of the address) into `main`. */
export async function invoiceList(main, params, navigate) {
  const page = Math.max(0, Number(params.get("page") ?? 0) || 0);
  const size = Number(params.get("size") ?? 25) || 25;
  const sort = params.get("sort") ?? "";
  const query = new URLSearchParams({ page, size });
  for (const name of FILTERS) if (params.get(name)) query.set(name, params.get(name));
  if (sort) query.set("sort", sort);

  const go = (changes) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === "" || v === null || v === undefined) next.delete(k);
      else next.set(k, v);
    }
    navigate(`#/invoices?${next}`);
  };

  let clients = [];
  let result;
  try {
    [result, clients] = await Promise.all([
      api("GET", `/invoices?${query}`),
      api("GET", "/clients?size=1000").then((p) => p.content),
    ]);
  } catch (e) {
    replace(main, h("h1", {}, "Invoices"), banner("error", e.message));
    return;
  }

  const filters = filterForm(params, clients, go, size);
  const header = h("tr", {},
    headerCell("number", "Number", sort, go),
    headerCell("status", "Status", sort, go),
    h("th", {}, "Buyer"),
    headerCell("issue_date", "Issued", sort, go, "hide-narrow"),
    h("th", { class: "hide-narrow" }, "Due date"),
    h("th", { class: "num hide-narrow" }, "Net"),
    h("th", { class: "num hide-narrow" }, "VAT"),
    headerCell("amount", "Total", sort, go, "num"),
    h("th", { class: "num" }, "Amount due"));
  const rows = result.content.map((s) => h("tr", { dataset: { id: s.id, status: s.status } },
    h("td", {}, h("a", { href: `#/invoices/${s.id}` }, s.number ?? `Draft ${s.id.slice(0, 8)}`)),
    h("td", {}, statusBadge(s.status), isOverdue(s.status, s.due_date, s.amount_due) ? h("span", { class: "badge overdue" }, "Overdue") : null),
    h("td", {}, s.buyer_name),
    h("td", { class: "hide-narrow" }, date(s.issue_date)),
    h("td", { class: "hide-narrow" }, date(s.due_date)),
    h("td", { class: "num hide-narrow" }, money(s.net_amount, s.currency)),
    h("td", { class: "num hide-narrow" }, money(s.vat_amount, s.currency)),
    h("td", { class: "num" }, money(s.gross_amount, s.currency)),
    h("td", { class: "num" }, money(s.amount_due, s.currency))));
  const empty = result.content.length === 0
    ? [h("tr", {}, h("td", { colspan: 9, class: "muted" }, "No invoice matches."))]
    : rows;
  const pages = Math.max(1, Math.ceil(result.total_elements / size));
  replace(main,
    h("h1", { tabindex: -1 }, "Invoices"),
    filters,
    table({ id: "invoices", "aria-describedby": "invoices-summary" }, header, empty, pageTotals(result.content)),
    h("div", { class: "pager" },
      h("button", { type: "button", class: "secondary", id: "previous-page", disabled: page === 0, onclick: () => go({ page: page - 1 }) }, "Previous"),
      h("span", { id: "invoices-summary" }, `Page ${page + 1} of ${pages} · ${result.total_elements} invoice(s)`),
      h("button", { type: "button", class: "secondary", id: "next-page", disabled: page + 1 >= pages, onclick: () => go({ page: page + 1 }) }, "Next")));
}

export function statusBadge(status) {
  return h("span", { class: `badge ${status}` }, STATUS_LABELS[status] ?? status);
}

function headerCell(key, label, sort, go, extra = "") {
  const direction = sort === key ? "ascending" : sort === `-${key}` ? "descending" : "none";
  const next = direction === "ascending" ? `-${key}` : key;
  return h("th", { class: extra, "aria-sort": direction },
    h("button", { type: "button", class: "sort", id: `sort-${key}`, onclick: () => go({ sort: next, page: 0 }),
      "aria-label": `Sort by ${label.toLowerCase()}${direction === "ascending" ? ", descending" : ""}` }, label));
}

/** One footer row per currency on the page: the exact sums of its amounts. */
function pageTotals(items) {
  const byCurrency = new Map();
  for (const s of items) byCurrency.set(s.currency, [...(byCurrency.get(s.currency) ?? []), s]);
  return [...byCurrency].map(([currency, rows]) => {
    const total = (key) => sum(rows.map((r) => r[key]));
    return h("tr", { dataset: { currency } },
      h("td", { colspan: 5, class: "hide-narrow" }, `Page total (${currency})`),
      h("td", { class: "num hide-narrow" }, money(total("net_amount"), currency)),
      h("td", { class: "num hide-narrow" }, money(total("vat_amount"), currency)),
      h("td", { class: "num", dataset: { value: total("gross_amount") }, id: `page-total-${currency}` }, money(total("gross_amount"), currency)),
      h("td", { class: "num" }, money(total("amount_due"), currency)));
  });
}

function filterForm(params, clients, go, size) {
  const status = field("filter-status", "Status", { tag: "select" });
  status.input.append(h("option", { value: "" }, "Any"),
    ...Object.entries(STATUS_LABELS).map(([v, l]) => h("option", { value: v, selected: params.get("status") === v }, l)));
  const client = field("filter-client", "Client", { tag: "select" });
  client.input.append(h("option", { value: "" }, "Any"),
    ...clients.map((c) => h("option", { value: c.id, selected: params.get("client") === c.id }, c.name)));
  const text = field("filter-q", "Number or buyer", { type: "search", value: params.get("q") ?? "" });
  const from = field("filter-issued_from", "Issued from", { type: "date", value: params.get("issued_from") ?? "" });
  const to = field("filter-issued_to", "Issued until", { type: "date", value: params.get("issued_to") ?? "" });
  const due = field("filter-due_before", "Due before", { type: "date", value: params.get("due_before") ?? "" });
  const pageSize = field("filter-size", "Per page", { tag: "select" });
  pageSize.input.append(...[10, 25, 50, 100].map((n) => h("option", { value: n, selected: n === size }, String(n))));
  const form = h("form", {
    class: "card", role: "search", "aria-label": "Filter invoices",
    onsubmit: (e) => {
      e.preventDefault();
      go({
        status: status.input.value, client: client.input.value, q: text.input.value.trim(),
        issued_from: from.input.value, issued_to: to.input.value, due_before: due.input.value,
        size: pageSize.input.value, page: 0,
      });
    },
  },
  h("div", { class: "grid" }, status.wrapper, client.wrapper, text.wrapper, from.wrapper, to.wrapper, due.wrapper, pageSize.wrapper),
  h("div", { class: "actions" },
    h("button", { type: "submit", id: "apply-filters" }, "Apply"),
    h("a", { class: "button secondary", href: "#/invoices" }, "Clear")));
  return form;
}
