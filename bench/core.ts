// Core speed and memory on synthetic pipelines (10k, 100k, 1M deals), and a 1M-row CSV to a printed review end to end.
// Each measurement runs in its own process, so one size's garbage never inflates another's peak memory.
//   npx tsx bench/core.ts            all sizes and the end-to-end run
//   npx tsx bench/core.ts --quick    10k and 100k only
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { run } from "../core/index.js";
import { syntheticRows, SAMPLE_TODAY, writeSyntheticCsv } from "../samples/generate.js";
import { parseCsv } from "../cli/io/csv.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SELF = fileURLToPath(import.meta.url);
const MB = 1024 * 1024;

interface CoreFigures {
  rows: number;
  ms: number;
  rowsPerSec: number;
  gridHeapMb: number;
  baseRssMb: number;
  peakRssMb: number;
}

/** Samples the process's RSS from a worker thread while the main thread is busy in a synchronous run. */
function rssSampler(): { stop(): Promise<number> } {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(
    `const { workerData } = require("node:worker_threads");
     const a = new Int32Array(workerData);
     const tick = () => { const mb = Math.round(process.memoryUsage.rss() / 1048576); if (mb > a[0]) a[0] = mb; if (a[1] === 0) setTimeout(tick, 5); };
     tick();`,
    { eval: true, workerData: shared.buffer },
  );
  return {
    async stop() {
      Atomics.store(shared, 1, 1);
      await worker.terminate();
      return Atomics.load(shared, 0);
    },
  };
}

/** Child: build the grid the way the CLI hands it to core (CSV text through parseCsv), then time `run`. */
async function child(rows: number): Promise<void> {
  const lines: string[] = [];
  for (const r of syntheticRows(rows, 7)) lines.push(r.join(","));
  let text: string | null = `${lines.join("\n")}\n`;
  lines.length = 0;
  const grid = parseCsv(text, "bench.csv").grid;
  text = null;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const gridHeap = process.memoryUsage().heapUsed;
  const baseRss = process.memoryUsage.rss();
  const input = { sheetName: "Deals", deals: grid, settings: null, log: null, sheetNames: ["Deals"] };
  // Small sizes finish in milliseconds: take the best of a few runs so timer noise does not dominate.
  const repeats = rows <= 10_000 ? 5 : rows <= 100_000 ? 3 : 1;
  let best = Infinity;
  const sampler = rssSampler();
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    const plan = run(input, { command: "review", today: SAMPLE_TODAY });
    best = Math.min(best, performance.now() - t);
    if (plan.summary.deals !== rows) throw new Error(`expected ${rows} deals, core saw ${plan.summary.deals}`);
  }
  const peak = await sampler.stop();
  const out: CoreFigures = {
    rows,
    ms: best,
    rowsPerSec: rows / (best / 1000),
    gridHeapMb: gridHeap / MB,
    baseRssMb: baseRss / MB,
    peakRssMb: Math.max(peak, baseRss / MB),
  };
  process.stdout.write(JSON.stringify(out));
}

function measureCore(rows: number): CoreFigures {
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", SELF, "--child", String(rows)], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`core bench at ${rows} rows failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as CoreFigures;
}

/** The CLI as a user runs it, on a CSV file: wall time and the process's peak RSS. */
function measureEndToEnd(file: string, extra: string[] = []): { ms: number; peakRssMb: number; ok: boolean; lines: number } {
  const args = [join(ROOT, "cli", "bin.mjs"), extra.length > 0 ? "setup" : "review", file, "--today", SAMPLE_TODAY, ...extra];
  const timeBin = "/usr/bin/time";
  const t = performance.now();
  const r = existsSync(timeBin)
    ? spawnSync(timeBin, ["-f", "%M", process.execPath, ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 })
    : spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  // GNU time prints the peak RSS in KiB as the last line of stderr.
  const kib = Number(r.stderr.trim().split("\n").pop());
  return { ms, peakRssMb: Number.isFinite(kib) ? kib / 1024 : NaN, ok: r.status === 0 && r.stdout.startsWith("Pipeline Review"), lines: r.stdout.split("\n").length };
}

const fmt = (n: number, digits = 0): string => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const sizes = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  process.stdout.write("core run (parse, score, stuck, metrics, review, plan) on the grid the CLI hands it; RSS sampled during the run\n");
  process.stdout.write(`${"deals".padStart(10)} ${"ms".padStart(9)} ${"deals/s".padStart(12)} ${"grid heap MB".padStart(13)} ${"RSS before MB".padStart(14)} ${"peak RSS MB".padStart(12)}\n`);
  for (const n of sizes) {
    const f = measureCore(n);
    process.stdout.write(
      `${fmt(n).padStart(10)} ${fmt(f.ms, 1).padStart(9)} ${fmt(f.rowsPerSec).padStart(12)} ${fmt(f.gridHeapMb).padStart(13)} ${fmt(f.baseRssMb).padStart(14)} ${fmt(f.peakRssMb).padStart(12)}\n`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "pipesheet-bench-"));
  try {
    const e2eSizes = quick ? [100_000] : [100_000, 1_000_000];
    process.stdout.write("\nCSV file -> printed review (pipesheet review FILE, a child process)\n");
    process.stdout.write(`${"deals".padStart(10)} ${"file MB".padStart(9)} ${"wall s".padStart(8)} ${"peak RSS MB".padStart(12)}  target\n`);
    for (const n of e2eSizes) {
      const file = join(dir, `pipeline-${n}.csv`);
      await writeSyntheticCsv(file, n, 7);
      const size = statSync(file).size / MB;
      const e = measureEndToEnd(file);
      if (!e.ok) throw new Error(`the CLI failed on ${file}`);
      const target = n === 1_000_000 ? `< 5 s, < 1,536 MB: ${e.ms < 5000 && e.peakRssMb < 1536 ? "met" : "NOT met"}` : "";
      process.stdout.write(`${fmt(n).padStart(10)} ${fmt(size).padStart(9)} ${fmt(e.ms / 1000, 2).padStart(8)} ${fmt(e.peakRssMb).padStart(12)}  ${target}\n`);
    }
    // Writing the managed workbook goes through exceljs, which holds the whole workbook in memory.
    const n = 100_000;
    const file = join(dir, `pipeline-${n}.csv`);
    const w = measureEndToEnd(file, ["--out", join(dir, "managed.xlsx")]);
    if (!w.ok) throw new Error(`the CLI failed writing ${file} to .xlsx`);
    process.stdout.write(`\nCSV file -> managed .xlsx (pipesheet setup FILE --out managed.xlsx)\n${fmt(n).padStart(10)} deals: ${fmt(w.ms / 1000, 2)} s, peak RSS ${fmt(w.peakRssMb)} MB\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf("--child");
if (at >= 0) await child(Number(process.argv[at + 1]));
else await main();
