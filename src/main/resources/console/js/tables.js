// Tables: every table with its status, items, size, deletion protection and PITR state, a page at
// a time from one call (DescribeTableSummaries) rather than two DynamoDB calls per table.
import { tidemark } from "./api.js";
import { h, bytes } from "./util.js";
import { pager, rendered } from "./pager.js";

export const TABLES_PAGE_SIZE = 50;

function pitrText(s) {
  const p = s.ContinuousBackupsDescription && s.ContinuousBackupsDescription.PointInTimeRecoveryDescription;
  if (!p) return "—";
  return p.PointInTimeRecoveryStatus === "ENABLED" ? `On (${p.RecoveryPeriodInDays ?? 35} days)` : "Off";
}

export async function tablesPage(main, current) {
  delete document.body.dataset.rendered;
  main.replaceChildren(h("h1", {}, "Tables"), h("p", {}, "Loading…"));
  const pages = pager(
    async (start) => {
      const r = await tidemark("DescribeTableSummaries", { Limit: TABLES_PAGE_SIZE, ...(start ? { ExclusiveStartTableName: start } : {}) });
      return { rows: r.TableSummaries, next: r.LastEvaluatedTableName };
    },
    (rows, controls) => {
      if (!current()) return;
      const first = controls.querySelector("#page-prev").disabled;
      const body = rows.map((t) =>
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: `#/table/${encodeURIComponent(t.TableName)}/overview` }, t.TableName)),
          h("td", {}, t.TableStatus),
          h("td", { class: "num" }, String(t.ItemCount ?? 0)),
          h("td", { class: "num" }, bytes(t.TableSizeBytes)),
          h("td", {}, t.DeletionProtectionEnabled ? "On" : "Off"),
          h("td", {}, pitrText(t)),
        ),
      );
      main.replaceChildren(
        h("h1", {}, "Tables"),
        rows.length === 0 && first && controls.querySelector("#page-next").disabled
          ? h("p", {}, "No tables yet (or none you may describe). Create one with the AWS CLI or an SDK.")
          : h(
              "div",
              { class: "scroll" },
              h(
                "table",
                { id: "tables" },
                h("caption", { class: "muted" }, `Tables ${TABLES_PAGE_SIZE} a page, by name. Item counts and sizes are kept current by the server.`),
                h("thead", {}, h("tr", {}, ["Name", "Status", "Items", "Size", "Deletion protection", "Point-in-time recovery"].map((c) => h("th", { scope: "col" }, c)))),
                h("tbody", {}, body),
              ),
            ),
        controls,
      );
      rendered("tables");
    },
  );
  await pages.first();
}
