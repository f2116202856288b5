// setup, score and review on a local file: read, call core's run, write the managed workbook, print the review.
import { mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { InvalidArgumentError, type Command as Program } from "commander";
import { dayFromIso, run, type Command, type RunResult } from "../../core/index.js";
import { renderReviewText } from "../../core/review-text.js";
import { CliError } from "../errors.js";
import { createProgress, PROGRESS_MIN_BYTES } from "../progress.js";
import { defaultOut, describeRef, openSource, outKind, parseSourceRef, type SourceRef } from "../source.js";

export interface RunCommandOptions {
  sheet?: string;
  out?: string;
  inPlace?: boolean;
  json?: boolean;
  today?: string;
  since?: string;
  maxProblems: number;
}

export interface Output {
  stdout: { write(s: string): boolean };
  stderr: { write(s: string): boolean; isTTY?: boolean; columns?: number };
}

const WIDTH = 80;

const COMMANDS: { name: Command; summary: string; writes: boolean }[] = [
  { name: "setup", summary: "set up the pipeline: add pipesheet's columns, drop-downs, highlighting and the settings tab; adopt your own stage names", writes: true },
  { name: "score", summary: "score leads, mark stuck deals and update pipesheet's columns", writes: true },
  { name: "review", summary: "print the pipeline review (and, with --out, save the workbook with its Pipeline Review tab)", writes: false },
];

/** Word-wraps our own lines to the review's width; a word longer than the line (a path) stays whole. */
export function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (word === "") continue;
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** Today in the machine's time zone, as core expects it. */
export function localToday(now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

function parseCount(v: string): number {
  if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError("give a whole number, such as 10.");
  return Number(v);
}

async function sizeOf(ref: SourceRef): Promise<number> {
  if (ref.kind === "gsheet") return 0;
  try {
    return (await stat(ref.path)).size;
  } catch {
    // The reader reports a missing or unreadable file with the right code; size only decides about progress.
    return 0;
  }
}

/** Where this command writes, or null when it only prints. */
function outputPath(command: Command, ref: SourceRef, opts: RunCommandOptions): string | null {
  if (opts.out !== undefined && opts.inPlace) throw new CliError("BAD_ARGUMENTS", "use either --out or --in-place, not both");
  if (opts.out !== undefined) {
    outKind(opts.out);
    return opts.out;
  }
  if (opts.inPlace) {
    if (ref.kind === "gsheet") throw new CliError("BAD_ARGUMENTS", "--in-place applies to local files");
    return ref.path;
  }
  const writes = COMMANDS.find((c) => c.name === command)?.writes ?? false;
  return writes ? defaultOut(ref) : null;
}

/** Exit 4 for a sheet without a Stage column: every figure stands on the stage, so nothing is written. */
function noStageColumn(ref: SourceRef, headerRow: number, header: readonly unknown[]): CliError {
  const seen = header.map((h) => (typeof h === "string" ? h.trim() : "")).filter((h) => h !== "");
  const shown = seen.length > 12 ? `${seen.slice(0, 12).join(", ")} and ${seen.length - 12} more` : seen.join(", ");
  return new CliError(
    "NO_DEALS_SHEET",
    `no Stage column in ${describeRef(ref)}: the header row (row ${headerRow + 1}) has ${shown || "no headers"}; name the column with each deal's stage "Stage" (or Deal stage, Pipeline stage, Phase), or set Stage in Pipeline Settings › Columns`,
  );
}

export async function runCommand(command: Command, file: string, opts: RunCommandOptions, io: Output): Promise<RunResult> {
  const today = opts.today ?? localToday();
  if (dayFromIso(today) === null) throw new CliError("BAD_ARGUMENTS", `--today ${today}: give a real date as YYYY-MM-DD, such as 2026-11-26`);
  const ref = parseSourceRef(file, opts.sheet ?? null);
  const out = outputPath(command, ref, opts);

  const big = (await sizeOf(ref)) >= PROGRESS_MIN_BYTES;
  const progress = createProgress(io.stderr, big && !opts.json);
  try {
    const source = await openSource(ref, progress);
    progress.phase(`Working through ${source.input.deals.length.toLocaleString("en-US")} rows`);
    if (opts.since !== undefined && dayFromIso(opts.since) === null) throw new CliError("BAD_ARGUMENTS", `--since ${opts.since}: give a real date as YYYY-MM-DD, such as 2026-11-01`);
    const plan = run(source.input, { command, today, ...(opts.since !== undefined ? { since: opts.since } : {}) });
    if (plan.metrics === null) {
      const why = plan.problems.find((p) => p.code === "NO_HEADER")?.message ?? plan.summary.headline;
      throw new CliError("NO_DEALS_SHEET", `no deals found in ${describeRef(ref)}: ${why}`);
    }
    if (plan.summary.missing.includes("stage")) throw noStageColumn(ref, plan.headerRow, source.input.deals[plan.headerRow] ?? []);
    const notes: string[] = [...(source.notes ?? [])];
    if (out !== null) {
      // One missing folder level is created (npm start writes into out/); deeper paths are the user's to make.
      // Not recursive: Node's recursive mkdir spins forever on some paths, such as under /proc.
      await mkdir(dirname(resolve(out))).catch(() => undefined);
      notes.push(...(await source.save(plan, out)));
    }
    progress.done();

    if (opts.json) {
      const { summary, problems, metrics } = plan;
      io.stdout.write(`${JSON.stringify({ summary, problems, metrics, output: out, notes }, null, 2)}\n`);
    } else {
      const text = renderReviewText(plan.metrics, plan.problems, { width: WIDTH, maxProblems: opts.maxProblems });
      const lines = [text.replace(/\n+$/, ""), "", ...wrap(plan.summary.headline, WIDTH, "")];
      for (const n of notes) lines.push(...wrap(`Note: ${n}`, WIDTH, "  "));
      if (out !== null) lines.push(`${outKind(out) === "xlsx" ? "Managed workbook" : "Deals with pipesheet's columns"}: ${out}`);
      io.stdout.write(`${lines.join("\n")}\n`);
    }
    return plan;
  } finally {
    progress.done();
  }
}

/** Registers setup, score and review. */
export function register(program: Program, io: Output): void {
  for (const c of COMMANDS) {
    program
      .command(c.name)
      .summary(c.summary)
      .description(`${c.summary[0]?.toUpperCase()}${c.summary.slice(1)}.`)
      .argument("<file>", "deals file: deals.csv, book.xlsx, or book.xlsx#Sheet")
      .option("--sheet <name>", "the deals sheet of an .xlsx (default: the first sheet with a deals header row)")
      .option("--out <file>", c.writes ? "write here (.xlsx, or .csv for the deals only); default FILE-managed.xlsx" : "also save the managed workbook here (.xlsx, or .csv for the deals only)")
      .option("--in-place", "write back into FILE itself")
      .option("--json", "print the summary, problems and metrics as JSON only")
      .option("--today <YYYY-MM-DD>", "the date to work as of (default: today), for reproducible runs")
      .option("--since <YYYY-MM-DD>", "compare with the pipeline on this day instead of the previous review run (Since last review)")
      .option("--max-problems <n>", "problems to list before '… and N more'", parseCount, 10)
      .action(async (file: string, opts: RunCommandOptions) => {
        await runCommand(c.name, file, opts, io);
      });
  }
}
