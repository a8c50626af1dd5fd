// Building the page: elements from data, text always as text (never parsed as HTML).

/**
 * An element: `h("a", { href: "#/x" }, "text", child)`. Attributes starting with `on`
 * are listeners; `false`, null and undefined attributes are left out; children may be
 * strings, nodes, arrays or null.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, value);
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces what `element` holds. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** A labelled input with a place for its error: `{ wrapper, input }`. */
export function field(id, label, attributes = {}) {
  const input = h(attributes.tag ?? "input", {
    id,
    name: id,
    "aria-describedby": `${id}-error`,
    ...attributes,
    tag: null,
  });
  const wrapper = h("div", { class: "field" }, h("label", { for: id }, label), input,
    h("p", { id: `${id}-error`, class: "field-error", hidden: true }));
  return { wrapper, input };
}

/** Shows `message` under the field `id` (or clears it with null). */
export function fieldError(id, message) {
  const input = document.getElementById(id);
  const error = document.getElementById(`${id}-error`);
  if (!input || !error) return false;
  if (message) {
    input.setAttribute("aria-invalid", "true");
    error.textContent = message;
    error.hidden = false;
  } else {
    input.removeAttribute("aria-invalid");
    error.textContent = "";
    error.hidden = true;
  }
  return true;
}

/** Clears every field error inside `root`. */
export function clearFieldErrors(root) {
  for (const input of root.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  for (const error of root.querySelectorAll(".field-error")) {
    error.textContent = "";
    error.hidden = true;
  }
}

/** A banner: `kind` is `error` or `info`; `items` an optional list under the message. */
export function banner(kind, message, items = [], ...extra) {
  return h("div", { class: `banner ${kind}`, role: kind === "error" ? "alert" : "status" },
    h("span", {}, message),
    items.length ? h("ul", {}, items.map((i) => h("li", {}, i))) : null,
    extra);
}

/** Says `message` to screen readers. */
export function announce(message) {
  const region = document.getElementById("announce");
  region.textContent = "";
  setTimeout(() => { region.textContent = message; }, 50);
}

/** A table inside a scrolling wrapper (narrow windows scroll the table, not the page). */
export function table(attributes, head, body, foot) {
  return h("div", { class: "table-wrap" },
    h("table", attributes, head ? h("thead", {}, head) : null, h("tbody", {}, body), foot ? h("tfoot", {}, foot) : null));
}
