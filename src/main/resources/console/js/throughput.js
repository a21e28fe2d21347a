// Throughput and latency per operation, drawn from the server's own /metrics (Prometheus text,
// unsigned and naming no table), sampled by this page every few seconds while it is open: the
// request rate and the mean latency of each interval, from tidemark_requests_seconds' count and sum.
import { h } from "./util.js";
import { lineChart } from "./charts.js";

const SAMPLE_MS = 3000;
const KEEP_MS = 60 * 60 * 1000;
const SHOWN = 5;
const LINE = /^tidemark_requests_seconds_(count|sum)\{([^}]*)\} ([0-9.eE+-]+|NaN)$/;

/** {operation: {count, sum}} from one scrape. */
export function parseRequests(text) {
  const out = {};
  for (const line of text.split("\n")) {
    const m = LINE.exec(line.trim());
    if (!m) continue;
    const op = /operation="([^"]*)"/.exec(m[2]);
    if (!op) continue;
    const o = (out[op[1]] = out[op[1]] || { count: 0, sum: 0 });
    o[m[1]] += Number(m[3]);
  }
  return out;
}

const scrapes = [];

export async function throughputPage(main, current) {
  const err = h("p", { class: "error", id: "throughput-error", role: "alert", hidden: true });
  const charts = h("div", { id: "throughput-charts" });
  main.replaceChildren(
    h("h1", {}, "Throughput and latency"),
    h("p", {}, `Requests per second and mean latency per operation (all APIs, the ${SHOWN} busiest), from this server's /metrics, sampled by this page every ${SAMPLE_MS / 1000} s while it is open (the last hour at most). /metrics has the full histograms for a monitoring system.`),
    err, charts,
  );
  async function sample() {
    try {
      const r = await fetch("/metrics", { cache: "no-store" });
      if (!r.ok) throw new Error(`/metrics answered ${r.status}`);
      scrapes.push({ at: Date.now(), ops: parseRequests(await r.text()) });
      while (scrapes.length && scrapes.at(-1).at - scrapes[0].at > KEEP_MS) scrapes.shift();
      err.hidden = true;
    } catch (e) {
      err.textContent = `The server's metrics could not be read: ${e.message}`;
      err.hidden = false;
    }
    if (!current()) return false;
    draw();
    return true;
  }
  function draw() {
    // Each interval between two scrapes: its request count over its length, and its mean latency.
    const intervals = scrapes.slice(1).map((s, i) => ({ at: s.at, seconds: (s.at - scrapes[i].at) / 1000, now: s.ops, before: scrapes[i].ops }));
    const totals = {};
    for (const iv of intervals) {
      for (const [op, v] of Object.entries(iv.now)) totals[op] = (totals[op] || 0) + Math.max(0, v.count - ((iv.before[op] || {}).count || 0));
    }
    const busiest = Object.entries(totals).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).slice(0, SHOWN).map(([op]) => op);
    const delta = (iv, op, f) => Math.max(0, (iv.now[op] || { [f]: 0 })[f] - ((iv.before[op] || {})[f] || 0));
    charts.replaceChildren(
      lineChart({
        id: "throughput-chart",
        title: "Requests per second per operation",
        unit: "req/s",
        format: (v) => (Math.round(v * 10) / 10).toString(),
        series: busiest.map((op) => ({ name: op, points: intervals.map((iv) => [iv.at, delta(iv, op, "count") / iv.seconds]) })),
      }),
      lineChart({
        id: "latency-chart",
        title: "Mean latency per operation",
        unit: "ms",
        format: (v) => (Math.round(v * 100) / 100).toString(),
        series: busiest.map((op) => ({ name: op, points: intervals.filter((iv) => delta(iv, op, "count") > 0)
          .map((iv) => [iv.at, (delta(iv, op, "sum") / delta(iv, op, "count")) * 1000]) })),
      }),
    );
  }
  if (await sample()) {
    const timer = setInterval(async () => {
      if (!current() || !(await sample())) clearInterval(timer);
    }, SAMPLE_MS);
  }
}
