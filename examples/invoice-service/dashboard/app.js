// The dashboard's entry: sign-in, the router (`#/invoices`, `#/invoices/{id}`, `#/new`,
// `#/clients`, `#/reports`, `#/schedules`) and live updates from `/ws`.

import { api, ApiError, claimsOf, clearToken, listen, setToken, token, whenUnauthorized } from "./api.js";
import { clientList } from "./clients.js";
import { announce, banner, field, h, replace } from "./dom.js";
import { showError } from "./errors.js";
import { invoicePage } from "./invoice.js";
import { invoiceForm } from "./invoice-form.js";
import { invoiceList } from "./invoices.js";
import { beginSignIn, completeSignIn, signInOptions } from "./oidc.js";
import { reports } from "./reports.js";
import { scheduleList } from "./schedules.js";

const main = document.getElementById("main");
let stopListening = null;
let onLive = null;
let refreshTimer = null;

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function signInPage(message) {
  const input = field("token", "Access token", { tag: "textarea", rows: 4, required: true, spellcheck: "false", autocomplete: "off" });
  replace(main,
    h("h1", { tabindex: -1 }, "Sign in"),
    message ? banner("error", message) : null,
    h("form", {
      class: "card",
      onsubmit: async (e) => {
        e.preventDefault();
        const value = input.input.value.trim();
        if (!claimsOf(value)) {
          replace(document.getElementById("token-error"), "This is not a token: paste the value after TOKEN= that the service printed.");
          document.getElementById("token-error").hidden = false;
          return;
        }
        setToken(value);
        try {
          await api("GET", "/invoices?size=1");
        } catch (error) {
          clearToken();
          signInPage(error.status === 401 ? "The service did not accept this token (expired, or signed with another secret)." : error.message);
          return;
        }
        start();
        navigate("#/invoices");
      },
    },
    h("p", {}, "Paste the development token that ", h("code", {}, "invoice-service"),
      " printed when it started (the value after ", h("code", {}, "TOKEN="), "), or a token from your identity provider. It is kept in this tab only."),
    input.wrapper,
    h("div", { class: "actions" }, h("button", { type: "submit", id: "sign-in" }, "Sign in"))));
  main.querySelector("h1").focus();
  offerProvider();
}

/** Adds "Sign in at <provider>" when the service names an identity provider. */
async function offerProvider() {
  const { oidc } = await signInOptions();
  if (!oidc || token()) return;
  const host = new URL(oidc.issuer).host;
  const form = main.querySelector("form");
  form?.before(h("div", { class: "card" },
    h("p", {}, "Sign in with your account at ", h("strong", {}, host), "."),
    h("div", { class: "actions" }, h("button", {
      type: "button", id: "sign-in-oidc",
      onclick: () => beginSignIn(oidc).catch((e) => signInPage(e.message)),
    }, `Sign in at ${host}`)),
    h("p", { class: "muted" }, "Or paste a token below.")));
}

function start() {
  const claims = claimsOf(token()) ?? {};
  document.getElementById("tenant").textContent = `Tenant ${claims.tenant ?? "?"}`;
  document.getElementById("nav").hidden = false;
  document.getElementById("session").hidden = false;
  stopListening?.();
  stopListening = listen(
    (event) => {
      if (onLive) onLive(event);
    },
    (open) => {
      const dot = document.getElementById("live");
      dot.classList.toggle("on", open);
      dot.title = open ? "Live: changes made elsewhere appear here" : "Reconnecting…";
      document.body.dataset.live = open ? "on" : "off";
    },
  );
}

function signOut(message) {
  stopListening?.();
  stopListening = null;
  clearToken();
  document.getElementById("nav").hidden = true;
  document.getElementById("session").hidden = true;
  location.hash = "#/signin";
  signInPage(message);
}

async function newInvoicePage() {
  const clients = (await api("GET", "/clients?size=1000")).content;
  const form = invoiceForm({ invoice: null, clients });
  const messages = h("div", { id: "messages" });
  replace(main, h("h1", { tabindex: -1 }, "New invoice"), messages, form.element,
    h("div", { class: "actions" }, h("button", {
      type: "button", id: "create-invoice",
      onclick: async () => {
        try {
          const created = await api("POST", "/invoices", { body: form.body() });
          form.saved();
          announce("Draft created.");
          navigate(`#/invoices/${created.invoice.id}`);
        } catch (e) {
          replace(messages, e instanceof ApiError ? showError(main, e) : banner("error", String(e)));
        }
      },
    }, "Create draft")));
}

/** Re-renders a list page when an event arrives, at most every half second. */
function refreshOnEvents(render) {
  const refresh = async () => {
    // Someone typing in a filter keeps what they typed: the list refreshes after.
    const typing = main.contains(document.activeElement) && document.activeElement.matches("input, select, textarea");
    if (typing) {
      refreshTimer = setTimeout(refresh, 2000);
      return;
    }
    await render();
    announce("Updated with changes made elsewhere.");
  };
  return () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 500);
  };
}

async function route() {
  if (!token()) {
    // Already showing the sign-in page (with a message, perhaps): keep it.
    if (!main.querySelector("#token")) signInPage();
    return;
  }
  const [path, query = ""] = location.hash.slice(1).split("?");
  const params = new URLSearchParams(query);
  const parts = path.split("/").filter(Boolean);
  onLive = null;
  for (const link of document.querySelectorAll("#nav a")) {
    const target = link.getAttribute("href").slice(1);
    link.toggleAttribute("aria-current", path === target || (target === "/invoices" && parts[0] === "invoices"));
    if (link.hasAttribute("aria-current")) link.setAttribute("aria-current", "page");
  }
  try {
    if (parts[0] === "invoices" && parts[1]) {
      onLive = await invoicePage(main, parts[1], navigate);
    } else if (parts[0] === "new") {
      await newInvoicePage();
    } else if (parts[0] === "clients") {
      await clientList(main, params, navigate);
    } else if (parts[0] === "reports") {
      await reports(main, params, navigate);
    } else if (parts[0] === "schedules") {
      await scheduleList(main, params, navigate);
    } else {
      const render = () => invoiceList(main, params, navigate);
      await render();
      onLive = refreshOnEvents(render);
    }
  } catch (e) {
    replace(main, banner("error", e.message));
  }
  document.title = `${main.querySelector("h1")?.textContent ?? "Invoices"} · Invoices`;
  main.querySelector("h1")?.focus();
  document.body.dataset.ready = location.hash;
}

whenUnauthorized(() => signOut("Your session ended: sign in again."));
document.getElementById("sign-out").addEventListener("click", () => signOut());
window.addEventListener("hashchange", route);
try {
  const fromProvider = await completeSignIn();
  if (fromProvider) setToken(fromProvider);
} catch (e) {
  clearToken();
  signInPage(e.message);
}
if (token()) {
  start();
  route();
} else if (!main.querySelector("form")) {
  route();
}
