// Restores and their progress: every restore creates a new table, whose status the server reports.
import { dynamo, tidemark } from "./api.js";
import { h, field, checkbox, dialog, poll, status, showError, bytes } from "./util.js";

export function defaultTarget(name) {
  const t = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `${name}-restored-${t}`.slice(0, 255);
}

/**
 * A restore's measured progress (Tidemark's DescribeRestoreProgress): the backup's bytes loaded
 * out of its manifest's total, as text and a progress bar; null when no restore runs.
 */
export async function restoreProgress(target) {
  const r = await tidemark("DescribeRestoreProgress", { TableName: target });
  if (!r.RestoreInProgress) return null;
  if (r.FractionLoaded === undefined) {
    return { text: `${bytes(r.BytesLoaded)} loaded`, bar: h("progress", { id: "restore-progress", "aria-label": "Restore progress" }) };
  }
  const pct = Math.floor(r.FractionLoaded * 100);
  return {
    text: `${pct}% (${bytes(r.BytesLoaded)} of ${bytes(r.BytesTotal)} of the backup loaded)`,
    bar: h("progress", { id: "restore-progress", max: "100", value: String(pct), "aria-label": "Restore progress" }),
  };
}

/** Shows the new table's real status (DescribeTable) and measured progress until it is ACTIVE. */
export async function watchTable(target) {
  status(`Restoring into ${target}: starting…`);
  const done = await poll(async () => {
    try {
      const t = (await dynamo("DescribeTable", { TableName: target })).Table;
      // The status alone still tells the story if the progress cannot be read.
      const p = t.TableStatus === "CREATING" ? await restoreProgress(target).catch(() => null) : null;
      status(`Restoring into ${target}: ${t.TableStatus}${p ? ", " + p.text : ""}`);
      if (p) document.getElementById("status").append(p.bar);
      return t.TableStatus === "ACTIVE";
    } catch (e) {
      if (e.type === "ResourceNotFoundException") return false;
      throw e;
    }
  });
  if (done) {
    const s = document.getElementById("status");
    s.replaceChildren(
      h("p", { class: "ok", id: "restore-done" }, `Restore complete: table ${target} is ACTIVE. `,
        h("a", { href: `#/table/${encodeURIComponent(target)}/items` }, `Open ${target}`)),
    );
  }
}

/**
 * The overrides a restore takes (RestoreTableFromBackup and RestoreTableToPointInTime alike):
 * billing mode and throughput, and leaving out the secondary indexes.
 */
function overridesFieldset() {
  return h(
    "fieldset",
    {},
    h("legend", {}, "Overrides (optional)"),
    field("Billing mode", { name: "billing", type: "select", options: ["as the source", "PAY_PER_REQUEST", "PROVISIONED"], value: "as the source" }),
    field("Read capacity units (provisioned only)", { name: "rcu", type: "number", min: 1, value: 5 }),
    field("Write capacity units (provisioned only)", { name: "wcu", type: "number", min: 1, value: 5 }),
    checkbox("Restore without secondary indexes", { name: "noIndexes" }),
  );
}

function overrides(f) {
  const out = {};
  const billing = f.get("billing");
  if (billing === "PAY_PER_REQUEST" || billing === "PROVISIONED") {
    out.BillingModeOverride = billing;
    if (billing === "PROVISIONED") {
      out.ProvisionedThroughputOverride = {
        ReadCapacityUnits: Number(f.get("rcu")),
        WriteCapacityUnits: Number(f.get("wcu")),
      };
    }
  }
  if (f.get("noIndexes")) {
    out.GlobalSecondaryIndexOverride = [];
    out.LocalSecondaryIndexOverride = [];
  }
  return out;
}

/** Asks for the new table's name and overrides, then restores the backup and follows it. */
export async function restoreBackup(backup) {
  const request = await dialog(`Restore ${backup.BackupName}`, (close) => {
    const form = h(
      "form",
      { class: "stack", id: "restore-form", onsubmit: (e) => {
        e.preventDefault();
        const f = new FormData(form);
        close({ TargetTableName: String(f.get("target")).trim(), BackupArn: backup.BackupArn, ...overrides(f) });
      } },
      field("New table name", { name: "target", id: "restore-target", required: true, value: defaultTarget(backup.TableName) }),
      overridesFieldset(),
      h("div", { class: "row" }, h("button", { type: "submit", id: "restore-submit" }, "Restore"),
        h("button", { type: "button", class: "secondary", onclick: () => close(null) }, "Cancel")),
    );
    return form;
  });
  if (!request) return;
  try {
    await dynamo("RestoreTableFromBackup", request);
    await watchTable(request.TargetTableName);
  } catch (e) {
    showError(e);
  }
}

/** The PITR restore form's fields and request (the instant is epoch seconds with milliseconds). */
export function pitrRestoreForm(source, latestMillis, preset, onRestore) {
  const form = h(
    "form",
    { class: "stack", id: "pitr-restore-form", onsubmit: async (e) => {
      e.preventDefault();
      const f = new FormData(form);
      const req = { TargetTableName: String(f.get("target")).trim(), ...source, ...overrides(f) };
      if (f.get("latest")) {
        req.UseLatestRestorableTime = true;
      } else {
        const millis = Date.parse(String(f.get("instant")).trim());
        if (Number.isNaN(millis)) {
          status("The instant must be an ISO 8601 time, for example 2026-12-06T10:14:59.250Z.", "error");
          return;
        }
        req.RestoreDateTime = millis / 1000;
      }
      try {
        await dynamo("RestoreTableToPointInTime", req);
        if (onRestore) onRestore(req);
        await watchTable(req.TargetTableName);
      } catch (err) {
        showError(err);
      }
    } },
    field("New table name", { name: "target", id: "pitr-target", required: true, value: defaultTarget(source.SourceTableName || "table") }),
    field("Restore to (UTC, to the millisecond)", { name: "instant", id: "pitr-instant", value: preset || (latestMillis ? new Date(latestMillis).toISOString() : ""), placeholder: "2026-12-06T10:14:59.250Z" }),
    checkbox("Latest restorable time instead", { name: "latest", id: "pitr-latest" }),
    overridesFieldset(),
    h("div", {}, h("button", { type: "submit", id: "pitr-restore" }, "Restore to point in time")),
  );
  return form;
}
