// The kill harness's tools: the CLI bundled once (a child starts in a third of the time tsx takes), run as a
// real process that kills itself with SIGKILL at a write step (PIPESHEET_TEST_KILL_AT) or is killed after a
// delay; and what a run leaves behind, read back in a form two runs can be compared by.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ExcelJS from "exceljs";
import { build } from "esbuild";

const ROOT = resolve(import.meta.dirname, "../..");

/** The CLI as one ES module beside node_modules, so its packages resolve as they do for `npx pipesheet`. */
export async function bundleCli(): Promise<string> {
  const dir = join(ROOT, "node_modules", ".cache", "pipesheet-test");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `cli-${process.pid}.mjs`);
  await build({ entryPoints: [join(ROOT, "cli/cli.ts")], bundle: true, platform: "node", format: "esm", packages: "external", outfile: out, logLevel: "silent" });
  return out;
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function runBundled(bundle: string, args: string[], env: Record<string, string>, opts: { killAt?: string; killAfterMs?: number; cwd?: string } = {}): Promise<ChildRun> {
  return new Promise((done, fail) => {
    const started = Date.now();
    const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
    if (opts.killAt) childEnv.PIPESHEET_TEST_KILL_AT = opts.killAt;
    else delete childEnv.PIPESHEET_TEST_KILL_AT;
    const child = spawn(process.execPath, [bundle, ...args], { cwd: opts.cwd ?? ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = opts.killAfterMs === undefined ? null : setTimeout(() => child.kill("SIGKILL"), opts.killAfterMs);
    child.on("error", fail);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      done({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A workbook's sheets as plain grids (dates as ISO text), which is what sync promises to keep and change. */
export async function bookGrids(path: string): Promise<Record<string, unknown[][]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const out: Record<string, unknown[][]> = {};
  wb.eachSheet((ws) => {
    const rows: unknown[][] = [];
    ws.eachRow({ includeEmpty: true }, (row, r) => {
      const cells: unknown[] = [];
      row.eachCell({ includeEmpty: true }, (cell, c) => {
        const v = cell.value;
        cells[c - 1] = v instanceof Date ? v.toISOString().slice(0, 10) : v;
      });
      rows[r - 1] = cells;
    });
    out[`${ws.name}${ws.state === "visible" ? "" : ` (${ws.state})`}`] = rows;
  });
  return out;
}

/** A sync state file with what differs between two identical runs (the time, the run's ID) left out, rows by ID. */
export function stateOf(path: string): unknown {
  const file = JSON.parse(readFileSync(path, "utf8")) as { version: number; pairs: Record<string, { rows: [string, unknown][]; syncedAt?: string; run?: string }> };
  const pairs: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(file.pairs)) {
    const { syncedAt: _t, run: _r, rows, ...rest } = p;
    pairs[k] = { ...rest, rows: [...rows].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)) };
  }
  return { version: file.version, pairs };
}

/** The names in a folder, so a leftover temp file or journal shows up as a difference. */
export const namesIn = (dir: string): string[] => readdirSync(dir).sort();
