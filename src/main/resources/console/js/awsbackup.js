// AWS Backup in the console: vaults and their recovery points, backup plans, jobs, and restore
// testing with its measured RTO. Every read is the AWS Backup API call (restJson1, signed for the
// `backup` service) the AWS CLI would make, so the gate decides as for any client.
import { backupApi, backupAll } from "./api.js";
import { h, field, iso, fromSeconds, bytes } from "./util.js";
import { lineChart } from "./charts.js";

const enc = encodeURIComponent;

function table(id, columns, rows, empty) {
  if (rows.length === 0) return h("p", { id: id + "-empty" }, empty);
  return h("div", { class: "scroll" }, h("table", { id },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows)));
}

function facts(id, pairs) {
  return h("dl", { class: "facts", id }, pairs.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

const when = (s) => iso(fromSeconds(s));
const tail = (arn) => (arn ? arn.slice(arn.lastIndexOf("/") + 1) : "—");

/** Seconds between two AWS timestamps, to the millisecond; null when unfinished. */
function seconds(from, to) {
  return from === undefined || to === undefined || to === null ? null : Math.round((Number(to) - Number(from)) * 1000) / 1000;
}

function lifecycle(l) {
  if (!l) return "Kept until deleted";
  const parts = [];
  if (l.MoveToColdStorageAfterDays !== undefined) parts.push(`cold after ${l.MoveToColdStorageAfterDays} d`);
  if (l.DeleteAfterDays !== undefined) parts.push(`deleted after ${l.DeleteAfterDays} d`);
  return parts.join(", ") || "Kept until deleted";
}

function lockState(v) {
  if (!v.Locked) return "Not locked";
  const range = `retention ${v.MinRetentionDays ?? "—"} to ${v.MaxRetentionDays ?? "—"} days`;
  if (v.LockDate === undefined) return `Locked, governance mode (${range})`;
  return fromSeconds(v.LockDate) > Date.now()
    ? `Locked, compliance mode from ${when(v.LockDate)} (grace period until then; ${range})`
    : `Locked, compliance mode since ${when(v.LockDate)}: immutable (${range})`;
}

// ---- vaults ------------------------------------------------------------------------------------

export async function vaultsPage(main, current) {
  main.replaceChildren(h("h1", {}, "Backup vaults"), h("p", {}, "Loading…"));
  const vaults = await backupAll("/backup-vaults/", {}, "BackupVaultList");
  if (!current()) return;
  main.replaceChildren(
    h("h1", {}, `Backup vaults (${vaults.length})`),
    h("p", {}, "AWS Backup vaults on this server's backup store, with their recovery points and Vault Lock."),
    table("vaults", ["Name", "Recovery points", "Vault Lock", "Created", "Encryption"], vaults.map((v) => h("tr", {},
      h("td", {}, h("a", { href: `#/vault/${enc(v.BackupVaultName)}` }, v.BackupVaultName)),
      h("td", { class: "num" }, String(v.NumberOfRecoveryPoints)),
      h("td", {}, lockState(v)),
      h("td", {}, when(v.CreationDate)),
      h("td", {}, v.EncryptionKeyArn || "The backup store's master key"))), "No vaults yet."),
  );
}

export async function vaultPage(main, current, name) {
  const [v, points] = await Promise.all([
    backupApi("GET", `/backup-vaults/${enc(name)}`),
    backupAll(`/backup-vaults/${enc(name)}/recovery-points/`, {}, "RecoveryPoints"),
  ]);
  if (!current()) return;
  main.replaceChildren(
    h("p", {}, h("a", { href: "#/vaults" }, "Backup vaults"), " / ", name),
    h("h1", {}, name),
    facts("vault-facts", [
      ["ARN", v.BackupVaultArn],
      ["Recovery points", String(v.NumberOfRecoveryPoints)],
      ["Vault Lock", h("span", { id: "vault-lock" }, lockState(v))],
      ["Created", when(v.CreationDate)],
    ]),
    h("h2", {}, `Recovery points (${points.length})`),
    table("recovery-points", ["Resource", "Created", "Status", "Storage class", "Size", "Lifecycle", "Moves to cold / deleted at", "Created by"],
      points.map((p) => h("tr", {},
        h("td", {}, p.ResourceName || tail(p.ResourceArn)),
        h("td", {}, when(p.CreationDate)),
        h("td", {}, p.Status, p.StatusMessage ? h("div", { class: "muted" }, p.StatusMessage) : null),
        h("td", { class: "storage-class" }, p.StorageClass),
        h("td", { class: "num" }, bytes(p.BackupSizeInBytes)),
        h("td", {}, lifecycle(p.Lifecycle)),
        h("td", {}, p.CalculatedLifecycle ? `${when(p.CalculatedLifecycle.MoveToColdStorageAt)} / ${when(p.CalculatedLifecycle.DeleteAt)}` : "—"),
        h("td", {}, p.CreatedBy && p.CreatedBy.BackupPlanId ? h("a", { href: `#/plan/${enc(p.CreatedBy.BackupPlanId)}` }, p.CreatedBy.BackupRuleName || "plan") : "on demand"))),
      "No recovery points in this vault."),
  );
}

// ---- plans -------------------------------------------------------------------------------------

export async function plansPage(main, current) {
  const plans = await backupAll("/backup/plans/", {}, "BackupPlansList");
  if (!current()) return;
  main.replaceChildren(
    h("h1", {}, `Backup plans (${plans.length})`),
    table("plans", ["Name", "ID", "Version", "Created", "Last run"], plans.map((p) => h("tr", {},
      h("td", {}, h("a", { href: `#/plan/${enc(p.BackupPlanId)}` }, p.BackupPlanName)),
      h("td", {}, p.BackupPlanId), h("td", {}, p.VersionId),
      h("td", {}, when(p.CreationDate)), h("td", {}, p.LastExecutionDate ? when(p.LastExecutionDate) : "never"))), "No backup plans yet."),
  );
}

export async function planPage(main, current, id) {
  const [p, selections] = await Promise.all([
    backupApi("GET", `/backup/plans/${enc(id)}/`, { MaxScheduledRunsPreview: 3 }),
    backupAll(`/backup/plans/${enc(id)}/selections/`, {}, "BackupSelectionsList"),
  ]);
  const details = await Promise.all(selections.map((s) => backupApi("GET", `/backup/plans/${enc(id)}/selections/${enc(s.SelectionId)}`)));
  if (!current()) return;
  const rules = p.BackupPlan.Rules || [];
  main.replaceChildren(
    h("p", {}, h("a", { href: "#/plans" }, "Backup plans"), " / ", p.BackupPlan.BackupPlanName),
    h("h1", {}, p.BackupPlan.BackupPlanName),
    facts("plan-facts", [["ID", p.BackupPlanId], ["ARN", p.BackupPlanArn], ["Version", p.VersionId], ["Created", when(p.CreationDate)],
      ["Next runs", (p.ScheduledRunsPreview || []).map((r) => when(r.ExecutionTime)).join(", ") || "—"]]),
    h("h2", {}, "Rules"),
    table("plan-rules", ["Rule", "Vault", "Schedule", "Start / completion window", "Lifecycle", "Copies"], rules.map((r) => h("tr", {},
      h("td", {}, r.RuleName),
      h("td", {}, h("a", { href: `#/vault/${enc(r.TargetBackupVaultName)}` }, r.TargetBackupVaultName)),
      h("td", {}, `${r.ScheduleExpression} ${r.ScheduleExpressionTimezone || "UTC"}`),
      h("td", {}, `${r.StartWindowMinutes} / ${r.CompletionWindowMinutes} min`),
      h("td", {}, lifecycle(r.Lifecycle)),
      h("td", {}, (r.CopyActions || []).map((c) => `${c.DestinationBackupVaultArn} (${lifecycle(c.Lifecycle)})`).join("; ") || "—"))), "No rules."),
    h("h2", {}, "Resource assignments (selections)"),
    table("plan-selections", ["Name", "IAM role", "Resources", "Excluded", "Tags and conditions"], details.map((d) => {
      const s = d.BackupSelection;
      const conds = [
        ...(s.ListOfTags || []).map((t) => `${t.ConditionKey} = ${t.ConditionValue}`),
        ...Object.entries(s.Conditions || {}).flatMap(([op, list]) => list.map((c) => `${op} ${c.ConditionKey} ${c.ConditionValue}`)),
      ];
      return h("tr", {}, h("td", {}, s.SelectionName), h("td", {}, s.IamRoleArn),
        h("td", {}, (s.Resources || []).join(", ") || "—"), h("td", {}, (s.NotResources || []).join(", ") || "—"),
        h("td", {}, conds.join("; ") || "—"));
    }), "No resources assigned to this plan."),
  );
}

// ---- jobs --------------------------------------------------------------------------------------

const JOB_KINDS = {
  backup: { label: "Backup jobs", path: "/backup-jobs/", list: "BackupJobs", state: "state", id: "BackupJobId", stateOf: (j) => j.State, resource: (j) => j.ResourceArn,
    states: ["CREATED", "PENDING", "RUNNING", "ABORTING", "ABORTED", "COMPLETED", "FAILED", "EXPIRED", "PARTIAL"] },
  copy: { label: "Copy jobs", path: "/copy-jobs/", list: "CopyJobs", state: "state", id: "CopyJobId", stateOf: (j) => j.State, resource: (j) => j.ResourceArn,
    states: ["CREATED", "RUNNING", "COMPLETED", "FAILED", "PARTIAL"] },
  restore: { label: "Restore jobs", path: "/restore-jobs/", list: "RestoreJobs", state: "status", id: "RestoreJobId", stateOf: (j) => j.Status, resource: (j) => j.SourceResourceArn,
    states: ["PENDING", "RUNNING", "COMPLETED", "ABORTED", "FAILED"] },
};

/** #/jobs?kind=backup&state=COMPLETED&after=...&before=...: the filters live in the address. */
export async function jobsPage(main, current, params) {
  const kind = JOB_KINDS[params.get("kind")] ? params.get("kind") : "backup";
  const k = JOB_KINDS[kind];
  const state = params.get("state") || "";
  const after = params.get("after") || "";
  const before = params.get("before") || "";
  const query = { [k.state]: state };
  // The inputs hold a UTC wall-clock time without a zone.
  if (after) query.createdAfter = new Date(after + "Z").toISOString();
  if (before) query.createdBefore = new Date(before + "Z").toISOString();
  const jobs = await backupAll(k.path, query, k.list);
  if (!current()) return;
  jobs.sort((a, b) => Number(b.CreationDate) - Number(a.CreationDate));
  const form = h("form", { class: "row", id: "jobs-form", onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const q = new URLSearchParams();
    for (const n of ["kind", "state", "after", "before"]) if (f.get(n)) q.set(n, String(f.get(n)));
    location.hash = "#/jobs?" + q.toString();
  } },
    field("Kind", { name: "kind", id: "jobs-kind", type: "select", options: Object.keys(JOB_KINDS), value: kind }),
    field("State", { name: "state", id: "jobs-state", type: "select", options: ["", ...k.states], value: state }),
    field("Created after (UTC)", { name: "after", id: "jobs-after", type: "datetime-local", step: 1, value: after }),
    field("Created before (UTC)", { name: "before", id: "jobs-before", type: "datetime-local", step: 1, value: before }),
    h("button", { type: "submit", id: "jobs-filter" }, "Filter"));
  main.replaceChildren(
    h("h1", {}, `${k.label} (${jobs.length})`),
    h("p", {}, h("a", { href: "#/jobs?kind=backup" }, "Backup jobs"), " · ", h("a", { href: "#/jobs?kind=copy" }, "Copy jobs"), " · ", h("a", { href: "#/jobs?kind=restore" }, "Restore jobs")),
    form,
    table("jobs", ["Job ID", "Resource", "State", "Created", "Completed", "Duration", "Size", "Message"], jobs.map((j) => h("tr", {},
      h("td", {}, j[k.id]),
      h("td", {}, tail(k.resource(j))),
      h("td", { class: "job-state" }, k.stateOf(j)),
      h("td", {}, when(j.CreationDate)),
      h("td", {}, j.CompletionDate ? when(j.CompletionDate) : "—"),
      h("td", { class: "num" }, seconds(j.CreationDate, j.CompletionDate) === null ? "—" : `${seconds(j.CreationDate, j.CompletionDate)} s`),
      h("td", { class: "num" }, bytes(j.BackupSizeInBytes)),
      h("td", {}, j.StatusMessage || (kind === "copy" ? `to ${j.DestinationBackupVaultArn}` : "—")))), "No jobs match."),
  );
}

// ---- restore testing ---------------------------------------------------------------------------

export async function restoreTestsPage(main, current) {
  const [plans, jobs] = await Promise.all([
    backupAll("/restore-testing/plans", {}, "RestoreTestingPlans", ["NextToken", "NextToken"]),
    backupAll("/restore-jobs/", {}, "RestoreJobs"),
  ]);
  const selections = await Promise.all(plans.map((p) =>
    backupAll(`/restore-testing/plans/${enc(p.RestoreTestingPlanName)}/selections`, {}, "RestoreTestingSelections", ["NextToken", "NextToken"])));
  if (!current()) return;
  // A restore test is a restore job a restore testing plan started; its RTO is the job's
  // CreationDate to CompletionDate (request to usable table), as `tidemark backup tests` reports.
  const tests = jobs.filter((j) => j.CreatedBy && j.CreatedBy.RestoreTestingPlanArn)
    .map((j) => ({ ...j, plan: j.CreatedBy.RestoreTestingPlanArn.replace(/^.*:restore-testing-plan:/, "").replace(/-[0-9a-f-]{36}$/, ""),
      rto: j.Status === "COMPLETED" ? seconds(j.CreationDate, j.CompletionDate) : null }))
    .sort((a, b) => Number(a.CreationDate) - Number(b.CreationDate));
  const names = [...new Set(tests.map((t) => t.plan))];
  main.replaceChildren(
    h("h1", {}, "Restore testing"),
    h("h2", {}, `Plans (${plans.length})`),
    table("restore-testing-plans", ["Name", "Schedule", "Start window", "Selections", "Last run"], plans.map((p, i) => h("tr", {},
      h("td", {}, p.RestoreTestingPlanName),
      h("td", {}, `${p.ScheduleExpression} ${p.ScheduleExpressionTimezone || "UTC"}`),
      h("td", {}, `${p.StartWindowHours} h`),
      h("td", {}, selections[i].map((s) => `${s.RestoreTestingSelectionName} (validation window ${s.ValidationWindowHours} h)`).join("; ") || "—"),
      h("td", {}, p.LastExecutionTime ? when(p.LastExecutionTime) : "never"))), "No restore testing plans yet."),
    h("h2", {}, `Results (${tests.length})`),
    h("p", { class: "muted" }, "RTO: from the restore job's request to a usable table, measured by the server."),
    table("restore-tests", ["Started", "Plan", "Source table", "Status", "Validation", "Deletion", "RTO"], [...tests].reverse().map((t) => h("tr", {},
      h("td", {}, when(t.CreationDate)),
      h("td", {}, t.plan),
      h("td", {}, tail(t.SourceResourceArn)),
      h("td", {}, t.Status, t.StatusMessage ? h("div", { class: "muted" }, t.StatusMessage) : null),
      h("td", {}, t.ValidationStatus || "—", t.ValidationStatusMessage ? h("div", { class: "muted" }, t.ValidationStatusMessage) : null),
      h("td", {}, t.DeletionStatus || "—"),
      h("td", { class: "num rto" }, t.rto === null ? "—" : `${t.rto} s`))), "No restore tests have run yet."),
    h("h2", {}, "RTO over time"),
    lineChart({
      id: "rto-chart",
      title: "Restore-test RTO per restore testing plan",
      unit: "s",
      format: (v) => (Math.round(v * 1000) / 1000).toString(),
      series: names.map((n) => ({ name: n, points: tests.filter((t) => t.plan === n && t.rto !== null).map((t) => [fromSeconds(t.CreationDate), t.rto]) })),
    }),
  );
}
