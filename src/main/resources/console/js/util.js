// Small DOM, formatting and dialog helpers shared by the console's pages.

/** h("a", {href: "#"}, "text", child...): an element; null and false children are skipped. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

let fieldIds = 0;

/** A labelled input: the label wraps the control, so screen readers and clicks find it. */
export function field(label, attrs, hint) {
  const id = attrs.id || `f${++fieldIds}`;
  const control =
    attrs.type === "select"
      ? h("select", { ...attrs, type: null, id, options: null }, (attrs.options || []).map((o) =>
          h("option", { value: o, selected: o === attrs.value }, o)))
      : attrs.type === "textarea"
        ? h("textarea", { ...attrs, type: null, id, value: null }, attrs.value || "")
        : h("input", { ...attrs, id });
  return h("label", { for: id }, label, control, hint ? h("span", { class: "muted" }, hint) : null);
}

export function checkbox(label, attrs) {
  const id = attrs.id || `f${++fieldIds}`;
  return h("label", { class: "inline", for: id }, h("input", { type: "checkbox", ...attrs, id }), label);
}

export function status(message, kind) {
  const s = document.getElementById("status");
  s.replaceChildren(message ? h("p", { class: kind || "" }, message) : "");
}

export function showError(e) {
  status(`${e.type ? e.type + ": " : ""}${e.message}`, "error");
}

export function iso(millis) {
  return millis === null || millis === undefined ? "—" : new Date(millis).toISOString();
}

/** DynamoDB's timestamps are epoch seconds with a fraction. */
export function fromSeconds(s) {
  return s === undefined || s === null ? null : Math.round(Number(s) * 1000);
}

export function bytes(n) {
  if (n === undefined || n === null) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = Number(n);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** An attribute value as a person reads it. */
export function show(av) {
  if (!av) return "";
  const [type, value] = Object.entries(av)[0];
  switch (type) {
    case "S":
    case "N":
      return value;
    case "B":
      return `(binary) ${value}`;
    case "BOOL":
      return String(value);
    case "NULL":
      return "null";
    case "SS":
    case "NS":
    case "BS":
      return `{${value.join(", ")}}`;
    default:
      return JSON.stringify(value);
  }
}

export function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Attribute-level differences between two item images (null = no item). */
export function diff(before, after) {
  const out = [];
  const a = before || {};
  const b = after || {};
  for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (!(name in a)) out.push({ kind: "add", name, text: `+ ${name}: ${show(b[name])}` });
    else if (!(name in b)) out.push({ kind: "del", name, text: `- ${name}: ${show(a[name])}` });
    else if (!same(a[name], b[name]))
      out.push({ kind: "chg", name, text: `~ ${name}: ${show(a[name])} → ${show(b[name])}` });
  }
  return out;
}

/**
 * A modal dialog. `build(close)` returns its content; resolves with what close() was given.
 * <dialog> keeps keyboard focus inside and Escape closes it.
 */
export function dialog(title, build) {
  const d = document.getElementById("dialog");
  return new Promise((resolve) => {
    const close = (value) => {
      d.close();
      resolve(value);
    };
    d.replaceChildren(h("h2", { id: "dialog-title" }, title), build(close));
    d.onclose = () => resolve(undefined);
    d.showModal();
    const first = d.querySelector("input, textarea, select, button");
    if (first) first.focus();
  });
}

/**
 * The AWS console's confirmation for destroying something: the action is enabled only once the
 * resource's name has been typed.
 */
export function confirmByName(title, name, what) {
  return dialog(title, (close) => {
    const input = h("input", { type: "text", id: "confirm-name", autocomplete: "off" });
    const ok = h("button", { type: "submit", class: "danger", disabled: true, id: "confirm-ok" }, "Delete");
    input.addEventListener("input", () => (ok.disabled = input.value !== name));
    return h(
      "form",
      { class: "stack", onsubmit: (e) => (e.preventDefault(), input.value === name && close(true)) },
      h("p", {}, `${what} `, h("strong", {}, name), " will be deleted. This cannot be undone."),
      h("label", { for: "confirm-name" }, `Type ${name} to confirm`, input),
      h("div", { class: "row" }, ok, h("button", { type: "button", class: "secondary", onclick: () => close(false) }, "Cancel")),
    );
  });
}

/** Calls `step` every `everyMs` until it returns true (or throws); for a server-side status. */
export async function poll(step, everyMs = 700, maxMs = 30 * 60 * 1000) {
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    if (await step()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}
