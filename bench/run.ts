// npm run bench: every benchmark, one after another, each in its own process so none inflates another's memory.
//   npm run bench               core (10k/100k/1M), Excel adapter, Apps Script adapter, sync (100k rows), .xlsx (100k)
//   npm run bench -- --quick    small sizes only, for a quick look
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const quick = process.argv.includes("--quick");
const benches: [string, string[]][] = [
  ["core", quick ? ["--quick"] : []],
  ["excel", []],
  ["sheets", []],
  ["sync", quick ? ["10000"] : []],
  ["xlsx", quick ? ["10000"] : []],
];

let failed = 0;
for (const [name, args] of benches) {
  process.stdout.write(`\n=== bench/${name}.ts ${args.join(" ")}\n`);
  const r = spawnSync(process.execPath, ["--import", "tsx", resolve(ROOT, "bench", `${name}.ts`), ...args], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`bench/${name}.ts exited with ${r.status ?? r.signal}\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
