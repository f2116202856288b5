// Set-up, scoring and review on a Google Sheet through the Sheets API, with no pane open: one metadata read,
// one batchGet of deals, settings and log, core's run, then the plan in as few batchUpdate requests as the
// 2 MB guidance allows. Prints nothing: `pipesheet apply` (cli/commands/apply.ts) prints the result.
import { quoteSheet, run, TAB_ACTIVITIES, TAB_LOG, TAB_SETTINGS, type Command, type Grid, type PipelineMetrics, type RunResult } from "../../core/index.js";
import { CliError } from "../errors.js";
import { VERSION } from "../version.js";
import type { Credentials } from "./auth.js";
import { dealsTab, SheetsClient, tabNamed, type ClientOptions, type SheetMeta } from "./client.js";
import { packBodies, planRequests, type Body } from "./plan-requests.js";

export interface ApplyToSheet {
  /** The spreadsheet and, when given after #, the deals tab. */
  id: string;
  sheet: string | null;
  command: Command;
  today: string;
  dryRun: boolean;
  onRetry?: ClientOptions["onRetry"];
}

export interface ApplyResult {
  plan: RunResult & { metrics: PipelineMetrics };
  bodies: Body[];
  /** Requests sent, the reads included. */
  requests: number;
  /** The deals tab's title as the spreadsheet spells it. */
  tab: string;
}

export async function applyToSheet(job: ApplyToSheet, creds: Credentials): Promise<ApplyResult> {
  const client = new SheetsClient(job.id, creds, job.onRetry ? { onRetry: job.onRetry } : {});
  const meta = await client.meta();
  const byName = (name: string): SheetMeta | undefined => tabNamed(meta, name);
  const deals = dealsTab(meta, job.sheet);
  if (!deals)
    throw new CliError(
      "NO_DEALS_SHEET",
      job.sheet ? `no tab "${job.sheet}" in spreadsheet ${job.id} (tabs: ${meta.sheets.map((s) => s.title).join(", ")})` : `spreadsheet ${job.id} has no deals tab`,
      4,
    );
  const settingsTab = byName(TAB_SETTINGS);
  const logTab = byName(TAB_LOG);
  // A tab called Activities is read too: the team's activity log, or pipesheet's, possibly left empty by a cut run.
  const activitiesTab = deals.title.toLowerCase() === TAB_ACTIVITIES.toLowerCase() ? undefined : byName(TAB_ACTIVITIES);
  const tabs = [deals, settingsTab, logTab, activitiesTab].filter((s): s is SheetMeta => s !== undefined);
  const got = await client.read(tabs.map((s) => quoteSheet(s.title)), { values: "UNFORMATTED_VALUE", dates: "SERIAL_NUMBER" });
  const gridOf = (tab: SheetMeta | undefined): Grid | null => (tab ? (got[tabs.indexOf(tab)] ?? []) : null);
  const settings = gridOf(settingsTab);
  const log = gridOf(logTab);
  const activities = gridOf(activitiesTab);
  const plan = run(
    { sheetName: deals.title, deals: got[0] ?? [], settings, log, sheetNames: meta.sheets.map((s) => s.title), activities: activitiesTab && activities ? { sheet: activitiesTab.title, values: activities } : null },
    { command: job.command, today: job.today, version: VERSION },
  );
  const { metrics } = plan;
  if (metrics === null) {
    const why = plan.problems.find((p) => p.code === "NO_HEADER")?.message ?? plan.summary.headline;
    throw new CliError("NO_DEALS_SHEET", `no deals found on "${deals.title}": ${why}`, 4);
  }
  const bodies = packBodies(planRequests(plan, { meta, deals }, client.limit), client.limit);
  if (!job.dryRun)
    for (const [i, body] of bodies.entries())
      await client.batchUpdate(body.requests, body.retryable, `write pipesheet's changes (part ${i + 1} of ${bodies.length})`);
  return { plan: { ...plan, metrics }, bodies, requests: client.requests, tab: deals.title };
}
