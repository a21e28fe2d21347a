// Tables: every table with its status, items, size, deletion protection and PITR state.
import { dynamo } from "./api.js";
import { h, bytes } from "./util.js";

async function allTableNames() {
  const names = [];
  let start;
  do {
    const r = await dynamo("ListTables", start ? { ExclusiveStartTableName: start } : {});
    names.push(...r.TableNames);
    start = r.LastEvaluatedTableName;
  } while (start);
  return names;
}

/** Runs `fn` over `items` with a few requests in flight at once. */
async function mapLimited(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function tablesPage(main, current) {
  main.replaceChildren(h("h1", {}, "Tables"), h("p", {}, "Loading…"));
  const names = await allTableNames();
  const rows = await mapLimited(names, 6, async (name) => {
    try {
      const [t, pitr] = await Promise.all([
        dynamo("DescribeTable", { TableName: name }),
        dynamo("DescribeContinuousBackups", { TableName: name }).catch(() => null),
      ]);
      return { name, table: t.Table, pitr };
    } catch (e) {
      return { name, error: e };
    }
  });
  if (!current()) return;
  const body = rows.map((r) => {
    if (r.error) {
      return h("tr", {}, h("td", {}, r.name), h("td", { colspan: 5, class: "error" }, r.error.message));
    }
    const t = r.table;
    const p = r.pitr && r.pitr.ContinuousBackupsDescription.PointInTimeRecoveryDescription;
    return h(
      "tr",
      {},
      h("td", {}, h("a", { href: `#/table/${encodeURIComponent(r.name)}/overview` }, r.name)),
      h("td", {}, t.TableStatus),
      h("td", { class: "num" }, String(t.ItemCount ?? 0)),
      h("td", { class: "num" }, bytes(t.TableSizeBytes)),
      h("td", {}, t.DeletionProtectionEnabled ? "On" : "Off"),
      h("td", {}, p ? (p.PointInTimeRecoveryStatus === "ENABLED" ? `On (${p.RecoveryPeriodInDays ?? 35} days)` : "Off") : "—"),
    );
  });
  main.replaceChildren(
    h("h1", {}, `Tables (${names.length})`),
    names.length === 0
      ? h("p", {}, "No tables yet. Create one with the AWS CLI or an SDK.")
      : h(
          "div",
          { class: "scroll" },
          h(
            "table",
            { id: "tables" },
            h("caption", { class: "muted" }, "Item counts and sizes are kept current by the server."),
            h("thead", {}, h("tr", {}, ["Name", "Status", "Items", "Size", "Deletion protection", "Point-in-time recovery"].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, body),
          ),
        ),
  );
}
