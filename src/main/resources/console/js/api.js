// The console's only way to the server: the DynamoDB JSON API and the console's own operations,
// each request signed with the signed-in key (kept in this tab's sessionStorage only).
import { sign, canSign, uriEncode } from "./sigv4.js";

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
  return send("POST", path, "", headers, JSON.stringify(payload || {}), "dynamodb");
}

async function send(method, path, query, headers, body, service) {
  const s = await loadSettings();
  const c = credentials();
  if (!c) {
    throw new ApiError("NotSignedIn", "Sign in with an access key first.", 0);
  }
  if (canSign()) {
    await sign({ method, path, query, headers, body: body || "", credentials: c, region: s.region, service });
  } else if (s.auth === "iam") {
    throw new ApiError(
      "InsecureContext",
      "This browser signs requests only on HTTPS or localhost pages; open the console over TLS.",
      0,
    );
  }
  const r = await fetch(query ? `${path}?${query}` : path, { method, headers, body: body || undefined, cache: "no-store" });
  const text = await r.text();
  const json = text ? JSON.parse(text) : {};
  if (!r.ok) {
    // restJson1 (AWS Backup) names the error in a header, "Type:more"; DynamoDB in the body.
    const header = (r.headers.get("x-amzn-errortype") || "").split(":")[0];
    const type = String(header || json.__type || json.Code || "Error").replace(/^.*#/, "");
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

/**
 * An AWS Backup call (restJson1), signed for the `backup` service as the AWS CLI signs it.
 * `params` become the query string; `payload` (PUT/POST) the JSON body.
 */
export function backupApi(method, path, params, payload) {
  const query = Object.entries(params || {})
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `${uriEncode(k)}=${uriEncode(String(v))}`)
    .join("&");
  const headers = payload === undefined ? {} : { "content-type": "application/json" };
  return send(method, path, query, headers, payload === undefined ? "" : JSON.stringify(payload), "backup");
}

/** Every page of a paged AWS Backup list, as one array. */
export async function backupAll(path, params, listName, tokenNames = ["nextToken", "NextToken"]) {
  const all = [];
  let token;
  do {
    const r = await backupApi("GET", path, { ...params, ...(token ? { [tokenNames[0]]: token } : {}) });
    all.push(...(r[listName] || []));
    token = r[tokenNames[1]];
  } while (token);
  return all;
}
