// Excel adapter bench: round trips, largest payloads and time per command against the strict in-memory Excel,
// at 1k, 10k and 100k deals. Run: npx tsx bench/excel.ts
import { run } from "../core/index.js";
import { syntheticGrid } from "../samples/generate.js";
import { discover, runCommand } from "../excel-addin/adapter/command.js";
import { hostFor, newWorkbook } from "../test/fakes/excel/index.js";

const SIZES = [1_000, 10_000, 100_000];
const COMMANDS = ["setup", "score", "review"] as const;
const TODAY = "2026-11-26";
const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;

interface Row {
  deals: number;
  command: string;
  syncs: number;
  readSyncs: number;
  writeChunks: number;
  maxRequest: number;
  maxResponse: number;
  ms: number;
  coreMs: number;
}

const rows: Row[] = [];
for (const n of SIZES) {
  const m = newWorkbook();
  m.load("Deals", syntheticGrid(n));
  const host = hostFor(m);
  for (const command of COMMANDS) {
    const d = await discover(host);
    m.resetStats();
    const t0 = performance.now();
    const r = await runCommand(host, { command, sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: TODAY });
    const ms = performance.now() - t0;
    // Core alone on the same input, to tell the adapter's (and the model's) share from core's.
    const c0 = performance.now();
    run(r.read.input, { command, today: TODAY });
    const coreMs = performance.now() - c0;
    rows.push({
      deals: n,
      command,
      syncs: m.stats.syncs,
      readSyncs: r.read.syncs,
      writeChunks: r.apply?.chunks ?? 0,
      maxRequest: Math.max(...m.stats.requestBytes),
      maxResponse: Math.max(...m.stats.responseBytes),
      ms,
      coreMs,
    });
  }
}

const header = ["deals", "command", "syncs", "read", "write chunks", "largest request", "largest response", "total ms", "core ms", "adapter+model ms"];
const table = rows.map((r) => [
  r.deals.toLocaleString("en-US"),
  r.command,
  String(r.syncs),
  String(r.readSyncs),
  String(r.writeChunks),
  kb(r.maxRequest),
  kb(r.maxResponse),
  r.ms.toFixed(0),
  r.coreMs.toFixed(0),
  (r.ms - r.coreMs).toFixed(0),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? "").length)));
const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
process.stdout.write(`Excel adapter against the strict model (syncs = 1 read + extra read chunks + write chunks + 1 closing)\n`);
process.stdout.write(`${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${table.map(line).join("\n")}\n`);
