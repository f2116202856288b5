// `pipesheet apply gsheet:ID#Deals`: set-up, scoring and review on a Google Sheet through the Sheets API, with
// no pane open: one metadata read, one batchGet of deals, settings and log, core's run, then the plan in as
// few batchUpdate requests as the 2 MB guidance allows.
import { dayFromIso, run, type Command, type RunResult } from "../../core/index.js";
import { renderReviewText } from "../../core/index.js";
import { TAB_ACTIVITIES, TAB_LOG, TAB_REVIEW, TAB_SETTINGS, type Grid } from "../../core/index.js";
import type { ApplyOptions } from "../commands/apply.js";
import { localToday, wrap, type Output } from "../commands/run.js";
import { CliError } from "../errors.js";
import { emitJson, outputWidth, terminalMessage, terminalProblems } from "../output.js";
import { VERSION } from "../version.js";
import { lazyCredentials, retryNote } from "../merge/command.js";
import { parseSourceRef } from "../source.js";
import { quoteSheet, SheetsClient, type SheetMeta } from "./client.js";
import { packBodies, planRequests, type Body } from "./plan-requests.js";

export interface ApplyResult {
  plan: RunResult;
  bodies: Body[];
  requests: number;
}

const OWN = new Set([TAB_REVIEW, TAB_SETTINGS, TAB_LOG].map((t) => t.toLowerCase()));
const COMMANDS: Command[] = ["setup", "score", "review"];

export async function applyCommand(target: string, opts: ApplyOptions, io: Output): Promise<ApplyResult> {
  const ref = parseSourceRef(target);
  if (ref.kind !== "gsheet") throw new CliError("BAD_ARGUMENTS", `apply works on a Google Sheet (gsheet:SPREADSHEET_ID#Deals); for ${target} use \`pipesheet ${opts.run} ${target}\``);
  const command = opts.run as Command;
  if (!COMMANDS.includes(command)) throw new CliError("BAD_ARGUMENTS", `--run ${opts.run}: say setup, score or review`);
  const today = opts.today ?? localToday();
  if (dayFromIso(today) === null) throw new CliError("BAD_ARGUMENTS", `--today ${today}: give a real date as YYYY-MM-DD, such as 2026-11-26`);

  const creds = await lazyCredentials(opts.key, io)();
  const client = new SheetsClient(ref.id, creds, { onRetry: retryNote(io) });
  const meta = await client.meta();
  const byName = (name: string): SheetMeta | undefined => meta.sheets.find((s) => s.title.toLowerCase() === name.toLowerCase());
  const deals = ref.sheet ? byName(ref.sheet) : meta.sheets.find((s) => !s.hidden && !OWN.has(s.title.toLowerCase()));
  if (!deals)
    throw new CliError(
      "NO_DEALS_SHEET",
      ref.sheet ? `no tab "${ref.sheet}" in spreadsheet ${ref.id} (tabs: ${meta.sheets.map((s) => s.title).join(", ")})` : `spreadsheet ${ref.id} has no deals tab`,
      4,
    );
  const settingsTab = byName(TAB_SETTINGS);
  const logTab = byName(TAB_LOG);
  // A tab called Activities is read too: the team's activity log, or pipesheet's, possibly left empty by a cut run.
  const activitiesTab = deals.title.toLowerCase() === TAB_ACTIVITIES.toLowerCase() ? undefined : byName(TAB_ACTIVITIES);
  const tabs = [deals, settingsTab, logTab, activitiesTab].filter((s): s is SheetMeta => s !== undefined);
  const got = await client.read(tabs.map((s) => quoteSheet(s.title)), { values: "UNFORMATTED_VALUE", dates: "SERIAL_NUMBER" });
  const gridOf = (tab: SheetMeta | undefined): Grid | null => (tab ? ((got[tabs.indexOf(tab)] ?? []) as Grid) : null);
  const settings = gridOf(settingsTab);
  const log = gridOf(logTab);
  const activities = gridOf(activitiesTab);
  const plan = run(
    { sheetName: deals.title, deals: (got[0] ?? []) as Grid, settings, log, sheetNames: meta.sheets.map((s) => s.title), activities: activitiesTab && activities ? { sheet: activitiesTab.title, values: activities } : null },
    { command, today, version: VERSION },
  );
  if (plan.metrics === null) {
    const why = plan.problems.find((p) => p.code === "NO_HEADER")?.message ?? plan.summary.headline;
    throw new CliError("NO_DEALS_SHEET", `no deals found on "${deals.title}": ${why}`, 4);
  }
  const bodies = packBodies(planRequests(plan, { meta, deals }, client.limit), client.limit);
  if (!opts.dryRun)
    for (const [i, body] of bodies.entries())
      await client.batchUpdate(body.requests, body.retryable, `write pipesheet's changes (part ${i + 1} of ${bodies.length})`);

  if (opts.json) {
    const { summary, problems, metrics } = plan;
    emitJson(io, { summary, problems, metrics, requests: client.requests, batchUpdates: bodies.length, dryRun: Boolean(opts.dryRun) }, true);
  } else {
    const width = outputWidth(io.stdout, opts.width);
    const text = command === "review" ? renderReviewText(plan.metrics, terminalProblems(plan.problems), { width, maxProblems: opts.maxProblems }).replace(/\n+$/, "") : "";
    const lines = text ? [text, ""] : [];
    if (command !== "review") {
      for (const p of plan.problems.slice(0, opts.maxProblems)) lines.push(...wrap(`  ${p.sheet}!${p.cell}  ${terminalMessage(p.message)}`, width, "    "));
      if (plan.problems.length > opts.maxProblems) lines.push(`  … and ${plan.problems.length - opts.maxProblems} more problems`);
      if (plan.problems.length > 0) lines.push("");
    }
    lines.push(...wrap(plan.summary.headline, width, ""));
    lines.push(
      ...wrap(
        opts.dryRun
          ? `Dry run: would send ${bodies.length} batchUpdate request${bodies.length === 1 ? "" : "s"} to gsheet:${ref.id}#${deals.title}; nothing written.`
          : `Applied to gsheet:${ref.id}#${deals.title} in ${client.requests} request${client.requests === 1 ? "" : "s"} (${bodies.length} batchUpdate).`,
        width,
        "  ",
      ),
    );
    io.stdout.write(`${lines.join("\n")}\n`);
  }
  return { plan, bodies, requests: client.requests };
}

