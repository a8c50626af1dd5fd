// Amounts and dates in the browser's locale, and exact decimal sums: the API's amounts
// are decimal strings and stay exact here (no binary floating point).

const locales = navigator.languages?.length ? navigator.languages : [navigator.language];

/** `value` (a decimal string) as an amount of `currency` in the browser's locale. */
export function money(value, currency) {
  if (value === null || value === undefined || value === "") return "—";
  try {
    // A string keeps every digit: Intl formats it as an exact decimal.
    return new Intl.NumberFormat(locales, { style: "currency", currency }).format(value);
  } catch {
    return `${value} ${currency}`;
  }
}

/** A plain decimal number such as a quantity or a VAT rate, in the browser's locale. */
export function number(value) {
  try {
    return new Intl.NumberFormat(locales, { maximumFractionDigits: 6 }).format(value);
  } catch {
    return String(value);
  }
}

/** An ISO date (`2027-01-31`) in the browser's locale, or a dash. */
export function date(iso) {
  if (!iso) return "—";
  const [y, m, d] = iso.split("-").map(Number);
  return new Intl.DateTimeFormat(locales, { dateStyle: "medium", timeZone: "UTC" }).format(
    Date.UTC(y, m - 1, d),
  );
}

/** An RFC 3339 instant in the browser's locale and zone. */
export function dateTime(iso) {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(locales, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(iso),
  );
}

/** Today in the browser's zone, as an ISO date. */
export function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function parts(value) {
  const text = String(value).trim();
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`${text} is not a decimal number`);
  return { negative: match[1] === "-", digits: match[2] + (match[3] ?? ""), scale: (match[3] ?? "").length };
}

/** The exact sum of decimal strings, as a decimal string. */
export function sum(values) {
  let scale = 0;
  const all = values.map(parts);
  for (const p of all) scale = Math.max(scale, p.scale);
  let total = 0n;
  for (const p of all) {
    const units = BigInt(p.digits) * 10n ** BigInt(scale - p.scale);
    total += p.negative ? -units : units;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale ? `.${digits.slice(digits.length - scale)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** Whether the decimal string `value` is above zero. */
export function positive(value) {
  const p = parts(value);
  return !p.negative && /[1-9]/.test(p.digits);
}

/** Words for an invoice status. */
export const STATUS_LABELS = {
  draft: "Draft",
  issued: "Issued",
  partially_paid: "Partially paid",
  paid: "Paid",
  credited: "Credited",
};

/** Whether a summary or invoice (status, due date, amount due) is overdue today. */
export function isOverdue(status, dueDate, amountDue) {
  return (
    (status === "issued" || status === "partially_paid") &&
    !!dueDate &&
    dueDate < today() &&
    positive(amountDue ?? "0")
  );
}
