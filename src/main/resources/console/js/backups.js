// Backups in the left navigation: every backup of every table, also SYSTEM backups left by
// deleting a table with PITR on, restorable from here; a page of ListBackups at a time.
import { dynamo } from "./api.js";
import { h } from "./util.js";
import { backupRows, BACKUP_COLUMNS } from "./table.js";
import { pager, rendered } from "./pager.js";

export const BACKUPS_PAGE_SIZE = 50;

export async function backupsPage(main, current) {
  delete document.body.dataset.rendered;
  main.replaceChildren(h("h1", {}, "Backups"), h("p", {}, "Loading…"));
  const pages = pager(
    async (start) => {
      const r = await dynamo("ListBackups", { BackupType: "ALL", Limit: BACKUPS_PAGE_SIZE, ...(start ? { ExclusiveStartBackupArn: start } : {}) });
      return { rows: r.BackupSummaries, next: r.LastEvaluatedBackupArn };
    },
    (rows, controls, reload) => {
      if (!current()) return;
      const only = controls.querySelector("#page-prev").disabled && controls.querySelector("#page-next").disabled;
      main.replaceChildren(
        h("h1", {}, "Backups"),
        h("p", {}, `On-demand (USER) backups and the SYSTEM backups that deleting a table leaves, oldest first, ${BACKUPS_PAGE_SIZE} a page. A restore creates a new table.`),
        rows.length === 0 && only ? h("p", {}, "No backups yet.") : h("div", { class: "scroll" }, h("table", { id: "all-backups" },
          h("thead", {}, h("tr", {}, BACKUP_COLUMNS.map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, backupRows(rows, reload)))),
        controls,
      );
      rendered("backups");
    },
  );
  await pages.first();
}
