// setup, score and review on local files: read, call core's run, write the managed workbook, print the review.
// core, the file readers and exceljs load only when one of these commands runs, so `--help` starts fast.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { InvalidArgumentError, Option, type Command as Program } from "commander";
import type { Command, RunResult } from "../../core/index.js";
import type { Cell, Grid } from "../../core/index.js";
import { CliError, fromFsError } from "../errors.js";
import { colorEnabled, count, emitJson, outputWidth, styleFor, terminalProblems, type Output, type Style } from "../output.js";
import { createProgress, PROGRESS_MIN_BYTES } from "../progress.js";
import { VERSION } from "../version.js";
import type { SourceRef } from "../source.js";
import { EXIT_HELP, examples } from "./help.js";

export type { Output } from "../output.js";

export type OutFormat = "csv" | "xlsx" | "json";

export interface RunCommandOptions {
  sheet?: string;
  out?: string;
  inPlace?: boolean;
  json?: boolean;
  today?: string;
  /** "Since last review" starts on this day instead of the previous review run. */
  since?: string;
  maxProblems: number;
  format?: OutFormat;
  width?: number;
  color?: boolean;
}

/** What "-" stands for: standard input as FILE, standard output as --out. */
export const STDIO = "-";

const COMMANDS: { name: Command; summary: string; writes: boolean; examples: [string, string][] }[] = [
  {
    name: "setup",
    summary: "set up the pipeline: add pipesheet's columns, drop-downs, highlighting and the settings tab; adopt your own stage names",
    writes: true,
    examples: [
      ["pipesheet setup deals.csv", "writes deals-managed.xlsx beside deals.csv"],
      ["pipesheet setup export.xlsx#Deals --out team.xlsx", "the Deals sheet of a workbook, written to team.xlsx"],
      ["pipesheet setup - --out - --format xlsx < deals.csv > team.xlsx", "standard input to standard output"],
    ],
  },
  {
    name: "score",
    summary: "score leads, mark stuck deals and update pipesheet's columns",
    writes: true,
    examples: [
      ["pipesheet score team.xlsx --in-place", "re-score the managed workbook itself"],
      ["pipesheet score north.xlsx south.xlsx --in-place", "several workbooks in one run"],
      ["pipesheet score deals.csv --out - --format csv | head", "the deals with pipesheet's columns as CSV on stdout"],
    ],
  },
  {
    name: "review",
    summary: "print the pipeline review (and, with --out, save the workbook with its Pipeline Review tab)",
    writes: false,
    examples: [
      ["pipesheet review team.xlsx", "print the review at the terminal's width"],
      ["pipesheet review team.xlsx --out team.xlsx", "also write the Pipeline Review tab into the workbook"],
      ["cat deals.csv | pipesheet review - --json", "the summary, problems and metrics of standard input as one JSON document"],
    ],
  },
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

export function parseCount(v: string): number {
  if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError("give a whole number, such as 10.");
  return Number(v);
}

export function parseWidth(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 20) throw new InvalidArgumentError("give a whole number of columns, 20 or more, such as 100.");
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

/** Standard input, kept in a private temp file so the CSV and .xlsx readers work on it as on any file. */
async function stdinToFile(dir: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  const bytes = Buffer.concat(chunks);
  if (bytes.length === 0) throw new CliError("UNREADABLE_FILE", "standard input is empty: pipe a .csv or .xlsx into pipesheet, such as `pipesheet review - < deals.csv`");
  // An .xlsx is a zip, and every zip starts "PK\x03\x04"; anything else is read as CSV text.
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const path = join(dir, zip ? "stdin.xlsx" : "stdin.csv");
  await writeFile(path, bytes, { mode: 0o600 });
  return path;
}

const extFormat = (path: string): OutFormat | null => {
  const m = /\.(csv|xlsx|json)$/i.exec(path);
  return m ? (m[1]?.toLowerCase() as OutFormat) : null;
};

/** Where this command writes ("-" for stdout), or null when it only prints. */
function outputPath(command: Command, ref: SourceRef, fromStdin: boolean, opts: RunCommandOptions): string | null {
  if (opts.out !== undefined && opts.inPlace) throw new CliError("BAD_ARGUMENTS", "use either --out or --in-place, not both");
  if (opts.out === STDIO) {
    if (opts.json) throw new CliError("BAD_ARGUMENTS", "--json and --out - both write to standard output; drop one, or write the workbook to a file");
    return STDIO;
  }
  if (opts.out !== undefined) {
    const ext = extFormat(opts.out);
    if (ext === null) throw new CliError("BAD_ARGUMENTS", `--out ${opts.out}: write to a .xlsx (the managed workbook), a .csv or .json (deals with pipesheet's columns), or - (standard output)`);
    if (opts.format !== undefined && opts.format !== ext) throw new CliError("BAD_ARGUMENTS", `--format ${opts.format} does not match --out ${opts.out}; --format is for --out - (standard output)`);
    return opts.out;
  }
  if (opts.format !== undefined) throw new CliError("BAD_ARGUMENTS", "--format says what to write to standard output: add --out -");
  if (opts.inPlace) {
    if (ref.kind === "gsheet") throw new CliError("BAD_ARGUMENTS", "--in-place applies to local files");
    if (fromStdin) throw new CliError("BAD_ARGUMENTS", "--in-place cannot write back into standard input; give --out FILE or --out -");
    return ref.path;
  }
  const writes = COMMANDS.find((c) => c.name === command)?.writes ?? false;
  if (!writes) return null;
  if (fromStdin) throw new CliError("BAD_ARGUMENTS", `${command} on standard input needs to know where to write: give --out FILE, or --out - --format csv|xlsx|json`);
  return null;
}

/** The deals, one object per row keyed by the header, as --format json writes them. */
export function dealsJson(grid: Grid, headerRow: number): Record<string, Cell>[] {
  const header = (grid[headerRow] ?? []).map((h) => (h === null || h === undefined ? "" : String(h)));
  const rows: Record<string, Cell>[] = [];
  for (const row of grid.slice(headerRow + 1)) {
    if (row.every((v) => v === null || v === "")) continue;
    const o: Record<string, Cell> = {};
    header.forEach((h, c) => {
      if (h !== "") o[h] = row[c] ?? null;
    });
    rows.push(o);
  }
  return rows;
}

export interface FileResult {
  plan: RunResult;
  /** Where the result went: a path, "-" for standard output, or null. */
  output: string | null;
  notes: string[];
}

/** Exit 4 for a sheet without a Stage column: every figure stands on the stage, so nothing is written. */
function noStageColumn(where: string, headerRow: number, header: readonly unknown[]): CliError {
  const seen = header.map((h) => (typeof h === "string" ? h.trim() : "")).filter((h) => h !== "");
  const shown = seen.length > 12 ? `${seen.slice(0, 12).join(", ")} and ${seen.length - 12} more` : seen.join(", ");
  return new CliError(
    "NO_DEALS_SHEET",
    `no Stage column in ${where}: the header row (row ${headerRow + 1}) has ${shown || "no headers"}; name the column with each deal's stage "Stage" (or Deal stage, Pipeline stage, Phase), or set Stage in Pipeline Settings › Columns`,
  );
}

/** One file through core; writes the result where asked, prints nothing on stdout. */
async function processFile(command: Command, file: string, opts: RunCommandOptions, io: Output): Promise<FileResult> {
  const [{ dayFromIso, run }, { defaultOut, describeRef, openSource, parseSourceRef, planToGrid }] = await Promise.all([import("../../core/index.js"), import("../source.js")]);
  const today = opts.today ?? localToday();
  if (dayFromIso(today) === null) throw new CliError("BAD_ARGUMENTS", `--today ${today}: give a real date as YYYY-MM-DD, such as 2026-11-26`);
  if (opts.since !== undefined && dayFromIso(opts.since) === null) throw new CliError("BAD_ARGUMENTS", `--since ${opts.since}: give a real date as YYYY-MM-DD, such as 2026-11-01`);
  const fromStdin = file === STDIO;
  const tmp = fromStdin || opts.out === STDIO ? await mkdtemp(join(tmpdir(), "pipesheet-")) : null;
  try {
    const path = fromStdin && tmp ? await stdinToFile(tmp) : file;
    const ref = parseSourceRef(path, opts.sheet ?? null);
    const out = outputPath(command, ref, fromStdin, opts) ?? (COMMANDS.find((c) => c.name === command)?.writes ? defaultOut(ref) : null);

    const big = (await sizeOf(ref)) >= PROGRESS_MIN_BYTES;
    const progress = createProgress(io.stderr, big && !opts.json);
    try {
      const source = await openSource(ref, progress);
      progress.phase(`Working through ${count(source.input.deals.length)} rows`);
      const plan = run(source.input, { command, today, version: VERSION, ...(opts.since !== undefined ? { since: opts.since } : {}) });
      const where = fromStdin ? "standard input" : describeRef(ref);
      if (plan.metrics === null) {
        const why = plan.problems.find((p) => p.code === "NO_HEADER")?.message ?? plan.summary.headline;
        throw new CliError("NO_DEALS_SHEET", `no deals found in ${where}: ${why}`);
      }
      if (plan.summary.missing.includes("stage")) throw noStageColumn(where, plan.headerRow, source.input.deals[plan.headerRow] ?? []);
      // What the readers said (e.g. the encoding a CSV was read in when it was not UTF-8).
      let notes: string[] = [...(source.notes ?? [])];
      if (out !== null) {
        const format = out === STDIO ? (opts.format ?? "csv") : (extFormat(out) ?? "xlsx");
        if (out === STDIO && format === "xlsx" && io.stdout.isTTY) throw new CliError("BAD_ARGUMENTS", "--format xlsx writes a binary file: redirect standard output to a file (> team.xlsx), or give --out team.xlsx");
        const target = out === STDIO && tmp ? join(tmp, `out.${format}`) : out;
        // One missing folder level is created (npm start writes into out/); deeper paths are the user's to make.
        // Not recursive: Node's recursive mkdir spins forever on some paths, such as under /proc.
        if (out !== STDIO) await mkdir(dirname(resolve(out))).catch(() => undefined);
        if (format === "json") {
          const doc = { sheet: plan.sheet, deals: dealsJson(planToGrid(source.input.deals, plan), plan.headerRow) };
          await writeFile(target, `${JSON.stringify(doc, null, 2)}\n`).catch((e: unknown) => {
            throw fromFsError(e, target, true);
          });
        } else notes.push(...(await source.save(plan, target)));
        if (out === STDIO) {
          // The readers' notes name the temp file; on stdout there is no file to name.
          notes = notes.filter((n) => !n.includes(target));
          io.stdout.write(await readFile(target));
        }
      }
      return { plan, output: out, notes };
    } finally {
      progress.done();
    }
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

function jsonDoc(r: FileResult): Record<string, unknown> {
  const { summary, problems, metrics } = r.plan;
  return { summary, problems, metrics, output: r.output, notes: r.notes };
}

const SECTION = /^(Pipeline Review|Stuck deals \(\d[\d,]*\)|Problems \(\d[\d,]*\)|Win model:)/;

/** Colour for the review's own text: section titles bold, a problem's severity word red or yellow. */
function colourReview(text: string, s: Style): string {
  return text
    .split("\n")
    .map((l) => (SECTION.test(l) ? s.bold(l) : l.replace(/^( {2}- )(error|warning)\b/, (_m, lead: string, sev: string) => lead + (sev === "error" ? s.red(sev) : s.yellow(sev)))))
    .join("\n");
}

async function reviewText(r: FileResult, opts: RunCommandOptions, width: number, style: Style): Promise<string> {
  const { renderReviewText } = await import("../../core/index.js");
  const metrics = r.plan.metrics;
  const text = metrics ? renderReviewText(metrics, terminalProblems(r.plan.problems), { width, maxProblems: opts.maxProblems }).replace(/\n+$/, "") : "";
  const lines = [colourReview(text, style), "", ...wrap(r.plan.summary.headline, width, "").map(style.bold)];
  for (const n of r.notes) lines.push(...wrap(`Note: ${n}`, width, "  "));
  if (r.output !== null) lines.push(`${extFormat(r.output) === "xlsx" ? "Managed workbook" : "Deals with pipesheet's columns"}: ${r.output}`);
  return `${lines.join("\n")}\n`;
}

/** One file: the command's whole effect, with its output printed. Returns core's result. */
export async function runCommand(command: Command, file: string, opts: RunCommandOptions, io: Output): Promise<RunResult> {
  const [result] = await runFiles(command, [file], opts, io);
  if (!result) throw new CliError("INTERNAL", `${command} ${file} gave no result`);
  return result.plan;
}

/**
 * Several files in one run, in order; the first failure stops the run (its exit code is the run's). With
 * --json the document is the single file's, or `{ files: [...] }` for several.
 */
export async function runFiles(command: Command, files: string[], opts: RunCommandOptions, io: Output): Promise<FileResult[]> {
  if (files.filter((f) => f === STDIO).length > 1) throw new CliError("BAD_ARGUMENTS", "standard input (-) can be read once per run");
  if (files.length > 1 && opts.out !== undefined) throw new CliError("BAD_ARGUMENTS", "--out names one file; with several files use the default FILE-managed.xlsx or --in-place");
  const results: FileResult[] = [];
  const width = outputWidth(io.stdout, opts.width);
  const style = styleFor(colorEnabled(io.stdout, opts.color));
  const errStyle = styleFor(colorEnabled(io.stderr, opts.color));
  for (const file of files) {
    const r = await processFile(command, file, opts, io);
    results.push(r);
    if (opts.json) {
      emitJson(io, files.length === 1 ? jsonDoc(r) : { files: results.map((x, i) => ({ file: files[i], ...jsonDoc(x) })) }, true);
    } else if (r.output === STDIO) {
      // Standard output carries the data; the people watching get the headline on stderr.
      io.stderr.write(`${wrap(r.plan.summary.headline, outputWidth(io.stderr, opts.width), "").map(errStyle.bold).join("\n")}\n`);
      for (const n of r.notes) io.stderr.write(`${wrap(`Note: ${n}`, outputWidth(io.stderr, opts.width), "  ").join("\n")}\n`);
    } else {
      if (files.length > 1) io.stdout.write(`${results.length > 1 ? "\n" : ""}${style.bold(`==> ${file} <==`)}\n`);
      io.stdout.write(await reviewText(r, opts, width, style));
    }
  }
  return results;
}

/** Registers setup, score and review. */
export function register(program: Program, io: Output): void {
  for (const c of COMMANDS) {
    program
      .command(c.name)
      .summary(c.summary)
      .description(`${c.summary[0]?.toUpperCase()}${c.summary.slice(1)}. FILE - reads standard input (CSV, or an .xlsx by its content).`)
      .argument("<file...>", "deals files: deals.csv, book.xlsx, book.xlsx#Sheet, or - for standard input")
      .option("--sheet <name>", "the deals sheet of an .xlsx (default: the first sheet with a deals header row)")
      .option(
        "--out <file>",
        c.writes
          ? "write here (.xlsx; .csv or .json for the deals only; - for standard output); default FILE-managed.xlsx"
          : "also save the result here (.xlsx; .csv or .json for the deals only; - for standard output)",
      )
      .addOption(new Option("--format <format>", "what --out - writes: csv (default), xlsx or json").choices(["csv", "xlsx", "json"]))
      .option("--in-place", "write back into FILE itself")
      .option("--json", "print the summary, problems and metrics as one JSON document only")
      .option("--today <YYYY-MM-DD>", "the date to work as of (default: today), for reproducible runs")
      .option("--since <YYYY-MM-DD>", "compare with the pipeline on this day instead of the previous review run (Since last review)")
      .option("--max-problems <n>", "problems to list before '… and N more'", parseCount, 10)
      .option("--width <n>", "wrap the review at N columns (default: the terminal's width, else 80)", parseWidth)
      .addHelpText("after", `${examples(c.examples)}${EXIT_HELP.files}`)
      .action(async (files: string[], _opts: RunCommandOptions, cmd: Program) => {
        await runFiles(c.name, files, cmd.optsWithGlobals<RunCommandOptions>(), io);
      });
  }
}
