// The PITR window as a picture: earliest and latest restorable instants, the base snapshots a
// restore starts from, and how far the archive trails the server's clock. Plain SVG.
import { iso } from "./util.js";

const NS = "http://www.w3.org/2000/svg";

function el(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

export function timeline(w) {
  const W = 900, H = 120, L = 20, R = 880;
  const start = w.EarliestRestorableMillis;
  const end = w.NowMillis;
  const span = Math.max(1, end - start);
  const x = (t) => L + ((Math.min(Math.max(t, start), end) - start) / span) * (R - L);
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "timeline", role: "img", id: "pitr-timeline", "aria-labelledby": "pitr-timeline-title" });
  svg.append(el("title", { id: "pitr-timeline-title" },
    `Restorable from ${iso(start)} to ${iso(w.LatestRestorableMillis)}; archive ${w.ArchiveLagMillis} ms behind now; ${w.BaseSnapshots.length} base snapshot(s).`));
  svg.append(el("rect", { x: L, y: 40, width: R - L, height: 24, fill: "#e5e7eb" }));
  svg.append(el("rect", { x: L, y: 40, width: Math.max(1, x(w.LatestRestorableMillis) - L), height: 24, fill: "#0b5cad" }));
  for (const b of w.BaseSnapshots) {
    svg.append(el("line", { x1: x(b.TimeMillis), x2: x(b.TimeMillis), y1: 34, y2: 70, stroke: "#f59e0b", "stroke-width": 3 }));
  }
  svg.append(el("line", { x1: R, x2: R, y1: 30, y2: 74, stroke: "#b3261e", "stroke-width": 2 }));
  svg.append(el("text", { x: L, y: 24, "font-size": 13, fill: "#16191f" }, `earliest ${iso(start)}`));
  svg.append(el("text", { x: R, y: 24, "font-size": 13, fill: "#b3261e", "text-anchor": "end" }, `now ${iso(end)}`));
  svg.append(el("text", { x: L, y: 92, "font-size": 13, fill: "#0b5cad" }, `latest restorable ${iso(w.LatestRestorableMillis)} (lag ${w.ArchiveLagMillis} ms)`));
  svg.append(el("text", { x: L, y: 112, "font-size": 12, fill: "#8a4b00" }, `orange: base snapshots (${w.BaseSnapshots.length})`));
  return svg;
}
