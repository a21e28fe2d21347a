// AWS Signature Version 4 in the browser (WebCrypto), so the console's every call is an ordinary
// signed API request that the server's gate verifies and authorizes like any SDK's.

const enc = new TextEncoder();

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256Hex(text) {
  return hex(await crypto.subtle.digest("SHA-256", enc.encode(text)));
}

async function hmac(key, text) {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(text)));
}

/** WebCrypto exists only in secure contexts: HTTPS, or a page served from localhost. */
export function canSign() {
  return typeof crypto !== "undefined" && crypto.subtle !== undefined;
}

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** An already encoded query string (a=b&c=d) in SigV4's order: by name, then value. */
function canonicalQuery(query) {
  return query
    .split("&")
    .filter(Boolean)
    .map((p) => (p.includes("=") ? p.split("=", 2) : [p, ""]))
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

function amzDate(now) {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * Adds X-Amz-Date (and X-Amz-Security-Token) and Authorization to `headers` (lower-case names)
 * for a request to this page's own host. The body is signed whole (no UNSIGNED-PAYLOAD).
 */
export async function sign({ method, path, query, headers, body, credentials, region, service }) {
  const now = new Date();
  const stamp = amzDate(now);
  const day = stamp.slice(0, 8);
  headers["x-amz-date"] = stamp;
  if (credentials.sessionToken) {
    headers["x-amz-security-token"] = credentials.sessionToken;
  }
  // The browser sends Host itself; it is signed as the page's host, which is what it sends.
  const all = { ...headers, host: location.host };
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const canonicalHeaders = names.map((n) => `${n}:${String(all[n]).trim()}\n`).join("");
  const signedHeaders = names.join(";");
  const canonical = [
    method,
    path.split("/").map(encodeURIComponent).join("/"),
    canonicalQuery(query || ""),
    canonicalHeaders,
    signedHeaders,
    await sha256Hex(body),
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", stamp, scope, await sha256Hex(canonical)].join("\n");
  let key = await hmac(enc.encode("AWS4" + credentials.secretAccessKey), day);
  key = await hmac(key, region);
  key = await hmac(key, service);
  key = await hmac(key, "aws4_request");
  const signature = hex(await hmac(key, toSign));
  headers["authorization"] =
    `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
