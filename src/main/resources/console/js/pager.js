// Paging for the console's long lists (tables, backups): one page of the API at a time, with the
// keys of the pages before kept here so "Previous" needs no backwards paging from the server.
import { h, showError } from "./util.js";

/**
 * A pager over `fetchPage(startKey)`, which resolves to `{ rows, next }` (`next` undefined on the
 * last page). `draw(rows, controls)` renders one page; `controls` is the nav to place under it.
 */
export function pager(fetchPage, draw) {
  const starts = [undefined];
  async function show(index) {
    const { rows, next } = await fetchPage(starts[index]);
    if (next !== undefined) starts[index + 1] = next;
    else starts.length = index + 1;
    const controls = h(
      "nav",
      { class: "row pager", "aria-label": "Pages" },
      h("button", { type: "button", class: "secondary", id: "page-prev", disabled: index === 0, onclick: () => show(index - 1).catch(showError) }, "Previous page"),
      h("span", { class: "muted", id: "page-number" }, `Page ${index + 1}`),
      h("button", { type: "button", class: "secondary", id: "page-next", disabled: next === undefined, onclick: () => show(index + 1).catch(showError) }, "Next page"),
    );
    draw(rows, controls, () => show(index));
  }
  return { first: () => show(0) };
}

/**
 * Marks that a list page has drawn its rows: the page-load benchmark reads this mark's time (from
 * navigation start) in the browser's Performance API, and tests wait for the attribute.
 */
export function rendered(page) {
  performance.mark(`tidemark:rendered:${page}`);
  document.body.dataset.rendered = page;
}
