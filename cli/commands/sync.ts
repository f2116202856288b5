// `pipesheet pull|push|sync A B`: one-way and two-way sync by Deal ID: the options the three share and the
// printing. The work is in cli/merge/command.ts, loaded only when one of these commands runs (the Google client
// takes a while to load).
import type { Command as Program } from "commander";
import { CliError } from "../errors.js";
import { EXIT_HELP, examples } from "../help.js";
import { countOption, todayOption } from "../options.js";
import { emitJson, type Output } from "../output.js";
import { SYNC_EXIT } from "../google/errors.js";
import type { SyncCommand } from "../merge/command.js";
import type { SyncReport } from "../merge/run.js";

export interface SyncCliOptions {
  dryRun?: boolean;
  delete?: boolean;
  prefer?: string;
  acceptHeader?: boolean;
  key?: string;
  today?: string;
  json?: boolean;
  maxLines: number;
}

export async function syncCommand(command: SyncCommand, first: string, second: string, opts: SyncCliOptions, io: Output): Promise<SyncReport> {
  const today = await todayOption(opts.today);
  const [{ syncPlaces }, { renderReport }, { retryLine }] = await Promise.all([import("../merge/command.js"), import("../merge/report.js"), import("../google/retry.js")]);
  const verbose = Boolean(io.stderr.isTTY) && !opts.json;
  const { report, conflictsPath, wroteConflicts } = await syncPlaces({
    command,
    first,
    second,
    today,
    dryRun: Boolean(opts.dryRun),
    deletes: Boolean(opts.delete),
    prefer: opts.prefer,
    acceptHeader: Boolean(opts.acceptHeader),
    key: opts.key,
    note: verbose ? (line) => io.stderr.write(`${line}…\n`) : () => undefined,
    say: (line) => io.stderr.write(`${line}\n`),
    onRetry: (...a) => io.stderr.write(retryLine(...a)),
  });
  const written = wroteConflicts ? conflictsPath : null;
  // One document: with conflicts (exit 10) the CLI adds the error to it.
  if (opts.json) emitJson(io, { ...report, conflictsFile: written });
  else io.stdout.write(renderReport(report, { command, maxLines: opts.dryRun ? opts.maxLines * 5 : opts.maxLines, conflictsPath: written }));
  // A dry run ends with the code the real run would, so a script can test it first.
  const n = report.conflicts.length;
  if (n > 0)
    throw new CliError(
      "CONFLICTS",
      opts.dryRun
        ? `${n} conflict${n === 1 ? "" : "s"} would wait for a person (dry run: nothing written)`
        : `${n} conflict${n === 1 ? "" : "s"} wait${n === 1 ? "s" : ""} for a person (listed in ${conflictsPath}); everything else is in sync`,
      SYNC_EXIT.CONFLICTS,
    );
  return report;
}

/** The options pull, push and sync share, and the end of their --help. */
function syncOptions(cmd: Program, list: [string, string][]): Program {
  return cmd
    .addHelpText("after", `${examples(list)}${EXIT_HELP.sync}`)
    .option("--dry-run", "print what would change on each side and write nothing")
    .option("--delete", "propagate deleted rows (without it they are only reported)")
    .option("--prefer <side>", 'settle conflicts by taking one side: "first" or "second" (or its name)')
    .option("--accept-header", "accept a header row that changed since the last sync and line columns up by name again")
    .option("--key <file>", "Google service-account key file (default: GOOGLE_APPLICATION_CREDENTIALS, else your `pipesheet login`)")
    .option("--today <YYYY-MM-DD>", "the date stage changes are stamped with (default: today)")
    .option("--json", "print the report as one JSON document only (conflicts and errors included)")
    .option("--max-lines <n>", "lines to list per section before '… and N more'", countOption(50), 50);
}

const PLACES = "deals.csv, book.xlsx#Deals or gsheet:SPREADSHEET_ID#Deals";

const COMMANDS: { name: SyncCommand; summary: string; description: string; args: [string, string][]; examples: [string, string][] }[] = [
  {
    name: "pull",
    summary: "bring one sheet's changes into another (e.g. a Google Sheet or a CRM export into deals.csv)",
    description:
      "Bring SOURCE's changes since the last sync into TARGET, matched by Deal ID. TARGET's own edits stay; a cell changed on both sides is listed as a conflict, never overwritten. SOURCE only gets Deal IDs for rows that had none. A CRM export's columns (HubSpot, Pipedrive, Salesforce) are matched to TARGET's by meaning.",
    args: [
      ["<source>", "where changes come from: gsheet:ID#Deals, export.csv, book.xlsx#Deals"],
      ["<target>", "where they go: deals.csv, book.xlsx#Deals, gsheet:ID#Deals"],
    ],
    examples: [
      ["pipesheet pull gsheet:1AbC…#Deals deals.csv", "the Google Sheet's changes into deals.csv"],
      ["pipesheet pull hubspot-export.csv deals.csv --dry-run", "what a CRM export would change"],
    ],
  },
  {
    name: "push",
    summary: "send a local sheet's changes to another (e.g. deals.csv to a Google Sheet)",
    description:
      "Send SOURCE's changes since the last sync to TARGET, matched by Deal ID. TARGET's own edits stay; a cell changed on both sides is listed as a conflict, never overwritten. SOURCE only gets Deal IDs for rows that had none.",
    args: [
      ["<source>", "where changes come from: deals.csv, book.xlsx#Deals, gsheet:ID#Deals"],
      ["<target>", "where they go: gsheet:ID#Deals, book.xlsx#Deals, deals.csv"],
    ],
    examples: [
      ["pipesheet push deals.csv gsheet:1AbC…#Deals", "deals.csv's changes to the Google Sheet"],
      ["pipesheet push deals.csv team.xlsx#Deals --delete", "deletions too"],
    ],
  },
  {
    name: "sync",
    summary: "two-way sync of two deal sheets by Deal ID, keeping edits from both and listing conflicts",
    description:
      "Two-way sync by Deal ID against the last synced state: changes from either side go to the other, a cell changed on both sides is a conflict (both values kept and listed), new rows go across, deleted rows are reported (and propagated with --delete). Stage changes written by sync stamp Stage entered and go to the Pipeline Log.",
    args: [
      ["<first>", PLACES],
      ["<second>", PLACES],
    ],
    examples: [
      ["pipesheet sync deals.csv gsheet:1AbC…#Deals", "both ways; conflicts listed, exit 10"],
      ["pipesheet sync deals.csv gsheet:1AbC…#Deals --dry-run", "what each side would get; writes nothing"],
      ["pipesheet sync deals.csv team.xlsx#Deals --prefer second", "settle conflicts with team.xlsx's values"],
    ],
  },
];

/** Registers pull, push and sync. */
export function register(program: Program, io: Output): void {
  for (const c of COMMANDS) {
    const cmd = program.command(c.name).summary(c.summary).description(c.description);
    for (const [name, what] of c.args) cmd.argument(name, what);
    syncOptions(cmd, c.examples).action(async (first: string, second: string, opts: SyncCliOptions) => {
      await syncCommand(c.name, first, second, opts, io);
    });
  }
}
