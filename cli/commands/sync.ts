// `pipesheet sync A B`: two-way sync by Deal ID; also the options pull and push share. The work itself is in
// cli/merge/command.ts, loaded only when one of these commands runs (the Google client takes a while to load).
import { InvalidArgumentError, type Command as Program } from "commander";
import type { Output } from "./run.js";
import { EXIT_HELP, examples } from "./help.js";

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

export async function syncCommand(command: "pull" | "push" | "sync", first: string, second: string, opts: SyncCliOptions, io: Output): Promise<void> {
  const impl = await import("../merge/command.js");
  await impl.syncCommand(command, first, second, opts, io);
}

function parseCount(v: string): number {
  if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError("give a whole number, such as 50.");
  return Number(v);
}

/** The options pull, push and sync share, and the end of their --help. */
export function syncOptions(cmd: Program, list: [string, string][]): Program {
  return cmd
    .addHelpText("after", `${examples(list)}${EXIT_HELP.sync}`)
    .option("--dry-run", "print what would change on each side and write nothing")
    .option("--delete", "propagate deleted rows (without it they are only reported)")
    .option("--prefer <side>", 'settle conflicts by taking one side: "first" or "second" (or its name)')
    .option("--accept-header", "accept a header row that changed since the last sync and line columns up by name again")
    .option("--key <file>", "Google service-account key file (default: GOOGLE_APPLICATION_CREDENTIALS, else your `pipesheet login`)")
    .option("--today <YYYY-MM-DD>", "the date stage changes are stamped with (default: today)")
    .option("--json", "print the report as one JSON document only (conflicts and errors included)")
    .option("--max-lines <n>", "lines to list per section before '… and N more'", parseCount, 50);
}

const PLACES = "deals.csv, book.xlsx#Deals or gsheet:SPREADSHEET_ID#Deals";

export function register(program: Program, io: Output): void {
  syncOptions(
    program
      .command("sync")
      .summary("two-way sync of two deal sheets by Deal ID, keeping edits from both and listing conflicts")
      .description(
        "Two-way sync by Deal ID against the last synced state: changes from either side go to the other, a cell changed on both sides is a conflict (both values kept and listed), new rows go across, deleted rows are reported (and propagated with --delete). Stage changes written by sync stamp Stage entered and go to the Pipeline Log.",
      )
      .argument("<first>", PLACES)
      .argument("<second>", PLACES),
    [
      ["pipesheet sync deals.csv gsheet:1AbC…#Deals", "both ways; conflicts listed, exit 10"],
      ["pipesheet sync deals.csv gsheet:1AbC…#Deals --dry-run", "what each side would get; writes nothing"],
      ["pipesheet sync deals.csv team.xlsx#Deals --prefer second", "settle conflicts with team.xlsx's values"],
    ],
  ).action(async (first: string, second: string, opts: SyncCliOptions) => {
    await syncCommand("sync", first, second, opts, io);
  });
}
