// A table's Replicas tab: its replicas in other regions (created and deleted with UpdateTable's
// ReplicaUpdates, as the DynamoDB console does), their status and fill progress from DescribeTable,
// and the replication state the server keeps (Tidemark's DescribeReplicas), sampled every few
// seconds while the tab is open and drawn over time; the lag chart draws the last hour the server
// keeps.
import { dynamo, tidemark } from "./api.js";
import { h, field, status, showError, iso, confirmByName } from "./util.js";
import { lineChart } from "./charts.js";

const SAMPLE_MS = 3000;
const KEEP_MS = 60 * 60 * 1000;
/** Samples per table, kept while the page is open (this tab's memory only). */
const samples = new Map();

function remember(name, r) {
  const list = samples.get(name) || [];
  list.push(r);
  while (list.length && r.NowMillis - list[0].NowMillis > KEEP_MS) list.shift();
  samples.set(name, list);
  return list;
}

export async function replicas(body, t, current) {
  const name = t.TableName;
  const err = h("p", { class: "error", id: "replicas-error", role: "alert", hidden: true });
  const list = h("div", { id: "replica-list" });
  const chart = h("div", { id: "replica-lag" });
  const formBox = h("div", { id: "replica-create" });
  body.replaceChildren(
    h("h2", { id: "tab-title" }, "Replicas"),
    h("p", {}, "Replicas of this table in other regions (global table, version 2019.11.21). Writes go both ways; each region's status and how far replication trails come from this server."),
    err, list, formBox,
    h("h2", {}, "Replication over time"),
    h("p", { class: "muted" }, `The lag of the writes each region sent here, measured when applied here: the server keeps the last hour in 10 s buckets (maximum and mean of each), so it is drawn from when the tab opens. The change-log positions not yet shipped to each region are sampled by this page every ${SAMPLE_MS / 1000} s while it is open.`),
    chart,
  );
  let last = null;
  async function sample() {
    let table = t;
    let r = null;
    try {
      [table, r] = await Promise.all([
        dynamo("DescribeTable", { TableName: name }).then((x) => x.Table),
        tidemark("DescribeReplicas", { TableName: name }),
      ]);
      err.hidden = true;
    } catch (e) {
      err.textContent = `The replication state could not be read: ${e.type ? e.type + ": " : ""}${e.message}`;
      err.hidden = false;
    }
    if (!current()) return false;
    draw(table, r);
    return true;
  }
  function draw(table, r) {
    const described = table.Replicas || [];
    const kept = new Map(((r && r.Replicas) || []).map((x) => [x.RegionName, x]));
    list.replaceChildren(described.length === 0
      ? h("p", { id: "no-replicas" }, "No replicas: this table lives in this region only.")
      : h("div", { class: "scroll" }, h("table", { id: "replicas-table" },
        h("thead", {}, h("tr", {}, ["Region", "Status", "Peer", "Not yet shipped", "Lag to this region (p50 / p99 / max)", "Actions"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, described.map((d) => {
          const k = kept.get(d.RegionName) || {};
          const lag = k.LagToThisRegion;
          const progress = d.ReplicaStatusPercentProgress ? ` (${d.ReplicaStatusPercentProgress}%)` : k.FillPercent !== undefined ? ` (${k.FillPercent}%)` : "";
          return h("tr", {},
            h("td", {}, d.RegionName),
            h("td", { class: "replica-status" }, d.ReplicaStatus + progress, d.ReplicaStatusDescription ? h("div", { class: "muted" }, d.ReplicaStatusDescription) : null),
            h("td", {}, k.PeerReachable === undefined ? "—" : k.PeerReachable ? (k.Paused ? "reachable, paused" : "reachable") : `unreachable${k.LastError ? ": " + k.LastError : ""}`,
              k.LastContactMillis ? h("div", { class: "muted" }, `last contact ${iso(k.LastContactMillis)}`) : null),
            h("td", { class: "num" }, k.PendingChangeLogPositions === undefined ? "—" : `${k.PendingChangeLogPositions} positions`),
            h("td", { class: "num" }, lag && lag.Samples > 0 ? `${lag.P50Millis} / ${lag.P99Millis} / ${lag.MaxMillis} ms (${lag.Samples} records)` : "no writes received yet"),
            h("td", {}, h("button", { type: "button", class: "link", "aria-label": `Delete replica ${d.RegionName}`, onclick: () => remove(d.RegionName) }, "Delete")));
        })))));
    const peers = (r && r.PeerRegions) || [];
    const free = peers.filter((p) => !described.some((d) => d.RegionName === p));
    const key = JSON.stringify([peers, free]);
    if (key !== last) {
      last = key;
      formBox.replaceChildren(createForm(peers, free));
    }
    if (r) {
      const history = remember(name, r);
      const regions = [...new Set(history.flatMap((s) => s.Replicas.map((x) => x.RegionName)))];
      chart.replaceChildren(
        lineChart({
          id: "replication-lag-chart",
          title: `Replication lag to ${r.RegionName || "this region"} from each replica region, last hour (kept by the server)`,
          unit: "ms",
          series: r.Replicas.filter((x) => x.LagToThisRegion).flatMap((x) => [
            { name: `max from ${x.RegionName}`, points: (x.LagToThisRegion.LastHour || []).map((b) => [b.StartMillis, b.MaxMillis]) },
            { name: `mean from ${x.RegionName}`, points: (x.LagToThisRegion.LastHour || []).map((b) => [b.StartMillis, b.MeanMillis]) },
          ]),
        }),
        lineChart({
          id: "replication-pending-chart",
          title: "Change-log positions not yet shipped to each replica region",
          unit: "",
          series: regions.map((g) => ({ name: `to ${g}`, points: history.flatMap((s) => s.Replicas.filter((x) => x.RegionName === g).map((x) => [s.NowMillis, x.PendingChangeLogPositions])) })),
        }),
      );
    }
  }
  function createForm(peers, free) {
    if (peers.length === 0) {
      return h("p", { id: "replica-no-peers" }, "This server has no peer regions (started without --peer), so no replica can be created here.");
    }
    if (free.length === 0) {
      return h("p", {}, "Every peer region already holds a replica.");
    }
    const form = h("form", { class: "stack", id: "replica-form", onsubmit: async (e) => {
      e.preventDefault();
      const f = new FormData(form);
      const region = String(f.get("region"));
      const req = { TableName: name, ReplicaUpdates: [{ Create: { RegionName: region } }] };
      if (f.get("consistency") === "STRONG") req.MultiRegionConsistency = "STRONG";
      try {
        await dynamo("UpdateTable", req);
        status(`Replica in ${region} is being created.`, "ok");
        await sample();
      } catch (err2) {
        showError(err2);
      }
    } },
      h("fieldset", {}, h("legend", {}, "Create replica"),
        field("Region", { name: "region", id: "replica-region", type: "select", options: free, value: free[0] }),
        field("Consistency", { name: "consistency", id: "replica-consistency", type: "select", options: ["EVENTUAL", "STRONG"], value: "EVENTUAL" },
          "EVENTUAL: each region accepts writes and replicates them asynchronously. STRONG: reads and writes agree across regions (needs three regions)."),
        h("div", {}, h("button", { type: "submit", id: "replica-create-submit" }, "Create replica"))));
    return form;
  }
  async function remove(region) {
    if (!(await confirmByName(`Delete replica in ${region}`, region, `The replica of ${name} in`))) return;
    try {
      await dynamo("UpdateTable", { TableName: name, ReplicaUpdates: [{ Delete: { RegionName: region } }] });
      status(`Replica in ${region} is being deleted.`, "ok");
      await sample();
    } catch (e) {
      showError(e);
    }
  }
  // Sampling runs until the person leaves the tab (the page's ticket says so).
  if (await sample()) {
    const timer = setInterval(async () => {
      if (!current() || !(await sample())) clearInterval(timer);
    }, SAMPLE_MS);
  }
}
