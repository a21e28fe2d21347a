// The console's only way to the server: the DynamoDB JSON API and the console's own operations,
// each request signed with the signed-in key (kept in this tab's sessionStorage only).
import { sign, canSign } from "./sigv4.js";

const KEY = "tidemark.console.credentials";
let settings = null;

export async function loadSettings() {
  if (!settings) {
    const r = await fetch("settings.json", { cache: "no-store" });
    settings = await r.json();
  }
  return settings;
}

export function credentials() {
  const raw = sessionStorage.getItem(KEY);
  if (raw) {
    return JSON.parse(raw);
  }
  // Open mode accepts any key, as DynamoDB Local does; the requests are still signed.
  return settings && settings.auth === "open"
    ? { accessKeyId: "tidemark-console", secretAccessKey: "tidemark-console" }
    : null;
}

export function signIn(c) {
  sessionStorage.setItem(KEY, JSON.stringify(c));
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(type, message, status) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

async function post(path, headers, payload) {
  const s = await loadSettings();
  const body = JSON.stringify(payload || {});
  const c = credentials();
  if (!c) {
    throw new ApiError("NotSignedIn", "Sign in with an access key first.", 0);
  }
  if (canSign()) {
    await sign({ method: "POST", path, headers, body, credentials: c, region: s.region, service: "dynamodb" });
  } else if (s.auth === "iam") {
    throw new ApiError(
      "InsecureContext",
      "This browser signs requests only on HTTPS or localhost pages; open the console over TLS.",
      0,
    );
  }
  const r = await fetch(path, { method: "POST", headers, body, cache: "no-store" });
  const text = await r.text();
  const json = text ? JSON.parse(text) : {};
  if (!r.ok) {
    const type = String(json.__type || "Error").replace(/^.*#/, "");
    throw new ApiError(type, json.message || json.Message || text, r.status);
  }
  return json;
}

/** A DynamoDB operation, exactly as the SDKs send it. */
export function dynamo(operation, payload) {
  return post(
    "/",
    { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810." + operation },
    payload,
  );
}

/** One of Tidemark's own operations (item history, the PITR timeline). */
export function tidemark(operation, payload) {
  return post("/console/api/" + operation, { "content-type": "application/json" }, payload);
}
