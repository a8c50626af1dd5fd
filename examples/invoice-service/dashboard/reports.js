// Reports of the tenant: receivables by age, revenue by month (a table and a bar chart)
// and the VAT summary of a period.

import { api } from "./api.js";
import { banner, field, h, replace, table } from "./dom.js";
import { date, money, today } from "./format.js";

const SVG = "http://www.w3.org/2000/svg";

/** Renders the reports for the dates in `params` into `main`. */
export async function reports(main, params, navigate) {
  const now = today();
  const asOf = params.get("as_of") ?? now;
  const from = params.get("from") ?? `${now.slice(0, 4)}-01-01`;
  const to = params.get("to") ?? now;
  const form = dateForm(asOf, from, to, navigate);
  let aging;
  let revenue;
  let vat;
  try {
    [aging, revenue, vat] = await Promise.all([
      api("GET", `/reports/aging?as_of=${asOf}`),
      api("GET", `/reports/revenue?from=${from}&to=${to}&by=month`),
      api("GET", `/reports/vat?from=${from}&to=${to}`),
    ]);
  } catch (e) {
    replace(main, h("h1", {}, "Reports"), form, banner("error", e.message));
    return;
  }
  const bucket = ["not_due", "days_1_to_30", "days_31_to_60", "days_61_to_90", "over_90", "total"];
  const bucketNames = ["Not due", "1–30 days", "31–60 days", "61–90 days", "Over 90 days", "Total"];
  replace(main,
    h("h1", { tabindex: -1 }, "Reports"),
    form,
    h("h2", {}, `Receivables on ${date(asOf)}`),
    table({ id: "aging" },
      h("tr", {}, h("th", {}, "Client"), bucketNames.map((n) => h("th", { class: "num" }, n))),
      aging.rows.map((r) => h("tr", {}, h("td", {}, r.client ?? "—"), bucket.map((b) => h("td", { class: "num" }, money(r.amounts[b], r.currency))))),
      aging.totals.map((t) => h("tr", {}, h("td", {}, `Total ${t.currency}`), bucket.map((b) => h("td", { class: "num" }, money(t.amounts[b], t.currency)))))),
    h("h2", {}, `Revenue by month, ${date(from)} to ${date(to)}`),
    revenueChart(revenue),
    table({ id: "revenue" },
      h("tr", {}, h("th", {}, "Month"), h("th", { class: "num" }, "Net"), h("th", { class: "num" }, "Gross"), h("th", { class: "num" }, "Documents")),
      revenue.map((r) => h("tr", {}, h("td", {}, date(r.key.period)), h("td", { class: "num" }, money(r.net, r.currency)),
        h("td", { class: "num" }, money(r.gross, r.currency)), h("td", { class: "num" }, String(r.documents))))),
    h("h2", {}, "VAT"),
    table({ id: "vat" },
      h("tr", {}, h("th", {}, "Category"), h("th", { class: "num" }, "Rate"), h("th", { class: "num" }, "Taxable"), h("th", { class: "num" }, "VAT")),
      vat.map((r) => h("tr", {}, h("td", {}, r.category), h("td", { class: "num" }, `${r.rate} %`),
        h("td", { class: "num" }, money(r.taxable, r.currency)), h("td", { class: "num" }, money(r.tax, r.currency))))));
}

function dateForm(asOf, from, to, navigate) {
  const a = field("report-as_of", "Receivables on", { type: "date", value: asOf, required: true });
  const f = field("report-from", "Revenue and VAT from", { type: "date", value: from, required: true });
  const t = field("report-to", "until", { type: "date", value: to, required: true });
  return h("form", {
    class: "card", "aria-label": "Report dates",
    onsubmit: (e) => {
      e.preventDefault();
      navigate(`#/reports?${new URLSearchParams({ as_of: a.input.value, from: f.input.value, to: t.input.value })}`);
    },
  }, h("div", { class: "actions" }, a.wrapper, f.wrapper, t.wrapper, h("button", { type: "submit" }, "Show")));
}

/** A bar chart of gross revenue per month, one chart for the first currency. */
function revenueChart(rows) {
  const currency = rows[0]?.currency;
  const shown = rows.filter((r) => r.currency === currency);
  if (!shown.length) return h("p", { class: "muted" }, "No revenue in this period.");
  const width = 720;
  const height = 220;
  const bottom = 30;
  const max = Math.max(...shown.map((r) => Math.abs(Number(r.gross))), 1);
  const step = width / shown.length;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Gross revenue per month in ${currency}; the table below has the figures`);
  shown.forEach((r, i) => {
    const value = Math.max(Number(r.gross), 0);
    const barHeight = ((height - bottom - 16) * value) / max;
    const bar = document.createElementNS(SVG, "rect");
    bar.setAttribute("class", "bar");
    bar.setAttribute("x", String(i * step + step * 0.15));
    bar.setAttribute("width", String(step * 0.7));
    bar.setAttribute("y", String(height - bottom - barHeight));
    bar.setAttribute("height", String(barHeight));
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${date(r.key.period)}: ${money(r.gross, currency)}`;
    bar.append(title);
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("x", String(i * step + step / 2));
    label.setAttribute("y", String(height - 10));
    label.setAttribute("text-anchor", "middle");
    label.textContent = r.key.period.slice(0, 7);
    svg.append(bar, label);
  });
  return svg;
}
