// The .xlsx path against a yardstick run side by side: `setup` CSV -> .xlsx and `score --in-place` on the managed
// workbook, each next to an Info-ZIP unzip + zip of the same file (what any tool that rewrites the package pays at
// least). Score runs on the day of setup (its cells come out as they were, so the deals sheet keeps its bytes) and
// again a day later (every open deal's days in stage change: the sheet is deflated again). The CLI runs as its own
// process, as a user runs it: the built CLI (scripts/build-cli.ts, what npm installs), so no run pays for compiling
// the sources. Run: npx tsx bench/xlsx.ts [rows] [--max] [--tsx]
//   --tsx runs the sources through tsx instead (as `npm run pipesheet` does; each start compiles them, ~1.5 s).
//   --max also runs setup and score on a 1,048,576-row sheet (Excel's maximum: a header and 1,048,575 deals). The
//   sheet is streamed in and out, but core's tables of a million deals need more than Node's default heap of about
//   4 GB, so that run gives the CLI --max-old-space-size (as a user would through NODE_OPTIONS).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { writeSyntheticCsv } from "../samples/generate.js";
import { buildCli } from "../scripts/build-cli.js";

const ROOT = resolve(import.meta.dirname, "..");
const TIME = "/usr/bin/time";
const TODAY = "2026-11-26";
/** A day after: every open deal's days in its stage change, so score rewrites every row of pipesheet's columns. */
const NEXT_DAY = "2026-11-27";

interface Run {
  ms: number;
  peakMb: number | null;
}

function timed(cmd: string, args: string[], cwd = ROOT): Promise<Run> {
  const [c, argv] = existsSync(TIME) ? [TIME, ["-f", "peak-rss-kb=%M", cmd, ...args]] : [cmd, args];
  const t = performance.now();
  return new Promise((done, fail) => {
    execFile(c, argv, { cwd, maxBuffer: 256 * 1024 * 1024 }, (err, _stdout, stderr) => {
      const ms = performance.now() - t;
      if (err) return fail(new Error(`${cmd} ${args.join(" ")} failed: ${stderr.slice(-2000)}`));
      const m = /peak-rss-kb=(\d+)/.exec(stderr);
      done({ ms, peakMb: m ? Number(m[1]) / 1024 : null });
    });
  });
}

/** Heap for the 1,048,576-row run, in MB. */
const MAX_HEAP_MB = 12_288;

/** How the CLI is started: the built entry, or the sources through tsx (--tsx). */
let entry: string[] = [];

const cli = (args: string[], heapMb?: number): Promise<Run> => timed(process.execPath, [...(heapMb === undefined ? [] : [`--max-old-space-size=${heapMb}`]), ...entry, ...args]);

/** Info-ZIP's unzip of the whole package and zip of it again: the cost of touching every byte once. */
async function yardstick(file: string, dir: string): Promise<Run> {
  const x = join(dir, `x-${Date.now()}`);
  const a = await timed("unzip", ["-q", "-o", file, "-d", x]);
  const b = await timed("zip", ["-q", "-r", "-X", join(dir, `re-${Date.now()}.zip`), "."], x);
  rmSync(x, { recursive: true, force: true });
  return { ms: a.ms + b.ms, peakMb: Math.max(a.peakMb ?? 0, b.peakMb ?? 0) };
}

const fmt = (r: Run): string => `${(r.ms / 1000).toFixed(2).padStart(7)} s ${r.peakMb === null ? "" : `${r.peakMb.toFixed(0).padStart(5)} MB`}`;

async function sizes(rows: number, dir: string, heapMb?: number): Promise<void> {
  const csv = join(dir, `deals-${rows}.csv`);
  await writeSyntheticCsv(csv, rows, 11);
  const book = join(dir, `deals-${rows}.xlsx`);
  const setup = await cli(["setup", csv, "--today", TODAY, "--out", book], heapMb);
  const ySetup = await yardstick(book, dir);
  const score = await cli(["score", book, "--today", TODAY, "--in-place"], heapMb);
  const yScore = await yardstick(book, dir);
  const later = await cli(["score", book, "--today", NEXT_DAY, "--in-place"], heapMb);
  const mb = (statSync(book).size / 1e6).toFixed(1);
  process.stdout.write(`\n${rows.toLocaleString("en")} deals, managed workbook ${mb} MB${heapMb === undefined ? "" : ` (CLI run with --max-old-space-size=${heapMb})`}\n`);
  process.stdout.write(`  setup CSV -> .xlsx      ${fmt(setup)}   unzip+zip ${fmt(ySetup)}   ratio ${(setup.ms / ySetup.ms).toFixed(2)}x\n`);
  process.stdout.write(`  score --in-place        ${fmt(score)}   unzip+zip ${fmt(yScore)}   ratio ${(score.ms / yScore.ms).toFixed(2)}x\n`);
  process.stdout.write(`    a day later           ${fmt(later)}   unzip+zip ${fmt(yScore)}   ratio ${(later.ms / yScore.ms).toFixed(2)}x\n`);
}

async function main(): Promise<void> {
  if (!existsSync("/usr/bin/zip") || !existsSync("/usr/bin/unzip")) throw new Error("bench/xlsx.ts needs Info-ZIP's zip and unzip (apt-get install zip unzip)");
  const dir = mkdtempSync(join(tmpdir(), "pipesheet-bench-xlsx-"));
  // Built inside the checkout, so its npm imports resolve from node_modules as an installed package's do.
  const cliDir = join(ROOT, "dist", "bench-xlsx-cli");
  const viaTsx = process.argv.includes("--tsx");
  entry = viaTsx ? ["--import", "tsx", join(ROOT, "cli/cli.ts")] : [await buildCli(cliDir)];
  process.stdout.write(`CLI: ${viaTsx ? "the sources through tsx (--tsx)" : "built (dist), as npm installs it"}\n`);
  try {
    const rows = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100_000);
    await sizes(rows, dir);
    if (process.argv.includes("--max")) await sizes(1_048_575, dir, MAX_HEAP_MB);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cliDir, { recursive: true, force: true });
  }
}

await main();
