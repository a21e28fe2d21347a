// Line charts in plain SVG for the console's pictures over time (replication lag, restore-test
// RTO): a few hundred points at most, so no charting library is shipped for them.
import { iso } from "./util.js";

const NS = "http://www.w3.org/2000/svg";
export const COLORS = ["#0b5cad", "#b3261e", "#1d6b2f", "#8a4b00", "#6b21a8", "#0e7490"];

function el(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A rounded-up axis maximum: 1, 2 or 5 times a power of ten. */
function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v);
}

/**
 * series: [{ name, points: [[timeMillis, value], ...] }]; values in `unit`. The chart's title
 * (read by screen readers) says what it shows and each series' latest value, so the picture is
 * never the only way to learn it.
 */
export function lineChart({ id, title, series, unit, format = (v) => String(v) }) {
  const W = 900, H = 260, L = 70, R = 880, T = 20, B = 210;
  const all = series.flatMap((s) => s.points);
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", id, "aria-labelledby": id + "-title" });
  const latest = series.map((s) => `${s.name}: ${s.points.length ? format(s.points.at(-1)[1]) + " " + unit : "no samples"}`).join("; ");
  svg.append(el("title", { id: id + "-title" }, `${title}. ${all.length} sample(s). Latest: ${latest}.`));
  const t0 = all.length ? Math.min(...all.map((p) => p[0])) : 0;
  const t1 = all.length ? Math.max(...all.map((p) => p[0])) : 1;
  const top = niceMax(all.length ? Math.max(...all.map((p) => p[1])) : 0);
  const x = (t) => L + ((t - t0) / Math.max(1, t1 - t0)) * (R - L);
  const y = (v) => B - (v / top) * (B - T);
  for (const f of [0, 0.5, 1]) {
    svg.append(el("line", { x1: L, x2: R, y1: y(top * f), y2: y(top * f), stroke: "#d1d5db" }));
    svg.append(el("text", { x: L - 6, y: y(top * f) + 4, "font-size": 12, "text-anchor": "end", fill: "#5f6b7a" }, `${format(top * f)} ${unit}`));
  }
  svg.append(el("text", { x: L, y: B + 18, "font-size": 12, fill: "#5f6b7a" }, all.length ? iso(t0) : ""));
  svg.append(el("text", { x: R, y: B + 18, "font-size": 12, fill: "#5f6b7a", "text-anchor": "end" }, all.length ? iso(t1) : ""));
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    if (s.points.length > 1) {
      svg.append(el("polyline", { points: s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" "), fill: "none", stroke: color, "stroke-width": 2 }));
    }
    if (s.points.length <= 60) {
      for (const [t, v] of s.points) svg.append(el("circle", { cx: x(t), cy: y(v), r: 3.5, fill: color }));
    }
    svg.append(el("rect", { x: L + i * 200, y: B + 30, width: 12, height: 12, fill: color }));
    svg.append(el("text", { x: L + i * 200 + 18, y: B + 41, "font-size": 13, fill: "#16191f" }, s.name));
  });
  if (!all.length) {
    svg.append(el("text", { x: (L + R) / 2, y: (T + B) / 2, "font-size": 14, "text-anchor": "middle", fill: "#5f6b7a" }, "No samples yet"));
  }
  return svg;
}
