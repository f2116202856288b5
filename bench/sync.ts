// Requests and time for a 100k-row push, pull and sync against the fake Sheets API on 127.0.0.1, through
// the real googleapis client. The CLI runs as its own process, as a nightly job would run it; the fake
// server runs in this one. Run: npx tsx bench/sync.ts [rows]
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Papa from "papaparse";
import { syntheticGrid } from "../samples/generate.js";
import { startHarness } from "../test/fakes/sheets-api/harness.js";

const ROOT = resolve(import.meta.dirname, "..");
const TIME = "/usr/bin/time";

/** Runs the CLI in a child process; returns its exit code, stderr and peak memory (when /usr/bin/time is there). */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string; peakMb: number | null }> {
  const node = [process.execPath, "--import", "tsx", join(ROOT, "cli/cli.ts"), ...args];
  const [cmd, argv] = existsSync(TIME) ? [TIME, ["-f", "peak-rss-kb=%M", ...node]] : [node[0] as string, node.slice(1)];
  return new Promise((done) => {
    execFile(cmd, argv, { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 }, (err, _stdout, stderr) => {
      const m = /peak-rss-kb=(\d+)/.exec(stderr);
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stderr, peakMb: m ? Number(m[1]) / 1024 : null });
    });
  });
}

const rows = Number(process.argv[2] ?? 100_000);
const TODAY = "2026-11-26";

interface Row {
  step: string;
  requests: number;
  writes: number;
  mb: number;
  ms: number;
  peakMb: number | null;
}

async function main(): Promise<void> {
  const h = await startHarness({ maxBodyBytes: 2_000_000 });
  const dir = mkdtempSync(join(tmpdir(), "pipesheet-bench-sync-"));
  const csv = join(dir, "deals.csv");
  const grid = syntheticGrid(rows, 11);
  writeFileSync(csv, `${Papa.unparse(grid, { newline: "\r\n" })}\r\n`);
  const ss = h.server.create("BENCH");
  ss.addSheet("Intro", [["This spreadsheet holds the pipeline"]]);
  const out: Row[] = [];
  const step = async (name: string, args: string[], before?: () => void): Promise<void> => {
    before?.();
    h.server.resetCounts();
    const t = performance.now();
    const r = await cli([...args, "--key", h.keyFile, "--today", TODAY], h.env);
    const ms = performance.now() - t;
    if (r.code !== 0 && r.code !== 10) throw new Error(`${name} failed (${r.code}): ${r.stderr}`);
    const calls = h.server.calls;
    out.push({
      step: name,
      requests: calls.length,
      writes: calls.filter((c) => !["spreadsheets.get", "values.batchGet", "values.get"].includes(c.method)).length,
      mb: calls.reduce((n, c) => n + c.bytes, 0) / 1e6,
      ms,
      peakMb: r.peakMb,
    });
  };
  const target = "gsheet:BENCH#Deals";
  await step(`push ${rows.toLocaleString("en-US")} rows to a new tab`, ["push", csv, target]);
  await step("sync, nothing changed", ["sync", csv, target]);
  await step("sync, 1% of rows edited on each side", ["sync", csv, target], () => {
    const local = Papa.parse<string[]>(readFileSync(csv, "utf8"), { skipEmptyLines: true }).data;
    for (let i = 1; i < local.length; i += 100) (local[i] as string[])[1] += " (renewal)";
    writeFileSync(csv, `${Papa.unparse(local, { newline: "\r\n" })}\r\n`);
    const deals = ss.sheet("Deals");
    for (let r = 51; r <= rows; r += 100) deals.set(r, 4, 4242);
  });
  const pulled = join(dir, "pulled.csv");
  await step(`pull ${rows.toLocaleString("en-US")} rows to a new CSV`, ["pull", target, pulled]);

  const pad = (s: string, n: number): string => s.padEnd(n);
  const num = (v: number, n: number, d = 0): string => v.toFixed(d).padStart(n);
  process.stdout.write(`\nSync against the fake Sheets API on 127.0.0.1 (${rows.toLocaleString("en-US")} deals, ${grid[0]?.length} columns)\n\n`);
  process.stdout.write(`${pad("step", 40)}${"requests".padStart(9)}${"writes".padStart(8)}${"MB sent".padStart(9)}${"seconds".padStart(9)}${"peak MB".padStart(9)}\n`);
  for (const r of out)
    process.stdout.write(
      `${pad(r.step, 40)}${num(r.requests, 9)}${num(r.writes, 8)}${num(r.mb, 9, 1)}${num(r.ms / 1000, 9, 2)}${r.peakMb === null ? "        -" : num(r.peakMb, 9)}\n`,
    );
  process.stdout.write("\nseconds: the CLI process from start to exit (about 1 s of it is loading Node, tsx and the Google client); peak MB: its peak RSS.\n");
  await h.server.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(h.dir, { recursive: true, force: true });
}

await main();
