// Line charts over time (replication lag and backlog, restore-test RTO, throughput and latency),
// drawn by uPlot, which the jar ships (a webjar served under /console/vendor/): the console works
// offline and loads nothing from elsewhere.
import uPlot from "../vendor/uplot.js";

export const COLORS = ["#0b5cad", "#b3261e", "#1d6b2f", "#8a4b00", "#6b21a8", "#0e7490"];

/** The width the chart can take where it will be shown: the main column, at most 900 px. */
function chartWidth() {
  const main = document.querySelector("main");
  const room = main && main.clientWidth ? main.clientWidth - 32 : 900;
  return Math.max(260, Math.min(900, room));
}

/**
 * series: [{ name, points: [[timeMillis, value], ...] }]; values in `unit`. The figure's caption
 * says what it shows and each series' latest value (screen readers read it, and it is the text a
 * test can check), so the picture is never the only way to learn it; `data-samples` counts the
 * points drawn.
 */
export function lineChart({ id, title, series, unit, format = (v) => String(v) }) {
  const all = series.flatMap((s) => s.points);
  const figure = document.createElement("figure");
  figure.className = "chart";
  figure.id = id;
  figure.setAttribute("role", "img");
  figure.setAttribute("aria-labelledby", id + "-title");
  figure.dataset.samples = String(all.length);
  const latest = series
    .map((s) => `${s.name}: ${s.points.length ? format(s.points.at(-1)[1]) + " " + unit : "no samples"}`)
    .join("; ");
  const caption = document.createElement("figcaption");
  caption.id = id + "-title";
  caption.textContent = `${title}. ${all.length} sample(s). Latest: ${latest}.`;
  figure.append(caption);
  if (!all.length) {
    const none = document.createElement("p");
    none.className = "muted";
    none.textContent = "No samples yet";
    figure.append(none);
    return figure;
  }
  // uPlot takes columns over one x axis (seconds): the union of every series' times, each series
  // null where it has no sample at that time.
  const times = [...new Set(all.map((p) => p[0]))].sort((a, b) => a - b);
  const columns = series.map((s) => {
    const at = new Map(s.points.map(([t, v]) => [t, v]));
    return times.map((t) => (at.has(t) ? at.get(t) : null));
  });
  const label = (v) => (v == null ? "–" : `${format(v)} ${unit}`.trim());
  const options = {
    width: chartWidth(),
    height: 240,
    // One sample would otherwise get an axis of years around it: show a minute either side.
    scales: { x: { time: true, range: (u, min, max) => (min === max ? [min - 60, max + 60] : [min, max]) }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    series: [
      { label: "time" },
      ...series.map((s, i) => ({
        label: s.name,
        stroke: COLORS[i % COLORS.length],
        width: 2,
        spanGaps: true,
        points: { show: s.points.length <= 60, size: 6 },
        value: (u, v) => label(v),
      })),
    ],
    axes: [{}, { size: 80, values: (u, ticks) => ticks.map((v) => label(v)) }],
  };
  new uPlot(options, [times.map((t) => t / 1000), ...columns], figure);
  return figure;
}
