// `pipesheet apply gsheet:ID#Deals`: pipesheet on a Google Sheet through the Sheets API, no pane needed. The work
// is in cli/google/apply.ts, loaded only when the command runs; this file holds the options and the printing.
import type { Command as Program } from "commander";
import type { Command } from "../../core/index.js";
import { CliError } from "../errors.js";
import { EXIT_HELP, examples } from "../help.js";
import { parseCount, parseWidth, todayOption } from "../options.js";
import { emitJson, outputWidth, terminalMessage, terminalProblems, type Output } from "../output.js";
import type { ApplyResult } from "../google/apply.js";

export interface ApplyOptions {
  run: string;
  key?: string;
  today?: string;
  json?: boolean;
  dryRun?: boolean;
  maxProblems: number;
  width?: number;
}

const COMMANDS: readonly string[] = ["setup", "score", "review"] satisfies Command[];
const isCommand = (s: string): s is Command => COMMANDS.includes(s);

async function apply(target: string, opts: ApplyOptions, io: Output): Promise<ApplyResult> {
  const [{ parseSourceRef }, { applyToSheet }, { lazyCredentials }, { retryLine }] = await Promise.all([
    import("../source.js"),
    import("../google/apply.js"),
    import("../google/credentials.js"),
    import("../google/retry.js"),
  ]);
  const ref = parseSourceRef(target);
  if (ref.kind !== "gsheet") throw new CliError("BAD_ARGUMENTS", `apply works on a Google Sheet (gsheet:SPREADSHEET_ID#Deals); for ${target} use \`pipesheet ${opts.run} ${target}\``);
  const command = opts.run;
  if (!isCommand(command)) throw new CliError("BAD_ARGUMENTS", `--run ${opts.run}: say setup, score or review`);
  const today = await todayOption(opts.today);
  const creds = await lazyCredentials(opts.key, (line) => io.stderr.write(`${line}\n`))();
  const r = await applyToSheet({ id: ref.id, sheet: ref.sheet, command, today, dryRun: Boolean(opts.dryRun), onRetry: (...a) => io.stderr.write(retryLine(...a)) }, creds);
  await print(r, ref.id, command, opts, io);
  return r;
}

async function print(r: ApplyResult, id: string, command: Command, opts: ApplyOptions, io: Output): Promise<void> {
  const { plan, bodies, requests } = r;
  if (opts.json) {
    const { summary, problems, metrics } = plan;
    emitJson(io, { summary, problems, metrics, requests, batchUpdates: bodies.length, dryRun: Boolean(opts.dryRun) }, true);
    return;
  }
  const { renderReviewText, wrap } = await import("../review-text.js");
  const width = outputWidth(io.stdout, opts.width);
  const text = command === "review" ? renderReviewText(plan.metrics, terminalProblems(plan.problems), { width, maxProblems: opts.maxProblems }).replace(/\n+$/, "") : "";
  const lines = text ? [text, ""] : [];
  if (command !== "review") {
    for (const p of plan.problems.slice(0, opts.maxProblems)) lines.push(...wrap(`  ${p.sheet}!${p.cell}  ${terminalMessage(p.message)}`, width, "", "    ", false));
    if (plan.problems.length > opts.maxProblems) lines.push(`  … and ${plan.problems.length - opts.maxProblems} more problems`);
    if (plan.problems.length > 0) lines.push("");
  }
  lines.push(...wrap(plan.summary.headline, width, "", "", false));
  lines.push(
    ...wrap(
      opts.dryRun
        ? `Dry run: would send ${bodies.length} batchUpdate request${bodies.length === 1 ? "" : "s"} to gsheet:${id}#${r.tab}; nothing written.`
        : `Applied to gsheet:${id}#${r.tab} in ${requests} request${requests === 1 ? "" : "s"} (${bodies.length} batchUpdate).`,
      width,
      "",
      "  ",
      false,
    ),
  );
  io.stdout.write(`${lines.join("\n")}\n`);
}

export function register(program: Program, io: Output): void {
  program
    .command("apply")
    .summary("set up, score or review a Google Sheet through the Sheets API, no pane needed (e.g. a nightly job)")
    .description(
      "Run pipesheet on a Google Sheet headlessly: pipesheet's columns, highlighting, drop-downs, the Pipeline Review tab with its chart, the settings tab and the log, written in as few requests as possible.",
    )
    .argument("<target>", "gsheet:SPREADSHEET_ID#Deals (the tab after #; default: the first tab that is not pipesheet's)")
    .option("--run <command>", "setup, score or review", "review")
    .option("--key <file>", "Google service-account key file (default: GOOGLE_APPLICATION_CREDENTIALS, else your `pipesheet login`)")
    .option("--today <YYYY-MM-DD>", "the date to work as of (default: today)")
    .option("--dry-run", "read and plan, send nothing")
    .option("--json", "print the summary, problems and metrics as one JSON document only")
    .option("--max-problems <n>", "problems to list before '… and N more'", parseCount, 10)
    .option("--width <n>", "wrap the review at N columns (default: the terminal's width, else 80)", parseWidth)
    .addHelpText(
      "after",
      `${examples([
        ["pipesheet apply gsheet:1AbC…#Deals", "the review tab, columns and highlighting on a Google Sheet"],
        ["pipesheet apply gsheet:1AbC…#Deals --run setup --key key.json", "first set-up, as a service account"],
        ["pipesheet apply gsheet:1AbC…#Deals --dry-run --json", "read and plan only; the plan's figures as JSON"],
      ])}${EXIT_HELP.apply}`,
    )
    .action(async (target: string, _opts: ApplyOptions, cmd: Program) => {
      await apply(target, cmd.optsWithGlobals<ApplyOptions>(), io);
    });
}
