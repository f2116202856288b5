// setup, score and review on local files: read, call core's run, write the result where asked (standard output
// for --out -). Prints nothing else (a big file shows progress on stderr); cli/commands/run.ts prints the review.
// core, the file readers and exceljs load only when one of these commands runs, so `--help` starts fast.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Cell, Command, Grid, RunResult } from "../core/index.js";
import { CliError, fromFsError } from "./errors.js";
import { todayOption } from "./options.js";
import { count, type Output } from "./output.js";
import { createProgress, PROGRESS_MIN_BYTES } from "./progress.js";
import type { SourceRef } from "./source.js";
import { VERSION } from "./version.js";

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

/** Whether the command writes a workbook when no --out is given (review only prints). */
export const WRITES: Record<Command, boolean> = { setup: true, score: true, review: false };

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

const OUT_FORMATS: readonly string[] = ["csv", "xlsx", "json"] satisfies OutFormat[];
const isOutFormat = (s: string): s is OutFormat => OUT_FORMATS.includes(s);

export const extFormat = (path: string): OutFormat | null => {
  const ext = /\.(csv|xlsx|json)$/i.exec(path)?.[1]?.toLowerCase();
  return ext !== undefined && isOutFormat(ext) ? ext : null;
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
  const writes = WRITES[command];
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
export async function processFile(command: Command, file: string, opts: RunCommandOptions, io: Output): Promise<FileResult> {
  const [{ dayFromIso, run }, { defaultOut, describeRef, openSource, parseSourceRef, planToGrid }] = await Promise.all([import("../core/index.js"), import("./source.js")]);
  const today = await todayOption(opts.today);
  if (opts.since !== undefined && dayFromIso(opts.since) === null) throw new CliError("BAD_ARGUMENTS", `--since ${opts.since}: give a real date as YYYY-MM-DD, such as 2026-11-01`);
  const fromStdin = file === STDIO;
  const tmp = fromStdin || opts.out === STDIO ? await mkdtemp(join(tmpdir(), "pipesheet-")) : null;
  try {
    const path = fromStdin && tmp ? await stdinToFile(tmp) : file;
    const ref = parseSourceRef(path, opts.sheet ?? null);
    const out = outputPath(command, ref, fromStdin, opts) ?? (WRITES[command] ? defaultOut(ref) : null);

    const big = (await sizeOf(ref)) >= PROGRESS_MIN_BYTES;
    const progress = createProgress(io.stderr, big && !opts.json);
    try {
      const source = await openSource(ref, progress);
      progress.phase(`Working through ${count(source.input.deals.length)} rows`);
      // With nowhere to write (review without --out), core plans no cells: the figures alone.
      const plan = run(source.input, { command, today, version: VERSION, ...(opts.since !== undefined ? { since: opts.since } : {}), ...(out === null ? { figuresOnly: true } : {}) });
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

