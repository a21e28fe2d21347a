// Backups in the left navigation: every backup of every table, also SYSTEM backups left by
// deleting a table with PITR on, restorable from here.
import { dynamo } from "./api.js";
import { h } from "./util.js";
import { backupRows, BACKUP_COLUMNS } from "./table.js";

export async function backupsPage(main, current) {
  async function load() {
    const all = [];
    let start;
    do {
      const r = await dynamo("ListBackups", { BackupType: "ALL", ...(start ? { ExclusiveStartBackupArn: start } : {}) });
      all.push(...r.BackupSummaries);
      start = r.LastEvaluatedBackupArn;
    } while (start);
    if (!current()) return;
    main.replaceChildren(
      h("h1", {}, `Backups (${all.length})`),
      h("p", {}, "On-demand (USER) backups and the SYSTEM backups that deleting a table leaves. A restore creates a new table."),
      all.length === 0 ? h("p", {}, "No backups yet.") : h("div", { class: "scroll" }, h("table", { id: "all-backups" },
        h("thead", {}, h("tr", {}, BACKUP_COLUMNS.map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, backupRows(all, load)))),
    );
  }
  main.replaceChildren(h("h1", {}, "Backups"), h("p", {}, "Loading…"));
  await load();
}
