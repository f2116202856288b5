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
import { buildCli } from "../scripts/build-cli.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SELF = fileURLToPath(import.meta.url);
const MB = 1024 * 1024;

interface CoreFigures {
  rows: number;
  ms: number;
  /** CPU time of the process (all its threads) for the best run: less moved by other work on a loaded machine. */
  cpuMs: number;
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
async function child(rows: number, figuresOnly: boolean): Promise<void> {
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
  let bestCpu = Infinity;
  const sampler = rssSampler();
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const plan = run(input, { command: "review", today: SAMPLE_TODAY, figuresOnly });
    const used = process.cpuUsage(c);
    best = Math.min(best, performance.now() - t);
    bestCpu = Math.min(bestCpu, (used.user + used.system) / 1000);
    if (plan.summary.deals !== rows) throw new Error(`expected ${rows} deals, core saw ${plan.summary.deals}`);
  }
  const peak = await sampler.stop();
  const out: CoreFigures = {
    rows,
    ms: best,
    cpuMs: bestCpu,
    rowsPerSec: rows / (best / 1000),
    gridHeapMb: gridHeap / MB,
    baseRssMb: baseRss / MB,
    peakRssMb: Math.max(peak, baseRss / MB),
  };
  process.stdout.write(JSON.stringify(out));
}

function measureCore(rows: number, figuresOnly = false): CoreFigures {
  const args = ["--expose-gc", "--import", "tsx", SELF, "--child", String(rows), ...(figuresOnly ? ["--figures-only"] : [])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`core bench at ${rows} rows failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as CoreFigures;
}

interface Timed {
  ms: number;
  peakRssMb: number;
  status: number | null;
  stdout: string;
}

/** One child process, timed from outside: wall time and (with GNU time) its peak RSS. */
function timedChild(args: string[]): Timed {
  const timeBin = "/usr/bin/time";
  const t = performance.now();
  const r = existsSync(timeBin)
    ? spawnSync(timeBin, ["-f", "%M", process.execPath, ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 })
    : spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  // GNU time prints the peak RSS in KiB as the last line of stderr.
  const kib = Number(r.stderr.trim().split("\n").pop());
  return { ms, peakRssMb: Number.isFinite(kib) ? kib / 1024 : NaN, status: r.status, stdout: r.stdout };
}

/**
 * The CLI as a user runs it, on a CSV file: wall time and the process's peak RSS. `cli` is the built CLI (what
 * npm installs), not cli/bin.mjs, whose tsx loader compiles the sources on every start (about 1.5 s).
 */
function measureEndToEnd(cli: string, file: string, extra: string[] = []): { ms: number; peakRssMb: number; ok: boolean; lines: number } {
  const r = timedChild([cli, extra.length > 0 ? "setup" : "review", file, "--today", SAMPLE_TODAY, ...extra]);
  return { ms: r.ms, peakRssMb: r.peakRssMb, ok: r.status === 0 && r.stdout.startsWith("Pipeline Review"), lines: r.stdout.split("\n").length };
}

/**
 * The yardstick (issue #8): a bare PapaParse parse of the same file, in a plain Node process (no tsx), the
 * file read as UTF-8 and every field kept as text, as the CLI reads it. It prints the record count.
 */
const PAPA_ONLY = `const Papa = require("papaparse");
const text = require("node:fs").readFileSync(process.argv[1], "utf8");
const res = Papa.parse(text, { delimiter: "," });
process.stdout.write(String(res.data.length));`;

function measurePapa(file: string): { ms: number; peakRssMb: number } {
  const r = timedChild(["-e", PAPA_ONLY, file]);
  if (r.status !== 0 || !(Number(r.stdout) > 0)) throw new Error(`the PapaParse yardstick failed on ${file}`);
  return { ms: r.ms, peakRssMb: r.peakRssMb };
}

const fmt = (n: number, digits = 0): string => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const sizes = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  process.stdout.write("core run (parse, score, stuck, metrics, review, plan) on the grid the CLI hands it; RSS sampled during the run\n");
  process.stdout.write(`${"deals".padStart(10)} ${"ms".padStart(9)} ${"cpu ms".padStart(9)} ${"deals/s".padStart(12)} ${"grid heap MB".padStart(13)} ${"RSS before MB".padStart(14)} ${"peak RSS MB".padStart(12)}\n`);
  const line = (label: string, f: CoreFigures, target: string): void => {
    process.stdout.write(
      `${label.padStart(10)} ${fmt(f.ms, 1).padStart(9)} ${fmt(f.cpuMs, 0).padStart(9)} ${fmt(f.rowsPerSec).padStart(12)} ${fmt(f.gridHeapMb).padStart(13)} ${fmt(f.baseRssMb).padStart(14)} ${fmt(f.peakRssMb).padStart(12)}${target}\n`,
    );
  };
  for (const n of sizes) {
    const f = measureCore(n);
    line(fmt(n), f, n === 1_000_000 ? `  >= 1,000,000 deals/s: ${f.rowsPerSec >= 1_000_000 ? "met" : "NOT met"}` : "");
  }
  // The same run asked for the figures only (what `pipesheet review` without --out asks): the difference is
  // what planning the cells, rules and log rows costs.
  const top = sizes[sizes.length - 1] as number;
  line(`${fmt(top)} f`, measureCore(top, true), "  (f: figures only, RunOptions.figuresOnly)");
  const dir = mkdtempSync(join(tmpdir(), "pipesheet-bench-"));
  // Built inside the checkout, so its npm imports resolve from node_modules as an installed package's do.
  const cliDir = join(ROOT, "dist", "bench-cli");
  const cli = await buildCli(cliDir);
  try {
    const e2eSizes = quick ? [100_000] : [100_000, 1_000_000];
    process.stdout.write("\nCSV file -> printed review (pipesheet review FILE with the built CLI, a child process) beside a bare PapaParse parse of the same file\n");
    process.stdout.write("(the two alternate, best of 2 each, so a loaded machine slows both alike; the ratio is the figure to read)\n");
    process.stdout.write(
      `${"deals".padStart(10)} ${"file MB".padStart(9)} ${"review s".padStart(9)} ${"peak MB".padStart(8)} ${"papa s".padStart(7)} ${"peak MB".padStart(8)} ${"ratio".padStart(6)}  target\n`,
    );
    for (const n of e2eSizes) {
      const file = join(dir, `pipeline-${n}.csv`);
      await writeSyntheticCsv(file, n, 7);
      const size = statSync(file).size / MB;
      let review = { ms: Infinity, peakRssMb: 0 };
      let papa = { ms: Infinity, peakRssMb: 0 };
      for (let k = 0; k < 2; k++) {
        const p = measurePapa(file);
        if (p.ms < papa.ms) papa = p;
        const e = measureEndToEnd(cli, file);
        if (!e.ok) throw new Error(`the CLI failed on ${file}`);
        if (e.ms < review.ms) review = e;
      }
      const ratio = review.ms / papa.ms;
      const target = n === 1_000_000 ? `<= 1.3x, < 1,024 MB: ${ratio <= 1.3 && review.peakRssMb < 1024 ? "met" : "NOT met"}` : "";
      process.stdout.write(
        `${fmt(n).padStart(10)} ${fmt(size).padStart(9)} ${fmt(review.ms / 1000, 2).padStart(9)} ${fmt(review.peakRssMb).padStart(8)} ${fmt(papa.ms / 1000, 2).padStart(7)} ${fmt(papa.peakRssMb).padStart(8)} ${fmt(ratio, 2).padStart(6)}  ${target}\n`,
      );
    }
    // Writing the managed workbook goes through exceljs, which holds the whole workbook in memory.
    const n = 100_000;
    const file = join(dir, `pipeline-${n}.csv`);
    const w = measureEndToEnd(cli, file, ["--out", join(dir, "managed.xlsx")]);
    if (!w.ok) throw new Error(`the CLI failed writing ${file} to .xlsx`);
    process.stdout.write(`\nCSV file -> managed .xlsx (pipesheet setup FILE --out managed.xlsx)\n${fmt(n).padStart(10)} deals: ${fmt(w.ms / 1000, 2)} s, peak RSS ${fmt(w.peakRssMb)} MB\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cliDir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf("--child");
if (at >= 0) await child(Number(process.argv[at + 1]), process.argv.includes("--figures-only"));
else await main();
