// The service's HTTP API and its event socket: the only way the dashboard reads or
// changes data. The token lives in this tab's session storage and nowhere else.

const TOKEN_KEY = "invoice-rs.token";

/** The bearer token of this tab, or null before sign-in. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Keeps `value` for this tab (cleared when the tab closes). */
export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

/** Forgets the token. */
export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** The claims of a JWT, read without checking it (the service checks it), or null. */
export function claimsOf(jwt) {
  try {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "="));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

/** An error answer of the API: its status and the `{code, message, details}` body. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `the service answered ${status}`);
    this.status = status;
    this.code = body?.code ?? "unknown";
    this.details = body?.details ?? [];
  }
}

let onUnauthorized = () => {};

/** Calls `handler` when the service refuses the token (expired, or signed by another key). */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/**
 * Sends a request and returns the parsed JSON (null for 204), or the Response itself with
 * `raw`. `version` sends `If-Match`. Throws ApiError for any status but 2xx.
 */
export async function api(method, path, { body, version, raw } = {}) {
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (version !== undefined) headers["If-Match"] = `"${version}"`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { code: "network", message: `the service cannot be reached (${e.message})` });
  }
  if (!response.ok) {
    let error = null;
    try {
      error = (await response.json()).error;
    } catch {
      // Not the API's JSON error body (a proxy's page, say): the status says enough.
    }
    if (response.status === 401) onUnauthorized();
    throw new ApiError(response.status, error);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

/** The version in an `ETag` such as `"3"`. */
export function versionOf(response) {
  const tag = response.headers.get("ETag");
  return tag ? Number(tag.replace(/^W\//, "").replaceAll('"', "")) : undefined;
}

/** Fetches `path` with the token and saves the answer as `fileName`. */
export async function download(path, fileName) {
  const response = await api("GET", path, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Listens to the tenant's invoice events on `/ws`, reconnecting with backoff after the
 * socket drops. `onEvent` gets each event envelope, `onState` true or false as the socket
 * opens and closes. Returns a function that stops listening.
 */
export function listen(onEvent, onState) {
  let socket = null;
  let stopped = false;
  let delay = 500;
  let timer = null;
  const open = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token())}`);
    socket.onopen = () => {
      delay = 500;
      onState(true);
    };
    socket.onmessage = (message) => {
      try {
        onEvent(JSON.parse(message.data));
      } catch {
        // A frame that is not an event is not ours to act on.
      }
    };
    socket.onclose = () => {
      onState(false);
      if (!stopped) {
        timer = setTimeout(open, delay);
        delay = Math.min(delay * 2, 15_000);
      }
    };
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    socket?.close();
  };
}
