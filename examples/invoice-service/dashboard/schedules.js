// Recurring invoices: each schedule with its next dates, paused, resumed or cancelled here.

import { api, ApiError } from "./api.js";
import { banner, h, replace, table } from "./dom.js";
import { showError } from "./errors.js";
import { date } from "./format.js";

/** A schedule's rule in words: "Every 3 months, on day 15, from Jan 1, 2027 (Europe/Berlin)". */
export function describeRule(rule) {
  const r = rule.recurrence ?? {};
  const unit = r.every_unit === "weekly" ? "week" : "month";
  const every = r.every === 1 ? `Every ${unit}` : `Every ${r.every} ${unit}s`;
  const day = r.day === "last" ? ", on the last day" : typeof r.day === "number" ? `, on day ${r.day}` : "";
  const end = rule.end?.on ? `, until ${date(rule.end.on)}` : rule.end?.after ? `, ${rule.end.after} times` : "";
  return `${every}${day}, from ${date(rule.start)}${end} (${rule.time_zone})`;
}

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
    if (action === "cancel" && !confirm(`Cancel the schedule ${s.name}? This cannot be undone.`)) return;
    try {
      await api("POST", `/schedules/${s.id}/${action}`, { version: s.version });
      await scheduleList(main, params, navigate);
    } catch (e) {
      replace(messages, e instanceof ApiError ? showError(main, e) : banner("error", String(e)));
    }
  };
  const rows = page.content.map(({ schedule: s, next }) => h("tr", { dataset: { id: s.id } },
    h("td", {}, s.name),
    h("td", { class: "schedule-status" }, s.status),
    h("td", { class: "hide-narrow" }, describeRule(s.rule)),
    h("td", {}, next.map((o) => date(o.date)).join(", ") || "—"),
    h("td", {}, s.auto_issue ? "Issued automatically" : "Left as drafts"),
    h("td", {},
      s.status === "active" ? h("button", { type: "button", class: "secondary", id: `pause-${s.id}`, onclick: act(s, "pause") }, "Pause") : null,
      s.status === "paused" ? h("button", { type: "button", class: "secondary", id: `resume-${s.id}`, onclick: act(s, "resume") }, "Resume") : null,
      s.status !== "cancelled" ? h("button", { type: "button", class: "danger", id: `cancel-${s.id}`, onclick: act(s, "cancel") }, "Cancel") : null)));
  replace(main,
    h("h1", { tabindex: -1 }, "Schedules"),
    messages,
    h("p", { class: "muted" }, "Schedules are created through the API (POST /schedules) with an invoice template and a rule."),
    table({ id: "schedules" },
      h("tr", {}, ["Name", "Status", "Rule", "Next dates", "Invoices", "Actions"].map((t, i) => h("th", { class: i === 2 ? "hide-narrow" : null }, t))),
      rows.length ? rows : h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No schedules."))));
}
