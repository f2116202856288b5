// `pipesheet log FILE --deal D-1042 --type call ...`: one follow-up appended to the activity log, the deal's
// follow-up cells updated. The work is in cli/log-activity.ts; this file holds the options and the printing.
import type { Command as Program } from "commander";
import { CliError } from "../errors.js";
import type { LogOptions } from "../log-activity.js";
import { todayOption } from "../options.js";
import type { Output } from "../output.js";

export async function logCommand(file: string, opts: LogOptions, io: Output): Promise<void> {
  const today = await todayOption(opts.today);
  const [{ parseSourceRef }, { logActivity }] = await Promise.all([import("../source.js"), import("../log-activity.js")]);
  const ref = parseSourceRef(file, opts.sheet ?? null);
  if (ref.kind === "gsheet") throw new CliError("BAD_ARGUMENTS", `${file}: log activities on a Google Sheet from its sidebar (pipesheet › Log activity)`);
  if (ref.kind === "csv" && opts.out !== undefined) throw new CliError("BAD_ARGUMENTS", "--out does not apply to a CSV: the activity is appended to the log beside it");
  const done = await logActivity(ref, opts, today);
  const { plan } = done;
  if (!plan.ok) throw new CliError("BAD_ARGUMENTS", plan.problems.map((p) => p.message).join(" "));
  const asked = opts.updateDeal === true;
  const notes = [...done.notes];
  if (!asked && plan.teamColumns.length > 0)
    notes.push(`left your own ${plan.teamColumns.map((t) => `"${t.header}" (${t.cell})`).join(", ")} as they are; add --update-deal to update them too`);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ logged: { dealId: plan.dealId, deal: plan.dealName, type: plan.type, sheet: plan.activitySheet, created: plan.createTab !== null }, dealCells: plan.dealCells, teamColumns: plan.teamColumns, output: done.file, notes }, null, 2)}\n`);
    return;
  }
  const lines = [`Logged a ${plan.type} on ${plan.dealId || plan.dealName}${plan.dealName && plan.dealId ? ` (${plan.dealName})` : ""} in ${done.file}${plan.createTab ? ` (new ${plan.activitySheet} tab)` : ""}.`];
  for (const n of notes) lines.push(`Note: ${n}`);
  io.stdout.write(`${lines.join("\n")}\n`);
}

export function register(program: Program, io: Output): void {
  program
    .command("log")
    .summary("log a call, email, meeting or note on a deal, with its next step")
    .description("Log one follow-up: append it to the activity log (the team's own activity tab, else pipesheet's Activities tab; beside a CSV, FILE.activities.csv) and update the deal's Next step, Next step date and Last activity.")
    .argument("<file>", "deals file: book.xlsx (set up), book.xlsx#Sheet, or deals.csv")
    .requiredOption("--deal <id>", "the Deal ID, e.g. D-1042")
    .requiredOption("--type <type>", "call, email, meeting or note (your own words for them work too)")
    .option("--note <text>", "the outcome, in a few words")
    .option("--next <text>", "the next step")
    .option("--next-date <YYYY-MM-DD>", "when the next step is due")
    .option("--by <name>", "who did it (default: the deal's owner)")
    .option("--update-deal", "also update the deal's Next step, Next step date and Last activity when those columns are your own")
    .option("--sheet <name>", "the deals sheet of an .xlsx")
    .option("--out <file>", "write the updated workbook here instead of into FILE (.xlsx only)")
    .option("--today <YYYY-MM-DD>", "the date of the activity (default: today)")
    .option("--json", "print what was logged as JSON")
    .action(async (file: string, opts: LogOptions) => {
      await logCommand(file, opts, io);
    });
}
