// The audit trail: who did what, from where, and what came of it, read through Tidemark's
// ListAuditEvents (the reader and filters of `tidemark audit`), which the gate authorizes as
// cloudtrail:LookupEvents. The filters live in the address: #/audit?since=...&identity=...
import { tidemark } from "./api.js";
import { h, field } from "./util.js";

const FILTERS = ["since", "until", "identity", "action", "table"];

export async function auditPage(main, current, params) {
  const v = (n) => params.get(n) || "";
  const req = { MaxResults: 200 };
  // The inputs hold a UTC wall-clock time without a zone; the API takes epoch seconds.
  if (v("since")) req.StartTime = Date.parse(v("since") + "Z") / 1000;
  if (v("until")) req.EndTime = Date.parse(v("until") + "Z") / 1000;
  if (v("identity")) req.Identity = v("identity");
  if (v("action")) req.Action = v("action");
  if (v("table")) req.TableName = v("table");
  const r = await tidemark("ListAuditEvents", req);
  if (!current()) return;
  const form = h("form", { class: "row", id: "audit-form", onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const q = new URLSearchParams();
    for (const n of FILTERS) if (String(f.get(n) || "").trim()) q.set(n, String(f.get(n)).trim());
    location.hash = "#/audit?" + q.toString();
  } },
    field("From (UTC)", { name: "since", id: "audit-since", type: "datetime-local", step: 1, value: v("since") }),
    field("Before (UTC)", { name: "until", id: "audit-until", type: "datetime-local", step: 1, value: v("until") }),
    field("Identity (ARN, user or access key)", { name: "identity", id: "audit-identity", value: v("identity") }),
    field("Action (DeleteTable, iam:CreateUser)", { name: "action", id: "audit-action", value: v("action") }),
    field("Table", { name: "table", id: "audit-table", value: v("table") }),
    h("button", { type: "submit", id: "audit-filter" }, "Filter"));
  if (!r.AuditTrailEnabled) {
    main.replaceChildren(h("h1", {}, "Audit trail"),
      h("p", { id: "audit-off" }, "This server keeps no audit trail: it runs in memory and was started without --audit-dir."));
    return;
  }
  const events = r.Events;
  main.replaceChildren(
    h("h1", {}, "Audit trail"),
    h("p", {}, "Control-plane actions (recorded when allowed and when refused) and refused data-plane requests, newest first."),
    form,
    h("p", { class: "muted", id: "audit-summary" }, `${r.Matched} matching record(s)${r.Truncated ? `, the newest ${events.length} shown` : ""}.` +
      (r.IncompleteLinesSkipped ? ` ${r.IncompleteLinesSkipped} incomplete line(s) skipped (the last write of a run that stopped abruptly).` : "")),
    events.length === 0 ? h("p", { id: "audit-empty" }, "No records match.") : h("div", { class: "scroll" }, h("table", { id: "audit-events" },
      h("thead", {}, h("tr", {}, ["Time", "Outcome", "Action", "Identity", "Source", "Resources", "Error"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, events.map((e) => h("tr", { class: "outcome-" + e.Outcome.toLowerCase() },
        h("td", {}, e.Time),
        h("td", {}, e.Outcome),
        h("td", {}, e.Action),
        h("td", {}, e.Identity || (e.AccessKeyId ? `key ${e.AccessKeyId} (unverified)` : "—"), e.Identity && !e.Verified ? h("div", { class: "muted" }, "unverified") : null),
        h("td", {}, `${e.SourceIp || "—"} (${e.Transport})`),
        h("td", {}, e.Resources.join(", ") || "—"),
        h("td", {}, e.ErrorType ? `${e.ErrorType}: ${e.ErrorMessage || ""}` : "—")))))),
  );
}
