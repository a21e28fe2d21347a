// One table: overview, items, settings, backups, point-in-time recovery, replicas, item history.
import { dynamo, tidemark } from "./api.js";
import { h, field, checkbox, status, showError, iso, fromSeconds, bytes, show, diff, dialog, confirmByName, poll } from "./util.js";
import { restoreBackup, pitrRestoreForm, watchTable, restoreProgress } from "./restore.js";
import { timeline } from "./timeline.js";
import { replicas } from "./replicas.js";

const TABS = [
  ["overview", "Overview"],
  ["items", "Items"],
  ["settings", "Settings"],
  ["backups", "Backups"],
  ["pitr", "Point-in-time recovery"],
  ["replicas", "Replicas"],
  ["history", "Item history"],
];

export async function tablePage(main, current, name, tab, params) {
  const t = (await dynamo("DescribeTable", { TableName: name })).Table;
  if (!current()) return;
  const base = `#/table/${encodeURIComponent(name)}/`;
  const body = h("section", { id: "tab-" + tab, "aria-labelledby": "tab-title" });
  main.replaceChildren(
    h("p", {}, h("a", { href: "#/tables" }, "Tables"), " / ", name),
    h("h1", {}, name),
    h("nav", { "aria-label": "Table sections" }, h("ul", { class: "tabs" },
      TABS.map(([id, label]) => h("li", {}, h("a", { href: base + id, id: "tablink-" + id, "aria-current": id === tab ? "page" : null }, label))))),
    body,
  );
  const pages = { overview, items, settings, backups, pitr, replicas, history };
  await (pages[tab] || overview)(body, t, current, params);
}

function keyNames(t) {
  const hash = t.KeySchema.find((k) => k.KeyType === "HASH").AttributeName;
  const range = t.KeySchema.find((k) => k.KeyType === "RANGE");
  return { hash, range: range ? range.AttributeName : null };
}

function attrType(t, name) {
  return t.AttributeDefinitions.find((a) => a.AttributeName === name).AttributeType;
}

function keyOf(t, item) {
  const { hash, range } = keyNames(t);
  const key = { [hash]: item[hash] };
  if (range) key[range] = item[range];
  return key;
}

// ---- overview ----------------------------------------------------------------------------------

async function overview(body, t) {
  const { hash, range } = keyNames(t);
  const pitr = await dynamo("DescribeContinuousBackups", { TableName: t.TableName });
  const p = pitr.ContinuousBackupsDescription.PointInTimeRecoveryDescription;
  const facts = [
    ["Status", t.TableStatus],
    ["ARN", t.TableArn],
    ["Partition key", `${hash} (${attrType(t, hash)})`],
    ["Sort key", range ? `${range} (${attrType(t, range)})` : "—"],
    ["Items", String(t.ItemCount ?? 0)],
    ["Size", bytes(t.TableSizeBytes)],
    ["Billing mode", (t.BillingModeSummary && t.BillingModeSummary.BillingMode) || "PROVISIONED"],
    ["Created", iso(fromSeconds(t.CreationDateTime))],
    ["Deletion protection", t.DeletionProtectionEnabled ? "On" : "Off"],
    ["Point-in-time recovery", p.PointInTimeRecoveryStatus === "ENABLED"
      ? `On: ${iso(fromSeconds(p.EarliestRestorableDateTime))} to ${iso(fromSeconds(p.LatestRestorableDateTime))}` : "Off"],
    ["Stream", t.StreamSpecification && t.StreamSpecification.StreamEnabled ? t.StreamSpecification.StreamViewType : "Off"],
    ["Restored from", t.RestoreSummary ? (t.RestoreSummary.SourceBackupArn || t.RestoreSummary.SourceTableArn) : "—"],
  ];
  // While a restore fills the table, how far it is, as the server measures it.
  const progress = t.TableStatus === "CREATING" ? await restoreProgress(t.TableName).catch(() => null) : null;
  if (progress) facts.splice(1, 0, ["Restore progress", h("span", {}, progress.text, " ", progress.bar)]);
  const indexes = [...(t.GlobalSecondaryIndexes || []).map((i) => ["Global", i]), ...(t.LocalSecondaryIndexes || []).map((i) => ["Local", i])];
  body.replaceChildren(
    h("h2", { id: "tab-title" }, "Overview"),
    h("dl", { class: "facts", id: "overview" }, facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("h2", {}, "Indexes"),
    indexes.length === 0 ? h("p", {}, "No secondary indexes.") : h("div", { class: "scroll" }, h("table", {},
      h("thead", {}, h("tr", {}, ["Name", "Kind", "Keys", "Projection", "Status", "Items"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, indexes.map(([kind, i]) => h("tr", {}, h("td", {}, i.IndexName), h("td", {}, kind),
        h("td", {}, i.KeySchema.map((k) => `${k.AttributeName} (${k.KeyType})`).join(", ")),
        h("td", {}, i.Projection.ProjectionType), h("td", {}, i.IndexStatus || "ACTIVE"), h("td", { class: "num" }, String(i.ItemCount ?? 0))))))),
  );
}

// ---- items -------------------------------------------------------------------------------------

function typed(type, text) {
  return { [type]: text };
}

async function items(body, t, current) {
  const { hash, range } = keyNames(t);
  const pages = [];
  let startKey = null;
  const results = h("div", { id: "item-results" });
  const form = h(
    "form",
    { class: "stack", id: "items-form", onsubmit: (e) => (e.preventDefault(), pages.length = 0, run(null)) },
    field("Operation", { name: "mode", id: "items-mode", type: "select", options: ["Scan", "Query"], value: "Scan" }),
    field(`Partition key ${hash} (Query)`, { name: "pk", id: "items-pk" }),
    range ? field(`Sort key ${range} equals (Query, optional)`, { name: "sk", id: "items-sk" }) : null,
    field("Page size", { name: "limit", id: "items-limit", type: "number", min: 1, max: 1000, value: 25 }),
    h("div", { class: "row" }, h("button", { type: "submit", id: "items-run" }, "Run"),
      h("button", { type: "button", class: "secondary", id: "item-create", onclick: () => edit(t, null, () => run(pages.at(-1) ?? null)) }, "Create item")),
  );
  async function run(from) {
    const f = new FormData(form);
    const req = { TableName: t.TableName, Limit: Number(f.get("limit")) || 25 };
    if (from) req.ExclusiveStartKey = from;
    if (f.get("mode") === "Query") {
      req.KeyConditionExpression = "#h = :h";
      req.ExpressionAttributeNames = { "#h": hash };
      req.ExpressionAttributeValues = { ":h": typed(attrType(t, hash), String(f.get("pk"))) };
      if (range && f.get("sk")) {
        req.KeyConditionExpression += " AND #r = :r";
        req.ExpressionAttributeNames["#r"] = range;
        req.ExpressionAttributeValues[":r"] = typed(attrType(t, range), String(f.get("sk")));
      }
    }
    try {
      const r = await dynamo(f.get("mode"), req);
      startKey = r.LastEvaluatedKey || null;
      draw(r.Items, from);
    } catch (e) {
      showError(e);
    }
  }
  function draw(list, from) {
    const names = [hash, range, ...new Set(list.flatMap((i) => Object.keys(i)))].filter((n, i, a) => n && a.indexOf(n) === i).slice(0, 8);
    results.replaceChildren(
      h("p", { class: "muted", id: "items-count" }, `${list.length} item(s) on this page`),
      h("div", { class: "scroll" }, h("table", { id: "items-table" },
        h("thead", {}, h("tr", {}, names.map((n) => h("th", { scope: "col" }, n)), h("th", { scope: "col" }, "Actions"))),
        h("tbody", {}, list.map((item) => h("tr", {}, names.map((n) => h("td", {}, show(item[n]))),
          h("td", {}, h("button", { type: "button", class: "link", onclick: () => edit(t, item, () => run(from)) }, "View / edit"), " ",
            h("a", { href: `#/table/${encodeURIComponent(t.TableName)}/history?key=${encodeURIComponent(JSON.stringify(keyOf(t, item)))}` }, "History"))))))),
      h("div", { class: "row" },
        h("button", { type: "button", class: "secondary", id: "items-prev", disabled: pages.length === 0, onclick: () => run(pages.pop() ?? null) }, "Previous page"),
        h("button", { type: "button", class: "secondary", id: "items-next", disabled: !startKey, onclick: () => (pages.push(from), run(startKey)) }, "Next page")),
    );
  }
  body.replaceChildren(h("h2", { id: "tab-title" }, "Items"), form, results);
  if (current()) await run(null);
}

/** The item as DynamoDB JSON; saving is a PutItem of exactly that JSON. */
async function edit(t, item, after) {
  const { hash, range } = keyNames(t);
  const template = item || { [hash]: { [attrType(t, hash)]: "" }, ...(range ? { [range]: { [attrType(t, range)]: "" } } : {}) };
  const result = await dialog(item ? "Item" : "Create item", (close) => {
    const text = h("textarea", { id: "item-json", name: "item", spellcheck: "false" }, JSON.stringify(template, null, 2));
    const error = h("p", { class: "error", role: "alert" });
    const form = h("form", { class: "stack", onsubmit: async (e) => {
      e.preventDefault();
      let parsed;
      try {
        parsed = JSON.parse(text.value);
      } catch (err) {
        error.textContent = "Not valid JSON: " + err.message;
        return;
      }
      try {
        await dynamo("PutItem", { TableName: t.TableName, Item: parsed });
        close("saved");
      } catch (err) {
        error.textContent = `${err.type}: ${err.message}`;
      }
    } },
      h("label", { for: "item-json" }, "Item (DynamoDB JSON)", text), error,
      h("div", { class: "row" }, h("button", { type: "submit", id: "item-save" }, "Save"),
        item ? h("button", { type: "button", class: "danger", id: "item-delete", onclick: async () => {
          try {
            await dynamo("DeleteItem", { TableName: t.TableName, Key: keyOf(t, item) });
            close("deleted");
          } catch (err) {
            error.textContent = `${err.type}: ${err.message}`;
          }
        } }, "Delete item") : null,
        h("button", { type: "button", class: "secondary", onclick: () => close(null) }, "Cancel")));
    return form;
  });
  if (result) {
    status(result === "saved" ? "Item saved." : "Item deleted.", "ok");
    await after();
  }
}

// ---- settings ----------------------------------------------------------------------------------

async function settings(body, t) {
  const name = t.TableName;
  const [ttl, tags] = await Promise.all([
    dynamo("DescribeTimeToLive", { TableName: name }),
    dynamo("ListTagsOfResource", { ResourceArn: t.TableArn }),
  ]);
  const ttlDesc = ttl.TimeToLiveDescription;
  const stream = t.StreamSpecification && t.StreamSpecification.StreamEnabled ? t.StreamSpecification.StreamViewType : null;
  const reload = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
  const act = (fn, message) => async (e) => {
    if (e) e.preventDefault();
    try {
      await fn();
      status(message, "ok");
      reload();
    } catch (err) {
      showError(err);
    }
  };
  const protectionOn = !!t.DeletionProtectionEnabled;
  body.replaceChildren(
    h("h2", { id: "tab-title" }, "Settings"),
    h("fieldset", {}, h("legend", {}, "Deletion protection"),
      h("p", { id: "protection-state" }, protectionOn ? "On: DeleteTable is refused." : "Off."),
      h("div", {}, h("button", { type: "button", id: "protection-toggle", onclick: act(
        () => dynamo("UpdateTable", { TableName: name, DeletionProtectionEnabled: !protectionOn }),
        `Deletion protection turned ${protectionOn ? "off" : "on"}.`) }, protectionOn ? "Turn off deletion protection" : "Turn on deletion protection"))),
    h("form", { class: "stack", id: "ttl-form", onsubmit: act(() => dynamo("UpdateTimeToLive", {
      TableName: name,
      TimeToLiveSpecification: ttlDesc.TimeToLiveStatus === "ENABLED"
        ? { Enabled: false, AttributeName: ttlDesc.AttributeName }
        : { Enabled: true, AttributeName: new FormData(document.getElementById("ttl-form")).get("attr") },
    }), "Time to live updated.") },
      h("fieldset", {}, h("legend", {}, "Time to live"),
        h("p", {}, ttlDesc.TimeToLiveStatus === "ENABLED" ? `On, attribute ${ttlDesc.AttributeName}.` : "Off."),
        ttlDesc.TimeToLiveStatus === "ENABLED" ? null : field("Attribute holding the expiry (epoch seconds)", { name: "attr", required: true, value: "expiresAt" }),
        h("div", {}, h("button", { type: "submit" }, ttlDesc.TimeToLiveStatus === "ENABLED" ? "Turn off TTL" : "Turn on TTL")))),
    h("form", { class: "stack", id: "stream-form", onsubmit: act(() => dynamo("UpdateTable", {
      TableName: name,
      StreamSpecification: stream ? { StreamEnabled: false }
        : { StreamEnabled: true, StreamViewType: new FormData(document.getElementById("stream-form")).get("view") },
    }), "Stream settings updated.") },
      h("fieldset", {}, h("legend", {}, "DynamoDB stream"),
        h("p", {}, stream ? `On (${stream}).` : "Off."),
        stream ? null : field("View type", { name: "view", type: "select", options: ["NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY"], value: "NEW_AND_OLD_IMAGES" }),
        h("div", {}, h("button", { type: "submit" }, stream ? "Turn off stream" : "Turn on stream")))),
    h("fieldset", {}, h("legend", {}, "Tags"),
      tags.Tags.length === 0 ? h("p", {}, "No tags.") : h("ul", { id: "tags" }, tags.Tags.map((tg) => h("li", {}, `${tg.Key} = ${tg.Value} `,
        h("button", { type: "button", class: "link", "aria-label": `Remove tag ${tg.Key}`, onclick: act(() => dynamo("UntagResource", { ResourceArn: t.TableArn, TagKeys: [tg.Key] }), `Tag ${tg.Key} removed.`) }, "Remove")))),
      h("form", { class: "row", id: "tag-form", onsubmit: act(() => {
        const f = new FormData(document.getElementById("tag-form"));
        return dynamo("TagResource", { ResourceArn: t.TableArn, Tags: [{ Key: f.get("key"), Value: f.get("value") }] });
      }, "Tag added.") },
        field("Key", { name: "key", required: true }), field("Value", { name: "value" }), h("button", { type: "submit" }, "Add tag"))),
    h("fieldset", {}, h("legend", {}, "Delete table"),
      h("p", {}, "Deleting a table with point-in-time recovery on leaves a SYSTEM backup, restorable from Backups."),
      h("div", {}, h("button", { type: "button", class: "danger", id: "table-delete", onclick: async () => {
        if (!(await confirmByName(`Delete table ${name}`, name, "The table"))) return;
        try {
          await dynamo("DeleteTable", { TableName: name });
          status(`Table ${name} is being deleted.`, "ok");
          location.hash = "#/tables";
        } catch (err) {
          showError(err);
        }
      } }, "Delete table"))),
  );
}

// ---- backups -----------------------------------------------------------------------------------

export function backupRows(list, after) {
  return list.map((b) => h("tr", {},
    h("td", {}, b.BackupName), h("td", {}, b.TableName), h("td", {}, b.BackupType), h("td", { class: "backup-status" }, b.BackupStatus),
    h("td", {}, iso(fromSeconds(b.BackupCreationDateTime))), h("td", { class: "num" }, bytes(b.BackupSizeBytes)),
    h("td", {},
      h("button", { type: "button", class: "link", "aria-label": `Restore ${b.BackupName}`, disabled: b.BackupStatus !== "AVAILABLE", onclick: () => restoreBackup(b) }, "Restore"), " ",
      h("button", { type: "button", class: "link", "aria-label": `Delete ${b.BackupName}`, onclick: async () => {
        if (!(await confirmByName(`Delete backup ${b.BackupName}`, b.BackupName, "The backup"))) return;
        try {
          await dynamo("DeleteBackup", { BackupArn: b.BackupArn });
          status(`Backup ${b.BackupName} deleted.`, "ok");
          await after();
        } catch (err) {
          showError(err);
        }
      } }, "Delete"))));
}

export const BACKUP_COLUMNS = ["Name", "Table", "Type", "Status", "Created", "Size", "Actions"];

async function backups(body, t, current) {
  const list = h("div", { id: "backup-list" });
  async function load() {
    const all = [];
    let start;
    do {
      const r = await dynamo("ListBackups", { TableName: t.TableName, BackupType: "ALL", ...(start ? { ExclusiveStartBackupArn: start } : {}) });
      all.push(...r.BackupSummaries);
      start = r.LastEvaluatedBackupArn;
    } while (start);
    if (!current()) return;
    list.replaceChildren(all.length === 0 ? h("p", {}, "No backups of this table.") : h("div", { class: "scroll" }, h("table", { id: "backups-table" },
      h("thead", {}, h("tr", {}, BACKUP_COLUMNS.map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, backupRows(all, load)))));
  }
  const form = h("form", { class: "row", id: "backup-form", onsubmit: async (e) => {
    e.preventDefault();
    const backupName = String(new FormData(form).get("name")).trim();
    try {
      const d = (await dynamo("CreateBackup", { TableName: t.TableName, BackupName: backupName })).BackupDetails;
      await load();
      // The backup's real status, until the server says it is done.
      await poll(async () => {
        const s = (await dynamo("DescribeBackup", { BackupArn: d.BackupArn })).BackupDescription.BackupDetails.BackupStatus;
        status(`Backup ${backupName}: ${s}`, s === "AVAILABLE" ? "ok" : "");
        return s !== "CREATING";
      });
      await load();
    } catch (err) {
      showError(err);
    }
  } }, field("Backup name", { name: "name", id: "backup-name", required: true, value: `${t.TableName}-${new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14)}` }),
  h("button", { type: "submit", id: "backup-create" }, "Create backup"));
  body.replaceChildren(h("h2", { id: "tab-title" }, "Backups"), form, list);
  await load();
}

// ---- point-in-time recovery --------------------------------------------------------------------

async function pitr(body, t, current, params) {
  const name = t.TableName;
  const w = await tidemark("DescribePitrWindow", { TableName: name });
  if (!current()) return;
  const on = w.PointInTimeRecoveryEnabled;
  const settingsForm = h("form", { class: "stack", id: "pitr-form", onsubmit: async (e) => {
    e.preventDefault();
    const days = Number(new FormData(settingsForm).get("days"));
    try {
      await dynamo("UpdateContinuousBackups", { TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: days } });
      status(`Point-in-time recovery is on (${days} days).`, "ok");
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    } catch (err) {
      showError(err);
    }
  } },
    field("Recovery period (days, 1 to 35)", { name: "days", id: "pitr-days", type: "number", min: 1, max: 35, value: w.RecoveryPeriodInDays || 35 }),
    h("div", { class: "row" },
      h("button", { type: "submit", id: "pitr-enable" }, on ? "Change recovery period" : "Turn on point-in-time recovery"),
      on ? h("button", { type: "button", class: "danger", id: "pitr-disable", onclick: async () => {
        if (!(await confirmByName("Turn off point-in-time recovery", name, "The recovery window of table"))) return;
        try {
          await dynamo("UpdateContinuousBackups", { TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } });
          status("Point-in-time recovery is off.", "ok");
          window.dispatchEvent(new HashChangeEvent("hashchange"));
        } catch (err) {
          showError(err);
        }
      } }, "Turn off") : null));
  body.replaceChildren(
    h("h2", { id: "tab-title" }, "Point-in-time recovery"),
    h("p", { id: "pitr-state" }, on ? `On, keeping ${w.RecoveryPeriodInDays} days.` : "Off."),
    settingsForm,
  );
  if (!on) return;
  body.append(
    h("dl", { class: "facts", id: "pitr-window" },
      h("dt", {}, "Earliest restorable"), h("dd", { id: "pitr-earliest-time" }, iso(w.EarliestRestorableMillis)),
      h("dt", {}, "Latest restorable"), h("dd", { id: "pitr-latest-time" }, iso(w.LatestRestorableMillis)),
      h("dt", {}, "Archive lag"), h("dd", { id: "pitr-lag" }, `${w.ArchiveLagMillis} ms behind the server's clock`),
      h("dt", {}, "Base snapshots"), h("dd", {}, String(w.BaseSnapshots.length))),
    timeline(w),
    h("h2", {}, "Restore to a point in time"),
    pitrRestoreForm({ SourceTableName: name }, w.LatestRestorableMillis, params.get("at")),
  );
}

// ---- item history ------------------------------------------------------------------------------

async function history(body, t, current, params) {
  const { hash, range } = keyNames(t);
  const template = { [hash]: { [attrType(t, hash)]: "" }, ...(range ? { [range]: { [attrType(t, range)]: "" } } : {}) };
  const preset = params.get("key");
  const out = h("div", { id: "history-results" });
  const form = h("form", { class: "stack", id: "history-form", onsubmit: async (e) => {
    e.preventDefault();
    let key;
    try {
      key = JSON.parse(String(new FormData(form).get("key")));
    } catch (err) {
      status("The key must be DynamoDB JSON: " + err.message, "error");
      return;
    }
    try {
      draw(await tidemark("ListItemVersions", { TableName: t.TableName, Key: key }));
    } catch (err) {
      showError(err);
    }
  } },
    field("Key (DynamoDB JSON)", { name: "key", id: "history-key", type: "textarea", rows: 4, value: preset ? JSON.stringify(JSON.parse(preset), null, 2) : JSON.stringify(template, null, 2) }),
    h("div", {}, h("button", { type: "submit", id: "history-run" }, "Show versions")));
  function draw(r) {
    // What each write changed: against its old image when the log kept one, else the version
    // before it (the same item); the oldest listed may have no earlier version in history.
    const versions = r.Versions.map((v, i) => ({
      ...v,
      before: v.OldImage || (i > 0 ? r.Versions[i - 1].NewImage || null : null),
      known: !!v.OldImage || i > 0 || v.EventName === "INSERT",
    })).reverse();
    out.replaceChildren(
      h("p", { class: "muted" }, `${r.Versions.length} version(s)${r.Truncated ? " (the newest only)" : ""}, from ${r.PointInTimeRecoveryEnabled ? "the PITR archive and the change log" : "the change log (PITR is off)"}` +
        (r.EarliestMillis ? `, covering ${iso(r.EarliestMillis)} on.` : ".")),
      h("ul", { id: "versions", class: "versions" }, versions.map((v) => h("li", { class: "version" },
        h("p", {}, h("strong", {}, iso(v.TimeMillis)), ` ${v.EventName} by ${v.Origin} (sequence ${v.SequenceNumber}) `,
          h("a", { href: `#/table/${encodeURIComponent(t.TableName)}/pitr?at=${encodeURIComponent(new Date(v.TimeMillis - 1).toISOString())}` }, "Restore to just before this")),
        h("p", { class: v.WriterKnown ? "writer" : "writer muted" }, "Written by ", v.WriterKnown ? h("code", {}, v.Writer) : v.Writer),
        v.known ? null : h("p", { class: "muted" }, "The version before this one is older than the history kept."),
        h("pre", { class: "diff" }, diff(v.before, v.NewImage).map((d) => h("span", { class: d.kind }, d.text + "\n"))),
        h("details", {}, h("summary", {}, "Item after this write"), h("pre", {}, v.NewImage ? JSON.stringify(v.NewImage, null, 2) : "(deleted)"))))),
    );
  }
  body.replaceChildren(h("h2", { id: "tab-title" }, "Item history"),
    h("p", {}, "Every version of one item still in history: the PITR archive and the change log."), form, out);
  if (preset) form.requestSubmit();
}

export { watchTable, checkbox };
