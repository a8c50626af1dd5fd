// API errors in words, next to the field that caused them. Form inputs are named after
// the JSON path they fill (`seller.address.country` is `#f-seller-address-country`), so a
// 400's path and a 422 rule's path find their field.

import { banner, clearFieldErrors, fieldError, h } from "./dom.js";

/** The id of the input for a JSON path such as `lines[0].vat.rate`. */
export function idFor(path) {
  return `f-${path.replace(/\[(\d+)\]/g, ".$1").replaceAll(".", "-")}`;
}

/** The input of `path`, or of the nearest enclosing path that has one. */
function placeFor(root, path) {
  let current = path;
  while (current) {
    const id = idFor(current);
    if (root.querySelector(`#${CSS.escape(id)}`)) return id;
    const cut = Math.max(current.lastIndexOf("."), current.lastIndexOf("["));
    current = cut > 0 ? current.slice(0, cut) : "";
  }
  return null;
}

/**
 * Shows `error` (an ApiError) in `root`: each detail next to its field, the rest in the
 * returned banner (null when every detail found its field and there is nothing else to
 * say). A stale version (412) offers `reload`.
 */
export function showError(root, error, { reload } = {}) {
  clearFieldErrors(root);
  if (error.status === 412) {
    return banner("error",
      "This invoice was changed elsewhere after you opened it, so your change was not saved.",
      [], " ", reload ? h("button", { type: "button", id: "reload-stale", class: "secondary", onclick: reload }, "Reload the current version") : null);
  }
  if (error.status === 400 || error.status === 422) {
    const byField = new Map();
    const unplaced = [];
    for (const detail of error.details) {
      const isRule = error.status === 422;
      const path = isRule ? detail.path : detail.field;
      const text = isRule ? `${detail.field}: ${detail.message}` : detail.message;
      const id = path ? placeFor(root, path) : null;
      if (id) byField.set(id, [...(byField.get(id) ?? []), text]);
      else unplaced.push(path && !isRule ? `${path}: ${text}` : text);
    }
    for (const [id, texts] of byField) fieldError(id, texts.join(" · "));
    const message = error.status === 422
      ? "The invoice breaks EN 16931 rules; each is shown next to its field."
      : "Some values are not valid; each is shown next to its field.";
    const focus = [...byField.keys()][0];
    if (focus) document.getElementById(focus)?.focus();
    return banner("error", byField.size ? message : error.message, unplaced);
  }
  if (error.status === 409) return banner("error", `Not possible in this state: ${error.message}.`);
  if (error.status === 404) return banner("error", `Not found: ${error.message}.`);
  return banner("error", error.message);
}
