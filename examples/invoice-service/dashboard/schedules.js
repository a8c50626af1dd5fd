// Recurring invoices: each schedule with its next dates, paused, resumed or cancelled here.

import { api, ApiError } from "./api.js";
import { banner, h, replace, table } from "./dom.js";
import { showError } from "./errors.js";
import { date } from "./format.js";

/** Renders the tenant's schedules into `main`. */
export async function scheduleList(main, params, navigate) {
  let page;
  try {
    page = await api("GET", "/schedules?size=1000");
  } catch (e) {
    replace(main, h("h1", {}, "Schedules"), banner("error", e.message));
    return;
  }
  const messages = h("div", { id: "messages" });
  const act = (s, action) => async () => {
    try {
      await api("POST", `/schedules/${s.id}/${action}`, { version: s.version });
      await scheduleList(main, params, navigate);
    } catch (e) {
      replace(messages, e instanceof ApiError ? showError(main, e) : banner("error", String(e)));
    }
  };
  const describe = (rule) => {
    const every = rule.every ?? rule.frequency ?? rule;
    return typeof every === "object" ? JSON.stringify(every) : String(every);
  };
  const rows = page.content.map(({ schedule: s, next }) => h("tr", { dataset: { id: s.id } },
    h("td", {}, s.name),
    h("td", {}, s.status),
    h("td", { class: "hide-narrow" }, describe(s.rule)),
    h("td", {}, next.map((o) => date(o.date)).join(", ") || "—"),
    h("td", {}, s.auto_issue ? "Issued automatically" : "Left as drafts"),
    h("td", {},
      s.status === "active" ? h("button", { type: "button", class: "secondary", onclick: act(s, "pause") }, `Pause`) : null,
      s.status === "paused" ? h("button", { type: "button", class: "secondary", onclick: act(s, "resume") }, `Resume`) : null,
      s.status !== "cancelled" ? h("button", { type: "button", class: "danger", onclick: act(s, "cancel") }, `Cancel`) : null)));
  replace(main,
    h("h1", { tabindex: -1 }, "Schedules"),
    messages,
    h("p", { class: "muted" }, "Schedules are created through the API (POST /schedules) with an invoice template and a rule."),
    table({ id: "schedules" },
      h("tr", {}, ["Name", "Status", "Rule", "Next dates", "Invoices", "Actions"].map((t, i) => h("th", { class: i === 2 ? "hide-narrow" : null }, t))),
      rows.length ? rows : h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No schedules."))));
}
