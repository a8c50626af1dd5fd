// Signing in at the identity provider: the authorization code flow with PKCE (RFC 7636),
// run in the page as a public client. The verifier and state live in this tab's session
// storage from the redirect out until the code comes back, and never leave the browser
// except to the provider's token endpoint.

const PENDING_KEY = "invoice-rs.oidc";

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function random(bytes) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** How the service lets the dashboard sign in: `{ oidc: null }` or the provider. */
export async function signInOptions() {
  try {
    const response = await fetch("/dashboard/config.json");
    return response.ok ? await response.json() : { oidc: null };
  } catch {
    return { oidc: null };
  }
}

async function discover(issuer) {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the identity provider's discovery answered ${response.status}`);
  return response.json();
}

/** Sends the person to the provider's sign-in page. */
export async function beginSignIn({ issuer, client_id: clientId, scope }) {
  const provider = await discover(issuer);
  const verifier = random(32);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  const state = random(16);
  const redirectUri = `${location.origin}/`;
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({
    verifier, state, clientId, redirectUri, tokenEndpoint: provider.token_endpoint,
  }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: "S256",
  });
  location.assign(`${provider.authorization_endpoint}?${query}`);
}

/**
 * When the provider has sent the person back (`?code=…&state=…`), trades the code for a
 * token and returns it; null when this load is not such a return. Throws, in words, when
 * the provider refused, the state does not match this tab's request, or the trade fails.
 */
export async function completeSignIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null");
  sessionStorage.removeItem(PENDING_KEY);
  // The code is single-use: it leaves the address bar (and the history) at once.
  history.replaceState(null, "", `${location.pathname}#/invoices`);
  if (params.has("error")) {
    throw new Error(`The identity provider refused: ${params.get("error_description") ?? params.get("error")}.`);
  }
  if (!pending || params.get("state") !== pending.state) {
    throw new Error("This sign-in answer is not for a request of this tab; sign in again.");
  }
  const response = await fetch(pending.tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: params.get("code"),
      redirect_uri: pending.redirectUri,
      client_id: pending.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) {
    throw new Error(`The identity provider did not give a token: ${body.error_description ?? body.error ?? response.status}.`);
  }
  return body.access_token;
}
