// The console's sections beyond tables and backups, by the first part of the address (#/vaults,
// #/vault/<name>, ...), each with the navigation entry it belongs to.
import { vaultsPage, vaultPage, plansPage, planPage, jobsPage, restoreTestsPage } from "./awsbackup.js";
import { auditPage } from "./audit.js";
import { throughputPage } from "./throughput.js";

const PAGES = {
  vaults: ["vaults", (main, current) => vaultsPage(main, current)],
  vault: ["vaults", (main, current, parts) => vaultPage(main, current, parts[1])],
  plans: ["plans", (main, current) => plansPage(main, current)],
  plan: ["plans", (main, current, parts) => planPage(main, current, parts[1])],
  jobs: ["jobs", (main, current, parts, params) => jobsPage(main, current, params)],
  "restore-tests": ["restore-tests", (main, current) => restoreTestsPage(main, current)],
  audit: ["audit", (main, current, parts, params) => auditPage(main, current, params)],
  throughput: ["throughput", (main, current) => throughputPage(main, current)],
};

/** [navigation section, page function] for an address's first part, or undefined. */
export function sectionPage(first) {
  return Object.prototype.hasOwnProperty.call(PAGES, first) ? PAGES[first] : undefined;
}
