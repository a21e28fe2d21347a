// The console: a hash-routed single-page app. Every action is the DynamoDB (or Tidemark) API call
// it names, signed with the signed-in key, so the server's gate decides exactly as for any client.
import { loadSettings, credentials, signIn, signOut } from "./api.js";
import { h, field, status, showError } from "./util.js";
import { tablesPage } from "./tables.js";
import { tablePage } from "./table.js";
import { backupsPage } from "./backups.js";
import { sectionPage } from "./pages.js";

const main = document.getElementById("main");
let renders = 0;

/** Each render gets a ticket; a page still loading checks it before drawing over a newer one. */
export function ticket() {
  const mine = renders;
  return () => mine === renders;
}

function setNav(section) {
  for (const a of document.querySelectorAll(".top nav a")) {
    const id = a.id;
    if (id === "nav-" + section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

function signInPage() {
  setNav(null);
  const form = h(
    "form",
    {
      class: "stack",
      id: "sign-in",
      onsubmit: (e) => {
        e.preventDefault();
        const f = new FormData(form);
        signIn({
          accessKeyId: String(f.get("accessKeyId")).trim(),
          secretAccessKey: String(f.get("secretAccessKey")).trim(),
          sessionToken: String(f.get("sessionToken") || "").trim() || undefined,
        });
        location.hash = "#/tables";
        route();
      },
    },
    field("Access key ID", { name: "accessKeyId", required: true, autocomplete: "username" }),
    field("Secret access key", { name: "secretAccessKey", type: "password", required: true, autocomplete: "current-password" }),
    field("Session token (temporary credentials only)", { name: "sessionToken", type: "password" }),
    h("div", {}, h("button", { type: "submit" }, "Sign in")),
  );
  main.replaceChildren(
    h("h1", {}, "Sign in"),
    h("p", {}, "This server checks every request against IAM policies. The console signs each request with your key; the key stays in this browser tab (sessionStorage) and is never sent to the server."),
    form,
  );
}

async function route() {
  renders++;
  status("");
  const s = await loadSettings();
  const c = credentials();
  const who = document.getElementById("who");
  const out = document.getElementById("sign-out");
  who.textContent = s.auth === "iam" ? (c ? `Signed in as ${c.accessKeyId}` : "") : `Open mode (any credentials), region ${s.region}`;
  out.hidden = !(s.auth === "iam" && c);
  if (!c) {
    signInPage();
    return;
  }
  // #/table/<name>/<tab>?key=...: the query is the page's parameters, never part of the path.
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  const parts = (path || "tables").split("/").map(decodeURIComponent);
  try {
    if (parts[0] === "backups") {
      setNav("backups");
      await backupsPage(main, ticket());
    } else if (sectionPage(parts[0])) {
      const [section, page] = sectionPage(parts[0]);
      setNav(section);
      await page(main, ticket(), parts, new URLSearchParams(query || ""));
    } else if (parts[0] === "table" && parts[1]) {
      setNav("tables");
      await tablePage(main, ticket(), parts[1], parts[2] || "overview", new URLSearchParams(query || ""));
    } else {
      setNav("tables");
      await tablesPage(main, ticket());
    }
  } catch (e) {
    showError(e);
  }
  main.focus({ preventScroll: true });
}

document.getElementById("sign-out").addEventListener("click", () => {
  signOut();
  location.hash = "#/tables";
  route();
});
window.addEventListener("hashchange", route);
route();
