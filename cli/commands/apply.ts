// `pipesheet apply gsheet:ID#Deals`: pipesheet on a Google Sheet through the Sheets API, no pane needed. The work
// is in cli/google/apply.ts, loaded only when the command runs.
import type { Command as Program } from "commander";
import { parseCount, parseWidth, type Output } from "./run.js";
import { EXIT_HELP, examples } from "./help.js";

export interface ApplyOptions {
  run: string;
  key?: string;
  today?: string;
  json?: boolean;
  dryRun?: boolean;
  maxProblems: number;
  width?: number;
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
      const { applyCommand } = await import("../google/apply.js");
      await applyCommand(target, cmd.optsWithGlobals<ApplyOptions>(), io);
    });
}
